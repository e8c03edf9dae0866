import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.patches import Rectangle
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import RidgeClassifier

from sklseq.model_selection import ExpandingWindowSplitter, compare
from sklseq.plotting import (
    plot_critical_difference,
    plot_dataset_scores,
    plot_forecast,
    plot_forecasts,
    plot_leaderboard,
)
from sklseq.statistical import LastValueRegressor, SeasonalNaiveRegressor


def _panel(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 8))
    return X, (X[:, -1] > 0).astype(int)


@pytest.fixture(scope="module")
def classification():
    models = {"ridge": RidgeClassifier(), "uniform": DummyClassifier(strategy="uniform")}
    data = {f"set{i}": _panel(i) for i in range(3)}
    return compare(models, data, baselines={"majority": DummyClassifier()}, random_state=0)


@pytest.fixture(scope="module")
def forecasting():
    series = pd.Series(np.sin(np.arange(48) * np.pi / 6) + np.arange(48) * 0.1,
                       index=pd.period_range("2001-01", periods=48, freq="M"))
    cv = ExpandingWindowSplitter(horizon=6, step=6, n_splits=2)
    return compare({"seasonal naive": SeasonalNaiveRegressor(seasonal_period=12)}, series, cv=cv,
                   baselines={"last value": LastValueRegressor()}, name="toy")


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0]


def test_leaderboard_bars_one_per_model_with_error_bars(classification):
    ax = plot_leaderboard(classification, dataset="set0")
    bars = _bars(ax)
    assert len(bars) == 3
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == classification.dataset_leaderboard("set0").index[0]  # best at the top
    widths = sorted(round(b.get_width(), 6) for b in bars)
    means = sorted(round(v, 6) for v in classification.dataset_leaderboard("set0")["accuracy_mean"])
    assert widths == means
    errorbars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)][0]
    assert len(errorbars.lines[2][0].get_segments()) == 3  # one spread bar per model


def test_leaderboard_over_data_sets_shows_mean_ranks(classification):
    ax = plot_leaderboard(classification)
    widths = {t.get_text(): b.get_width() for t, b in zip(ax.get_yticklabels(), _bars(ax))}
    assert widths["ridge"] == pytest.approx(classification.leaderboard.loc["ridge", "mean_rank"])
    assert "mean rank" in ax.get_xlabel()


def test_dataset_scores_one_marker_series_per_model(classification):
    ax = plot_dataset_scores(classification)
    assert [line.get_label() for line in ax.lines] == ["ridge", "uniform", "majority (baseline)"]
    assert all(len(line.get_xdata()) == 3 for line in ax.lines)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["set0", "set1", "set2"]


def test_critical_difference_diagram_places_names_cd_bar_and_cliques():
    ranks = pd.Series({"a": 1.2, "b": 1.9, "c": 3.4, "d": 3.5})
    ax = plot_critical_difference(ranks, cd=1.0)
    texts = [t.get_text() for t in ax.texts]
    assert "CD = 1.00" in texts
    assert {"a (1.20)", "b (1.90)", "(3.40) c", "(3.50) d"} <= set(texts)
    cliques = [c for c in ax.collections if c.get_gid() == "clique"]
    assert len(cliques) == 2  # {a, b} and {c, d}; b and c are 1.5 apart
    segments = sorted(tuple(np.round(c.get_segments()[0][:, 0], 2)) for c in cliques)
    assert segments == [(1.17, 1.93), (3.37, 3.53)]


def test_plot_forecast_alone_draws_history_actual_forecast_and_band():
    history = pd.Series(np.arange(24.0), index=pd.date_range("2020-01-01", periods=24, freq="MS"))
    ax = plot_forecast(history, [24.0, 25.0, 26.0], actual=[24.5, 25.0, 27.0],
                       interval=([23.0, 23.5, 24.0], [25.0, 26.5, 28.0]), n_history=12)
    assert [line.get_label() for line in ax.lines] == ["history", "actual", "forecast"]
    assert len(ax.lines[0].get_xdata()) == 12
    assert pd.Timestamp(ax.lines[2].get_xdata()[0]) == pd.Timestamp("2022-01-01")  # dates
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 1
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["history", "actual", "forecast", "prediction interval"]


def test_plot_forecasts_small_multiples_one_panel_per_model(forecasting):
    fig = plot_forecasts(forecasting)
    used = [ax for ax in fig.axes if ax.axison]
    assert len(used) == 2
    titles = [ax.get_title().splitlines()[0] for ax in used]
    assert titles == list(forecasting.leaderboard.index)
    # every panel: history, actual, one line per origin; the last value baseline has a band
    last_value = used[titles.index("last value")]
    assert len(last_value.lines) == 2 + 2
    assert any(isinstance(c, PolyCollection) for c in last_value.collections)


def test_result_plot_dispatches_and_rejects_unknown_kinds(classification):
    assert classification.plot("cd").get_title().startswith("Critical difference")
    with pytest.raises(ValueError, match="kind must be"):
        classification.plot("pie")
