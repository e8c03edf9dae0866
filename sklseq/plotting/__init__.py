"""Plots of comparisons, forecasts and neural estimators (needs matplotlib: ``sklseq[plot]``).

Every function draws on ``ax`` when given (a new figure otherwise) and returns
the matplotlib Axes, or the Figure for small multiples.
"""

from ._compare import (
    plot_critical_difference,
    plot_dataset_scores,
    plot_forecast,
    plot_forecasts,
    plot_leaderboard,
)
from ._neural import plot_attention, plot_ctc_posteriors, plot_learning_curve


def _use_agg() -> None:
    """Draw off-screen unless pyplot already runs with another backend (e.g. a notebook)."""
    import sys  # noqa: PLC0415

    import matplotlib  # noqa: PLC0415

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")


__all__ = [
    "plot_attention",
    "plot_critical_difference",
    "plot_ctc_posteriors",
    "plot_dataset_scores",
    "plot_forecast",
    "plot_forecasts",
    "plot_leaderboard",
    "plot_learning_curve",
]
