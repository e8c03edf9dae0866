"""Holt-Winters exponential smoothing on a panel of sequences."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from ..utils import check_sequences
from ..utils._compat import Interval, _fit_context
from ._base import (
    LinearStateSpace,
    StatisticalForecasterMixin,
    append_continuation,
    fit_jointly,
    fit_single,
    statsmodels_guard,
)

__all__ = ["ExponentialSmoothingRegressor"]


class ExponentialSmoothingRegressor(StatisticalForecasterMixin, RegressorMixin, BaseEstimator):
    """Holt-Winters exponential smoothing (additive), statsmodels' state-space form underneath.

    Level, optional (damped) trend and optional additive seasonality, as
    statsmodels' ``tsa.statespace.exponential_smoothing.ExponentialSmoothing``
    with ``initialization_method="concentrated"``: ``fit`` estimates the
    smoothing parameters and the error variance; ``predict`` applies them to
    each row, with the initial level, trend and seasonal factors of that row
    chosen by least squares on its own history (De Livera et al., 2011), and
    forecasts its next ``horizon`` values with Gaussian intervals. All rows
    are filtered at once.

    With one row the parameters are those of statsmodels' ``fit()``; with
    several they maximise the rows' summed exact log-likelihood.

    Parameters
    ----------
    trend : bool, default=False
        Include an additive trend (Holt's method).
    damped_trend : bool, default=False
        Damp the trend (needs ``trend=True``).
    seasonal : int or None, default=None
        Period of an additive seasonal component, e.g. 12 for monthly data.
    horizon : int or None, default=None
        Steps to forecast; ``None`` takes it from ``y`` (1 without ``y``).
    maxiter : int, default=50
        Iterations of the likelihood optimiser.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        Smoothing parameters, damping and error variance in statsmodels'
        order (``param_names_``).
    param_names_ : list of str
    llf_, aic_, bic_ : float
        Log-likelihood (summed over rows) and information criteria.
    horizon_ : int
    n_features_in_ : int
    n_channels_in_ : int

    Notes
    -----
    ``y`` is the continuation of each row and is appended to it before
    estimation. Multiplicative trend or seasonality is not offered: its
    forecast distribution has no closed form. Each row needs at least
    ``1 + trend + seasonal`` values, the number of initial states.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.statistical import ExponentialSmoothingRegressor
    >>> t = np.arange(48)
    >>> X = np.stack([10 + 0.5 * t + np.sin(2 * np.pi * t / 4) + 0.1 * np.cos(t * k)
    ...               for k in range(1, 4)])
    >>> model = ExponentialSmoothingRegressor(trend=True, seasonal=4, horizon=4).fit(X)
    >>> model.predict(X).shape
    (3, 4)
    """

    _parameter_constraints: dict = {
        "trend": ["boolean"],
        "damped_trend": ["boolean"],
        "seasonal": [Interval(Integral, 2, None, closed="left"), None],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "maxiter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self, trend=False, damped_trend=False, seasonal=None, horizon=None, maxiter=50
    ):
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.horizon = horizon
        self.maxiter = maxiter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Estimate the smoothing parameters from the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or list of sequences
            Training histories.
        y : array-like of shape (n_samples,) or (n_samples, horizon), default=None
            Continuation of each row, appended to it.

        Returns
        -------
        self : ExponentialSmoothingRegressor
        """
        if self.damped_trend and not self.trend:
            raise ValueError("damped_trend=True needs trend=True.")
        X, lengths = check_sequences(
            X,
            estimator=self,
            reset=True,
            min_length=self._min_predict_length(),
            length_reason=self._length_reason(),
        )
        if X.shape[2] != 1:
            raise ValueError(
                f"ExponentialSmoothingRegressor models one series per row; X has "
                f"{X.shape[2]} channels. Select one, or use ARIMARegressor for "
                "exogenous channels."
            )
        self.horizon_, y2d = self._check_target(y, X, lengths)
        endog, lengths = append_continuation(X, lengths, y2d)
        rows = "row 0" if len(endog) == 1 else f"rows 0..{len(endog) - 1}"
        observed = np.arange(endog.shape[1]) < lengths[:, None]
        what = f"{self._describe()} on {rows}"
        with statsmodels_guard(what):
            spec = self._model(endog[observed])
        n_params = len(spec.param_names)
        n_obs = int(lengths.sum())
        if n_obs <= n_params + self._min_predict_length():
            raise ValueError(
                f"The series is too short for {self._describe()}: {n_obs} "
                f"observation(s) for {n_params} parameters and "
                f"{self._min_predict_length()} initial states."
            )
        with statsmodels_guard(what):
            params = None
            if len(endog) == 1:
                try:
                    params, llf = fit_single(spec, self.maxiter)
                except ValueError:
                    # statsmodels' least squares for the initial states fails on a
                    # constant series; the joint fit below solves it with lstsq.
                    params = None
            if params is None:
                model = self._engine_model(endog.shape[1])
                params, llf = fit_jointly(
                    spec, model, endog, lengths, self.maxiter, engine=_ConcentratedSmoothing
                )
        self.params_, self.param_names_, self.llf_ = params, list(spec.param_names), llf
        self.aic_ = -2 * llf + 2 * n_params
        self.bic_ = -2 * llf + np.log(n_obs) * n_params
        self._engine = self._build_engine(self.n_features_in_ + self.horizon_)
        return self

    def _forecast(self, X, lengths, future_exog):
        engine = self._engine_for(X.shape[1] + self.horizon_)
        return engine.forecast(X[:, :, 0], lengths, self.horizon_)

    def _build_engine(self, n_timesteps):
        with statsmodels_guard(self._describe()):
            return _ConcentratedSmoothing(self._engine_model(n_timesteps), self.params_)

    def _model(self, endog):
        from statsmodels.tsa.statespace.exponential_smoothing import (  # noqa: PLC0415
            ExponentialSmoothing,
        )

        return ExponentialSmoothing(
            endog,
            trend=self.trend,
            damped_trend=self.damped_trend,
            seasonal=self.seasonal,
            initialization_method="concentrated",
            concentrate_scale=False,
        )

    def _engine_model(self, n_timesteps):
        """The model with known zero initial states: same gains, no least squares on zeros."""
        from statsmodels.tsa.statespace.exponential_smoothing import (  # noqa: PLC0415
            ExponentialSmoothing,
        )

        return ExponentialSmoothing(
            np.zeros(n_timesteps),
            trend=self.trend,
            damped_trend=self.damped_trend,
            seasonal=self.seasonal,
            initialization_method="known",
            initial_level=0.0,
            initial_trend=0.0 if self.trend else None,
            initial_seasonal=np.zeros(self.seasonal) if self.seasonal else None,
            concentrate_scale=False,
        )

    def _min_predict_length(self):
        return 1 + int(self.trend) + (self.seasonal or 0)

    def _length_reason(self):
        return f"{self._describe()} (one value per initial state)"

    def _describe(self):
        return (
            f"ExponentialSmoothingRegressor(trend={self.trend}, "
            f"damped_trend={self.damped_trend}, seasonal={self.seasonal})"
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A model of each row's own dynamics cannot fit the checks' i.i.d. rows.
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True
        return tags


class _ConcentratedSmoothing(LinearStateSpace):
    """Exponential smoothing with each row's initial states fitted to that row.

    The one-step errors are affine in the initial states, so the states are
    the least-squares solution of ``errors_from_zero_start ~ w @ initial``
    (``w`` the regressors of De Livera et al. (2011), eq. 10, as statsmodels
    builds them), with the seasonal factors summing to zero. Rows of one
    length share ``w``, so they are solved together.
    """

    def __init__(self, model, params):
        # Gains do not depend on the error variance and every covariance is
        # proportional to it: filter with variance 1 and scale, so a variance
        # estimated as 0 (a constant series) still gives the right gains.
        params = np.array(params, dtype=np.float64)
        scale_index = model.param_names.index("sigma2")
        sigma2, params[scale_index] = params[scale_index], 1.0
        super().__init__(model, params)
        self.innovation_var = self.innovation_var * sigma2
        self.predicted_state_cov = self.predicted_state_cov * sigma2
        self.selected_state_cov = self.selected_state_cov * sigma2
        self.obs_cov = self.obs_cov * sigma2
        ssm = model.ssm
        transition = self.transition[1:, 1:]
        selection = ssm["selection"][1:, :1]
        design = ssm["design"][:, 1:].copy()
        self.k_trend = int(model.trend)
        self.seasonal_periods = model.seasonal_periods if model.seasonal else 0
        if model.trend:
            design[0, 1] = 1.0
        if model.seasonal:
            design[0, 1 + self.k_trend] = 0.0
            design[0, -1] = 1.0
        step = transition - selection @ design
        w = np.empty((model.nobs, len(transition)))
        w[0] = design[0]
        for t in range(model.nobs - 1):
            w[t + 1] = w[t] @ step
        self.w = w
        k = len(transition)
        # Free initial states -> all initial states (seasonal factors sum to zero).
        if model.seasonal:
            s = self.seasonal_periods
            self.basis = np.zeros((k, k - 1))
            self.basis[: k - 1, : k - 1] = np.eye(k - 1)
            self.basis[k - 1, k - s : k - 1] = -1.0
        else:
            self.basis = np.eye(k)

    def filter(self, Y, lengths, first_state=None):
        if first_state is None:
            first_state = self.initial_states(Y, lengths)
        return super().filter(Y, lengths, first_state)

    def initial_states(self, Y, lengths):
        """Predicted state before the first step of each row, ``(n_samples, k_states)``."""
        zero_start = np.zeros((len(Y), len(self.first_state)))
        errors, _ = super().filter(Y, lengths, zero_start)
        initial = np.empty((len(Y), len(self.basis)))
        for length in np.unique(lengths):
            rows = lengths == length
            regressors = self.w[:length] @ self.basis
            coef = np.linalg.lstsq(regressors, errors[rows, :length].T, rcond=None)[0]
            initial[rows] = (self.basis @ coef).T
        # As statsmodels: the states are "filtered" values, moved one step ahead.
        state = np.concatenate([np.zeros((len(Y), 1)), initial], axis=1)
        return state @ self.transition.T
