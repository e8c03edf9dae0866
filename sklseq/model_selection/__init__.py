"""Rolling-origin splitters and the comparison of models against baselines.

:class:`ExpandingWindowSplitter`, :class:`SlidingWindowSplitter` and
:class:`PanelSplitter` split time-ordered data for sklearn's ``cross_validate``
and ``GridSearchCV``; :func:`compare` runs models and sktime baselines on the
same splits and returns a :class:`ComparisonResult` with a leaderboard, plots
and a markdown report.
"""

from ._compare import compare, sktime_baselines
from ._report import write_report
from ._results import ComparisonResult, combine
from ._split import ExpandingWindowSplitter, PanelSplitter, SlidingWindowSplitter

__all__ = [
    "ComparisonResult",
    "combine",
    "compare",
    "sktime_baselines",
    "write_report",
    "ExpandingWindowSplitter",
    "PanelSplitter",
    "SlidingWindowSplitter",
]
