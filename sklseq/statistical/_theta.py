"""The Theta method on a panel of sequences (Assimakopoulos & Nikolopoulos, 2000)."""

from numbers import Integral

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm
from sklearn.base import BaseEstimator, RegressorMixin

from ..utils._compat import Interval, StrOptions
from ._base import StatisticalForecasterMixin, append_continuation

__all__ = ["ThetaRegressor"]

# statsforecast's bounds for the smoothing parameter and theta.
_ALPHA_BOUNDS = (0.1, 0.99)
_THETA_BOUNDS = (1.0, 1e4)


class ThetaRegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """Theta forecaster: the standard (STM) or optimised (OTM) Theta model, or the better.

    The state-space Theta models of Fiorucci et al. (2016), as statsforecast's
    ``Theta`` / ``OptimizedTheta`` / ``AutoTheta``: simple exponential
    smoothing plus ``(1 - 1/theta)`` times the least-squares line of the row.
    The standard model fixes ``theta = 2`` (SES with drift, Hyndman & Billah,
    2003); the optimised one estimates it. Rows whose autocorrelation at the
    seasonal lag is significant (90% one-sided test, as statsforecast) are
    seasonally adjusted first by a classical multiplicative decomposition
    (additive when the row is not positive) and reseasonalised after.

    ``fit`` estimates ``alpha`` (and ``theta``) by least squares of the
    one-step errors summed over rows; each row's initial level is the
    least-squares one given them, in ``fit`` and in ``predict`` alike (with
    one row this is the joint minimum over level, ``alpha`` and ``theta``).
    With ``per_series=True`` each row gets its own parameters, fitted in
    ``predict``.

    Parameters
    ----------
    model : {"standard", "optimized", "auto"}, default="standard"
        ``"auto"`` keeps the one with the lower mean squared one-step error,
        as ``AutoTheta`` among the static models.
    seasonal_periods : int or None, default=None
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
        ``"standard"`` or ``"optimized"``.
    alpha_, theta_ : float
    mse_ : float
        Mean squared one-step error of the fit (seasonally adjusted scale).
    sigma2_ : float
        Innovation variance used for the intervals.
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Notes
    -----
    Forecast standard deviations are those of SES with drift,
    ``sigma * sqrt(1 + (h - 1) alpha**2)``, times the seasonal index for
    multiplicatively adjusted rows. The dynamic Theta models (DSTM, DOTM) of
    ``AutoTheta`` are not offered.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.statistical import ThetaRegressor
    >>> t = np.arange(60)
    >>> series = 50 + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12) + np.cos(7 * t)
    >>> model = ThetaRegressor(seasonal_periods=12, horizon=3).fit(series[None])
    >>> model.predict(series[None]).shape
    (1, 3)
    """

    _parameter_constraints: dict = {
        "model": [StrOptions({"standard", "optimized", "auto"})],
        "seasonal_periods": [Interval(Integral, 2, None, closed="left"), None],
        "decomposition": [StrOptions({"multiplicative", "additive"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "per_series": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        model="standard",
        seasonal_periods=None,
        decomposition="multiplicative",
        horizon=None,
        per_series=False,
        n_jobs=None,
    ):
        self.model = model
        self.seasonal_periods = seasonal_periods
        self.decomposition = decomposition
        self.horizon = horizon
        self.per_series = per_series
        self.n_jobs = n_jobs

    def _fit(self, X, lengths, y2d):
        endog, lengths = append_continuation(X, lengths, y2d)
        adjusted, _ = self._adjust(endog, lengths)
        candidates = ["standard", "optimized"] if self.model == "auto" else [self.model]
        best = None
        for name in candidates:
            alpha, theta, mse = _fit_theta(adjusted, lengths, optimise_theta=name == "optimized")
            if best is None or mse < best[3]:
                best = (name, alpha, theta, mse)
        self.model_, self.alpha_, self.theta_, self.mse_ = best
        n_obs = int(lengths.sum())
        self.sigma2_ = self.mse_ * n_obs / max(n_obs - 2 - (self.model_ == "optimized"), 1)

    def _forecast(self, X, lengths, future_exog):
        Y = X[:, :, 0]
        adjusted, seasonal = self._adjust(Y, lengths)
        horizon = self.horizon_
        level, intercept, slope, _ = _concentrated(adjusted, lengths, self.alpha_, self.theta_)
        alpha, weight = self.alpha_, 1 - 1 / self.theta_
        decay = (1 - alpha) ** lengths
        steps = np.arange(horizon)
        mean = level[:, None] + weight * (
            (decay * intercept)[:, None]
            + slope[:, None] * (steps[None] + ((1 - (1 - alpha) ** (lengths + 1)) / alpha)[:, None])
        )
        std = np.broadcast_to(np.sqrt(self.sigma2_ * (1 + steps * alpha**2)), mean.shape).copy()
        for i, (factors, multiplicative) in seasonal.items():
            future = factors[(lengths[i] + steps) % len(factors)]
            if multiplicative:
                mean[i] *= future
                std[i] *= future
            else:
                mean[i] += future
        return mean, std

    def _multiplicative(self, row):
        return self.decomposition == "multiplicative" and bool((row > 0).all())

    def _adjust(self, Y, lengths):
        """Seasonally adjusted rows and ``{row: (factors by season position, multiplicative)}``."""
        m = self.seasonal_periods
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
    r = acf(row, nlags=m, fft=False)[1:]
    stat = np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(row))
    return bool(abs(r[-1]) / stat > norm.ppf(0.95))


def _classical_factors(row, m, multiplicative):
    """Seasonal factors of a classical decomposition, indexed by ``t % m``."""
    from statsmodels.tsa.seasonal import seasonal_decompose  # noqa: PLC0415

    model = "multiplicative" if multiplicative else "additive"
    return seasonal_decompose(row, model=model, period=m).seasonal[:m]


def _concentrated(Y, lengths, alpha, theta):
    """Each row's least-squares initial level given ``alpha``, ``theta``.

    Returns ``(final level, intercept, slope, squared errors summed per row)``;
    the line is each row's least-squares line on ``t = 1..n``.
    """
    n_samples, n_steps = Y.shape
    t = np.arange(1, n_steps + 1, dtype=float)
    observed = t[None] <= lengths[:, None]
    n = lengths.astype(float)
    y = np.where(observed, Y, 0.0)
    t_mean = (n + 1) / 2
    y_mean = y.sum(axis=1) / n
    centred_t = np.where(observed, t[None] - t_mean[:, None], 0.0)
    denominator = (centred_t**2).sum(axis=1)
    slope = np.divide((centred_t * y).sum(axis=1), denominator,
                      out=np.zeros(n_samples), where=denominator > 0)  # fmt: skip
    intercept = y_mean - slope * t_mean
    weight = 1 - 1 / theta
    decay = (1 - alpha) ** (t - 1)  # (1 - alpha)^(t-1)
    level = np.zeros(n_samples)
    errors = np.zeros((n_samples, n_steps))
    for step in range(n_steps):
        drift = weight * (decay[step] * intercept + (1 - decay[step] * (1 - alpha)) / alpha * slope)
        errors[:, step] = y[:, step] - level - drift
        # Rows that have ended keep their last level.
        level = np.where(observed[:, step], alpha * y[:, step] + (1 - alpha) * level, level)
    errors = np.where(observed, errors, 0.0)
    regressor = np.where(observed, decay[None], 0.0)
    start = (errors * regressor).sum(axis=1) / (regressor**2).sum(axis=1)
    residuals = errors - start[:, None] * regressor
    final_level = level + (1 - alpha) ** n * start
    return final_level, intercept, slope, (residuals**2).sum(axis=1)


def _fit_theta(Y, lengths, optimise_theta):
    """``(alpha, theta, mse)`` minimising the mean squared one-step error of all rows."""
    n_obs = lengths.sum()

    def mse(params):
        alpha = params[0]
        theta = params[1] if optimise_theta else 2.0
        return _concentrated(Y, lengths, alpha, theta)[3].sum() / n_obs

    if optimise_theta:
        start, bounds = [0.5, 2.0], [_ALPHA_BOUNDS, _THETA_BOUNDS]
    else:
        start, bounds = [0.5], [_ALPHA_BOUNDS]
    result = minimize(mse, start, method="L-BFGS-B", bounds=bounds)
    alpha = float(result.x[0])
    theta = float(result.x[1]) if optimise_theta else 2.0
    return alpha, theta, float(result.fun)
