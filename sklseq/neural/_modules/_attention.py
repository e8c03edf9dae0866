"""Attention over encoder outputs for one decoder step, batched over samples.

Both modules split the work in two: :meth:`project_keys` runs once per input
sequence (it does not depend on the decoder state), :meth:`forward` runs at every
decoder step. Padded encoder steps get exactly zero weight.
"""

import math

import torch
from torch import nn

__all__ = ["AdditiveAttention", "DotProductAttention", "build_attention"]


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
        query : Tensor of shape (B, query_size)
        projected_keys : Tensor of shape (B, T, attention_size)
            Output of :meth:`project_keys`.
        values : Tensor of shape (B, T, key_size)
            Encoder outputs.
        mask : BoolTensor of shape (B, T)
            True at valid (non-padded) steps.

        Returns
        -------
        context : Tensor of shape (B, key_size)
        weights : Tensor of shape (B, T), zero at padded steps, rows sum to 1.
        """
        energy = torch.tanh(projected_keys + self.query_proj(query).unsqueeze(1))
        scores = self.score(energy).squeeze(-1)
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
        scores = torch.bmm(projected_keys, query.unsqueeze(-1)).squeeze(-1) * self.scale
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


def _attend(scores, values, mask):
    scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    context = torch.bmm(weights.unsqueeze(1), values).squeeze(1)
    return context, weights
