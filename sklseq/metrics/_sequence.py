"""Sequence-to-sequence metrics: exact match, position-wise token accuracy, BLEU.

Inputs follow the label-sequence contract of SPEC section 2, like the edit
metrics: a list of sequences, strings, a 1D array of length-1 sequences, or a
2D array right-padded with ``pad_value``, so ``predict`` output goes in as it
comes. BLEU is computed by sacrebleu (``pip install sklseq[text]``).
"""

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..utils import TokenVocabulary, check_label_sequences
from ..utils._optional import import_optional
from ._edit import _check_pair

__all__ = ["bleu_score", "exact_match_score", "sequence_accuracy", "token_accuracy_score"]


def exact_match_score(
    y_true: Any, y_pred: Any, *, pad_value: Any = None, sample_weight: ArrayLike | None = None
) -> float:
    """Fraction of samples whose predicted sequence equals the reference exactly.

    Also available as :func:`sequence_accuracy`, the name used in the CTC
    literature.

    Parameters
    ----------
    y_true : list of sequences, list of str, 1D or 2D array-like
        Reference label sequences, one per sample.
    y_pred : same kinds as ``y_true``
        Predicted label sequences, one per sample.
    pad_value : object, default=None
        Pad value of a 2D padded ``y_true`` / ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sample; None weighs them equally.

    Returns
    -------
    score : float
        In [0, 1].

    Examples
    --------
    >>> exact_match_score(["2021-03-03", "1999-12-31"], ["2021-03-03", "1999-12-30"])
    0.5
    """
    true, pred = _check_pair(y_true, y_pred, pad_value)
    matches = np.fromiter((t == p for t, p in zip(true, pred)), dtype=float, count=len(true))
    return float(np.average(matches, weights=_weights(sample_weight, len(true))))


sequence_accuracy = exact_match_score


def token_accuracy_score(
    y_true: Any, y_pred: Any, *, pad_value: Any = None, sample_weight: ArrayLike | None = None
) -> float:
    """Share of token positions where prediction and reference agree.

    Position ``t`` of sample ``i`` is correct when both sequences have a token
    there and the tokens are equal. The denominator counts the positions of the
    longer of the two sequences, so missing tokens and extra tokens both count
    as errors::

        sum_i w_i * correct_i / sum_i w_i * max(len(y_true[i]), len(y_pred[i]))

    Two empty sequences agree perfectly.

    Parameters
    ----------
    y_true : list of sequences, list of str, 1D or 2D array-like
        Reference sequences.
    y_pred : same kinds as ``y_true``
        Predicted sequences, one per reference.
    pad_value : object, default=None
        Pad value of a 2D padded ``y_true`` / ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sample; None weighs them equally.

    Returns
    -------
    score : float
        In [0, 1].

    Examples
    --------
    >>> token_accuracy_score(["abcd", "wxyz"], ["abcf", "wx"])  # (3 + 2) / (4 + 4)
    0.625
    """
    true, pred = _check_pair(y_true, y_pred, pad_value)
    vocab = TokenVocabulary(specials=("<pad>",), unk_token=None).fit(true + pred)
    true_codes, true_len = vocab.encode(true)
    pred_codes, pred_len = vocab.encode(pred)
    width = max(true_codes.shape[1], pred_codes.shape[1])
    true_codes = _widen(true_codes, true_len, width, fill=-1)
    pred_codes = _widen(pred_codes, pred_len, width, fill=-2)
    correct = (true_codes == pred_codes).sum(axis=1)
    positions = np.maximum(true_len, pred_len)
    weights = _weights(sample_weight, len(true))
    total = np.dot(weights, positions)
    if total == 0:
        return 1.0
    return float(np.dot(weights, correct) / total)


def bleu_score(
    y_true: Any,
    y_pred: Any,
    *,
    pad_value: Any = None,
    tokenize: str | None = None,
    lowercase: bool = False,
    smooth_method: str = "exp",
) -> float:
    """Corpus BLEU (Papineni et al. 2002) by sacrebleu, on a 0 to 1 scale.

    One reference per sample. Strings go to sacrebleu as they are and are
    tokenised by it (``tokenize``, default ``"13a"``; ``"char"`` for character
    n-grams). Token sequences are joined with spaces and not re-tokenised, so
    their own tokens are the n-gram units.

    Parameters
    ----------
    y_true : list of sequences, list of str, 1D or 2D array-like
        Reference sequences.
    y_pred : same kinds as ``y_true``
        Predicted sequences, one per reference.
    pad_value : object, default=None
        Pad value of a 2D padded ``y_true`` / ``y_pred``.
    tokenize : str, default=None
        sacrebleu tokenizer (``"13a"``, ``"char"``, ``"intl"``, ``"none"``, ...);
        None means ``"13a"`` for strings and ``"none"`` for token sequences.
    lowercase : bool, default=False
        Compare tokens case-insensitively.
    smooth_method : {"exp", "floor", "add-k", "none"}, default="exp"
        sacrebleu's smoothing of zero n-gram counts.

    Returns
    -------
    score : float
        In [0, 1]; sacrebleu and papers report 100 times this.

    Examples
    --------
    Matching 1- to 4-grams 5/6, 3/5, 2/4, 1/3 and equal lengths give
    ``(5/6 * 3/5 * 2/4 * 1/3) ** (1/4)``:

    >>> round(bleu_score(["the cat sat on the mat"], ["the cat sat on a mat"]), 4)
    0.5373
    """
    BLEU = import_optional("sacrebleu.metrics", "text").BLEU
    if smooth_method not in BLEU.SMOOTH_DEFAULTS:
        raise ValueError(
            f"smooth_method must be one of {sorted(BLEU.SMOOTH_DEFAULTS)}; got {smooth_method!r}."
        )
    if tokenize is not None and tokenize not in BLEU.TOKENIZERS:
        raise ValueError(
            f"tokenize must be None or one of sacrebleu's tokenizers "
            f"{sorted(BLEU.TOKENIZERS)}; got {tokenize!r}."
        )
    if not isinstance(lowercase, (bool, np.bool_)):
        raise TypeError(f"lowercase must be a bool; got {lowercase!r}.")

    true, true_kind = check_label_sequences(y_true, pad_value=pad_value, input_name="y_true")
    pred, pred_kind = check_label_sequences(y_pred, pad_value=pad_value, input_name="y_pred")
    if len(pred) != len(true):
        raise ValueError(
            f"y_true has {len(true)} sequences but y_pred has {len(pred)}; give one "
            "predicted sequence per reference."
        )
    strings = true_kind.kind == "strings" and pred_kind.kind == "strings"
    if tokenize is None:
        tokenize = "13a" if strings else "none"
    if strings:
        refs, hyps = ["".join(s) for s in true], ["".join(s) for s in pred]
    else:
        refs, hyps = _join_tokens(true, "y_true"), _join_tokens(pred, "y_pred")
    bleu = BLEU(tokenize=tokenize, lowercase=lowercase, smooth_method=smooth_method)
    return bleu.corpus_score(hyps, [refs]).score / 100.0


def _join_tokens(sequences: Iterable[Iterable[Any]], input_name: str) -> list[str]:
    texts = []
    for i, seq in enumerate(sequences):
        words = [str(token) for token in seq]
        if any(not w or w != "".join(w.split()) for w in words):
            raise ValueError(
                f"Row {i} of {input_name} holds a token that is empty or contains "
                "whitespace, which BLEU's space-joined n-grams cannot keep apart; give "
                "strings and a sacrebleu tokenize= instead."
            )
        texts.append(" ".join(words))
    return texts


def _widen(
    codes: NDArray[np.int64], lengths: NDArray[np.int64], width: int, fill: int
) -> NDArray[np.int64]:
    out = np.full((len(codes), width), fill, dtype=np.int64)
    out[:, : codes.shape[1]] = codes
    out[np.arange(width) >= lengths[:, None]] = fill
    return out


def _weights(sample_weight: ArrayLike | None, n_samples: int) -> NDArray[np.float64]:
    if sample_weight is None:
        return np.ones(n_samples)
    weights = np.asarray(sample_weight, dtype=float)
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight has shape {weights.shape}; expected ({n_samples},), one "
            "weight per sample."
        )
    if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() == 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero.")
    return weights
