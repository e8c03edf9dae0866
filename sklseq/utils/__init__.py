"""Input validation (the data contract) and estimator discovery."""

from ._discovery import all_estimators
from ._targets import LabelSequenceKind, check_label_sequences, restore_label_sequences
from ._validation import (
    SequenceLayoutWarning,
    SequencePanel,
    check_continuation_target,
    check_sequences,
    check_series,
    is_ragged,
    pad_sequences,
    sequence_lengths,
    unpad_sequences,
)
from ._vocabulary import TokenVocabulary

__all__ = [
    "LabelSequenceKind",
    "SequenceLayoutWarning",
    "SequencePanel",
    "TokenVocabulary",
    "all_estimators",
    "check_continuation_target",
    "check_label_sequences",
    "check_sequences",
    "check_series",
    "is_ragged",
    "pad_sequences",
    "restore_label_sequences",
    "sequence_lengths",
    "unpad_sequences",
]
