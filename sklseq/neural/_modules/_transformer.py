"""Transformer encoder: sinusoidal positional encoding and masked self-attention.

Attention goes through :func:`torch.nn.functional.scaled_dot_product_attention`
with a boolean key mask broadcast over queries and heads, so PyTorch's fused
kernels (flash / memory-efficient attention, on CPU too) never materialise the
``(B, heads, T, T)`` weights in float: memory grows linearly with the length.
Padded keys get exactly zero weight, so padding never changes a valid step's
output. An optional ``patch_size`` embeds non-overlapping patches of steps as
tokens (as PatchTST does), dividing the attended length by ``patch_size``;
each step's output is its patch's.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._masking import lengths_to_mask

__all__ = ["PositionalEncoding", "SelfAttentionLayer", "TransformerSequenceEncoder"]


class PositionalEncoding(nn.Module):
    """Sinusoidal encoding of the absolute step index (Vaswani et al., 2017), added to x."""

    def __init__(self, d_model):
        super().__init__()
        self.d_model = d_model

    def forward(self, x):
        n_timesteps = x.shape[1]
        position = torch.arange(n_timesteps, device=x.device, dtype=x.dtype)[:, None]
        freq = torch.exp(
            torch.arange(0, self.d_model, 2, device=x.device, dtype=x.dtype)
            * (-math.log(10000.0) / self.d_model)
        )
        encoding = torch.zeros(n_timesteps, self.d_model, device=x.device, dtype=x.dtype)
        encoding[:, 0::2] = torch.sin(position * freq)
        encoding[:, 1::2] = torch.cos(position * freq)[:, : self.d_model // 2]
        return x + encoding


class SelfAttentionLayer(nn.Module):
    """Pre-norm transformer layer: ``h + attn(norm(h))``, then ``h + ff(norm(h))``.

    The feed-forward block is ``Linear(d, 2d) -> ReLU -> Linear(2d, d)``;
    dropout after attention, inside and after the feed-forward block.
    """

    def __init__(self, hidden_size, num_heads, dropout=0.0):
        super().__init__()
        self.num_heads = num_heads
        self.dropout_p = dropout
        self.norm1 = nn.LayerNorm(hidden_size)
        self.qkv = nn.Linear(hidden_size, 3 * hidden_size)
        self.out = nn.Linear(hidden_size, hidden_size)
        self.norm2 = nn.LayerNorm(hidden_size)
        self.ff = nn.Sequential(
            nn.Linear(hidden_size, 2 * hidden_size),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(2 * hidden_size, hidden_size),
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, h, attn_mask):
        """``attn_mask``: bool, True where a query may attend to a key, broadcastable to (B, heads, T, T)."""
        batch, n_steps, width = h.shape
        q, k, v = (
            self.qkv(self.norm1(h))
            .view(batch, n_steps, 3, self.num_heads, width // self.num_heads)
            .permute(2, 0, 3, 1, 4)
        )
        attended = F.scaled_dot_product_attention(
            q, k, v, attn_mask=attn_mask, dropout_p=self.dropout_p if self.training else 0.0
        )
        attended = attended.transpose(1, 2).reshape(batch, n_steps, width)
        h = h + self.dropout(self.out(attended))
        return h + self.dropout(self.ff(self.norm2(h)))


class TransformerSequenceEncoder(nn.Module):
    """Input projection, positional encoding, then pre-norm transformer layers.

    Parameters
    ----------
    input_size : int
    hidden_size : int
        Model width ``d_model``; must be divisible by ``num_heads``.
    num_layers : int
    num_heads : int
    dropout : float
    causal : bool
        Step ``t`` attends only to steps ``<= t``.
    patch_size : int, default=1
        Steps per token: non-overlapping patches of ``patch_size`` steps are
        embedded by one linear map (a strided convolution) and attend to each
        other; every step gets its patch's output. The attention's time and
        memory fall by ``patch_size ** 2``. Not with ``causal=True`` (a step
        would see the rest of its patch).
    """

    def __init__(
        self,
        input_size,
        *,
        hidden_size=64,
        num_layers=2,
        num_heads=4,
        dropout=0.0,
        causal=False,
        patch_size=1,
    ):
        super().__init__()
        if hidden_size % num_heads:
            raise ValueError(
                f"hidden_size={hidden_size} must be divisible by num_heads={num_heads} "
                "for the transformer architecture."
            )
        if patch_size < 1:
            raise ValueError(f"patch_size must be a positive integer; got {patch_size}.")
        if causal and patch_size > 1:
            raise ValueError(
                "causal=True cannot be combined with patch_size > 1: a step would see "
                "the later steps of its patch."
            )
        self.patch_size = patch_size
        if patch_size == 1:
            self.input_proj = nn.Linear(input_size, hidden_size)
        else:
            self.input_proj = nn.Conv1d(input_size, hidden_size, patch_size, stride=patch_size)
        self.positional = PositionalEncoding(hidden_size)
        self.layers = nn.ModuleList(
            SelfAttentionLayer(hidden_size, num_heads, dropout) for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(hidden_size)
        self.causal = causal
        self.output_size = hidden_size

    def forward(self, x, lengths):
        n_timesteps = x.shape[1]
        lengths = lengths.to(x.device)
        mask = lengths_to_mask(lengths, n_timesteps)
        h, token_lengths = self._embed(x.masked_fill(~mask.unsqueeze(-1), 0.0), lengths)
        n_tokens = h.shape[1]
        token_mask = lengths_to_mask(token_lengths, n_tokens)
        # True where attention is allowed: valid keys (and, causal, not later ones).
        attn_mask = token_mask[:, None, None, :]
        if self.causal:
            attn_mask = attn_mask & torch.ones(
                n_tokens, n_tokens, dtype=torch.bool, device=x.device
            ).tril()
        h = self.positional(h)
        for layer in self.layers:
            h = layer(h, attn_mask)
        h = self.norm(h)
        if self.patch_size > 1:
            h = h.repeat_interleave(self.patch_size, dim=1)[:, :n_timesteps]
        return h.masked_fill(~mask.unsqueeze(-1), 0.0), mask

    def _embed(self, x, lengths):
        if self.patch_size == 1:
            return self.input_proj(x), lengths
        # Zero-extend to whole patches; a row alone is extended the same way.
        p = self.patch_size
        extra = -x.shape[1] % p
        tokens = self.input_proj(F.pad(x, (0, 0, 0, extra)).transpose(1, 2)).transpose(1, 2)
        return tokens, (lengths + p - 1) // p
