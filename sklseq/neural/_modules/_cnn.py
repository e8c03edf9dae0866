"""1D convolutional encoder with dilations, and the CNN-LSTM hybrid.

Padding is provably irrelevant: before every convolution the padded steps are set
to zero, and a row alone is zero-extended by the convolution's own padding, so a
valid step sees exactly the same numbers alone or inside a batch of longer rows.
With ``causal=True`` a step only sees itself and the past.
"""

import torch.nn.functional as F
from torch import nn

from ._masking import lengths_to_mask
from ._recurrent import RecurrentEncoder

__all__ = ["CNNLSTMEncoder", "ConvEncoder"]


class ConvEncoder(nn.Module):
    """Stack of dilated 1D convolutions, ReLU, optional layer norm, residual links.

    Parameters
    ----------
    input_size : int
    hidden_size : int
        Channels of every convolution.
    num_layers : int
    kernel_size : int
    dilation : int or sequence of int
        An int ``d`` gives layer ``i`` the dilation ``d ** i`` (1: no dilation);
        a sequence gives one dilation per layer.
    dropout : float
    layer_norm : bool
    causal : bool
        Pad on the left only, so step ``t`` sees steps ``<= t``; otherwise centred.
    """

    def __init__(
        self,
        input_size,
        *,
        hidden_size=64,
        num_layers=3,
        kernel_size=3,
        dilation=2,
        dropout=0.0,
        layer_norm=False,
        causal=False,
    ):
        super().__init__()
        if isinstance(dilation, int):
            dilations = [dilation**i for i in range(num_layers)]
        else:
            dilations = list(dilation)
            if len(dilations) != num_layers:
                raise ValueError(
                    f"dilation has {len(dilations)} entries but num_layers={num_layers}."
                )
        self.causal = causal
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        self.paddings = []
        size = input_size
        for d in dilations:
            self.convs.append(nn.Conv1d(size, hidden_size, kernel_size, dilation=d))
            self.norms.append(nn.LayerNorm(hidden_size) if layer_norm else nn.Identity())
            total = d * (kernel_size - 1)
            self.paddings.append((total, 0) if causal else (total // 2, total - total // 2))
            size = hidden_size
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.output_size = hidden_size

    def forward(self, x, lengths):
        mask = lengths_to_mask(lengths.to(x.device), x.shape[1])
        keep = mask.unsqueeze(-1)
        x = x.masked_fill(~keep, 0.0)
        for i, (conv, norm, padding) in enumerate(zip(self.convs, self.norms, self.paddings)):
            h = conv(F.pad(x.transpose(1, 2), padding)).transpose(1, 2)
            h = self.dropout(norm(F.relu(h)))
            x = h + x if i > 0 else h
            x = x.masked_fill(~keep, 0.0)
        return x, mask


class CNNLSTMEncoder(nn.Module):
    """Convolutions for local patterns, then an LSTM over their outputs."""

    def __init__(
        self,
        input_size,
        *,
        hidden_size=64,
        num_layers=2,
        kernel_size=3,
        dilation=2,
        bidirectional=False,
        dropout=0.0,
        layer_norm=False,
        causal=False,
    ):
        super().__init__()
        self.conv = ConvEncoder(
            input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            kernel_size=kernel_size,
            dilation=dilation,
            dropout=dropout,
            layer_norm=layer_norm,
            causal=causal,
        )
        self.rnn = RecurrentEncoder(
            hidden_size,
            cell="lstm",
            hidden_size=hidden_size,
            bidirectional=bidirectional,
            dropout=dropout,
            layer_norm=layer_norm,
        )
        self.output_size = self.rnn.output_size

    def forward(self, x, lengths):
        x, _ = self.conv(x, lengths)
        return self.rnn(x, lengths)
