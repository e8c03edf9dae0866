"""Compiled loops for two hot paths, used when numba is installed.

Rolling sums and means of long rows: numpy builds a window sum from whole-array passes (see ``_rolling``): about five
passes over each cache block for a 7-step window, plus Python's cost per block.
A compiled loop adds the ``w`` values of each window directly while the block is
in the L1 cache, and checks finiteness as it stores. That is faster only for
small windows (the direct sum costs ``w`` additions per step, doubling
``log2(w)`` passes): ``python -m benchmarks.bench_transformers`` measures both.

Differencing: one loop subtracts and checks finiteness as it stores, where
numpy needs a second pass over each block for the check.

numba is optional (``pip install sklseq[fast]``, also in ``[all]``); without it,
:func:`compiled` returns None and the numpy paths run. Differences are
identical; window sums agree to rounding (the additions are grouped
differently).
"""

import numpy as np

from ..utils._numba import CompiledFunctions

__all__ = ["SMALL_WINDOW", "compiled"]

# Direct summation beats doubling up to about this window: the table "Rolling
# mean by window" of benchmarks/bench_transformers.py (2-core x86_64 machine).
SMALL_WINDOW = 24
# Steps per block: the block's sums stay in the L1 cache.
_BLOCK = 1024


def small_window_sums(x, w, mean, out):
    """Trailing sums (or means) of ``w`` steps of the 1D ``x`` into ``out``.

    A window reaching back past the first step sums the steps there are (a
    mean divides by their number). Returns the number of non-finite results.
    """
    n = x.shape[0]
    overlap = w - 1
    sums = np.empty(_BLOCK)
    scale = 1.0 / w if mean else 1.0
    n_bad = 0
    for t0 in range(0, n, _BLOCK):
        m = min(_BLOCK, n - t0)
        block = sums[:m]
        if t0 >= overlap:
            # Contiguous slices, one per term (loops over them vectorise), added
            # four per pass over the block: fewer loads and stores of it.
            start = t0 - overlap
            n_quads = w // 4
            for q in range(n_quads):
                j = start + 4 * q
                a, b = x[j : j + m], x[j + 1 : j + 1 + m]
                c, d = x[j + 2 : j + 2 + m], x[j + 3 : j + 3 + m]
                if q == 0:
                    for i in range(m):
                        block[i] = (a[i] + b[i]) + (c[i] + d[i])
                else:
                    for i in range(m):
                        block[i] += (a[i] + b[i]) + (c[i] + d[i])
            rest = w - 4 * n_quads
            if rest:
                j = start + 4 * n_quads
                if n_quads == 0:
                    block[:] = 0.0
                a = x[j : j + m]
                if rest == 1:
                    for i in range(m):
                        block[i] += a[i]
                elif rest == 2:
                    b = x[j + 1 : j + 1 + m]
                    for i in range(m):
                        block[i] += a[i] + b[i]
                else:
                    b, c = x[j + 1 : j + 1 + m], x[j + 2 : j + 2 + m]
                    for i in range(m):
                        block[i] += (a[i] + b[i]) + c[i]
        else:
            for i in range(m):
                t = t0 + i
                total = 0.0
                for s in range(max(0, t - overlap), t + 1):
                    total += x[s]
                block[i] = total
        target = out[t0 : t0 + m]
        for i in range(m):
            value = block[i] * scale
            target[i] = value
            n_bad += not abs(value) < np.inf
        if mean and t0 < overlap:
            for i in range(min(overlap - t0, m)):
                target[i] *= w / (t0 + i + 1.0)
    return n_bad


def lag_difference(x, shift, out):
    """Set ``out[i] = x[i] - x[i - shift]`` of the 1D ``x``, the first ``shift`` copied.

    Returns the number of non-finite results (a non-finite input makes one, and
    so does an overflow).
    """
    n = x.shape[0]
    head = min(shift, n)
    n_bad = 0
    for i in range(head):
        value = x[i]
        out[i] = value
        n_bad += not abs(value) < np.inf
    later, earlier, target = x[head:], x[: n - head], out[head:]
    for i in range(n - head):
        value = later[i] - earlier[i]
        target[i] = value
        n_bad += not abs(value) < np.inf
    return n_bad


# The loop ``name`` compiled by numba, or None without numba (the numpy paths run).
compiled = CompiledFunctions(
    globals(), ("small_window_sums", "lag_difference"), python_fallback=False
)
