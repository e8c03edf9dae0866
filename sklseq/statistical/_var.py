"""Vector autoregression on a panel of multivariate sequences."""

from numbers import Integral
from typing import Any, Self

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin

from ..utils import check_sequences
from ..utils._compat import Interval, StrOptions, _fit_context
from ..utils._transaction import transactional
from ._base import StatisticalForecasterMixin

__all__ = ["VARRegressor"]


class VARRegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """Vector autoregression VAR(p) on multivariate rows, as statsmodels' ``VAR``.

    ``fit`` estimates one set of coefficients by least squares on the lagged
    values of all training rows pooled (each row regressed on its own past;
    with one row this is exactly ``statsmodels.tsa.api.VAR(row).fit(p)``).
    ``predict`` forecasts every channel of each row from its last ``p`` values
    and returns the forecasts of ``target_channel``, with the standard
    deviations of statsmodels' ``forecast_interval``.

    Parameters
    ----------
    lags : int or "auto", default="auto"
        Lag order ``p``. ``"auto"`` chooses it in ``0..max_lags`` by
        ``information_criterion`` on a common sample, as statsmodels'
        ``VAR.select_order`` does.
    max_lags : int or None, default=None
        Largest order tried by ``"auto"``; ``None``: statsmodels' rule
        ``round(12 * (n_timesteps / 100) ** 0.25)``, capped so the largest
        model can be estimated.
    information_criterion : {"aic", "bic", "hqic", "fpe"}, default="aic"
    trend : {"c", "n"}, default="c"
        Constant term or none.
    horizon : int or None, default=None
        Steps to forecast; ``None`` takes it from ``y`` (1 without ``y``).
    target_channel : int or "all", default=0
        Channel whose forecasts ``predict`` returns; ``"all"``: every channel,
        as an array of shape ``(n_samples, horizon, n_channels)``.

    Attributes
    ----------
    lags_ : int
        The lag order used.
    intercept_ : ndarray of shape (n_channels,)
    coefs_ : ndarray of shape (lags_, n_channels, n_channels)
        ``coefs_[i]`` multiplies the values ``i + 1`` steps back.
    sigma_u_ : ndarray of shape (n_channels, n_channels)
        Residual covariance (degrees-of-freedom adjusted, as statsmodels).
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Notes
    -----
    The future of the other channels is unknown, so ``y`` (the continuation of
    the target channel) only sets ``horizon_``. Each row needs more than
    ``lags_`` steps at fit and at least ``lags_`` at predict.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.statistical import VARRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4, 50, 2)).cumsum(axis=1) * 0.1
    >>> model = VARRegressor(lags=2, horizon=3).fit(X)
    >>> model.coefs_.shape, model.predict(X).shape
    ((2, 2, 2), (4, 3))
    """

    _parameter_constraints: dict = {
        "lags": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_lags": [Interval(Integral, 1, None, closed="left"), None],
        "information_criterion": [StrOptions({"aic", "bic", "hqic", "fpe"})],
        "trend": [StrOptions({"c", "n"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "target_channel": [Interval(Integral, 0, None, closed="left"), StrOptions({"all"})],
    }

    def __init__(
        self,
        lags="auto",
        max_lags=None,
        information_criterion="aic",
        trend="c",
        horizon=None,
        target_channel=0,
    ):
        self.lags = lags
        self.max_lags = max_lags
        self.information_criterion = information_criterion
        self.trend = trend
        self.horizon = horizon
        self.target_channel = target_channel

    @_fit_context(prefer_skip_nested_validation=True)
    @transactional
    def fit(self, X: Any, y: ArrayLike | None = None) -> Self:
        """Estimate the VAR coefficients from the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_channels) or list of sequences
            Training histories; 2D input is one channel (an AR model).
        y : array-like of shape (n_samples,) or (n_samples, horizon), default=None
            Continuation of the target channel; only sets ``horizon_``.

        Returns
        -------
        self : VARRegressor
        """
        X, lengths = check_sequences(
            X, estimator=self, reset=True, min_length=2, length_reason="a VAR (one lag, one target)"
        )
        if self.target_channel != "all" and self.target_channel >= X.shape[2]:
            raise ValueError(
                f"target_channel={self.target_channel} but X has {X.shape[2]} channel(s)."
            )
        self.horizon_, _ = self._check_target(y, X, lengths)
        k_trend = int(self.trend == "c")
        n_channels = X.shape[2]
        if self.lags == "auto":
            max_lags = self._max_lags(lengths, n_channels, k_trend)
            lags = self._select_lags(X, lengths, max_lags, k_trend)
        else:
            lags = self.lags
        short = np.flatnonzero(lengths <= lags)
        if short.size:
            raise ValueError(
                f"Row {short[0]} of X is too short for VARRegressor(lags={lags}): "
                f"{lengths[short[0]]} time step(s), but it needs more than {lags}."
            )
        params, sigma_u, _ = _estimate(X, lengths, lags, k_trend, offset=0)
        if sigma_u is None:
            raise ValueError(
                f"The rows are too short for VARRegressor(lags={lags}) with {n_channels} "
                "channel(s): no degrees of freedom are left for the residual covariance."
            )
        self.lags_ = lags
        self.intercept_ = params[0] if k_trend else np.zeros(n_channels)
        coefs = params[k_trend:].reshape(lags, n_channels, n_channels)
        self.coefs_ = coefs.transpose(0, 2, 1)
        self.sigma_u_ = sigma_u
        return self

    def _forecast(self, X, lengths, future_exog):
        n_samples, _, n_channels = X.shape
        lags = self.lags_
        # history[:, i] holds the values i + 1 steps back, newest first.
        back = lengths[:, None] - 1 - np.arange(lags)
        history = np.take_along_axis(X, back[:, :, None], axis=1)
        forecasts = np.empty((n_samples, self.horizon_, n_channels))
        for step in range(self.horizon_):
            nxt = self.intercept_ + np.einsum("nlc,ldc->nd", history, self.coefs_)
            forecasts[:, step] = nxt
            history = np.concatenate([nxt[:, None], history[:, :-1]], axis=1)
        std = np.sqrt(self._forecast_variances())  # (horizon, n_channels)
        if self.target_channel == "all":
            return forecasts, np.broadcast_to(std, forecasts.shape).copy()
        mean = forecasts[:, :, self.target_channel]
        return mean, np.broadcast_to(std[:, self.target_channel], mean.shape).copy()

    def _forecast_variances(self):
        """Diagonal of sum_{i<h} Phi_i Sigma_u Phi_i' for h = 1..horizon, ``(horizon, C)``."""
        n_channels = len(self.sigma_u_)
        phis = [np.eye(n_channels)]
        for i in range(1, self.horizon_):
            phis.append(
                sum(phis[i - j] @ self.coefs_[j - 1] for j in range(1, min(i, self.lags_) + 1))
                if self.lags_
                else np.zeros((n_channels, n_channels))
            )
        phis = np.stack(phis)
        terms = np.einsum("hij,jk,hik->hi", phis, self.sigma_u_, phis)
        return np.cumsum(terms, axis=0)

    def _min_predict_length(self):
        return max(self.lags_, 1)

    def _length_reason(self):
        return f"VARRegressor(lags={self.lags_})"

    def _max_lags(self, lengths, n_channels, k_trend):
        # statsmodels' rule and cap, counting the observations of all rows (they
        # share the coefficients); every row must also be longer than the order.
        if self.max_lags is not None:
            return self.max_lags
        shortest = int(lengths.min())
        max_lags = round(12 * (int(lengths.max()) / 100.0) ** 0.25)
        max_estimable = (int(lengths.sum()) - n_channels - k_trend) // (1 + n_channels)
        return max(1, min(max_lags, max_estimable, shortest - 1))

    def _select_lags(self, X, lengths, max_lags, k_trend):
        short = np.flatnonzero(lengths <= max_lags)
        if short.size:
            raise ValueError(
                f"Row {short[0]} of X is too short for VARRegressor(lags='auto', "
                f"max_lags={max_lags}): {lengths[short[0]]} time step(s), but lag "
                f"selection needs more than {max_lags}. Lower max_lags."
            )
        p_min = 0 if k_trend else 1
        scores = []
        for lags in range(p_min, max_lags + 1):
            _, _, criteria = _estimate(X, lengths, lags, k_trend, offset=max_lags - lags)
            scores.append(criteria[self.information_criterion])
        return p_min + int(np.argmin(scores))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A model of each row's own dynamics cannot fit the checks' i.i.d. rows.
        tags.regressor_tags.poor_score = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


def _estimate(X, lengths, lags, k_trend, offset):
    """Pooled least squares of each step on the ``lags`` before it.

    Steps before ``offset + lags`` of each row are left out (a common sample
    for lag selection). Returns ``(params, sigma_u, criteria)``;
    ``params`` has shape ``(k_trend + lags * C, C)`` in statsmodels' layout,
    ``sigma_u`` is None when no degrees of freedom are left.
    """
    n_samples, n_timesteps, n_channels = X.shape
    start = offset + lags
    # windows[:, t] covers steps t - lags .. t for t = lags .. n_timesteps - 1.
    windows = sliding_window_view(X, lags + 1, axis=1)  # (n, T - lags, C, lags + 1)
    t = np.arange(lags, n_timesteps)
    valid = (t >= start) & (t < lengths[:, None])
    samples = windows[valid]  # (n_obs, C, lags + 1)
    targets = samples[:, :, -1]
    lagged = samples[:, :, -2::-1].transpose(0, 2, 1).reshape(len(samples), -1)
    design = np.concatenate([np.ones((len(samples), k_trend)), lagged], axis=1)
    n_obs = len(samples)
    params = np.linalg.lstsq(design, targets, rcond=1e-15)[0]
    resid = targets - design @ params
    sse = resid.T @ resid
    df_model = n_channels * lags + k_trend
    df_resid = n_obs - df_model
    if df_resid <= 0:
        return params, None, dict.fromkeys(("aic", "bic", "hqic", "fpe"), np.inf)
    _, logdet = np.linalg.slogdet(sse / n_obs)
    free = lags * n_channels**2 + n_channels * k_trend
    criteria = {
        "aic": logdet + 2.0 / n_obs * free,
        "bic": logdet + np.log(n_obs) / n_obs * free,
        "hqic": logdet + 2.0 * np.log(np.log(n_obs)) / n_obs * free,
        "fpe": ((n_obs + df_model) / df_resid) ** n_channels * np.exp(logdet),
    }
    return params, sse / df_resid, criteria
