import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_validate

from sklseq.forecasting import make_windows
from sklseq.model_selection import (
    ExpandingWindowSplitter,
    PanelSplitter,
    SlidingWindowSplitter,
)
from sklseq.statistical import LastValueRegressor


def _lists(cv, n, groups=None):
    return [(list(tr), list(te)) for tr, te in cv.split(np.zeros(n), groups=groups)]


def test_expanding_matches_hand_worked_indices():
    cv = ExpandingWindowSplitter(horizon=2, step=3, initial_window=3)
    # n = 10: origins 3, 6 (origin 9 leaves one position < horizon)
    assert _lists(cv, 10) == [([0, 1, 2], [3, 4]), ([0, 1, 2, 3, 4, 5], [6, 7])]
    assert cv.get_n_splits(np.zeros(10)) == 2


def test_sliding_matches_hand_worked_indices():
    cv = SlidingWindowSplitter(horizon=1, step=1, initial_window=3)
    assert _lists(cv, 6) == [([0, 1, 2], [3]), ([1, 2, 3], [4]), ([2, 3, 4], [5])]


def test_gap_and_n_splits():
    cv = ExpandingWindowSplitter(horizon=2, initial_window=3, gap=1, n_splits=2)
    # origins 3..6 for n = 8; the last two are 5, 6; one position left out before each
    assert _lists(cv, 8) == [([0, 1, 2, 3], [5, 6]), ([0, 1, 2, 3, 4], [6, 7])]
    sliding = SlidingWindowSplitter(horizon=1, initial_window=2, gap=1)
    assert _lists(sliding, 5) == [([0], [2]), ([0, 1], [3]), ([1, 2], [4])]


def test_default_initial_window_is_half():
    assert _lists(ExpandingWindowSplitter(horizon=2, step=2), 8) == [
        ([0, 1, 2, 3], [4, 5]),
        ([0, 1, 2, 3, 4, 5], [6, 7]),
    ]


def test_panel_splitter_aligns_series_on_their_last_origin():
    groups = ["a"] * 5 + ["b"] * 4
    cv = PanelSplitter(ExpandingWindowSplitter(horizon=1, initial_window=3))
    # a: rows 0-4, origins 3, 4; b: rows 5-8, origin 3 -> row 8
    assert _lists(cv, 9, groups) == [
        ([0, 1, 2], [3]),
        ([0, 1, 2, 3, 5, 6, 7], [4, 8]),
    ]
    assert cv.get_n_splits(np.zeros(9), groups=groups) == 2


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"horizon": 0}, "horizon must be an integer >= 1"),
        ({"step": 1.5}, "step must be an integer"),
        ({"initial_window": 9}, "leave no origin"),
    ],
)
def test_bad_parameters_name_themselves(params, match):
    with pytest.raises(ValueError, match=match):
        list(ExpandingWindowSplitter(**params).split(np.zeros(9)))


def test_panel_splitter_needs_groups():
    with pytest.raises(ValueError, match="needs groups"):
        list(PanelSplitter(ExpandingWindowSplitter()).split(np.zeros(6)))


def test_grid_search_on_windows_tunes_on_training_folds_only():
    rng = np.random.default_rng(0)
    series = np.cumsum(rng.normal(size=80))
    X, y = make_windows(series, window_size=4, horizon=3)
    cv = ExpandingWindowSplitter(horizon=3, step=3, initial_window=40, gap=2)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=cv).fit(X[:60], y[:60])
    # every inner training fold ends before its test block starts
    for train, test in cv.split(X[:60]):
        assert train.max() + 2 < test.min()
    assert search.best_params_["alpha"] in (0.1, 10.0)


def test_cross_validate_with_a_statistical_forecaster_on_windows():
    X, y = make_windows(np.arange(30.0), window_size=5, horizon=2)
    cv = SlidingWindowSplitter(horizon=2, step=4, initial_window=10, gap=1)
    scores = cross_validate(LastValueRegressor(), X, y, cv=cv, scoring="neg_mean_absolute_error")
    # the last value of each window misses the next two steps by 1 and 2: MAE 1.5
    np.testing.assert_allclose(scores["test_score"], -1.5)
    assert len(scores["test_score"]) == cv.get_n_splits(X)
