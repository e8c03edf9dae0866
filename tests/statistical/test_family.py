"""What every statistical forecaster promises, checked on each of them."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone

from sklseq.utils import all_estimators

# Every public forecaster of sklseq.statistical, found the way test_common finds
# them, so a new one is checked without being listed here; the settings make each
# use its seasonal / trend machinery on the period-4 panel below.
SETTINGS = {
    "ARIMARegressor": {"order": (1, 1, 0), "seasonal_order": (0, 1, 0, 4)},
    "ExponentialSmoothingRegressor": {"trend": "add", "seasonal": "add", "seasonal_period": 4},
    "LinearTrendRegressor": {"window": 10},
    "MovingAverageRegressor": {"window": 3},
    "SeasonalNaiveRegressor": {"seasonal_period": 4},
    "StructuralRegressor": {"level": "local linear trend"},
    "ThetaRegressor": {"model": "auto", "seasonal_period": 4},
    "VARRegressor": {"lags": 2},
}
ESTIMATORS = [
    cls(**SETTINGS.get(name, {}))
    for name, cls in all_estimators(type_filter="regressor")
    if cls.__module__.startswith("sklseq.statistical.")
]
HORIZON = 3


def test_every_setting_names_a_discovered_forecaster():
    # A renamed or lost class would otherwise drop out of every test below unnoticed.
    assert set(SETTINGS) <= {type(estimator).__name__ for estimator in ESTIMATORS}


def _id(estimator):
    return type(estimator).__name__


def _panel(n_rows=6, length=40, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    season = np.sin(2 * np.pi * t / 4)
    return rng.normal(size=(n_rows, length)).cumsum(axis=1) * 0.3 + season + 0.05 * t


@pytest.fixture(scope="module", params=ESTIMATORS, ids=_id)
def fitted(request):
    X = _panel()
    y = X[:, -HORIZON:]
    return clone(request.param).fit(X[:, :-HORIZON], y)


def _rows():
    X = _panel(n_rows=4, length=37, seed=1)
    return [X[0], X[1, :30], X[2, :25], X[3, 5:]]


def test_forecasts_have_the_shape_of_y(fitted):
    assert fitted.horizon_ == HORIZON
    assert fitted.predict(_rows()).shape == (4, HORIZON)


def test_padding_never_changes_a_prediction(fitted):
    rows = _rows()
    together, together_std = fitted.predict(rows, return_std=True)
    for row, mean, std in zip(rows, together, together_std):
        alone, alone_std = fitted.predict([row, row[:-1]], return_std=True)
        assert_allclose(alone[0], mean, rtol=1e-10, atol=1e-12)
        assert_allclose(alone_std[0], std, rtol=1e-10, atol=1e-12)


def test_row_order_does_not_change_predictions(fitted):
    rows = _rows()
    forward = fitted.predict(rows)
    backward = fitted.predict(rows[::-1])
    assert_allclose(backward[::-1], forward, rtol=1e-10, atol=1e-12)


def test_interval_is_centred_on_the_forecast_and_widens_with_coverage(fitted):
    rows = _rows()
    mean = fitted.predict(rows)
    lower80, upper80 = fitted.predict_interval(rows, coverage=0.8)
    lower95, upper95 = fitted.predict_interval(rows, coverage=0.95)
    assert_allclose((lower80 + upper80) / 2, mean, rtol=1e-10, atol=1e-12)
    assert (lower95 < lower80).all() and (upper80 < upper95).all()


@pytest.mark.parametrize("coverage", [0.0, 1.0, 1.5])
def test_coverage_outside_zero_one_raises(fitted, coverage):
    with pytest.raises(ValueError, match="coverage must be in"):
        fitted.predict_interval(_rows(), coverage=coverage)


def test_interior_nan_names_row_and_step(fitted):
    rows = _rows()
    rows[2] = rows[2].copy()
    rows[2][7] = np.nan
    with pytest.raises(ValueError, match="row 2, time step 7"):
        fitted.predict(rows)


def test_pickle_round_trip_gives_identical_predictions(fitted):
    rows = _rows()
    restored = pickle.loads(pickle.dumps(fitted))
    assert_allclose(restored.predict(rows), fitted.predict(rows), rtol=0, atol=0)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_mismatched_channels_at_predict_raise(estimator):
    X = _panel()[:, :, None]
    model = clone(estimator).fit(X)
    with pytest.raises(ValueError, match="channel"):
        model.predict(np.concatenate([X, X], axis=2))
