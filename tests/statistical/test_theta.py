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
    model = ThetaRegressor(seasonal_period=PERIODS[name], horizon=6).fit(series[None])
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
    auto = ThetaRegressor(model="auto", seasonal_period=12).fit(series[None])
    standard = ThetaRegressor(model="standard", seasonal_period=12).fit(series[None])
    optimized = ThetaRegressor(model="optimized", seasonal_period=12).fit(series[None])
    assert auto.mse_ == min(standard.mse_, optimized.mse_)
    assert optimized.mse_ <= standard.mse_ + 1e-9  # theta = 2 is one of its choices


def test_seasonal_rows_are_reseasonalised_and_others_are_not():
    series = _series("airline")
    t = np.arange(144.0)
    trend_only = 100 + t
    model = ThetaRegressor(seasonal_period=12, horizon=12).fit([series, trend_only])
    forecast = model.predict([series, trend_only])
    # The airline forecast follows the summer peak; the straight line stays a line.
    assert forecast[0].argmax() in (6, 7)
    assert_allclose(np.diff(forecast[1]), np.diff(forecast[1])[0], rtol=1e-8)


def test_interval_widens_with_the_horizon():
    series = _series("shampoo")
    model = ThetaRegressor(horizon=4).fit(series[None])
    _, std = model.predict(series[None], return_std=True)
    assert np.all(np.diff(std[0]) > 0)


DYNAMIC = {"dynamic_standard": "DynamicTheta", "dynamic_optimized": "DynamicOptimizedTheta"}


@pytest.mark.parametrize("name", ["airline", "lynx", "shampoo"])
@pytest.mark.parametrize("model", list(DYNAMIC))
def test_dynamic_theta_forecast_equals_statsforecast(name, model):
    from statsforecast import models

    series = _series(name)
    ours = ThetaRegressor(model=model, seasonal_period=PERIODS[name], horizon=12)
    theirs = getattr(models, DYNAMIC[model])(season_length=PERIODS[name])
    expected = theirs.forecast(series, h=12)["mean"]
    # The same one-step errors from the fourth step on; statsforecast's simplex
    # stops at a tolerance of 1e-4 in (level, alpha, theta), sklseq's level is
    # the exact least-squares one. Seen: at most 8e-4 (airline, DOTM).
    assert_allclose(ours.fit(series[None]).predict(series[None])[0], expected, rtol=2e-3)


@pytest.mark.parametrize("name", ["airline", "shampoo"])
def test_auto_theta_forecast_equals_statsforecast_auto_theta(name):
    from statsforecast.models import AutoTheta

    series = _series(name)
    model = ThetaRegressor(model="auto", seasonal_period=PERIODS[name], horizon=12)
    expected = AutoTheta(season_length=PERIODS[name]).forecast(series, h=12)["mean"]
    assert_allclose(model.fit(series[None]).predict(series[None])[0], expected, rtol=2e-3)


def test_auto_chooses_among_the_four_models_by_in_sample_error():
    series = _series("shampoo")
    auto = ThetaRegressor(model="auto", horizon=3).fit(series[None])
    fitted = {
        name: ThetaRegressor(model=name, horizon=3).fit(series[None]).mse_
        for name in ("standard", "optimized", "dynamic_standard", "dynamic_optimized")
    }
    assert auto.model_ == min(fitted, key=fitted.get)
    assert auto.mse_ == min(fitted.values())


def test_dynamic_line_is_the_least_squares_line_of_the_values_so_far():
    # The recursive update of statsforecast's dynamic models keeps the
    # ordinary least-squares line of y on t = 1..i (checked by np.polyfit).
    from sklseq.statistical._theta import _DynamicThetaFit

    rng = np.random.default_rng(1)
    rows = rng.normal(size=(2, 25)).cumsum(axis=1)
    lengths = np.array([25, 17])
    fit = _DynamicThetaFit(rows, lengths, 0.4, 3.0)
    for i, n in enumerate(lengths):
        slope, intercept = np.polyfit(np.arange(1, n + 1), rows[i, :n], 1)
        assert_allclose([fit.line[0][i], fit.line[1][i]], [intercept, slope], rtol=1e-10)


@pytest.mark.parametrize("dynamic", [False, True], ids=["static", "dynamic"])
def test_compiled_pass_equals_its_python_function(dynamic):
    # Without numba the same functions run interpreted: both give the same errors.
    from sklseq.statistical import _theta_core
    from sklseq.statistical._theta import _DynamicThetaFit, _ThetaFit

    rng = np.random.default_rng(2)
    rows = 50 + rng.normal(size=(3, 30)).cumsum(axis=1)
    lengths = np.array([30, 12, 3])
    lines = (_DynamicThetaFit if dynamic else _ThetaFit).lines(rows, lengths)
    results = []
    for function in (_theta_core.theta_pass, _theta_core.compiled("theta_pass")):
        sse, level = np.empty(3), np.empty(3)
        function(lines["rows"], lines["lengths"], 0.3, 0.6, *lines["before"], sse, level,
                 np.empty(60))  # fmt: skip
        results.append((sse, level))
    assert (results[0][0] > 0).all()
    assert_allclose(results[0], results[1], rtol=1e-12)
