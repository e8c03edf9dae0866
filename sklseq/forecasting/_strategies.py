"""Multi-step strategies on windows, and forecasting from the end of one series.

:class:`RecursiveRegressor` and :class:`DirectRegressor` wrap any sklearn
regressor that maps a window ``(n_samples, window_size)`` to the next value;
they follow the panel contract (each row a window, predictions row by row), so
they work on the output of :func:`~sklseq.forecasting.make_windows`, in
pipelines and grid searches. :func:`forecast_from_end` turns a fitted model
and a series into the forecast that follows the series, on its time index.
"""

from numbers import Integral
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression
from sklearn.utils.validation import check_is_fitted

from ..preprocessing import inverse_difference
from ..utils import check_continuation_target, check_sequences, check_series
from ..utils._compat import HasMethods, Interval, _fit_context
from ..utils._transaction import transactional
from ._windows import _check_positive_int, last_window

__all__ = ["DirectRegressor", "RecursiveRegressor", "forecast_from_end"]


class _WindowRegressor(RegressorMixin, BaseEstimator):
    """Shared validation: equal-length windows, target shape, output shape."""

    _y_was_2d: bool
    horizon_: int

    def _check_windows(self, X: Any, reset: bool) -> NDArray[Any]:
        X, lengths = check_sequences(X, estimator=self, reset=reset)
        if (lengths != X.shape[1]).any():
            row = int(np.argmax(lengths != X.shape[1]))
            raise ValueError(
                f"Row {row} of X has {lengths[row]} steps but the windows have "
                f"{X.shape[1]}; {type(self).__name__} needs windows of one size "
                "(see make_windows)."
            )
        return X

    def _shape_output(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        if values.shape[1] == 1 and not self._y_was_2d:
            return values[:, 0]
        return values

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


class RecursiveRegressor(_WindowRegressor):
    """Multi-step forecasts by feeding one-step forecasts back into the window.

    One regressor learns the next value from a window. For ``h`` steps it
    predicts one step, appends the prediction to the window, drops the oldest
    value, and repeats.

    Parameters
    ----------
    estimator : regressor, default=None
        Maps ``(n_samples, window_size)`` windows to the next value;
        ``None`` means ``LinearRegression()``.
    horizon : int or None, default=None
        Steps to forecast; ``None`` takes it from ``y`` (1 for 1D ``y``).

    Attributes
    ----------
    estimator_ : regressor
        The fitted one-step regressor.
    horizon_ : int
    n_features_in_ : int
        The window size.

    Notes
    -----
    With ``y`` of shape ``(n_samples, h)``, every column is a one-step example:
    the window slides over ``[X[i], y[i]]``, so the regressor sees ``h`` times
    as many examples. Only univariate windows can be extended recursively; for
    windows with exogenous channels use :class:`DirectRegressor`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.forecasting import RecursiveRegressor, make_windows
    >>> X, y = make_windows(np.arange(20.0), window_size=3)
    >>> model = RecursiveRegressor(horizon=3).fit(X, y)
    >>> model.predict([[17.0, 18.0, 19.0]]).round(6)
    array([[20., 21., 22.]])
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, estimator: Any = None, horizon: int | None = None) -> None:
        self.estimator = estimator
        self.horizon = horizon

    @transactional
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: ArrayLike) -> Self:
        """Fit the one-step regressor on the windows and their continuations.

        Parameters
        ----------
        X : array-like of shape (n_samples, window_size)
            Windows, oldest to newest.
        y : array-like of shape (n_samples,) or (n_samples, horizon)
            The values after each window.

        Returns
        -------
        self : RecursiveRegressor
        """
        X = self._univariate(self._check_windows(X, reset=True))
        y2d, self.horizon_, self._y_was_2d = check_continuation_target(
            y, len(X), self.horizon, estimator=self
        )
        window_size = X.shape[1]
        extended = np.concatenate([X, y2d], axis=1)
        windows = sliding_window_view(extended, window_size, axis=1)[:, : y2d.shape[1]]
        inputs = windows.reshape(-1, window_size)
        targets = y2d.reshape(-1)
        estimator = LinearRegression() if self.estimator is None else self.estimator
        self.estimator_ = clone(estimator).fit(inputs, targets)
        return self

    def predict(self, X: Any) -> NDArray[np.float64]:
        """Forecast ``horizon_`` steps after each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, window_size)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, horizon_)
        """
        check_is_fitted(self)
        window = self._univariate(self._check_windows(X, reset=False)).copy()
        forecasts = np.empty((len(window), self.horizon_))
        for step in range(self.horizon_):
            forecasts[:, step] = np.ravel(self.estimator_.predict(window))
            window = np.concatenate([window[:, 1:], forecasts[:, step : step + 1]], axis=1)
        return self._shape_output(forecasts)

    def _univariate(self, X: NDArray[Any]) -> NDArray[Any]:
        if X.shape[2] != 1:
            raise ValueError(
                f"RecursiveRegressor needs univariate windows; X has {X.shape[2]} channels, "
                "whose future values are unknown. Use DirectRegressor for exogenous channels."
            )
        return X[:, :, 0]


class DirectRegressor(_WindowRegressor):
    """Multi-step forecasts with one regressor per step ahead.

    Parameters
    ----------
    estimator : regressor, default=None
        Cloned once per step; ``None`` means ``LinearRegression()``. Multichannel
        windows ``(n_samples, window_size, n_channels)`` are flattened to
        ``(n_samples, window_size * n_channels)`` for it.
    horizon : int or None, default=None
        Steps to forecast; must match the columns of ``y`` (``None``: take them from ``y``).

    Attributes
    ----------
    estimators_ : list of regressors
        ``estimators_[h]`` forecasts ``h + 1`` steps ahead.
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.forecasting import DirectRegressor, make_windows
    >>> X, y = make_windows(np.arange(20.0), window_size=3, horizon=2)
    >>> DirectRegressor().fit(X, y).predict([[17.0, 18.0, 19.0]]).round(6)
    array([[20., 21.]])
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, estimator: Any = None, horizon: int | None = None) -> None:
        self.estimator = estimator
        self.horizon = horizon

    @transactional
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: ArrayLike) -> Self:
        """Fit one regressor per step ahead.

        Parameters
        ----------
        X : array-like of shape (n_samples, window_size) or (n_samples, window_size, n_channels)
        y : array-like of shape (n_samples,) or (n_samples, horizon)

        Returns
        -------
        self : DirectRegressor
        """
        X = self._check_windows(X, reset=True)
        y2d, self.horizon_, self._y_was_2d = check_continuation_target(
            y, len(X), self.horizon, estimator=self
        )
        if y2d.shape[1] != self.horizon_:
            raise ValueError(
                f"DirectRegressor needs y with horizon={self.horizon_} columns, one per "
                f"step ahead; y has {y2d.shape[1]}."
            )
        flat = X.reshape(len(X), -1)
        estimator = LinearRegression() if self.estimator is None else self.estimator
        self.estimators_ = [clone(estimator).fit(flat, y2d[:, h]) for h in range(self.horizon_)]
        return self

    def predict(self, X: Any) -> NDArray[np.float64]:
        """Forecast each step ahead with its own regressor.

        Parameters
        ----------
        X : array-like of shape (n_samples, window_size) or (n_samples, window_size, n_channels)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, horizon_)
        """
        check_is_fitted(self)
        X = self._check_windows(X, reset=False)
        flat = X.reshape(len(X), -1)
        forecasts = np.column_stack([np.ravel(est.predict(flat)) for est in self.estimators_])
        return self._shape_output(forecasts)


def forecast_from_end(
    model: Any,
    series: ArrayLike | pd.Series | pd.DataFrame,
    window_size: int,
    *,
    exog: ArrayLike | None = None,
    differences: int = 0,
) -> NDArray[np.float64] | pd.Series:
    """Forecast the values that follow a series with a model fitted on its windows.

    Parameters
    ----------
    model : fitted regressor
        Fitted on windows of ``series`` (after ``differences`` differences, when
        given), as :func:`make_windows` builds them; its ``predict`` returns the
        next value or the next ``horizon`` values of a window.
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), pandas Series or DataFrame
        The history to forecast from, oldest first.
    window_size : int
        The window size the model was fitted with. A statistical forecaster
        (``sklseq.statistical``) reads the whole history instead of the last
        window, as its model of the series' own dynamics needs (without
        ``exog``).
    exog : array-like of shape (n_timesteps, n_exog), default=None
        Exogenous series the model's windows included.
    differences : int, default=0
        Order of differencing the model was fitted on (windows of
        ``np.diff(series, n=differences)``); the forecast is integrated back to
        the scale of ``series`` from the end of its history.

    Returns
    -------
    forecast : ndarray of shape (horizon,) or pandas Series
        A pandas Series when ``series`` is pandas, indexed by the time steps that
        follow its index (same frequency for date and period indexes).

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.forecasting import DirectRegressor, make_windows
    >>> import pandas as pd
    >>> series = pd.Series(np.arange(20.0), index=pd.period_range("2020-01", periods=20, freq="M"))
    >>> X, y = make_windows(series, window_size=3, horizon=2)
    >>> model = DirectRegressor().fit(X, y)
    >>> forecast_from_end(model, series, window_size=3).round(6)
    2021-09    20.0
    2021-10    21.0
    Freq: M, dtype: float64
    """
    _check_positive_int(window_size, "window_size")
    if isinstance(differences, bool) or not isinstance(differences, Integral) or differences < 0:
        raise ValueError(f"differences must be a non-negative integer; got {differences!r}.")
    raw = check_series(series, "series")
    values = raw[:, 0]
    inputs = np.diff(raw, n=differences, axis=0)
    exog_tail = None
    if exog is not None:
        exog_values = check_series(exog, "exog")
        if len(exog_values) != len(raw):
            raise ValueError(
                f"exog has {len(exog_values)} time steps but series has {len(raw)}; "
                "they must be aligned."
            )
        exog_tail = exog_values[differences:]
    if exog is None and _models_whole_history(model):
        history = [inputs[:, 0] if inputs.shape[1] == 1 else inputs]
        forecast = np.ravel(model.predict(history))
    else:
        forecast = np.ravel(model.predict(last_window(inputs, window_size, exog=exog_tail)))
    if differences:
        forecast = _integrate(forecast, values, differences)
    if isinstance(series, (pd.Series, pd.DataFrame)):
        name = series.name if isinstance(series, pd.Series) else series.columns[0]
        return pd.Series(forecast, index=_future_index(series.index, len(forecast)), name=name)
    return forecast


def _models_whole_history(model: Any) -> bool:
    return getattr(model, "_forecasts_from_whole_history", False)


def _integrate(
    forecast: NDArray[np.float64], history: NDArray[np.float64], differences: int
) -> NDArray[np.float64]:
    """Undo ``differences`` orders of differencing, starting from the end of ``history``."""
    return inverse_difference(forecast, history, order=differences)


def _future_index(index: pd.Index, horizon: int) -> pd.Index:
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(start=index[-1], periods=horizon + 1, freq=index.freq)[1:]
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq is not None:
            return pd.date_range(start=index[-1], periods=horizon + 1, freq=freq)[1:]
    if isinstance(index, pd.RangeIndex) or pd.api.types.is_integer_dtype(index):
        step = index[-1] - index[-2] if len(index) > 1 else 1
        return pd.Index(index[-1] + step * np.arange(1, horizon + 1))
    raise ValueError(
        "Cannot extend the series' index: give it a frequency (e.g. series.asfreq('MS')) "
        "or an integer index."
    )
