"""Recurrent encoders: Elman RNN, LSTM, GRU (packed sequences) and a Jordan RNN.

Packing means the recurrence stops at each row's own length, so padding never
changes an output. Rows without padding skip the packing step entirely, and so
do unidirectional encoders, whose valid steps never read the padding after them.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._masking import lengths_to_mask, reverse_padded

__all__ = ["JordanEncoder", "RecurrentEncoder"]

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentEncoder(nn.Module):
    """Stacked ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` over right-padded batches.

    Parameters
    ----------
    input_size : int
    cell : {"rnn", "lstm", "gru"}
        ``"rnn"`` is the Elman network (tanh).
    hidden_size : int
    num_layers : int
    bidirectional : bool
    dropout : float
        Dropout on the non-recurrent connections: between layers and on the output.
    layer_norm : bool
        Layer normalisation of the output.
    """

    def __init__(
        self,
        input_size,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        layer_norm=False,
    ):
        super().__init__()
        self.rnn = _CELLS[cell](
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        if cell in ("lstm", "gru"):
            _init_forget_bias(self.rnn, hidden_size)
        self.output_size = hidden_size * (2 if bidirectional else 1)
        self.norm = nn.LayerNorm(self.output_size) if layer_norm else nn.Identity()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x, lengths):
        n_timesteps = x.shape[1]
        lengths_cpu = lengths.cpu()
        mask = lengths_to_mask(lengths.to(x.device), n_timesteps)
        if bool((lengths_cpu == n_timesteps).all()):
            outputs, _ = self.rnn(x)
            return self.dropout(self.norm(outputs)), mask
        if not self.rnn.bidirectional:
            # A forward recurrence never reads the padding after a valid step, and
            # the fused unpacked kernel is several times faster than packing on CPU.
            outputs, _ = self.rnn(x)
            outputs = self.dropout(self.norm(outputs))
            return outputs.masked_fill(~mask.unsqueeze(-1), 0.0), mask
        packed = pack_padded_sequence(x, lengths_cpu, batch_first=True, enforce_sorted=False)
        outputs, _ = self.rnn(packed)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=n_timesteps)
        outputs = self.dropout(self.norm(outputs))
        return outputs.masked_fill(~mask.unsqueeze(-1), 0.0), mask


def _init_forget_bias(rnn, hidden_size):
    """Start with memory kept.

    Bias 1 on the LSTM forget gate (Jozefowicz et al., 2015) and on the GRU update
    gate, both the second block of PyTorch's gate stack.
    """
    with torch.no_grad():
        for name, bias in rnn.named_parameters():
            if name.startswith("bias_ih"):
                bias[hidden_size : 2 * hidden_size].fill_(1.0)


class JordanLayer(nn.Module):
    """One Jordan layer: the previous *output* is fed back, not the hidden state.

    ``h_t = tanh(W_x x_t + W_y y_{t-1} + b_h)`` and ``y_t = tanh(W_o h_t + b_o)``.
    """

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_to_hidden = nn.Linear(input_size, hidden_size)
        self.output_to_hidden = nn.Linear(hidden_size, hidden_size, bias=False)
        self.hidden_to_output = nn.Linear(hidden_size, hidden_size)

    def forward(self, x):
        drive = self.input_to_hidden(x)  # all steps at once; only the feedback loops
        y = drive.new_zeros(x.shape[0], self.hidden_to_output.out_features)
        outputs = []
        for t in range(x.shape[1]):
            hidden = torch.tanh(drive[:, t] + self.output_to_hidden(y))
            y = torch.tanh(self.hidden_to_output(hidden))
            outputs.append(y)
        return torch.stack(outputs, dim=1)


class JordanEncoder(nn.Module):
    """Stacked Jordan layers; the recurrence is causal, so padding at the end is inert.

    The backward direction of a bidirectional encoder runs on each row reversed
    within its own length, so it starts at the last valid step.
    """

    def __init__(
        self,
        input_size,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        layer_norm=False,
    ):
        super().__init__()
        directions = 2 if bidirectional else 1
        self.output_size = hidden_size * directions
        self.forward_layers = nn.ModuleList()
        self.backward_layers = nn.ModuleList()
        size = input_size
        for _ in range(num_layers):
            self.forward_layers.append(JordanLayer(size, hidden_size))
            if bidirectional:
                self.backward_layers.append(JordanLayer(size, hidden_size))
            size = self.output_size
        self.norm = nn.LayerNorm(self.output_size) if layer_norm else nn.Identity()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x, lengths):
        mask = lengths_to_mask(lengths.to(x.device), x.shape[1])
        for i, layer in enumerate(self.forward_layers):
            if i > 0:
                x = self.dropout(x)
            out = layer(x)
            if self.backward_layers:
                back = self.backward_layers[i](reverse_padded(x, lengths))
                out = torch.cat([out, reverse_padded(back, lengths)], dim=-1)
            x = out
        x = self.dropout(self.norm(x))
        return x.masked_fill(~mask.unsqueeze(-1), 0.0), mask
