"""The markdown report of one or more comparisons, with its PNG plots."""

import datetime
import os
import platform
import re
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ._results import ComparisonResult

__all__ = ["environment", "markdown_table", "write_report"]

VERSIONED = ("sklseq", "numpy", "scikit-learn", "torch", "skorch", "statsmodels", "sktime",
             "statsforecast", "joblib", "dask", "distributed", "matplotlib")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub markdown table of a DataFrame, index first, numbers rounded for reading."""
    headers = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join([":---"] + ["---:"] * len(frame.columns)) + "|"]
    for index, row in frame.iterrows():
        cells = [str(index)] + [_cell(value) for value in row]
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}" if abs(float(value)) < 1000 else f"{value:.0f}"
    return str(value)


def environment(command: str | None = None) -> list[str]:
    """Versions, machine, date and command, as markdown lines."""
    versions = []
    for package in VERSIONED:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    lines = [
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- Versions: {', '.join(versions)}",
    ]
    if command:
        lines.append(f"- Command: `{command}`")
    return lines


def headline(result: "ComparisonResult") -> str:
    """The compact leaderboard that opens a report."""
    primary = result.primary
    board = result.leaderboard
    if len(result.datasets) == 1:
        table = pd.DataFrame(index=board.index)
        table[f"{primary} (mean ± sd over {_n_folds(result)} folds)"] = [
            "" if np.isnan(m) else f"{m:.3f} ± {0 if np.isnan(s) else s:.3f}"
            for m, s in zip(board[f"{primary}_mean"], board[f"{primary}_std"])]
        table["rank"] = board["rank"]
    else:
        table = pd.DataFrame(index=board.index)
        used = result.ranked_scores().index
        left_out = [d for d in result.datasets if d not in used]
        label = f"mean rank ({len(used)} data sets"
        label += f"; without {', '.join(left_out)})" if left_out else ")"
        table[label] = board["mean_rank"]
        table[f"mean {primary}"] = board[f"{primary}_mean"]
    table["baseline"] = board["baseline"]
    table["W/T/L vs best baseline"] = [
        "" if pd.isna(w) else f"{w}/{t}/{lo}"
        for w, t, lo in zip(board["wins"], board["ties"], board["losses"])]
    table["p (Wilcoxon)"] = board["p_value"]
    if "fit_time" in board:
        table["fit s/fold"] = board["fit_time"]
        table["note"] = [_short(e) for e in board["error"]]
    else:
        table["failed on"] = board["failed_on"]
    table.index.name = "model"
    return markdown_table(table)


def _n_folds(result: "ComparisonResult") -> int:
    return result.folds["fold"].nunique()


def _short(error: Any, width: int = 90) -> str:
    if error is None or (isinstance(error, float) and np.isnan(error)):
        return ""
    error = " ".join(str(error).split())
    return error if len(error) <= width else error[: width - 3] + "..."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _save(figure_or_ax: Any, path: Path) -> str:
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure = getattr(figure_or_ax, "figure", figure_or_ax)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path.name


def write_report(
    sections: Mapping[str, "ComparisonResult"],
    path: str | Path,
    *,
    title: str = "sklseq comparison",
    command: str | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Write ``report.md`` and the PNGs of each comparison into the folder ``path``.

    Parameters
    ----------
    sections : dict of str to ComparisonResult
        Titled comparisons; their headline leaderboards open the report.
    path : str or pathlib.Path
        Folder of the report; created when missing.
    title : str
        First heading of the report.
    command : str or None
        The command that produced the report, quoted in it.
    notes : sequence of str
        Lines written under the headline (what a quick run shortened, ...).

    Returns
    -------
    report : pathlib.Path
    """
    from ..plotting import _use_agg  # noqa: PLC0415

    _use_agg()
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    head, body = [f"# {title}", ""], []
    for name, result in sections.items():
        slug = _slug(name)
        head += [f"### {name}", "", headline(result), ""]
        cd = result.critical_difference
        if cd is not None:
            head += [
                f"Friedman test over {cd['n_datasets']} data sets and {cd['n_models']} models: "
                f"chi2 = {cd['friedman_chi2']:.2f}, p = {cd['friedman_p']:.3g} (Iman-Davenport "
                f"p = {cd['iman_davenport_p']:.3g}); Nemenyi critical difference at "
                f"alpha = {cd['alpha']}: {cd['cd']:.2f} ranks.", "",
            ]
        body += [f"## {name}", ""]
        images = [(f"{slug}_leaderboard.png", result.plot("leaderboard"))]
        if len(result.datasets) > 1:
            images.append((f"{slug}_datasets.png", result.plot("datasets")))
            if cd is not None:
                images.append((f"{slug}_critical_difference.png", result.plot("cd")))
        if result.task == "forecasting":
            for dataset in result.datasets:
                images.append((f"{slug}_forecasts_{_slug(dataset)}.png",
                               result.plot("forecasts", dataset=dataset)))
        for filename, figure in images:
            body += [f"![{filename[:-4]}]({_save(figure, out / filename)})", ""]
        for dataset in result.datasets:
            board = result.dataset_leaderboard(dataset)
            shown = board.drop(columns=["error"]).copy()
            body += [f"### {dataset}", "", markdown_table(shown), ""]
            errors = board["error"].dropna()
            if len(errors):
                body += ["Errors and n/a:", ""]
                body += [f"- {model}: {_short(error, 300)}" for model, error in errors.items()]
                body.append("")
        if len(result.warnings):
            body += ["Warnings raised during the fits (collected, not printed):", ""]
            warnings = result.warnings.copy()
            warnings["message"] = [_short(m, 140) for m in warnings["message"]]
            body += [markdown_table(warnings.set_index("category")), ""]
    notes = list(notes)
    setup = ["## Setup", "", *environment(command), *(f"- {note}" for note in notes), ""]
    report = out / "report.md"
    report.write_text("\n".join(head + setup + body).rstrip() + "\n")
    return report
