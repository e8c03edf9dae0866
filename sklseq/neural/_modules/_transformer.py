"""Transformer encoder: sinusoidal positional encoding and masked self-attention.

Padded steps are excluded through the key padding mask (their attention weight is
exactly zero), so padding never changes a valid step's output.
"""

import math

import torch
from torch import nn

from ._masking import lengths_to_mask

__all__ = ["PositionalEncoding", "TransformerSequenceEncoder"]


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
    ):
        super().__init__()
        if hidden_size % num_heads:
            raise ValueError(
                f"hidden_size={hidden_size} must be divisible by num_heads={num_heads} "
                "for the transformer architecture."
            )
        self.input_proj = nn.Linear(input_size, hidden_size)
        self.positional = PositionalEncoding(hidden_size)
        layer = nn.TransformerEncoderLayer(
            hidden_size,
            num_heads,
            dim_feedforward=2 * hidden_size,
            dropout=dropout,
            batch_first=True,
            norm_first=True,
        )
        self.layers = nn.TransformerEncoder(
            layer, num_layers, norm=nn.LayerNorm(hidden_size), enable_nested_tensor=False
        )
        self.causal = causal
        self.output_size = hidden_size

    def forward(self, x, lengths):
        n_timesteps = x.shape[1]
        mask = lengths_to_mask(lengths.to(x.device), n_timesteps)
        h = self.positional(self.input_proj(x))
        attn_mask = None
        if self.causal:
            attn_mask = torch.ones(
                n_timesteps, n_timesteps, dtype=torch.bool, device=x.device
            ).triu(1)
        h = self.layers(h, mask=attn_mask, src_key_padding_mask=~mask)
        return h.masked_fill(~mask.unsqueeze(-1), 0.0), mask
