"""One factory for every sequence encoder, so a parameter selects the architecture.

Every encoder built here has the same contract::

    outputs, mask = encoder(x, lengths)

with ``x`` float ``(B, T, input_size)`` (or long ``(B, T)`` token indices when
built with ``num_embeddings``), ``lengths`` long ``(B,)``, ``outputs`` float
``(B, T, encoder.output_size)`` with zeros at padded steps and ``mask`` bool
``(B, T)``, True at valid steps. Padding never changes the output at a valid step.
"""

from torch import nn

from ._cnn import CNNLSTMEncoder, ConvEncoder
from ._convnets import FCNEncoder, InceptionTimeEncoder, ResNetEncoder
from ._recurrent import JordanEncoder, RecurrentEncoder
from ._transformer import TransformerSequenceEncoder

__all__ = ["ARCHITECTURES", "EmbeddedEncoder", "TokenEmbedding", "build_encoder"]

ARCHITECTURES = (
    "rnn",
    "jordan",
    "lstm",
    "gru",
    "cnn",
    "cnn-lstm",
    "transformer",
    "fcn",
    "resnet",
    "inception",
)
# The published convolutional networks, with their papers' kernels and batch norm.
_CONVNETS = {"fcn": FCNEncoder, "resnet": ResNetEncoder, "inception": InceptionTimeEncoder}

# Layers when num_layers=None: enough receptive field / depth for each family.
DEFAULT_NUM_LAYERS = {
    "rnn": 1,
    "jordan": 1,
    "lstm": 1,
    "gru": 1,
    "cnn": 3,
    "cnn-lstm": 2,
    "transformer": 2,
    "fcn": 3,
    "resnet": 3,
    "inception": 6,
}


def build_encoder(
    architecture,
    input_size,
    *,
    hidden_size=64,
    num_layers=None,
    bidirectional=False,
    dropout=0.0,
    layer_norm=False,
    kernel_size=3,
    dilation=2,
    num_heads=4,
    causal=False,
    num_embeddings=None,
    patch_size=1,
):
    """Build the encoder named by ``architecture``.

    Parameters
    ----------
    architecture : {"rnn", "jordan", "lstm", "gru", "cnn", "cnn-lstm", "transformer", \
"fcn", "resnet", "inception"}
        ``"rnn"`` is the Elman network; ``"jordan"`` feeds each layer's output
        back instead of its hidden state. ``"fcn"``, ``"resnet"`` (Wang et al.
        2017) and ``"inception"`` (InceptionTime) are the published
        time-series networks, with their papers' kernel lengths (so
        ``kernel_size`` and ``dilation`` do not apply) and batch
        normalisation (``layer_norm`` does not apply); see
        :mod:`~sklseq.neural._modules._convnets`.
    input_size : int
        Channels of ``x``; with ``num_embeddings``, the embedding dimension.
    hidden_size : int, default=64
    num_layers : int or None, default=None
        None picks the family's default (1 recurrent, 3 cnn, 2 cnn-lstm
        convolutions, 2 transformer, 3 fcn blocks, 3 resnet blocks, 6
        inception modules).
    bidirectional : bool, default=False
        Recurrent architectures and the LSTM of ``"cnn-lstm"``.
    dropout : float, default=0.0
    layer_norm : bool, default=False
        Transformer layers always normalise.
    kernel_size : int, default=3
        Convolutions.
    dilation : int or sequence of int, default=2
        Convolutions: layer ``i`` gets ``dilation ** i``, or one value per layer.
    num_heads : int, default=4
        Transformer.
    causal : bool, default=False
        Output at step ``t`` depends only on steps ``<= t`` (left-padded
        convolutions, causal attention mask). Recurrent encoders are causal
        unless bidirectional.
    num_embeddings : int or None, default=None
        Vocabulary size for integer token input ``(B, T)``: a
        :class:`TokenEmbedding` of dimension ``input_size`` comes first.
    patch_size : int, default=1
        Transformer: steps per attention token (see
        :class:`~sklseq.neural._modules._transformer.TransformerSequenceEncoder`);
        long sequences train in far less memory with 4 to 16.

    Returns
    -------
    encoder : nn.Module
        With ``encoder.output_size`` and ``forward(x, lengths) -> (outputs, mask)``.

    Examples
    --------
    >>> import torch
    >>> encoder = build_encoder("gru", 3, hidden_size=8, bidirectional=True)
    >>> outputs, mask = encoder(torch.zeros(2, 5, 3), torch.tensor([5, 2]))
    >>> tuple(outputs.shape), mask.sum(dim=1).tolist()
    ((2, 5, 16), [5, 2])
    """
    if architecture not in ARCHITECTURES:
        raise ValueError(
            f"architecture={architecture!r} is not supported; choose one of {ARCHITECTURES}."
        )
    if causal and bidirectional:
        raise ValueError("causal=True cannot be combined with bidirectional=True.")
    if num_layers is None:
        num_layers = DEFAULT_NUM_LAYERS[architecture]
    if architecture in ("rnn", "lstm", "gru"):
        encoder = RecurrentEncoder(
            input_size,
            cell=architecture,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            layer_norm=layer_norm,
        )
    elif architecture == "jordan":
        encoder = JordanEncoder(
            input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            layer_norm=layer_norm,
        )
    elif architecture == "cnn":
        encoder = ConvEncoder(
            input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            kernel_size=kernel_size,
            dilation=dilation,
            dropout=dropout,
            layer_norm=layer_norm,
            causal=causal,
        )
    elif architecture == "cnn-lstm":
        encoder = CNNLSTMEncoder(
            input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            kernel_size=kernel_size,
            dilation=dilation,
            bidirectional=bidirectional,
            dropout=dropout,
            layer_norm=layer_norm,
            causal=causal,
        )
    elif architecture in _CONVNETS:
        encoder = _CONVNETS[architecture](
            input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            causal=causal,
        )
    else:
        encoder = TransformerSequenceEncoder(
            input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            num_heads=num_heads,
            dropout=dropout,
            causal=causal,
            patch_size=patch_size,
        )
    if num_embeddings is not None:
        encoder = EmbeddedEncoder(TokenEmbedding(num_embeddings, input_size), encoder)
    return encoder


class TokenEmbedding(nn.Module):
    """Embedding of integer token indices ``(B, T)`` into ``(B, T, embedding_dim)``."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__()
        self.embedding = nn.Embedding(num_embeddings, embedding_dim, padding_idx=padding_idx)
        self.output_size = embedding_dim

    def forward(self, tokens):
        return self.embedding(tokens)


class EmbeddedEncoder(nn.Module):
    """A :class:`TokenEmbedding` in front of an encoder; same ``(x, lengths)`` contract."""

    def __init__(self, embedding, encoder):
        super().__init__()
        self.embedding = embedding
        self.encoder = encoder
        self.output_size = encoder.output_size
        self.global_pooling = getattr(encoder, "global_pooling", False)

    def forward(self, tokens, lengths):
        return self.encoder(self.embedding(tokens), lengths)
