"""Sequence metrics.

Edit distance, token / character error rate, sequence accuracy, exact match,
token accuracy and BLEU.
"""

from ._edit import character_error_rate, edit_distance, token_error_rate
from ._sequence import (
    bleu_score,
    exact_match_score,
    sequence_accuracy,
    token_accuracy_score,
)

__all__ = [
    "bleu_score",
    "exact_match_score",
    "token_accuracy_score",
    "character_error_rate",
    "edit_distance",
    "sequence_accuracy",
    "token_error_rate",
]
