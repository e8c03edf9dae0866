"""Sequence transformers: sklseq against sktime's transformers and pandas.

Three comparisons, each run side by side in this process:

1. A panel of 10,000 sequences x 512 steps (``--quick``: 1,000): the same
   features from sklseq and from sktime's own transformers -- lags
   (``Lag`` / ``LagFeatures(per_step=True)``), rolling mean/std/min/max over
   7 steps (``WindowSummarizer`` / ``RollingStatistics(output="sequence")``),
   first differences (``Differencer`` / ``Differencer``) and rFFT magnitudes
   (``FourierTransform`` / ``FFTFeatures``). sktime loops over the sequences in
   Python, so it is timed on a subset of rows and scaled to the whole panel
   (the table says how many); its peak memory is that of the subset.
   Target: sklseq at least 50x faster.
2. One series of 10 million points (``--quick``: 1 million): sklseq against
   pandas (``rolling``, ``ewm``, ``shift``, ``diff``) for the same features.
   Targets: at least as fast as pandas, rolling mean within 3x of ``np.copy``
   of the series (the memory-bandwidth floor).
3. MultiRocket on sktime's ArrowHead, GunPoint, ItalyPowerDemand and OSULeaf
   (``--quick``: the two smallest): test accuracy of ``StandardScaler`` +
   ``RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))`` on sklseq's
   ``MiniRocketFeatures`` with PPV only, with MultiRocket's four pooling
   operators, and with the four operators on the rows and on their first
   differences (MultiRocket's recipe), against sktime's ``MultiRocket``; and
   each transform's CPU time (fit, then transform of both splits; one run,
   numba compiled beforehand). Measurements only: nothing is tuned.

Every sklseq transformer must also peak at no more than 2x its output
(tracemalloc; the output counts, so temporaries at most 1x). Times are the
best of a few runs, in CPU time of this process (user + system:
single-threaded code on a shared machine); ``np.copy`` of the input is timed
the same way. On the series, the runs of sklseq, pandas and ``np.copy``
alternate, so changes in the machine's load hit all three alike.

    python -m benchmarks.bench_transformers --quick   # 1-2 minutes (the MultiRocket section ~20 s CPU)
    python -m benchmarks.bench_transformers           # a few minutes
"""

import time
import warnings
from functools import partial

import numpy as np
import pandas as pd

from benchmarks._util import (
    alternating_times,
    format_bytes,
    format_ratio,
    format_time,
    machine_description,
    main,
    markdown_table,
    peak_memory,
)
from benchmarks._util import measure as _measure

# CPU time of this process: the machine is shared, and wall-clock times moved
# by up to 5x with the other jobs' load; every code measured is single-threaded.
measure = partial(_measure, clock=time.process_time)

WINDOW = 7
STATISTICS = ["mean", "std", "min", "max"]
LAGS = [1, 2, 3]


def _sklseq_panel_cases(n_steps):
    from sklseq.preprocessing import Differencer, FFTFeatures, LagFeatures, RollingStatistics

    return {
        "lags 1-3 per step": LagFeatures(lags=LAGS, per_step=True),
        f"rolling {'/'.join(STATISTICS)} (w={WINDOW})": RollingStatistics(
            windows=WINDOW, statistics=STATISTICS, output="sequence"
        ),
        "first difference": Differencer(order=1),
        "rFFT magnitudes": FFTFeatures(features="magnitude", n_coefs=n_steps // 2),
    }


def _sktime_panel_cases():
    from sktime.transformations.series.difference import Differencer
    from sktime.transformations.series.fourier import FourierTransform
    from sktime.transformations.series.lag import Lag
    from sktime.transformations.series.summarize import WindowSummarizer

    return [
        Lag(lags=LAGS, index_out="original"),
        # [lag 1, window 7]: the same 7-step window, ending one step earlier.
        WindowSummarizer(lag_feature={stat: [[1, WINDOW]] for stat in STATISTICS}),
        Differencer(lags=1),
        FourierTransform(),
    ]


def _panel(quick):
    n_rows, n_steps = (1_000, 512) if quick else (10_000, 512)
    n_sktime = 5 if quick else 20
    repeat = 3 if quick else 5
    X = np.random.default_rng(0).normal(size=(n_rows, n_steps)).cumsum(axis=1)
    copy = measure(np.copy, X, repeat=repeat, memory=False)
    X3_subset = X[:n_sktime, None, :]  # sktime's numpy3D: (instances, variables, time)
    rows, results = [], []
    cases = zip(_sklseq_panel_cases(n_steps).items(), _sktime_panel_cases())
    for (feature, ours), theirs in cases:
        ours.fit(X)
        out_nbytes = ours.transform(X).nbytes
        mine = measure(ours.transform, X, repeat=repeat)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            other = measure(theirs.fit_transform, X3_subset, repeat=1, warmup=0)
        sktime_seconds = other.seconds * n_rows / n_sktime
        speedup = sktime_seconds / mine.seconds
        peak_ratio = mine.peak_bytes / out_nbytes
        results.append((feature, speedup, peak_ratio))
        rows.append([
            feature,
            format_time(mine.seconds),
            format_time(sktime_seconds),
            format_ratio(speedup),
            format_ratio(mine.seconds / copy.seconds),
            format_bytes(mine.peak_bytes),
            format_bytes(out_nbytes),
            format_ratio(peak_ratio),
            format_bytes(other.peak_bytes),
        ])
    table = markdown_table(
        ["feature", "sklseq", "sktime (scaled)", "speed-up", "sklseq / np.copy",
         "sklseq peak", "output", "peak / output", f"sktime peak ({n_sktime} rows)"],
        rows,
    )
    header = (
        f"### Panel: {n_rows:,} sequences x {n_steps} steps\n\n"
        f"np.copy of the panel ({format_bytes(X.nbytes)}): {format_time(copy.seconds)}. "
        f"sktime timed on {n_sktime} rows (one run) and scaled x{n_rows // n_sktime}; "
        f"sklseq best of {repeat} on all rows.\n\n"
    )
    return header + table, results


def _series_cases(series):
    from sklseq.preprocessing import Differencer, LagFeatures, RollingStatistics

    def rolling(stat):
        return RollingStatistics(windows=WINDOW, statistics=stat, output="sequence")

    s = pd.Series(series)
    r = s.rolling(WINDOW, min_periods=1)
    return [
        (f"rolling mean (w={WINDOW})", rolling("mean"), r.mean),
        (f"rolling std (w={WINDOW}, ddof=1)", RollingStatistics(
            windows=WINDOW, statistics="std", output="sequence", ddof=1), r.std),
        (f"rolling min (w={WINDOW})", rolling("min"), r.min),
        (f"rolling max (w={WINDOW})", rolling("max"), r.max),
        (f"rolling median (w={WINDOW})", rolling("median"), r.median),
        (f"ewm mean (span={WINDOW})", rolling("ewm"), s.ewm(span=WINDOW).mean),
        ("lags 1-3 per step", LagFeatures(lags=LAGS, per_step=True),
         lambda: pd.concat({lag: s.shift(lag) for lag in LAGS}, axis=1)),
        ("first difference", Differencer(order=1), s.diff),
    ]


def _series(quick):
    n_points = 1_000_000 if quick else 10_000_000
    repeat = 3 if quick else 5
    series = np.random.default_rng(1).normal(size=n_points).cumsum()
    X = series[None, :]  # one sequence
    copy_seconds = []
    rows, results = [], []
    for feature, ours, theirs in _series_cases(series):
        ours.fit(X)
        out_nbytes = ours.transform(X).nbytes
        mine, other, copy = alternating_times(
            [partial(ours.transform, X), theirs, partial(np.copy, series)], repeat
        )
        mine_peak, other_peak = peak_memory(ours.transform, X), peak_memory(theirs)
        copy_seconds.append(copy)
        speedup = other / mine
        copy_ratio = mine / copy
        peak_ratio = mine_peak / out_nbytes
        results.append((feature, speedup, copy_ratio, peak_ratio))
        rows.append([
            feature,
            format_time(mine),
            format_time(other),
            format_ratio(speedup),
            format_ratio(copy_ratio),
            format_bytes(mine_peak),
            format_bytes(other_peak),
            format_bytes(out_nbytes),
            format_ratio(peak_ratio),
        ])
    table = markdown_table(
        ["feature", "sklseq", "pandas", "speed-up", "sklseq / np.copy", "sklseq peak",
         "pandas peak", "output", "peak / output"],
        rows,
    )
    header = (
        f"### One series of {n_points:,} points\n\n"
        f"np.copy of the series ({format_bytes(series.nbytes)}): "
        f"{format_time(min(copy_seconds))} to {format_time(max(copy_seconds))} (best of each "
        f"feature's runs; the ratio uses that feature's). Best of {repeat} runs each, "
        "sklseq, pandas and np.copy alternating.\n\n"
    )
    return header + table, results


def _windows(quick):
    """Rolling mean of the series by window: sklseq's compiled loop against its numpy
    doubling path (the choice ``SMALL_WINDOW`` in ``sklseq/preprocessing/_compiled.py``
    makes), each as a multiple of ``np.copy``."""
    from sklseq.preprocessing import RollingStatistics, _compiled

    if _compiled.compiled("small_window_sums") is None:
        return "### Rolling mean by window\n\nnumba is not installed: no compiled loop to compare.\n"
    n_points = 1_000_000 if quick else 10_000_000
    series = np.random.default_rng(2).normal(size=n_points).cumsum()
    X = series[None, :]

    def numpy_path(roll):
        _compiled._HAS_NUMBA = False
        try:
            return roll.transform(X)
        finally:
            _compiled._HAS_NUMBA = True

    rows = []
    for window in (3, 7, 12, 16, 24, 32, 48):
        roll = RollingStatistics(windows=window, statistics="mean", output="sequence").fit(X)
        compiled, numpy, copy = alternating_times(
            [partial(roll.transform, X), partial(numpy_path, roll), partial(np.copy, series)], 3
        )
        chosen = "compiled" if window <= _compiled.SMALL_WINDOW else "numpy"
        rows.append([window, format_ratio(compiled / copy), format_ratio(numpy / copy), chosen])
    return (
        f"### Rolling mean by window, one series of {n_points:,} points\n\n"
        "Each path's time over np.copy's (best of 3, alternating).\n\n"
        + markdown_table(["window", "compiled loop", "numpy doubling", "sklseq uses"], rows)
    )


def _multirocket_transforms():
    from sklearn.pipeline import make_pipeline, make_union

    from sklseq.preprocessing import Differencer, MiniRocketFeatures
    from sklseq.preprocessing._rocket import POOLING_OPERATORS

    # sktime's MultiRocket(num_kernels=6250): 74 biases x 84 kernels per
    # operator and per series (the rows, their differences).
    per_operator = 6216

    def four_operators(random_state):
        return MiniRocketFeatures(
            n_features=4 * per_operator, pooling=POOLING_OPERATORS, random_state=random_state
        )

    return {
        "sklseq PPV (default 10,000)": lambda: MiniRocketFeatures(random_state=0),
        "sklseq 4 operators on x": lambda: four_operators(0),
        "sklseq 4 operators on x and diff(x)": lambda: make_union(
            four_operators(0), make_pipeline(Differencer(), four_operators(1))
        ),
        "sktime MultiRocket": _SktimeMultiRocket,
    }


class _SktimeMultiRocket:
    """sktime's MultiRocket (6,250 kernels, one thread) on 2D univariate panels."""

    def __init__(self):
        from sktime.transformations.rocket import MultiRocket

        self.rocket = MultiRocket(num_kernels=6250, n_jobs=1, random_state=0)

    def fit(self, X):
        self.rocket.fit(X[:, None, :])
        return self

    def transform(self, X):
        return self.rocket.transform(X[:, None, :]).to_numpy()


def _multirocket(quick):
    """Test accuracy and transform CPU time of MiniRocket / MultiRocket recipes."""
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklseq.datasets import load_sktime

    names = ["ItalyPowerDemand", "GunPoint"]
    if not quick:
        names += ["ArrowHead", "OSULeaf"]
    warm = np.random.default_rng(3).normal(size=(6, 30))
    _SktimeMultiRocket().fit(warm).transform(warm)  # numba compilation
    rows = []
    for name in names:
        X_train, y_train = load_sktime(name, split="train")
        X_test, y_test = load_sktime(name, split="test")
        for label, make in _multirocket_transforms().items():
            start = time.process_time()
            transform = make().fit(X_train)
            F_train, F_test = transform.transform(X_train), transform.transform(X_test)
            seconds = time.process_time() - start
            ridge = make_pipeline(
                StandardScaler(), RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
            )
            wrong = int((ridge.fit(F_train, y_train).predict(F_test) != y_test).sum())
            rows.append([
                f"{name} ({len(X_train)}/{len(X_test)} x {X_train.shape[1]})", label,
                f"{F_train.shape[1]:,}", f"{1 - wrong / len(y_test):.4f} ({wrong} wrong)",
                format_time(seconds),
            ])
    return (
        "### MultiRocket pooling: accuracy and transform time\n\n"
        "Train / test rows x steps; test accuracy of StandardScaler + RidgeClassifierCV; "
        "CPU time of fit and both transforms (one run).\n\n"
        + markdown_table(
            ["data set", "transform", "features", "test accuracy", "transform CPU"], rows,
            align="llrrr",
        )
    )


def _targets(panel, series):
    def verdict(ok):
        return "met" if ok else "**MISSED**"

    rows = []
    for feature, speedup, _ in panel:
        rows.append([f"panel, {feature}: >= 50x faster than sktime", format_ratio(speedup),
                     verdict(speedup >= 50)])
    for feature, speedup, copy_ratio, _ in series:
        rows.append([f"series, {feature}: at least as fast as pandas",
                     format_ratio(speedup), verdict(speedup >= 1)])
        if feature.startswith("rolling mean"):
            rows.append([f"series, {feature}: within 3x of np.copy", format_ratio(copy_ratio),
                         verdict(copy_ratio <= 3)])
    peaks = [(f"panel, {f}", p) for f, _, p in panel] + [(f"series, {f}", p) for f, *_, p in series]
    for name, peak_ratio in peaks:
        rows.append([f"{name}: peak memory <= 2x output", format_ratio(peak_ratio),
                     verdict(peak_ratio <= 2)])
    return markdown_table(["target", "measured", "verdict"], rows, align="lrl")


def run(quick: bool) -> str:
    """Run the comparisons; return the markdown section."""
    panel_md, panel = _panel(quick)
    series_md, series = _series(quick)
    return "\n\n".join([
        "## Sequence transformers: sklseq vs sktime and pandas",
        f"Machine: {machine_description()}, shared with other jobs; "
        f"{'quick sizes' if quick else 'full sizes'}. Times are CPU seconds of this "
        "process (user + system), best of the runs; all code measured is single-threaded.",
        panel_md,
        series_md,
        _windows(quick),
        _multirocket(quick),
        "### Targets\n\n" + _targets(panel, series),
    ])


if __name__ == "__main__":
    main(run, "transformers", description=__doc__)
