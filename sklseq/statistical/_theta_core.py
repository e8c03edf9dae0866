"""The Theta models' passes over rows (:mod:`._theta`), compiled by numba when installed.

The optimiser evaluates a pass a few hundred times per fit; as loops over
steps these cost microseconds where the array expressions they replace cost
a millisecond. Without numba the same code runs interpreted (slowly), as in
:mod:`._ets_core`.
"""

from ..utils._numba import CompiledFunctions

__all__ = ["compiled"]


def theta_pass(Y, lengths, alpha, weight, intercepts, slopes, sse, level, scratch):
    """Squared one-step errors that count and the last level of each row, into ``sse``, ``level``.

    Row ``i``'s forecast of step ``t`` (from 0) is the SES level before it
    plus ``weight * (A (1 - alpha)**t + B (1 - (1 - alpha)**(t + 1)) / alpha)``,
    ``(A, B) = (intercepts[i, t], slopes[i, t])``. The errors are affine in
    the level before the first step, which is each row's least-squares one
    given the errors that count (from the fourth step; every step of rows of
    three or fewer). ``scratch`` holds ``2 * n_timesteps`` values.
    """
    decay = 1.0 - alpha
    n_steps = Y.shape[1]
    errors = scratch[:n_steps]
    regressors = scratch[n_steps : 2 * n_steps]
    for i in range(Y.shape[0]):
        length = lengths[i]
        skip = 3 if length > 3 else 0
        running = 0.0  # the level from a zero initial level
        power = 1.0  # (1 - alpha)**t
        cross = 0.0
        squares = 0.0
        for t in range(length):
            drift = weight * (intercepts[i, t] * power + slopes[i, t] * (1.0 - power * decay) / alpha)
            error = Y[i, t] - running - drift
            if t >= skip:
                errors[t] = error
                regressors[t] = power
                cross += error * power
                squares += power * power
            running = decay * running + alpha * Y[i, t]
            power *= decay
        start = cross / squares
        total = 0.0
        for t in range(skip, length):
            residual = errors[t] - start * regressors[t]
            total += residual * residual
        sse[i] = total
        level[i] = running + power * start


def dynamic_lines(Y, lengths, intercepts, slopes, after):
    """The dynamic models' least-squares line before each step, updated value by value.

    Writes ``intercepts[i, t]``, ``slopes[i, t]`` (zero at ``t = 0``: the
    first forecast is the initial level alone) and ``after[i] = (A, B, mean)``
    once row ``i`` is seen (statsforecast's recursion).
    """
    for i in range(Y.shape[0]):
        intercept, slope, mean = Y[i, 0], 0.0, Y[i, 0]
        intercepts[i, 0] = 0.0
        slopes[i, 0] = 0.0
        for step in range(1, Y.shape[1]):
            intercepts[i, step] = intercept
            slopes[i, step] = slope
            if step >= lengths[i]:
                continue
            value = Y[i, step]
            new_mean = (step * mean + value) / (step + 1)
            slope = ((step - 1) * slope + 6 * (value - mean) / (step + 1)) / (step + 2)
            intercept = new_mean - slope * (step + 2) / 2
            mean = new_mean
        after[i, 0], after[i, 1], after[i, 2] = intercept, slope, mean


# The function ``name``, compiled by numba when it is installed (Python otherwise).
compiled = CompiledFunctions(globals(), ("theta_pass", "dynamic_lines"))
