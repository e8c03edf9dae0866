"""Lagged values of each sequence, from its end or at every step."""
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..utils._compat import Interval
from ._base import SequenceTransformer, cache_blocks, check_lags

__all__ = ["LagFeatures"]


class LagFeatures(SequenceTransformer):
    """Values at chosen lags, counted back from the end of each sequence.

    Lag 0 is the last value of a sequence, lag 1 the one before, and so on;
    each row uses its own length, so variable-length rows give their own
    last values.

    Parameters
    ----------
    lags : int or list of int, default=1
        An int ``k`` takes lags ``0, 1, ..., k-1`` (the last ``k`` values, newest
        first); a list takes those lags (non-negative, in the order given).
    per_step : bool, default=False
        False: one row of lagged values per sequence, a 2D output. True: the
        lagged values at every step that has all of them (a lag embedding), a
        3D sequence output; step ``j`` of the output is step
        ``j + max(lags)`` of the input.

    Attributes
    ----------
    lags_ : ndarray of shape (n_lags,)
        The lags used.
    n_features_in_ : int
        Number of time steps seen at fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names (time steps) of a DataFrame given at fit.
    n_channels_in_ : int

    Notes
    -----
    Output shape: ``(n_samples, n_channels * n_lags)`` with ``per_step=False``;
    ``(n_samples, n_timesteps - max(lags), n_channels * n_lags)`` with
    ``per_step=True`` (variable-length rows are NaN right-padded). Columns go
    channel by channel, lags in the order given: ``"x0__lag_0"``,
    ``"x0__lag_1"``, ..., ``"x1__lag_0"``, ...

    Every sequence needs at least ``max(lags) + 1`` steps; a shorter one raises
    a ``ValueError`` naming its row.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.preprocessing import LagFeatures
    >>> X = np.array([[100.0, 102.0, 101.0, 105.0, 107.0]])
    >>> lags = LagFeatures(lags=[0, 1, 3]).fit(X)
    >>> lags.transform(X)
    array([[107., 105., 102.]])
    >>> lags.get_feature_names_out()
    array(['x0__lag_0', 'x0__lag_1', 'x0__lag_3'], dtype=object)
    >>> LagFeatures(lags=2).fit_transform([[1.0, 2.0, 3.0], [4.0, 5.0]])
    array([[3., 2.],
           [5., 4.]])
    >>> LagFeatures(lags=2, per_step=True).fit_transform(X)[0, :, :]
    array([[102., 100.],
           [101., 102.],
           [105., 101.],
           [107., 105.]])
    """

    _parameter_constraints: dict = {
        "lags": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "per_step": ["boolean"],
    }

    def __init__(self, lags: int | Sequence[int] = 1, per_step: bool = False) -> None:
        self.lags = lags
        self.per_step = per_step

    def _min_length(self) -> tuple[int, str]:
        max_lag = int(check_lags(self.lags).max())
        return max_lag + 1, f"lags up to {max_lag} (max(lags) + 1 steps)"

    def _fit(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> None:
        self.lags_ = check_lags(self.lags)

    def _transform(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        if self.per_step:
            return self._transform_per_step(X, lengths)
        n_samples, n_timesteps, n_channels = X.shape
        out = np.empty((n_samples, n_channels, len(self.lags_)), dtype=X.dtype)
        full_length = bool((lengths == n_timesteps).all())
        rows = None if full_length else np.arange(n_samples)
        # One pass per lag writes straight into the output: no temporaries.
        for i, lag in enumerate(self.lags_):
            if full_length:
                out[:, :, i] = X[:, n_timesteps - 1 - lag]
            else:
                out[:, :, i] = X[rows, lengths - 1 - lag]
        return out.reshape(n_samples, -1)

    def _transform_per_step(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        n_samples, n_timesteps, n_channels = X.shape
        max_lag = int(self.lags_.max())
        n_steps = n_timesteps - max_lag
        out = np.empty((n_samples, n_steps, n_channels, len(self.lags_)), dtype=X.dtype)
        # Output step j is input step j + max_lag; lag l reads input step j + max_lag - l.
        # Each lag writes every n_lags-th value: blocks of the output small enough
        # to stay in cache between the lags are written to memory once, not once per lag.
        for rows, t0, t1 in cache_blocks(out.shape, out.itemsize):
            for i, lag in enumerate(self.lags_):
                out[rows, t0:t1, :, i] = X[rows, t0 + max_lag - lag : t1 + max_lag - lag]
        if lengths.min() < n_timesteps:
            padding = np.arange(n_steps)[None, :] >= (lengths - max_lag)[:, None]
            out[padding] = np.nan
        return out.reshape(n_samples, n_steps, -1)

    def _feature_names_out(self, channels: list[str]) -> list[str]:
        return [f"{channel}__lag_{lag}" for channel in channels for lag in self.lags_]
