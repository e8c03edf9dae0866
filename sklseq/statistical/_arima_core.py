"""Likelihoods and CSS-then-ML estimation of seasonal ARMA models, compiled by numba when installed.

The model of the auto-ARIMA search: rows ``y`` (already differenced) with
``phi(L) Phi(L^s) (y_t - mean) = theta(L) Theta(L^s) e_t``. The state space is
Harvey's (as R's ``arima`` and statsforecast): ``r = max(p + sP, q + sQ + 1)``
states, the first of which is observed, started from the stationary
covariance (the exact Lyapunov solution, as statsmodels' ``SARIMAX``; R
approximates it by Gardner et al.'s algorithm), with
``sigma^2`` concentrated out. The conditional sum of squares conditions on
the first ``p + sP`` values of each row and takes earlier innovations as
zero (R's ``method="CSS"``). :func:`fit_css_ml` is R's default
``method="CSS-ML"``: BFGS (R's ``optim``, central-difference gradients) on the
CSS objective, then on the exact likelihood from there, with the AR parts
kept stationary by R's transform (``tanh`` then Durbin-Levinson).

Rows are the rows of a padded 2D array with their lengths; the likelihood of
several rows is that of independent realisations of one process (one
``sigma^2``, one mean).

``spec`` is the int64 array ``(p, q, P, Q, s, with_mean)``. Parameter vectors
are ``(ar_1..ar_p, ma_1..ma_q, sar_1..sar_P, sma_1..sma_Q, [mean])``.

Every function here is plain Python that numba can compile: without numba
the same code runs interpreted (slowly) and gives the same numbers.
"""

import math

import numpy as np

from ..utils._numba import CompiledFunctions

__all__ = ["compiled"]

# R's optim defaults for BFGS: step reduction, Armijo tolerance, relative
# tolerance of convergence; a forward-difference step (R: central, 1e-3).
_STEP_REDUCTION = 0.2
_ACCEPT_TOL = 1e-4
_REL_TOL = 1.490116119384765625e-8
_GRAD_STEP = 1e-7
# A predicted covariance changing by less than this (relative) has reached its
# steady state: later steps reuse its gain.
_STEADY_TOL = 1e-13


def partrans(raw):
    """Partial autocorrelations ``tanh(raw)`` to stationary AR coefficients (Durbin-Levinson)."""
    p = raw.shape[0]
    new = np.tanh(raw)
    work = new.copy()
    for j in range(1, p):
        a = new[j]
        for k in range(j):
            work[k] -= a * new[j - k - 1]
        new[:j] = work[:j]
    return new


def invpartrans(phi):
    """The inverse of :func:`partrans`; NaN entries when ``phi`` is not stationary."""
    p = phi.shape[0]
    new = phi.copy()
    work = phi.copy()
    for j in range(p - 1, 0, -1):
        a = new[j]
        if abs(a) >= 1.0:
            return np.full(p, np.nan)
        for k in range(j):
            work[k] = (new[k] + a * new[j - k - 1]) / (1.0 - a * a)
        new[:j] = work[:j]
    for j in range(p):
        if abs(new[j]) >= 1.0:
            return np.full(p, np.nan)
        new[j] = math.atanh(new[j])
    return new


def expand(params, spec, transform):
    """Full lag polynomials ``(phi, theta)`` of the multiplicative seasonal model."""
    p, q, seasonal_p, seasonal_q, period = spec[0], spec[1], spec[2], spec[3], spec[4]
    ar = params[:p].copy()
    ma = params[p : p + q]
    seasonal_ar = params[p + q : p + q + seasonal_p].copy()
    seasonal_ma = params[p + q + seasonal_p : p + q + seasonal_p + seasonal_q]
    if transform:
        ar = partrans(ar)
        seasonal_ar = partrans(seasonal_ar)
    phi = np.zeros(p + period * seasonal_p)
    theta = np.zeros(q + period * seasonal_q)
    phi[:p] = ar
    theta[:q] = ma
    for j in range(seasonal_p):
        phi[(j + 1) * period - 1] += seasonal_ar[j]
        for i in range(p):
            phi[(j + 1) * period + i] -= ar[i] * seasonal_ar[j]
    for j in range(seasonal_q):
        theta[(j + 1) * period - 1] += seasonal_ma[j]
        for i in range(q):
            theta[(j + 1) * period + i] += ma[i] * seasonal_ma[j]
    return phi, theta


def _solve(matrix, rhs):
    """Gaussian elimination with partial pivoting; NaN when the matrix is singular."""
    n = rhs.shape[0]
    a = matrix.copy()
    b = rhs.copy()
    for k in range(n):
        pivot = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[pivot, k]):
                pivot = i
        if a[pivot, k] == 0.0:
            return np.full(n, np.nan)
        if pivot != k:
            for j in range(n):
                a[k, j], a[pivot, j] = a[pivot, j], a[k, j]
            b[k], b[pivot] = b[pivot], b[k]
        for i in range(k + 1, n):
            factor = a[i, k] / a[k, k]
            for j in range(k, n):
                a[i, j] -= factor * a[k, j]
            b[i] -= factor * b[k]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        total = b[i]
        for j in range(i + 1, n):
            total -= a[i, j] * x[j]
        x[i] = total / a[i, i]
    return x


def stationary_cov(phi, theta):
    """Stationary covariance (in units of ``sigma^2``) of Harvey's ARMA state; NaN if none.

    The exact solution of ``P = T P T' + R R'`` in ``O(p^3 + r^2)``: the first
    column from the autocovariances of the ARMA process, the rest from the
    equation itself, which gives ``P[i, j]`` from ``P[i + 1, j + 1]`` and the
    first column.
    """
    p, q = phi.shape[0], theta.shape[0]
    r = max(p, q + 1)
    ma = np.zeros(r + 1)  # 1, theta_1, ..., zero beyond q
    ma[0] = 1.0
    ma[1 : q + 1] = theta
    ar = np.zeros(r + 1)  # phi_1 .. phi_p at 0 .. p - 1, zero beyond
    ar[:p] = phi
    psi = np.zeros(r + 1)
    for j in range(r + 1):
        value = ma[j]
        for k in range(1, min(j, p) + 1):
            value += phi[k - 1] * psi[j - k]
        psi[j] = value
    # gamma(h) - sum_k phi_k gamma(h - k) = sum_{j >= h} ma_j psi_{j - h}
    moving = np.zeros(r + 1)
    for h in range(q + 1):
        for j in range(h, q + 1):
            moving[h] += ma[j] * psi[j - h]
    system = np.eye(p + 1)
    for h in range(p + 1):
        for k in range(1, p + 1):
            system[h, abs(h - k)] -= phi[k - 1]
    gamma = np.zeros(r + 1)
    gamma[: p + 1] = _solve(system, moving[: p + 1])
    for h in range(p + 1, r + 1):
        value = moving[h]
        for k in range(1, p + 1):
            value += phi[k - 1] * gamma[h - k]
        gamma[h] = value
    if not (np.isfinite(gamma[0]) and gamma[0] > 0.0):
        return np.full((r, r), np.nan)
    # One more row and column, kept zero: P[r, .] = 0 ends the recursion.
    cov = np.zeros((r + 1, r + 1))
    cov[0, 0] = gamma[0]
    for i in range(1, r):
        value = 0.0
        for k in range(r - i):
            value += ar[i + k] * gamma[k + 1] + ma[i + k] * psi[k]
        cov[i, 0] = value
        cov[0, i] = value
    for i in range(r - 1, 0, -1):
        for j in range(r - 1, i - 1, -1):
            value = (
                ma[i] * ma[j]
                + cov[i + 1, j + 1]
                + ar[i] * (ar[j] * cov[0, 0] + cov[j + 1, 0])
                + ar[j] * cov[i + 1, 0]
            )
            cov[i, j] = value
            cov[j, i] = value
    return cov[:r, :r].copy()


def kalman_loglike(Y, lengths, mean, phi, theta, first_cov):
    """``(ssq, sumlog, nu)`` of the rows: ``-2 loglik = nu log(2 pi ssq / nu) + sumlog + nu``.

    The filter of R's ``ARIMA_Like`` (sparse transition) with the prediction
    error variances in units of ``sigma^2``; once they stop changing, the
    steady-state gain is reused.
    """
    p, q = phi.shape[0], theta.shape[0]
    r = max(p, q + 1)
    loading = np.zeros(r)
    loading[0] = 1.0
    loading[1 : q + 1] = theta
    ar = np.zeros(r)
    ar[:p] = phi
    # One more state and covariance row and column, kept zero: no branches at the edge.
    state = np.zeros(r + 1)
    predicted = np.zeros(r)
    cov = np.zeros((r + 1, r + 1))
    column = np.zeros(r)
    predicted_cov = np.zeros((r, r))
    gain_vector = np.zeros(r)
    ssq = 0.0
    sumlog = 0.0
    nu = 0
    variance = 1.0
    for row in range(Y.shape[0]):
        state[:] = 0.0
        steady = False
        for t in range(lengths[row]):
            if t == 0:
                predicted[:] = 0.0
                predicted_cov[:, :] = first_cov
            else:
                for i in range(r):
                    predicted[i] = state[i + 1] + ar[i] * state[0]
                if not steady:
                    corner = cov[0, 0]
                    for i in range(r):
                        column[i] = cov[i + 1, 0]
                    change = 0.0
                    for i in range(r):
                        for j in range(i, r):
                            value = (
                                loading[i] * loading[j]
                                + cov[i + 1, j + 1]
                                + ar[i] * (ar[j] * corner + column[j])
                                + ar[j] * column[i]
                            )
                            change = max(change, abs(value - predicted_cov[i, j]))
                            predicted_cov[i, j] = value
                            predicted_cov[j, i] = value
                    steady = t > 1 and change <= _STEADY_TOL * predicted_cov[0, 0]
            residual = Y[row, t] - mean - predicted[0]
            if not steady:
                variance = predicted_cov[0, 0]
                if not variance > 0.0:
                    return np.nan, np.nan, 0
                for i in range(r):
                    gain_vector[i] = predicted_cov[i, 0] / variance
                for i in range(r):
                    for j in range(i, r):
                        value = predicted_cov[i, j] - predicted_cov[i, 0] * gain_vector[j]
                        cov[i, j] = value
                        cov[j, i] = value
            ssq += residual * residual / variance
            sumlog += math.log(variance)
            nu += 1
            for i in range(r):
                state[i] = predicted[i] + gain_vector[i] * residual
    return ssq, sumlog, nu


def css_residual_ssq(Y, lengths, mean, phi, theta, n_cond):
    """``(ssq, nu)`` of the conditional residuals after the first ``n_cond`` values of each row."""
    p, q = phi.shape[0], theta.shape[0]
    ssq = 0.0
    nu = 0
    residuals = np.zeros(Y.shape[1])
    for row in range(Y.shape[0]):
        n = lengths[row]
        residuals[:] = 0.0
        for t in range(n_cond, n):
            value = Y[row, t] - mean
            for j in range(p):
                value -= phi[j] * (Y[row, t - j - 1] - mean)
            for j in range(min(t - n_cond, q)):
                value -= theta[j] * residuals[t - j - 1]
            residuals[t] = value
            ssq += value * value
            nu += 1
    return ssq, nu


def objective(x, spec, Y, lengths, mean_scale, exact):
    """The minimised criterion: ``0.5 log(sigma^2)`` (CSS) or ``-loglik / nu`` less constants (ML)."""
    n_arma = spec[0] + spec[1] + spec[2] + spec[3]
    mean = x[n_arma] * mean_scale if spec[5] else 0.0
    if exact:
        phi, theta = expand(x, spec, True)
        first_cov = stationary_cov(phi, theta)
        if not np.isfinite(first_cov[0, 0]):
            return np.inf
        ssq, sumlog, nu = kalman_loglike(Y, lengths, mean, phi, theta, first_cov)
        if nu == 0 or not ssq > 0.0:
            return np.inf
        return 0.5 * (math.log(ssq / nu) + sumlog / nu)
    phi, theta = expand(x, spec, False)
    ssq, nu = css_residual_ssq(Y, lengths, mean, phi, theta, spec[0] + spec[2] * spec[4])
    if nu == 0 or not ssq > 0.0 or not np.isfinite(ssq):
        return np.inf
    return 0.5 * math.log(ssq / nu)


def _gradient(x, value, spec, Y, lengths, mean_scale, exact):
    """Forward differences (one evaluation per parameter)."""
    grad = np.empty(x.shape[0])
    shifted = x.copy()
    for i in range(x.shape[0]):
        step = _GRAD_STEP * max(1.0, abs(x[i]))
        shifted[i] = x[i] + step
        grad[i] = (objective(shifted, spec, Y, lengths, mean_scale, exact) - value) / step
        shifted[i] = x[i]
    return grad


def bfgs(x0, spec, Y, lengths, mean_scale, exact, maxiter):
    """R's ``optim(method="BFGS")`` (``vmmin``): ``(x, value, converged)``."""
    n = x0.shape[0]
    x = x0.copy()
    value = objective(x, spec, Y, lengths, mean_scale, exact)
    if not np.isfinite(value):
        return x, value, False
    grad = _gradient(x, value, spec, Y, lengths, mean_scale, exact)
    inverse_hessian = np.eye(n)
    n_iter = 1
    grad_count = 1
    last_reset = grad_count
    trial = x.copy()
    while True:
        if last_reset == grad_count:
            inverse_hessian = np.eye(n)
        previous_x = x.copy()
        previous_grad = grad.copy()
        direction = -inverse_hessian @ grad
        slope = direction @ grad
        unchanged = 0
        if slope < 0.0:
            step = 1.0
            accepted = False
            trial_value = value
            while True:
                unchanged = 0
                for i in range(n):
                    trial[i] = previous_x[i] + step * direction[i]
                    if 10.0 + previous_x[i] == 10.0 + trial[i]:
                        unchanged += 1
                if unchanged < n:
                    trial_value = objective(trial, spec, Y, lengths, mean_scale, exact)
                    accepted = np.isfinite(trial_value) and (
                        trial_value <= value + slope * step * _ACCEPT_TOL
                    )
                    if not accepted:
                        step *= _STEP_REDUCTION
                if unchanged == n or accepted:
                    break
            if abs(trial_value - value) <= _REL_TOL * (abs(value) + _REL_TOL):
                unchanged = n
                if accepted:
                    x = trial.copy()
                    value = trial_value
            if unchanged < n:
                x = trial.copy()
                value = trial_value
                grad = _gradient(x, value, spec, Y, lengths, mean_scale, exact)
                grad_count += 1
                n_iter += 1
                moved = x - previous_x
                change = grad - previous_grad
                curvature = moved @ change
                if curvature > 0.0:
                    projected = inverse_hessian @ change
                    scale = 1.0 + (projected @ change) / curvature
                    inverse_hessian += (
                        scale * np.outer(moved, moved)
                        - np.outer(projected, moved)
                        - np.outer(moved, projected)
                    ) / curvature
                else:
                    last_reset = grad_count
            elif last_reset < grad_count:
                unchanged = 0
                last_reset = grad_count
        else:
            unchanged = 0
            if last_reset == grad_count:
                unchanged = n
            else:
                last_reset = grad_count
        if n_iter >= maxiter:
            return x, value, False
        if grad_count - last_reset > 2 * n:
            last_reset = grad_count
        if unchanged == n and last_reset == grad_count:
            return x, value, True


def polynomial_max_root_inverse(coefficients, sign):
    """Largest ``|1 / z|`` over the roots ``z`` of ``1 + sign * sum_k c_k z^k`` (0 if none)."""
    n = coefficients.shape[0]
    last = n
    while last > 0 and abs(coefficients[last - 1]) <= 1e-8:
        last -= 1
    if last == 0:
        return 0.0
    companion = np.zeros((last, last), dtype=np.complex128)
    for j in range(last):
        companion[0, j] = -sign * coefficients[j]
    for i in range(1, last):
        companion[i, i - 1] = 1.0
    return np.abs(np.linalg.eigvals(companion)).max()


def invert_ma(ma):
    """R's ``maInvert``: the MA polynomial with roots inside the unit circle reflected."""
    q = ma.shape[0]
    last = q
    while last > 0 and ma[last - 1] == 0.0:
        last -= 1
    if last == 0:
        return ma.copy()
    companion = np.zeros((last, last), dtype=np.complex128)
    for j in range(last):
        companion[0, j] = -ma[j]
    for i in range(1, last):
        companion[i, i - 1] = 1.0
    # The eigenvalues are the inverse roots of 1 + ma_1 z + ... + ma_last z^last.
    inverse_roots = np.linalg.eigvals(companion)
    if np.abs(inverse_roots).max() <= 1.0:
        return ma.copy()
    poly = np.zeros(last + 1, dtype=np.complex128)
    poly[0] = 1.0
    for k in range(last):
        root = inverse_roots[k]
        if abs(root) > 1.0:
            root = 1.0 / root
        for j in range(k + 1, 0, -1):
            poly[j] -= root * poly[j - 1]
    out = np.zeros(q)
    out[:last] = poly[1:].real
    return out


def _stationary_parts(params, spec):
    """Whether the nonseasonal and the seasonal AR polynomials are each stationary."""
    p, q, seasonal_p = spec[0], spec[1], spec[2]
    if p and not np.isfinite(invpartrans(params[:p])).all():
        return False
    return not (
        seasonal_p
        and not np.isfinite(invpartrans(params[p + q : p + q + seasonal_p])).all()
    )


def fit_css_ml(Y, lengths, spec, maxiter):
    """R's ``arima(method="CSS-ML")`` of the rows.

    Returns
    -------
    params : ndarray
        Constrained parameters (MA parts invertible), mean last when fitted.
    loglik : float
        Exact Gaussian log-likelihood (``sigma^2`` concentrated out); NaN when
        the CSS estimate is not stationary (R's ``arima`` fails then) or the
        likelihood cannot be evaluated.
    sigma2 : float
    min_root : float
        Smallest modulus of the roots of the full AR and MA polynomials.
    converged : bool
        Whether both optimisations converged within ``maxiter`` iterations.
    """
    p, q, seasonal_p, seasonal_q = spec[0], spec[1], spec[2], spec[3]
    n_arma = p + q + seasonal_p + seasonal_q
    with_mean = spec[5]
    n_params = n_arma + with_mean
    n_obs = 0
    total = 0.0
    for row in range(Y.shape[0]):
        for t in range(lengths[row]):
            total += Y[row, t]
            n_obs += 1
    mean0 = total / n_obs
    spread = 0.0
    for row in range(Y.shape[0]):
        for t in range(lengths[row]):
            spread += (Y[row, t] - mean0) ** 2
    # R's arima scales the mean by 10 standard errors of its OLS estimate.
    mean_scale = 10.0 * math.sqrt(spread / max(n_obs - 1, 1) / n_obs) if with_mean else 1.0
    if not mean_scale > 0.0:
        mean_scale = 1.0
    x = np.zeros(n_params)
    if with_mean:
        x[n_arma] = mean0 / mean_scale
    converged = True
    if n_params:
        fitted, _, css_converged = bfgs(x, spec, Y, lengths, mean_scale, False, maxiter)
        if css_converged:
            x = fitted
        if not _stationary_parts(x, spec):
            return x, np.nan, np.nan, 0.0, False
        start = x.copy()
        start[:p] = invpartrans(x[:p])
        start[p + q : p + q + seasonal_p] = invpartrans(x[p + q : p + q + seasonal_p])
        start[p : p + q] = invert_ma(x[p : p + q])
        start[p + q + seasonal_p : n_arma] = invert_ma(x[p + q + seasonal_p : n_arma])
        x, _, converged = bfgs(start, spec, Y, lengths, mean_scale, True, maxiter)
        x[:p] = partrans(x[:p])
        x[p + q : p + q + seasonal_p] = partrans(x[p + q : p + q + seasonal_p])
        x[p : p + q] = invert_ma(x[p : p + q])
        x[p + q + seasonal_p : n_arma] = invert_ma(x[p + q + seasonal_p : n_arma])
    mean = x[n_arma] * mean_scale if with_mean else 0.0
    phi, theta = expand(x, spec, False)
    first_cov = stationary_cov(phi, theta)
    if not np.isfinite(first_cov[0, 0]):
        return x, np.nan, np.nan, 0.0, False
    ssq, sumlog, nu = kalman_loglike(Y, lengths, mean, phi, theta, first_cov)
    if nu == 0 or not ssq > 0.0 or not np.isfinite(ssq):
        return x, np.nan, np.nan, 0.0, False
    sigma2 = ssq / nu
    loglik = -0.5 * (nu * math.log(2 * math.pi * sigma2) + sumlog + nu)
    if with_mean:
        x[n_arma] = mean
    largest = max(
        polynomial_max_root_inverse(phi, -1.0), polynomial_max_root_inverse(theta, 1.0)
    )
    min_root = 1.0 / largest if largest > 0.0 else np.inf
    return x, loglik, sigma2, min_root, converged


def exact_loglike(Y, lengths, params, spec):
    """Exact Gaussian log-likelihood of constrained ``params`` with ``sigma^2`` concentrated out."""
    n_arma = spec[0] + spec[1] + spec[2] + spec[3]
    mean = params[n_arma] if spec[5] else 0.0
    phi, theta = expand(params, spec, False)
    first_cov = stationary_cov(phi, theta)
    ssq, sumlog, nu = kalman_loglike(Y, lengths, mean, phi, theta, first_cov)
    return -0.5 * (nu * math.log(2 * math.pi * ssq / nu) + sumlog + nu)


_FUNCTIONS = {"fit_css_ml": fit_css_ml, "exact_loglike": exact_loglike}
_HELPERS = (
    "partrans", "invpartrans", "expand", "_solve", "stationary_cov", "kalman_loglike", "css_residual_ssq",
    "objective", "_gradient", "bfgs", "polynomial_max_root_inverse", "invert_ma",
    "_stationary_parts",
)  # fmt: skip
# The function ``name``, compiled by numba when installed and ``use_numba`` (Python otherwise).
compiled = CompiledFunctions(globals(), (*_HELPERS, *_FUNCTIONS))
