"""Input validation (the data contract) and estimator discovery."""

from ._discovery import all_estimators
from ._validation import (
    check_sequences,
    is_ragged,
    pad_sequences,
    sequence_lengths,
    unpad_sequences,
)

__all__ = [
    "all_estimators",
    "check_sequences",
    "is_ragged",
    "pad_sequences",
    "sequence_lengths",
    "unpad_sequences",
]
