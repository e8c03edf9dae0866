import os
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklseq.interop import as_sktime

pytest.importorskip("sktime")
pytest.importorskip("statsmodels")


def test_evaluate_equals_sklseq_rolling_origin():
    from sktime.datasets import load_airline
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.forecasting.model_selection import ExpandingWindowSplitter

    from sklseq.statistical import ARIMARegressor

    y = load_airline()
    fh = [1, 2, 3]
    cv = ExpandingWindowSplitter(initial_window=132, step_length=6, fh=fh)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # no remember_data flood
        results = evaluate(as_sktime(ARIMARegressor(order="auto")), cv, y=y)
    # sklseq's own rolling origin, by hand: refit on each expanding window.
    values = y.to_numpy(dtype=float)
    expected = []
    for cutoff in (132, 138):
        model = ARIMARegressor(order="auto", horizon=3).fit(values[None, :cutoff])
        forecast = model.predict(values[None, :cutoff])[0]
        truth = values[cutoff : cutoff + 3]
        expected.append(np.mean(np.abs(truth - forecast) / np.abs(truth)))
    assert len(results) == 2
    assert_allclose(results["test_MeanAbsolutePercentageError"], expected, rtol=1e-10)


def test_forecaster_keeps_index_and_gives_intervals():
    from sktime.datasets import load_airline

    from sklseq.statistical import ARIMARegressor

    y = load_airline()
    forecaster = as_sktime(ARIMARegressor(order=(1, 1, 0))).fit(y, fh=[1, 2])
    point = forecaster.predict()
    assert [str(p) for p in point.index] == ["1961-01", "1961-02"]
    interval = forecaster.predict_interval(coverage=0.9)
    direct = ARIMARegressor(order=(1, 1, 0), horizon=2).fit(y.to_numpy(float)[None])
    lower, upper = direct.predict_interval(y.to_numpy(float)[None], coverage=0.9)
    assert_allclose(interval.iloc[:, 0], lower[0])
    assert_allclose(interval.iloc[:, 1], upper[0])


def test_classifier_on_unequal_length_sktime_data():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sktime.datasets import load_japanese_vowels

    from sklseq.preprocessing import RollingStatistics

    X, y = load_japanese_vowels(split="train", return_type="nested_univ")
    X, y = X.iloc[::3].reset_index(drop=True), y[::3]
    pipe = make_pipeline(RollingStatistics(windows=3), LogisticRegression(max_iter=300))
    classifier = as_sktime(pipe).fit(X, y)
    assert classifier.score(X, y) > 0.8
    proba = classifier.predict_proba(X.iloc[:5])
    assert_allclose(proba.sum(axis=1), 1.0)


def test_unknown_kind_is_an_error():
    with pytest.raises(TypeError, match=r"scikit-learn\) estimator; got object"):
        as_sktime(object())
    from sklearn.cluster import KMeans

    with pytest.raises(TypeError, match="Pass kind="):
        as_sktime(KMeans())


ADAPTERS = ["SklseqForecaster", "SklseqClassifier", "SklseqRegressor"]

# A few of sktime's conformance tests, run always; the full suite below is opt-in.
QUICK_CHECKS = {
    "SklseqForecaster": ["test_predict_interval", "test_update_predict_single", "test_score"],
    "SklseqClassifier": ["test_classifier_output", "test_multivariate_input_exception",
                         "test_fit_idempotent", "test_persistence_via_pickle"],
    "SklseqRegressor": ["test_regressor_output", "test_fit_idempotent",
                        "test_persistence_via_pickle"],
}


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_sktime_conformance_quick(adapter):
    from sktime.utils import check_estimator

    from sklseq.interop import _adapters

    results = check_estimator(getattr(_adapters, adapter), raise_exceptions=False,
                              tests_to_run=QUICK_CHECKS[adapter], verbose=False)
    assert results, "no sktime test ran"
    failed = {name: result for name, result in results.items() if result != "PASSED"}
    assert not failed, failed


@pytest.mark.skipif(
    os.environ.get("SKLSEQ_SKTIME_CHECKS") != "1",
    reason="sktime's full check_estimator takes 2-8 minutes per adapter on 2 cores; "
    "run with SKLSEQ_SKTIME_CHECKS=1",
)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_sktime_check_estimator(adapter):
    from sktime.utils import check_estimator

    from sklseq.interop import _adapters

    results = check_estimator(getattr(_adapters, adapter), raise_exceptions=False, verbose=False)
    failed = {name: result for name, result in results.items() if result != "PASSED"}
    assert not failed, failed
