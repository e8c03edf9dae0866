"""The data contract of sklseq (SPEC section 2), in one place.

Every estimator and transformer turns its input into a padded float array of
shape ``(n_samples, n_timesteps, n_channels)`` plus a ``lengths`` vector through
:func:`check_sequences`; no module re-implements it.

Vocabulary used throughout the package:

- *sequence*: one sample, a 1D array ``(n_timesteps,)`` or a 2D array
  ``(n_timesteps, n_channels)``;
- *panel*: many sequences, a 2D array ``(n_samples, n_timesteps)`` (univariate),
  a 3D array ``(n_samples, n_timesteps, n_channels)``, a list of sequences of
  different lengths, or an array right-padded with NaN (trailing NaNs are
  padding, an interior NaN is missing data);
- *lengths*: ``(n_samples,)`` integer array, the true length of each row.
"""

import warnings
from collections.abc import Sequence
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray
from sklearn.utils.validation import assert_all_finite, check_array, validate_data

__all__ = [
    "SequenceLayoutWarning",
    "SequencePanel",
    "check_sequences",
    "is_ragged",
    "pad_sequences",
    "sequence_lengths",
    "unpad_sequences",
]

FLOAT_DTYPES = (np.float64, np.float32)


class SequenceLayoutWarning(UserWarning):
    """A 3D array whose layout looks like ``(n_samples, n_channels, n_timesteps)``.

    sklseq reads 3D arrays as ``(n_samples, n_timesteps, n_channels)``; an
    array with more channels than time steps is most likely sktime's or aeon's
    ``numpy3D`` layout, which :func:`sklseq.interop.from_sktime` converts.
    """


class SequencePanel(np.ndarray):
    """A NaN right-padded 3D panel ``(n_samples, n_timesteps, n_channels)``, marked as such.

    The sequence outputs of sklseq's transformers are returned as this
    ndarray subclass (it behaves and prints as a plain ndarray): the next step
    reads it as sequences whose time axis is free, without the
    :class:`SequenceLayoutWarning` a plain 3D array with more channels than
    steps gets. ``np.asarray(panel)`` is the plain array.

    Examples
    --------
    >>> import numpy as np
    >>> panel = np.zeros((2, 3, 5)).view(SequencePanel)
    >>> X, lengths = check_sequences(panel)  # no SequenceLayoutWarning
    >>> X.shape
    (2, 3, 5)
    """

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))


def is_ragged(X: object) -> bool:
    """Whether ``X`` is a list or tuple of sequences of different lengths.

    Parameters
    ----------
    X : object
        Anything; only lists and tuples of sequences can be ragged.

    Returns
    -------
    ragged : bool
        True when two sequences of ``X`` differ in shape.
    """
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    shapes = set()
    for seq in X:
        shape = np.shape(seq)
        if len(shape) == 0:
            return False
        shapes.add(shape)
        if len(shapes) > 1:
            return True
    return False


def pad_sequences(
    sequences: Sequence[ArrayLike],
    *,
    fill_value: float = np.nan,
    dtype: DTypeLike = np.float64,
    input_name: str = "X",
) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """Right-pad a list of sequences into one array.

    Parameters
    ----------
    sequences : list of array-like of shape (n_timesteps_i,) or (n_timesteps_i, n_channels)
        The sequences; all must have the same number of channels.
    fill_value : float, default=np.nan
        Value written after the end of each sequence.
    dtype : dtype, default=np.float64
        Data type of the padded array.
    input_name : str, default="X"
        Name used in error messages.

    Returns
    -------
    padded : ndarray of shape (n_samples, max_length, n_channels)
        The sequences, right-padded with ``fill_value``.
    lengths : ndarray of shape (n_samples,)
        Length of each sequence.

    Examples
    --------
    >>> padded, lengths = pad_sequences([[1.0, 2.0, 3.0], [4.0]])
    >>> padded[:, :, 0]
    array([[ 1.,  2.,  3.],
           [ 4., nan, nan]])
    >>> lengths
    array([3, 1])
    """
    arrays = []
    n_channels = None
    for i, seq in enumerate(sequences):
        seq = check_array(
            seq,
            ensure_2d=False,
            dtype=dtype,
            ensure_all_finite="allow-nan",
            ensure_min_samples=0,
            input_name=f"{input_name}[{i}]",
        )
        if seq.ndim == 1:
            seq = seq[:, None]
        if seq.ndim != 2:
            raise ValueError(
                f"{input_name}[{i}] has {seq.ndim} dimensions; each sequence must be "
                "1D (n_timesteps,) or 2D (n_timesteps, n_channels)."
            )
        if n_channels is None:
            n_channels = seq.shape[1]
        elif seq.shape[1] != n_channels:
            raise ValueError(
                f"{input_name}[{i}] has {seq.shape[1]} channels but {input_name}[0] has "
                f"{n_channels}; all sequences must have the same number of channels."
            )
        arrays.append(seq)
    if not arrays:
        raise ValueError(f"{input_name} is empty: found 0 sequences.")
    lengths = np.array([len(a) for a in arrays], dtype=np.intp)
    shape = (len(arrays), int(lengths.max()), arrays[0].shape[1])
    padded = np.full(shape, fill_value, dtype=dtype)

    for row, (seq, length) in enumerate(zip(arrays, lengths)):
        padded[row, :length] = seq
    return padded, lengths


def unpad_sequences(X: ArrayLike, lengths: ArrayLike) -> list[NDArray[Any]]:
    """Split a padded array back into a list of sequences.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, ...)
        The padded array.
    lengths : ndarray of shape (n_samples,)
        Length of each sequence.

    Returns
    -------
    sequences : list of ndarray
        ``sequences[i] = X[i, :lengths[i]]``.
    """
    X = np.asarray(X)
    lengths = np.asarray(lengths)
    if X.ndim < 2:
        raise ValueError(f"X must have at least 2 dimensions (rows, time steps); got {X.ndim}.")
    if lengths.shape != (len(X),) or lengths.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must hold one integer per row of X ({len(X)}); got an array of "
            f"shape {lengths.shape} and dtype {lengths.dtype}."
        )
    if len(lengths) and (lengths.min() < 0 or lengths.max() > X.shape[1]):
        raise ValueError(
            f"lengths must lie between 0 and the {X.shape[1]} time steps of X; got "
            f"{lengths.min()} to {lengths.max()}."
        )
    return [X[i, :length] for i, length in enumerate(lengths)]


@overload
def check_sequences(
    X: Any,
    *,
    estimator: Any = ...,
    reset: bool = ...,
    dtype: Any = ...,
    min_length: int = ...,
    length_reason: str = ...,
    ensure_min_samples: int = ...,
    copy: bool = ...,
    input_name: str = ...,
    scan_values: Literal[True] = ...,
    fixed_length: bool = ...,
    single_series: bool = ...,
) -> tuple[NDArray[Any], NDArray[np.intp]]: ...


@overload
def check_sequences(
    X: Any,
    *,
    estimator: Any = ...,
    reset: bool = ...,
    dtype: Any = ...,
    min_length: int = ...,
    length_reason: str = ...,
    ensure_min_samples: int = ...,
    copy: bool = ...,
    input_name: str = ...,
    scan_values: bool,
    fixed_length: bool = ...,
    single_series: bool = ...,
) -> tuple[NDArray[Any], NDArray[np.intp] | None]: ...


def check_sequences(
    X: Any,
    *,
    estimator: Any = None,
    reset: bool = True,
    dtype: Any = FLOAT_DTYPES,
    min_length: int = 1,
    length_reason: str = "this estimator",
    ensure_min_samples: int = 1,
    copy: bool = False,
    input_name: str = "X",
    scan_values: bool = True,
    fixed_length: bool = False,
    single_series: bool = False,
) -> tuple[NDArray[Any], NDArray[np.intp] | None]:
    """Validate a panel of sequences and return it padded, with its lengths.

    Accepts a 2D array ``(n_samples, n_timesteps)``, a 3D array
    ``(n_samples, n_timesteps, n_channels)``, a pandas DataFrame (columns are
    time steps), a list of sequences of different lengths (a list of
    DataFrames is sktime's ``df-list``), an array right-padded with NaN, and
    sktime's unambiguous panel containers: a nested DataFrame (``nested_univ``:
    one column per channel, one ``pandas.Series`` per cell) and an
    ``(instance, time)`` MultiIndex DataFrame (``pd-multiindex``: one column
    per channel). sktime's ``numpy3D`` ``(n_samples, n_channels, n_timesteps)``
    is ambiguous: convert it with :func:`sklseq.interop.from_sktime`; a 3D
    array with more channels than time steps gets a
    :class:`SequenceLayoutWarning`. Nothing is transposed.

    With ``estimator`` given, a plain 2D array goes through scikit-learn's
    ``validate_data`` (``n_features_in_`` is the number of time steps,
    ``feature_names_in_`` the DataFrame columns) and the number of channels is
    stored as ``n_channels_in_`` at fit (``reset=True``) and checked at
    predict. Sequences are free in length at predict (SPEC section 2): a list
    of sequences, a sktime container, a 3D array and a NaN right-padded array
    (its last column holds NaN) may have another number of time steps than at
    fit, unless ``fixed_length=True``.

    Parameters
    ----------
    X : array-like or list of array-like
        The panel.
    estimator : estimator instance, default=None
        Estimator whose fitted input shape is set (``reset=True``) or checked.
    reset : bool, default=True
        True in ``fit``, False in ``predict`` / ``transform``.
    dtype : dtype or tuple of dtypes, default=(np.float64, np.float32)
        Accepted dtypes; other input is converted to the first one.
    min_length : int, default=1
        Shortest sequence allowed.
    length_reason : str, default="this estimator"
        What needs ``min_length`` steps, for the error message
        (e.g. ``"window_size=5"``).
    ensure_min_samples : int, default=1
        Fewest sequences allowed.
    copy : bool, default=False
        Whether to force a copy of array input.
    input_name : str, default="X"
        Name of ``X`` in error messages.
    scan_values : bool, default=True
        Whether to read the values: reject inf and interior NaN, find the
        lengths and check ``min_length``. False skips that pass over the data
        and returns ``lengths=None``, for a caller that checks the finiteness of
        what it computes from ``X`` and calls again with True when it finds a
        non-finite value (e.g. :class:`sklseq.preprocessing.Differencer`).
    fixed_length : bool, default=False
        Whether sequences at predict must have the number of time steps seen at
        fit, as a plain 2D array must, for an estimator whose output size
        depends on it.
    single_series : bool, default=False
        For forecasters, which forecast from the end of each row: a one-row
        panel whose last values are NaN is an error naming how many trailing
        steps are missing (with several rows, trailing NaN is padding).

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_channels)
        Padded positions hold NaN. Without padding, and when no copy is needed,
        this is a view of the input.
    lengths : ndarray of shape (n_samples,), or None when ``scan_values=False``
        Length of each sequence.

    Raises
    ------
    ValueError
        For empty input, wrong dimensionality, inf, an interior NaN (naming the
        row and step), a sequence shorter than ``min_length`` (naming the row),
        or a channel count different from fit.

    Examples
    --------
    >>> import numpy as np
    >>> X, lengths = check_sequences([[1.0, 2.0, 3.0], [4.0, 5.0]])
    >>> X.shape, lengths
    ((2, 3, 1), array([3, 2]))
    >>> X, lengths = check_sequences(np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]]))
    >>> lengths
    array([2, 3])
    """
    X = _read_sktime_container(X, input_name)
    _check_numeric_columns(X, input_name)
    _reject_1d(X, input_name)
    ragged = _is_sequence_list(X)
    if ragged:
        X, _ = pad_sequences(X, dtype=_first_dtype(dtype), input_name=input_name)
    elif type(X) is np.ndarray and X.ndim == 3 and X.shape[2] > X.shape[1]:
        _warn_layout(X.shape, input_name)
    free = (
        estimator is not None
        and not reset
        and not fixed_length
        and not ragged
        and _is_free_length(X, getattr(estimator, "n_features_in_", None))
    )
    if estimator is not None and not ragged and not free:
        X = validate_data(
            estimator,
            X,
            reset=reset,
            allow_nd=True,
            dtype=dtype,
            ensure_all_finite=False,  # checked once below, with the lengths
            ensure_min_samples=ensure_min_samples,
            copy=copy,
        )
    else:
        X = check_array(
            X,
            allow_nd=True,
            dtype=dtype,
            ensure_all_finite=False,
            ensure_min_samples=ensure_min_samples,
            copy=copy and not ragged,
            input_name=input_name,
        )
    if X.ndim > 3:
        raise ValueError(
            f"{input_name} has {X.ndim} dimensions; expected 2D (n_samples, n_timesteps) "
            "or 3D (n_samples, n_timesteps, n_channels)."
        )
    if X.ndim == 2:
        X = X[:, :, np.newaxis]
    if estimator is not None:
        if reset:
            estimator.n_channels_in_ = X.shape[2]
            if ragged:
                estimator.n_features_in_ = X.shape[1]
                if hasattr(estimator, "feature_names_in_"):
                    del estimator.feature_names_in_
        else:
            _check_n_channels(estimator, X.shape[2], input_name)
    if not scan_values:
        return X, None
    lengths = _finite_lengths(X, input_name)
    if single_series and X.shape[0] == 1 and lengths[0] < X.shape[1]:
        missing = X.shape[1] - lengths[0]
        raise ValueError(
            f"The last {missing} time step(s) of the single series in {input_name} are NaN: "
            f"forecasting from step {lengths[0]} would silently move the forecast origin "
            f"back. Impute them, or drop them ({input_name}[:, :-{missing}]) to forecast "
            "from the last observed value."
        )
    _check_min_length(lengths, min_length, length_reason, input_name)
    return X, lengths


def sequence_lengths(X: NDArray[Any], *, input_name: str = "X") -> NDArray[np.intp]:
    """Lengths of a NaN right-padded 3D array; raises on interior NaN.

    A time step is padding when every channel is NaN and every later step is
    padding too. Any other NaN is missing data and raises a ``ValueError``
    naming the row and step.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_channels)
        The padded array.
    input_name : str, default="X"
        Name of ``X`` in error messages.

    Returns
    -------
    lengths : ndarray of shape (n_samples,)
        Number of steps before each row's padding.
    """
    if not isinstance(X, np.ndarray) or X.ndim != 3 or X.dtype.kind != "f":
        raise ValueError(
            f"{input_name} must be a 3D float array (n_samples, n_timesteps, n_channels); "
            f"got {type(X).__name__} with dtype {getattr(X, 'dtype', None)}."
        )
    n_samples, n_timesteps, _ = X.shape
    if n_timesteps == 0:
        raise ValueError(f"{input_name} has 0 time steps; at least 1 is required.")
    with np.errstate(over="ignore", invalid="ignore"):  # a sum overflowing to inf is fine
        total = X.sum()
    if not np.isnan(total):
        return np.full(n_samples, n_timesteps, dtype=np.intp)
    nan = np.isnan(X)
    step_all_nan = nan.all(axis=2)
    step_any_nan = nan.any(axis=2)
    observed = ~step_all_nan
    # Index of the last observed step + 1; rows with no observed step get 0.
    last_from_end = np.argmax(observed[:, ::-1], axis=1)
    lengths = np.where(observed.any(axis=1), n_timesteps - last_from_end, 0)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"Row {empty[0]} of {input_name} is empty: all its values are NaN. "
            "Every sequence needs at least one observed time step."
        )
    interior = step_any_nan & (np.arange(n_timesteps) < lengths[:, None])
    if interior.any():
        row, step = np.argwhere(interior)[0]
        raise ValueError(
            f"{input_name} contains NaN at row {row}, time step {step}, before the end "
            f"of the sequence (length {lengths[row]}). Only trailing NaNs are read as "
            "padding; impute missing values first (e.g. with sklearn's SimpleImputer "
            "or pandas interpolate)."
        )
    return lengths.astype(np.intp)


def _finite_lengths(X: NDArray[Any], input_name: str) -> NDArray[np.intp]:
    """Reject inf and interior NaN; return the lengths.

    One pass over the data when everything is finite (a finite sum means no
    NaN and no inf, as in sklearn's own check); only data with NaN, inf or a
    sum that overflows pays for the element-wise checks.
    """
    if X.shape[1] > 0:
        with np.errstate(over="ignore", invalid="ignore"):
            finite = np.isfinite(X.sum())
        if finite:
            return np.full(X.shape[0], X.shape[1], dtype=np.intp)
        assert_all_finite(X, allow_nan=True, input_name=input_name)
    return sequence_lengths(X, input_name=input_name)


def _reject_1d(X: Any, input_name: str) -> None:
    """A 1D array is one series, not a panel: say how to pass it, without printing it."""
    if isinstance(X, (list, tuple)):
        one_d = len(X) > 0 and all(np.ndim(value) == 0 for value in X)
    else:
        one_d = len(getattr(X, "shape", (0, 0))) == 1
    if not one_d:
        return
    n = len(X)
    raise ValueError(
        f"{input_name} is 1D ({n} values), but sklseq reads {input_name} as a panel: one "
        f"sequence per row. Reshape your data: to pass one series, give {input_name}[None] "
        f"(shape (1, {n})), or forecast it with sklseq.forecasting.forecast_from_end; for "
        f"one-step sequences use {input_name}.reshape(-1, 1)."
    )


def _is_free_length(X: Any, n_features_in: int | None) -> bool:
    """Sequences whose time axis may differ from fit: 3D, or 2D NaN right-padded."""
    shape = getattr(X, "shape", None)
    if n_features_in is None or shape is None or len(shape) not in (2, 3):
        return False
    if shape[1] == n_features_in:
        return False
    if len(shape) == 3:
        return True
    last = X.iloc[:, -1] if hasattr(X, "iloc") else X[:, -1]
    try:
        return bool(np.isnan(np.asarray(last, dtype=np.float64)).any())
    except (TypeError, ValueError):
        return False


def _warn_layout(shape: tuple[int, ...], input_name: str) -> None:
    warnings.warn(
        f"{input_name} has shape {shape}: {shape[2]} channels but only {shape[1]} time "
        f"step(s). sklseq reads 3D arrays as (n_samples, n_timesteps, n_channels); if "
        f"{input_name} is sktime's / aeon's numpy3D layout (n_samples, n_channels, "
        f"n_timesteps), convert it with sklseq.interop.from_sktime({input_name}).",
        SequenceLayoutWarning,
        stacklevel=3,
    )


def _read_sktime_container(X: Any, input_name: str) -> Any:
    """Read sktime's nested_univ and pd-multiindex DataFrames as lists of ``(T_i, C)`` arrays."""
    if not type(X).__module__.startswith("pandas") or not hasattr(X, "columns"):
        return X
    if X.index.nlevels > 1:
        return _read_multiindex(X, input_name)
    if X.shape[0] and X.shape[1] and all(dtype.kind == "O" for dtype in X.dtypes):
        first = X.iat[0, 0]
        if hasattr(first, "index") and np.ndim(first) == 1:
            return _read_nested(X, input_name)
    return X


def _read_nested(X: Any, input_name: str) -> list[NDArray[np.float64]]:
    sequences = []
    for row in range(X.shape[0]):
        cells = list(X.iloc[row])
        if not all(hasattr(cell, "index") and np.ndim(cell) == 1 for cell in cells):
            raise ValueError(
                f"{input_name} looks like an sktime nested_univ DataFrame, but row {row} has a "
                "cell that is not a pandas Series; every cell must hold one channel of one "
                "sequence as a pandas Series (see sktime.datatypes.check_is_mtype)."
            )
        sizes = {len(cell) for cell in cells}
        if len(sizes) > 1:
            raise ValueError(
                f"Row {row} of the sktime nested_univ DataFrame {input_name} has channels of "
                f"different lengths {sorted(sizes)}; sklseq needs every channel of a sequence "
                "to have the same number of time steps: resample or pad them first."
            )
        try:
            values = np.column_stack([np.asarray(cell, dtype=np.float64) for cell in cells])
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Row {row} of the sktime nested_univ DataFrame {input_name} holds "
                f"non-numeric values ({exc}); convert them to numbers first."
            ) from exc
        sequences.append(values)
    return sequences


def _read_multiindex(X: Any, input_name: str) -> list[NDArray[np.float64]]:
    if X.index.nlevels != 2:
        raise ValueError(
            f"{input_name} is a DataFrame with {X.index.nlevels} index levels; sklseq reads "
            "sktime's pd-multiindex panel, indexed by (instance, time). For a hierarchical "
            "frame (pd_multiindex_hier), combine the outer levels into one instance level "
            "first."
        )
    try:
        values = X.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{input_name} is an sktime pd-multiindex DataFrame with non-numeric columns "
            f"({exc}); keep only numeric channels."
        ) from exc
    codes, instances = _factorize(X.index.get_level_values(0))
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    times = np.asarray(X.index.get_level_values(1))[order]
    sequences = np.split(values[order], bounds)
    for instance, steps in zip(instances, np.split(times, bounds)):
        if len(steps) > 1 and not (steps[1:] > steps[:-1]).all():
            raise ValueError(
                f"Instance {instance!r} of the sktime pd-multiindex DataFrame {input_name} "
                "has time points out of order or repeated; sort them with "
                f"{input_name}.sort_index() and drop duplicates."
            )
    return sequences


def _factorize(values: ArrayLike) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """Integer codes in order of first appearance, and the unique values."""
    uniques, first, codes = np.unique(np.asarray(values), return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[codes.ravel()], uniques[np.argsort(first, kind="stable")]


def _is_sequence_list(X: Any) -> bool:
    """A non-empty list or tuple whose items are sequences (not scalars)."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    return all(np.ndim(seq) >= 1 for seq in X)


def _check_min_length(
    lengths: NDArray[np.intp], min_length: int, reason: str, input_name: str
) -> None:
    if min_length <= 1:
        return
    short = np.flatnonzero(lengths < min_length)
    if short.size:
        row = short[0]
        raise ValueError(
            f"Row {row} of {input_name} is too short: {lengths[row]} time step(s), i.e. "
            f"{lengths[row]} feature(s) as a 2D array, but {reason} needs at least "
            f"{min_length}."
        )


def _check_n_channels(estimator: Any, n_channels: int, input_name: str) -> None:
    expected = getattr(estimator, "n_channels_in_", None)
    if expected is not None and n_channels != expected:
        raise ValueError(
            f"{input_name} has {n_channels} channel(s), but {type(estimator).__name__} "
            f"was fitted with {expected} channel(s)."
        )


def _first_dtype(dtype: Any) -> DTypeLike:
    if isinstance(dtype, (tuple, list)):
        return dtype[0]
    return dtype


@overload
def check_continuation_target(
    y: ArrayLike | None,
    n_samples: int,
    horizon: int | None = ...,
    *,
    required: Literal[True] = ...,
    estimator: Any = ...,
) -> tuple[NDArray[np.float64], int, bool]: ...


@overload
def check_continuation_target(
    y: ArrayLike | None,
    n_samples: int,
    horizon: int | None = ...,
    *,
    required: bool,
    estimator: Any = ...,
) -> tuple[NDArray[np.float64] | None, int, bool]: ...


def check_continuation_target(
    y: ArrayLike | None,
    n_samples: int,
    horizon: int | None = None,
    *,
    required: bool = True,
    estimator: Any = None,
) -> tuple[NDArray[np.float64] | None, int, bool]:
    """Validate a real-valued target: the next value(s) of each of ``n_samples`` rows.

    Used by every estimator whose ``y`` continues the sequences of ``X``
    (forecasters, sequence regressors): ``y`` of shape ``(n_samples,)`` is one
    value per row, ``(n_samples, horizon)`` the next ``horizon`` values (or
    ``n_outputs`` values) of each row.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, horizon), or None
        The target.
    n_samples : int
        Number of rows of ``X``.
    horizon : int or None, default=None
        The estimator's ``horizon`` parameter; None takes it from ``y``. A 2D
        ``y`` must have ``horizon`` columns.
    required : bool, default=True
        Whether ``y=None`` is an error. If False, ``y=None`` returns
        ``(None, horizon or 1, False)``.
    estimator : estimator instance or None, default=None
        Named in the error raised for a missing ``y``.

    Returns
    -------
    y2d : ndarray of shape (n_samples, n_columns), float64, or None
        The target as columns.
    horizon : int
        ``horizon``, or the number of columns of ``y`` when it is None.
    was_2d : bool
        Whether ``y`` was 2D, so predictions can take the same shape.

    Examples
    --------
    >>> from sklseq.utils import check_continuation_target
    >>> y2d, horizon, was_2d = check_continuation_target([1.0, 2.0], n_samples=2)
    >>> y2d.shape, horizon, was_2d
    ((2, 1), 1, False)
    """
    if y is None:
        if required:
            name = "This estimator" if estimator is None else type(estimator).__name__
            raise ValueError(f"{name} requires y to be passed, but the target y is None.")
        return None, 1 if horizon is None else horizon, False
    y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y")
    if y.ndim not in (1, 2):
        raise ValueError(
            f"y has {y.ndim} dimensions (shape {y.shape}); expected (n_samples,) or "
            "(n_samples, horizon)."
        )
    if len(y) != n_samples:
        raise ValueError(
            f"y has {len(y)} rows but X has {n_samples}; y holds the continuation of "
            "each row of X."
        )
    was_2d = y.ndim == 2
    y2d = y if was_2d else y[:, None]
    if horizon is None:
        horizon = y2d.shape[1]
    elif was_2d and y2d.shape[1] != horizon:
        raise ValueError(
            f"y has {y2d.shape[1]} columns but horizon={horizon}; give a y with "
            "horizon columns or leave horizon=None."
        )
    return y2d, horizon, was_2d


def check_series(series: ArrayLike, name: str = "series") -> NDArray[np.float64]:
    """Validate one long series (not a panel) as a float64 ``(n_timesteps, n_channels)`` array.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_channels)
        A numeric series: list, ndarray, pandas Series or DataFrame.
    name : str, default="series"
        Named in error messages.

    Returns
    -------
    values : ndarray of shape (n_timesteps, n_channels)
        Finite float64 values; a 1D series becomes one channel.

    Examples
    --------
    >>> from sklseq.utils import check_series
    >>> check_series([1, 2, 3]).shape
    (3, 1)
    """
    _check_numeric_columns(series, name)
    try:
        values = np.asarray(series, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a numeric series; got {type(series).__name__} ({exc})."
        ) from exc
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} has {values.ndim} dimensions; expected 1D (n_timesteps,) or 2D "
            "(n_timesteps, n_channels). For a panel of many series use the estimators directly."
        )
    if len(values) == 0:
        raise ValueError(f"{name} is empty.")
    bad = ~np.isfinite(values)
    if bad.any():
        step = int(np.argwhere(bad)[0][0])
        raise ValueError(
            f"{name} contains NaN or inf at time step {step}; impute or drop it first."
        )
    return values


def _check_numeric_columns(X: Any, input_name: str) -> None:
    """Name the first non-numeric column of a DataFrame (pandas' own error names a value)."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(X, "columns"):
        return
    for column, column_dtype in zip(X.columns, dtypes):
        kind = getattr(column_dtype, "kind", "O")
        if kind not in "biuf":
            raise ValueError(
                f"{input_name} has column {column!r} of dtype {column_dtype}, which is not "
                "numeric; convert it (e.g. with pd.to_numeric) or drop it."
            )
