"""Command line: ``python -m sklseq compare`` and ``python -m sklseq report``.

``compare`` runs sklseq's models and sktime's baselines on one data set shipped
with sktime (``--dataset``) or on your own long-format file (``--data``) and
writes a markdown report with plots. ``report`` runs the bundled benchmark
suite (six classification sets, a regression set and four series) and writes
``results/report.md``: the README's main command.
"""

import argparse
import shlex
import sys
import time
import warnings

import numpy as np

QUICK_NOTE = (
    "--quick: 3 folds instead of 5 (classification, regression) and 3 origins instead of 5 "
    "(forecasting), smaller tuning grids, MiniRocket with 1,000 kernels instead of 2,000, and "
    "the default network (only with --models network) trains 5 epochs; every shortened model "
    "says so in its name."
)
KERNELS_NOTE = (
    "MiniRocket runs with fewer kernels than its 10,000 default (named in the table): sktime "
    "1.2's RocketClassifier converts MiniRocket's output column by column, which costs time "
    "quadratic in the kernels (measured here on ItalyPowerDemand's training set: 0.7 s for the "
    "transform itself, 13 s a fit at 2,000 kernels, 42 s at 4,000, about 2 minutes at 10,000)."
)
CLASSIFICATION_SUITE = ("GunPoint", "ItalyPowerDemand", "ArrowHead", "OSULeaf", "BasicMotions",
                        "JapaneseVowels")
REGRESSION_SUITE = ("Covid3Month",)
FORECASTING_SUITE = ("airline", "lynx", "shampoo", "uschange")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m sklseq", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--quick", action="store_true", help="fewer folds and smaller grids")
        sub.add_argument("--n-jobs", type=int, default=2, help="parallel (model, fold) fits")
        sub.add_argument("--backend", default="loky",
                         help="loky, dask (a local cluster), ray, or a dask scheduler address")
        sub.add_argument("--seed", type=int, default=0, help="random_state of folds and models")
        sub.add_argument("--baselines", choices=("sktime", "none"), default="sktime")
        sub.add_argument("--no-progress", action="store_true")

    compare = commands.add_parser("compare", help="compare models on one data set or file")
    source = compare.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", help="a data set shipped with sktime, e.g. GunPoint, airline")
    source.add_argument("--data", help="CSV or parquet in long format: series_id, time, value[, label]")
    compare.add_argument("--task", choices=("classification", "regression", "forecasting"))
    compare.add_argument("--models", help="comma-separated presets: minirocket, fft-ridge, network "
                         "(panels); ets, theta, arima, ridge, seasonal-naive (forecasting)")
    compare.add_argument("--folds", type=int, help="folds (panels) or origins (forecasting)")
    compare.add_argument("--horizon", type=int, help="forecast horizon (forecasting)")
    compare.add_argument("--season", type=int, help="seasonal period (forecasting)")
    compare.add_argument("--id-column", default="series_id")
    compare.add_argument("--time-column", default="time")
    compare.add_argument("--value-column", default="value", help="comma-separated for channels")
    compare.add_argument("--label-column", default="label")
    compare.add_argument("--out", default="results/compare", help="folder for report.md and PNGs")
    common(compare)

    report = commands.add_parser("report", help="the bundled benchmark suite (README main command)")
    report.add_argument("--out", default="results", help="folder for report.md and PNGs")
    report.add_argument("--full", action="store_true", help="also the default network of each task; slower")
    common(report)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    command = "python -m sklseq " + " ".join(shlex.quote(a) for a in argv)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as outside:  # printed nowhere, counted in the report
        warnings.simplefilter("always")
        try:
            run = _compare_command if args.command == "compare" else _report_command
            report = run(args, command)
        except (ValueError, TypeError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"Report written to {report} ({time.perf_counter() - start:.0f} s; "
          f"{len(outside)} warnings outside the fits not shown)")
    return 0


def _settings(args):
    return {"n_jobs": args.n_jobs, "backend": None if args.backend == "loky" else args.backend,
            "random_state": args.seed, "progress": not args.no_progress}


def _baselines(args, task, season=None):
    if args.baselines == "none":
        return None
    from .model_selection import sktime_baselines  # noqa: PLC0415

    return sktime_baselines(task, season, minirocket_kernels=1_000 if args.quick else 2_000)


def _max_length(X):
    return max(len(row) for row in X) if isinstance(X, list) else np.shape(X)[1]


def _compare_command(args, command):
    from .model_selection import compare, write_report  # noqa: PLC0415
    from .model_selection._bundled import load_dataset, model_presets, read_long_format  # noqa: PLC0415

    if args.dataset:
        data = load_dataset(args.dataset)
        X, y, task = data["X"], data["y"], args.task or data["task"]
        season = args.season or data["season"]
        horizon = args.horizon or data["horizon"]
        name = args.dataset
    else:
        data = read_long_format(args.data, id_column=args.id_column, time_column=args.time_column,
                                value_columns=args.value_column.split(","),
                                label_column=args.label_column)
        X, y, season, horizon = data["X"], data["y"], args.season, args.horizon
        task = args.task or _infer_task(y)
        name = args.data
        if task != "forecasting" and y is None:
            raise ValueError(f"--task {task} needs a label column ({args.label_column!r}).")
    names = args.models.split(",") if args.models else None
    folds = args.folds or (3 if args.quick else 5)
    if task == "forecasting":
        horizon = horizon or season or 1
        models = model_presets(task, season=season, horizon=horizon, quick=args.quick, names=names)
        from .model_selection import ExpandingWindowSplitter  # noqa: PLC0415

        cv = ExpandingWindowSplitter(horizon=horizon, step=horizon, n_splits=folds)
        series = X if isinstance(X, dict) else {name: X}
        result = compare(models, series, cv=cv, season=season, baselines=_baselines(args, task, season),
                         task=task, **_settings(args))
    else:
        models = model_presets(task, quick=args.quick, max_length=_max_length(X), names=names)
        result = compare(models, X, y, task=task, cv=folds, baselines=_baselines(args, task), name=name,
                         **_settings(args))
    notes = [QUICK_NOTE] if args.quick else []
    if task != "forecasting" and args.baselines == "sktime":
        notes.append(KERNELS_NOTE)
    return write_report({f"{name} ({task})": result}, args.out, title=f"sklseq comparison: {name}",
                        command=command, notes=notes)


def _infer_task(y):
    if y is None:
        return "forecasting"
    y = np.asarray(y)
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        return "regression"
    return "classification"


def _report_command(args, command):
    from .model_selection import ExpandingWindowSplitter, combine, compare, write_report  # noqa: PLC0415
    from .model_selection._bundled import load_dataset, model_presets  # noqa: PLC0415

    folds = 3 if args.quick else 5
    names = ["minirocket", "fft-ridge", "network"] if args.full else None
    sections, skipped = {}, []
    for title, suite in (("Classification", CLASSIFICATION_SUITE),
                         ("Sequence regression", REGRESSION_SUITE)):
        results = []
        for dataset in suite:
            try:
                data = load_dataset(dataset)
            except Exception as exc:  # noqa: BLE001 - one missing data set does not stop the suite
                skipped.append(f"{dataset} could not be loaded: {type(exc).__name__}: {exc}")
                continue
            models = model_presets(data["task"], quick=args.quick, names=names,
                                   max_length=_max_length(data["X"]))
            results.append(compare(models, data["X"], data["y"], task=data["task"], cv=folds,
                                   baselines=_baselines(args, data["task"]), name=dataset,
                                   **_settings(args)))
        if not results:
            continue
        metric = "accuracy" if title == "Classification" else "RMSE"
        sections[f"{title} ({len(suite)} data set{'s' * (len(suite) > 1)}, {folds}-fold CV on "
                 f"train + test pooled, ranked by {metric})"] = combine(results)
    results = []
    for dataset in FORECASTING_SUITE:
        data = load_dataset(dataset)
        season, horizon = data["season"], data["horizon"]
        models = model_presets("forecasting", season=season, horizon=horizon, quick=args.quick)
        cv = ExpandingWindowSplitter(horizon=horizon, step=horizon, n_splits=folds)
        results.append(compare(models, data["X"], cv=cv, season=season, task="forecasting",
                               scoring=["smape", "mae", "rmse"],
                               baselines=_baselines(args, "forecasting", season), name=dataset,
                               **_settings(args)))
    sections[f"Forecasting ({len(FORECASTING_SUITE)} series, rolling origin over the last {folds} "
             "horizons, ranked by sMAPE)"] = combine(results)
    notes = [
        KERNELS_NOTE,
        "Seeds fixed (--seed); folds and seeds are set before dispatch, so every backend gives "
        "the same scores. Times are wall-clock on a shared machine: noisy.",
        "sktime forecasters fit inside predict (they are local to each series), so their "
        "'fit s/fold' is near 0 and their cost is in predict_time.",
        "Forecasting horizons and seasonal periods: "
        + ", ".join(f"{d} h={load_dataset(d)['horizon']} season={load_dataset(d)['season']}"
                    for d in FORECASTING_SUITE) + "; uschange is its Consumption column.",
    ]
    if args.quick:
        notes.insert(0, QUICK_NOTE)
    notes.extend(skipped)
    mode = "quick" if args.quick else ("full" if args.full else "default")
    return write_report(sections, args.out, title=f"sklseq against sktime baselines ({mode} run)",
                        command=command, notes=notes)


if __name__ == "__main__":
    sys.exit(main())
