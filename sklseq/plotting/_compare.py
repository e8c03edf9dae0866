"""Plots of a comparison: leaderboard bars, scores per data set, CD diagram, forecasts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..model_selection import ComparisonResult

__all__ = [
    "plot_critical_difference",
    "plot_dataset_scores",
    "plot_forecast",
    "plot_forecasts",
    "plot_leaderboard",
]

SKLSEQ_COLOR = "#1f77b4"
BASELINE_COLOR = "#ff7f0e"


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new figure of ``figsize`` (constrained layout)."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _finish(
    ax: Axes,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    grid: Literal["both", "x", "y"] | None = "both",
    legend: dict[str, Any] | None = None,
) -> Axes:
    """The set-up every plot ends with: labels, title, a light grid, a small legend."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    if grid is not None:
        ax.grid(axis=grid, alpha=0.3)
    if legend is not None:
        ax.legend(**{"fontsize": 8, **legend})
    return ax


def plot_leaderboard(
    result: ComparisonResult,
    dataset: str | None = None,
    metric: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of each model's mean score with its spread over folds.

    For several data sets (and ``dataset=None``) the bars are the mean rank
    across data sets, with the spread of the ranks. Baselines are orange,
    the other models blue; a model that failed or was n/a is named with the
    reason instead of a bar.

    Parameters
    ----------
    result : ComparisonResult
        What :func:`sklseq.model_selection.compare` returned.
    dataset : str or None, default=None
        Data set to show; all of them (mean ranks) when None.
    metric : str or None, default=None
        Metric to show; the ranking metric when None.
        ``None`` is the result's first metric.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes
    """
    metric = metric or result.primary
    greater = result.metrics[metric][1]
    if dataset is None and len(result.datasets) > 1:
        scores = result.ranked_scores(metric)
        ranks = scores.rank(axis=1, ascending=not greater, method="average")
        centre, spread = ranks.mean(axis=0), ranks.std(axis=0, ddof=1)
        failed = [m for m in result.scores(metric).columns if m not in scores.columns]
        reasons = dict.fromkeys(failed, "failed or n/a on most data sets")
        xlabel = f"mean rank over {len(scores.index)} data sets (lower is better; bar: ±1 sd)"
        better_low = True
        title = f"{result.task}: mean rank on {metric}"
    else:
        dataset = dataset or result.datasets[0]
        board = result.dataset_leaderboard(dataset)
        complete = board["error"].isna()
        centre = board.loc[complete, f"{metric}_mean"]
        spread = board.loc[complete, f"{metric}_std"].fillna(0)
        reasons = {m: str(e) for m, e in board.loc[~complete, "error"].items()}
        arrow = "higher" if greater else "lower"
        xlabel = f"{metric}: mean over folds ({arrow} is better; bar: ±1 sd)"
        better_low = not greater
        title = f"{dataset}: {metric}"
    order = centre.sort_values(ascending=better_low).index.tolist()
    baselines = set(result.folds.loc[result.folds["baseline"], "model"])
    labels = order + list(reasons)
    ax = _axes(ax, (8, 0.45 * len(labels) + 1.2))
    positions = np.arange(len(labels))[::-1]
    values = centre[order].to_numpy()
    colors = [BASELINE_COLOR if m in baselines else SKLSEQ_COLOR for m in order]
    ax.barh(positions[: len(order)], values, xerr=spread[order].to_numpy(), color=colors,
            alpha=0.85, error_kw={"ecolor": "black", "capsize": 3, "elinewidth": 1})
    for position, value in zip(positions, values):
        ax.text(0, position, f" {value:.3g}", va="center", ha="left", fontsize=8, color="white",
                fontweight="bold")
    for position, reason in zip(positions[len(order):], reasons.values()):
        ax.text(0, position, f" {reason[:70]}", va="center", ha="left", fontsize=8, color="0.4",
                style="italic")
    ax.set_yticks(positions, labels)
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles = [Patch(color=SKLSEQ_COLOR, label="sklseq / yours"),
               Patch(color=BASELINE_COLOR, label="baseline")]
    return _finish(ax, title=title, xlabel=xlabel, grid="x",
                   legend={"handles": handles, "loc": "upper left", "bbox_to_anchor": (1.01, 1)})


def plot_dataset_scores(
    result: ComparisonResult, metric: str | None = None, ax: Axes | None = None
) -> Axes:
    """Each model's mean score on each data set: one column of markers per data set.

    Parameters
    ----------
    result : ComparisonResult
        What :func:`sklseq.model_selection.compare` returned.
    metric : str or None, default=None
        Metric to show; the ranking metric when None.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes
    """
    metric = metric or result.primary
    scores = result.scores(metric)
    baselines = set(result.folds.loc[result.folds["baseline"], "model"])
    ax = _axes(ax, (max(6, 1.3 * len(scores.index) + 3), 4.5))
    x = np.arange(len(scores.index))
    markers = "osD^vP*Xh<>"
    offsets = np.linspace(-0.25, 0.25, len(scores.columns)) if len(scores.columns) > 1 else [0]
    for i, model in enumerate(scores.columns):
        is_baseline = model in baselines
        ax.plot(x + offsets[i], scores[model].to_numpy(), linestyle="none",
                marker=markers[i % len(markers)], markersize=7,
                markerfacecolor="none" if is_baseline else None,
                label=f"{model}" + (" (baseline)" if is_baseline else ""))
    ax.set_xticks(x, scores.index, rotation=20, ha="right")
    better = "higher" if result.metrics[metric][1] else "lower"
    return _finish(ax, title=f"{metric} per data set ({better} is better; hollow markers: "
                   "baselines)", ylabel=f"{metric} (mean over folds)", grid="y",
                   legend={"loc": "center left", "bbox_to_anchor": (1.01, 0.5)})


def plot_critical_difference(
    ranks: pd.Series | dict[str, float], cd: float, ax: Axes | None = None
) -> Axes:
    """Critical-difference diagram (Demšar 2006): average ranks, CD bar, cliques.

    Models are placed on a rank axis (1 = best, on the left); the bar at the
    top left has the length of the critical difference; a thick line joins
    models whose ranks differ by less than it (not significantly different
    under the Nemenyi test).

    Parameters
    ----------
    ranks : pandas.Series
        Average rank per model.
    cd : float
        Critical difference.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes
    """
    from ..model_selection._stats import nemenyi_groups  # noqa: PLC0415

    ranks = pd.Series(ranks).sort_values()
    k = len(ranks)
    half = (k + 1) // 2
    ax = _axes(ax, (8, 1.6 + 0.32 * half + 0.25 * len(nemenyi_groups(ranks, cd))))
    low, high = 1, max(k, 2)
    ax.set_xlim(low - 0.5, high + 0.5)
    ax.hlines(0, low, high, color="black", linewidth=1)
    for r in range(low, high + 1):
        ax.vlines(r, 0, 0.08, color="black", linewidth=1)
        ax.text(r, 0.12, str(r), ha="center", va="bottom", fontsize=9)
    ax.hlines(0.45, low, low + cd, color="black", linewidth=2)
    ax.vlines([low, low + cd], 0.4, 0.5, color="black", linewidth=1)
    ax.text(low + cd / 2, 0.52, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=9)
    groups = nemenyi_groups(ranks, cd)
    for i, (first, last) in enumerate(groups):
        y = -0.15 - 0.12 * i
        ax.hlines(y, ranks.iloc[first] - 0.03, ranks.iloc[last] + 0.03, color="black",
                  linewidth=4, gid="clique")
    top = -0.25 - 0.12 * len(groups)
    for i, (model, rank) in enumerate(ranks.items()):
        left = i < half
        row = i if left else k - 1 - i
        y = top - 0.3 * row
        x_text = low - 0.4 if left else high + 0.4
        ax.plot([rank, rank, x_text], [0, y, y], color="0.3", linewidth=0.8)
        ax.text(x_text, y, f"{model} ({rank:.2f})" if left else f"({rank:.2f}) {model}",
                ha="right" if left else "left", va="center", fontsize=9)
    ax.set_ylim(top - 0.3 * half - 0.1, 0.8)
    ax.axis("off")
    ax.set_title("Critical difference (Nemenyi, average ranks; connected: not significantly "
                 "different)", fontsize=10)
    return ax


def _as_time(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    return index


def plot_forecast(
    history: pd.Series | ArrayLike,
    forecast: pd.Series | Sequence[float] | NDArray[Any],
    *,
    actual: pd.Series | ArrayLike | None = None,
    interval: tuple[ArrayLike, ArrayLike] | None = None,
    n_history: int | None = None,
    label: str = "forecast",
    ax: Axes | None = None,
) -> Axes:
    """One forecast after its history, with the actual values and a prediction interval.

    Parameters
    ----------
    history : pandas Series or array-like of shape (n_timesteps,)
        The series up to the forecast origin; a date or period index puts dates
        on the axis.
    forecast : pandas Series or array-like of shape (horizon,)
        An array continues the history's positions (its index for pandas input
        only when ``forecast`` is a Series).
    actual : pandas Series or array-like of shape (horizon,), default=None
        What happened, drawn in black.
    interval : (lower, upper) or None, default=None
        Prediction interval, drawn as a band (legend: "prediction interval").
    n_history : int or None, default=None
        Show only the last ``n_history`` steps of the history.
    label : str, default="forecast"
        Legend entry of the forecast line.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.plotting import plot_forecast
    >>> ax = plot_forecast(np.arange(10.0), [10.0, 11.0], interval=([9.0, 9.5], [11.0, 12.5]))
    >>> len(ax.lines), len(ax.collections)
    (2, 1)
    """
    ax = _axes(ax, (8, 3.5))
    if not isinstance(history, pd.Series):
        history = pd.Series(np.asarray(history, dtype=float))
    if n_history is not None:
        history = history.iloc[-n_history:]
    horizon = len(forecast)
    if isinstance(forecast, pd.Series):
        future = forecast.index
    else:
        from ..forecasting._strategies import _future_index  # noqa: PLC0415

        future = _future_index(history.index, horizon)
    future = _as_time(future)
    forecast = np.asarray(forecast, dtype=float)
    ax.plot(_as_time(history.index), history.to_numpy(dtype=float), color="0.35", linewidth=1.2,
            label="history")
    if actual is not None:
        ax.plot(future, np.asarray(actual, dtype=float), color="black", linewidth=1.5,
                marker=".", label="actual")
    line, = ax.plot(future, forecast, color=SKLSEQ_COLOR, linewidth=1.8, label=label)
    if interval is not None:
        lower, upper = (np.asarray(bound, dtype=float) for bound in interval)
        ax.fill_between(future, lower, upper, color=line.get_color(), alpha=0.2,
                        label="prediction interval")
    return _finish(ax, legend={"loc": "upper left"})


def plot_forecasts(
    result: ComparisonResult,
    dataset: str | None = None,
    n_history: int | None = None,
    ncols: int = 3,
) -> Figure:
    """Small multiples: each model's forecasts at every origin, with the history.

    Each panel shows the series (grey), the actual values over the test
    origins (black), the model's forecast from every origin (thin lines; the
    last one thick with its 90% interval where the model gives one), and the
    model's first metric in the title. Panels share the y axis.

    Parameters
    ----------
    result : ComparisonResult
        A forecasting comparison.
    dataset : str or None, default=None
        Data set to show; the first one when None.
    n_history : int or None, default=None
        Steps of history before the first origin; ``None``: as many as the test span.
    ncols : int, default=3
        Panels per row.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    if result.task != "forecasting":
        raise ValueError(f"plot_forecasts needs a forecasting comparison; this one is {result.task}.")
    dataset = dataset or result.datasets[0]
    series = result.series[dataset]
    if not isinstance(series, pd.Series):
        series = pd.Series(np.asarray(series, dtype=float))
    board = result.dataset_leaderboard(dataset)
    forecasts = result.forecasts[dataset]
    models = [m for m in board.index if m in forecasts]
    nrows = max(1, -(-len(models) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.8 * nrows), sharey=True,
                             squeeze=False, layout="constrained")
    first = min(int(f["positions"][0]) for folds in forecasts.values() for f in folds)
    span = len(series) - first
    start = max(0, first - (n_history or max(span, 12)))
    times = _as_time(series.index)
    metric = result.primary
    for ax, model in zip(axes.flat, models):
        ax.plot(times[start:first + 1], series.to_numpy()[start:first + 1], color="0.55",
                linewidth=1)
        ax.plot(times[first:], series.to_numpy()[first:], color="black", linewidth=1.2,
                label="actual")
        folds = forecasts[model]
        color = BASELINE_COLOR if board.loc[model, "baseline"] else SKLSEQ_COLOR
        for fold in folds[:-1]:
            ax.plot(times[fold["positions"]], fold["mean"], color=color, linewidth=0.9, alpha=0.6)
        last = folds[-1]
        ax.plot(times[last["positions"]], last["mean"], color=color, linewidth=2, label="forecast")
        if "lower" in last:
            ax.fill_between(times[last["positions"]], last["lower"], last["upper"], color=color,
                            alpha=0.2, label="90% interval")
        score = board.loc[model, f"{metric}_mean"]
        ax.set_title(f"{model}\n{metric} {score:.3g}", fontsize=9)
        ax.tick_params(axis="x", labelsize=7, rotation=30)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(models):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"{dataset}: forecasts at {len(next(iter(forecasts.values())))} origins "
                 "(thin: earlier origins; thick + band: last origin, 90% interval)", fontsize=10)
    return fig
