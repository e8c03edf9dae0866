"""The ETS recursions of Hyndman et al. (2008), compiled by numba when installed.

The state vector is ``(level, [trend], [s_0, ..., s_{m-1}])`` with ``s_0`` the
most recent seasonal factor and ``s_{m-1}`` the one used by the next step, as
in forecast::ets (R) and statsforecast. Component codes: error 1 additive,
2 multiplicative; trend 0 none, 1 additive (damped when ``phi < 1``);
season 0 none, 1 additive, 2 multiplicative.

The parameter vector optimised by :func:`nelder_mead` is ``theta = (alpha,
beta, gamma, phi, level, [trend], [s_0 .. s_{m-2}])``; the last seasonal
factor is implied (additive factors sum to 0, multiplicative ones to ``m``).
``free`` marks which entries the optimiser moves.

Every function here is plain Python that numba can compile: without numba
the same code runs interpreted (slowly).
"""


import numpy as np

from ..utils._numba import CompiledFunctions

__all__ = ["compiled"]

_HUGE = 1e10
_TOL = 1e-10
# forecast::ets's usual bounds: alpha, beta, gamma in [1e-4, 0.9999], phi in [0.8, 0.98].
_LOWER = np.array([1e-4, 1e-4, 1e-4, 0.8])
_UPPER = np.array([0.9999, 0.9999, 0.9999, 0.98])


def _one_step(state, trend, season, phi, m):
    level = state[0]
    if trend == 1:
        forecast = level + phi * state[1]
    else:
        forecast = level
    if season == 1:
        forecast += state[state.shape[0] - 1]
    elif season == 2:
        forecast *= state[state.shape[0] - 1]
    return forecast


def _update(state, value, trend, season, alpha, beta, gamma, phi, m):
    """Move ``state`` one step on in place, having seen ``value``."""
    old_level = state[0]
    n_state = state.shape[0]
    old_season = state[n_state - 1] if season else 0.0
    if trend == 1:
        phib = phi * state[1]
        q = old_level + phib
    else:
        phib = 0.0
        q = old_level
    if season == 0:
        p = value
    elif season == 1:
        p = value - old_season
    elif abs(old_season) < _TOL:
        p = _HUGE
    else:
        p = value / old_season
    level = q + alpha * (p - q)
    state[0] = level
    if trend == 1:
        state[1] = phib + (beta / alpha) * (level - old_level - phib)
    if season:
        if season == 1:
            t = value - q
        elif abs(q) < _TOL:
            t = _HUGE
        else:
            t = value / q
        first = 1 + trend
        for j in range(n_state - 1, first, -1):
            state[j] = state[j - 1]
        state[first] = old_season + gamma * (t - old_season)


def ets_filter(y, length, state, error, trend, season, alpha, beta, gamma, phi, m):
    """Run the first ``length`` values through the recursion, in place on ``state``.

    Returns ``(sse, sum_log_abs_forecast)``; ``sse`` is inf when a forecast
    was non-finite (or zero with multiplicative errors), and ``state`` is then
    left undefined. The same recursion
    as :func:`_update`, written for speed: level and trend in locals, the
    seasonal factors in a ring (no shifting per step), the logarithms of the
    forecasts taken of their running product.
    """
    level = state[0]
    slope = state[1] if trend == 1 else 0.0
    first = 1 + trend
    n_season = m if season else 0
    # ring[k]: the factor used k steps from now (k < m), refreshed in place.
    ring = state[first : first + n_season]
    _reverse(ring, 0, n_season)
    position = 0
    sse = 0.0
    log_forecasts = 0.0
    product = 1.0
    for t in range(length):
        phib = phi * slope if trend == 1 else 0.0
        q = level + phib
        old_season = ring[position] if season else 0.0
        if season == 1:
            forecast = q + old_season
        elif season == 2:
            forecast = q * old_season
        else:
            forecast = q
        if not abs(forecast) < _HUGE or (error == 2 and abs(forecast) < _TOL):
            return np.inf, 0.0
        value = y[t]
        if error == 1:
            e = value - forecast
        else:
            e = (value - forecast) / forecast
            product *= abs(forecast)
            if product > 1e100 or product < 1e-100:
                log_forecasts += np.log(product)
                product = 1.0
        sse += e * e
        if season == 0:
            p = value
        elif season == 1:
            p = value - old_season
        elif abs(old_season) < _TOL:
            p = _HUGE
        else:
            p = value / old_season
        new_level = q + alpha * (p - q)
        if trend == 1:
            slope = phib + (beta / alpha) * (new_level - level - phib)
        level = new_level
        if season:
            if season == 1:
                target = value - q
            elif abs(q) < _TOL:
                target = _HUGE
            else:
                target = value / q
            ring[position] = old_season + gamma * (target - old_season)
            position += 1
            if position == n_season:
                position = 0
    state[0] = level
    if trend == 1:
        state[1] = slope
    # Back to the layout of _update (most recent factor first): the ring read
    # backwards from the factor before ``position``.
    _reverse(ring, 0, position)
    _reverse(ring, position, n_season)
    return sse, log_forecasts + np.log(product)


def _reverse(values, start, stop):
    """Reverse ``values[start:stop]`` in place."""
    i, j = start, stop - 1
    while i < j:
        values[i], values[j] = values[j], values[i]
        i += 1
        j -= 1


def ets_forecast(state, horizon, trend, season, phi, m):
    """Point forecasts of the next ``horizon`` values from the state after the last one."""
    out = np.empty(horizon)
    damping = phi
    for h in range(horizon):
        value = state[0]
        if trend == 1:
            value += damping * state[1]
        j = m - 1 - (h % m) if season else 0
        if season == 1:
            value += state[1 + trend + j]
        elif season == 2:
            value *= state[1 + trend + j]
        out[h] = value
        damping += phi ** (h + 2) if phi < 1.0 else 1.0
    return out


def initial_state_from(theta, trend, season, m):
    """The full state vector (with the implied last seasonal factor) from ``theta``."""
    state = np.empty(1 + trend + (m if season else 0))
    fill_initial_state(theta, trend, season, m, state)
    return state


def fill_initial_state(theta, trend, season, m, state):
    """Write :func:`initial_state_from`'s state into ``state`` (no allocation)."""
    n_free = 1 + trend + (m - 1 if season else 0)
    total = 0.0
    for j in range(n_free):
        state[j] = theta[4 + j]
        if j >= 1 + trend:
            total += state[j]
    if season:
        state[n_free] = (m if season == 2 else 0.0) - total


def admissible(alpha, beta, gamma, phi, trend, season, m, work):
    """forecast::ets's usual bounds and admissibility (forecastability) region.

    ``work`` is scratch space of at least ``2 * (m + 2)`` values.
    """
    if alpha < _LOWER[0] or alpha > _UPPER[0]:
        return False
    if trend:
        if beta < _LOWER[1] or beta > alpha or beta > _UPPER[1]:
            return False
        # phi is 1 (undamped) or within its bounds.
        if phi != 1.0 and (phi < _LOWER[3] or phi > _UPPER[3] + 1e-12):
            return False
    if season:
        if gamma < _LOWER[2] or gamma > 1.0 - alpha or gamma > _UPPER[2]:
            return False
    b = beta if trend else 0.0
    if not season:
        if alpha < 1 - 1 / phi or alpha > 1 + 1 / phi:
            return False
        if trend and (b < alpha * (phi - 1) or b > (1 + phi) * (2 - alpha)):
            return False
        return True
    if gamma < max(1 - 1 / phi - alpha, 0.0) or gamma > 1 + 1 / phi - alpha:
        return False
    if alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m):
        return False
    if b < -(1 - phi) * (gamma / m + alpha):
        return False
    # Roots of the characteristic polynomial (ascending coefficients, monic).
    coef = work[: m + 2]
    coef[0] = phi * (1 - alpha - gamma)
    coef[1] = alpha + b - alpha * phi + gamma - 1
    for j in range(2, m):
        coef[j] = alpha + b - alpha * phi
    coef[m] = alpha + b - phi
    coef[m + 1] = 1.0
    return _roots_within(coef, 1 + 1e-10, work[m + 2 : 2 * (m + 2)])


def _roots_within(coef, radius, spare):
    """Whether every root of ``sum(coef[k] z**k)`` has modulus below ``radius``.

    The Schur-Cohn recursion on the polynomial in ``z * radius``: ``a(z)`` has
    all roots inside the unit disc iff ``|a_0| < |a_d|`` and so has
    ``(a_d a(z) - a_0 z^d a(1/z)) / z``. Arithmetic only, no eigenvalues;
    ``coef`` is overwritten and ``spare`` (as long) is scratch space.
    """
    a = coef
    b = spare
    scale = 1.0
    for k in range(a.shape[0]):
        a[k] *= scale
        scale *= radius
    degree = a.shape[0] - 1
    while degree > 0:
        lead = a[degree]
        if abs(a[0]) >= abs(lead):
            return False
        low = a[0]
        for k in range(degree):
            b[k] = lead * a[k + 1] - low * a[degree - k - 1]
        a, b = b, a
        degree -= 1
        norm = abs(a[degree])
        if norm == 0:
            return False
        for k in range(degree + 1):
            a[k] /= norm
    return True


def neg2_loglik(theta, Y, lengths, error, trend, season, m, states_from, states, work):
    """-2 log-likelihood of rows ``Y`` (Gaussian, one variance), inf when inadmissible.

    ``states_from`` says where each row's initial state comes from: 0 row
    ``i`` starts from ``states[i]``, 1 from ``theta[4:]``, 2 the least
    squares states given the smoothing parameters (one row of a linear form,
    see :func:`least_squares_states`: the likelihood profiled over the
    states). ``work`` is scratch space of :func:`work_size` values, so that
    no evaluation but a profiled one allocates.
    """
    alpha, beta, gamma, phi = theta[0], theta[1], theta[2], theta[3]
    n_state = 1 + trend + (m if season else 0)
    if not admissible(alpha, beta, gamma, phi, trend, season, m, work[n_state:]):
        return np.inf
    state = work[:n_state]
    if states_from == 2:
        sse = least_squares_states(Y[0], lengths[0], trend, season, alpha, beta, gamma, phi, m,
                                   state)[0]  # fmt: skip
        if not sse < np.inf:
            return np.inf
        return lengths[0] * (np.log(2 * np.pi * max(sse, 1e-300) / lengths[0]) + 1)
    sse = 0.0
    log_forecasts = 0.0
    n_obs = 0
    for i in range(Y.shape[0]):
        if states_from == 1:
            fill_initial_state(theta, trend, season, m, state)
        else:
            state[:] = states[i]
        if season == 2:
            for j in range(1 + trend, n_state):
                if state[j] <= 0:
                    return np.inf
        row_sse, row_log = ets_filter(
            Y[i], lengths[i], state, error, trend, season, alpha, beta, gamma, phi, m
        )
        if not row_sse < np.inf:
            return np.inf
        sse += row_sse
        log_forecasts += row_log
        n_obs += lengths[i]
    if sse <= 0:
        sse = 1e-300
    return n_obs * (np.log(2 * np.pi * sse / n_obs) + 1) + 2 * log_forecasts


def least_squares_states(y, length, trend, season, alpha, beta, gamma, phi, m, state):
    """Initial states minimising the squared errors of a linear form, given its smoothing.

    With additive errors and an additive season (or none) each one-step
    error is ``r_t - h_t' z``, linear in the free initial states ``z``
    (``theta[4:]`` layout, the last seasonal factor minus the sum of the
    others): ``r`` the errors from a zero state, ``h`` the responses to unit
    states, both run forward together. ``z`` solves the normal equations;
    the errors from ``z`` are then filtered once more (exact sum of squares).
    Returns ``(sse, z)``; ``sse`` is inf when the normal equations are
    singular. ``state`` (``1 + trend + m`` values) is scratch space.
    """
    first = 1 + trend
    n_season = m if season else 0
    k = first + (m - 1 if season else 0)
    n_state = first + n_season
    # Row r of the seasonal block is the factor used r steps from now (a ring).
    a = np.zeros(n_state)
    B = np.zeros((n_state, k))
    for j in range(first):
        B[j, j] = 1.0
    for r in range(n_season):
        source = first + m - 1 - r  # theta layout index of that factor
        if source < k:
            B[first + r, source] = 1.0
        else:
            for j in range(first, k):
                B[first + r, j] = -1.0
    gram = np.zeros((k, k))
    rhs = np.zeros(k)
    h = np.empty(k)
    position = 0
    slot = first
    for t in range(length):
        if season:
            slot = first + position
        forecast = a[0] + (phi * a[1] if trend else 0.0) + (a[slot] if season else 0.0)
        residual = y[t] - forecast
        for j in range(k):
            h[j] = B[0, j] + (phi * B[1, j] if trend else 0.0) + (B[slot, j] if season else 0.0)
        for i in range(k):
            rhs[i] += h[i] * residual
            for j in range(i, k):
                gram[i, j] += h[i] * h[j]
        # x <- F x + g e: e = residual for the data part, -h for the unit states.
        a[0] += (phi * a[1] if trend else 0.0) + alpha * residual
        if trend:
            a[1] = phi * a[1] + beta * residual
        if season:
            a[slot] += gamma * residual
        for j in range(k):
            B[0, j] += (phi * B[1, j] if trend else 0.0) - alpha * h[j]
            if trend:
                B[1, j] = phi * B[1, j] - beta * h[j]
            if season:
                B[slot, j] -= gamma * h[j]
        if season:
            position += 1
            if position == n_season:
                position = 0
    z = np.zeros(k)
    if not _cholesky_solve(gram, rhs, z):
        return np.inf, z
    theta = np.empty(4 + k)
    theta[0], theta[1], theta[2], theta[3] = alpha, beta, gamma, phi
    theta[4:] = z
    fill_initial_state(theta, trend, season, m, state)
    sse, _ = ets_filter(y, length, state, 1, trend, season, alpha, beta, gamma, phi, m)
    return sse, z


def _cholesky_solve(gram, rhs, out):
    """Solve ``gram out = rhs`` (upper triangle of ``gram`` given; overwritten); False if singular."""
    k = rhs.shape[0]
    largest = 0.0
    for i in range(k):
        largest = max(largest, gram[i, i])
    for j in range(k):
        pivot = gram[j, j]
        for p in range(j):
            pivot -= gram[p, j] * gram[p, j]
        if not pivot > 1e-12 * largest:
            return False
        pivot = np.sqrt(pivot)
        gram[j, j] = pivot
        for i in range(j + 1, k):
            value = gram[j, i]
            for p in range(j):
                value -= gram[p, j] * gram[p, i]
            gram[j, i] = value / pivot
    # gram's upper triangle is now U with U'U = gram: solve U'w = rhs, then U out = w.
    for i in range(k):
        value = rhs[i]
        for p in range(i):
            value -= gram[p, i] * out[p]
        out[i] = value / gram[i, i]
    for i in range(k - 1, -1, -1):
        value = out[i]
        for p in range(i + 1, k):
            value -= gram[i, p] * out[p]
        out[i] = value / gram[i, i]
    return True


def work_size(trend, season, m):
    """Scratch values :func:`neg2_loglik` needs: a state and the admissibility check's."""
    return 1 + trend + (m if season else 0) + 2 * (m + 2)


def _objective(z, free, full, Y, lengths, error, trend, season, m, states_from, states, work):
    k = 0
    for j in range(full.shape[0]):
        if free[j]:
            full[j] = z[k]
            k += 1
    return neg2_loglik(full, Y, lengths, error, trend, season, m, states_from, states, work)


def nelder_mead(theta, free, step, Y, lengths, error, trend, season, m, states_from,
                states, maxiter, tol):  # fmt: skip
    """Minimise :func:`neg2_loglik` over ``theta[free]``; returns ``(theta, value, iterations)``.

    Nelder-Mead with the dimension-adapted coefficients of Gao & Han (2012)
    (expansion ``1 + 2/n``, contraction ``0.75 - 1/(2n)``, shrink ``1 - 1/n``),
    stopped as R's ``optim`` when the simplex values agree to ``tol``
    relative, or after ``maxiter`` iterations. Allocates only at the start.
    """
    n = 0
    for j in range(free.shape[0]):
        n += free[j]
    expand = 1.0 + 2.0 / n
    contract = 0.75 - 0.5 / n
    shrink = 1.0 - 1.0 / n
    full = theta.copy()
    work = np.empty(work_size(trend, season, m))
    simplex = np.empty((n + 1, n))
    values = np.empty(n + 1)
    order = np.arange(n + 1)
    centroid = np.empty(n)
    trial = np.empty(n)
    second_trial = np.empty(n)
    k = 0
    for j in range(theta.shape[0]):
        if free[j]:
            simplex[0, k] = theta[j]
            k += 1
    for i in range(n):
        simplex[i + 1] = simplex[0]
        simplex[i + 1, i] += step[i]
    for i in range(n + 1):
        values[i] = _objective(simplex[i], free, full, Y, lengths, error, trend, season, m,
                               states_from, states, work)  # fmt: skip
    iterations = 0
    while iterations < maxiter:
        _sort_order(order, values)
        best, second, worst = order[0], order[n - 1], order[n]
        if np.isfinite(values[worst]) and (
            abs(values[worst] - values[best]) <= tol * (abs(values[best]) + tol)
        ):
            break
        iterations += 1
        centroid[:] = 0.0
        for i in range(n + 1):
            if i != worst:
                centroid += simplex[i]
        centroid /= n
        for k in range(n):
            trial[k] = 2.0 * centroid[k] - simplex[worst, k]
        f_trial = _objective(trial, free, full, Y, lengths, error, trend, season, m,
                             states_from, states, work)  # fmt: skip
        if f_trial < values[best]:
            for k in range(n):
                second_trial[k] = centroid[k] + expand * (centroid[k] - simplex[worst, k])
            f_second = _objective(second_trial, free, full, Y, lengths, error, trend, season, m,
                                  states_from, states, work)  # fmt: skip
            if f_second < f_trial:
                simplex[worst], values[worst] = second_trial, f_second
            else:
                simplex[worst], values[worst] = trial, f_trial
        elif f_trial < values[second]:
            simplex[worst], values[worst] = trial, f_trial
        else:
            if f_trial < values[worst]:
                for k in range(n):
                    second_trial[k] = centroid[k] + contract * (trial[k] - centroid[k])
            else:
                for k in range(n):
                    second_trial[k] = centroid[k] + contract * (simplex[worst, k] - centroid[k])
            f_second = _objective(second_trial, free, full, Y, lengths, error, trend, season, m,
                                  states_from, states, work)  # fmt: skip
            if f_second < min(f_trial, values[worst]):
                simplex[worst], values[worst] = second_trial, f_second
            else:
                for i in range(n + 1):
                    if i == best:
                        continue
                    for k in range(n):
                        towards = simplex[i, k] - simplex[best, k]
                        simplex[i, k] = simplex[best, k] + shrink * towards
                    values[i] = _objective(simplex[i], free, full, Y, lengths, error, trend,
                                           season, m, states_from, states, work)  # fmt: skip
    best = 0
    for i in range(1, n + 1):
        if values[i] < values[best]:
            best = i
    out = theta.copy()
    k = 0
    for j in range(out.shape[0]):
        if free[j]:
            out[j] = simplex[best, k]
            k += 1
    return out, values[best], iterations


def _sort_order(order, values):
    """Sort the indices ``order`` by ``values`` in place, ties kept in order (insertion sort)."""
    for i in range(1, order.shape[0]):
        current = order[i]
        j = i - 1
        while j >= 0 and values[order[j]] > values[current]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = current


def initial_states(y, trend, season, m):
    """Heuristic initial states of forecast::ets (``initstate``), ``theta[4:]`` layout.

    Seasonal factors from a classical decomposition (a Fourier fit for fewer
    than three seasons), level and trend from a regression on the first
    ``max(10, 2 m)`` seasonally adjusted values.
    """
    n = y.shape[0]
    n_season = m - 1 if season else 0
    out = np.empty(1 + trend + n_season)
    adjusted = y.copy()
    if season:
        seasonal = np.empty(n)
        if n < 3 * m:
            # Least squares on (1, t, sin, cos) by its normal equations.
            gram = np.zeros((4, 4))
            rhs = np.zeros(4)
            row = np.empty(4)
            for t in range(n):
                angle = 2 * np.pi * (t + 1) / m
                row[0], row[1], row[2], row[3] = 1.0, t + 1.0, np.sin(angle), np.cos(angle)
                for i in range(4):
                    rhs[i] += row[i] * y[t]
                    for j in range(i, 4):
                        gram[i, j] += row[i] * row[j]
            coef = np.zeros(4)
            _cholesky_solve(gram, rhs, coef)
            for t in range(n):
                base = coef[0] + coef[1] * (t + 1)
                seasonal[t] = y[t] - base if season == 1 else y[t] / base
        else:
            _classical_seasonal(y, m, season == 2, seasonal)
        first = 1 + trend
        for j in range(n_season):
            out[first + j] = seasonal[m - 1 - j]
        if season == 1:
            for t in range(n):
                adjusted[t] = y[t] - seasonal[t]
        else:
            total = 0.0
            for j in range(n_season):
                out[first + j] = max(out[first + j], 1e-2)
                total += out[first + j]
            if total > m:
                for j in range(n_season):
                    out[first + j] /= total + 1e-2 * n_season
            for t in range(n):
                adjusted[t] = y[t] / max(seasonal[t], 1e-2)
    n_start = min(max(10, 2 * (m if season else 1)), n)
    if not trend:
        out[0] = adjusted[:n_start].mean()
        return out
    if n_start < 2:
        level, slope = adjusted[0], 0.0
    else:
        # Least squares line through (1, a_1) .. (n_start, a_n_start).
        t_mean = (n_start + 1) / 2.0
        a_mean = adjusted[:n_start].mean()
        sxy = 0.0
        sxx = 0.0
        for t in range(n_start):
            sxy += (t + 1 - t_mean) * (adjusted[t] - a_mean)
            sxx += (t + 1 - t_mean) ** 2
        slope = sxy / sxx
        level = a_mean - slope * t_mean
    if abs(level + slope) < 1e-8:
        level, slope = level * (1 + 1e-3), slope * (1 - 1e-3)
    out[0], out[1] = level, slope
    return out


def _classical_seasonal(y, m, multiplicative, out):
    """Seasonal component of a classical (moving-average) decomposition, into ``out``."""
    n = y.shape[0]
    half = m // 2
    sums = np.zeros(m)
    counts = np.zeros(m)
    for t in range(half, n - half):
        # Centred moving average: 2 x m for even m, m for odd m.
        if m % 2 == 0:
            level = 0.5 * (y[t - half] + y[t + half])
            for k in range(t - half + 1, t + half):
                level += y[k]
        else:
            level = 0.0
            for k in range(t - half, t + half + 1):
                level += y[k]
        level /= m
        sums[t % m] += y[t] / level if multiplicative else y[t] - level
        counts[t % m] += 1
    means = sums / counts
    centre = means.mean()
    for t in range(n):
        out[t] = means[t % m] / centre if multiplicative else means[t % m] - centre


def theta_start(states, trend, damped, season, m):
    """Start values (forecast::ets's ``initparam``) and a simplex step per ``theta`` entry."""
    m_eff = m if season else 1
    alpha = 1e-4 + 0.2 * (0.9999 - 1e-4) / m_eff
    n = 4 + states.shape[0]
    theta = np.empty(n)
    step = np.empty(n)
    theta[0] = alpha
    theta[1] = 1e-4 + 0.1 * (min(0.9999, alpha) - 1e-4) if trend else 0.0
    theta[2] = 1e-4 + 0.05 * (min(0.9999, 1 - alpha) - 1e-4) if season else 0.0
    theta[3] = 0.8 + 0.99 * (0.98 - 0.8) if damped else 1.0
    step[0], step[1], step[2], step[3] = 0.1, 0.05, 0.05, 0.02
    for j in range(states.shape[0]):
        theta[4 + j] = states[j]
        step[4 + j] = max(0.1 * abs(states[j]), 0.05)
    return theta, step


def free_entries(n_theta, trend, damped, season, with_states):
    """Which ``theta`` entries the optimiser moves."""
    free = np.zeros(n_theta, dtype=np.bool_)
    free[0] = True
    free[1] = trend == 1
    free[2] = season > 0
    free[3] = damped == 1
    if with_states:
        free[4:] = True
    return free


def minimise(theta, free, step, Y, lengths, error, trend, season, m, states_from, states,
             maxiter, tol):  # fmt: skip
    """:func:`nelder_mead` within ``maxiter`` iterations in all, restarted while it improves.

    A restart (a fresh simplex around the optimum) escapes simplexes that
    collapsed early. Returns ``(theta, value)``.
    """
    free_step = np.empty(free.sum())
    k = 0
    for j in range(free.shape[0]):
        if free[j]:
            free_step[k] = step[j]
            k += 1
    value = np.inf
    budget = maxiter
    while budget > 0:
        theta, new_value, iterations = nelder_mead(
            theta, free, free_step, Y, lengths, error, trend, season, m, states_from, states,
            budget, tol,
        )  # fmt: skip
        budget -= max(iterations, 1)
        improved = np.isfinite(new_value) and (
            not np.isfinite(value) or new_value < value - tol * abs(value)
        )
        value = min(value, new_value)
        if not improved:
            break
    return theta, value


def fit_rows(Y, lengths, forms, allowed, maxiter, tol):
    """Every allowed form on every row alone, by maximum likelihood, in one compiled loop.

    ``forms`` is ``(n_forms, 5)`` (error, trend, damped, season, m),
    ``allowed`` ``(n_rows, n_forms)``. Row ``i`` is divided by its mean
    absolute value first. Returns ``(scale, neg2llf, sse, theta)``:
    ``(n_rows,)``, ``(n_rows, n_forms)`` twice (inf where a form was not
    fitted), and ``(n_rows, n_forms, 4 + max_states)`` on the scaled rows.
    """
    n_rows, n_forms = allowed.shape
    max_states = 0
    for f in range(n_forms):
        max_states = max(max_states, 1 + forms[f, 1] + (forms[f, 4] - 1 if forms[f, 3] else 0))
    scale = np.ones(n_rows)
    neg2llf = np.full((n_rows, n_forms), np.inf)
    sse = np.full((n_rows, n_forms), np.inf)
    thetas = np.full((n_rows, n_forms, 4 + max_states), np.nan)
    one_length = np.empty(1, dtype=np.int64)
    for i in range(n_rows):
        length = lengths[i]
        one_length[0] = length
        total = 0.0
        for t in range(length):
            total += abs(Y[i, t])
        if total > 0:
            scale[i] = total / length
        row = np.empty((1, length))
        for t in range(length):
            row[0, t] = Y[i, t] / scale[i]
        for f in range(n_forms):
            if not allowed[i, f]:
                continue
            error, trend, damped = forms[f, 0], forms[f, 1], forms[f, 2]
            season, m = forms[f, 3], forms[f, 4]
            n_states = 1 + trend + (m - 1 if season else 0)
            n_params = 1 + trend + (1 if season else 0) + damped + n_states
            # forecast::ets's etsmodel: no fit unless the smoothing parameters and
            # initial states number fewer than n - 1.
            if n_params >= length - 1:
                continue
            states = initial_states(row[0], trend, season, m)
            theta, step = theta_start(states, trend, damped, season, m)
            # Linear forms: the states by least squares inside the likelihood.
            linear = error == 1 and season != 2
            free = free_entries(theta.shape[0], trend, damped, season, not linear)
            no_states = np.zeros((1, n_states + (1 if season else 0)))
            theta, value = minimise(theta, free, step, row, one_length, error, trend, season, m,
                                    2 if linear else 1, no_states, maxiter, tol)  # fmt: skip
            if not np.isfinite(value):
                continue
            if linear:
                scratch = np.empty(n_states + (1 if season else 0))
                _, z = least_squares_states(row[0], length, trend, season, theta[0], theta[1],
                                            theta[2], theta[3], m, scratch)  # fmt: skip
                theta[4:] = z
            state = initial_state_from(theta, trend, season, m)
            row_sse, _ = ets_filter(row[0], length, state, error, trend, season, theta[0],
                                    theta[1], theta[2], theta[3], m)  # fmt: skip
            neg2llf[i, f] = value
            sse[i, f] = row_sse
            thetas[i, f, : theta.shape[0]] = theta
    return scale, neg2llf, sse, thetas


def simulate(state, horizon, n_paths, error, trend, season, alpha, beta, gamma, phi, m,
             sigma, seed):  # fmt: skip
    """Sample paths of the next ``horizon`` values, ``(n_paths, horizon)``."""
    np.random.seed(seed)
    paths = np.empty((n_paths, horizon))
    for i in range(n_paths):
        current = state.copy()
        for h in range(horizon):
            forecast = _one_step(current, trend, season, phi, m)
            noise = np.random.normal() * sigma
            value = forecast + noise if error == 1 else forecast * (1 + noise)
            paths[i, h] = value
            _update(current, value, trend, season, alpha, beta, gamma, phi, m)
    return paths


# Compiled together, callees first; the public entry points are the last five.
_CALL_TREE = (
    "_one_step", "_update", "_reverse", "_roots_within", "admissible", "fill_initial_state",
    "initial_state_from", "ets_filter", "_cholesky_solve", "least_squares_states", "work_size",
    "neg2_loglik", "_objective", "_sort_order",
    "_classical_seasonal", "initial_states", "theta_start", "free_entries", "nelder_mead",
    "minimise", "fit_rows", "ets_forecast", "simulate",
)  # fmt: skip
# The function ``name``, compiled by numba when it is installed (Python otherwise).
compiled = CompiledFunctions(globals(), _CALL_TREE)
