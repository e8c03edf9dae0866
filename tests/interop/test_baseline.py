import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV, cross_val_score

from sklseq.interop import SktimeBaseline, from_sktime, to_sktime

pytest.importorskip("sktime")


@pytest.fixture(scope="module")
def italy():
    from sklseq.datasets import load_sktime

    X, y = load_sktime("ItalyPowerDemand", split="train")
    return X, y


def _quietly(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return make()


def test_minirocket_in_cross_val_score_on_sklseq_layout(italy):
    # sktime 1.2 has no MiniRocketClassifier class: MiniRocket is RocketClassifier's
    # rocket_transform="minirocket".
    from sktime.classification.kernel_based import RocketClassifier

    X, y = italy
    baseline = SktimeBaseline(
        RocketClassifier(rocket_transform="minirocket", num_kernels=84, random_state=0)
    )
    scores = cross_val_score(baseline, X, y, cv=3, error_score="raise")
    assert scores.mean() > 0.7  # MiniRocket separates ItalyPowerDemand well


def test_classifier_predictions_equal_sktime_called_directly(italy):
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

    X, y = italy
    knn = KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean")
    ours = SktimeBaseline(knn).fit(X[:40], y[:40])
    direct = knn.clone().fit(to_sktime(X[:40]), y[:40])
    assert_array_equal(ours.predict(X[40:]), direct.predict(to_sktime(X[40:])))
    assert_allclose(ours.predict_proba(X[40:]), direct.predict_proba(to_sktime(X[40:])))


def test_forecaster_forecasts_each_row_as_sktime_does_and_stays_quiet(italy):
    from sktime.forecasting.naive import NaiveForecaster

    X, _ = italy
    naive = _quietly(lambda: NaiveForecaster(strategy="drift"))
    baseline = SktimeBaseline(naive, horizon=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # no remember_data flood
        search = GridSearchCV(baseline, {"horizon": [3]}, cv=2).fit(X[:10, :-3], X[:10, -3:])
        forecast = baseline.fit(X[:4]).predict(X[:4])
    assert search.best_estimator_.horizon_ == 3
    # Drift by hand: last value + step * (last - first) / (T - 1).
    T = X.shape[1]
    slope = (X[:4, -1] - X[:4, 0]) / (T - 1)
    assert_allclose(forecast, X[:4, -1:] + slope[:, None] * np.arange(1, 4), atol=1e-10)


def test_unequal_length_to_an_estimator_that_cannot_take_it_names_it():
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

    X = [np.arange(5.0), np.arange(3.0), np.arange(4.0), np.arange(6.0)]
    with pytest.raises(ValueError, match="KNeighborsTimeSeriesClassifier cannot take sequences"):
        SktimeBaseline(KNeighborsTimeSeriesClassifier()).fit(X, [0, 1, 0, 1])


def test_unequal_length_reaches_an_estimator_that_takes_it():
    from sktime.classification.dummy import DummyClassifier

    X = [np.arange(5.0), np.arange(3.0), np.arange(4.0), np.arange(6.0)]
    baseline = SktimeBaseline(DummyClassifier()).fit(X, [0, 1, 1, 1])
    assert_array_equal(baseline.predict(X[:2]), [1, 1])


def test_not_an_sktime_estimator_is_a_type_error():
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="sktime classifier, regressor or forecaster"):
        SktimeBaseline(LogisticRegression()).fit(np.zeros((4, 3)), [0, 1, 0, 1])


def test_from_sktime_numpy3d_feeds_the_baseline(italy):
    from sktime.classification.dummy import DummyClassifier
    from sktime.datasets import load_italy_power_demand

    X3, y = load_italy_power_demand(split="train", return_type="numpy3D")
    baseline = SktimeBaseline(DummyClassifier()).fit(from_sktime(X3), y)
    assert baseline.n_channels_in_ == 1 and baseline.n_features_in_ == 24
