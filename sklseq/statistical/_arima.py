"""Seasonal ARIMA with exogenous channels on a panel of sequences."""

import itertools
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning

from ..utils._compat import Interval, StrOptions
from ._base import (
    LinearStateSpace,
    StatisticalForecasterMixin,
    append_continuation,
    fit_jointly,
    fit_single,
    overflow_scale,
    recorded_warnings,
    statsmodels_guard,
)

__all__ = ["ARIMARegressor"]

# auto.arima (R forecast, statsforecast) rejects candidates with an AR or MA
# root this close to the unit circle: their forecasts explode or their
# innovations cannot be recovered.
_MIN_ROOT = 1.01
_MAX_STEPWISE_MODELS = 94


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
        ``max_order`` by ``information_criterion``, as forecast::auto.arima
        (see Notes).
    seasonal_order : tuple of 4 int or "auto", default=(0, 0, 0, 0)
        ``(P, D, Q, s)``. ``"auto"`` needs ``seasonal_period``: ``D`` is 1 when the
        seasonal strength of the longest row (STL) is above 0.64, and ``P``,
        ``Q`` are searched up to ``max_seasonal_order`` together with ``p, q``.
    trend : {"n", "c", "t", "ct"} or None, default="c"
        Deterministic trend, as statsmodels' ``trend`` (in the state equation,
        so with ``d > 0`` a constant is a drift). Time restarts at each row.
        With automatic orders and ``d + D >= 2`` a constant is dropped
        (``trend_`` is ``"n"``), as it would be a quadratic trend.
    horizon : int or None, default=None
        Number of steps to forecast; ``None`` takes it from ``y`` (1 without y).
    target_channel : int, default=0
        Channel of 3D input holding the series to forecast; the other channels
        are exogenous regressors (regression with SARIMA errors).
    information_criterion : {"aicc", "aic", "bic"}, default="aicc"
        Used by ``"auto"`` orders; AICc is AIC corrected for short series.
    stepwise : bool, default=True
        With ``"auto"`` orders, search stepwise from a few start models
        (Hyndman & Khandakar, 2008) rather than fit every combination of orders
        within ``max_order`` and ``max_seasonal_order``.
    max_order : tuple of 3 int, default=(3, 2, 3)
        Upper bounds of ``(p, d, q)`` for ``order="auto"``.
    max_seasonal_order : tuple of 2 int, default=(2, 2)
        Upper bounds of ``(P, Q)`` for ``seasonal_order="auto"`` (auto.arima's).
    seasonal_period : int or None, default=None
        ``s`` for ``seasonal_order="auto"``.
    maxiter : int, default=50
        Iterations of the likelihood optimiser.
    per_series : bool, default=False
        Fit one model per row in ``predict`` (orders chosen per row when
        ``"auto"``) instead of one pooled parameter set in ``fit``.
    n_jobs : int or None, default=None
        joblib workers over rows with ``per_series=True``.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        Constrained parameters, in statsmodels' order (``param_names_``), of
        the target divided by ``scale_``.
    param_names_ : list of str
    scale_ : float
        1.0, or for values beyond 1e100 in magnitude (whose squares overflow)
        the power of two the target is divided by for estimation and
        filtering; forecasts and standard deviations are multiplied back.
    order_ : tuple of 3 int
    seasonal_order_ : tuple of 4 int
    llf_, aic_, bic_, aicc_ : float
        Log-likelihood (summed over rows) and information criteria, of the
        rows themselves (with ``scale_``: the Jacobian ``n log(scale_)`` included).
    trend_ : str or None
        The trend fitted (see ``trend``).
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

    The automatic search follows forecast::auto.arima (Hyndman & Khandakar,
    2008): differencing first, then candidates ranked by the criterion of
    their fit to the differenced rows; ``p``, ``q`` are at most a third of the
    longest row and ``P``, ``Q`` a third of its seasons. Without exogenous
    channels each candidate is estimated as R's ``arima(method="CSS-ML")``
    by a compiled engine (numba, the ``fast`` extra; plain Python without
    it): conditional sum of squares, then the exact likelihood from there
    (``maxiter`` BFGS iterations each). A candidate is rejected when its fit
    fails, its CSS estimate is not stationary, or it has an AR or MA root of
    modulus below 1.01 (explosive forecasts); one that did not converge is
    chosen only when no candidate converged. The chosen orders are then
    refitted by statsmodels on the rows with the exact likelihood, from the
    candidate's estimates (``params_``, ``llf_`` and the criteria are those
    of that fit).

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
        "information_criterion": [StrOptions({"aicc", "aic", "bic"})],
        "stepwise": ["boolean"],
        "max_order": [tuple],
        "max_seasonal_order": [tuple],
        "seasonal_period": [Interval(Integral, 2, None, closed="left"), None],
        "maxiter": [Interval(Integral, 1, None, closed="left")],
        "per_series": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        order=(1, 0, 0),
        seasonal_order=(0, 0, 0, 0),
        trend="c",
        horizon=None,
        target_channel=0,
        information_criterion="aicc",
        stepwise=True,
        max_order=(3, 2, 3),
        max_seasonal_order=(2, 2),
        seasonal_period=None,
        maxiter=50,
        per_series=False,
        n_jobs=None,
    ):
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.horizon = horizon
        self.target_channel = target_channel
        self.information_criterion = information_criterion
        self.stepwise = stepwise
        self.max_order = max_order
        self.max_seasonal_order = max_seasonal_order
        self.seasonal_period = seasonal_period
        self.maxiter = maxiter
        self.per_series = per_series
        self.n_jobs = n_jobs

    def _check_channels(self, X):
        if self.target_channel >= X.shape[2]:
            raise ValueError(
                f"target_channel={self.target_channel} but X has {X.shape[2]} channel(s)."
            )

    def _min_fit_length(self):
        return 1

    def _length_reason(self):
        if not hasattr(self, "order_"):
            return type(self).__name__
        return f"order={self.order_}, seasonal_order={self.seasonal_order_}"

    def _fit(self, X, lengths, y2d):
        endog, exog = _split_channels(X, self.target_channel)
        self.n_exog_ = 0 if exog is None else exog.shape[2]
        if exog is None:
            endog, lengths = append_continuation(endog[:, :, None], lengths, y2d)
        self.scale_ = overflow_scale(endog)
        fitted = self._select_orders(endog / self.scale_, exog, lengths)
        self.order_, self.seasonal_order_ = fitted["order"], fitted["seasonal_order"]
        self.params_, self.param_names_ = fitted["params"], fitted["param_names"]
        # The likelihood of the rows themselves: the scaled rows' one plus the Jacobian.
        n_diff = self.order_[1] + self.seasonal_order_[1] * self.seasonal_order_[3]
        jacobian = float((lengths - n_diff).sum()) * np.log(self.scale_)
        self.llf_ = fitted["llf"] - jacobian
        self.aic_, self.bic_ = fitted["aic"] + 2 * jacobian, fitted["bic"] + 2 * jacobian
        self.aicc_ = fitted["aicc"] + 2 * jacobian
        self._engine = self._build_engine(self.n_features_in_ + self.horizon_)

    def _check_settings(self):
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
        endog = endog / self.scale_
        horizon = self.horizon_
        if self.n_exog_:
            future_exog = _check_future_exog(future_exog, len(X), horizon, self.n_exog_)
            beta = self.params_[self._exog_slice()]
            endog = endog - exog @ beta
        engine = self._engine_for(X.shape[1] + horizon)
        mean, std = engine.forecast(endog, lengths, horizon)
        if self.n_exog_:
            mean = mean + future_exog @ beta
        return mean * self.scale_, std * self.scale_

    def _min_predict_length(self):
        _, d, _ = self.order_
        _, seasonal_d, _, period = self.seasonal_order_
        return d + seasonal_d * period + 1

    # -- estimation -------------------------------------------------------

    def _fit_orders(self, endog, exog, lengths, order, seasonal_order, start_params=None):
        """Fit one candidate; returns its parameters and information criteria.

        ``start_params`` (statsmodels' layout) replaces statsmodels' start values.
        """
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
                params, llf = fit_single(spec, self.maxiter, start_params)
        else:
            with statsmodels_guard(f"{what} on rows 0..{len(endog) - 1}"):
                params, llf = self._fit_joint(
                    spec, endog, exog, lengths, order, seasonal_order, start_params
                )
        return {
            "order": order,
            "seasonal_order": seasonal_order,
            "trend": self.trend_,
            "params": params,
            "param_names": list(spec.param_names),
            "llf": llf,
            "aic": -2 * llf + 2 * n_params,
            "bic": -2 * llf + np.log(n_obs) * n_params,
            "aicc": _aicc(llf, n_obs, n_params),
        }

    def _fit_joint(self, spec, endog, exog, lengths, order, seasonal_order, start_params=None):
        model = self._engine_model(endog.shape[1], order, seasonal_order)
        return fit_jointly(
            spec, model, endog, lengths, self.maxiter, exog=exog, exog_slice=self._exog_slice(),
            start_params=start_params,
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
                trend=self.trend_,
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
            trend=self.trend_,
        )

    def _exog_slice(self):
        k_trend = {"n": 0, "c": 1, "t": 1, "ct": 2, None: 0}[self.trend_]
        return slice(k_trend, k_trend + self.n_exog_)

    def _engine_params(self, params):
        keep = np.ones(len(params), dtype=bool)
        keep[self._exog_slice()] = False
        return params[keep]

    # -- order selection --------------------------------------------------

    def _select_orders(self, endog, exog, lengths):
        """Differencing by unit-root tests, then ARMA orders by ``information_criterion``.

        As forecast::auto.arima: the candidates are fitted on the differenced
        rows (the likelihood conditional on the first ``d + D * s`` values),
        with the constant (a drift when ``d + D == 1``) searched together with
        the orders when ``trend="c"``. Each candidate's maximum likelihood
        starts from its conditional-sum-of-squares estimates (R's
        ``method="CSS-ML"``, :meth:`_score_compiled`), so near-unit seasonal MA
        fits converge instead of stalling on the boundary. Candidates whose AR or MA roots lie within
        ``_MIN_ROOT`` of the unit circle are rejected, ties keep the first
        model visited, and those that did not converge rank after those that
        did. The chosen orders are refitted on the rows themselves with the
        exact likelihood, starting from the candidate's estimates. The warnings
        of the candidates are gathered into one: a user asking for ``"auto"``
        needs to know whether the chosen model converged, not the fate of
        every model tried on the way.
        """
        d, seasonal_d, period = self._differencing(endog, lengths)
        self.trend_ = self.trend
        searched = self.order == "auto" or self.seasonal_order == "auto"
        if searched and self.trend == "c" and d + seasonal_d >= 2:
            # A constant in a twice-differenced model is a quadratic trend.
            self.trend_ = "n"
        bounds = self._order_bounds(lengths, period)
        constant = int(self.trend_ == "c")
        bounds.append((0, 1) if searched and constant else (constant, constant))
        if all(low == high for low, high in bounds):
            order = (bounds[0][0], d, bounds[1][0])
            seasonal_order = (bounds[2][0], seasonal_d, bounds[3][0], period)
            return self._fit_orders(endog, exog, lengths, order, seasonal_order)

        fixed_trend = self.trend_
        diffed = _difference(endog, exog, lengths, d, seasonal_d, period)
        if exog is None and _is_constant(diffed[0], diffed[2]):
            # As auto.arima: nothing left to model after differencing but a
            # constant (kept when it is not zero and allowed).
            value = diffed[0][0, 0]
            self.trend_ = _candidate_trend(fixed_trend, bounds, value != 0 and bounds[4][1])
            order = (bounds[0][0], d, bounds[1][0])
            seasonal_order = (bounds[2][0], seasonal_d, bounds[3][0], period)
            return self._fit_orders(endog, exog, lengths, order, seasonal_order)
        with np.errstate(all="ignore"):
            scores = self._search(diffed, bounds, period, fixed_trend)
        ranked = sorted(
            (score for score in scores.values() if np.isfinite(score[1])),
            key=lambda score: score[:3],
        )
        if not ranked:
            raise ValueError(
                "No candidate order could be fitted: the rows are too short, or every "
                f"fit failed or was explosive, within max_order={self.max_order} and "
                f"max_seasonal_order={self.max_seasonal_order}."
            )
        n_not_converged = sum(score[0] for score in scores.values() if np.isfinite(score[1]))
        for not_converged, _, _, orders, start in ranked[:3]:  # noqa: B007 (read after the loop)
            p, q, seasonal_p, seasonal_q, with_constant = orders
            order = (p, d, q)
            seasonal_order = (seasonal_p, seasonal_d, seasonal_q, period)
            self.trend_ = _candidate_trend(fixed_trend, bounds, with_constant)
            with recorded_warnings() as records, np.errstate(all="ignore"):
                try:
                    fitted = self._fit_orders(
                        endog, exog, lengths, order, seasonal_order, start_params=start
                    )
                except ValueError:
                    continue
            finite = np.isfinite(fitted["llf"]) and np.isfinite(fitted["params"]).all()
            if finite and _min_root(fitted["params"], fitted["param_names"]) >= _MIN_ROOT:
                break
        else:
            raise ValueError(
                f"The chosen orders {order}{seasonal_order[:3]} could not be refitted on "
                "the undifferenced rows without failing or an explosive fit."
            )
        self._warn_selection(records, n_not_converged - not_converged)
        return fitted

    def _search(self, diffed, bounds, period, fixed_trend):
        """Scores ``(not converged, criterion, visit, orders, params)`` of the visited orders.

        ``orders`` is ``(p, q, P, Q, constant)``. Stepwise (Hyndman & Khandakar
        2008): fit four start models with the constant where allowed and the
        null model without, then move from the best one by one step in one or
        two orders, or by adding or dropping the constant, while that improves
        the criterion. Otherwise every combination within the bounds.
        """
        scores = {}

        def score(orders):
            orders = tuple(int(np.clip(v, low, high)) for v, (low, high) in zip(orders, bounds))
            if orders not in scores:
                self.trend_ = _candidate_trend(fixed_trend, bounds, orders[4])
                scores[orders] = self._score_candidate(diffed, orders, period, len(scores))
            return orders, scores[orders]

        if not self.stepwise:
            for orders in itertools.product(*(range(low, high + 1) for low, high in bounds)):
                score(orders)
            return scores
        seasonal = bounds[2][1] > 0 or bounds[3][1] > 0
        constant = bounds[4][1]
        starts = [(2, 2, 1, 1, constant), (0, 0, 0, 0, constant), (1, 0, 1, 0, constant),
                  (0, 1, 0, 1, constant), (0, 0, 0, 0, 0)]  # fmt: skip
        if not seasonal:
            starts = [(p, q, bounds[2][0], bounds[3][0], c) for p, q, _, _, c in starts]
        best, best_score = None, None
        for start in starts:
            orders, start_score = score(start)
            if best is None or start_score[:2] < best_score[:2]:
                best, best_score = orders, start_score
        steps = [(0, 0, -1, 0), (0, 0, 0, -1), (0, 0, 1, 0), (0, 0, 0, 1),
                 (0, 0, -1, -1), (0, 0, -1, 1), (0, 0, 1, -1), (0, 0, 1, 1),
                 (-1, 0, 0, 0), (0, -1, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0),
                 (-1, -1, 0, 0), (-1, 1, 0, 0), (1, -1, 0, 0), (1, 1, 0, 0)]  # fmt: skip
        while len(scores) < _MAX_STEPWISE_MODELS:
            moves = [tuple(v + s for v, s in zip(best[:4], step)) + (best[4],) for step in steps]
            moves.append(best[:4] + (1 - best[4],))
            for moved in moves:
                if any(not low <= v <= high for v, (low, high) in zip(moved, bounds)):
                    continue
                moved, moved_score = score(moved)
                if moved_score[:2] < best_score[:2]:
                    best, best_score = moved, moved_score
                    break
            else:
                break
        return scores

    def _score_candidate(self, diffed, orders, period, visit):
        """``(not converged, criterion, visit, orders, params)``; criterion inf when rejected.

        Without exogenous channels the candidate is estimated by the compiled
        CSS-ML engine (:mod:`._arima_core`); ``params`` are its estimates in
        SARIMAX's layout, the start of the refit.
        """
        endog, exog, lengths = diffed
        if exog is None and self.trend_ in ("c", "n", None):
            return self._score_compiled(endog, lengths, orders, period, visit)
        p, q, seasonal_p, seasonal_q, _ = orders
        order, seasonal_order = (p, 0, q), (seasonal_p, 0, seasonal_q, period)
        with recorded_warnings() as records:
            try:
                fitted = self._fit_orders(endog, exog, lengths, order, seasonal_order)
            except ValueError:
                return (False, np.inf, visit, orders, None)
        criterion = fitted[self.information_criterion]
        if _min_root(fitted["params"], fitted["param_names"]) < _MIN_ROOT:
            criterion = np.inf
        not_converged = any(issubclass(r.category, ConvergenceWarning) for r in records)
        return (not_converged, criterion, visit, orders, fitted["params"])

    def _score_compiled(self, endog, lengths, orders, period, visit):
        """R's ``arima(method="CSS-ML")`` of a candidate on the differenced rows.

        The rows are divided by their largest absolute value (the criteria of all
        candidates shift by the same amount, undone below), so the search
        works at any scale. Like auto.arima, a candidate is rejected when its
        CSS estimate is not stationary or a root is within ``_MIN_ROOT`` of
        the unit circle.
        """
        from ._arima_core import compiled  # noqa: PLC0415

        p, q, seasonal_p, seasonal_q, _ = orders
        with_mean = int(self.trend_ == "c")
        n_params = p + q + seasonal_p + seasonal_q + with_mean + 1
        rejected = (False, np.inf, visit, orders, None)
        n_obs = int(lengths.sum())
        if (lengths <= p + seasonal_p * period).any() or n_obs <= n_params:
            return rejected
        observed = np.arange(endog.shape[1]) < lengths[:, None]
        scale = float(np.abs(endog[observed]).max())
        if not np.isfinite(scale) or scale == 0.0:
            scale = 1.0
        rows = np.ascontiguousarray(np.where(observed, endog / scale, 0.0))
        spec = np.array([p, q, seasonal_p, seasonal_q, max(period, 1), with_mean], dtype=np.int64)
        params, llf, sigma2, min_root, converged = compiled("fit_css_ml")(
            rows, lengths.astype(np.int64), spec, self.maxiter
        )
        if not np.isfinite(llf) or min_root < _MIN_ROOT:
            return rejected
        llf -= n_obs * np.log(scale)
        criterion = {
            "aicc": _aicc(llf, n_obs, n_params),
            "aic": -2 * llf + 2 * n_params,
            "bic": -2 * llf + np.log(n_obs) * n_params,
        }[self.information_criterion]
        n_arma = n_params - 1 - with_mean
        start = [params[:n_arma], [np.float64(sigma2) * np.float64(scale) ** 2]]
        if with_mean:
            ar, seasonal_ar = params[:p], params[p + q : p + q + seasonal_p]
            # SARIMAX's constant is in the state equation: mean times phi(1) Phi(1).
            intercept = params[n_arma] * scale * (1 - ar.sum()) * (1 - seasonal_ar.sum())
            start.insert(0, [intercept])
        return (not converged, criterion, visit, orders, np.concatenate(start))

    def _differencing(self, endog, lengths):
        """``(d, D, s)``: given, or chosen by unit-root tests on the longest row."""
        if self.seasonal_order != "auto":
            _, seasonal_d, _, period = self.seasonal_order
        elif self.seasonal_period is None:
            raise ValueError('seasonal_order="auto" needs seasonal_period (e.g. 12).')
        else:
            period = self.seasonal_period
            seasonal_d = _seasonal_differences(_longest(endog, lengths), period)
        if self.order != "auto":
            return self.order[1], seasonal_d, period
        d = _kpss_differences(
            _longest(endog, lengths), self.max_order[1], (seasonal_d, period)
        )
        return d, seasonal_d, period

    def _order_bounds(self, lengths, period):
        """``(low, high)`` of p, q, P, Q; a third of the series at most, as auto.arima."""
        n_steps = int(lengths.max())
        if self.order == "auto":
            max_p = min(self.max_order[0], n_steps // 3)
            max_q = min(self.max_order[2], n_steps // 3)
            p_bounds, q_bounds = (0, max_p), (0, max_q)
        else:
            p_bounds, q_bounds = (self.order[0],) * 2, (self.order[2],) * 2
        if self.seasonal_order == "auto":
            max_seasonal = n_steps // (3 * period)
            seasonal_p_bounds = (0, min(self.max_seasonal_order[0], max_seasonal))
            seasonal_q_bounds = (0, min(self.max_seasonal_order[1], max_seasonal))
        else:
            seasonal_p_bounds = (self.seasonal_order[0],) * 2
            seasonal_q_bounds = (self.seasonal_order[2],) * 2
        return [p_bounds, q_bounds, seasonal_p_bounds, seasonal_q_bounds]

    def _warn_selection(self, records, others_not_converged):
        for record in records:
            message = str(record.message)
            if issubclass(record.category, ConvergenceWarning) and others_not_converged:
                message += (
                    f" ({others_not_converged} other candidate order(s) did not converge "
                    "either.)"
                )
            warnings.warn(message, record.category, stacklevel=4)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A SARIMA model of each row's dynamics cannot fit the checks' i.i.d. rows.
        tags.regressor_tags.poor_score = True
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


def _candidate_trend(fixed_trend, bounds, with_constant):
    """The trend of a candidate: the searched constant, or the trend as given."""
    if bounds[4][0] == bounds[4][1]:
        return fixed_trend
    return "c" if with_constant else "n"


def _is_constant(endog, lengths):
    """Whether every observed value of the rows is the same (and there is at least one)."""
    observed = endog[np.arange(endog.shape[1]) < lengths[:, None]]
    return observed.size > 0 and bool(np.all(observed == observed[0]))


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


def _aicc(llf, n_obs, n_params):
    """AIC corrected for small samples; inf when it has too few observations."""
    if n_obs - n_params - 1 <= 0:
        return np.inf
    return -2 * llf + 2 * n_params + 2 * n_params * (n_params + 1) / (n_obs - n_params - 1)


def _difference(endog, exog, lengths, d, seasonal_d, period):
    """Rows (and regressors) differenced ``d`` times and ``seasonal_d`` times at lag ``period``.

    Rows start at step 0 and are NaN after their length, so differences of a
    padded array stay NaN after each new length.
    """
    lags = [1] * d + [period] * seasonal_d
    for lag in lags:
        endog = endog[:, lag:] - endog[:, :-lag]
        if exog is not None:
            exog = exog[:, lag:] - exog[:, :-lag]
    return endog, exog, lengths - sum(lags)


def _min_root(params, names):
    """Smallest modulus of the roots of the AR and MA lag polynomials (inf if none)."""
    from numpy.polynomial import polynomial  # noqa: PLC0415

    params = dict(zip(names, params))
    smallest = np.inf
    for prefix, sign in (("ar", -1.0), ("ma", 1.0)):
        full = np.ones(1)
        for tag in (f"{prefix}.L", f"{prefix}.S.L"):
            lags = {int(k[len(tag) :]): v for k, v in params.items() if k.startswith(tag)}
            if not lags:
                continue
            coefficients = np.zeros(max(lags) + 1)
            coefficients[0] = 1.0
            for k, value in lags.items():
                coefficients[k] = sign * value
            full = polynomial.polymul(full, coefficients)
        full = np.trim_zeros(full, "b")
        if len(full) > 1:
            smallest = min(smallest, np.abs(polynomial.polyroots(full)).min())
    return smallest


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
        with recorded_warnings():  # discarded
            # The lag truncation of forecast::ndiffs (urca's ur.kpss).
            nlags = int(3 * np.sqrt(len(series)) / 13)
            p_value = kpss(series, regression="c", nlags=nlags)[1]
        if p_value >= 0.05:
            return d
        if d < max_d:
            series = np.diff(series)
    return max_d


def _seasonal_differences(series, period):
    """1 when the STL seasonal strength exceeds 0.64 (Wang, Smith & Hyndman), else 0.

    The decomposition is that of forecast::mstl (seasonal window 11, locally
    constant seasonal fit), as forecast::nsdiffs and statsforecast use it.
    """
    from statsmodels.tsa.seasonal import STL  # noqa: PLC0415

    if len(series) <= 2 * period or np.ptp(series) == 0:
        return 0
    decomposition = STL(series, period=period, seasonal=11, seasonal_deg=0).fit()
    remainder = decomposition.resid
    strength = 1 - np.var(remainder, ddof=1) / np.var(remainder + decomposition.seasonal, ddof=1)
    return int(strength > 0.64)
