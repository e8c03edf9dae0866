"""ThetaRegressor against statsforecast's Theta models."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklseq.statistical import ThetaRegressor


def _series(name):
    from sktime.datasets import load_airline, load_lynx, load_shampoo_sales

    loader = {"airline": load_airline, "lynx": load_lynx, "shampoo": load_shampoo_sales}[name]
    return loader().to_numpy(dtype=float)


PERIODS = {"airline": 12, "lynx": 10, "shampoo": 12}


@pytest.mark.parametrize("name", ["airline", "lynx", "shampoo"])
def test_standard_theta_forecast_equals_statsforecast(name):
    from statsforecast.theta import auto_theta, forecast_theta

    series = _series(name)
    model = ThetaRegressor(seasonal_periods=PERIODS[name], horizon=6).fit(series[None])
    expected = forecast_theta(auto_theta(series, PERIODS[name], model="STM"), 6)["mean"]
    # Both minimise the same squared one-step errors; statsforecast's simplex
    # stops at a tolerance of 1e-4 in the parameters.
    assert_allclose(model.predict(series[None])[0], expected, rtol=2e-3)


def test_standard_theta_is_ses_with_half_the_slope_as_drift():
    # Hyndman & Billah (2003): the forecast's step-to-step increase is b/2,
    # b the least-squares slope of the series.
    rng = np.random.default_rng(0)
    series = 10 + 0.3 * np.arange(80) + rng.normal(size=80)
    model = ThetaRegressor(horizon=5).fit(series[None])
    slope = np.polyfit(np.arange(80), series, 1)[0]
    assert_allclose(np.diff(model.predict(series[None])[0]), slope / 2, rtol=1e-10)


def test_auto_keeps_the_lower_error_model():
    series = _series("airline")
    auto = ThetaRegressor(model="auto", seasonal_periods=12).fit(series[None])
    standard = ThetaRegressor(model="standard", seasonal_periods=12).fit(series[None])
    optimized = ThetaRegressor(model="optimized", seasonal_periods=12).fit(series[None])
    assert auto.mse_ == min(standard.mse_, optimized.mse_)
    assert optimized.mse_ <= standard.mse_ + 1e-9  # theta = 2 is one of its choices


def test_seasonal_rows_are_reseasonalised_and_others_are_not():
    series = _series("airline")
    t = np.arange(144.0)
    trend_only = 100 + t
    model = ThetaRegressor(seasonal_periods=12, horizon=12).fit([series, trend_only])
    forecast = model.predict([series, trend_only])
    # The airline forecast follows the summer peak; the straight line stays a line.
    assert forecast[0].argmax() in (6, 7)
    assert_allclose(np.diff(forecast[1]), np.diff(forecast[1])[0], rtol=1e-8)


def test_interval_widens_with_the_horizon():
    series = _series("shampoo")
    model = ThetaRegressor(horizon=4).fit(series[None])
    _, std = model.predict(series[None], return_std=True)
    assert np.all(np.diff(std[0]) > 0)
