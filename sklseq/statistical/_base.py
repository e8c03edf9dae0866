"""What the statistical estimators share.

- :class:`StatisticalForecasterMixin`: ``fit`` (one validation prologue, then
  the estimator's ``_fit``), the target contract (``y`` is the continuation of
  each row), the output shape, ``predict(X, return_std=True)``,
  ``predict_interval(X, coverage=0.9)`` and one model per row
  (``per_series=True``, parallel over rows with joblib), one API for the
  whole family.
- :func:`statsmodels_guard`: BLAS pinned to one thread around statsmodels
  calls, statsmodels warnings gathered into one sklseq warning, statsmodels
  failures turned into one ``ValueError`` naming the model and the row.
- :class:`LinearStateSpace`: a linear Gaussian state-space model taken from
  statsmodels (SARIMAX, UnobservedComponents) with fixed parameters, filtered
  on many rows at once. With fixed parameters the Kalman gains and
  innovation variances do not depend on the data, so statsmodels filters one
  series of zeros to get them and the state means of all rows are then
  updated together, one numpy step per time step.
"""

import contextlib
import sys
import threading
import warnings
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.stats import norm
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import ThreadpoolController

from ..utils import check_continuation_target, check_sequences
from ..utils._compat import _fit_context
from ..utils._transaction import transactional

__all__ = [
    "LinearStateSpace",
    "StatisticalForecasterMixin",
    "append_continuation",
    "fit_jointly",
    "fit_single",
    "overflow_scale",
    "recorded_warnings",
    "report_warning",
    "statsmodels_guard",
]

# statsmodels warns about its own starting values and then replaces them;
# nothing for the user to act on.
_BENIGN_WARNINGS = (
    "Non-stationary starting",
    "Non-invertible starting",
    "Too few observations to estimate starting parameters",
    "No frequency information",
    "An unsupported index was provided",
    # The optimiser trying extreme values inside a logistic parameter transform.
    "overflow encountered in exp",
)


# Values beyond these magnitudes are divided by a power of two before
# estimation: their squares (likelihoods, variances) would overflow or
# underflow float64.
_LARGEST_UNSCALED = 1e100
_SMALLEST_UNSCALED = 1e-100


def overflow_scale(values):
    """A power of two to divide ``values`` by before estimation; 1.0 for ordinary data.

    Only when the largest absolute value is beyond 1e100 (or below 1e-100 and
    not zero), where squares leave float64's range; then the scaled values
    are near 1 in magnitude. Dividing by a power of two is exact, so a model
    fitted on the scaled values equals one fitted on the values themselves
    with its location and scale parameters multiplied back.

    Parameters
    ----------
    values : ndarray
        Finite, NaN where not observed.

    Returns
    -------
    scale : float
    """
    with np.errstate(invalid="ignore"):
        peak = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    if not (peak > _LARGEST_UNSCALED or 0.0 < peak < _SMALLEST_UNSCALED):
        return 1.0
    return float(2.0 ** round(np.log2(peak)))


_THREADPOOLS = []


def _one_blas_thread():
    # threadpool_limits() scans the loaded libraries on every call (~4 ms); one
    # controller, made after numpy and scipy have loaded their BLAS, is reused.
    if not _THREADPOOLS:
        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=1, user_api="blas")


# Each thread's open recorders (innermost last); see recorded_warnings.
_RECORDERS = threading.local()


def _open_recorders():
    if not hasattr(_RECORDERS, "stack"):
        _RECORDERS.stack = []
    return _RECORDERS.stack


@contextlib.contextmanager
def recorded_warnings():
    """Gather the warnings of a block into a list, without worker threads touching the filters.

    ``warnings.catch_warnings`` saves and restores the process-wide
    ``warnings.filters``; entered from several threads at once, their saves
    and restores interleave and leave a filter behind (not thread-safe before
    Python 3.14). So only the main thread uses it here (every warning of the
    block recorded, ``"always"``, and the filters restored). In any thread,
    the warnings that sklseq reports with :func:`report_warning` (statsmodels'
    non-convergence among them: :func:`fit_single` reads it from the results)
    are recorded, and numpy's floating-point warnings are off
    (``np.errstate`` is per thread); other warnings that third-party code
    issues in a worker thread go through the filters as the user set them.

    Yields
    ------
    records : list of warnings.WarningMessage
        Filled while the block runs and when it ends.
    """
    records = []
    stack = _open_recorders()
    stack.append(records)
    try:
        if threading.current_thread() is threading.main_thread():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    yield records
                finally:
                    records.extend(caught)
        else:
            with np.errstate(all="ignore"):
                yield records
    finally:
        stack.pop()  # this block's records: blocks nest


def report_warning(message, category, stacklevel=2):
    """Record a warning in this thread's innermost :func:`recorded_warnings`, or issue it."""
    stack = _open_recorders()
    if not stack:
        warnings.warn(message, category, stacklevel=stacklevel + 1)
        return
    frame = sys._getframe(1)
    stack[-1].append(
        warnings.WarningMessage(
            category(message), category, frame.f_code.co_filename, frame.f_lineno
        )
    )


# statsmodels' L-BFGS enters warnings.catch_warnings itself, and the BLAS
# thread limit is process-wide too: statsmodels runs in one thread at a time,
# so that their saves and restores never interleave (the Kalman filter holds
# the GIL anyway, so threads gain little by running it at once).
_STATSMODELS_LOCK = threading.RLock()


@contextlib.contextmanager
def statsmodels_guard(what):
    """Run statsmodels code with one BLAS thread and one clear warning or error.

    Safe in threads: one thread at a time runs statsmodels, and warnings are
    gathered by :func:`recorded_warnings`.

    Parameters
    ----------
    what : str
        The model and the rows, e.g. ``"ARIMARegressor(order=(1, 0, 0)) on row 3"``;
        it starts every message.
    """
    with _STATSMODELS_LOCK, _one_blas_thread(), recorded_warnings() as caught:
        try:
            yield
        except (np.linalg.LinAlgError, ValueError, IndexError, ZeroDivisionError) as exc:
            raise ValueError(f"{what} failed in statsmodels: {exc}") from exc
    converged = True
    others = []
    for record in caught:
        message = str(record.message)
        if issubclass(record.category, ConvergenceWarning) or "converge" in message:
            converged = False
        elif not message.startswith(_BENIGN_WARNINGS) and message not in others:
            others.append(message)
    parts = []
    if not converged:
        parts.append(
            "the likelihood optimisation did not converge; the parameters may be poor. "
            "Try a lower order, more data or a larger maxiter."
        )
    if others:
        parts.append("statsmodels reported: " + " | ".join(others))
    if parts:
        category = UserWarning if converged else ConvergenceWarning
        report_warning(f"{what}: " + " ".join(parts), category, stacklevel=3)


class StatisticalForecasterMixin:
    """Fit prologue, target contract, output shape and prediction intervals of the family.

    ``y`` at fit is the continuation of each row: ``(n_samples,)`` the next
    value, ``(n_samples, horizon)`` the next ``horizon`` values. ``predict``
    returns the same shape. Subclasses implement
    ``_forecast(X, lengths, future_exog) -> (mean, std)``, both ``(n_samples, horizon_)``,
    and, when they use the shared :meth:`fit`, ``_fit(X, lengths, y2d)``.

    Estimators with a ``per_series`` parameter fit one model per row when it
    is True: ``fit`` then only validates the data and sets ``horizon_``, and
    ``predict`` fits a model (orders chosen per row when automatic) to each
    row's own history and forecasts from it, over ``n_jobs`` joblib workers.
    Rows stay independent, so the forecasts do not depend on which other rows
    are in ``X``; ``joblib.parallel_config(backend="dask")`` spreads the rows
    over a Dask cluster.
    """

    # forecast_from_end gives these models the whole history, not the last window.
    _forecasts_from_whole_history = True
    # Set by the estimators that offer one model per row.
    n_jobs: int | None

    def _fit(self, X, lengths, y2d):
        """Estimate the parameters from validated rows and their 2D continuation."""
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=True)
    @transactional
    def fit(self, X: Any, y: ArrayLike | None = None) -> Self:
        """Estimate the parameters from the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            Training histories.
        y : array-like of shape (n_samples,) or (n_samples, horizon), default=None
            Continuation of each row, appended to it before estimation.
            With ``per_series=True`` it only sets ``horizon_``.

        Returns
        -------
        self : estimator
        """
        self._check_settings()
        X, lengths = check_sequences(
            X,
            estimator=self,
            reset=True,
            min_length=self._min_fit_length(),
            length_reason=self._length_reason(),
        )
        self._check_channels(X)
        # The family's own target check; sklseq.utils.check_continuation_target
        # is meant to replace it.
        self.horizon_, y2d = self._check_target(y, X, lengths)
        if getattr(self, "per_series", False):
            return self
        self._fit(X, lengths, y2d)
        return self

    def _check_settings(self):
        """Raise ``ValueError`` on parameter combinations ``_parameter_constraints`` cannot express."""

    def _min_fit_length(self):
        return self._min_predict_length()

    def _check_channels(self, X):
        if X.shape[2] != 1:
            raise ValueError(
                f"{type(self).__name__} models one series per row; X has {X.shape[2]} "
                "channels. Select one, or use ARIMARegressor for exogenous channels."
            )

    def per_series_models(self, X: Any) -> list[Any]:
        """The model of each row: a copy of this estimator fitted to that row alone.

        Parameters
        ----------
        X : array-like or list of sequences
            As in :meth:`predict`.

        Returns
        -------
        models : list of fitted estimators, one per row, with ``per_series=False``
        """
        from joblib import Parallel, delayed  # noqa: PLC0415

        check_is_fitted(self)
        X, lengths = check_sequences(X, estimator=self, reset=False)
        single = clone(self).set_params(per_series=False, n_jobs=None, horizon=self.horizon_)
        return Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_row)(single, X[i, : lengths[i]], i) for i in range(len(X))
        )

    def _forecast_per_series(self, X, lengths, future_exog):
        from joblib import Parallel, delayed  # noqa: PLC0415

        single = clone(self).set_params(per_series=False, n_jobs=None, horizon=self.horizon_)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_forecast_row)(
                single,
                X[i, : lengths[i]],
                i,
                None if future_exog is None else np.asarray(future_exog)[i : i + 1],
            )
            for i in range(len(X))
        )
        mean = np.concatenate([r[0] for r in results])
        std = np.concatenate([r[1] for r in results])
        return mean, std

    def predict(
        self, X: Any, return_std: bool = False, future_exog: ArrayLike | None = None
    ) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Forecast the next ``horizon_`` values of each row from its own history.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            The histories; each row is forecast independently.
        return_std : bool, default=False
            Also return the standard deviation of each forecast.
        future_exog : array-like of shape (n_samples, horizon, n_exog), default=None
            Future values of the exogenous channels, needed only by models
            fitted with exogenous channels.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, horizon)
            Same shape as ``y`` at fit (1D when fitted on 1D ``y`` or no ``y``
            with ``horizon_ == 1``).
        y_std : ndarray of the same shape, only with ``return_std=True``
        """
        check_is_fitted(self)
        mean, std = self._forecast_checked(X, future_exog)
        if return_std:
            return self._shape_output(mean), self._shape_output(std)
        return self._shape_output(mean)

    def predict_interval(
        self, X: Any, coverage: float = 0.9, future_exog: ArrayLike | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Central prediction interval under Gaussian forecast errors.

        Parameters
        ----------
        X : array-like or list of sequences
            As in :meth:`predict`.
        coverage : float, default=0.9
            Probability that the interval holds the future value, in (0, 1).
        future_exog : array-like, default=None
            As in :meth:`predict`.

        Returns
        -------
        lower, upper : ndarray of shape (n_samples,) or (n_samples, horizon)
            Same shape as :meth:`predict`.
        """
        if not 0 < coverage < 1:
            raise ValueError(f"coverage must be in (0, 1); got {coverage!r}.")
        mean, std = self.predict(X, return_std=True, future_exog=future_exog)
        half_width = norm.ppf(0.5 + coverage / 2) * std
        return mean - half_width, mean + half_width

    def _forecast_checked(self, X, future_exog):
        per_series = getattr(self, "per_series", False)
        X, lengths = check_sequences(
            X,
            estimator=self,
            reset=False,
            # With one model per row, each row's own fit checks its length.
            min_length=1 if per_series else self._min_predict_length(),
            length_reason=self._length_reason(),
            single_series=True,
        )
        if future_exog is not None and not getattr(self, "n_exog_", 0):
            raise ValueError(
                f"future_exog was given but {type(self).__name__} was fitted without "
                "exogenous channels."
            )
        if per_series:
            return self._forecast_per_series(X, lengths, future_exog)
        return self._forecast(X, lengths, future_exog)

    def _check_target(self, y, X, lengths):
        """Horizon and continuation values from ``y``.

        Returns ``(horizon, y2d)`` where ``y2d`` is ``None`` or
        ``(n_samples, horizon_y)``; sets ``_y_was_2d``.
        """
        y2d, horizon, self._y_was_2d = check_continuation_target(
            y, X.shape[0], self.horizon, required=False, estimator=self
        )
        return horizon, y2d

    def _shape_output(self, values):
        if values.ndim == 3:  # every channel of a multivariate forecast
            return values
        if values.shape[1] == 1 and not self._y_was_2d:
            return values[:, 0]
        return values

    def _min_predict_length(self):
        return 1

    def _length_reason(self):
        return f"{type(self).__name__}"

    def _engine_for(self, n_timesteps):
        """The fitted :class:`LinearStateSpace`, rebuilt only for longer rows than at fit.

        Its gains depend on the parameters and the time step only, so the one
        built in ``fit`` (``_engine``) serves every shorter input.
        """
        engine = getattr(self, "_engine", None)
        if engine is None or engine.n_timesteps < n_timesteps:
            engine = self._build_engine(n_timesteps)
        return engine


def _fit_row(single, row, index):
    """``single`` fitted to one row; failures name the row."""
    try:
        return clone(single).fit(row[None])
    except ValueError as exc:
        raise ValueError(f"Row {index}: {exc}") from exc


def _fit_forecast_row(single, row, index, future_exog):
    model = _fit_row(single, row, index)
    try:
        return model._forecast(row[None], np.array([len(row)]), future_exog)
    except ValueError as exc:
        raise ValueError(f"Row {index}: {exc}") from exc


def append_continuation(X, lengths, y2d):
    """Append ``y2d[i]`` after the last observed step of row ``i`` (1 channel)."""
    if y2d is None:
        return X[:, :, 0], lengths
    n_samples, n_timesteps = X.shape[:2]
    horizon = y2d.shape[1]
    out = np.full((n_samples, n_timesteps + horizon), np.nan)
    out[:, :n_timesteps] = X[:, :, 0]
    columns = lengths[:, None] + np.arange(horizon)
    out[np.arange(n_samples)[:, None], columns] = y2d
    return out, lengths + horizon


class LinearStateSpace:
    """A statsmodels state-space model with fixed parameters, filtered on many rows.

    Parameters
    ----------
    model : statsmodels ``MLEModel``
        Built on a series of zeros as long as the longest history plus the
        horizon that will be filtered or forecast; reused across parameters.
    params : ndarray of shape (n_params,)
        Constrained parameters of that model.
    """

    def __init__(self, model, params):
        n_timesteps = model.nobs
        self.n_timesteps = n_timesteps
        result = model.filter(params, return_ssm=True)
        ssm = model.ssm
        self.design = _constant(ssm["design"], "design")[0]
        self.transition = _constant(ssm["transition"], "transition")
        self.selected_state_cov = _constant(ssm["selection"], "selection")
        self.selected_state_cov = (
            self.selected_state_cov
            @ _constant(ssm["state_cov"], "state_cov")
            @ self.selected_state_cov.T
        )
        self.obs_cov = float(_constant(ssm["obs_cov"], "obs_cov")[0, 0])
        self.state_intercept = _time_varying(ssm["state_intercept"], n_timesteps).T
        self.obs_intercept = _time_varying(ssm["obs_intercept"], n_timesteps)[0]
        self.gain = result.kalman_gain[:, 0, :].T  # (n_timesteps, k_states)
        self.innovation_var = result.forecasts_error_cov[0, 0, :]
        self.first_state = result.predicted_state[:, 0]
        self.predicted_state_cov = result.predicted_state_cov
        self.loglikelihood_burn = ssm.loglikelihood_burn

    def filter(self, Y, lengths, first_state=None):
        """Innovations of each row and the predicted state after its last step.

        Parameters
        ----------
        Y : ndarray of shape (n_samples, n_timesteps)
            NaN after each row's length.
        lengths : ndarray of shape (n_samples,)
        first_state : ndarray of shape (n_samples, k_states), default=None
            Predicted state before each row's first step; ``None``: the model's
            own initialisation, the same for every row.

        Returns
        -------
        innovations : ndarray of shape (n_samples, n_timesteps), NaN after each length
        state : ndarray of shape (n_samples, k_states)
        """
        n_samples, n_timesteps = Y.shape
        if first_state is None:
            state = np.tile(self.first_state, (n_samples, 1))
        else:
            state = np.array(first_state, dtype=np.float64)
        innovations = np.full(Y.shape, np.nan)
        transition_t = np.ascontiguousarray(self.transition.T)
        all_active = int(lengths.min())
        for t in range(int(lengths.max())):
            v = Y[:, t] - state @ self.design - self.obs_intercept[t]
            updated = state @ transition_t + self.state_intercept[t]
            if t < all_active:
                updated += v[:, None] * self.gain[t]
                innovations[:, t] = v
                state = updated
            else:
                # Rows that have ended keep their last predicted state.
                active = t < lengths
                updated += np.where(active, v, 0.0)[:, None] * self.gain[t]
                innovations[active, t] = v[active]
                state = np.where(active[:, None], updated, state)
        return innovations, state

    def loglike(self, Y, lengths):
        """Sum over rows of each row's exact Gaussian log-likelihood."""
        innovations, _ = self.filter(Y, lengths)
        burn = self.loglikelihood_burn
        var = self.innovation_var[burn : Y.shape[1]]
        terms = np.log(2 * np.pi * var) + innovations[:, burn:] ** 2 / var
        return -0.5 * np.nansum(terms)

    def forecast(self, Y, lengths, horizon):
        """Mean and standard deviation of the next ``horizon`` values of each row.

        Returns
        -------
        mean, std : ndarray of shape (n_samples, horizon)
        """
        _, state = self.filter(Y, lengths)
        mean = np.empty((len(Y), horizon))
        for j in range(horizon):
            step = lengths + j
            mean[:, j] = state @ self.design + self.obs_intercept[step]
            state = state @ self.transition.T + self.state_intercept[step]
        std = np.empty_like(mean)
        for length in np.unique(lengths):
            std[lengths == length] = self._forecast_std(length, horizon)
        return mean, std

    def _forecast_std(self, length, horizon):
        cov = self.predicted_state_cov[:, :, length]
        std = np.empty(horizon)
        for j in range(horizon):
            std[j] = np.sqrt(self.design @ cov @ self.design + self.obs_cov)
            cov = self.transition @ cov @ self.transition.T + self.selected_state_cov
        return std


def _constant(matrix, name):
    if matrix.ndim == 3:
        if matrix.shape[2] != 1:
            raise NotImplementedError(f"time-varying {name} matrices are not supported.")
        matrix = matrix[:, :, 0]
    return matrix


def _time_varying(values, n_timesteps):
    values = values if values.ndim == 2 else values[:, None]
    return np.broadcast_to(values, (values.shape[0], n_timesteps))


def fit_single(spec, maxiter, start_params=None):
    """Statsmodels' own fit of one series: its parameters and log-likelihood.

    ``cov_type="none"`` and ``low_memory=True`` skip what the estimators do not
    use: the parameter covariance and the smoother. ``start_params=None``
    keeps statsmodels' own start values.
    """
    # Convergence is read from the results, not from statsmodels' warning, so
    # that it is known in worker threads too (see recorded_warnings).
    results = spec.fit(
        start_params=start_params, disp=False, maxiter=maxiter, cov_type="none",
        low_memory=True, warn_convergence=False,
    )  # fmt: skip
    if not results.mle_retvals["converged"]:
        report_warning("Maximum Likelihood optimization did not converge.", ConvergenceWarning)
    return np.asarray(results.params), float(results.llf)


def fit_jointly(
    spec,
    model,
    endog,
    lengths,
    maxiter,
    exog=None,
    exog_slice=None,
    engine=LinearStateSpace,
    start_params=None,
):
    """Parameters maximising the summed exact log-likelihood of independent rows.

    Parameters
    ----------
    spec : statsmodels ``MLEModel``
        The model on the rows joined end to end: gives the parameter transforms
        and the start values (its own likelihood is not used).
    model : statsmodels ``MLEModel``
        The same model without exogenous regressors on zeros of the rows' length,
        for :class:`LinearStateSpace`.
    endog : ndarray of shape (n_samples, n_timesteps)
        NaN after each row's length.
    lengths : ndarray of shape (n_samples,)
    maxiter : int
    exog : ndarray of shape (n_samples, n_timesteps, n_exog), default=None
        Regressors whose coefficients are ``params[exog_slice]`` (regression
        with state-space errors, as in SARIMAX).
    exog_slice : slice, default=None
    engine : callable, default=LinearStateSpace
        ``engine(model, params)`` gives an object with ``loglike(Y, lengths)``.
    start_params : ndarray, default=None
        Constrained start values; ``None``: statsmodels' ``spec.start_params``.

    Returns
    -------
    params : ndarray of shape (n_params,)
    llf : float
        The summed log-likelihood at ``params``.
    """
    n_obs = lengths.sum()
    keep = np.ones(len(spec.param_names), dtype=bool)
    if exog is not None:
        keep[exog_slice] = False

    def negative_loglike(unconstrained):
        params = spec.transform_params(unconstrained)
        residual = endog if exog is None else endog - exog @ params[exog_slice]
        value = -engine(model, params[keep]).loglike(residual, lengths) / n_obs
        return value if np.isfinite(value) else 1e10

    start = spec.untransform_params(spec.start_params if start_params is None else start_params)
    result = minimize(negative_loglike, start, method="L-BFGS-B", options={"maxiter": maxiter})
    if not result.success:
        report_warning(f"did not converge: {result.message}", ConvergenceWarning)
    return spec.transform_params(result.x), -result.fun * n_obs
