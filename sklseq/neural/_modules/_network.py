"""An encoder plus an output head: the module every task estimator trains; ensembles of them."""

import math

import torch
from torch import nn

from ._masking import last_valid_step, masked_mean

__all__ = ["EnsembleNetwork", "SequenceNetwork"]


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
        False: one per sequence ``(B, output_size)`` from the mean over valid
        steps, concatenated with the last valid step unless the encoder sets
        ``global_pooling = True``: a recurrent state's last step summarises
        the whole sequence, a convolution's is one local window.
    """

    def __init__(self, encoder, output_size, *, per_step=False):
        super().__init__()
        self.encoder = encoder
        self.per_step = per_step
        self.global_pooling = getattr(encoder, "global_pooling", False)
        width = encoder.output_size if per_step or self.global_pooling else 2 * encoder.output_size
        self.head = nn.Linear(width, output_size)

    def forward(self, x, lengths):
        outputs, mask = self.encoder(x, lengths)
        if self.per_step:
            return self.head(outputs)
        pooled = masked_mean(outputs, mask)
        if not self.global_pooling:
            pooled = torch.cat([last_valid_step(outputs, lengths), pooled], -1)
        return self.head(pooled)


class EnsembleNetwork(nn.Module):
    """Members trained side by side; evaluation averages them (InceptionTime's ensemble).

    Parameters
    ----------
    members : list of nn.Module
        Networks of one architecture, each with its own random initial weights.
    combine : {"probability", "mean"}
        How evaluation combines the members' outputs: ``"probability"`` returns
        the log of the mean of their softmax probabilities (so a softmax of it
        is the averaged probability), ``"mean"`` the mean output.

    In training mode the forward pass returns the tuple of member outputs, so
    each member is trained on its own loss (see
    :class:`~sklseq.neural._losses.MemberLosses`).
    """

    def __init__(self, members, combine):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.combine = combine

    def forward(self, x, lengths):
        outputs = tuple(member(x, lengths) for member in self.members)
        if self.training:
            return outputs
        stacked = torch.stack(outputs)
        if self.combine == "probability":
            log_proba = torch.log_softmax(stacked, dim=-1)
            return torch.logsumexp(log_proba, dim=0) - math.log(len(outputs))
        return stacked.mean(dim=0)
