"""Structural time-series model (level, trend, seasonal) on a panel of sequences."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from ..utils._compat import Interval, StrOptions
from ._base import (
    LinearStateSpace,
    StatisticalForecasterMixin,
    append_continuation,
    fit_jointly,
    fit_single,
    overflow_scale,
    statsmodels_guard,
)

__all__ = ["StructuralRegressor"]

_LEVELS = {
    "irregular",
    "fixed intercept",
    "deterministic constant",
    "local level",
    "random walk",
    "fixed slope",
    "deterministic trend",
    "local linear deterministic trend",
    "random walk with drift",
    "local linear trend",
    "smooth trend",
    "random trend",
}


class StructuralRegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """Unobserved-components model (statsmodels ``UnobservedComponents``), Kalman filtered.

    Each row is read as level (+ trend) (+ seasonal) + noise, each component a
    random walk of its own; ``fit`` estimates the component variances,
    ``predict`` Kalman-filters each row's history with them and forecasts its
    next ``horizon`` values, as statsmodels' ``results.apply(row).get_forecast``
    would, for all rows at once.

    With one row the parameters are those of ``UnobservedComponents(row,
    ...).fit()``; with several they maximise the rows' summed exact
    log-likelihood (rows are independent realisations of one process).

    Parameters
    ----------
    level : str, default="local level"
        statsmodels' trend specification, e.g. ``"local level"``,
        ``"local linear trend"``, ``"random walk with drift"``, ``"smooth trend"``.
    seasonal_period : int or None, default=None
        Period of a stochastic seasonal component (dummy form), or none.
    horizon : int or None, default=None
        Steps to forecast; ``None`` takes it from ``y`` (1 without ``y``).
    maxiter : int, default=50
        Iterations of the likelihood optimiser.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        Component variances, in statsmodels' order (``param_names_``), of the
        rows divided by ``scale_``.
    param_names_ : list of str
    scale_ : float
        1.0, or for values beyond 1e100 in magnitude (whose squares overflow)
        the power of two the rows are divided by for estimation and
        filtering; forecasts and standard deviations are multiplied back.
    llf_ : float
        Log-likelihood of the rows themselves, summed over rows (with
        ``scale_``: the Jacobian ``n log(scale_)`` included).
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Notes
    -----
    ``y`` is the continuation of each row and is appended to it before
    estimation. The model is univariate: X must have one channel (for
    exogenous regressors use :class:`ARIMARegressor`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.statistical import StructuralRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4, 30)).cumsum(axis=1)
    >>> StructuralRegressor(horizon=2).fit(X).predict(X).shape
    (4, 2)
    """

    _parameter_constraints: dict = {
        "level": [StrOptions(_LEVELS)],
        "seasonal_period": [Interval(Integral, 2, None, closed="left"), None],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "maxiter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, level="local level", seasonal_period=None, horizon=None, maxiter=50):
        self.level = level
        self.seasonal_period = seasonal_period
        self.horizon = horizon
        self.maxiter = maxiter

    def _fit(self, X, lengths, y2d):
        endog, lengths = append_continuation(X, lengths, y2d)
        self.scale_ = overflow_scale(endog)
        endog = endog / self.scale_
        rows = "row 0" if len(endog) == 1 else f"rows 0..{len(endog) - 1}"
        what = f"{self._describe()} on {rows}"
        observed = np.arange(endog.shape[1]) < lengths[:, None]
        with statsmodels_guard(what):
            spec = self._model(endog[observed])
        if lengths.sum() <= len(spec.param_names):
            raise ValueError(
                f"The series is too short for {self._describe()}: {lengths.sum()} "
                f"observation(s) for {len(spec.param_names)} parameters."
            )
        with statsmodels_guard(what):
            if len(endog) == 1:
                params, llf = fit_single(spec, self.maxiter)
            else:
                model = self._model(np.zeros(endog.shape[1]))
                params, llf = fit_jointly(spec, model, endog, lengths, self.maxiter)
        # The likelihood of the rows themselves: the scaled rows' one plus the Jacobian.
        n_burned = spec.loglikelihood_burn * len(endog)
        llf -= float(lengths.sum() - n_burned) * np.log(self.scale_)
        self.params_, self.param_names_, self.llf_ = params, list(spec.param_names), llf
        self._engine = self._build_engine(self.n_features_in_ + self.horizon_)

    def _forecast(self, X, lengths, future_exog):
        engine = self._engine_for(X.shape[1] + self.horizon_)
        mean, std = engine.forecast(X[:, :, 0] / self.scale_, lengths, self.horizon_)
        return mean * self.scale_, std * self.scale_

    def _build_engine(self, n_timesteps):
        return LinearStateSpace(self._model(np.zeros(n_timesteps)), self.params_)

    def _model(self, endog):
        from statsmodels.tsa.statespace.structural import (  # noqa: PLC0415
            UnobservedComponents,
        )

        return UnobservedComponents(endog, level=self.level, seasonal=self.seasonal_period)

    def _describe(self):
        return f"StructuralRegressor(level={self.level!r}, seasonal_period={self.seasonal_period})"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A model of each row's own dynamics cannot fit the checks' i.i.d. rows.
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True
        return tags
