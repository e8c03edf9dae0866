"""Seasonal ARIMA with exogenous channels on a panel of sequences."""

import itertools
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from ..utils import check_sequences
from ._base import (
    LinearStateSpace,
    StatisticalForecasterMixin,
    append_continuation,
    fit_jointly,
    fit_single,
    statsmodels_guard,
)

__all__ = ["ARIMARegressor"]


class ARIMARegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """Seasonal ARIMA(p, d, q)(P, D, Q, s) forecaster, statsmodels ``SARIMAX`` underneath.

    ``fit`` estimates one set of parameters from the training rows; ``predict``
    applies them to each row's own history and forecasts its next ``horizon``
    values, as statsmodels' ``results.apply(row).get_forecast(horizon)`` would,
    for all rows at once (see :class:`~sklseq.statistical._base.LinearStateSpace`).

    How ``fit`` uses the rows: with one row the parameters are exactly those of
    ``SARIMAX(row, ...).fit()``. With several rows they maximise the sum of the
    rows' exact Gaussian log-likelihoods (rows are independent realisations of
    one process), starting from statsmodels' start values on the rows joined
    end to end.

    Parameters
    ----------
    order : tuple of 3 int or "auto", default=(1, 0, 0)
        ``(p, d, q)``. ``"auto"`` chooses ``d`` by KPSS tests on the longest row
        (5% level, up to ``max_order[1]``) and then ``p`` and ``q`` up to
        ``max_order`` by ``information_criterion``.
    seasonal_order : tuple of 4 int or "auto", default=(0, 0, 0, 0)
        ``(P, D, Q, s)``. ``"auto"`` needs ``seasonal_period``: ``D`` is 1 when the
        seasonal strength of the longest row (STL) is above 0.64, and ``P``,
        ``Q`` are searched up to ``max_seasonal_order`` together with ``p, q``.
    trend : {"n", "c", "t", "ct"} or None, default="c"
        Deterministic trend, as statsmodels' ``trend`` (in the state equation,
        so with ``d > 0`` a constant is a drift). Time restarts at each row.
    horizon : int or None, default=None
        Number of steps to forecast; ``None`` takes it from ``y`` (1 without y).
    target_channel : int, default=0
        Channel of 3D input holding the series to forecast; the other channels
        are exogenous regressors (regression with SARIMA errors).
    information_criterion : {"aic", "bic"}, default="aic"
        Used by ``"auto"`` orders.
    max_order : tuple of 3 int, default=(3, 2, 3)
        Upper bounds of ``(p, d, q)`` for ``order="auto"``.
    max_seasonal_order : tuple of 2 int, default=(1, 1)
        Upper bounds of ``(P, Q)`` for ``seasonal_order="auto"``.
    seasonal_period : int or None, default=None
        ``s`` for ``seasonal_order="auto"``.
    maxiter : int, default=50
        Iterations of the likelihood optimiser.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        Constrained parameters, in statsmodels' order (``param_names_``).
    param_names_ : list of str
    order_ : tuple of 3 int
    seasonal_order_ : tuple of 4 int
    llf_, aic_, bic_ : float
        Log-likelihood (summed over rows) and information criteria.
    horizon_ : int
    n_exog_ : int
        Number of exogenous channels.
    n_features_in_ : int
        Time steps of array input at fit.
    n_channels_in_ : int

    Notes
    -----
    ``y`` is the continuation of each row (``(n_samples,)``: the next value,
    ``(n_samples, horizon)``: the next values) and is appended to it before
    estimation. With exogenous channels the continuation of the regressors is
    unknown, so ``y`` then only sets ``horizon_`` and ``predict`` needs
    ``future_exog``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.statistical import ARIMARegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(5, 40)).cumsum(axis=1)
    >>> model = ARIMARegressor(order=(1, 1, 0), trend="n", horizon=3).fit(X)
    >>> model.predict(X).shape
    (5, 3)
    >>> lower, upper = model.predict_interval(X, coverage=0.9)
    >>> bool((lower < upper).all())
    True
    """

    _parameter_constraints: dict = {
        "order": [tuple, StrOptions({"auto"})],
        "seasonal_order": [tuple, StrOptions({"auto"})],
        "trend": [StrOptions({"n", "c", "t", "ct"}), None],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "target_channel": [Interval(Integral, 0, None, closed="left")],
        "information_criterion": [StrOptions({"aic", "bic"})],
        "max_order": [tuple],
        "max_seasonal_order": [tuple],
        "seasonal_period": [Interval(Integral, 2, None, closed="left"), None],
        "maxiter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        order=(1, 0, 0),
        seasonal_order=(0, 0, 0, 0),
        trend="c",
        horizon=None,
        target_channel=0,
        information_criterion="aic",
        max_order=(3, 2, 3),
        max_seasonal_order=(1, 1),
        seasonal_period=None,
        maxiter=50,
    ):
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.horizon = horizon
        self.target_channel = target_channel
        self.information_criterion = information_criterion
        self.max_order = max_order
        self.max_seasonal_order = max_seasonal_order
        self.seasonal_period = seasonal_period
        self.maxiter = maxiter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Estimate the parameters from the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            Training histories.
        y : array-like of shape (n_samples,) or (n_samples, horizon), default=None
            Continuation of each row (see Notes).

        Returns
        -------
        self : ARIMARegressor
        """
        self._check_orders()
        X, lengths = check_sequences(X, estimator=self, reset=True)
        self.horizon_, y2d = self._check_target(y, X, lengths)
        if self.target_channel >= X.shape[2]:
            raise ValueError(
                f"target_channel={self.target_channel} but X has {X.shape[2]} channel(s)."
            )
        endog, exog = _split_channels(X, self.target_channel)
        self.n_exog_ = 0 if exog is None else exog.shape[2]
        if exog is None:
            endog, lengths = append_continuation(endog[:, :, None], lengths, y2d)
        fitted = self._select_orders(endog, exog, lengths)
        self.order_, self.seasonal_order_ = fitted["order"], fitted["seasonal_order"]
        self.params_, self.param_names_ = fitted["params"], fitted["param_names"]
        self.llf_, self.aic_, self.bic_ = fitted["llf"], fitted["aic"], fitted["bic"]
        self._engine = self._build_engine(self.n_features_in_ + self.horizon_)
        return self

    def _check_orders(self):
        specs = [
            ("max_order", self.max_order, 3, 0),
            ("max_seasonal_order", self.max_seasonal_order, 2, 0),
        ]
        if self.order != "auto":
            specs.append(("order", self.order, 3, 0))
        if self.seasonal_order != "auto":
            specs.append(("seasonal_order", self.seasonal_order, 4, 0))
        for name, value, size, low in specs:
            if len(value) != size or not all(
                isinstance(v, Integral) and not isinstance(v, bool) and v >= low for v in value
            ):
                raise ValueError(
                    f"{name} must be a tuple of {size} non-negative integers; got {value!r}."
                )
        if self.seasonal_order != "auto":
            period = self.seasonal_order[3]
            if any(self.seasonal_order[:3]) and period < 2:
                raise ValueError(
                    "seasonal_order=(P, D, Q, s) needs a period s of at least 2 when P, D "
                    f"or Q is not 0; got {self.seasonal_order!r}."
                )

    def _forecast(self, X, lengths, future_exog):
        endog, exog = _split_channels(X, self.target_channel)
        horizon = self.horizon_
        if self.n_exog_:
            future_exog = _check_future_exog(future_exog, len(X), horizon, self.n_exog_)
            beta = self.params_[self._exog_slice()]
            endog = endog - exog @ beta
        engine = self._engine_for(X.shape[1] + horizon)
        mean, std = engine.forecast(endog, lengths, horizon)
        if self.n_exog_:
            mean = mean + future_exog @ beta
        return mean, std

    def _min_predict_length(self):
        _, d, _ = self.order_
        _, seasonal_d, _, period = self.seasonal_order_
        return d + seasonal_d * period + 1

    def _length_reason(self):
        return f"order={self.order_}, seasonal_order={self.seasonal_order_}"

    # -- estimation -------------------------------------------------------

    def _fit_orders(self, endog, exog, lengths, order, seasonal_order):
        """Fit one candidate; returns its parameters and information criteria."""
        what = f"{type(self).__name__}(order={order}, seasonal_order={seasonal_order})"
        n_diff = order[1] + seasonal_order[1] * seasonal_order[3]
        short = np.flatnonzero(lengths <= n_diff)
        if short.size:
            raise ValueError(
                f"Row {short[0]} is too short for {what}: {lengths[short[0]]} time "
                f"step(s) (with y appended), but differencing needs more than {n_diff}."
            )
        spec = self._spec_model(endog, exog, lengths, order, seasonal_order)
        n_params = len(spec.param_names)
        n_obs = int((lengths - n_diff).sum())
        if n_obs <= n_params:
            raise ValueError(
                f"The series is too short for {what}: {n_obs} observation(s) after "
                f"differencing for {n_params} parameters; use a lower order or longer rows."
            )
        if len(endog) == 1:
            with statsmodels_guard(f"{what} on row 0"):
                params, llf = fit_single(spec, self.maxiter)
        else:
            with statsmodels_guard(f"{what} on rows 0..{len(endog) - 1}"):
                params, llf = self._fit_joint(spec, endog, exog, lengths, order, seasonal_order)
        return {
            "order": order,
            "seasonal_order": seasonal_order,
            "params": params,
            "param_names": list(spec.param_names),
            "llf": llf,
            "aic": -2 * llf + 2 * n_params,
            "bic": -2 * llf + np.log(n_obs) * n_params,
        }

    def _fit_joint(self, spec, endog, exog, lengths, order, seasonal_order):
        model = self._engine_model(endog.shape[1], order, seasonal_order)
        return fit_jointly(
            spec, model, endog, lengths, self.maxiter, exog=exog, exog_slice=self._exog_slice()
        )

    def _spec_model(self, endog, exog, lengths, order, seasonal_order):
        """SARIMAX on the rows joined end to end (the single row when one)."""
        from statsmodels.tsa.statespace.sarimax import SARIMAX  # noqa: PLC0415

        observed = np.arange(endog.shape[1]) < lengths[:, None]
        joined_exog = None if exog is None else exog[observed]
        with statsmodels_guard(f"SARIMAX(order={order}, seasonal_order={seasonal_order})"):
            return SARIMAX(
                endog[observed],
                exog=joined_exog,
                order=order,
                seasonal_order=seasonal_order,
                trend=self.trend,
            )

    def _build_engine(self, n_timesteps):
        model = self._engine_model(n_timesteps)
        return LinearStateSpace(model, self._engine_params(self.params_))

    def _engine_model(self, n_timesteps, order=None, seasonal_order=None):
        from statsmodels.tsa.statespace.sarimax import SARIMAX  # noqa: PLC0415

        return SARIMAX(
            np.zeros(n_timesteps),
            order=order or self.order_,
            seasonal_order=seasonal_order or self.seasonal_order_,
            trend=self.trend,
        )

    def _exog_slice(self):
        k_trend = {"n": 0, "c": 1, "t": 1, "ct": 2, None: 0}[self.trend]
        return slice(k_trend, k_trend + self.n_exog_)

    def _engine_params(self, params):
        keep = np.ones(len(params), dtype=bool)
        keep[self._exog_slice()] = False
        return params[keep]

    # -- order selection --------------------------------------------------

    def _select_orders(self, endog, exog, lengths):
        """The fitted candidate with the lowest information criterion.

        The warnings of the candidates are gathered into one: a user asking for
        ``"auto"`` needs to know whether the chosen model converged, not the
        fate of every model tried on the way.
        """
        seasonal = self._seasonal_candidates(endog, lengths)
        if self.order == "auto":
            max_p, max_d, max_q = self.max_order
            d = _kpss_differences(_longest(endog, lengths), max_d, seasonal[0])
            orders = [(p, d, q) for p in range(max_p + 1) for q in range(max_q + 1)]
        else:
            orders = [tuple(self.order)]
        candidates = list(itertools.product(orders, seasonal[1]))
        if len(candidates) == 1:
            return self._fit_orders(endog, exog, lengths, *candidates[0])
        fits, caught = [], []
        for order, seasonal_order in candidates:
            with warnings.catch_warnings(record=True) as records:
                warnings.simplefilter("always")
                try:
                    fits.append(self._fit_orders(endog, exog, lengths, order, seasonal_order))
                except ValueError:
                    fits.append(None)
            caught.append(records)
        scores = [
            np.inf if fit is None else fit[self.information_criterion] for fit in fits
        ]
        if not np.isfinite(scores).any():
            raise ValueError(
                "No candidate order could be fitted: the rows are too short for every "
                f"order within max_order={self.max_order}."
            )
        best = int(np.argmin(scores))
        self._warn_selection(candidates, caught, best)
        return fits[best]

    def _warn_selection(self, candidates, caught, best):
        not_converged = [
            candidates[i]
            for i, records in enumerate(caught)
            if any(issubclass(r.category, ConvergenceWarning) for r in records)
        ]
        if candidates[best] in not_converged:
            message = next(
                str(r.message)
                for r in caught[best]
                if issubclass(r.category, ConvergenceWarning)
            )
            others = len(not_converged) - 1
            if others:
                message += f" ({others} other candidate order(s) did not converge either.)"
            warnings.warn(message, ConvergenceWarning, stacklevel=4)
        for record in caught[best]:
            if not issubclass(record.category, ConvergenceWarning):
                warnings.warn(record.message, record.category, stacklevel=4)

    def _seasonal_candidates(self, endog, lengths):
        """(seasonal differencing spec, list of seasonal orders to try)."""
        if self.seasonal_order != "auto":
            seasonal_order = tuple(self.seasonal_order)
            return (seasonal_order[1], seasonal_order[3]), [seasonal_order]
        if self.seasonal_period is None:
            raise ValueError('seasonal_order="auto" needs seasonal_period (e.g. 12).')
        period = self.seasonal_period
        seasonal_d = _seasonal_differences(_longest(endog, lengths), period)
        max_sp, max_sq = self.max_seasonal_order
        return (seasonal_d, period), [
            (sp, seasonal_d, sq, period) for sp in range(max_sp + 1) for sq in range(max_sq + 1)
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A SARIMA model of each row's dynamics cannot fit the checks' i.i.d. rows.
        tags.regressor_tags.poor_score = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


def _split_channels(X, target_channel):
    endog = X[:, :, target_channel]
    if X.shape[2] == 1:
        return endog, None
    others = [c for c in range(X.shape[2]) if c != target_channel]
    return endog, np.nan_to_num(X[:, :, others])


def _check_future_exog(future_exog, n_samples, horizon, n_exog):
    if future_exog is None:
        raise ValueError(
            f"This model has {n_exog} exogenous channel(s): predict needs future_exog "
            f"of shape (n_samples, horizon, n_exog) = ({n_samples}, {horizon}, {n_exog})."
        )
    future_exog = np.asarray(future_exog, dtype=np.float64)
    if future_exog.ndim == 2 and n_exog == 1:
        future_exog = future_exog[:, :, None]
    if future_exog.shape != (n_samples, horizon, n_exog):
        raise ValueError(
            f"future_exog has shape {future_exog.shape}; expected "
            f"(n_samples, horizon, n_exog) = ({n_samples}, {horizon}, {n_exog})."
        )
    if not np.isfinite(future_exog).all():
        raise ValueError("future_exog contains NaN or inf.")
    return future_exog


def _longest(endog, lengths):
    row = int(np.argmax(lengths))
    return endog[row, : lengths[row]]


def _kpss_differences(series, max_d, seasonal):
    """Number of differences after which KPSS no longer rejects level stationarity."""
    from statsmodels.tsa.stattools import kpss  # noqa: PLC0415

    seasonal_d, period = seasonal
    for _ in range(seasonal_d):
        series = series[period:] - series[:-period]
    for d in range(max_d + 1):
        if len(series) < 4 or np.ptp(series) == 0:
            return d
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p_value = kpss(series, regression="c", nlags="auto")[1]
        if p_value >= 0.05:
            return d
        if d < max_d:
            series = np.diff(series)
    return max_d


def _seasonal_differences(series, period):
    """1 when the STL seasonal strength exceeds 0.64 (Wang, Smith & Hyndman), else 0."""
    from statsmodels.tsa.seasonal import STL  # noqa: PLC0415

    if len(series) < 2 * period + 1:
        return 0
    decomposition = STL(series, period=period).fit()
    remainder = decomposition.resid
    strength = 1 - np.var(remainder) / np.var(remainder + decomposition.seasonal)
    return int(strength > 0.64)
