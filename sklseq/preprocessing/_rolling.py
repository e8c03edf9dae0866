"""Rolling (trailing-window) statistics of each sequence, without window temporaries.

The panel is processed in cache-sized blocks of rows (or, for very long rows,
of time steps with ``max(windows) - 1`` steps of overlap), with work arrays
reused from block to block. Within a block:

- sums, means and variances are exact window sums built by doubling
  (``sum of 2k = sum of k + sum of k shifted by k``): ``O(log w)``
  vectorised passes and no cumulative-sum cancellation; the variance is
  computed on values shifted by a per-block reference;
- minima and maxima use the same doubling with ``np.minimum`` / ``np.maximum``
  (two overlapping power-of-two windows cover any window);
- quantiles use :func:`scipy.ndimage.rank_filter` (one or two order
  statistics, linearly interpolated as ``np.quantile`` does);
- weighted means use :func:`scipy.ndimage.correlate1d` with linear weights.

The exponential moving average is the exact recurrence, run by
:func:`scipy.signal.lfilter` along the time axis in large chunks, its state
carried from chunk to chunk.

Long single-channel rows take a compiled loop for sums and means of small
windows when numba is installed (see ``_compiled``).

Windows are trailing: the value at step ``t`` uses steps ``t - w + 1 .. t``
of the same row only, so padding and future values never leak in.
"""

import re
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal

from ..utils._compat import Interval, StrOptions
from ._base import SequenceTransformer, sum_of_squares
from ._compiled import SMALL_WINDOW, compiled

__all__ = ["RollingStatistics"]

_NAMED = ("mean", "sum", "std", "var", "min", "max", "median", "wma", "ewm")
_QUANTILE = re.compile(r"^q(0?\.\d+|0|1|1\.0+)$")
# Elements (float64) per block: small enough to stay in cache, large enough
# that numpy's per-call overhead is negligible.
_BLOCK_ELEMENTS = 1 << 15
# Elements per lfilter call of the exponential average (no overlap is needed).
_EWM_CHUNK = 1 << 20


class RollingStatistics(SequenceTransformer):
    """Rolling mean, std, min, max, quantiles and moving averages of each sequence.

    Each statistic is computed over a trailing window: at step ``t`` it uses
    the steps ``t - w + 1, ..., t`` of the same sequence (fewer at the start
    of a sequence, see ``min_periods``). Rows are independent and each uses its
    own length, so variable-length rows never see padding.

    Parameters
    ----------
    windows : int or list of int, default=3
        Window sizes, in steps. For ``"ewm"`` the window is the span: the
        smoothing factor is ``alpha = 2 / (window + 1)``, as pandas'
        ``ewm(span=window)``.
    statistics : str or list of str, default=("mean", "std", "min", "max")
        Any of ``"mean"``, ``"sum"``, ``"std"``, ``"var"``, ``"min"``,
        ``"max"``, ``"median"``, ``"q<p>"`` (the quantile ``p`` in [0, 1] with
        linear interpolation, as ``np.quantile``; e.g. ``"q0.9"``),
        ``"wma"`` (linearly weighted moving average: the newest step weighs
        ``w``, the oldest 1) and ``"ewm"`` (exponentially weighted moving
        average over the whole history, pandas' ``adjust=True``).
    output : {"last", "sequence"}, default="last"
        ``"last"``: the statistics at the last step of each sequence (its last
        ``w`` values), as tabular features of shape
        ``(n_samples, n_channels * n_windows * n_statistics)``.
        ``"sequence"``: the statistics at every step, a NaN right-padded
        sequence panel of shape
        ``(n_samples, n_timesteps, n_channels * n_windows * n_statistics)``
        (e.g. as extra channels for a neural model).
    min_periods : int or None, default=1
        Fewest observed steps a window needs; steps with fewer give NaN.
        With 1, the first ``w - 1`` steps of a sequence (and sequences
        shorter than ``w``) use the steps available so far, so a sequence
        output has no leading NaN. None means a full window, pandas'
        default. Must not exceed any window.
    ddof : int, default=0
        Delta degrees of freedom of ``"std"`` and ``"var"`` (divisor
        ``k - ddof`` for ``k`` values); pandas uses 1. Windows with
        ``k <= ddof`` values give NaN.

    Attributes
    ----------
    windows_ : ndarray of shape (n_windows,)
        The window sizes used.
    statistics_ : list of str
        The statistics used.
    n_features_in_ : int
        Number of time steps seen at fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names (time steps) of a DataFrame given at fit.
    n_channels_in_ : int
        Number of channels seen at fit.

    See Also
    --------
    LagFeatures : Values at chosen lags from the end of each sequence.
    pandas.Series.rolling : The same statistics for one series.

    Notes
    -----
    Features go channel by channel, then window by window, then statistic by
    statistic: ``"x0__mean_3"``, ``"x0__std_3"``, ..., ``"x0__mean_7"``, ...,
    ``"x1__mean_3"``, ... The last axis of a sequence output has the same
    order and names.

    Cost: ``O(n_timesteps * log(w))`` per row for sums, means, variances,
    minima and maxima, scipy's 1D rank filter for quantiles (plus
    ``O(w^2)`` for the first ``w - 1`` steps when ``min_periods < w``),
    ``O(n_timesteps * w)`` for ``"wma"`` and ``O(n_timesteps)`` for
    ``"ewm"``. Temporaries are bounded by the block size, so peak memory is
    about the size of the output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.preprocessing import RollingStatistics
    >>> X = np.array([[22.0, 24.0, 23.0, 25.0, 26.0]])
    >>> roll = RollingStatistics(windows=3, statistics=["mean", "min", "max"])
    >>> roll.fit_transform(X)
    array([[24.66666667, 23.        , 26.        ]])
    >>> roll.get_feature_names_out()
    array(['x0__mean_3', 'x0__min_3', 'x0__max_3'], dtype=object)
    >>> seq = RollingStatistics(windows=3, statistics="mean", output="sequence",
    ...                         min_periods=None)
    >>> seq.fit_transform(X)[0, :, 0].round(2)
    array([  nan,   nan, 23.  , 24.  , 24.67])
    """

    _parameter_constraints: dict = {
        "windows": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "statistics": [str, list, tuple],
        "output": [StrOptions({"last", "sequence"})],
        "min_periods": [Interval(Integral, 1, None, closed="left"), None],
        "ddof": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        windows: int | Sequence[int] = 3,
        statistics: str | Sequence[Any] = ("mean", "std", "min", "max"),
        output: str = "last",
        min_periods: int | None = 1,
        ddof: int = 0,
    ) -> None:
        self.windows = windows
        self.statistics = statistics
        self.output = output
        self.min_periods = min_periods
        self.ddof = ddof

    def _fit(self, X, lengths):
        self.windows_ = _check_windows(self.windows)
        self.statistics_ = _check_statistics(self.statistics)
        if self.min_periods is not None and self.min_periods > self.windows_.min():
            raise ValueError(
                f"min_periods={self.min_periods} exceeds window {self.windows_.min()}: "
                "such a window never has enough steps. Use min_periods <= min(windows) "
                "or None (a full window)."
            )

    def _transform(self, X, lengths):
        specs = [(int(w), stat) for w in self.windows_ for stat in self.statistics_]
        if self.output == "sequence":
            out = rolling_statistics(X, lengths, specs, self.min_periods, self.ddof)
            return self._check_variance(out.reshape(X.shape[0], X.shape[1], -1))
        return self._check_variance(_last_step(X, lengths, specs, self.min_periods, self.ddof))

    def _check_variance(self, out):
        """``out``, or a ValueError naming the row whose variance overflows float64."""
        if "var" not in self.statistics_:
            return out
        overflowed = np.isinf(out.reshape(len(out), -1)).any(axis=1)
        if overflowed.any():
            row = int(np.flatnonzero(overflowed)[0])
            raise ValueError(
                f"The rolling variance of row {row} overflows float64: its values are too "
                "large for their squares (near 1e154 or more). Use the statistic 'std'."
            )
        return out

    def _supports_finite_pass(self):
        return self.output == "sequence" and "ewm" not in self.statistics_

    def _transform_if_finite(self, X):
        specs = [(int(w), stat) for w in self.windows_ for stat in self.statistics_]
        lengths = np.full(X.shape[0], X.shape[1])
        out = rolling_statistics(X, lengths, specs, self.min_periods, self.ddof, check_finite=True)
        return None if out is None else self._check_variance(out.reshape(X.shape[0], X.shape[1], -1))

    def _feature_names_out(self, channels):
        return [
            f"{channel}__{stat}_{w}"
            for channel in channels
            for w in self.windows_
            for stat in self.statistics_
        ]


def rolling_statistics(
    X: NDArray[Any],
    lengths: NDArray[np.intp],
    specs: Sequence[tuple[int, Any]],
    min_periods: int | None = 1,
    ddof: int = 0,
    check_finite: bool = False,
) -> NDArray[Any] | None:
    """Rolling statistics at every step of a padded panel.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_channels)
        Padded panel (trailing NaN is padding), as returned by
        :func:`sklseq.utils.check_sequences`.
    lengths : ndarray of shape (n_samples,)
    specs : list of (int, str)
        ``(window, statistic)`` pairs, statistics as accepted by
        :class:`RollingStatistics` (already validated).
    min_periods : int or None, default=1
    ddof : int, default=0
    check_finite : bool, default=False
        Check that every value of ``X`` is finite, block by block while the
        block is in cache, and return None if one is not. Only for windowed
        statistics (not ``"ewm"``), with every row full-length.

    Returns
    -------
    out : ndarray of shape (n_samples, n_timesteps, n_channels, n_specs), or None
        NaN after the end of each row and where a window has fewer than
        ``min_periods`` steps.
    """
    n_samples, n_timesteps, n_channels = X.shape
    out = np.empty((n_samples, n_timesteps, n_channels, len(specs)), dtype=X.dtype)
    fast = _compiled_specs(X, specs)
    n_bad = 0
    for i in fast:
        w, stat = specs[i]
        window_sums = compiled("small_window_sums")
        for row in range(n_samples):
            n_bad += window_sums(X[row, :, 0], w, stat == "mean", out[row, :, 0, i])
            out[row, lengths[row] :, 0, i] = np.nan
    if check_finite and n_bad:
        return None
    # A window longer than the rows sees at most the whole row: computing it
    # as n_timesteps steps gives the same values without longer blocks.
    windowed = [
        (i, min(w, n_timesteps), stat, w)
        for i, (w, stat) in enumerate(specs)
        if stat != "ewm" and i not in fast
    ]
    if windowed:
        max_window = max(w for _, w, _, _ in windowed)
        scratch = {}  # work arrays reused from block to block
        squares = 0.0
        blocks = _blocks(n_samples, n_timesteps, n_channels, max_window, lengths)
        for rows, t0, t1, shortest, longest in blocks:
            if t0 >= longest:  # a long row's padding
                out[rows, t0:t1] = np.nan
                continue
            padded = shortest < t1
            block = _Block(X, rows, t0, t1, max_window - 1, padded, scratch)
            if check_finite:
                with np.errstate(over="ignore"):  # overflow: the non-finite answer
                    squares += sum_of_squares(block.values)
            for i, w, stat, window in windowed:
                block.compute(w, stat, ddof, out[rows, t0:t1, :, i], window)
            if padded:
                padding = np.arange(t0, t1) >= lengths[rows, None]
                out[rows, t0:t1][padding] = np.nan
        if not np.isfinite(squares):
            return None
    for i, (w, stat) in enumerate(specs):
        if stat == "ewm":  # padding is NaN: the recurrence carries it forward
            _exponential_mean(X, w, out[:, :, :, i])
    for i, (w, _) in enumerate(specs):
        needed = w if min_periods is None else min_periods
        out[:, : needed - 1, :, i] = np.nan
    return out


def _compiled_specs(X, specs):
    """Return the indices of the specs the compiled loop computes.

    Sums and means of small windows over long float64 rows of one channel (where
    numpy's per-block cost shows), when numba is installed.
    """
    _, n_timesteps, n_channels = X.shape
    if n_channels != 1 or X.dtype != np.float64 or n_timesteps <= _BLOCK_ELEMENTS:
        return []
    if compiled("small_window_sums") is None:
        return []
    return [
        i for i, (w, stat) in enumerate(specs) if stat in ("mean", "sum") and w <= SMALL_WINDOW
    ]


def _last_step(X, lengths, specs, min_periods, ddof):
    """The statistics at each row's last step, from its last ``max(w)`` steps only."""
    n_samples, n_timesteps, n_channels = X.shape
    out = np.empty((n_samples, n_channels, len(specs)), dtype=X.dtype)
    windowed = [i for i, (_, stat) in enumerate(specs) if stat != "ewm"]
    recursive = [i for i, (_, stat) in enumerate(specs) if stat == "ewm"]
    if windowed:
        # A row's tail: its last max(w) steps, or the whole row when shorter;
        # the statistics at the tail's end equal those at the row's end.
        tail = min(max(specs[i][0] for i in windowed), n_timesteps)
        starts = np.maximum(lengths - tail, 0)
        tail_lengths = np.minimum(lengths, tail)
        steps = starts[:, None] + np.arange(tail)
        step = max(1, _BLOCK_ELEMENTS * 16 // (tail * n_channels))
        for r0 in range(0, n_samples, step):
            rows = slice(r0, min(r0 + step, n_samples))
            Xt = X[np.arange(rows.start, rows.stop)[:, None], steps[rows]]
            lt = tail_lengths[rows]
            res = rolling_statistics(Xt, lt, [specs[i] for i in windowed], min_periods, ddof)
            out[rows][:, :, windowed] = res[np.arange(len(lt)), lt - 1]
    if recursive:
        step = max(1, _BLOCK_ELEMENTS * 16 // (n_timesteps * n_channels))
        for r0 in range(0, n_samples, step):
            rows = slice(r0, min(r0 + step, n_samples))
            lr = lengths[rows]
            res = rolling_statistics(X[rows], lr, [specs[i] for i in recursive], min_periods, ddof)
            out[rows][:, :, recursive] = res[np.arange(len(lr)), lr - 1]
    return out.reshape(n_samples, -1)


def _blocks(n_samples, n_timesteps, n_channels, max_window, lengths):
    """Yield ``(rows, t0, t1, shortest, longest)`` for each block.

    Whole rows in groups, or one long row in time blocks, with the shortest and
    longest length of the rows.
    """
    row_size = n_timesteps * n_channels
    if row_size <= _BLOCK_ELEMENTS:
        step = _BLOCK_ELEMENTS // row_size
        for r0 in range(0, n_samples, step):
            rows = slice(r0, min(r0 + step, n_samples))
            yield rows, 0, n_timesteps, lengths[rows].min(), lengths[rows].max()
        return
    # Time spans of one row: few work arrays per step, so twice the elements
    # still stay in cache, and half the blocks halves the per-block overhead.
    span = max(2 * _BLOCK_ELEMENTS // n_channels, 2 * max_window)
    for row in range(n_samples):
        length = int(lengths[row])
        for t0 in range(0, n_timesteps, span):
            yield slice(row, row + 1), t0, min(t0 + span, n_timesteps), length, length


class _Block:
    """One block of rows and steps, with ``overlap`` steps of history before it.

    ``values`` has shape ``(n_rows, overlap + n_steps, n_channels)``; the
    history before a row's first step is zero (and never used: windows that
    reach back past the start are computed from the steps available).
    """

    def __init__(self, X, rows, t0, t1, overlap, padded, scratch):
        self._scratch = scratch
        if t0 >= overlap and not padded and X.dtype == np.float64:
            values = X[rows, t0 - overlap : t1]  # a view: no copy needed
        else:
            start = max(t0 - overlap, 0)
            values = self._buffer("values", (rows.stop - rows.start, overlap + t1 - t0, X.shape[2]))
            values[:, : overlap - (t0 - start)] = 0.0
            values[:, overlap - (t0 - start) :] = X[rows, start:t1]
            if padded:
                np.nan_to_num(values, copy=False, nan=0.0)  # padding: never read
        self.values = values
        self.overlap = overlap
        self.t0 = t0
        self.n_steps = t1 - t0
        self._powers = {}

    def _buffer(self, key, shape):
        """A work array for ``key``, reused by the next block when shapes match."""
        buffer = self._scratch.get(key)
        if buffer is None or buffer.shape != shape:
            buffer = self._scratch[key] = np.empty(shape)
        return buffer

    def compute(self, w, stat, ddof, out, window):
        """Write statistic ``stat`` over windows of ``w`` steps into ``out``.

        ``window`` is the window asked for, which is ``w`` unless it exceeds the
        rows (only the weights of ``"wma"`` depend on it).
        """
        if out.dtype != np.float64:  # float32 output: compute in float64, then cast
            result = np.empty(out.shape)
            self._compute(w, stat, ddof, result, window)
            out[...] = result
        else:
            self._compute(w, stat, ddof, out, window)

    def _compute(self, w, stat, ddof, out, window):
        # Steps whose window reaches back past the start of the row: only the
        # first block has them, and they use the first ``t + 1`` steps.
        n_head = max(0, min(w - 1 - self.t0, self.n_steps))
        if stat in ("mean", "sum"):
            self._window_sum("x", w, out)
            if stat == "mean":
                out *= 1.0 / w
                if n_head:
                    out[:, :n_head] *= w / np.arange(1, n_head + 1)[:, None]
        elif stat in ("std", "var"):
            self._variance(w, ddof, n_head, out)
            scale = self._shift_scale()
            if stat == "std":
                np.sqrt(out, out=out)
                if scale is not None:
                    out *= scale
            elif scale is not None:
                self._undo_scale_of_variance(out, scale)
        elif stat in ("min", "max"):
            self._window_extreme(stat, w, out)
            if n_head:
                accumulate = np.minimum if stat == "min" else np.maximum
                head = self.values[:, self.overlap : self.overlap + n_head]
                accumulate.accumulate(head, axis=1, out=out[:, :n_head])
        elif stat == "wma":
            self._weighted_mean(w, window, n_head, out)
        else:
            q = 0.5 if stat == "median" else float(stat[1:])
            self._quantile(w, q, n_head, out)

    # Window sums and extremes by doubling.

    def _power(self, source, k, op):
        """``P[:, j] = op over source[:, j : j + k]`` for a power of two ``k``."""
        key = (source, k, op)
        if key not in self._powers:
            if k == 1:
                self._powers[key] = self._source(source)
            else:
                half = self._power(source, k // 2, op)
                shape = (half.shape[0], half.shape[1] - k // 2, half.shape[2])
                buffer = self._buffer(key, shape)
                self._powers[key] = op(half[:, : -(k // 2)], half[:, k // 2 :], out=buffer)
        return self._powers[key]

    def _source(self, name):
        if name == "x":
            return self.values
        if name == "dx":  # values minus a per-row reference, for the variance
            return self._shifted()
        dx = self._power("dx", 1, np.add)
        return np.multiply(dx, dx, out=self._buffer("dx2", dx.shape))

    def _shifted(self):
        reference = self.values[:, self.overlap : self.overlap + 1]
        shifted = np.subtract(self.values, reference, out=self._buffer("dx", self.values.shape))
        if self.t0 < self.overlap:
            shifted[:, : self.overlap - self.t0] = 0.0
        self._scale = None
        with np.errstate(over="ignore"):
            overflows = not np.isfinite(sum_of_squares(shifted))
        if overflows:
            # Squares of values near 1e200 overflow: each row and channel is
            # divided by a power of two near its largest deviation (exact), and
            # the statistics scaled back after the square root.
            peak = np.abs(shifted).max(axis=1, keepdims=True)
            self._scale = np.exp2(np.round(np.log2(np.where(peak > 0, peak, 1.0))))
            shifted /= self._scale
        return shifted

    def _shift_scale(self):
        """The per-row, per-channel divisor of the shifted values, or None (not scaled)."""
        self._power("dx", 1, np.add)
        return self._scale

    def _undo_scale_of_variance(self, out, scale):
        with np.errstate(over="ignore"):  # checked by RollingStatistics._check_variance
            out *= scale
            out *= scale

    def _window_sum(self, source, w, out):
        first = self.overlap - w + 1
        parts, offset = [], 0
        for bit in reversed(range(w.bit_length())):
            k = 1 << bit
            if w & k:
                power = self._power(source, k, np.add)
                parts.append(power[:, first + offset : first + offset + self.n_steps])
                offset += k
        if len(parts) == 1:
            np.copyto(out, parts[0])
            return
        np.add(parts[0], parts[1], out=out)
        for part in parts[2:]:
            out += part

    def _window_extreme(self, stat, w, out):
        op = np.minimum if stat == "min" else np.maximum
        k = 1 << (w.bit_length() - 1)
        power = self._power("x", k, op)
        first = self.overlap - w + 1
        n = self.n_steps
        op(power[:, first : first + n], power[:, first + w - k : first + w - k + n], out=out)

    def _variance(self, w, ddof, n_head, out):
        total = self._buffer("total", out.shape)
        self._window_sum("dx", w, total)
        self._window_sum("dx2", w, out)
        counts = np.full(self.n_steps, float(w))
        counts[:n_head] = np.arange(1, n_head + 1)
        counts = counts[:, None]
        total *= total
        total /= counts
        out -= total
        np.maximum(out, 0.0, out=out)  # rounding can leave tiny negative values
        with np.errstate(divide="ignore", invalid="ignore"):
            out /= np.where(counts > ddof, counts - ddof, np.nan)

    # Order statistics, weighted and exponential means.

    def _quantile(self, w, q, n_head, out):
        position = q * (w - 1)
        low = int(np.floor(position))
        frac = position - low
        out[:] = self._order_statistic(low, w)
        if frac > 0:
            high = self._order_statistic(low + 1, w)
            high -= out
            high *= frac
            out += high
        for t in range(n_head):
            head = self.values[:, self.overlap : self.overlap + t + 1]
            out[:, t] = np.quantile(head, q, axis=1)

    def _order_statistic(self, rank, w):
        """The ``rank``-th smallest of each trailing window, at the block's steps."""
        n_rows, length, n_channels = self.values.shape
        # One 1D filter over all lines end to end is ~3x faster than a 2D
        # filter along axis 1; the windows used never cross two lines, because
        # each line starts with ``overlap`` steps of history.
        lines = np.ascontiguousarray(np.moveaxis(self.values, 2, 1)).reshape(-1)
        ranked = ndimage.rank_filter(lines, rank, size=w).reshape(n_rows, n_channels, length)
        first = self.overlap - (w - 1) // 2  # rank_filter's windows are centred
        return np.moveaxis(ranked, 1, 2)[:, first : first + self.n_steps]

    def _weighted_mean(self, w, window, n_head, out):
        weights = np.arange(window - w + 1.0, window + 1)  # oldest .. newest
        lag = (w - 1) // 2
        first = self.overlap - lag
        total = ndimage.correlate1d(self.values, weights, axis=1, mode="constant")
        out[:] = total[:, first : first + self.n_steps]
        norm = np.full(self.n_steps, weights.sum())
        norm[:n_head] = np.cumsum(weights[::-1])[:n_head]
        out /= norm[:, None]


def _exponential_mean(X, w, out):
    """Pandas' ``ewm(span=w, adjust=True).mean()`` along axis 1 of ``X``, into ``out``.

    The exact recurrence, run by ``lfilter`` on chunks of at most
    ``_EWM_CHUNK`` elements (and 1/8 of ``X``) with the filter state carried
    along time.
    """
    alpha = 2.0 / (w + 1.0)
    decay = 1.0 - alpha
    n_samples, n_timesteps, n_channels = X.shape
    # lfilter returns a new array: chunks of at most 1/8 of the data keep it small.
    chunk = min(_EWM_CHUNK, max(X.size // 8, 1 << 16))
    span = max(1, min(n_timesteps, chunk // n_channels))
    step = max(1, chunk // (span * n_channels))
    for r0 in range(0, n_samples, step):
        rows = slice(r0, min(r0 + step, n_samples))
        state = np.zeros((rows.stop - rows.start, 1, n_channels))
        for t0 in range(0, n_timesteps, span):
            x = X[rows, t0 : t0 + span].astype(np.float64, copy=False)
            # y[t] = alpha * x[t] + decay * y[t-1], from y[-1] = 0 ...
            out[rows, t0 : t0 + span], state = signal.lfilter(
                [alpha], [1.0, -decay], x, axis=1, zi=state
            )
    # ... divided by the sum of the weights seen, 1 - decay ** (t + 1), which
    # is 1 to machine precision after a few spans.
    n_fix = n_timesteps if decay == 0 else int(np.ceil(np.log(1e-17) / np.log(decay)))
    steps = np.arange(1, min(n_fix, n_timesteps) + 1)
    out[:, : steps.size] /= -np.expm1(steps * np.log(decay))[:, None] if decay > 0 else 1.0


def _check_windows(windows):
    values = np.atleast_1d(np.asarray(windows))
    if values.ndim != 1 or values.size == 0 or values.dtype.kind not in "iu":
        raise ValueError(
            f"windows must be a positive integer or a non-empty list of them; got {windows!r}."
        )
    if (values < 1).any():
        raise ValueError(f"windows must be positive; got {windows!r}.")
    if len(np.unique(values)) != len(values):
        raise ValueError(f"windows has repeated values: {windows!r}.")
    return values.astype(np.intp)


def _check_statistics(statistics):
    names = [statistics] if isinstance(statistics, str) else list(statistics)
    if not names:
        raise ValueError("statistics is empty; give at least one, e.g. ['mean'].")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"statistics must be strings; got {name!r}.")
        if name in _NAMED:
            continue
        match = _QUANTILE.match(name)
        if match is None or not 0.0 <= float(name[1:]) <= 1.0:
            raise ValueError(
                f"Unknown statistic {name!r}. Use one of {', '.join(_NAMED)} or 'q<p>' "
                "with p in [0, 1], e.g. 'q0.9'."
            )
    if len(set(names)) != len(names):
        raise ValueError(f"statistics has repeated values: {statistics!r}.")
    return names
