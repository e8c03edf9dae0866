"""PyTorch modules of sklseq.neural (private: estimators build them in ``fit``)."""

from ._encoders import (
    ARCHITECTURES,
    EmbeddedEncoder,
    TokenEmbedding,
    build_encoder,
)
from ._masking import last_valid_step, lengths_to_mask, masked_mean, reverse_padded
from ._network import EnsembleNetwork, SequenceNetwork

__all__ = [
    "ARCHITECTURES",
    "EmbeddedEncoder",
    "EnsembleNetwork",
    "SequenceNetwork",
    "TokenEmbedding",
    "build_encoder",
    "last_valid_step",
    "lengths_to_mask",
    "masked_mean",
    "reverse_padded",
]
