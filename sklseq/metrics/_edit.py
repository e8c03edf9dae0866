"""Edit-distance metrics for label sequences, computed by rapidfuzz.

``y_true`` and ``y_pred`` follow the label-sequence contract of SPEC section 2
(a list of sequences, strings, a 1D array of length-1 sequences, or a 2D array
right-padded with ``pad_value``), so an estimator's ``predict`` output goes in
as it comes. Distances are Levenshtein distances (insertions, deletions and
substitutions each cost 1) from rapidfuzz's C++ implementation.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..utils import check_label_sequences
from ..utils._optional import import_optional

__all__ = [
    "character_error_rate",
    "edit_distance",
    "token_error_rate",
]


def edit_distance(y_true: Any, y_pred: Any, *, pad_value: Any = None) -> NDArray[np.int64]:
    """Levenshtein distance between each reference and its prediction.

    Parameters
    ----------
    y_true : list of sequences, list of str, 1D or 2D array-like
        Reference label sequences, one per sample.
    y_pred : same kinds as ``y_true``
        Predicted label sequences, one per sample.
    pad_value : object, default=None
        Pad value of a 2D padded ``y_true`` / ``y_pred`` (None: trailing NaN or
        None entries are padding).

    Returns
    -------
    distances : ndarray of shape (n_samples,), dtype int64
        Minimum number of token insertions, deletions and substitutions that
        turn each prediction into its reference.

    Examples
    --------
    >>> edit_distance(["kitten", "abc"], ["sitting", "abc"])
    array([3, 0])
    >>> edit_distance([[1, 2, 3]], [[1, 3]])
    array([1])
    """
    true, pred = _check_pair(y_true, y_pred, pad_value)
    return _distances(true, pred)


def token_error_rate(y_true: Any, y_pred: Any, *, pad_value: Any = None) -> float:
    """Token error rate: total edit distance over total reference length.

    The corpus-level rate (as in speech recognition's word error rate):
    ``sum(edit_distance) / sum(len(y_true[i]))``, so long references weigh
    more. It is 0 for perfect predictions and may exceed 1 when predictions
    hold extra tokens.

    Parameters
    ----------
    y_true : list of sequences, list of str, 1D or 2D array-like
        Reference label sequences; at least one must be non-empty.
    y_pred : same kinds as ``y_true``
        Predicted sequences, one per reference.
    pad_value : object, default=None
        Pad value of 2D padded input.

    Returns
    -------
    rate : float

    Examples
    --------
    >>> token_error_rate([["the", "cat", "sat"], ["hi"]], [["the", "cat"], ["hi"]])
    0.25
    """
    true, pred = _check_pair(y_true, y_pred, pad_value)
    return _error_rate(true, pred)


def character_error_rate(y_true: Any, y_pred: Any, *, pad_value: Any = None) -> float:
    """Character error rate: token error rate on the sequences read as text.

    Strings are compared character by character. Other sequences are first
    written as text, each token with ``str`` and joined without separator (so
    digit labels ``[3, 1, 4]`` read as ``"314"``).

    Parameters
    ----------
    y_true : list of sequences, list of str, 1D or 2D array-like
        Reference label sequences; at least one must be non-empty.
    y_pred : same kinds as ``y_true``
        Predicted sequences, one per reference.
    pad_value : object, default=None
        Pad value of 2D padded input.

    Returns
    -------
    rate : float
        ``sum(character edit distances) / sum(reference characters)``.

    Examples
    --------
    >>> character_error_rate(["314", "15"], ["31", "159"])
    0.4
    >>> character_error_rate([["ab", "c"]], [["a", "bc"]])  # both read "abc"
    0.0
    """
    true, pred = _check_pair(y_true, y_pred, pad_value)
    return _error_rate(_as_text(true), _as_text(pred))


def _check_pair(
    y_true: Any, y_pred: Any, pad_value: Any
) -> tuple[list[list[Any]], list[list[Any]]]:
    true, _ = check_label_sequences(y_true, pad_value=pad_value, input_name="y_true")
    pred, _ = check_label_sequences(y_pred, pad_value=pad_value, input_name="y_pred")
    if len(pred) != len(true):
        raise ValueError(
            f"y_true has {len(true)} sequences but y_pred has {len(pred)}; give one "
            "predicted sequence per reference."
        )
    return true, pred


def _distances(true: Sequence[Any], pred: Sequence[Any]) -> NDArray[np.int64]:
    rapidfuzz = import_optional("rapidfuzz", "text")
    import_optional("rapidfuzz.distance", "text")
    distances = rapidfuzz.process.cpdist(
        true, pred, scorer=rapidfuzz.distance.Levenshtein.distance, workers=1
    )
    return distances.astype(np.int64)


def _error_rate(true: Sequence[Sequence[Any]], pred: Sequence[Sequence[Any]]) -> float:
    total = sum(len(seq) for seq in true)
    if total == 0:
        raise ValueError(
            "Every reference sequence in y_true is empty, so the error rate (edits per "
            "reference token) is undefined; use edit_distance instead."
        )
    return float(_distances(true, pred).sum() / total)


def _as_text(sequences: Iterable[Iterable[Any]]) -> list[str]:
    return ["".join(map(str, seq)) for seq in sequences]
