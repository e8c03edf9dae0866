"""ETS models (Hyndman et al., 2008): estimation, selection and forecasts of one form.

A form is ``(error, trend, damped, season, m)`` with component codes as in
:mod:`._ets_core`. :func:`fit_form` estimates one form on rows,
:func:`select_form` chooses among forms by AICc as forecast::ets does, and
:class:`ETSFit` forecasts with prediction standard deviations.
"""

import itertools
import math
import warnings

import numpy as np

from ._ets_core import compiled

__all__ = ["ETSFit", "candidate_forms", "describe_form", "fit_form", "select_form"]

_ERRORS = {"A": 1, "M": 2}
_SEASONS = {"N": 0, "A": 1, "M": 2}
# Sample paths for the forecast distribution of forms without a closed form.
N_PATHS = 5000


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
    """Heuristic initial states of forecast::ets (``initstate``), ``theta[4:]`` layout.

    Seasonal factors from a classical decomposition (a Fourier fit for fewer
    than three seasons), level and trend from a regression on the first
    ``max(10, 2 m)`` seasonally adjusted values.
    """
    _, trend, _, season, m = form
    n = len(y)
    if season:
        if n < 3 * m:
            t = np.arange(1, n + 1)
            design = np.column_stack(
                [np.ones(n), t, np.sin(2 * np.pi * t / m), np.cos(2 * np.pi * t / m)]
            )
            coef = np.linalg.lstsq(design, y, rcond=None)[0]
            base = coef[0] + coef[1] * t
            seasonal = y - base if season == 1 else y / base
        else:
            seasonal = _classical_seasonal(y, m, multiplicative=season == 2)
        init_season = seasonal[1:m][::-1]
        if season == 1:
            adjusted = y - seasonal
        else:
            init_season = np.clip(init_season, 1e-2, None)
            if init_season.sum() > m:
                init_season = init_season / np.sum(init_season + 1e-2)
            adjusted = y / np.clip(seasonal, 1e-2, None)
    else:
        init_season = np.empty(0)
        adjusted = y
    n_start = min(max(10, 2 * (m if season else 1)), n)
    if not trend:
        return np.concatenate([[adjusted[:n_start].mean()], init_season])
    if n_start < 2:
        level, slope = adjusted[0], 0.0
    else:
        design = np.column_stack([np.ones(n_start), np.arange(1, n_start + 1)])
        level, slope = np.linalg.lstsq(design, adjusted[:n_start], rcond=None)[0]
    if abs(level + slope) < 1e-8:
        level, slope = level * (1 + 1e-3), slope * (1 - 1e-3)
    return np.concatenate([[level, slope], init_season])


def _classical_seasonal(y, m, multiplicative):
    """Seasonal component of a classical (moving-average) decomposition, length ``len(y)``."""
    n = len(y)
    if m % 2 == 0:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        weights = np.ones(m) / m
    trend = np.full(n, np.nan)
    half = len(weights) // 2
    trend[half : n - half] = np.convolve(y, weights, mode="valid")
    detrended = y / trend if multiplicative else y - trend
    means = np.array([np.nanmean(detrended[i::m]) for i in range(m)])
    means = means / means.mean() if multiplicative else means - means.mean()
    return np.tile(means, n // m + 1)[:n]


def _theta_start(y, form, states):
    """Start values (forecast::ets's ``initparam``) and a simplex step per entry."""
    error, trend, damped, season, m = form
    m_eff = m if season else 1
    alpha = 1e-4 + 0.2 * (0.9999 - 1e-4) / m_eff
    beta = 1e-4 + 0.1 * (min(0.9999, alpha) - 1e-4) if trend else 0.0
    gamma = 1e-4 + 0.05 * (min(0.9999, 1 - alpha) - 1e-4) if season else 0.0
    phi = 0.8 + 0.99 * (0.98 - 0.8) if damped else 1.0
    theta = np.concatenate([[alpha, beta, gamma, phi], states])
    step = np.concatenate([[0.1, 0.05, 0.05, 0.02], np.maximum(0.1 * np.abs(states), 0.05)])
    return theta, step


def _free_smoothing(form):
    _, trend, damped, season, _ = form
    return np.array([True, bool(trend), bool(season), bool(damped)])


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
        theta, step = _theta_start(y, self.form, initial_states(y, self.form))
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


def _minimise(theta, free, step, Y, lengths, form, maxiter=2000, tol=1.5e-8):
    """Nelder-Mead within ``maxiter`` iterations in all, restarted while it converges and improves.

    A restart (a fresh simplex around the optimum) escapes simplexes that
    collapsed early; forecast::ets's budget (``maxit=2000``) and R's
    tolerance bound the work.
    """
    error, trend, _, season, m = form
    nelder_mead = compiled("nelder_mead")
    no_states = np.zeros((len(Y), len(theta) - 4 + (1 if season else 0)))
    value = np.inf
    budget = maxiter
    while budget > 0:
        theta, new_value, iterations = nelder_mead(
            theta, free, step[free], Y, lengths, error, trend, season, m, True, no_states,
            budget, tol,
        )  # fmt: skip
        budget -= max(iterations, 1)
        improved = np.isfinite(new_value) and (
            not np.isfinite(value) or new_value < value - tol * abs(value)
        )
        value = min(value, new_value)
        if not improved or iterations >= maxiter:
            break
    return theta, value


def fit_form(Y, lengths, form):
    """Estimate one form on rows ``Y`` (NaN-padded, ``lengths``).

    One row: smoothing parameters and initial states by maximum likelihood, as
    forecast::ets. Several rows: shared smoothing parameters; each row starts
    from its own heuristic initial states (:func:`initial_states`). The rows
    are divided by their mean absolute value first, so that the simplex moves
    states and smoothing parameters on one scale.

    Returns an :class:`ETSFit`, or None when the form cannot be fitted
    (too few observations, no admissible start, a failed fit).
    """
    error, trend, _, season, m = form
    n_smoothing, n_states = n_form_params(form)
    n_obs = int(lengths.sum())
    scale = _scale(Y, lengths)
    Y = Y / scale
    if len(Y) == 1:
        y = Y[0, : lengths[0]]
        n_params = n_smoothing + n_states + 1
        if n_obs <= n_params + 3:
            return None
        theta, step = _theta_start(y, form, initial_states(y, form))
        free = np.concatenate([_free_smoothing(form), np.ones(n_states, dtype=bool)])
        theta, value = _minimise(theta, free, step, Y, lengths, form)
        if not np.isfinite(value):
            return None
        sse = _sse(theta, Y, lengths, form, shared=True)
    else:
        n_params = n_smoothing + 1
        if n_obs <= n_params + 3:
            return None
        states = np.stack([_full_state(initial_states(Y[i, : lengths[i]], form), trend, season, m)
                           for i in range(len(Y))])  # fmt: skip
        theta, step = _theta_start(Y[0, : lengths[0]], form, np.zeros(n_states))
        free = _free_smoothing(form)
        smoothing, value, _ = compiled("nelder_mead")(
            theta[:4], free, step[:4][free], Y, lengths, error, trend, season, m, False, states,
            2000, 1e-10,
        )  # fmt: skip
        if not np.isfinite(value):
            return None
        theta = np.concatenate([smoothing, np.full(n_states, np.nan)])
        sse = _sse(theta, Y, lengths, form, shared=False, states=states)
    theta[4:] = _rescale_states(theta[4:], form, scale)
    value += 2 * n_obs * math.log(scale)
    if error == 1:
        sse *= scale**2
    return ETSFit(form, theta, value, n_obs, n_params, sse)


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
    best = None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for form in forms:
            fitted = fit_form(Y, lengths, form)
            if fitted is None or not np.isfinite(getattr(fitted, criterion)):
                continue
            if best is None or getattr(fitted, criterion) < getattr(best, criterion):
                best = fitted
    return best
