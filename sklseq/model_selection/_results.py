"""The result of :func:`compare`: per-fold records, leaderboards, ranks across data sets."""

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._stats import critical_difference, paired_test, rank_models

__all__ = ["ComparisonResult", "combine"]


class ComparisonResult:
    """Scores of every model and baseline on every fold of one or more data sets.

    Made by :func:`compare` (one data set, or a dict of them) and :func:`combine`.

    Parameters
    ----------
    folds : pandas.DataFrame
        One row per (data set, model, fold): every metric, ``fit_time`` and
        ``predict_time`` in seconds, ``baseline`` and ``error`` (None when the
        fold ran, the exception otherwise, ``"n/a: ..."`` when the model could
        not take the data).
    task : {"classification", "regression", "forecasting"}
        What was compared.
    metrics : dict of str to (function, greater_is_better)
        The first one ranks the models.
    warnings : pandas.DataFrame
        Warnings raised during the fits (category, message, count, models),
        collected instead of printed.
    forecasts : dict
        Forecasting only: per data set, the series and each model's forecast
        (``positions``, ``mean`` and, where the model gives them, 90%
        ``lower`` / ``upper``) at every origin.
    series : dict
        Forecasting only: the series of each data set, for the plots.

    Attributes
    ----------
    datasets : list of str
        Names of the data sets, in the order they were compared.
    """

    def __init__(
        self,
        folds: pd.DataFrame,
        *,
        task: str,
        metrics: dict[str, tuple[Callable[..., float], bool]],
        warnings: pd.DataFrame,
        forecasts: dict[str, Any],
        series: dict[str, Any],
    ) -> None:
        self.folds = folds
        self.task = task
        self.metrics = metrics
        self.warnings = warnings
        self.forecasts = forecasts
        self.series = series
        self.datasets = list(dict.fromkeys(folds["dataset"]))

    @classmethod
    def _from_records(
        cls,
        records: list[dict[str, Any]],
        *,
        name: str,
        task: str,
        metrics: dict[str, tuple[Callable[..., float], bool]],
        baselines: Iterable[str],
        models: Iterable[str],
        skipped: dict[str, str],
        series: Any,
        n_splits: int,
    ) -> "ComparisonResult":
        rows, warned = [], Counter()
        carriers = {}
        forecasts = {}
        for record in records:
            row = {key: value for key, value in record.items() if key not in ("warnings", "forecast")}
            rows.append(row)
            for key, count in record["warnings"].items():
                warned[key] += count
                carriers.setdefault(key, set()).add(record["model"])
            if record.get("forecast") is not None:
                forecasts.setdefault(record["model"], {})[record["fold"]] = record["forecast"]
        for model, reason in skipped.items():
            rows.extend({"model": model, "fold": fold, "error": f"n/a: {reason}"}
                        for fold in range(n_splits))
        folds = pd.DataFrame(rows, columns=["model", "fold", *metrics, "fit_time", "predict_time",
                                            "error"])
        order = {model: i for i, model in enumerate(models)}
        folds = folds.sort_values(["model", "fold"], key=lambda column: column.map(order)
                                  if column.name == "model" else column, kind="stable")
        folds.insert(0, "dataset", name)
        folds.insert(2, "baseline", folds["model"].isin(baselines))
        folds = folds.reset_index(drop=True)
        warning_table = pd.DataFrame(
            [{"category": category, "message": message, "count": count,
              "models": ", ".join(sorted(carriers[(category, message)]))}
             for (category, message), count in warned.most_common()],
            columns=["category", "message", "count", "models"],
        )
        forecast_table = {}
        if task == "forecasting":
            forecast_table[name] = {
                model: [by_fold[k] for k in sorted(by_fold)] for model, by_fold in forecasts.items()
            }
        return cls(folds, task=task, metrics=metrics, warnings=warning_table,
                   forecasts=forecast_table, series={name: series} if series is not None else {})

    # ------------------------------------------------------------------ tables

    @property
    def primary(self) -> str:
        """The metric that ranks the models (the first one)."""
        return next(iter(self.metrics))

    @property
    def leaderboard(self) -> pd.DataFrame:
        """The leaderboard: one data set's table, or ranks across data sets.

        One data set: one row per model, best first, with ``<metric>_mean`` and
        ``<metric>_std`` over folds for every metric, mean ``fit_time`` and
        ``predict_time`` per fold, ``folds_ok``, ``rank`` (on the first metric,
        among models that ran every fold), and ``vs``, ``wins``, ``ties``,
        ``losses``, ``p_value``: fold-by-fold against the best baseline, with a
        two-sided Wilcoxon signed-rank test; ``error`` holds the first error.

        Several data sets: ``mean_rank`` across the data sets of
        :meth:`ranked_scores`, the first metric's mean per data set, and wins, ties,
        losses and the Wilcoxon p-value over data sets against the baseline
        with the best mean rank.
        """
        if len(self.datasets) == 1:
            return self.dataset_leaderboard(self.datasets[0])
        return self._overall_leaderboard()

    def dataset_leaderboard(self, dataset: str) -> pd.DataFrame:
        """The leaderboard of one data set (see :attr:`leaderboard`).

        Parameters
        ----------
        dataset : str

        Returns
        -------
        leaderboard : pandas.DataFrame
        """
        if dataset not in self.datasets:
            raise KeyError(f"unknown data set {dataset!r}; choose among {self.datasets}.")
        folds = self.folds[self.folds["dataset"] == dataset]
        primary, greater = self.primary, self.metrics[self.primary][1]
        rows = {}
        for model, group in folds.groupby("model", sort=False):
            ok = group[group["error"].isna()]
            row: dict[str, Any] = {"baseline": bool(group["baseline"].iloc[0])}
            for metric in self.metrics:
                row[f"{metric}_mean"] = ok[metric].mean() if len(ok) else np.nan
                row[f"{metric}_std"] = ok[metric].std(ddof=1) if len(ok) > 1 else np.nan
            row["fit_time"] = ok["fit_time"].mean() if len(ok) else np.nan
            row["predict_time"] = ok["predict_time"].mean() if len(ok) else np.nan
            row["folds_ok"] = f"{len(ok)}/{len(group)}"
            errors = group["error"].dropna()
            row["error"] = errors.iloc[0] if len(errors) else None
            rows[model] = row
        table = pd.DataFrame.from_dict(rows, orient="index")
        complete = [model for model, row in rows.items() if row["error"] is None]
        means = table.loc[complete, f"{primary}_mean"]
        table["rank"] = means.rank(ascending=not greater, method="min")
        table[["vs", "wins", "ties", "losses", "p_value"]] = [None, np.nan, np.nan, np.nan, np.nan]
        baselines = [m for m in complete if rows[m]["baseline"]]
        if baselines:
            best = means[baselines].idxmax() if greater else means[baselines].idxmin()
            reference = folds[folds["model"] == best].set_index("fold")[primary]
            for model in table.index:
                if model == best or rows[model]["error"] and rows[model]["error"].startswith("n/a"):
                    continue
                scores = folds[folds["model"] == model].set_index("fold")[primary].dropna()
                common = scores.index.intersection(reference.dropna().index)
                if len(common):
                    outcome = paired_test(scores[common], reference[common], greater)
                    table.loc[model, ["vs", "wins", "ties", "losses", "p_value"]] = [best, *outcome]
        table = table[_column_order(table, self.metrics)]
        table = table.sort_values("rank", na_position="last", kind="stable")
        table.index.name = "model"
        return table.astype({"wins": "Int64", "ties": "Int64", "losses": "Int64"})

    def scores(self, metric: str | None = None) -> pd.DataFrame:
        """Mean score per data set (rows) and model (columns); NaN where a model failed.

        Parameters
        ----------
        metric : str or None, default=None
            ``None`` is the first metric.

        Returns
        -------
        scores : pandas.DataFrame of shape (n_datasets, n_models)
        """
        metric = metric or self.primary
        failed = self.folds["error"].notna().groupby(
            [self.folds["dataset"], self.folds["model"]], sort=False).any()
        means = self.folds.groupby(["dataset", "model"], sort=False)[metric].mean()
        means[failed[failed].index] = np.nan
        table = means.unstack("model")
        return table.loc[self.datasets, list(dict.fromkeys(self.folds["model"]))]

    def ranked_scores(self, metric: str | None = None) -> pd.DataFrame:
        """The scores that ranks and the Friedman test use.

        Models that ran on at most half of the data sets are left out, then
        the data sets where a remaining model failed or was n/a; so a baseline
        that cannot take one data set still gets ranked on the others.

        Parameters
        ----------
        metric : str or None, default=None

        Returns
        -------
        scores : pandas.DataFrame of shape (n_datasets_used, n_models_used)
        """
        scores = self.scores(metric)
        kept = scores.loc[:, scores.notna().mean(axis=0) > 0.5]
        return kept.dropna(axis=0)

    @property
    def critical_difference(self) -> dict[str, Any] | None:
        """Friedman test and Nemenyi critical difference over data sets (None for one data set).

        On :meth:`ranked_scores`. See
        :func:`sklseq.model_selection._stats.critical_difference` for the keys.
        """
        scores = self.ranked_scores()
        if scores.shape[0] < 2 or scores.shape[1] < 2:
            return None
        return critical_difference(scores, self.metrics[self.primary][1])

    def _overall_leaderboard(self) -> pd.DataFrame:
        primary, greater = self.primary, self.metrics[self.primary][1]
        scores = self.scores()
        complete = self.ranked_scores()
        ranks = rank_models(complete, greater).mean(axis=0)
        baseline_names = set(self.folds.loc[self.folds["baseline"], "model"])
        table = pd.DataFrame(index=scores.columns)
        table["baseline"] = [model in baseline_names for model in table.index]
        table["mean_rank"] = ranks
        table[f"{primary}_mean"] = scores.mean(axis=0)
        for dataset in self.datasets:
            table[dataset] = scores.loc[dataset]
        table[["vs", "wins", "ties", "losses", "p_value"]] = [None, np.nan, np.nan, np.nan, np.nan]
        baselines = [m for m in complete.columns if m in baseline_names]
        if baselines:
            best = ranks[baselines].idxmin()
            for model in scores.columns:
                if model == best:
                    continue
                pair = scores[[model, best]].dropna()
                if len(pair):
                    outcome = paired_test(pair[model], pair[best], greater)
                    table.loc[model, ["vs", "wins", "ties", "losses", "p_value"]] = [best, *outcome]
        failed = self.folds[self.folds["error"].notna()]
        table["failed_on"] = [
            ", ".join(dict.fromkeys(failed.loc[failed["model"] == m, "dataset"])) or None
            for m in table.index
        ]
        table = table.sort_values("mean_rank", na_position="last", kind="stable")
        table.index.name = "model"
        return table.astype({"wins": "Int64", "ties": "Int64", "losses": "Int64"})

    # ------------------------------------------------------------------ output

    def plot(self, kind: str = "leaderboard", dataset: str | None = None, ax: Any = None) -> Any:
        """Draw one of the comparison's plots (needs matplotlib).

        Parameters
        ----------
        kind : {"leaderboard", "datasets", "cd", "forecasts"}, default="leaderboard"
            Bars of the first metric with its spread over folds (mean rank for
            several data sets); the score per data set; the critical-difference
            diagram; the forecasts of each model as small multiples.
        dataset : str or None, default=None
            The data set for ``"leaderboard"`` and ``"forecasts"``; ``None`` is
            the only one (or, for ``"leaderboard"``, all of them).
        ax : matplotlib Axes or None, default=None
            Where to draw (not for ``"forecasts"``, which makes a figure).

        Returns
        -------
        ax_or_fig : matplotlib Axes or Figure
        """
        from .. import plotting  # noqa: PLC0415

        if kind == "leaderboard":
            return plotting.plot_leaderboard(self, dataset=dataset, ax=ax)
        if kind == "datasets":
            return plotting.plot_dataset_scores(self, ax=ax)
        if kind == "cd":
            cd = self.critical_difference
            if cd is None:
                raise ValueError("the critical-difference diagram needs 2 or more data sets.")
            return plotting.plot_critical_difference(cd["ranks"], cd["cd"], ax=ax)
        if kind == "forecasts":
            return plotting.plot_forecasts(self, dataset=dataset)
        raise ValueError(f"kind must be 'leaderboard', 'datasets', 'cd' or 'forecasts'; got {kind!r}.")

    def save(
        self, path: str | Path, *, title: str | None = None, command: str | None = None
    ) -> Path:
        """Write ``report.md`` and its PNG plots into the folder ``path``.

        Parameters
        ----------
        path : str or pathlib.Path
            Folder, created if needed.
        title : str or None, default=None
        command : str or None, default=None
            The command that produced the result, quoted in the report.

        Returns
        -------
        report : pathlib.Path
            The markdown file.
        """
        from ._report import write_report  # noqa: PLC0415

        return write_report({title or f"Comparison ({self.task})": self}, path, command=command)


def _column_order(table: pd.DataFrame, metrics: Iterable[str]) -> list[str]:
    columns = ["baseline", "rank"]
    for metric in metrics:
        columns += [f"{metric}_mean", f"{metric}_std"]
    columns += ["fit_time", "predict_time", "folds_ok", "vs", "wins", "ties", "losses", "p_value",
                "error"]
    return [column for column in columns if column in table.columns]


def combine(results: Iterable["ComparisonResult"]) -> "ComparisonResult":
    """Join comparisons of the same task on different data sets into one result.

    The joined result ranks the models across data sets, with the Friedman
    test and the Nemenyi critical difference (:attr:`ComparisonResult.critical_difference`).

    Parameters
    ----------
    results : list of ComparisonResult
        Same task and metrics; each on its own data sets.

    Returns
    -------
    result : ComparisonResult
    """
    results = list(results)
    if not results:
        raise ValueError("combine needs at least one result.")
    first = results[0]
    names = [name for result in results for name in result.datasets]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"data set names must be unique; repeated: {duplicated}.")
    for result in results[1:]:
        if result.task != first.task or list(result.metrics) != list(first.metrics):
            raise ValueError(
                "combine needs results of one task and metrics; got "
                f"{first.task} {list(first.metrics)} and {result.task} {list(result.metrics)}."
            )
    warnings = pd.concat([r.warnings for r in results], ignore_index=True)
    if len(warnings):
        warnings = (warnings.groupby(["category", "message"], sort=False)
                    .agg(count=("count", "sum"),
                         models=("models", lambda m: ", ".join(sorted(set(", ".join(m).split(", "))))))
                    .reset_index().sort_values("count", ascending=False, kind="stable"))
    return ComparisonResult(
        pd.concat([r.folds for r in results], ignore_index=True),
        task=first.task,
        metrics=first.metrics,
        warnings=warnings.reset_index(drop=True),
        forecasts={k: v for r in results for k, v in r.forecasts.items()},
        series={k: v for r in results for k, v in r.series.items()},
    )
