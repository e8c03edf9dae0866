"""ETS models (Hyndman et al., 2008): estimation, selection and forecasts of one form.

A form is ``(error, trend, damped, season, m)`` with component codes as in
:mod:`._ets_core`. :func:`fit_per_row` estimates forms on each row alone
(one compiled loop over rows and forms), :func:`fit_form` one form on rows
(pooled smoothing parameters for several rows), :func:`select_form` chooses
among forms by AICc as forecast::ets does, and :class:`ETSFit` forecasts
with prediction standard deviations.

The optimiser is forecast::ets's: Nelder-Mead from its start values, at most
2000 iterations, R's relative tolerance. For the linear forms (additive
error, additive or no season) the initial states are solved by least squares
inside each likelihood evaluation, so the simplex moves only the smoothing
parameters; the other forms move the states too.
"""

import itertools
import math

import numpy as np

from ._ets_core import compiled

__all__ = [
    "ETSFit",
    "best_fit",
    "candidate_forms",
    "describe_form",
    "fit_form",
    "fit_per_row",
    "select_form",
]

_ERRORS = {"A": 1, "M": 2}
_SEASONS = {"N": 0, "A": 1, "M": 2}
# Sample paths for the forecast distribution of forms without a closed form.
N_PATHS = 5000
# forecast::ets's optimiser budget (maxit) and R optim's relative tolerance.
MAXITER = 2000
TOL = 1.5e-8


def describe_form(form):
    """``ETS(M,Ad,M)``-style name of a form."""
    error, trend, damped, season, _ = form
    trend_code = "N" if not trend else ("Ad" if damped else "A")
    return f"ETS({'AM'[error - 1]},{trend_code},{'NAM'[season]})"


def n_form_params(form):
    """Smoothing parameters and free initial states of a form."""
    _, trend, damped, season, m = form
    n_smoothing = 1 + trend + bool(season) + damped
    n_states = 1 + trend + (m - 1 if season else 0)
    return n_smoothing, n_states


def candidate_forms(error, trend, season, m, positive):
    """Forms allowed by the settings, in forecast::ets's order and restrictions.

    ``error``, ``season`` are lists of codes, ``trend`` a list of
    ``(trend, damped)``. Additive error with multiplicative season and
    multiplicative forms on data that are not all positive are left out.
    """
    forms = []
    for e, (t, d), s in itertools.product(error, trend, season):
        if s and m < 2:
            continue
        if e == 1 and s == 2:
            continue
        if not positive and (e == 2 or s == 2):
            continue
        forms.append((e, t, d, s, m if s else 1))
    return forms


def initial_states(y, form):
    """Heuristic initial states of forecast::ets (``initstate``) of row ``y``, ``theta[4:]`` layout."""
    _, trend, _, season, m = form
    return compiled("initial_states")(np.ascontiguousarray(y, dtype=float), trend, season, m)


def _theta_start(y, form):
    """Start values (forecast::ets's ``initparam``, heuristic states) and simplex steps."""
    _, trend, damped, season, m = form
    return compiled("theta_start")(initial_states(y, form), trend, damped, season, m)


def _free(form, n_theta, with_states):
    _, trend, damped, season, _ = form
    return compiled("free_entries")(n_theta, trend, damped, season, with_states)


class ETSFit:
    """One fitted form: parameters, fit statistics and forecasts.

    Parameters
    ----------
    form : tuple
    theta : ndarray
        ``(alpha, beta, gamma, phi)`` then the initial states of the single
        training row (NaN for pooled fits, whose rows keep their own states).
    neg2llf : float
    n_obs : int
    n_params : int
        Estimated parameters, the error variance included.
    sse : float
        Sum of squared one-step errors (relative errors for multiplicative error).
    """

    def __init__(self, form, theta, neg2llf, n_obs, n_params, sse):
        self.form = form
        self.theta = theta
        self.llf = -0.5 * neg2llf
        self.n_obs = n_obs
        self.n_params = n_params
        self.aic = neg2llf + 2 * n_params
        self.bic = neg2llf + math.log(n_obs) * n_params
        denominator = n_obs - n_params - 1
        self.aicc = self.aic + 2 * n_params * (n_params + 1) / denominator if denominator > 0 else np.inf
        self.sigma2 = sse / max(n_obs - n_params, 1)

    @property
    def name(self):
        return describe_form(self.form)

    def smoothing(self):
        """``(alpha, beta, gamma, phi)``."""
        return tuple(float(v) for v in self.theta[:4])

    def final_state(self, y, states):
        """State after the last value of ``y`` started from ``states`` (``theta[4:]`` layout)."""
        error, trend, _, season, m = self.form
        alpha, beta, gamma, phi = self.smoothing()
        state = _full_state(states, trend, season, m)
        compiled("ets_filter")(y, len(y), state, error, trend, season, alpha, beta, gamma, phi, m)
        return state

    def fit_states(self, y):
        """Initial states of one row with the smoothing parameters held: least -2 log-likelihood."""
        scale = _scale(y[None], np.array([len(y)]))
        y = y / scale
        error, trend, _, season, m = self.form
        if error == 1 and season != 2:  # linear: exactly, by least squares
            scratch = np.empty(1 + trend + (m if season else 0))
            sse, states = compiled("least_squares_states")(
                y, len(y), trend, season, *self.smoothing(), m, scratch
            )
            if np.isfinite(sse):
                return _rescale_states(states, self.form, scale)
        theta, step = _theta_start(y, self.form)
        theta[:4] = self.theta[:4]
        free = np.zeros(len(theta), dtype=bool)
        free[4:] = True
        theta = _minimise(theta, free, step, y[None], np.array([len(y)]), self.form)[0]
        return _rescale_states(theta[4:], self.form, scale)

    def forecast(self, state, horizon):
        """Mean and standard deviation of the next ``horizon`` values after ``state``."""
        error, trend, _, season, m = self.form
        alpha, beta, gamma, phi = self.smoothing()
        mean = compiled("ets_forecast")(state, horizon, trend, season, phi, m)
        if error == 1 and season != 2:
            c2 = self._c_squared(horizon)
            variance = self.sigma2 * (1 + np.concatenate([[0.0], np.cumsum(c2[1:])]))
        elif error == 2 and season != 2:
            variance = self._class2_variance(mean, horizon)
        else:
            paths = compiled("simulate")(
                state, horizon, N_PATHS, error, trend, season, alpha, beta, gamma, phi, m,
                math.sqrt(self.sigma2), 0,
            )  # fmt: skip
            variance = paths.var(axis=0)
        return mean, np.sqrt(np.maximum(variance, 0.0))

    def _c_squared(self, horizon):
        """``c_j**2`` for ``j = 0 .. horizon - 1`` of the linear forms (``c_0`` unused)."""
        _, trend, damped, season, m = self.form
        alpha, beta, gamma, phi = self.smoothing()
        j = np.arange(horizon, dtype=float)
        c = np.full(horizon, alpha)
        if trend:
            damped_sum = np.cumsum(phi ** np.arange(1, horizon + 1))
            c = c + beta * (np.concatenate([[0.0], damped_sum[:-1]]) if damped else j)
        if season:
            c = c + gamma * ((j % m == 0) & (j > 0))
        return c**2

    def _class2_variance(self, mean, horizon):
        c2 = self._c_squared(horizon)
        theta = np.empty(horizon)
        for h in range(horizon):
            theta[h] = mean[h] ** 2 + self.sigma2 * np.dot(c2[1 : h + 1], theta[:h][::-1])
        return (1 + self.sigma2) * theta - mean**2


def _full_state(states, trend, season, m):
    state = np.empty(len(states) + (1 if season else 0))
    state[: len(states)] = states
    if season:
        state[-1] = (m if season == 2 else 0.0) - states[1 + trend :].sum()
    return state


def _minimise(theta, free, step, Y, lengths, form):
    error, trend, _, season, m = form
    no_states = np.zeros((len(Y), len(theta) - 4 + (1 if season else 0)))
    return compiled("minimise")(theta, free, step, Y, lengths, error, trend, season, m, 1,
                                no_states, MAXITER, TOL)  # fmt: skip


def fit_form(Y, lengths, form):
    """Estimate one form on rows ``Y`` (NaN-padded, ``lengths``).

    One row: smoothing parameters and initial states by maximum likelihood, as
    forecast::ets (:func:`fit_per_row`). Several rows: shared smoothing
    parameters; each row starts from its own heuristic initial states
    (:func:`initial_states`). The rows are divided by their mean absolute
    value first, so that the simplex moves states and smoothing parameters on
    one scale.

    Returns an :class:`ETSFit`, or None when the form cannot be fitted
    (too few observations, no admissible start, a failed fit).
    """
    if len(Y) == 1:
        return fit_per_row(Y, lengths, [form])[0][0]
    error, trend, _, season, m = form
    n_smoothing, n_states = n_form_params(form)
    n_obs = int(lengths.sum())
    n_params = n_smoothing + 1
    if n_smoothing >= n_obs - 1:  # forecast::ets's rule, the states not being estimated
        return None
    scale = _scale(Y, lengths)
    Y = Y / scale
    states = np.stack([_full_state(initial_states(Y[i, : lengths[i]], form), trend, season, m)
                       for i in range(len(Y))])  # fmt: skip
    theta, step = _theta_start(Y[0, : lengths[0]], form)
    theta, step = theta[:4], step[:4]
    free = _free(form, 4, False)
    theta, value = compiled("minimise")(
        theta, free, step, Y, lengths, error, trend, season, m, 0, states, MAXITER, TOL
    )
    if not np.isfinite(value):
        return None
    theta = np.concatenate([theta, np.full(n_states, np.nan)])
    sse = _sse(theta, Y, lengths, form, shared=False, states=states)
    value += 2 * n_obs * math.log(scale)
    if error == 1:
        sse *= scale**2
    return ETSFit(form, theta, value, n_obs, n_params, sse)


def fit_per_row(Y, lengths, forms, allowed=None):
    """Every form on every row alone (maximum likelihood), in one compiled loop over rows.

    Parameters
    ----------
    Y : ndarray of shape (n_rows, n_timesteps)
        NaN-padded after each row's length.
    lengths : ndarray of shape (n_rows,)
    forms : list of tuple
    allowed : ndarray of shape (n_rows, n_forms) of bool, default=None
        Which forms to fit on which row; None: all.

    Returns
    -------
    fits : list of lists
        ``fits[i][f]``: the :class:`ETSFit` of form ``f`` on row ``i``, or
        None where it was not allowed or could not be fitted.
    """
    if allowed is None:
        allowed = np.ones((len(Y), len(forms)), dtype=bool)
    form_codes = np.array(forms, dtype=np.int64).reshape(len(forms), 5)
    Y = np.ascontiguousarray(np.where(np.isnan(Y), 0.0, Y), dtype=float)
    scale, neg2llf, sse, thetas = compiled("fit_rows")(
        Y, np.asarray(lengths, dtype=np.int64), form_codes, np.asarray(allowed, dtype=bool),
        MAXITER, TOL,
    )  # fmt: skip
    fits = []
    for i in range(len(Y)):
        row_fits = []
        for f, form in enumerate(forms):
            if not np.isfinite(neg2llf[i, f]):
                row_fits.append(None)
                continue
            n_smoothing, n_states = n_form_params(form)
            theta = thetas[i, f, : 4 + n_states].copy()
            theta[4:] = _rescale_states(theta[4:], form, scale[i])
            n_obs = int(lengths[i])
            value = neg2llf[i, f] + 2 * n_obs * math.log(scale[i])
            row_sse = sse[i, f] * (scale[i] ** 2 if form[0] == 1 else 1.0)
            row_fits.append(ETSFit(form, theta, value, n_obs, n_smoothing + n_states + 1, row_sse))
        fits.append(row_fits)
    return fits


def _scale(Y, lengths):
    observed = np.arange(Y.shape[1]) < lengths[:, None]
    scale = float(np.abs(Y[observed]).mean())
    return scale if scale > 0 else 1.0


def _rescale_states(states, form, scale):
    """States of rows divided by ``scale`` -> states of the rows themselves."""
    _, trend, _, season, _ = form
    states = states.copy()
    states[: 1 + trend] *= scale
    if season == 1:
        states[1 + trend :] *= scale
    return states


def _sse(theta, Y, lengths, form, shared, states=None):
    error, trend, _, season, m = form
    alpha, beta, gamma, phi = theta[:4]
    total = 0.0
    for i in range(len(Y)):
        state = _full_state(theta[4:], trend, season, m) if shared else states[i].copy()
        sse, _ = compiled("ets_filter")(
            Y[i], lengths[i], state, error, trend, season, alpha, beta, gamma, phi, m
        )
        total += sse
    return total


def select_form(Y, lengths, forms, criterion="aicc"):
    """The fitted form with the lowest ``criterion``; None when none could be fitted."""
    with np.errstate(all="ignore"):  # per thread, unlike warnings.catch_warnings
        if len(Y) == 1:
            return best_fit(fit_per_row(Y, lengths, forms)[0], criterion)
        return best_fit([fit_form(Y, lengths, form) for form in forms], criterion)


def best_fit(fits, criterion="aicc"):
    """The fit with the lowest finite ``criterion`` (the first on ties); None when none."""
    best = None
    for fitted in fits:
        if fitted is None or not np.isfinite(getattr(fitted, criterion)):
            continue
        if best is None or getattr(fitted, criterion) < getattr(best, criterion):
            best = fitted
    return best
