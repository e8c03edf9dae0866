"""An encoder plus an output head: the module every task estimator trains."""

import torch
from torch import nn

from ._masking import last_valid_step, masked_mean

__all__ = ["SequenceNetwork"]


class SequenceNetwork(nn.Module):
    """Encoder followed by a linear head, per sequence or per time step.

    Parameters
    ----------
    encoder : nn.Module
        Built by :func:`build_encoder`.
    output_size : int
        Logits per class, or regression outputs.
    per_step : bool, default=False
        True: one output per time step ``(B, T, output_size)`` (tagging).
        False: one per sequence ``(B, output_size)`` from the last valid step
        concatenated with the mean over valid steps; the last step keeps the
        position information a mean alone loses.
    """

    def __init__(self, encoder, output_size, *, per_step=False):
        super().__init__()
        self.encoder = encoder
        self.per_step = per_step
        width = encoder.output_size if per_step else 2 * encoder.output_size
        self.head = nn.Linear(width, output_size)

    def forward(self, x, lengths):
        outputs, mask = self.encoder(x, lengths)
        if self.per_step:
            return self.head(outputs)
        pooled = torch.cat([last_valid_step(outputs, lengths), masked_mean(outputs, mask)], -1)
        return self.head(pooled)
