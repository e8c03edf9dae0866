"""Sequence metrics: edit distance, token / character error rate, sequence accuracy."""

from ._edit import (
    character_error_rate,
    edit_distance,
    sequence_accuracy,
    token_error_rate,
)

__all__ = [
    "character_error_rate",
    "edit_distance",
    "sequence_accuracy",
    "token_error_rate",
]
