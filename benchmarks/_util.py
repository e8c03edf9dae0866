"""Shared helpers for the benchmark scripts: timing, peak memory, markdown.

Every benchmark runs sklseq and its competitor side by side in one process and
reports both, so the ratios are measured under the same load. Helpers here:

- :func:`time_call`: best time of a few repeats (wall clock, or CPU time with
  ``clock=time.process_time`` on a shared machine);
- :func:`peak_memory`: peak memory allocated during one call, from
  ``tracemalloc`` (numpy, and therefore pandas, report their array buffers to
  it; torch tensors do not, so torch code needs its own measure);
- :func:`measure`: both, as a :class:`Measurement`;
- :func:`alternating_times`: competitors timed run by run in turn;
- :func:`markdown_table`, :func:`format_time`, :func:`format_bytes`,
  :func:`format_ratio`: the printed report;
- :func:`write_result` and :func:`main`: the ``--quick`` command line, the
  markdown on stdout and in ``benchmarks/results/<name>.md``.

A benchmark module looks like::

    from benchmarks._util import main, markdown_table, measure

    def run(quick: bool) -> str:
        ...
        return markdown

    if __name__ == "__main__":
        main(run, "transformers")
"""

import argparse
import gc
import platform
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Measurement:
    """Seconds (best of the repeats, on the clock used) and peak bytes of one call."""

    seconds: float
    peak_bytes: int
    repeats: int

    @property
    def ms(self):
        return 1e3 * self.seconds


def time_call(
    func, *args, repeat=3, warmup=1, max_seconds=None, clock=time.perf_counter, **kwargs
):
    """Best time of ``func(*args, **kwargs)`` over ``repeat`` runs.

    Parameters
    ----------
    func : callable
    repeat : int, default=3
        Timed runs; the minimum is returned (the least disturbed by other
        processes on a shared machine).
    warmup : int, default=1
        Untimed runs first (imports, caches, JIT compilation).
    max_seconds : float, default=None
        Stop repeating once the timed runs have taken this long in total (at
        least one timed run always happens), so slow competitors stay cheap.
    clock : callable, default=time.perf_counter
        Wall clock by default; ``time.process_time`` (CPU time of this
        process, user + system) is steadier on a machine shared with other
        jobs, for single-threaded code.

    Returns
    -------
    seconds : float
    n_runs : int
        Timed runs actually made.
    """
    for _ in range(warmup):
        func(*args, **kwargs)
    times = []
    for _ in range(repeat):
        gc.collect()
        start = clock()
        func(*args, **kwargs)
        times.append(clock() - start)
        if max_seconds is not None and sum(times) >= max_seconds:
            break
    return min(times), len(times)


def alternating_times(funcs, repeat, clock=time.process_time):
    """Least time of each function, their runs alternating after one warm-up each.

    On a shared machine load changes over time; alternating the competitors run
    by run gives them the same conditions. The default clock is the process's
    CPU time, which other processes do not stretch (right for single-threaded
    code); pass ``time.perf_counter`` for wall time.
    """
    for func in funcs:
        func()  # warm-up: imports, caches, first-call set-up
    times = [[] for _ in funcs]
    for _ in range(repeat):
        for func, record in zip(funcs, times):
            gc.collect()
            start = clock()
            func()
            record.append(clock() - start)
    return [min(record) for record in times]


def peak_memory(func, *args, **kwargs):
    """Peak bytes allocated (above the starting level) during one call.

    Measured with ``tracemalloc``, which sees Python objects and numpy array
    buffers (numpy registers its allocations with it). The result of the call
    counts too, as it is alive at the peak. Tracing slows Python-heavy code,
    so time and memory are measured in separate runs.

    Returns
    -------
    peak : int
    """
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start, _ = tracemalloc.get_traced_memory()
    try:
        result = func(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(peak - start, 0)


def measure(
    func,
    *args,
    repeat=3,
    warmup=1,
    max_seconds=None,
    memory=True,
    clock=time.perf_counter,
    **kwargs,
):
    """Time (best of ``repeat``) and peak memory of ``func(*args, **kwargs)``.

    Returns
    -------
    Measurement
        ``peak_bytes`` is 0 when ``memory=False``.
    """
    seconds, n_runs = time_call(
        func, *args, repeat=repeat, warmup=warmup, max_seconds=max_seconds, clock=clock, **kwargs
    )
    peak = peak_memory(func, *args, **kwargs) if memory else 0
    return Measurement(seconds=seconds, peak_bytes=peak, repeats=n_runs)


def format_time(seconds):
    """Seconds as a short human string: ``"12.3 ms"``, ``"4.56 s"``."""
    if seconds != seconds:  # NaN: not measured
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def format_bytes(n_bytes):
    """Bytes as a short human string: ``"40.0 MB"`` (powers of 1000)."""
    if n_bytes != n_bytes:
        return "n/a"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n_bytes) >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{int(n_bytes)} B"


def format_ratio(ratio):
    """A ratio as ``"123x"`` / ``"1.23x"``; ``"n/a"`` when unknown."""
    if ratio is None or ratio != ratio or not np.isfinite(ratio):
        return "n/a"
    if ratio >= 100:
        return f"{ratio:.0f}x"
    if ratio >= 10:
        return f"{ratio:.1f}x"
    return f"{ratio:.2f}x"


def markdown_table(headers, rows, align=None):
    """A GitHub markdown table.

    Parameters
    ----------
    headers : list of str
    rows : list of list
        Cells are converted with ``str``.
    align : str, default=None
        One character per column, ``"l"`` or ``"r"``; default: first column
        left, the others right.

    Returns
    -------
    table : str
    """
    cells = [[str(c) for c in row] for row in rows]
    for i, row in enumerate(cells):
        if len(row) != len(headers):
            raise ValueError(f"row {i} has {len(row)} cells, expected {len(headers)}")
    if align is None:
        align = "l" + "r" * (len(headers) - 1)
    widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(headers)]

    def line(values):
        padded = [
            v.ljust(w) if a == "l" else v.rjust(w) for v, w, a in zip(values, widths, align)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        ("-" * (w + 1) + ":") if a == "r" else (":" + "-" * (w + 1))
        for w, a in zip(widths, align)
    ) + "|"
    return "\n".join([line(headers), rule] + [line(r) for r in cells])


def machine_description():
    """One line naming the machine the figures come from."""
    import os

    cores = os.cpu_count()
    return (
        f"{platform.machine()}, {cores} logical core(s), "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def write_result(name, markdown):
    """Write ``markdown`` to ``benchmarks/results/<name>.md``; returns the path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.md"
    path.write_text(markdown.rstrip() + "\n")
    return path


def main(run, name, description=None):
    """Command line of a benchmark module: ``--quick``, print and write the result."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, finishes in under a minute"
    )
    args = parser.parse_args()
    markdown = run(quick=args.quick)
    print(markdown)
    path = write_result(name, markdown)
    print(f"\n(written to {path})")
    return markdown
