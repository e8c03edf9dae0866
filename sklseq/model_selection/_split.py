"""Rolling-origin splitters: one long series, a panel of windows, a panel of series.

A splitter here yields ``(train, test)`` index arrays over time-ordered positions,
as sklearn's splitters do, so it plugs into ``cross_validate``, ``GridSearchCV``
and :func:`~sklseq.model_selection.compare`. The positions are the time steps of
one series, or the rows of :func:`~sklseq.forecasting.make_windows` (oldest
first), or the rows of several series told apart by ``groups``.
"""

from collections.abc import Iterator
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples

__all__ = ["ExpandingWindowSplitter", "PanelSplitter", "SlidingWindowSplitter"]


class _RollingOriginSplitter(BaseCrossValidator):
    """Origins ``initial_window, initial_window + step, ...``; test = the next ``horizon``."""

    def __init__(
        self,
        horizon: int = 1,
        step: int = 1,
        initial_window: int | None = None,
        gap: int = 0,
        n_splits: int | None = None,
    ) -> None:
        self.horizon = horizon
        self.step = step
        self.initial_window = initial_window
        self.gap = gap
        self.n_splits = n_splits

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp]]]:
        """Training and test positions at each forecast origin, oldest origin first.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...) or list of sequences
            Time-ordered positions: the steps of one series or its windows.
        y, groups : ignored
            Present for sklearn's splitter interface.

        Yields
        ------
        train : ndarray of int
            Positions before the origin (less ``gap``).
        test : ndarray of int
            The ``horizon`` positions from the origin on.
        """
        X, y = indexable(X, y)
        n_samples = _num_samples(X)
        initial, origins = self._origins(n_samples)
        for origin in origins:
            yield self._train(origin, initial), np.arange(origin, origin + self.horizon)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of origins for ``X`` (its length is needed).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        y, groups : ignored

        Returns
        -------
        n_splits : int
        """
        if X is None:
            if self.n_splits is None:
                raise ValueError(
                    f"{type(self).__name__} needs X to count its splits when n_splits=None."
                )
            return self.n_splits
        return len(self._origins(_num_samples(X))[1])

    def _iter_test_indices(
        self, X: Any = None, y: Any = None, groups: Any = None
    ) -> Iterator[NDArray[np.intp]]:  # BaseCrossValidator's hook
        for _, test in self.split(X, y, groups):
            yield test

    def _origins(self, n_samples: int) -> tuple[int, NDArray[np.intp]]:
        self._check_params()
        initial = self.initial_window if self.initial_window is not None else n_samples // 2
        last = n_samples - self.horizon
        if initial < 1 + self.gap or initial > last:
            raise ValueError(
                f"{type(self).__name__}: {n_samples} positions leave no origin for "
                f"initial_window={initial}, horizon={self.horizon} and gap={self.gap}; "
                "give a longer series or a smaller initial_window / horizon."
            )
        origins = np.arange(initial, last + 1, self.step)
        if self.n_splits is not None:
            origins = origins[-self.n_splits :]
        return initial, origins

    def _check_params(self) -> None:
        for name, low in (("horizon", 1), ("step", 1), ("gap", 0)):
            _check_int(getattr(self, name), name, low)
        if self.initial_window is not None:
            _check_int(self.initial_window, "initial_window", 1)
        if self.n_splits is not None:
            _check_int(self.n_splits, "n_splits", 1)

    def __repr__(self) -> str:
        params = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in ("horizon", "step", "initial_window", "gap", "n_splits")
        )
        return f"{type(self).__name__}({params})"


class ExpandingWindowSplitter(_RollingOriginSplitter):
    """Rolling origin with an expanding window: train on everything before the origin.

    Origins start at ``initial_window`` and move ``step`` positions at a time
    while ``horizon`` positions remain after them; the test set is the
    ``horizon`` positions from the origin on.

    Parameters
    ----------
    horizon : int, default=1
        Test positions after each origin (the forecast horizon).
    step : int, default=1
        Positions between consecutive origins.
    initial_window : int or None, default=None
        The first origin, i.e. the smallest training set; ``None`` means half
        of the positions.
    gap : int, default=0
        Positions left out just before each origin. On windows with ``h``-step
        targets (:func:`~sklseq.forecasting.make_windows` with ``horizon=h``),
        ``gap=h - 1`` keeps every training target before the first test target.
    n_splits : int or None, default=None
        Keep only the last ``n_splits`` origins; ``None`` keeps all.

    Examples
    --------
    >>> from sklseq.model_selection import ExpandingWindowSplitter
    >>> cv = ExpandingWindowSplitter(horizon=2, step=2, initial_window=4)
    >>> for train, test in cv.split(range(9)):
    ...     print(train, test)
    [0 1 2 3] [4 5]
    [0 1 2 3 4 5] [6 7]
    """

    def _train(self, origin: int, initial: int) -> NDArray[np.intp]:
        return np.arange(0, origin - self.gap)


class SlidingWindowSplitter(_RollingOriginSplitter):
    """Rolling origin with a sliding window: train on the ``initial_window`` positions before it.

    Parameters
    ----------
    horizon : int, default=1
        Test positions after each origin.
    step : int, default=1
        Positions between consecutive origins.
    initial_window : int or None, default=None
        Length of every training window, which is also the first origin;
        ``None`` means half of the positions.
    gap : int, default=0
        Positions left out just before each origin (see
        :class:`ExpandingWindowSplitter`).
    n_splits : int or None, default=None
        Keep only the last ``n_splits`` origins; ``None`` keeps all.

    Examples
    --------
    >>> from sklseq.model_selection import SlidingWindowSplitter
    >>> cv = SlidingWindowSplitter(horizon=1, step=2, initial_window=3)
    >>> for train, test in cv.split(range(7)):
    ...     print(train, test)
    [0 1 2] [3]
    [2 3 4] [5]
    """

    def _train(self, origin: int, initial: int) -> NDArray[np.intp]:
        return np.arange(max(0, origin - self.gap - initial), origin - self.gap)


class PanelSplitter(BaseCrossValidator):
    """A rolling-origin splitter applied within each series of a panel.

    Rows belong to series told apart by ``groups`` and are in time order within
    each series. Series are aligned on their last origin: the last fold joins
    the last split of every series, the fold before it the split before, and
    a series with fewer origins than another joins at the later folds only.

    Parameters
    ----------
    cv : ExpandingWindowSplitter or SlidingWindowSplitter
        The splitter run on each series' rows.

    Examples
    --------
    >>> from sklseq.model_selection import ExpandingWindowSplitter, PanelSplitter
    >>> groups = ["a", "a", "a", "a", "b", "b", "b"]
    >>> cv = PanelSplitter(ExpandingWindowSplitter(horizon=1, initial_window=2))
    >>> for train, test in cv.split(range(7), groups=groups):
    ...     print(train, test)
    [0 1] [2]
    [0 1 2 4 5] [3 6]
    """

    def __init__(self, cv: BaseCrossValidator) -> None:
        self.cv = cv

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp]]]:
        """Training and test rows of every series at each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...) or list of sequences
        y : ignored
        groups : array-like of shape (n_samples,)
            The series each row belongs to; required.

        Yields
        ------
        train, test : ndarray of int
        """
        per_series = self._per_series(X, groups)
        n_folds = max(len(splits) for _, splits in per_series)
        for fold in range(n_folds):
            train, test = [], []
            for rows, splits in per_series:
                k = fold - (n_folds - len(splits))  # align every series on its last origin
                if k >= 0:
                    train.append(rows[splits[k][0]])
                    test.append(rows[splits[k][1]])
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of folds: the most origins of any series.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        y : ignored
        groups : array-like of shape (n_samples,)

        Returns
        -------
        n_splits : int
        """
        return max(len(splits) for _, splits in self._per_series(X, groups))

    def _iter_test_indices(
        self, X: Any = None, y: Any = None, groups: Any = None
    ) -> Iterator[NDArray[np.intp]]:
        for _, test in self.split(X, y, groups):
            yield test

    def _per_series(
        self, X: Any, groups: Any
    ) -> list[tuple[NDArray[np.intp], list[tuple[NDArray[np.intp], NDArray[np.intp]]]]]:
        if groups is None:
            raise ValueError("PanelSplitter needs groups: the series each row belongs to.")
        groups = np.asarray(groups)
        n_samples = _num_samples(X)
        if len(groups) != n_samples:
            raise ValueError(f"groups has {len(groups)} entries but X has {n_samples} rows.")
        _, first = np.unique(groups, return_index=True)
        per_series = []
        for label in groups[np.sort(first)]:
            rows = np.flatnonzero(groups == label)
            per_series.append((rows, list(self.cv.split(rows))))
        return per_series

    def __repr__(self) -> str:
        return f"PanelSplitter(cv={self.cv!r})"


def _check_int(value: Any, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
