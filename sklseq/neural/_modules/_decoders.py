"""Decoders for encoder-decoder models: recurrent with attention, or transformer.

A decoder turns the encoder outputs (the *memory*, ``(B, T, memory_size)`` with a
``(B, T)`` validity mask) and the embedded previous outputs into one feature
vector per output step; the estimator's head maps features to token logits or to
real values. Every decoder has the same three entry points:

- ``init_state(memory, mask)``: a dict of tensors whose first dimension is the
  batch, so a beam search can reorder it with ``index_select``;
- ``step(prefix, state)``: features ``(B, output_size)`` of the next step given
  the embedded prefix ``(B, t, input_size)``, the new state and the attention
  weights ``(B, T)`` (None where the decoder cannot expose them);
- ``forward(inputs, state)``: features ``(B, S, output_size)`` of all steps with
  the given (teacher-forced) inputs.

``parallel`` tells whether ``forward`` processes all steps at once
(transformer) or runs ``step`` in a loop (recurrent).
"""

import math

import torch
from torch import nn

from ._attention import build_attention
from ._masking import last_valid_step, masked_mean

__all__ = ["EncoderDecoder", "RecurrentDecoder", "TransformerDecoder", "build_decoder"]

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentDecoder(nn.Module):
    """Elman RNN / LSTM / GRU decoder with additive or dot-product attention.

    At step ``t`` the cell reads ``[input_t, context_{t-1}]`` (input feeding), the
    new top-layer state ``h_t`` attends over the memory to give ``context_t``, and
    the step's features are ``tanh(W [h_t, context_t])``. The initial state is a
    learnt map of the masked mean of the memory, so it never sees padding.
    ``step`` also takes a state whose memory, keys and mask have one row per
    ``k`` rows of ``h`` (the beams of one sample; see ``_attention``).

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    input_size : int
        Size of one embedded input (previous token or value).
    hidden_size : int
    memory_size : int
        Size of one encoder output.
    num_layers : int, default=1
    attention : {"additive", "dot", "none"}, default="additive"
    dropout : float, default=0.0
        Dropout on inputs, between layers and on the output features.
    """

    parallel = False

    def __init__(
        self,
        cell,
        input_size,
        hidden_size,
        memory_size,
        *,
        num_layers=1,
        attention="additive",
        dropout=0.0,
    ):
        super().__init__()
        self.cell = cell
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        self.memory_size = memory_size
        self.attention = build_attention(attention, hidden_size, memory_size)
        context_size = memory_size if self.attention is not None else 0
        self.rnn = _CELLS[cell](
            input_size + context_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.bridge = nn.Linear(2 * memory_size, num_layers * hidden_size)
        self.combine = nn.Linear(hidden_size + context_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.output_size = hidden_size

    def init_state(self, memory, mask):
        # The last valid step keeps what a recurrent encoder has read in order
        # (position information a mean loses); the mean summarises every step.
        summary = torch.cat(
            [last_valid_step(memory, mask.sum(dim=1)), masked_mean(memory, mask)], dim=-1
        )
        batch = memory.shape[0]
        h = torch.tanh(self.bridge(summary)).view(batch, self.num_layers, self.hidden_size)
        state = {"h": h, "memory": memory, "mask": mask}
        if self.cell == "lstm":
            state["c"] = torch.zeros_like(h)
        if self.attention is not None:
            state["keys"] = self.attention.project_keys(memory)
            state["context"] = memory.new_zeros(batch, self.memory_size)
        return state

    def step(self, prefix, state):
        x = self._dropout(prefix[:, -1])
        if self.attention is not None:
            x = torch.cat([x, state["context"]], dim=-1)
        h = state["h"].transpose(0, 1).contiguous()
        if self.cell == "lstm":
            hidden = (h, state["c"].transpose(0, 1).contiguous())
        else:
            hidden = h
        out, hidden = self.rnn(x.unsqueeze(1), hidden)
        out = out.squeeze(1)
        new_state = dict(state)
        if self.cell == "lstm":
            new_state["h"] = hidden[0].transpose(0, 1)
            new_state["c"] = hidden[1].transpose(0, 1)
        else:
            new_state["h"] = hidden.transpose(0, 1)
        weights = None
        if self.attention is not None:
            context, weights = self.attention(
                out, state["keys"], state["memory"], state["mask"]
            )
            new_state["context"] = context
            out = torch.cat([out, context], dim=-1)
        features = self._dropout(torch.tanh(self.combine(out)))
        return features, new_state, weights

    def _dropout(self, x):
        # Skipped outside training: step runs once per decoded token.
        return self.dropout(x) if self.training and self.dropout.p else x

    def forward(self, inputs, state):
        features = []
        for t in range(inputs.shape[1]):
            feat, state, _ = self.step(inputs[:, t : t + 1], state)
            features.append(feat)
        return torch.stack(features, dim=1)


class TransformerDecoder(nn.Module):
    """Transformer decoder: causal self-attention plus multi-head cross-attention.

    Cross-attention is scaled dot-product attention over the memory (key padding
    mask from the encoder); the attention weights are not exposed, so a coverage
    penalty needs a recurrent decoder.

    Parameters
    ----------
    input_size : int
    hidden_size : int
        Model size ``d_model``; must be divisible by ``num_heads``.
    memory_size : int
    num_layers : int, default=1
    num_heads : int, default=4
    dropout : float, default=0.0
    max_length : int, default=512
        Longest output the sinusoidal position table covers.
    """

    parallel = True

    def __init__(
        self,
        input_size,
        hidden_size,
        memory_size,
        *,
        num_layers=1,
        num_heads=4,
        dropout=0.0,
        max_length=512,
    ):
        super().__init__()
        self.input_proj = nn.Linear(input_size, hidden_size)
        self.memory_proj = nn.Linear(memory_size, hidden_size)
        layer = nn.TransformerDecoderLayer(
            hidden_size,
            num_heads,
            dim_feedforward=4 * hidden_size,
            dropout=dropout,
            batch_first=True,
        )
        self.layers = nn.TransformerDecoder(layer, num_layers)
        self.register_buffer(
            "positions", _sinusoidal_table(max_length, hidden_size), persistent=False
        )
        self.output_size = hidden_size

    def init_state(self, memory, mask):
        return {"memory": self.memory_proj(memory), "mask": mask}

    def step(self, prefix, state):
        features = self.forward(prefix, state)[:, -1]
        return features, state, None

    def forward(self, inputs, state):
        length = inputs.shape[1]
        if length > self.positions.shape[0]:
            raise ValueError(
                f"Output of {length} steps is longer than the decoder's position "
                f"table ({self.positions.shape[0]})."
            )
        x = self.input_proj(inputs) + self.positions[:length].to(inputs.dtype)
        causal = torch.triu(
            torch.ones(length, length, dtype=torch.bool, device=inputs.device), 1
        )
        return self.layers(
            x,
            state["memory"],
            tgt_mask=causal,
            memory_key_padding_mask=~state["mask"],
        )


def build_decoder(
    architecture,
    input_size,
    memory_size,
    *,
    hidden_size,
    num_layers=1,
    attention="additive",
    num_heads=4,
    dropout=0.0,
):
    """Decoder for ``architecture`` in ``{"rnn", "lstm", "gru", "transformer"}``."""
    if architecture in _CELLS:
        return RecurrentDecoder(
            architecture,
            input_size,
            hidden_size,
            memory_size,
            num_layers=num_layers,
            attention=attention,
            dropout=dropout,
        )
    if architecture == "transformer":
        return TransformerDecoder(
            input_size,
            hidden_size,
            memory_size,
            num_layers=num_layers,
            num_heads=num_heads,
            dropout=dropout,
        )
    raise ValueError(
        "decoder must be one of 'rnn', 'lstm', 'gru', 'transformer'; "
        f"got {architecture!r}."
    )


def _sinusoidal_table(length, size):
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    rate = torch.exp(torch.arange(0, size, 2, dtype=torch.float32) * (-math.log(1e4) / size))
    table = torch.zeros(length, size)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate[: size // 2])
    return table


class EncoderDecoder(nn.Module):
    """Encoder, decoder and output head, with batched scheduled sampling.

    Outputs are either tokens (``n_outputs`` is the vocabulary size, the head
    gives logits, the previous token is embedded) or real values (the head gives
    ``n_outputs`` values per step, the previous values go through a linear map).

    Parameters
    ----------
    encoder : nn.Module
        ``forward(x, lengths) -> (outputs (B, T, H), mask (B, T))`` with an
        ``output_size`` attribute (see ``build_encoder``).
    decoder : nn.Module
        From :func:`build_decoder`, with ``memory_size == encoder.output_size``.
    n_outputs : int
        Vocabulary size (tokens) or values per step (real outputs).
    embedding_dim : int
        Size of one embedded decoder input.
    tokens : bool
        Token outputs (True) or real-valued outputs (False).
    source_vocabulary_size : int or None, default=None
        When given, the encoder input is integer tokens, embedded first.
    bos_index, pad_index : int, default=None
        Start and padding tokens (token outputs only).
    """

    def __init__(
        self,
        encoder,
        decoder,
        n_outputs,
        embedding_dim,
        *,
        tokens,
        source_vocabulary_size=None,
        source_pad_index=0,
        bos_index=None,
        pad_index=None,
    ):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.tokens = tokens
        self.bos_index = bos_index
        self.source_embedding = None
        if source_vocabulary_size is not None:
            self.source_embedding = nn.Embedding(
                source_vocabulary_size, embedding_dim, padding_idx=source_pad_index
            )
        if tokens:
            self.target_embedding = nn.Embedding(
                n_outputs, embedding_dim, padding_idx=pad_index
            )
        else:
            self.target_embedding = nn.Linear(n_outputs, embedding_dim)
            self.start = nn.Parameter(torch.zeros(embedding_dim))
        self.head = nn.Linear(decoder.output_size, n_outputs)
        self.teacher_forcing_ratio = 1.0

    def encode(self, x, lengths):
        """Decoder state for a batch of input sequences."""
        if self.source_embedding is not None:
            x = self.source_embedding(x)
        memory, mask = self.encoder(x, lengths)
        return self.decoder.init_state(memory, mask)

    def embed(self, outputs):
        """Decoder inputs from previous outputs: token ids or values (B, S[, n])."""
        if self.tokens:
            return self.target_embedding(outputs)
        return self.target_embedding(outputs.to(self.start.dtype))

    def start_inputs(self, batch_size, like):
        if self.tokens:
            bos = torch.full((batch_size, 1), self.bos_index, device=like.device)
            return self.target_embedding(bos)
        return self.start.expand(batch_size, 1, -1)

    def forward(self, x, lengths, y):
        """Logits ``(B, S, V)`` or values ``(B, S, n)`` for targets ``y``.

        ``y`` is ``(B, S)`` token ids or ``(B, S, n)`` values. In training mode
        each step's input is the true previous output with probability
        ``teacher_forcing_ratio`` and the model's own previous prediction
        otherwise, drawn independently per sample and step.
        """
        state = self.encode(x, lengths)
        batch, steps = y.shape[:2]
        start = self.start_inputs(batch, x)
        true_inputs = torch.cat([start, self.embed(y[:, :-1])], dim=1)
        ratio = self.teacher_forcing_ratio
        if not self.training or ratio >= 1.0:
            return self.head(self.decoder(true_inputs, state))
        keep = torch.rand(batch, steps, 1, device=start.device) < ratio
        if self.decoder.parallel:
            # Two passes (Mihaylova & Martins, 2019): the model's own predictions
            # under teacher forcing replace the sampled positions.
            with torch.no_grad():
                first = self.head(self.decoder(true_inputs, state))
            own = torch.cat([start, self.embed(self._as_input(first[:, :-1]))], dim=1)
            return self.head(self.decoder(torch.where(keep, true_inputs, own), state))
        outputs = []
        inputs = true_inputs[:, :1]
        for t in range(steps):
            features, state, _ = self.decoder.step(inputs, state)
            out = self.head(features)
            outputs.append(out)
            if t + 1 < steps:
                own = self.embed(self._as_input(out.detach()))
                inputs = torch.where(keep[:, t + 1], true_inputs[:, t + 1], own)
                inputs = inputs.unsqueeze(1)
        return torch.stack(outputs, dim=1)

    def step(self, prefix, state):
        """Next-step output for an embedded prefix ``(N, t, E)``.

        Returns the head's output ``(N, n_outputs)``, the new state and the
        attention weights (or None).
        """
        if not self.decoder.parallel:
            prefix = prefix[:, -1:]
        features, state, weights = self.decoder.step(prefix, state)
        return self.head(features), state, weights

    def step_function(self, state, banned=()):
        """Step function of this trained model for ``sklseq.decoding``.

        Returns ``step(tokens, state) -> (log_probs, state[, attention])`` and the
        state to start from. The encoder outputs (memory, projected keys, mask) do
        not change while decoding, so they stay out of the searched state: the
        search reorders hypotheses only within a sample, and its rows are
        sample-major (``N = n_samples * k``), so each row's memory is its sample's.
        A recurrent decoder's attention reads one memory row per ``k`` hypotheses
        as it is; a transformer decoder gets the memory repeated ``k`` times, once
        per search, instead of gathered at every step.

        Parameters
        ----------
        state : dict
            ``self.encode(x, lengths)`` for ``n_samples`` rows.
        banned : sequence of int, default=()
            Tokens never generated (their log-probability is set to -1e9).

        Returns
        -------
        step : callable
            ``step(tokens, state) -> (log_probs, state[, attention])``.
        state : dict
            The state to start the search from.
        """
        static_names = ("memory", "keys", "mask")
        static = {k: v for k, v in state.items() if k in static_names}
        searched = {k: v for k, v in state.items() if k not in static_names}
        n_samples = len(state["mask"])
        expanded = {}

        def step(tokens, state):
            repeats = tokens.shape[0] // n_samples if self.decoder.parallel else 1
            if repeats not in expanded:
                expanded[repeats] = {
                    k: v if repeats == 1 else v.repeat_interleave(repeats, dim=0)
                    for k, v in static.items()
                }
            prefix = tokens if self.decoder.parallel else tokens[:, -1:]
            logits, state, weights = self.step(
                self.embed(prefix), {**state, **expanded[repeats]}
            )
            state = {k: v for k, v in state.items() if k not in static_names}
            log_probs = torch.log_softmax(logits, dim=-1)
            if banned:
                log_probs[:, list(banned)] = -1e9
            return (log_probs, state) if weights is None else (log_probs, state, weights)

        return step, searched

    def _as_input(self, out):
        return out.argmax(-1) if self.tokens else out

