"""The target contract for label-sequence outputs.

SPEC section 2: a label-sequence target ``y`` (seq2seq, CTC, sequence tagging)
is one sequence of tokens per sample, given as

- a list of sequences (lists, tuples or 1D arrays of tokens);
- strings, each read as a sequence of characters;
- a 2D array right-padded with a pad value;
- a 1D array of scalars, read as sequences of length 1 (so scikit-learn's
  estimator checks can exercise these estimators).

:func:`check_label_sequences` turns any of them into a list of token lists plus a
:class:`LabelSequenceKind` record, and :func:`restore_label_sequences` turns
predicted token lists back into the kind of object ``fit`` received.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from numbers import Integral, Real
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "LabelSequenceKind",
    "check_label_sequences",
    "restore_label_sequences",
]


@dataclass(frozen=True)
class LabelSequenceKind:
    """What kind of label-sequence target ``fit`` received, to restore it.

    Parameters
    ----------
    kind : {"sequences", "strings", "1d", "padded"}
        List of sequences, strings (sequences of characters), 1D array of
        length-1 sequences, or 2D array right-padded with ``pad_value``.
    container : {"list", "array"}
        Whether ``fit`` got a list / tuple or an array (ndarray, pandas).
    dtype : numpy dtype or None
        dtype of the array ``fit`` got (None for lists).
    pad_value : object
        Pad value of a 2D target (None: NaN for float arrays, None otherwise).
    width : int
        Number of columns of a 2D target.
    fill : object
        For a 1D target: the most frequent label, returned for a sample whose
        predicted sequence is empty.
    """

    kind: str
    container: str = "list"
    dtype: Any = None
    pad_value: Any = None
    width: int = 0
    fill: Any = None

    def to_plain(self) -> tuple[Any, ...]:
        """The kind as a tuple of Python values, storable without pickling.

        Returns
        -------
        plain : tuple
            ``(kind, container, dtype string or None, pad_value, width, fill)``.
        """
        dtype = None if self.dtype is None else np.dtype(self.dtype).str
        return (
            self.kind,
            self.container,
            dtype,
            _plain_scalar(self.pad_value),
            int(self.width),
            _plain_scalar(self.fill),
        )

    @classmethod
    def from_plain(cls, plain: tuple[Any, ...] | list[Any]) -> Self:
        """Rebuild a kind from :meth:`to_plain` output.

        Parameters
        ----------
        plain : tuple or list
            ``(kind, container, dtype string or None, pad_value, width, fill)``.

        Returns
        -------
        kind : LabelSequenceKind

        Examples
        --------
        >>> from sklseq.utils import LabelSequenceKind, check_label_sequences
        >>> _, kind = check_label_sequences(["ab", "c"])
        >>> LabelSequenceKind.from_plain(kind.to_plain()) == kind
        True
        """
        kind, container, dtype, pad_value, width, fill = plain
        dtype = None if dtype is None else np.dtype(dtype)
        return cls(kind, container, dtype, pad_value, width, fill)


def check_label_sequences(
    y: Any,
    *,
    n_samples: int | None = None,
    pad_value: Any = None,
    allow_empty: bool = True,
    estimator: Any = None,
    input_name: str = "y",
) -> tuple[list[list[Any]], LabelSequenceKind]:
    """Validate a label-sequence target (SPEC section 2) and list its tokens.

    Parameters
    ----------
    y : list of sequences, list of str, 1D or 2D array-like
        - a list (or tuple) of sequences of hashable tokens;
        - strings (in a list, array or pandas Series): sequences of characters;
        - a 1D array of non-string scalars: sequences of length 1;
        - a 2D array right-padded with ``pad_value``.
    n_samples : int, default=None
        Number of samples of ``X``; ``y`` must have as many rows.
    pad_value : object, default=None
        Pad value of a 2D ``y``. With None, trailing NaN / None entries are
        padding.
    allow_empty : bool, default=True
        Whether a sequence may have no tokens.
    estimator : estimator instance, default=None
        Named in the message when ``y`` is None.
    input_name : str, default="y"
        Name of the target in error messages.

    Returns
    -------
    sequences : list of list
        The tokens of each sample, as Python scalars.
    kind : LabelSequenceKind
        Pass it to :func:`restore_label_sequences` to return predictions as the
        same kind of object.

    Raises
    ------
    ValueError
        For None or empty ``y``, a 3D array, a None / NaN / inf token or interior
        padding (naming the row), an empty sequence when not allowed, or a number
        of rows different from ``n_samples``.
    TypeError
        For tokens of mixed types or unhashable tokens (naming the row).

    Examples
    --------
    >>> seqs, kind = check_label_sequences(["ab", "c"])
    >>> seqs, kind.kind
    ([['a', 'b'], ['c']], 'strings')
    >>> restore_label_sequences([["c", "a"], ["b"]], kind)
    ['ca', 'b']
    >>> import numpy as np
    >>> seqs, kind = check_label_sequences(np.array([[1, 2, -1], [3, -1, -1]]), pad_value=-1)
    >>> seqs
    [[1, 2], [3]]
    >>> restore_label_sequences([[2], [1, 3]], kind)
    array([[ 2, -1, -1],
           [ 1,  3, -1]])
    """
    if y is None:
        name = type(estimator).__name__ if estimator is not None else "This estimator"
        raise ValueError(
            f"{name} requires y to be passed, but the target y is None."
        )
    if isinstance(y, str):
        raise TypeError(
            f"{input_name} is a single string; pass one sequence per sample, e.g. a list "
            "of strings."
        )
    is_list = isinstance(y, (list, tuple))
    if is_list:
        seqs, kind = _from_list(y, input_name)
    else:
        seqs, kind = _from_array(y, pad_value, input_name)
    if not seqs:
        raise ValueError(f"{input_name} is empty: found 0 samples.")
    if n_samples is not None and len(seqs) != n_samples:
        raise ValueError(
            f"{input_name} has {len(seqs)} rows but X has {n_samples} samples; give one "
            "label sequence per sample."
        )
    if kind.kind != "strings":  # characters need no check
        types = _check_tokens(seqs, input_name)
        if any(issubclass(tp, np.generic) for tp in types):
            # One scalar type per y (checked above), so each row converts as an array.
            seqs = [np.asarray(s).tolist() for s in seqs]
    if not allow_empty:
        empty = [i for i, s in enumerate(seqs) if len(s) == 0]
        if empty:
            raise ValueError(
                f"Row {empty[0]} of {input_name} is an empty sequence; every target "
                "needs at least one token."
            )
    if kind.kind == "1d":
        counts = Counter(s[0] for s in seqs)
        fill = max(counts, key=counts.__getitem__)  # ties: the first seen

        kind = LabelSequenceKind(
            "1d", container=kind.container, dtype=kind.dtype, fill=fill
        )
    return seqs, kind


def restore_label_sequences(sequences: Iterable[Iterable[Any]], kind: LabelSequenceKind) -> Any:
    """Return predicted token sequences as the kind of object ``fit`` received.

    Parameters
    ----------
    sequences : list of sequences
        Predicted tokens of each sample.
    kind : LabelSequenceKind
        As returned by :func:`check_label_sequences` at fit.

    Returns
    -------
    y : list, ndarray of shape (n_samples,) or (n_samples, width)
        - ``"sequences"``: a list of lists;
        - ``"strings"``: strings (a list, or an ndarray for array input);
        - ``"1d"``: an ndarray of each prediction's first token (``kind.fill``
          for an empty prediction);
        - ``"padded"``: an ndarray of the fit dtype, right-padded with the pad
          value to ``max(kind.width, longest prediction)`` columns. With
          ``pad_value=None`` the pad is NaN for float targets and None for object
          targets; other dtypes change to float (NaN pad) only when the
          predictions have different lengths.
    """
    seqs = [list(s) for s in sequences]
    if kind.kind == "sequences":
        return seqs
    if kind.kind == "strings":
        strings = ["".join(str(t) for t in s) for s in seqs]
        return strings if kind.container == "list" else np.asarray(strings, dtype=object)
    if kind.kind == "1d":
        values = [s[0] if s else kind.fill for s in seqs]
        return np.asarray(values, dtype=kind.dtype)
    if kind.kind == "padded":
        return _restore_padded(seqs, kind)
    raise ValueError(f"Unknown label-sequence kind {kind.kind!r}.")


def _from_list(y: Any, input_name: str) -> tuple[list[list[Any]], LabelSequenceKind]:
    if len(y) == 0:
        raise ValueError(f"{input_name} is empty: found 0 samples.")
    is_str = [isinstance(s, str) for s in y]
    if all(is_str):
        return [list(s) for s in y], LabelSequenceKind("strings", container="list")
    is_seq = [_is_sequence(s) for s in y]
    if all(is_seq):
        return [_as_token_list(s, i, input_name) for i, s in enumerate(y)], (
            LabelSequenceKind("sequences", container="list")
        )
    if not any(is_seq) and not any(is_str):
        arr = np.asarray(y)
        if arr.ndim != 1:
            arr = np.empty(len(y), dtype=object)
            arr[:] = y
        return [[t] for t in arr.tolist()], LabelSequenceKind(
            "1d", container="list", dtype=arr.dtype
        )
    category = [
        "string" if st else "sequence" if sq else "scalar" for st, sq in zip(is_str, is_seq)
    ]
    first = category[0]
    other = next(i for i, c in enumerate(category) if c != first)
    raise TypeError(
        f"{input_name} mixes kinds of rows: row 0 is a {first} "
        f"({type(y[0]).__name__}) but row {other} is a {category[other]} "
        f"({type(y[other]).__name__}). Give every row as a sequence (list, tuple, 1D "
        "array or string), or every row as a single label."
    )


def _from_array(
    y: Any, pad_value: Any, input_name: str
) -> tuple[list[list[Any]], LabelSequenceKind]:
    if hasattr(y, "__array__") or hasattr(y, "iloc"):
        arr = np.asarray(y)
    else:
        try:
            y = list(y)
        except TypeError:
            raise TypeError(
                f"{input_name} must be a list of sequences or an array, got "
                f"{type(y).__name__}."
            ) from None
        return _from_list(y, input_name)
    if arr.ndim == 0:
        raise ValueError(f"{input_name} is a scalar; give one label sequence per sample.")
    if arr.ndim > 2:
        raise ValueError(
            f"{input_name} has {arr.ndim} dimensions and shape {arr.shape}; expected a "
            "list of sequences, a 1D array or a 2D padded array."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{input_name} is empty: found 0 samples.")
    if arr.ndim == 1:
        values = arr.tolist()
        if all(isinstance(v, str) for v in values):
            return [list(v) for v in values], LabelSequenceKind("strings", container="array")
        if arr.dtype == object and any(_is_sequence(v) or isinstance(v, str) for v in values):
            return _from_list(values, input_name)[0], LabelSequenceKind(
                "sequences", container="array"
            )
        return [[v] for v in values], LabelSequenceKind(
            "1d", container="array", dtype=arr.dtype
        )
    rows = arr.tolist()
    is_pad = _pad_mask(arr, pad_value)
    lengths = np.where(
        (~is_pad).any(axis=1), arr.shape[1] - np.argmax((~is_pad)[:, ::-1], axis=1), 0
    )
    interior = is_pad & (np.arange(arr.shape[1]) < lengths[:, None])
    if interior.any():
        row, col = np.argwhere(interior)[0]
        what = "NaN/None" if pad_value is None else f"the pad value {pad_value!r}"
        raise ValueError(
            f"{input_name} holds {what} at row {row}, position {col}, before the end of "
            "the sequence; only trailing positions may be padding."
        )
    if (lengths == arr.shape[1]).all():
        seqs = rows
    else:
        seqs = [row[:n] for row, n in zip(rows, lengths.tolist())]
    return seqs, LabelSequenceKind(
        "padded", container="array", dtype=arr.dtype, pad_value=pad_value, width=arr.shape[1]
    )


def _pad_mask(arr: NDArray[Any], pad_value: Any) -> NDArray[np.bool_]:
    if pad_value is None:
        if arr.dtype.kind in "fc":
            return np.isnan(arr)
        if arr.dtype == object:
            return np.vectorize(_is_missing, otypes=[bool])(arr)
        return np.zeros(arr.shape, dtype=bool)
    if isinstance(pad_value, float) and math.isnan(pad_value):
        return np.isnan(arr) if arr.dtype.kind in "fc" else np.zeros(arr.shape, bool)
    return np.asarray(arr == pad_value, dtype=bool).reshape(arr.shape)


def _restore_padded(seqs: list[list[Any]], kind: LabelSequenceKind) -> NDArray[Any]:
    longest = max((len(s) for s in seqs), default=0)
    width = max(kind.width, longest)
    dtype = kind.dtype
    pad = kind.pad_value
    if pad is None:
        if dtype.kind in "fc":
            pad = np.nan
        elif dtype.kind == "O":
            pad = None
        elif all(len(s) == width for s in seqs):
            pad = 0  # never written
        else:
            dtype, pad = np.float64, np.nan
    out = np.full((len(seqs), width), pad, dtype=dtype)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


def _check_tokens(seqs: list[list[Any]], input_name: str) -> set[type]:
    """Raise on None / NaN / inf, unhashable or mixed-type tokens; return the token types.

    The types are collected in one pass at C speed; only when they show a
    problem does the slow loop run, to name the row.
    """
    flat = list(chain.from_iterable(seqs))
    types = set(map(type, flat))
    categories = {_type_category(tp) for tp in types}
    suspicious = len(categories) > 1 or categories & {"none", None}
    if not suspicious and categories == {"float"}:
        suspicious = not np.isfinite(np.array(flat, dtype=float)).all()
    if suspicious:
        _find_bad_token(seqs, input_name)
    return types


def _type_category(tp: type) -> str | None:
    if issubclass(tp, str):
        return "str"
    if issubclass(tp, (bool, np.bool_)):
        return "bool"
    if issubclass(tp, Integral):
        return "int"
    if issubclass(tp, Real):
        return "float"
    if tp is type(None):
        return "none"
    if tp.__hash__ is None:
        return None
    return tp.__name__


def _find_bad_token(seqs: list[list[Any]], input_name: str) -> None:
    kinds: dict[str, tuple[int, str]] = {}
    for i, seq in enumerate(seqs):
        for j, token in enumerate(seq):
            if _is_missing(token) or (isinstance(token, float) and math.isinf(token)):
                raise ValueError(
                    f"Row {i} of {input_name} holds the token {token!r} at position {j}; "
                    "None, NaN and inf are not valid tokens."
                )
            kind = _token_type(token)
            if kind is None:
                raise TypeError(
                    f"Row {i} of {input_name} holds an unhashable token of type "
                    f"{type(token).__name__} at position {j}; tokens must be hashable."
                )
            if kind not in kinds:
                kinds[kind] = (i, type(token).__name__)
                if len(kinds) > 1:
                    (_, (r0, t0)), (_, (r1, t1)) = list(kinds.items())[:2]
                    raise TypeError(
                        f"{input_name} mixes token types: {t0} (row {r0}) and {t1} "
                        f"(row {r1}); use one type for every token, e.g. all str or "
                        "all int."
                    )


def _token_type(token: Any) -> str | None:
    if isinstance(token, str):
        return "str"
    if isinstance(token, (bool, np.bool_)):
        return "bool"
    if isinstance(token, Integral):
        return "int"
    if isinstance(token, Real):
        return "float"
    try:
        hash(token)
    except TypeError:
        return None
    return type(token).__name__


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, Real) and math.isnan(value)
    except TypeError:
        return False


def _is_sequence(obj: Any) -> bool:
    if isinstance(obj, str):
        return False
    if isinstance(obj, np.ndarray):
        return obj.ndim == 1
    return isinstance(obj, (list, tuple)) or (
        hasattr(obj, "__len__") and hasattr(obj, "__getitem__") and not hasattr(obj, "keys")
    )


def _as_token_list(seq: Any, row: int, input_name: str) -> list[Any]:
    if isinstance(seq, np.ndarray) or hasattr(seq, "tolist"):
        seq = np.asarray(seq)
        if seq.ndim != 1:
            raise ValueError(
                f"Row {row} of {input_name} has shape {seq.shape}; each label sequence "
                "must be 1D."
            )
        return seq.tolist()
    return list(seq)


def _plain_scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
