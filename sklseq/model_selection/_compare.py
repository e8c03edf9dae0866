"""Run models and baselines on the same splits: the comparison behind the report."""

import time
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from numpy.typing import ArrayLike
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils.multiclass import type_of_target

from ._progress import Progress
from ._results import ComparisonResult, combine
from ._split import ExpandingWindowSplitter

__all__ = ["compare"]

TASKS = ("classification", "regression", "forecasting")


def _smape(y_true, y_pred):
    """Symmetric mean absolute percentage error, in percent (0 where both are 0)."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    denominator = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(2 * np.abs(y_true - y_pred), denominator, out=np.zeros_like(denominator),
                      where=denominator > 0)
    return 100 * float(np.mean(ratio))


# name -> (function(y_true, y_pred), greater_is_better)
METRICS = {
    "accuracy": (accuracy_score, True),
    "balanced_accuracy": (balanced_accuracy_score, True),
    "f1_macro": (partial(f1_score, average="macro"), True),
    "mae": (mean_absolute_error, False),
    "rmse": (root_mean_squared_error, False),
    "r2": (r2_score, True),
    "smape": (_smape, False),
}
DEFAULT_SCORING = {
    "classification": ("accuracy", "balanced_accuracy"),
    "regression": ("rmse", "mae"),
    "forecasting": ("mae", "rmse", "smape"),
}


def compare(
    models: Mapping[str, Any] | Sequence[Any],
    X: Any,
    y: ArrayLike | None = None,
    *,
    task: str | None = None,
    cv: Any = None,
    scoring: str | Sequence[str] | Mapping[str, Any] | None = None,
    baselines: str | Mapping[str, Any] | Sequence[Any] | None = "sktime",
    season: int | None = None,
    window_size: int | None = None,
    n_jobs: int | None = None,
    backend: Any = None,
    random_state: int | None = None,
    progress: bool = False,
    name: str = "data",
) -> ComparisonResult:
    """Fit models and baselines on the same splits and score them on the held-out parts.

    Every model (an estimator, a ``Pipeline``, or a search such as
    ``GridSearchCV``, which then tunes on each training fold only) and every
    baseline is cloned, fitted on each training fold and scored on the matching
    test fold. A model that raises on a fold is reported with its error and the
    comparison goes on; a model that cannot take unequal-length sequences is
    marked n/a with the reason.

    Forecasting: ``X`` is one series and each fold a forecast origin. A model
    whose final step reads each row as a history (sklseq's statistical
    forecasters, ``sklseq.interop.SktimeBaseline``) is fitted on the history
    as a one-row panel; any other regressor is fitted on
    ``make_windows(history, window_size, horizon)`` and forecasts from the last
    window, so ``GridSearchCV`` with an :class:`ExpandingWindowSplitter` tunes
    it on the history's windows.

    Parameters
    ----------
    models : dict of str to estimator, or list of estimators
        The models to compare; a list is named after the classes.
    X : array-like, list of sequences, pandas Series, or dict
        The panel (classification, regression) or the series (forecasting).
        A dict maps data set names to ``(X, y)`` pairs (or to a series) and
        compares on each, with ranks across data sets (see :func:`combine`).
    y : array-like of shape (n_samples,), default=None
        Labels or targets; ``None`` for forecasting.
    task : {"classification", "regression", "forecasting"} or None, default=None
        ``None`` infers it: no ``y`` is forecasting, discrete ``y`` classification.
    cv : int, splitter or iterable of (train, test), default=None
        ``None``: 5 shuffled (stratified) folds; for forecasting an
        :class:`ExpandingWindowSplitter` with ``horizon=season or 1`` over the
        last 5 non-overlapping origins. An int sets the number of folds.
    scoring : str, list of str or dict, default=None
        Metric names among ``accuracy``, ``balanced_accuracy``, ``f1_macro``,
        ``mae``, ``rmse``, ``r2``, ``smape``, or a dict name ->
        ``(function(y_true, y_pred), greater_is_better)``. The first metric
        ranks the models. ``None``: accuracy and balanced accuracy,
        RMSE and MAE, or MAE, RMSE and sMAPE by task.
    baselines : "sktime", dict, list or None, default="sktime"
        ``"sktime"``: the curated sktime baselines of the task (MiniRocket and
        1NN-DTW; seasonal naive, AutoETS, AutoARIMA and Theta), through
        ``sklseq.interop.SktimeBaseline``. A dict or list gives them explicitly.
    season : int or None, default=None
        Seasonal period of the series (forecasting baselines, default horizon).
    window_size : int or None, default=None
        Window length for regressors on windows (forecasting);
        ``None`` means ``2 * horizon``, at least 4.
    n_jobs : int or None, default=None
        Parallel (model, fold) fits through joblib.
    backend : str, dask.distributed.Client or None, default=None
        joblib backend: ``"loky"``, ``"threading"``, ``"dask"`` (a local
        cluster of ``n_jobs`` worker processes unless a client is active),
        a scheduler address ``"tcp://..."``, a ``Client``, or ``"ray"``.
        Splits and seeds are fixed before dispatch, so every backend gives
        the same results.
    random_state : int or None, default=None
        Seeds the folds and every ``random_state`` parameter left at ``None``.
    progress : bool, default=False
        Show progress over (model, fold) with the time left on stderr.
    name : str, default="data"
        Name of the data set in the result.

    Returns
    -------
    result : ComparisonResult
        With ``leaderboard``, ``folds``, ``plot()`` and ``save()``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.linear_model import RidgeClassifier
    >>> from sklseq.model_selection import compare
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 10)); y = (X[:, -1] > 0).astype(int)
    >>> result = compare({"ridge": RidgeClassifier()}, X, y,
    ...                  baselines={"majority": DummyClassifier()}, random_state=0)
    >>> result.leaderboard.index.tolist()
    ['ridge', 'majority']
    >>> [int(n) for n in result.leaderboard.loc["ridge", ["wins", "ties", "losses"]]]
    [5, 0, 0]
    """
    if isinstance(X, dict):
        if y is not None:
            raise ValueError("y must be None when X is a dict of data sets; put (X, y) pairs in it.")
        results = []
        for data_name, data in X.items():
            data_X, data_y = data if isinstance(data, tuple) else (data, None)
            results.append(compare(
                models, data_X, data_y, task=task, cv=cv, scoring=scoring, baselines=baselines,
                season=season, window_size=window_size, n_jobs=n_jobs, backend=backend,
                random_state=random_state, progress=progress, name=data_name,
            ))
        return combine(results)

    task = _check_task(task, y)
    metrics = _check_scoring(scoring, task)
    X, y = _check_data(X, y, task)
    splits = _make_splits(cv, X, y, task, season, random_state)
    if task == "forecasting" and window_size is None:
        window_size = max(4, 2 * max(len(test) for _, test in splits))
    models = _named(models, "models")
    baseline_models = _named(_resolve_baselines(baselines, task, season), "baselines")
    overlap = set(models) & set(baseline_models)
    if overlap:
        raise ValueError(f"models and baselines share the names {sorted(overlap)}; rename one.")
    entries = {**models, **baseline_models}
    seed = _seed(random_state)
    ragged = task != "forecasting" and _is_ragged(X)

    jobs, skipped = [], {}
    for model_name, model in entries.items():
        reason = _cannot_take_unequal_lengths(model) if ragged else None
        if reason:
            skipped[model_name] = reason
            continue
        seeded = _seeded(model, seed)
        for fold, (train, test) in enumerate(splits):
            jobs.append((model_name, fold, seeded, train, test))

    run = partial(_run_fold, X=X, y=y, task=task, metrics=metrics, window_size=window_size)
    records = _dispatch(run, jobs, n_jobs, backend, progress, name)
    return ComparisonResult._from_records(
        records,
        name=name,
        task=task,
        metrics=metrics,
        baselines=list(baseline_models),
        models=list(entries),
        skipped=skipped,
        series=X if task == "forecasting" else None,
        n_splits=len(splits),
    )


def _dispatch(run, jobs, n_jobs, backend, progress, name):
    """Run the (model, fold) jobs, in order, on the chosen joblib backend."""
    tracker = Progress(len(jobs), f"{name}: model x fold", enabled=progress)
    calls = (delayed(run)(model_name, fold, model, train, test)
             for model_name, fold, model, train, test in jobs)
    with _backend(backend, n_jobs) as config:
        parallel = Parallel(n_jobs=config["n_jobs"], return_as="generator", max_nbytes=None)
        records = []
        for record in parallel(calls):
            records.append(record)
            tracker.update(f"{record['model']} fold {record['fold']}")
    tracker.close()
    return records


class _backend:
    """Context that configures joblib for ``backend`` and tears down what it started."""

    def __init__(self, backend, n_jobs):
        self.backend, self.n_jobs = backend, n_jobs
        self._client = self._cluster = self._config = None

    def __enter__(self):
        backend, n_jobs = self.backend, self.n_jobs
        if backend is None or backend in ("loky", "threading", "multiprocessing", "sequential"):
            self._config = parallel_config(backend=backend) if backend else None
        elif backend == "ray":
            try:
                from ray.util.joblib import register_ray  # noqa: PLC0415
            except ImportError as exc:
                raise ImportError("backend='ray' needs ray: pip install 'ray[default]'.") from exc
            register_ray()
            self._config = parallel_config(backend="ray")
        else:
            self._connect_dask(backend, n_jobs)
            self._config = parallel_config(backend="dask")
            n_jobs = -1
        if self._config is not None:
            self._config.__enter__()
        return {"n_jobs": n_jobs}

    def _connect_dask(self, backend, n_jobs):
        try:
            from distributed import Client, LocalCluster, get_client  # noqa: PLC0415
        except ImportError as exc:
            raise ImportError(
                "backend='dask' needs dask.distributed: pip install 'sklseq[dask]'."
            ) from exc
        if isinstance(backend, Client):
            return
        if isinstance(backend, LocalCluster) or (
            isinstance(backend, str) and "://" in backend
        ):
            self._client = Client(backend)
            return
        if backend != "dask":
            raise ValueError(
                "backend must be None, 'loky', 'threading', 'dask', 'ray', a dask scheduler "
                f"address 'tcp://...', a LocalCluster or a Client; got {backend!r}."
            )
        try:
            get_client()  # a client the caller started is used as is
        except ValueError:
            workers = n_jobs if n_jobs and n_jobs > 0 else 2
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)

    def __exit__(self, *exc_info):
        if self._config is not None:
            self._config.__exit__(*exc_info)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _run_fold(model_name, fold, model, train, test, *, X, y, task, metrics, window_size):
    """Fit a fresh clone on one training fold and score it: a plain dict, never raises."""
    record = {"model": model_name, "fold": fold, "error": None, "fit_time": np.nan,
              "predict_time": np.nan, "forecast": None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if task == "forecasting":
                y_true, y_pred, forecast, fit_time, predict_time = _forecast_fold(
                    model, X, train, test, window_size
                )
                record["forecast"] = forecast
            else:
                estimator = clone(model)
                start = time.perf_counter()
                estimator.fit(_take(X, train), y[train])
                fit_time = time.perf_counter() - start
                start = time.perf_counter()
                y_pred = estimator.predict(_take(X, test))
                predict_time = time.perf_counter() - start
                y_true = y[test]
            record["fit_time"], record["predict_time"] = fit_time, predict_time
            for metric, (function, _) in metrics.items():
                record[metric] = float(function(y_true, y_pred))
        except Exception as exc:  # reported in the leaderboard; the other fits go on
            record["error"] = f"{type(exc).__name__}: {exc}".strip()
    record["warnings"] = Counter(
        (w.category.__name__, str(w.message).splitlines()[0][:200]) for w in caught
    )
    return record


def _forecast_fold(model, series, train, test, window_size):
    """Forecast the test positions from the history before them."""
    from ..forecasting import last_window, make_windows  # noqa: PLC0415

    values = series.to_numpy(dtype=float) if isinstance(series, pd.Series) else series
    history = values[train[0] : train[-1] + 1]
    steps = int(test[-1] - train[-1])  # the origin may sit a gap after the history
    estimator = _with_horizon(clone(model), steps)
    if _reads_histories(estimator):
        X_fit, y_fit, X_last = history[None, :], None, history[None, :]
    else:
        X_fit, y_fit = make_windows(history, window_size, horizon=steps)
        X_last = last_window(history, window_size)
    start = time.perf_counter()
    estimator.fit(X_fit, y_fit) if y_fit is not None else estimator.fit(X_fit)
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    y_pred = np.ravel(estimator.predict(X_last))[-len(test):]
    predict_time = time.perf_counter() - start
    forecast = {"positions": np.asarray(test), "mean": y_pred}
    if hasattr(estimator, "predict_interval"):
        try:
            lower, upper = estimator.predict_interval(X_last, coverage=0.9)
            forecast["lower"] = np.ravel(lower)[-len(test):]
            forecast["upper"] = np.ravel(upper)[-len(test):]
        except Exception:  # noqa: BLE001 - an interval is a bonus, the forecast still counts
            pass
    return values[test], y_pred, forecast, fit_time, predict_time


def _reads_histories(model):
    """Whether the final step forecasts each row's continuation (no windows needed)."""
    from ..statistical._base import StatisticalForecasterMixin  # noqa: PLC0415

    final = _final_step(model)
    return isinstance(final, StatisticalForecasterMixin) or type(final).__name__ == "SktimeBaseline"


def _final_step(model):
    while True:
        if hasattr(model, "steps"):
            model = model.steps[-1][1]
        elif hasattr(model, "estimator") and hasattr(model, "cv"):  # a search
            model = model.estimator
        else:
            return model


def _with_horizon(model, steps):
    params = [key for key in model.get_params(deep=True)
              if key == "horizon" or key.endswith("__horizon")]
    return model.set_params(**dict.fromkeys(params, steps)) if params else model


def _cannot_take_unequal_lengths(model):
    """Why ``model`` cannot take unequal-length sequences, or None if it can."""
    step = model
    while True:
        if hasattr(step, "steps"):
            step = step.steps[0][1]
        elif hasattr(step, "estimator") and hasattr(step, "cv"):
            step = step.estimator
        else:
            break
    if type(step).__name__ == "SktimeBaseline":
        inner = step.get_params(deep=False).get("sktime_estimator")
        if inner is not None and hasattr(inner, "get_tag"):
            if not inner.get_tag("capability:unequal_length", False, raise_error=False):
                return (f"sktime's {type(inner).__name__} cannot take unequal-length sequences "
                        "(its tag capability:unequal_length is False)")
        return None
    if type(step).__module__.split(".")[0] != "sklseq":
        return (f"{type(step).__name__} needs fixed-length feature vectors, and the sequences "
                "have unequal lengths")
    return None


def _check_task(task, y):
    if task is None:
        if y is None:
            return "forecasting"
        kind = type_of_target(np.asarray(y) if not isinstance(y, pd.Series) else y.to_numpy())
        return "classification" if kind in ("binary", "multiclass") else "regression"
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}.")
    if task == "forecasting" and y is not None:
        raise ValueError("task='forecasting' takes one series as X and y=None.")
    if task != "forecasting" and y is None:
        raise ValueError(f"task={task!r} needs y.")
    return task


def _check_scoring(scoring, task):
    if scoring is None:
        scoring = DEFAULT_SCORING[task]
    if isinstance(scoring, str):
        scoring = [scoring]
    if isinstance(scoring, dict):
        metrics = {}
        for metric, spec in scoring.items():
            if not (isinstance(spec, tuple) and len(spec) == 2 and callable(spec[0])):
                raise TypeError(
                    f"scoring[{metric!r}] must be (function(y_true, y_pred), greater_is_better)."
                )
            metrics[metric] = spec
        return metrics
    unknown = [metric for metric in scoring if metric not in METRICS]
    if unknown:
        raise ValueError(f"unknown scoring {unknown}; choose among {sorted(METRICS)}.")
    if not scoring:
        raise ValueError("scoring is empty; give at least one metric.")
    return {metric: METRICS[metric] for metric in scoring}


def _check_data(X, y, task):
    if task == "forecasting":
        if isinstance(X, pd.DataFrame):
            if X.shape[1] != 1:
                raise ValueError(
                    f"forecasting takes one series; X has {X.shape[1]} columns. Pass the "
                    "target column, e.g. X['Consumption']."
                )
            X = X.iloc[:, 0]
        if not isinstance(X, pd.Series):
            X = np.asarray(X, dtype=float)
            if X.ndim != 1:
                raise ValueError(f"forecasting takes one 1D series; X has shape {X.shape}.")
        values = X.to_numpy(dtype=float) if isinstance(X, pd.Series) else X
        if not np.isfinite(values).all():
            raise ValueError("the series contains NaN or inf; impute or drop it first.")
        return X, None
    y = y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else np.asarray(y)
    n_samples = len(X)
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} samples but y has {len(y)}.")
    return X, y


def _make_splits(cv, X, y, task, season, random_state):
    if task == "forecasting":
        if cv is None or isinstance(cv, int):
            horizon = season or 1
            cv = ExpandingWindowSplitter(horizon=horizon, step=horizon, n_splits=cv or 5)
        return [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(X)]
    if cv is None or isinstance(cv, int):
        n_splits = cv or 5
        kind = StratifiedKFold if task == "classification" else KFold
        cv = kind(n_splits=n_splits, shuffle=True, random_state=_seed(random_state))
    cv = check_cv(cv, y, classifier=task == "classification")
    return [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(_index_proxy(X), y)]


def _index_proxy(X):
    """Something with X's length that every splitter accepts (ragged lists included)."""
    return np.zeros((len(X), 1))


def _take(X, indices):
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[indices]
    if isinstance(X, (list, tuple)):
        return [X[i] for i in indices]
    return np.asarray(X)[indices]


def _is_ragged(X):
    from ..utils import is_ragged  # noqa: PLC0415

    if is_ragged(X):
        return True
    if isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.ndim >= 2:
        return bool(np.isnan(X[:, -1]).any())  # NaN right-padding
    return False


def _named(models, what):
    if models is None:
        return {}
    if isinstance(models, dict):
        for key in models:
            if not isinstance(key, str):
                raise TypeError(f"{what} keys must be names (str); got {key!r}.")
        return dict(models)
    if not isinstance(models, (list, tuple)):
        raise TypeError(f"{what} must be a dict of name -> estimator or a list of estimators.")
    named, counts = {}, Counter()
    for model in models:
        base = type(model).__name__
        counts[base] += 1
        named[base if counts[base] == 1 else f"{base}-{counts[base]}"] = model
    return named


def _resolve_baselines(baselines, task, season):
    if isinstance(baselines, str):
        if baselines != "sktime":
            raise ValueError(f"baselines must be 'sktime', a dict, a list or None; got {baselines!r}.")
        return sktime_baselines(task, season)
    return baselines


def sktime_baselines(
    task: str, season: int | None = None, minirocket_kernels: int = 10_000
) -> dict[str, Any]:
    """The curated sktime baselines of a task, each wrapped in ``SktimeBaseline``.

    Parameters
    ----------
    task : {"classification", "regression", "forecasting"}
    season : int or None, default=None
        Seasonal period for the forecasting baselines.
    minirocket_kernels : int, default=10_000
        MiniRocket's number of kernels (its default); named in the baseline's
        name when changed. sktime 1.2 converts MiniRocket's output column by
        column, which costs time quadratic in the kernels (about 2 minutes a
        fit at 10,000 on ItalyPowerDemand here, against 13 s at 2,000).

    Returns
    -------
    baselines : dict of str to estimator
    """
    try:
        from ..interop import SktimeBaseline  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(
            "baselines='sktime' needs sklseq.interop.SktimeBaseline and sktime "
            f"({exc}); pass baselines=None or explicit baselines."
        ) from exc
    if task == "classification":
        from sktime.classification.distance_based import (  # noqa: PLC0415
            KNeighborsTimeSeriesClassifier,
        )
        from sktime.classification.kernel_based import RocketClassifier  # noqa: PLC0415

        return {
            _minirocket_name(minirocket_kernels): SktimeBaseline(RocketClassifier(
                rocket_transform="minirocket", num_kernels=minirocket_kernels)),
            "sktime 1NN-DTW": SktimeBaseline(
                KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw")
            ),
        }
    if task == "regression":
        from sktime.regression.distance_based import (  # noqa: PLC0415
            KNeighborsTimeSeriesRegressor,
        )
        from sktime.regression.kernel_based import RocketRegressor  # noqa: PLC0415

        return {
            _minirocket_name(minirocket_kernels): SktimeBaseline(RocketRegressor(
                rocket_transform="minirocket", num_kernels=minirocket_kernels)),
            "sktime 1NN-DTW": SktimeBaseline(
                KNeighborsTimeSeriesRegressor(n_neighbors=1, distance="dtw")
            ),
        }
    from sktime.forecasting.naive import NaiveForecaster  # noqa: PLC0415
    from sktime.forecasting.statsforecast import (  # noqa: PLC0415
        StatsForecastAutoARIMA,
        StatsForecastAutoETS,
    )
    from sktime.forecasting.theta import ThetaForecaster  # noqa: PLC0415

    sp = season or 1
    return {
        "sktime (seasonal) naive": SktimeBaseline(
            NaiveForecaster(strategy="last", sp=sp)
        ),
        "sktime AutoETS": SktimeBaseline(StatsForecastAutoETS(season_length=sp)),
        "sktime AutoARIMA": SktimeBaseline(StatsForecastAutoARIMA(sp=sp)),
        "sktime Theta": SktimeBaseline(ThetaForecaster(sp=sp)),
    }


def _minirocket_name(kernels):
    return "sktime MiniRocket" if kernels == 10_000 else f"sktime MiniRocket ({kernels:,} kernels)"


def _seed(random_state):
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return random_state
    return int(np.random.RandomState(random_state).randint(np.iinfo(np.int32).max))


def _seeded(model, seed):
    """A clone whose ``random_state`` parameters left at None are set to ``seed``."""
    model = clone(model)
    if seed is None:
        return model
    unset = {key: seed for key, value in model.get_params(deep=True).items()
             if (key == "random_state" or key.endswith("__random_state")) and value is None}
    return model.set_params(**unset) if unset else model
