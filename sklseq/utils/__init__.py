"""Input validation (the data contract) and estimator discovery."""

from ._discovery import all_estimators
from ._tokens import (
    LabelSequenceKind,
    TokenVocabulary,
    check_label_sequences,
    restore_label_sequences,
)
from ._validation import (
    SequenceLayoutWarning,
    SequencePanel,
    check_sequences,
    is_ragged,
    pad_sequences,
    sequence_lengths,
    unpad_sequences,
)

__all__ = [
    "LabelSequenceKind",
    "SequenceLayoutWarning",
    "SequencePanel",
    "TokenVocabulary",
    "all_estimators",
    "check_label_sequences",
    "restore_label_sequences",
    "check_sequences",
    "is_ragged",
    "pad_sequences",
    "sequence_lengths",
    "unpad_sequences",
]
