"""Exponential smoothing (ETS) on a panel of sequences, forecast::ets's framework."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone

from ..utils._compat import Interval, StrOptions
from ._base import StatisticalForecasterMixin, _fit_row, append_continuation, overflow_scale
from ._ets import (
    best_fit,
    candidate_forms,
    describe_form,
    fit_per_row,
    n_form_params,
    select_form,
)

__all__ = ["ExponentialSmoothingRegressor"]

# Every spelling accepted, statsmodels' and forecast::ets's, to a component code.
_ERROR_NAMES = {"add": [1], "additive": [1], "A": [1], "mul": [2], "multiplicative": [2],
                "M": [2], "auto": [1, 2]}  # fmt: skip
_TREND_NAMES = {"add": [(1, 0)], "additive": [(1, 0)], "A": [(1, 0)], "damped": [(1, 1)],
                "Ad": [(1, 1)], "N": [(0, 0)], "auto": [(0, 0), (1, 0), (1, 1)]}  # fmt: skip
_SEASON_NAMES = {"add": [1], "additive": [1], "A": [1], "mul": [2], "multiplicative": [2],
                 "M": [2], "N": [0], "auto": [0, 1, 2]}  # fmt: skip


class ExponentialSmoothingRegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """ETS exponential smoothing (error, trend, season), each fixed or chosen by AICc.

    The innovations state-space models of Hyndman et al. (2008), as
    forecast::ets and statsforecast's ``AutoETS``: additive or multiplicative
    error, no / additive / damped additive trend, no / additive /
    multiplicative season. Components set to ``"auto"`` are chosen by
    ``information_criterion`` among the admissible forms, with forecast::ets's
    restrictions (no additive error with a multiplicative season, no
    multiplicative form on data that are not all positive) and parameter
    region (usual bounds and forecastability).

    ``fit`` on one row estimates the smoothing parameters and initial states
    by maximum likelihood (as forecast::ets, whose likelihood is statsmodels'
    ``ETSModel.loglike``). On several rows the smoothing parameters are shared
    (rows are realisations of one process) and each row starts from its own
    heuristic initial states. ``predict`` fits each row's initial states with
    the smoothing parameters held (a row equal to the single training row
    keeps the fitted ones) and forecasts its next ``horizon`` values. With
    ``per_series=True`` every row gets its own model instead, fitted in
    ``predict`` (see :class:`~sklseq.statistical._base.StatisticalForecasterMixin`):
    the rows' fits run in one compiled loop per chunk of rows, joblib
    spreading the chunks over ``n_jobs``, each row's result the same as a fit
    of that row alone.

    Parameters
    ----------
    error : {"add", "mul", "auto"}, default="auto"
        Additive or multiplicative errors (also "additive", "A", ...).
    trend : {None, "add", "damped", "auto"}, default="auto"
        No trend, additive trend, damped additive trend.
    damped_trend : bool, default=False
        Damp an additive trend (statsmodels' spelling of ``trend="damped"``).
    seasonal : {None, "add", "mul", "auto"}, default="auto"
        Season form; ``"auto"`` without ``seasonal_period`` means no season.
    seasonal_period : int or None, default=None
        Period of the season, e.g. 12 for monthly data.
    information_criterion : {"aicc", "aic", "bic"}, default="aicc"
        Chooses among the forms when a component is ``"auto"``.
    horizon : int or None, default=None
        Steps to forecast; ``None`` takes it from ``y`` (1 without ``y``).
    per_series : bool, default=False
        Fit one model per row in ``predict`` (form chosen per row).
    n_jobs : int or None, default=None
        joblib workers over rows with ``per_series=True``.

    Attributes
    ----------
    form_ : str
        The fitted form, e.g. ``"ETS(M,Ad,M)"``.
    error_, trend_, seasonal_ : str or None
        Its components in this estimator's spelling.
    damped_trend_ : bool
    smoothing_ : dict
        ``alpha``, ``beta``, ``gamma``, ``phi`` (None where the form has none).
    initial_states_ : ndarray or None
        Level, trend and seasonal factors before the first step (most recent
        factor first) of a single training row divided by ``scale_``; None
        for several rows.
    sigma2_ : float
        Variance of the (relative, for multiplicative error) innovations of
        the rows divided by ``scale_``.
    scale_ : float
        1.0, or for values beyond 1e100 in magnitude (whose squares overflow)
        the power of two the rows are divided by for estimation and
        forecasting; forecasts and standard deviations are multiplied back.
    llf_, aic_, aicc_, bic_ : float
        Gaussian log-likelihood (summed over rows) and information criteria
        of the rows themselves (with ``scale_``: the Jacobian ``n log(scale_)``
        included).
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Notes
    -----
    The optimiser is forecast::ets's Nelder-Mead (its start values, at most
    2000 iterations); for the linear forms (additive error, additive or no
    season) the initial states are solved by least squares inside each
    likelihood evaluation. numba compiles it on first use (tens of seconds,
    cached on disk afterwards).

    Forecast standard deviations are analytic for additive seasons or none
    (Hyndman et al., 2008, classes 1 and 2) and, for multiplicative seasons,
    from 5000 simulated sample paths with a fixed seed. Each row needs more
    values than the form has parameters plus 3 (forecast::ets's rule); a row
    shorter than two seasons gets Fourier initial seasonal factors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.statistical import ExponentialSmoothingRegressor
    >>> t = np.arange(48)
    >>> series = 10 + 0.2 * t + np.sin(2 * np.pi * t / 4) + 0.1 * np.cos(3 * t)
    >>> model = ExponentialSmoothingRegressor(seasonal_period=4, horizon=4).fit(series[None])
    >>> model.predict(series[None]).shape
    (1, 4)
    >>> model.form_.startswith("ETS(")
    True
    """

    _parameter_constraints: dict = {
        "error": [StrOptions(set(_ERROR_NAMES))],
        "trend": [StrOptions(set(_TREND_NAMES)), None],
        "damped_trend": ["boolean"],
        "seasonal": [StrOptions(set(_SEASON_NAMES)), None],
        "seasonal_period": [Interval(Integral, 2, None, closed="left"), None],
        "information_criterion": [StrOptions({"aicc", "aic", "bic"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "per_series": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        error="auto",
        trend="auto",
        damped_trend=False,
        seasonal="auto",
        seasonal_period=None,
        information_criterion="aicc",
        horizon=None,
        per_series=False,
        n_jobs=None,
    ):
        self.error = error
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.seasonal_period = seasonal_period
        self.information_criterion = information_criterion
        self.horizon = horizon
        self.per_series = per_series
        self.n_jobs = n_jobs

    def _components(self):
        """``(errors, trends, seasons, period)``: the codes the settings allow."""
        errors = _ERROR_NAMES[self.error]
        if self.trend is None:
            trends = [(0, 0)]
        else:
            trends = _TREND_NAMES[self.trend]
            if self.damped_trend:
                trends = [(1, 1)]
        if self.seasonal is None:
            seasons, period = [0], 1
        else:
            period = self.seasonal_period or 1
            seasons = _SEASON_NAMES[self.seasonal] if period > 1 else [0]
        return errors, trends, seasons, period

    def _check_settings(self):
        if self.damped_trend and self.trend in (None, "N"):
            raise ValueError(f"damped_trend=True needs a trend; got trend={self.trend!r}.")
        if self.seasonal not in (None, "auto", "N") and not self.seasonal_period:
            raise ValueError(f"seasonal={self.seasonal!r} needs seasonal_period (e.g. 12).")
        if self.error in ("add", "additive", "A") and self.seasonal in ("mul", "multiplicative", "M"):
            raise ValueError(
                "An additive error with a multiplicative season is not an admissible ETS form "
                "(forecast::ets's restriction); use error='mul'."
            )

    def _fit(self, X, lengths, y2d):
        endog, lengths = append_continuation(X, lengths, y2d)
        scale = overflow_scale(endog)
        endog = endog / scale
        forms = self._forms_for(endog, lengths)
        fitted = select_form(endog, lengths, forms, self.information_criterion)
        if fitted is None:
            raise self._no_fit_error(forms, lengths)
        self._set_fitted(fitted, endog, lengths, scale)

    def _forms_for(self, endog, lengths):
        """The candidate forms for these rows; ``ValueError`` when there is none."""
        errors, trends, seasons, period = self._components()
        observed = np.arange(endog.shape[1]) < lengths[:, None]
        positive = bool((endog[observed] > 0).all())
        forms = candidate_forms(errors, trends, seasons, period, positive)
        if not forms and not positive:
            row = int(np.flatnonzero((np.where(observed, endog, 1.0) <= 0).any(axis=1))[0])
            raise ValueError(
                f"Row {row} holds values <= 0, but {self._describe()} allows only "
                "multiplicative forms, which need positive data."
            )
        short = np.flatnonzero(lengths <= period)
        if period > 1 and short.size:
            # A season needs more than one period in every row.
            forms = [form for form in forms if not form[3]]
            if not forms:
                raise ValueError(
                    f"Row {short[0]} has {lengths[short[0]]} values, not more than one season "
                    f"of seasonal_period={period}: too short for a seasonal ETS form."
                )
        return forms

    def _no_fit_error(self, forms, lengths):
        rows = "row 0" if len(lengths) == 1 else f"rows 0..{len(lengths) - 1}"
        # forecast::ets fits a form when its estimated parameters number fewer than n - 1.
        needed = min(sum(n_form_params(f)) + 1 for f in forms)
        return ValueError(
            f"{self._describe()} on {rows}: no form could be fitted; "
            f"{describe_form(forms[0])} needs more than {needed} values in a row "
            f"(the shortest has {int(lengths.min())}), and its data must allow an "
            "admissible fit."
        )

    def _set_fitted(self, fitted, endog, lengths, scale):
        """Fitted attributes from ``fitted``, estimated on ``endog`` = the rows / ``scale``."""
        self._fit_result = fitted
        self.scale_ = scale
        error, trend, damped, season, _ = fitted.form
        self.form_ = fitted.name
        self.error_ = "add" if error == 1 else "mul"
        self.trend_ = ("damped" if damped else "add") if trend else None
        self.damped_trend_ = bool(damped)
        self.seasonal_ = [None, "add", "mul"][season]
        alpha, beta, gamma, phi = fitted.smoothing()
        self.smoothing_ = {
            "alpha": alpha,
            "beta": beta if trend else None,
            "gamma": gamma if season else None,
            "phi": phi if damped else None,
        }
        single = len(endog) == 1
        self.initial_states_ = fitted.theta[4:].copy() if single else None
        self._training_row = endog[0, : lengths[0]].copy() if single else None
        self.sigma2_ = fitted.sigma2
        # The likelihood of the rows themselves: the scaled rows' one plus the Jacobian.
        jacobian = fitted.n_obs * np.log(self.scale_)
        self.llf_ = fitted.llf - jacobian
        self.aic_, self.aicc_ = fitted.aic + 2 * jacobian, fitted.aicc + 2 * jacobian
        self.bic_ = fitted.bic + 2 * jacobian

    def _forecast_per_series(self, X, lengths, future_exog):
        """One model per row, the rows' fits batched in compiled loops over chunks of rows.

        The same computation as fitting each row alone (:func:`fit_per_row`
        on one row is what ``fit`` does), so the forecasts equal the
        mixin's row-by-row ones; joblib spreads the chunks over ``n_jobs``.
        """
        from joblib import Parallel, delayed, effective_n_jobs  # noqa: PLC0415

        single = clone(self).set_params(per_series=False, n_jobs=None, horizon=self.horizon_)
        # A few chunks per worker balance the load; one chunk when serial.
        n_workers = effective_n_jobs(self.n_jobs)
        n_chunks = 1 if n_workers == 1 else min(len(X), 4 * n_workers)
        chunks = np.array_split(np.arange(len(X)), n_chunks)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_forecast_rows)(single, X[rows, :, 0], lengths[rows], rows)
            for rows in chunks
        )
        mean = np.concatenate([r[0] for r in results])
        std = np.concatenate([r[1] for r in results])
        return mean, std

    def _forecast(self, X, lengths, future_exog):
        fitted = self._fit_result
        _, trend, _, season, m = fitted.form
        mean = np.empty((len(X), self.horizon_))
        std = np.empty_like(mean)
        for i in range(len(X)):
            row = X[i, : lengths[i], 0] / self.scale_
            if season == 2 or fitted.form[0] == 2:
                if not (row > 0).all():
                    raise ValueError(
                        f"Row {i} holds values <= 0; the fitted form {self.form_} is "
                        "multiplicative and needs positive values."
                    )
            if self._training_row is not None and np.array_equal(row, self._training_row):
                states = self.initial_states_
            else:
                states = fitted.fit_states(row)
            state = fitted.final_state(row, states)
            mean[i], std[i] = fitted.forecast(state, self.horizon_)
        mean *= self.scale_
        std *= self.scale_
        if not (np.isfinite(mean).all() and np.isfinite(std).all()):
            bad = int(np.flatnonzero(~np.isfinite(mean + std).all(axis=1))[0])
            raise ValueError(f"{self.form_} gives a non-finite forecast for row {bad}.")
        return mean, std

    def _min_predict_length(self):
        _, trends, seasons, period = self._components()
        # The simplest allowed form: a level (+ trend) (+ one season) to start from.
        return 1 + min(t for t, _ in trends) + (period if min(seasons) else 0)

    def _length_reason(self):
        return f"{self._describe()} (one value per initial state)"

    def _describe(self):
        return (
            f"ExponentialSmoothingRegressor(error={self.error!r}, trend={self.trend!r}, "
            f"seasonal={self.seasonal!r}, seasonal_period={self.seasonal_period})"
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A model of each row's own dynamics cannot fit the checks' i.i.d. rows.
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True
        return tags


def _fit_forecast_rows(single, X, lengths, rows):
    """Forecasts of rows ``X`` (numbered ``rows`` in the user's data), each by its own model."""
    forms_by_row = []
    for i in range(len(X)):
        row = X[i : i + 1, : lengths[i]]
        if lengths[i] < single._min_fit_length():
            _fit_row(single, row[0], rows[i])  # raises the row's own length error
        try:
            forms_by_row.append(single._forms_for(row, lengths[i : i + 1]))
        except ValueError as exc:
            raise ValueError(f"Row {rows[i]}: {exc}") from exc
    forms = sorted({form for row_forms in forms_by_row for form in row_forms})
    allowed = np.array([[form in row_forms for form in forms] for row_forms in forms_by_row])
    scales = np.array([overflow_scale(X[i, : lengths[i]]) for i in range(len(X))])
    scaled = X / scales[:, None]
    fits = fit_per_row(scaled, lengths, forms, allowed)
    mean = np.empty((len(X), single.horizon))
    std = np.empty_like(mean)
    with np.errstate(all="ignore"):  # per thread, unlike warnings.catch_warnings
        for i, row_forms in enumerate(forms_by_row):
            # The row's own candidate order, so that ties go as in a fit of the row alone.
            by_form = dict(zip(forms, fits[i]))
            fitted = best_fit([by_form[form] for form in row_forms], single.information_criterion)
            if fitted is None:
                error = single._no_fit_error(row_forms, lengths[i : i + 1])
                raise ValueError(f"Row {rows[i]}: {error}")
            row = X[i, : lengths[i]]
            model = clone(single)
            model._set_fitted(fitted, scaled[i : i + 1, : lengths[i]], lengths[i : i + 1], scales[i])
            model.horizon_, model._y_was_2d = single.horizon, True
            try:
                mean[i : i + 1], std[i : i + 1] = model._forecast(
                    row[None, :, None], lengths[i : i + 1], None
                )
            except ValueError as exc:
                raise ValueError(f"Row {rows[i]}: {exc}") from exc
    return mean, std
