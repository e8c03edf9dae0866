"""Simple forecasting baselines as estimators, to compare pipelines under one API.

Each forecasts the next ``horizon`` values of every row from that row alone.
``fit`` only estimates the spread of the one-step errors on the training rows
(pooled over rows, with ``y`` appended as each row's continuation), which the
prediction intervals use; the linear trend estimates it per row instead.
"""

from numbers import Integral
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin

from ..utils import check_sequences
from ..utils._compat import Interval, _fit_context
from ..utils._transaction import transactional
from ._base import StatisticalForecasterMixin, append_continuation

__all__ = [
    "LastValueRegressor",
    "LinearTrendRegressor",
    "MovingAverageRegressor",
    "SeasonalNaiveRegressor",
]


class _BaselineRegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """Shared fit: validation, target contract, pooled one-step error spread."""

    @_fit_context(prefer_skip_nested_validation=True)
    @transactional
    def fit(self, X: Any, y: ArrayLike | None = None) -> Self:
        """Estimate the spread of one-step errors on the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            Training histories; the forecast series is ``target_channel``.
        y : array-like of shape (n_samples,) or (n_samples, horizon), default=None
            Continuation of each row, appended to it before estimating the spread.

        Returns
        -------
        self
        """
        X, lengths = check_sequences(
            X,
            estimator=self,
            reset=True,
            min_length=self._min_predict_length(),
            length_reason=self._length_reason(),
        )
        if self.target_channel >= X.shape[2]:
            raise ValueError(
                f"target_channel={self.target_channel} but X has {X.shape[2]} channel(s)."
            )
        self.horizon_, y2d = self._check_target(y, X, lengths)
        series, lengths = append_continuation(
            X[:, :, [self.target_channel]], lengths, y2d
        )
        self._fit_spread(series)
        return self

    def _forecast(self, X, lengths, future_exog):
        series = X[:, :, self.target_channel]
        mean = self._point_forecast(series, lengths)
        steps = np.arange(1, self.horizon_ + 1)
        std = np.broadcast_to(self.sigma_ * self._std_multiplier(steps), mean.shape)
        return mean, np.array(std)

    def _fit_spread(self, series):
        """``sigma_``: root mean square of the in-sample one-step errors, all rows pooled.

        ``series`` is NaN after each row's end, so errors there are NaN and dropped.
        """
        errors = self._one_step_errors(series)
        errors = errors[np.isfinite(errors)]
        self.sigma_ = float(np.sqrt(np.mean(errors**2))) if errors.size else np.nan

    def _length_reason(self):
        return f"{type(self).__name__}"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Baselines ignore the cross-sectional signal the checks' i.i.d. data carries.
        tags.regressor_tags.poor_score = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


def _last_values(series, lengths, k):
    """``(n_samples, k)``: the last ``k`` observed values of each row, oldest first."""
    columns = lengths[:, None] - k + np.arange(k)
    return np.take_along_axis(series, columns, axis=1)


class LastValueRegressor(_BaselineRegressor):
    """Naive forecast: every future value equals the last observed one.

    Parameters
    ----------
    horizon : int or None, default=None
        Steps to forecast; ``None`` takes it from ``y`` (1 without ``y``).
    target_channel : int, default=0
        Channel forecast from 3D input.

    Attributes
    ----------
    sigma_ : float
        Root mean square of the one-step changes on the training rows;
        the ``h``-step forecast std is ``sigma_ * sqrt(h)`` (random walk).
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Examples
    --------
    >>> from sklseq.statistical import LastValueRegressor
    >>> LastValueRegressor(horizon=2).fit([[1.0, 2.0, 4.0]]).predict([[1.0, 2.0, 4.0]])
    array([[4., 4.]])
    """

    _parameter_constraints: dict = {
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "target_channel": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, horizon=None, target_channel=0):
        self.horizon = horizon
        self.target_channel = target_channel

    def _point_forecast(self, series, lengths):
        return np.repeat(_last_values(series, lengths, 1), self.horizon_, axis=1)

    def _one_step_errors(self, series):
        return np.diff(series, axis=1)

    def _std_multiplier(self, steps):
        return np.sqrt(steps)


class SeasonalNaiveRegressor(_BaselineRegressor):
    """Seasonal naive forecast: the value one season earlier.

    Parameters
    ----------
    seasonal_period : int, default=1
        Period ``m`` (e.g. 12 for monthly data); 1 is the naive forecast.
    horizon : int or None, default=None
        Steps to forecast; None takes them from ``y`` at fit (one when ``y`` is None).
    target_channel : int, default=0
        Channel of ``X`` that is forecast.

    Attributes
    ----------
    sigma_ : float
        Root mean square of the seasonal differences on the training rows; the
        ``h``-step std is ``sigma_ * sqrt(floor((h - 1) / m) + 1)``.
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Examples
    --------
    >>> from sklseq.statistical import SeasonalNaiveRegressor
    >>> X = [[1.0, 2.0, 3.0, 4.0]]
    >>> SeasonalNaiveRegressor(seasonal_period=2, horizon=3).fit(X).predict(X)
    array([[3., 4., 3.]])
    """

    _parameter_constraints: dict = {
        "seasonal_period": [Interval(Integral, 1, None, closed="left")],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "target_channel": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, seasonal_period=1, horizon=None, target_channel=0):
        self.seasonal_period = seasonal_period
        self.horizon = horizon
        self.target_channel = target_channel

    def _point_forecast(self, series, lengths):
        last_season = _last_values(series, lengths, self.seasonal_period)
        return last_season[:, np.arange(self.horizon_) % self.seasonal_period]

    def _one_step_errors(self, series):
        return series[:, self.seasonal_period :] - series[:, : -self.seasonal_period]

    def _std_multiplier(self, steps):
        return np.sqrt((steps - 1) // self.seasonal_period + 1)

    def _min_predict_length(self):
        return self.seasonal_period

    def _length_reason(self):
        return f"seasonal_period={self.seasonal_period}"


class MovingAverageRegressor(_BaselineRegressor):
    """Every future value equals the mean of the last ``window`` values.

    Parameters
    ----------
    window : int or None, default=None
        Number of latest values averaged; ``None``: the whole row (the "mean
        method").
    horizon : int or None, default=None
        Steps to forecast; None takes them from ``y`` at fit (one when ``y`` is None).
    target_channel : int, default=0
        Channel of ``X`` that is forecast.

    Attributes
    ----------
    sigma_ : float
        Root mean square of the in-sample one-step errors; the forecast std is
        ``sigma_`` at every step (the errors of a local mean, as for a level
        that does not drift).
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Examples
    --------
    >>> from sklseq.statistical import MovingAverageRegressor
    >>> X = [[1.0, 2.0, 3.0, 7.0]]
    >>> MovingAverageRegressor(window=2).fit(X).predict(X)
    array([5.])
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "target_channel": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, window=None, horizon=None, target_channel=0):
        self.window = window
        self.horizon = horizon
        self.target_channel = target_channel

    def _point_forecast(self, series, lengths):
        if self.window is None:
            mean = np.nansum(series, axis=1, keepdims=True) / lengths[:, None]
        else:
            mean = _last_values(series, lengths, self.window).mean(axis=1, keepdims=True)
        return np.repeat(mean, self.horizon_, axis=1)

    def _one_step_errors(self, series):
        n_timesteps = series.shape[1]
        cumulative = np.concatenate([np.zeros((len(series), 1)), series.cumsum(axis=1)], axis=1)
        if self.window is None:
            # Mean of steps 0..t-1 forecasts step t.
            means = cumulative[:, 1:n_timesteps] / np.arange(1, n_timesteps)
            return series[:, 1:] - means
        means = (cumulative[:, self.window :] - cumulative[:, : -self.window]) / self.window
        return series[:, self.window :] - means[:, :-1]

    def _std_multiplier(self, steps):
        return np.ones(len(steps))

    def _min_predict_length(self):
        return self.window or 1

    def _length_reason(self):
        return f"window={self.window}"


class LinearTrendRegressor(_BaselineRegressor):
    """Least-squares line through the last ``window`` values of each row, extrapolated.

    Parameters
    ----------
    window : int or None, default=None
        Number of latest values the line is fitted to; ``None``: the whole row.
    horizon : int or None, default=None
        Steps to forecast; None takes them from ``y`` at fit (one when ``y`` is None).
    target_channel : int, default=0
        Channel of ``X`` that is forecast.

    Attributes
    ----------
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Notes
    -----
    The forecast std is the ordinary least-squares prediction std of each row's
    own line, ``s * sqrt(1 + 1/n + (t - mean(t))**2 / sum((t_i - mean(t))**2))``,
    with ``s`` the residual std on ``n - 2`` degrees of freedom; it is NaN for
    rows of 2 values, where ``s`` is undefined. ``fit`` only records shapes.

    Examples
    --------
    >>> from sklseq.statistical import LinearTrendRegressor
    >>> X = [[1.0, 3.0, 5.0]]
    >>> LinearTrendRegressor(horizon=2).fit(X).predict(X)
    array([[7., 9.]])
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 2, None, closed="left"), None],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "target_channel": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, window=None, horizon=None, target_channel=0):
        self.window = window
        self.horizon = horizon
        self.target_channel = target_channel

    def _forecast(self, X, lengths, future_exog):
        series = X[:, :, self.target_channel]
        n_points = lengths if self.window is None else np.minimum(lengths, self.window)
        mean, std = self._line(series, lengths, n_points, self.horizon_)
        return mean, std

    def _fit_spread(self, series):
        """Nothing to pool: each row's own residuals give its forecast std."""

    def _line(self, series, lengths, n_points, horizon):
        """OLS line per row on its last ``n_points`` values: forecasts and their std."""
        n_timesteps = series.shape[1]
        # Position of each step relative to the start of the row's fitting window.
        start = lengths - n_points
        t = np.arange(n_timesteps)[None, :] - start[:, None]
        in_window = (t >= 0) & (t < n_points[:, None])
        values = np.where(in_window, series, 0.0)
        t_mean = (n_points - 1) / 2
        centred = np.where(in_window, t - t_mean[:, None], 0.0)
        sxx = (centred**2).sum(axis=1)
        slope = (centred * values).sum(axis=1) / sxx
        intercept = values.sum(axis=1) / n_points - slope * t_mean
        future_t = n_points[:, None] + np.arange(horizon)
        mean = intercept[:, None] + slope[:, None] * future_t
        fitted = intercept[:, None] + slope[:, None] * t
        ssr = (np.where(in_window, series - fitted, 0.0) ** 2).sum(axis=1)
        dof = n_points - 2
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = np.where(dof > 0, ssr / np.maximum(dof, 1), np.nan)
        leverage = 1 / n_points[:, None] + (future_t - t_mean[:, None]) ** 2 / sxx[:, None]
        std = np.sqrt(s2[:, None] * (1 + leverage))
        return mean, std

    def _min_predict_length(self):
        return 2

    def _length_reason(self):
        return "a line"
