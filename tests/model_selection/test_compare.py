import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sklseq.forecasting import DirectRegressor
from sklseq.model_selection import ExpandingWindowSplitter, combine, compare
from sklseq.preprocessing import FFTFeatures
from sklseq.statistical import LastValueRegressor

LEADERBOARD_COLUMNS = [
    "baseline", "rank", "accuracy_mean", "accuracy_std", "balanced_accuracy_mean",
    "balanced_accuracy_std", "fit_time", "predict_time", "folds_ok", "vs", "wins", "ties",
    "losses", "p_value", "error",
]


def _panel(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 12))
    y = (X[:, -4:].mean(axis=1) > 0).astype(int)
    return X, y


def _models():
    return {
        "ridge": RidgeClassifier(),
        "tuned logistic": GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3),
        "random": DummyClassifier(strategy="stratified"),
    }


def _without_times(result):
    return result.folds.drop(columns=["fit_time", "predict_time"])


def test_leaderboard_has_the_documented_columns():
    X, y = _panel()
    result = compare(_models(), X, y, baselines={"majority": DummyClassifier()}, random_state=0)
    board = result.leaderboard
    assert list(board.columns) == LEADERBOARD_COLUMNS
    assert set(board.index) == {"ridge", "tuned logistic", "random", "majority"}
    assert board.loc["majority", "baseline"] and not board.loc["ridge", "baseline"]
    assert board["rank"].tolist() == sorted(board["rank"].tolist())
    # every fold scored, and the paired comparison is against the only baseline
    assert (board["folds_ok"] == "5/5").all()
    assert board.loc["ridge", "vs"] == "majority"
    assert board.loc["ridge", ["wins", "ties", "losses"]].sum() == 5
    # the majority class predicted on each stratified fold: its accuracy is the class share
    share = max(np.mean(y), 1 - np.mean(y))
    assert board.loc["majority", "accuracy_mean"] == pytest.approx(share, abs=0.02)


def test_same_random_state_same_folds_and_scores():
    X, y = _panel()
    first = compare(_models(), X, y, baselines=None, random_state=3)
    second = compare(_models(), X, y, baselines=None, random_state=3)
    pd.testing.assert_frame_equal(_without_times(first), _without_times(second))


def test_n_jobs_2_gives_the_local_results():
    X, y = _panel()
    local = compare(_models(), X, y, baselines=None, random_state=0)
    parallel = compare(_models(), X, y, baselines=None, random_state=0, n_jobs=2)
    pd.testing.assert_frame_equal(_without_times(local), _without_times(parallel))


def test_dask_local_cluster_gives_the_local_results():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    X, y = _panel()
    local = compare(_models(), X, y, baselines=None, random_state=0)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = compare(_models(), X, y, baselines=None, random_state=0, backend=cluster)
        assert len(cluster.workers) == 2
    pd.testing.assert_frame_equal(_without_times(local), _without_times(remote))


class _FailsOnMarkedRow(ClassifierMixin, BaseEstimator):
    """Predicts class 0, but raises when a row marked with 999 is to be predicted."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        if np.any(np.asarray(X) == 999):
            raise RuntimeError("row 0 is cursed")
        return np.zeros(len(X), dtype=int)


def test_a_model_failing_on_one_fold_is_reported_and_the_rest_goes_on():
    X, y = _panel()
    X[0, 0] = 999
    result = compare({"fragile": _FailsOnMarkedRow(), "ridge": RidgeClassifier()}, X, y,
                     baselines={"majority": DummyClassifier()}, random_state=0)
    board = result.leaderboard
    assert board.loc["fragile", "folds_ok"] == "4/5"
    assert board.loc["fragile", "error"] == "RuntimeError: row 0 is cursed"
    assert np.isnan(board.loc["fragile", "rank"])  # ranked only when every fold ran
    assert board.loc["ridge", "folds_ok"] == "5/5"
    assert board.loc["ridge", "rank"] == 1
    failed = result.folds[result.folds["error"].notna()]
    assert failed["model"].tolist() == ["fragile"]


def test_a_baseline_that_cannot_take_unequal_lengths_is_marked_na():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=n) + (i % 2) for i, n in enumerate(rng.integers(10, 20, size=40))]
    y = np.arange(40) % 2
    sequence_model = make_pipeline(FFTFeatures(n_coefs=4, n_fft=32), LogisticRegression())
    result = compare({"fft + logistic": sequence_model}, X, y,
                     baselines={"knn": KNeighborsClassifier()}, random_state=0)
    board = result.leaderboard
    assert board.loc["knn", "error"].startswith("n/a: KNeighborsClassifier needs fixed-length")
    assert board.loc["knn", "folds_ok"] == "0/5"
    assert board.loc["fft + logistic", "folds_ok"] == "5/5"
    assert board.loc["fft + logistic", "accuracy_mean"] > 0.9


def test_forecasting_scores_match_a_hand_calculation():
    series = pd.Series(np.arange(20.0), index=pd.period_range("2000-01", periods=20, freq="M"))
    cv = ExpandingWindowSplitter(horizon=2, step=2, initial_window=14)
    result = compare({"direct linear": DirectRegressor()}, series, cv=cv,
                     baselines={"last value": LastValueRegressor()}, window_size=4)
    board = result.leaderboard
    # the last value misses a straight line by 1 then 2 steps: MAE 1.5, RMSE sqrt(2.5)
    assert board.loc["last value", "mae_mean"] == pytest.approx(1.5)
    assert board.loc["last value", "rmse_mean"] == pytest.approx(np.sqrt(2.5))
    assert board.loc["direct linear", "mae_mean"] == pytest.approx(0.0, abs=1e-8)
    assert board.loc["direct linear", ["wins", "ties", "losses"]].tolist() == [3, 0, 0]
    forecasts = result.forecasts["data"]["last value"]
    assert [f["positions"].tolist() for f in forecasts] == [[14, 15], [16, 17], [18, 19]]
    np.testing.assert_allclose(forecasts[0]["mean"], [13.0, 13.0])
    assert forecasts[0]["lower"][1] < 13.0 < forecasts[0]["upper"][1]


def test_several_data_sets_rank_models_across_them():
    data = {f"set{i}": _panel(seed=i) for i in range(3)}
    models = {"ridge": RidgeClassifier(), "random": DummyClassifier(strategy="uniform")}
    result = compare(models, data, baselines={"majority": DummyClassifier()}, random_state=0)
    board = result.leaderboard
    assert list(board.columns[:3]) == ["baseline", "mean_rank", "accuracy_mean"]
    assert {"set0", "set1", "set2", "wins", "ties", "losses", "p_value"} <= set(board.columns)
    assert board.index[0] == "ridge" and board.loc["ridge", "mean_rank"] == 1.0
    cd = result.critical_difference
    assert cd["n_datasets"] == 3 and cd["n_models"] == 3
    assert set(result.dataset_leaderboard("set1").index) == {"ridge", "random", "majority"}


def test_combine_refuses_mixed_tasks_and_repeated_names():
    X, y = _panel()
    one = compare({"ridge": RidgeClassifier()}, X, y, baselines=None, random_state=0)
    with pytest.raises(ValueError, match="repeated"):
        combine([one, one])
    series = compare({"last": LastValueRegressor()}, np.arange(30.0), baselines=None, name="s")
    with pytest.raises(ValueError, match="one task"):
        combine([one, series])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"task": "clustering"}, ValueError, "task must be one of"),
        ({"scoring": "accuracy_typo"}, ValueError, "unknown scoring"),
        ({"scoring": {"mine": len}}, TypeError, "greater_is_better"),
        ({"baselines": "aeon"}, ValueError, "baselines must be"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    X, y = _panel()
    with pytest.raises(error, match=match):
        compare({"ridge": RidgeClassifier()}, X, y, **kwargs)


def test_names_shared_by_models_and_baselines_are_refused():
    X, y = _panel()
    with pytest.raises(ValueError, match="share the names"):
        compare({"a": RidgeClassifier()}, X, y, baselines={"a": DummyClassifier()})


def test_warnings_are_collected_not_printed(recwarn):
    class Noisy(DummyClassifier):
        def fit(self, X, y):
            import warnings

            warnings.warn("noisy fit", UserWarning, stacklevel=1)
            return super().fit(X, y)

    X, y = _panel()
    result = compare({"noisy": Noisy()}, X, y, baselines=None, random_state=0)
    assert result.warnings.loc[0, "message"] == "noisy fit"
    assert result.warnings.loc[0, "count"] == 5
    assert not [w for w in recwarn if "noisy" in str(w.message)]


def test_sktime_baselines_without_unequal_length_support_are_marked_na():
    pytest.importorskip("sktime", reason="the sktime baselines need sktime (bench extra)")
    from sklseq.model_selection import sktime_baselines

    rng = np.random.default_rng(0)
    X = [rng.normal(size=n) for n in rng.integers(10, 20, size=20)]
    y = np.arange(20) % 2
    baselines = sktime_baselines("classification", minirocket_kernels=84)
    result = compare({"fft + logistic": make_pipeline(FFTFeatures(n_fft=32), LogisticRegression())},
                     X, y, baselines=baselines, cv=2, random_state=0)
    board = result.leaderboard
    for name in baselines:
        assert board.loc[name, "error"].startswith("n/a: sktime's ")
        assert "capability:unequal_length is False" in board.loc[name, "error"]
    assert board.loc["fft + logistic", "folds_ok"] == "2/2"


def test_a_model_failing_on_one_data_set_is_still_ranked_on_the_others():
    data = {f"set{i}": _panel(seed=i) for i in range(3)}
    data["set1"][0][0, 0] = 999  # _FailsOnMarkedRow fails on set1 only
    models = {"fragile": _FailsOnMarkedRow(), "ridge": RidgeClassifier()}
    result = compare(models, data, baselines={"majority": DummyClassifier()}, random_state=0)
    assert result.ranked_scores().index.tolist() == ["set0", "set2"]
    board = result.leaderboard
    assert board.loc["fragile", "failed_on"] == "set1"
    assert not np.isnan(board.loc["fragile", "mean_rank"])
    assert result.critical_difference["n_datasets"] == 2
