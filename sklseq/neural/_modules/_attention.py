"""Attention over encoder outputs for one decoder step, batched over samples.

Both modules split the work in two: :meth:`project_keys` runs once per input
sequence (it does not depend on the decoder state), :meth:`forward` runs at every
decoder step. Padded encoder steps get exactly zero weight.

Several queries may share one memory row: with ``B`` memory rows and ``B * k``
query rows, queries ``i * k`` to ``i * k + k - 1`` attend over memory row ``i``
(the beams of sample ``i`` in a beam search), so the memory need not be
repeated ``k`` times.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["AdditiveAttention", "DotProductAttention", "build_attention"]

_LARGE = 2**15  # energies of more elements are squashed through a sigmoid


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention: ``score_j = v^T tanh(W_q q + W_k k_j + b)``.

    Parameters
    ----------
    query_size : int
        Size of the decoder state used as query.
    key_size : int
        Size of one encoder output.
    attention_size : int, default=None
        Size of the hidden scoring layer; ``query_size`` when None.
    """

    def __init__(self, query_size, key_size, attention_size=None):
        super().__init__()
        attention_size = attention_size or query_size
        self.query_proj = nn.Linear(query_size, attention_size, bias=False)
        self.key_proj = nn.Linear(key_size, attention_size)
        self.score = nn.Linear(attention_size, 1, bias=False)

    def project_keys(self, keys):
        """``(B, T, key_size)`` -> ``(B, T, attention_size)``, once per sequence."""
        return self.key_proj(keys)

    def forward(self, query, projected_keys, values, mask):
        """Context vector and weights for one step.

        Parameters
        ----------
        query : Tensor of shape (B * k, query_size)
            ``k`` consecutive queries per memory row (``k = 1`` usually).
        projected_keys : Tensor of shape (B, T, attention_size)
            Output of :meth:`project_keys`.
        values : Tensor of shape (B, T, key_size)
            Encoder outputs.
        mask : BoolTensor of shape (B, T)
            True at valid (non-padded) steps.

        Returns
        -------
        context : Tensor of shape (B * k, key_size)
        weights : Tensor of shape (B * k, T), zero at padded steps, rows sum to 1.
        """
        # Called once per decoded token, so the layers are applied with
        # F.linear (less per-call overhead than Module.__call__).
        query = _group(F.linear(query, self.query_proj.weight), projected_keys, 1)
        energy = projected_keys.unsqueeze(1) + query
        if energy.numel() < _LARGE:
            scores = F.linear(torch.tanh_(energy), self.score.weight).squeeze(-1)
        else:
            # v^T tanh(x) = 2 v^T sigmoid(2x) - sum(v), and softmax ignores the
            # constant: the same weights, but torch's CPU sigmoid is several
            # times faster than its tanh on large tensors (not worth two more
            # operations on small ones).
            energy = torch.sigmoid_(energy.mul_(2))
            scores = F.linear(energy, self.score.weight).squeeze(-1).mul_(2)
        return _attend(scores, values, mask)


class DotProductAttention(nn.Module):
    """Scaled dot-product (Luong "general") attention: ``score_j = q^T W k_j / sqrt(d)``.

    Parameters
    ----------
    query_size : int
        Size of the decoder state used as query.
    key_size : int
        Size of one encoder output; keys are mapped to ``query_size`` by ``W``.
    """

    def __init__(self, query_size, key_size):
        super().__init__()
        self.key_proj = nn.Linear(key_size, query_size, bias=False)
        self.scale = 1.0 / math.sqrt(query_size)

    def project_keys(self, keys):
        """``(B, T, key_size)`` -> ``(B, T, query_size)``, once per sequence."""
        return self.key_proj(keys)

    def forward(self, query, projected_keys, values, mask):
        """Same contract as :meth:`AdditiveAttention.forward`."""
        query = _group(query, projected_keys)
        scores = torch.bmm(query, projected_keys.transpose(1, 2)) * self.scale
        return _attend(scores, values, mask)


def build_attention(kind, query_size, key_size):
    """``"additive"`` or ``"dot"`` attention module; None for ``"none"``."""
    if kind == "additive":
        return AdditiveAttention(query_size, key_size)
    if kind == "dot":
        return DotProductAttention(query_size, key_size)
    if kind == "none":
        return None
    raise ValueError(f"attention must be 'additive', 'dot' or 'none'; got {kind!r}.")


def _group(query, keys, *middle):
    """Queries ``(B * k, size)`` as ``(B, k, *middle, size)``, ``k`` per memory row."""
    if len(query) % len(keys):
        raise ValueError(
            f"{len(query)} queries cannot share {len(keys)} memory rows: the "
            "number of queries must be a multiple of the number of memory rows."
        )
    return query.view(len(keys), -1, *middle, query.shape[-1])


def _attend(scores, values, mask):
    """Softmax of ``scores (B, k, T)`` over valid steps; context ``(B * k, size)``."""
    weights = torch.softmax(scores.masked_fill(~mask.unsqueeze(1), float("-inf")), dim=-1)
    return torch.bmm(weights, values).flatten(0, 1), weights.flatten(0, 1)
