"""Masks and pooling over right-padded batches ``(B, T, H)`` with ``lengths`` ``(B,)``.

Every helper reads only the valid steps ``t < lengths[b]``, so what sits in the
padding can never reach a result.
"""

import torch

__all__ = ["last_valid_step", "lengths_to_mask", "masked_mean", "reverse_padded"]


def lengths_to_mask(lengths, n_timesteps):
    """Boolean mask ``(B, T)``, True at the valid steps of each row."""
    steps = torch.arange(n_timesteps, device=lengths.device)
    return steps[None, :] < lengths[:, None]


def last_valid_step(outputs, lengths):
    """``outputs[b, lengths[b] - 1]`` for every row, shape ``(B, H)``."""
    index = (lengths.to(outputs.device) - 1).clamp(min=0)
    return outputs[torch.arange(outputs.shape[0], device=outputs.device), index]


def masked_mean(outputs, mask):
    """Mean over the valid steps, shape ``(B, H)``."""
    weights = mask.to(outputs.dtype).unsqueeze(-1)
    total = (outputs * weights).sum(dim=1)
    return total / weights.sum(dim=1).clamp(min=1.0)


def reverse_padded(x, lengths):
    """Reverse the valid part of each row in time; padded steps stay in place.

    ``reverse_padded(x, lengths)[b, t] = x[b, lengths[b] - 1 - t]`` for
    ``t < lengths[b]``.
    """
    n_timesteps = x.shape[1]
    steps = torch.arange(n_timesteps, device=x.device)[None, :]
    lengths = lengths.to(x.device)[:, None]
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)
    return x.gather(1, index.unsqueeze(-1).expand_as(x))
