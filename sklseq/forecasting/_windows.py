"""From one long series to a panel of windows (SPEC section 2)."""

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from ..utils import check_series

__all__ = ["last_window", "make_windows"]


def make_windows(
    series: ArrayLike | pd.Series | pd.DataFrame,
    window_size: int,
    horizon: int = 1,
    stride: int = 1,
    exog: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64] | pd.Series | pd.DataFrame]:
    """Sliding windows of a series as inputs, the values after each window as targets.

    Windows are aligned to the end of the series: the last window's targets are
    the last ``horizon`` values, and earlier windows start ``stride`` steps
    apart going back in time (a leftover at the start is dropped).

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), pandas Series or DataFrame
        The series, oldest first. With several channels the first one is the
        target and every channel is an input.
    window_size : int
        Number of past steps in each window.
    horizon : int, default=1
        Number of future steps in each target.
    stride : int, default=1
        Steps between the starts of consecutive windows.
    exog : array-like of shape (n_timesteps,) or (n_timesteps, n_exog), default=None
        Exogenous series on the same time steps; its values over each window are
        added to the window as extra channels.

    Returns
    -------
    X : ndarray of shape (n_windows, window_size) or (n_windows, window_size, n_channels)
        Windows, each oldest to newest; 2D for a univariate series without exog.
    y : ndarray of shape (n_windows,) or (n_windows, horizon), or pandas Series / DataFrame
        Targets. For pandas input, ``y`` is a Series (``horizon=1``) or a
        DataFrame with columns ``"t+1"``..., indexed by the time of each
        window's first target, so the time index stays available.

    Examples
    --------
    >>> X, y = make_windows([100, 102, 101, 105], window_size=3)
    >>> X, y
    (array([[100., 102., 101.]]), array([105.]))
    >>> X, y = make_windows(range(6), window_size=2, horizon=2, stride=2)
    >>> X
    array([[0., 1.],
           [2., 3.]])
    >>> y
    array([[2., 3.],
           [4., 5.]])
    """
    index = series.index if isinstance(series, (pd.Series, pd.DataFrame)) else None
    values = check_series(series, "series")
    _check_positive_int(window_size, "window_size")
    _check_positive_int(horizon, "horizon")
    _check_positive_int(stride, "stride")
    inputs = _with_exog(values, exog)
    n_timesteps = len(values)
    span = window_size + horizon
    if n_timesteps < span:
        raise ValueError(
            f"series has {n_timesteps} time steps, too short for window_size={window_size} "
            f"plus horizon={horizon} (needs at least {span})."
        )
    n_windows = (n_timesteps - span) // stride + 1
    starts = n_timesteps - span - stride * np.arange(n_windows)[::-1]
    # sliding_window_view gives (n_positions, n_channels, window): a view, no copy.
    windows = sliding_window_view(inputs, window_size, axis=0)[starts]
    X = np.ascontiguousarray(windows.transpose(0, 2, 1))
    targets = sliding_window_view(values[:, 0], horizon)[starts + window_size]
    if X.shape[2] == 1:
        X = X[:, :, 0]
    y = targets[:, 0] if horizon == 1 else np.array(targets)
    if index is not None:
        target_index = index[starts + window_size]
        if horizon == 1:
            y = pd.Series(y, index=target_index, name=_target_name(series))
        else:
            columns = [f"t+{step}" for step in range(1, horizon + 1)]
            y = pd.DataFrame(y, index=target_index, columns=columns)
    return X, y


def last_window(
    series: ArrayLike | pd.Series | pd.DataFrame, window_size: int, exog: ArrayLike | None = None
) -> NDArray[np.float64]:
    """The last ``window_size`` steps of a series as a one-row panel.

    The input that forecasts the values right after the end of the series, shaped
    as :func:`make_windows` shapes its windows.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), pandas Series or DataFrame
        The series, oldest first.
    window_size : int
        Number of time steps in the window.
    exog : array-like of shape (n_timesteps,) or (n_timesteps, n_exog), default=None
        Exogenous channels aligned with ``series``, appended to its channels.

    Returns
    -------
    X : ndarray of shape (1, window_size) or (1, window_size, n_channels)

    Examples
    --------
    >>> last_window([1, 2, 3, 4], window_size=2)
    array([[3., 4.]])
    """
    values = check_series(series, "series")
    _check_positive_int(window_size, "window_size")
    values = _with_exog(values, exog)
    if len(values) < window_size:
        raise ValueError(
            f"series has {len(values)} time steps, fewer than window_size={window_size}."
        )
    window = values[-window_size:][None]
    return window[:, :, 0] if window.shape[2] == 1 else window


def _with_exog(values: NDArray[np.float64], exog: ArrayLike | None) -> NDArray[np.float64]:
    """``values`` with the exogenous channels appended; both must cover the same steps."""
    if exog is None:
        return values
    exog_values = check_series(exog, "exog")
    if len(exog_values) != len(values):
        raise ValueError(
            f"exog has {len(exog_values)} time steps but series has {len(values)}; "
            "they must be aligned."
        )
    return np.concatenate([values, exog_values], axis=1)


def _check_positive_int(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def _target_name(series: pd.Series | pd.DataFrame) -> Any:
    if isinstance(series, pd.Series):
        return series.name
    return series.columns[0]
