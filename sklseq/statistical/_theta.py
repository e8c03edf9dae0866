"""The Theta method on a panel of sequences (Assimakopoulos & Nikolopoulos, 2000)."""

from numbers import Integral

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm
from sklearn.base import BaseEstimator, RegressorMixin

from ..utils._compat import Interval, StrOptions
from ._base import StatisticalForecasterMixin, append_continuation, overflow_scale
from ._theta_core import compiled

__all__ = ["ThetaRegressor"]

# statsforecast's bounds for the smoothing parameter and theta.
_ALPHA_BOUNDS = (0.1, 0.99)
_THETA_BOUNDS = (1.0, 1e4)
# L-BFGS-B's default finite-difference step (its ``eps``).
_STEP = 1e-8
# STM, OTM, DSTM, DOTM (Fiorucci et al., 2016), in AutoTheta's order.
_MODEL_NAMES = ("standard", "optimized", "dynamic_standard", "dynamic_optimized")


class ThetaRegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """Theta forecaster: the standard, optimised and dynamic Theta models, or the best of them.

    The state-space Theta models of Fiorucci et al. (2016), as statsforecast's
    ``Theta`` / ``OptimizedTheta`` / ``DynamicTheta`` /
    ``DynamicOptimizedTheta`` / ``AutoTheta``: simple exponential smoothing
    plus ``(1 - 1/theta)`` times a least-squares line of the row. The static
    models (STM, OTM) take the line of the whole row; the dynamic ones (DSTM,
    DOTM) the line of the values seen so far, updated at each step and, while
    forecasting, with each forecast. The standard models fix ``theta = 2``
    (the static one is SES with drift, Hyndman & Billah, 2003); the optimised
    ones estimate it. Rows whose autocorrelation at the seasonal lag is
    significant (90% one-sided test, as statsforecast) are seasonally adjusted
    first by a classical multiplicative decomposition (additive when the row
    is not positive) and reseasonalised after.

    ``fit`` estimates ``alpha`` (and ``theta``) by least squares of the
    one-step errors from the fourth step on (statsforecast's objective),
    summed over rows; each row's initial level is the least-squares one given
    them, in ``fit`` and in ``predict`` alike (with one row this is the joint
    minimum over level, ``alpha`` and ``theta``). With ``per_series=True``
    each row gets its own parameters, fitted in ``predict``.

    Parameters
    ----------
    model : {"standard", "optimized", "dynamic_standard", "dynamic_optimized", "auto"}, \
            default="standard"
        STM, OTM, DSTM, DOTM, or ``"auto"``: the one of the four with the
        lowest mean squared one-step error, as ``AutoTheta``.
    seasonal_period : int or None, default=None
        Season length for the seasonality test and decomposition.
    decomposition : {"multiplicative", "additive"}, default="multiplicative"
    horizon : int or None, default=None
        Steps to forecast; ``None`` takes it from ``y`` (1 without ``y``).
    per_series : bool, default=False
        Fit one model per row in ``predict``.
    n_jobs : int or None, default=None
        joblib workers over rows with ``per_series=True``.

    Attributes
    ----------
    model_ : str
        ``"standard"``, ``"optimized"``, ``"dynamic_standard"`` or
        ``"dynamic_optimized"``.
    alpha_, theta_ : float
    mse_ : float
        Mean squared one-step error of the fit from the fourth step of each
        row on (seasonally adjusted, divided by ``scale_``).
    sigma2_ : float
        Innovation variance used for the intervals (of the rows divided by
        ``scale_``).
    scale_ : float
        1.0, or for values beyond 1e100 in magnitude (whose squares overflow)
        the power of two the rows are divided by; forecasts and standard
        deviations are multiplied back.
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Notes
    -----
    Forecast standard deviations are those of SES with drift,
    ``sigma * sqrt(1 + (h - 1) alpha**2)``, times the seasonal index for
    multiplicatively adjusted rows, for the dynamic models too
    (statsforecast simulates theirs). Rows of three steps or fewer count every
    step's error.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.statistical import ThetaRegressor
    >>> t = np.arange(60)
    >>> series = 50 + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12) + np.cos(7 * t)
    >>> model = ThetaRegressor(seasonal_period=12, horizon=3).fit(series[None])
    >>> model.predict(series[None]).shape
    (1, 3)
    >>> auto = ThetaRegressor(model="auto", horizon=3).fit(series[None])
    >>> auto.model_ in ("standard", "optimized", "dynamic_standard", "dynamic_optimized")
    True
    """

    _parameter_constraints: dict = {
        "model": [StrOptions({*_MODEL_NAMES, "auto"})],
        "seasonal_period": [Interval(Integral, 2, None, closed="left"), None],
        "decomposition": [StrOptions({"multiplicative", "additive"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "per_series": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        model="standard",
        seasonal_period=None,
        decomposition="multiplicative",
        horizon=None,
        per_series=False,
        n_jobs=None,
    ):
        self.model = model
        self.seasonal_period = seasonal_period
        self.decomposition = decomposition
        self.horizon = horizon
        self.per_series = per_series
        self.n_jobs = n_jobs

    def _fit(self, X, lengths, y2d):
        endog, lengths = append_continuation(X, lengths, y2d)
        self.scale_ = overflow_scale(endog)
        adjusted, _ = self._adjust(endog / self.scale_, lengths)
        candidates = _MODEL_NAMES if self.model == "auto" else [self.model]
        best = None
        for name in candidates:
            alpha, theta, mse = _fit_theta(adjusted, lengths, name)
            if best is None or mse < best[3]:
                best = (name, alpha, theta, mse)
        self.model_, self.alpha_, self.theta_, self.mse_ = best
        n_obs = int(_counted(lengths).sum())
        n_params = 2 + self.model_.endswith("optimized")
        self.sigma2_ = self.mse_ * n_obs / max(n_obs - n_params, 1)

    def _forecast(self, X, lengths, future_exog):
        Y = X[:, :, 0] / self.scale_
        adjusted, seasonal = self._adjust(Y, lengths)
        horizon = self.horizon_
        fit = _MODELS[self.model_][1](adjusted, lengths, self.alpha_, self.theta_)
        mean = fit.forecast(horizon)
        steps = np.arange(horizon)
        std = np.sqrt(self.sigma2_ * (1 + steps * self.alpha_**2))
        std = np.broadcast_to(std, mean.shape).copy()
        for i, (factors, multiplicative) in seasonal.items():
            future = factors[(lengths[i] + steps) % len(factors)]
            if multiplicative:
                mean[i] *= future
                std[i] *= future
            else:
                mean[i] += future
        return mean * self.scale_, std * self.scale_

    def _multiplicative(self, row):
        return self.decomposition == "multiplicative" and bool((row > 0).all())

    def _adjust(self, Y, lengths):
        """Seasonally adjusted rows and ``{row: (factors by season position, multiplicative)}``."""
        m = self.seasonal_period
        adjusted = Y.copy()
        seasonal = {}
        if not m or m < 4:
            return adjusted, seasonal
        for i in range(len(Y)):
            row = Y[i, : lengths[i]]
            if len(row) < 2 * m or not _seasonal(row, m):
                continue
            multiplicative = self._multiplicative(row)
            factors = _classical_factors(row, m, multiplicative)
            if multiplicative and (factors < 0.01).any():
                multiplicative = False
                factors = _classical_factors(row, m, False)
            positions = np.arange(len(row)) % m
            if multiplicative:
                adjusted[i, : len(row)] = row / factors[positions]
            else:
                adjusted[i, : len(row)] = row - factors[positions]
            seasonal[i] = (factors, multiplicative)
        return adjusted, seasonal

    def _min_predict_length(self):
        return 2

    def _length_reason(self):
        return "ThetaRegressor (a level and a line)"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A model of each row's own dynamics cannot fit the checks' i.i.d. rows.
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True
        return tags


def _seasonal(row, m):
    """Whether the lag-``m`` autocorrelation passes its 90% one-sided bound (statsforecast)."""
    from statsmodels.tsa.stattools import acf  # noqa: PLC0415

    if np.ptp(row) == 0:
        return False
    r = acf(row / overflow_scale(row), nlags=m, fft=False)[1:]  # squares stay finite
    stat = np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(row))
    return bool(abs(r[-1]) / stat > norm.ppf(0.95))


def _classical_factors(row, m, multiplicative):
    """Seasonal factors of a classical decomposition, indexed by ``t % m``."""
    from statsmodels.tsa.seasonal import seasonal_decompose  # noqa: PLC0415

    model = "multiplicative" if multiplicative else "additive"
    return seasonal_decompose(row, model=model, period=m).seasonal[:m]


def _counted(lengths):
    """Steps whose one-step error counts: from the fourth on (every step of short rows)."""
    return np.where(lengths > 3, lengths - 3, lengths)


class _ThetaFit:
    """One Theta model's pass over rows at given ``alpha``, ``theta``.

    The level is SES's; the one-step forecast of step ``i`` (from 0) is
    ``level[i - 1] + (1 - 1/theta) * (A (1 - alpha)**i + B (1 - (1 - alpha)**(i + 1)) / alpha)``
    with ``A``, ``B`` the intercept and slope of a least-squares line on
    ``t = 1, 2, ...``: of the whole row (static), or of the values up to
    step ``i - 1`` (dynamic, statsforecast's recursive update). The level
    before the first step is each row's least-squares one given the errors
    that count (:func:`_counted`); errors are affine in it. The lines depend
    on the data only (:meth:`lines`), so a fit computes them once; the pass
    itself is :func:`._theta_core.theta_pass`.

    Attributes
    ----------
    sse : ndarray of shape (n_samples,)
        Squared one-step errors that count, summed per row.
    """

    def __init__(self, Y, lengths, alpha, theta, lines=None):
        lines = self.lines(Y, lengths) if lines is None else lines
        self.alpha, self.weight = alpha, 1 - 1 / theta
        self.lengths = lengths
        self.sse = np.empty(len(Y))
        self.level = np.empty(len(Y))
        intercepts, slopes = lines["before"]
        compiled("theta_pass")(
            lines["rows"], lines["lengths"], alpha, self.weight, intercepts, slopes,
            self.sse, self.level, np.empty(2 * Y.shape[1]),
        )  # fmt: skip
        self.line = lines["after"]

    @staticmethod
    def lines(Y, lengths):
        """``{"before": (A, B) per row and step, "after": (A, B, mean) after each row}``.

        Also the rows and lengths as the compiled pass takes them.
        """
        n_samples, n_steps = Y.shape
        t = np.arange(1, n_steps + 1, dtype=float)
        observed = t[None] <= lengths[:, None]
        y = np.where(observed, Y, 0.0)
        n = lengths.astype(float)
        t_mean = (n + 1) / 2
        y_mean = y.sum(axis=1) / n
        centred_t = np.where(observed, t[None] - t_mean[:, None], 0.0)
        denominator = (centred_t**2).sum(axis=1)
        slope = np.divide((centred_t * y).sum(axis=1), denominator,
                          out=np.zeros(n_samples), where=denominator > 0)  # fmt: skip
        intercept = y_mean - slope * t_mean
        before = (np.repeat(intercept[:, None], n_steps, axis=1),
                  np.repeat(slope[:, None], n_steps, axis=1))  # fmt: skip
        return {"before": before, "after": (intercept, slope, None), **_as_compiled(y, lengths)}

    def _drift(self, line, step):
        """``(1 - 1/theta)`` times the line's part of the forecast of ``step``."""
        intercept, slope = line[:2]
        decay = 1 - self.alpha
        return self.weight * (
            intercept * decay**step + slope * (1 - decay ** (step + 1)) / self.alpha
        )

    @staticmethod
    def _updated(line, step, value):
        return line

    def forecast(self, horizon):
        """Forecasts of the next ``horizon`` values of each row, ``(n_samples, horizon)``."""
        level, line = self.level, self.line
        mean = np.empty((len(level), horizon))
        for j in range(horizon):
            step = self.lengths + j
            mean[:, j] = level + self._drift(line, step)
            level = self.alpha * mean[:, j] + (1 - self.alpha) * level
            line = self._updated(line, step, mean[:, j])
        return mean


class _DynamicThetaFit(_ThetaFit):
    """The dynamic models: the line is refitted after each value (statsforecast's recursion)."""

    @staticmethod
    def lines(Y, lengths):
        rows = _as_compiled(Y, lengths)
        intercepts = np.empty(Y.shape)  # the line before each step
        slopes = np.empty(Y.shape)
        after = np.empty((len(Y), 3))
        compiled("dynamic_lines")(rows["rows"], rows["lengths"], intercepts, slopes, after)
        return {"before": (intercepts, slopes), "after": tuple(after.T), **rows}

    @staticmethod
    def _updated(line, step, value):
        """``(A, B, mean)`` after ``value`` at ``step`` (from 0): the least-squares line so far."""
        intercept, slope, mean = line
        new_mean = (step * mean + value) / (step + 1)
        new_slope = ((step - 1) * slope + 6 * (value - mean) / (step + 1)) / (step + 2)
        return new_mean - new_slope * (step + 2) / 2, new_slope, new_mean


def _as_compiled(Y, lengths):
    """The rows (zero after each length) and lengths as the compiled passes take them."""
    observed = np.arange(Y.shape[1]) < lengths[:, None]
    return {"rows": np.ascontiguousarray(np.where(observed, Y, 0.0), dtype=float),
            "lengths": np.ascontiguousarray(lengths, dtype=np.int64)}  # fmt: skip


# name: (theta estimated, pass over the rows)
_MODELS = {
    "standard": (False, _ThetaFit),
    "optimized": (True, _ThetaFit),
    "dynamic_standard": (False, _DynamicThetaFit),
    "dynamic_optimized": (True, _DynamicThetaFit),
}


def _fit_theta(Y, lengths, name):
    """``(alpha, theta, mse)`` minimising the mean squared one-step error of all rows."""
    optimise_theta, model = _MODELS[name]
    n_obs = _counted(lengths).sum()

    lines = model.lines(Y, lengths)

    def mse(params):
        theta = params[1] if optimise_theta else 2.0
        return model(Y, lengths, params[0], theta, lines).sse.sum() / n_obs

    if optimise_theta:
        start, bounds = [0.5, 2.0], [_ALPHA_BOUNDS, _THETA_BOUNDS]
    else:
        start, bounds = [0.5], [_ALPHA_BOUNDS]
    result = minimize(_with_gradient(mse, bounds), start, method="L-BFGS-B", jac=True,
                      bounds=bounds)  # fmt: skip
    alpha = float(result.x[0])
    theta = float(result.x[1]) if optimise_theta else 2.0
    return alpha, theta, float(result.fun)


def _with_gradient(objective, bounds):
    """``objective`` returning its value and L-BFGS-B's own finite-difference gradient.

    The same differences scipy takes by default (forward steps of
    ``_STEP``, backward where a forward one would leave the bounds), taken
    here because scipy's machinery around them cost more than the objective.
    """
    upper = np.array([bound[1] for bound in bounds])

    def value_and_gradient(x):
        value = objective(x)
        gradient = np.empty(len(x))
        for j in range(len(x)):
            moved = x.copy()
            moved[j] = x[j] + (_STEP if x[j] + _STEP <= upper[j] else -_STEP)
            gradient[j] = (objective(moved) - value) / (moved[j] - x[j])
        return value, gradient

    return value_and_gradient
