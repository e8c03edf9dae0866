"""Regular and seasonal differencing with an exact, row-wise inverse.

Differencing is a chain of operators ``(1 - B^L)`` (``B`` the backshift): ``L = 1``
``order`` times, then ``L = seasonal_lag`` ``seasonal_order`` times. Each
operator starts after the head the earlier ones kept and keeps its own first
``L`` inputs, so the output has the input's length and holds everything needed
to undo it; undoing one operator is a cumulative sum over the steps ``L``
apart, so both directions are vectorised.
"""

from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import check_is_fitted

from ..utils import check_sequences, sequence_lengths
from ..utils._compat import Interval
from ._base import (
    SequenceTransformer,
    row_chunks,
    squeeze_univariate,
    sum_of_squares,
)
from ._compiled import compiled

__all__ = ["Differencer", "inverse_difference"]

# Elements per block of the transform-time pass (512 kB of float64: in cache).
_FLAT_BLOCK = 1 << 16


class Differencer(SequenceTransformer):
    """Regular and seasonal differencing of each sequence, exactly invertible.

    Applies ``(1 - B)^order (1 - B^s)^seasonal_order`` (``B`` the backshift,
    ``s = seasonal_lag``) to each sequence. The output has the same length as
    the input: its first ``n_initial_ = order + s * seasonal_order`` steps
    hold what is needed to undo the differencing, the rest are the
    differences. The head is the series differenced as far as each step
    allows: for ``order=2`` it is ``x[0], x[1] - x[0]``, then come second
    differences; for ``order=1, seasonal_lag=4`` it is ``x[0]`` and the first
    differences at steps 1..4, then seasonal differences of first
    differences. So :meth:`inverse_transform` restores every row from that
    row alone (no state about specific rows is kept at fit), and the
    differences proper are ``Xt[:, n_initial_:]``.

    Parameters
    ----------
    order : int, default=1
        Number of first differences ``x[t] - x[t-1]``.
    seasonal_lag : int or None, default=None
        Season length ``s`` for seasonal differences ``x[t] - x[t-s]``; None
        for none.
    seasonal_order : int, default=1
        Number of seasonal differences, used when ``seasonal_lag`` is set.

    Attributes
    ----------
    n_initial_ : int
        Number of leading steps of each output row that hold initial values.
    n_features_in_ : int
        Number of time steps seen at fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names (time steps) of a DataFrame given at fit.
    n_channels_in_ : int

    See Also
    --------
    inverse_difference : Integrate forecast differences from the end of a history.

    Notes
    -----
    Output shape: ``(n_samples, n_timesteps)`` for one channel,
    ``(n_samples, n_timesteps, n_channels)`` for several; variable-length
    rows keep their length (NaN right-padding, as the input). A row shorter
    than ``n_initial_`` is all head and is still restored exactly.
    Output names: the input's column names for a 2D DataFrame, else
    ``"x0__t0"``, ... for a 2D output and ``"x0"``, ... (channels) for a 3D one.

    The round trip is exact whenever the differences are exactly
    representable (e.g. integer-valued data); otherwise it is exact to
    floating-point rounding of one subtraction and one addition per operator.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.preprocessing import Differencer
    >>> X = np.array([[1.0, 4.0, 9.0, 16.0, 25.0]])
    >>> diff = Differencer(order=2)
    >>> Xt = diff.fit_transform(X)
    >>> Xt
    array([[1., 3., 2., 2., 2.]])
    >>> diff.inverse_transform(Xt)
    array([[ 1.,  4.,  9., 16., 25.]])
    """

    _parameter_constraints: dict = {
        "order": [Interval(Integral, 0, None, closed="left")],
        "seasonal_lag": [Interval(Integral, 1, None, closed="left"), None],
        "seasonal_order": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self, order: int = 1, seasonal_lag: int | None = None, seasonal_order: int = 1
    ) -> None:
        self.order = order
        self.seasonal_lag = seasonal_lag
        self.seasonal_order = seasonal_order

    def inverse_transform(self, X: Any) -> NDArray[Any]:
        """Undo :meth:`transform`, row by row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            Output of :meth:`transform` (NaN right-padding allowed).

        Returns
        -------
        X_original : ndarray of the same shape
        """
        check_is_fitted(self)
        Xt, _ = check_sequences(X, input_name="X")
        if Xt.shape[2] != self.n_channels_in_:
            raise ValueError(
                f"X has {Xt.shape[2]} channel(s), but Differencer was fitted with "
                f"{self.n_channels_in_} channel(s)."
            )
        out = Xt.copy()
        for lag, start in reversed(_lags_and_starts(self._lags())):
            _cumsum_every(out[:, start:], lag)
        return squeeze_univariate(out)

    def _fit(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> None:
        self.n_initial_ = int(sum(self._lags()))

    def _transform(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        out = np.empty_like(X)
        operators = _lags_and_starts(self._lags())
        if not operators:
            out[...] = X
            return squeeze_univariate(out)
        # In-place differencing buffers one operand: chunks of rows bound that buffer.
        temp_per_row = X.shape[1] * X.shape[2] * X.itemsize
        for rows in row_chunks(X.shape[0], temp_per_row, out.nbytes):
            source = X[rows]
            for lag, start in operators:
                out[rows, :start] = source[:, :start]
                _difference_into(out[rows, start:], source[:, start:], lag)
                source = out[rows]
        return squeeze_univariate(out)

    def _supports_finite_pass(self) -> bool:
        return len(self._lags()) == 1

    def _transform_if_finite(self, X: Any) -> NDArray[Any] | None:
        # One operator on the flattened panel: a compiled loop that checks each
        # result as it stores it, or numpy in cache-sized blocks, each checked
        # while in cache. The difference crosses rows only within the first
        # ``lag`` steps of a row, which are then overwritten by the head.
        (lag,) = self._lags()
        n_samples, n_timesteps, n_channels = X.shape
        if lag >= n_timesteps or not X.flags.c_contiguous:
            return None
        out = np.empty_like(X)
        flat, flat_out = X.reshape(-1), out.reshape(-1)
        shift = lag * n_channels
        lag_difference = compiled("lag_difference")
        if lag_difference is not None and X.dtype == np.float64:
            if lag_difference(flat, shift, flat_out):
                return None
            out[:, :lag] = X[:, :lag]
            return squeeze_univariate(out)
        squares = sum_of_squares(flat[:shift])
        step = max(shift, _FLAT_BLOCK)
        for start in range(shift, flat.size, step):
            block = flat[start : start + step]
            squares += sum_of_squares(block)
            np.subtract(block, flat[start - shift : start - shift + block.size],
                        out=flat_out[start : start + block.size])
        if not np.isfinite(squares):
            return None
        out[:, :lag] = X[:, :lag]
        return squeeze_univariate(out)

    def _feature_names_out(self, channels: list[str]) -> list[str]:
        if len(channels) > 1:
            return channels
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"{channels[0]}__t{t}" for t in range(self.n_features_in_)]

    def _lags(self) -> list[int]:
        seasonal = [] if self.seasonal_lag is None else [self.seasonal_lag] * self.seasonal_order
        return [1] * self.order + seasonal


def inverse_difference(
    diffs: ArrayLike,
    history: ArrayLike,
    *,
    order: int = 1,
    seasonal_lag: int | None = None,
    seasonal_order: int = 1,
) -> NDArray[np.float64]:
    """Integrate differences that continue a history back to its scale.

    The inverse of differencing for values that follow the end of a series,
    e.g. a forecast made on a differenced series: with ``order=1``,
    ``result[t] = history[-1] + diffs[0] + ... + diffs[t]``.

    Parameters
    ----------
    diffs : array-like of shape (horizon,) or (n_samples, horizon)
        Differences (as :class:`Differencer` computes them, same ``order`` /
        ``seasonal_lag`` / ``seasonal_order``) of the steps right after the
        history.
    history : array-like of shape (n_timesteps,) or (n_samples, n_timesteps)
        The undifferenced series (one per row of ``diffs``), oldest first,
        with at least ``order + seasonal_lag * seasonal_order`` values.
        Rows of different lengths are NaN right-padded: each row continues
        from its own last value.
    order : int, default=1
        Number of ordinary (lag 1) differences that made ``diffs``.
    seasonal_lag : int or None, default=None
        Lag of the seasonal differences, None for none.
    seasonal_order : int, default=1
        Number of seasonal differences at ``seasonal_lag``.

    Returns
    -------
    values : ndarray of the shape of ``diffs``
        The continuation of ``history`` on its original scale.

    Examples
    --------
    >>> inverse_difference([1.0, 1.0], [10.0, 12.0])
    array([13., 14.])
    >>> inverse_difference([2.0, 2.0], [1.0, 4.0, 9.0], order=2)
    array([16., 25.])
    >>> inverse_difference([0.0, 0.0, 0.0], [5.0, 7.0, 6.0], order=0, seasonal_lag=2)
    array([7., 6., 7.])
    """
    for value, name, low in ((order, "order", 0), (seasonal_order, "seasonal_order", 0)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
            raise ValueError(f"{name} must be a non-negative integer; got {value!r}.")
    if seasonal_lag is not None and (
        isinstance(seasonal_lag, bool) or not isinstance(seasonal_lag, Integral) or seasonal_lag < 1
    ):
        raise ValueError(f"seasonal_lag must be a positive integer or None; got {seasonal_lag!r}.")
    diffs_arr = _as_rows(diffs, "diffs")
    history_arr = _as_rows(history, "history", allow_padding=True)
    if len(diffs_arr) != len(history_arr):
        raise ValueError(
            f"diffs has {len(diffs_arr)} row(s) but history has {len(history_arr)}; "
            "give one history per row of diffs."
        )
    lengths = sequence_lengths(history_arr[:, :, None], input_name="history")
    seasonal = [] if seasonal_lag is None else [seasonal_lag] * seasonal_order
    lags = [1] * order + seasonal
    needed = sum(lags)
    short = np.flatnonzero(lengths < needed)
    if short.size:
        row = short[0]
        raise ValueError(
            f"history row {row} has {lengths[row]} time step(s), but order={order}, "
            f"seasonal_lag={seasonal_lag}, seasonal_order={seasonal_order} need at least "
            f"{needed} to integrate from."
        )
    # Levels of the history: the series, then after each differencing operator;
    # level i of a row ends at step lengths - (lags before it).
    levels = [history_arr]
    for lag in lags[:-1]:
        levels.append(levels[-1][:, lag:] - levels[-1][:, :-lag])
    ends = lengths - np.concatenate([[0], np.cumsum(lags)]).astype(np.intp)[:, None]
    out = diffs_arr
    for i in reversed(range(len(lags))):
        lag = lags[i]
        steps = ends[i][:, None] - lag + np.arange(lag)
        tail = np.take_along_axis(levels[i], steps, axis=1)
        joined = np.concatenate([tail, out], axis=1)[:, :, None]
        _cumsum_every(joined, lag)
        out = joined[:, lag:, 0]
    return out[0] if np.ndim(diffs) == 1 else out


def _lags_and_starts(lags: list[int]) -> list[tuple[int, int]]:
    """Each operator's lag and the step it starts at (after the earlier operators' heads)."""
    starts = np.concatenate([[0], np.cumsum(lags)[:-1]]).astype(int) if lags else []
    return list(zip(lags, starts))


def _difference_into(out: NDArray[Any], X: NDArray[Any], lag: int) -> None:
    """``out = (1 - B^lag) X`` along axis 1, keeping the first ``lag`` steps.

    ``out`` may be ``X`` (in place).
    """
    if out is not X:
        out[:, :lag] = X[:, :lag]
    # Overlapping in-place subtraction: numpy buffers the read side.
    np.subtract(X[:, lag:], X[:, :-lag], out=out[:, lag:])


def _cumsum_every(X: NDArray[Any], lag: int) -> None:
    """Cumulative sums over the steps ``lag`` apart, in place along axis 1.

    Undoes :func:`_difference_into`.
    """
    n_samples, n_timesteps, n_channels = X.shape
    if lag == 1:
        np.cumsum(X, axis=1, out=X)
        return
    n_full = n_timesteps // lag * lag
    if n_full:
        blocks = X[:, :n_full].reshape(n_samples, n_full // lag, lag, n_channels)
        np.cumsum(blocks, axis=1, out=blocks)
    if n_full < n_timesteps and n_full >= lag:
        X[:, n_full:] += X[:, n_full - lag : n_timesteps - lag]


def _as_rows(values: ArrayLike, name: str, allow_padding: bool = False) -> NDArray[np.float64]:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric; got {type(values).__name__} ({exc}).") from exc
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(
            f"{name} must be a non-empty 1D (n_timesteps,) or 2D (n_samples, n_timesteps) "
            f"array; got shape {arr.shape}."
        )
    bad = np.isinf(arr) if allow_padding else ~np.isfinite(arr)
    if bad.any():
        row, step = np.argwhere(bad)[0]
        raise ValueError(f"{name} contains NaN or inf at row {row}, step {step}.")
    return arr
