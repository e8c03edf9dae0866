import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sklseq.forecasting import (
    DirectRegressor,
    RecursiveRegressor,
    forecast_from_end,
    make_windows,
)
from sklseq.statistical import ARIMARegressor, LastValueRegressor, MovingAverageRegressor

# sktime announces a change of its own defaults on every forecaster's fit.
pytestmark = pytest.mark.filterwarnings("ignore:.*remember_data:FutureWarning")


def _ar2(n=60):
    # Noise-free AR(2): x[t] = 0.5 x[t-1] - 0.3 x[t-2] + 1, started at 1, 2.
    values = [1.0, 2.0]
    for _ in range(n - 2):
        values.append(0.5 * values[-1] - 0.3 * values[-2] + 1.0)
    return np.array(values)


def _ar2_continue(history, steps):
    values = list(history)
    for _ in range(steps):
        values.append(0.5 * values[-1] - 0.3 * values[-2] + 1.0)
    return np.array(values[len(history) :])


def test_recursive_forecasts_follow_the_learned_recurrence():
    series = _ar2()
    X, y = make_windows(series[:40], window_size=2)
    model = RecursiveRegressor(horizon=5).fit(X, y)
    assert_allclose(model.predict(series[38:40][None])[0], _ar2_continue(series[:40], 5))


def test_recursive_uses_every_column_of_a_2d_target_as_one_step_examples():
    series = _ar2()
    X, y = make_windows(series[:12], window_size=2, horizon=3)
    # 8 windows x 3 steps: enough one-step examples for the 3 coefficients.
    model = RecursiveRegressor().fit(X, y)
    assert model.horizon_ == 3
    assert_allclose(model.estimator_.coef_, [-0.3, 0.5], atol=1e-10)


def test_direct_fits_one_regressor_per_step():
    series = _ar2()
    X, y = make_windows(series[:40], window_size=2, horizon=4)
    model = DirectRegressor().fit(X, y)
    assert len(model.estimators_) == 4
    assert_allclose(model.predict(series[38:40][None])[0], _ar2_continue(series[:40], 4))


def test_direct_accepts_exogenous_channels():
    rng = np.random.default_rng(0)
    exog = rng.normal(size=50)
    series = 2.0 * np.roll(exog, 1)  # the target is the previous exog value, doubled
    X, y = make_windows(series[1:], window_size=3, exog=exog[1:])
    model = DirectRegressor().fit(X, y)
    assert X.shape[2] == 2
    assert_allclose(model.predict(X), y, atol=1e-10)


def test_recursive_refuses_exogenous_channels():
    with pytest.raises(ValueError, match="Use DirectRegressor"):
        RecursiveRegressor().fit(np.ones((5, 3, 2)), np.ones(5))


def test_forecast_from_end_keeps_a_period_index():
    index = pd.period_range("2020-01", periods=40, freq="M")
    series = pd.Series(_ar2(40), index=index, name="demand")
    X, y = make_windows(series, window_size=2, horizon=3)
    model = DirectRegressor().fit(X, y)
    forecast = forecast_from_end(model, series, window_size=2)
    assert list(forecast.index) == list(pd.period_range("2023-05", periods=3, freq="M"))
    assert forecast.name == "demand"
    assert_allclose(forecast.to_numpy(), _ar2_continue(series.to_numpy(), 3))


def test_forecast_from_end_keeps_a_datetime_index():
    index = pd.date_range("2021-01-01", periods=30, freq="D")
    series = pd.Series(np.arange(30.0), index=index)
    X, y = make_windows(series, window_size=3)
    forecast = forecast_from_end(RecursiveRegressor(horizon=2).fit(X, y), series, 3)
    assert list(forecast.index) == list(pd.date_range("2021-01-31", periods=2, freq="D"))
    assert_allclose(forecast.to_numpy(), [30.0, 31.0])


def test_forecast_from_end_integrates_differences_back():
    # A quadratic: its second differences are constant 2, so a mean model on them is exact.
    t = np.arange(20.0)
    series = t**2
    X, y = make_windows(np.diff(series, n=2), window_size=3)
    model = MovingAverageRegressor(horizon=3).fit(X, y)
    forecast = forecast_from_end(model, series, window_size=3, differences=2)
    assert_allclose(forecast, [400.0, 441.0, 484.0])


def test_forecast_from_end_infers_a_regular_frequency():
    index = pd.DatetimeIndex(["2020-01-01", "2020-01-08", "2020-01-15", "2020-01-22"])
    series = pd.Series(np.arange(4.0), index=index)
    model = LastValueRegressor(horizon=2).fit([[0.0, 1.0]])
    forecast = forecast_from_end(model, series, window_size=2)
    assert list(forecast.index) == list(pd.DatetimeIndex(["2020-01-29", "2020-02-05"]))


def test_forecast_from_end_without_frequency_raises():
    index = pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-04", "2020-01-09"])
    series = pd.Series(np.arange(4.0), index=index)
    model = LastValueRegressor().fit([[0.0, 1.0]])
    with pytest.raises(ValueError, match="give it a frequency"):
        forecast_from_end(model, series, window_size=2)


@pytest.mark.parametrize(
    ("regressor", "strategy", "naive_kwargs"),
    [
        (LastValueRegressor(), "recursive", {"strategy": "last"}),
        # Direct: one clone per step, each averaging the last 4 values of the window.
        (MovingAverageRegressor(window=4), "direct", {"strategy": "mean", "window_length": 4}),
    ],
    ids=["last-value-recursive", "moving-average-direct"],
)
def test_sktime_make_reduction_accepts_sklseq_regressors(regressor, strategy, naive_kwargs):
    from sktime.forecasting.base import ForecastingHorizon
    from sktime.forecasting.compose import make_reduction
    from sktime.forecasting.naive import NaiveForecaster

    series = pd.Series(_ar2(30) + np.linspace(0, 3, 30))
    fh = ForecastingHorizon([1, 2, 3])
    reduced = make_reduction(regressor, window_length=6, strategy=strategy).fit(series, fh=fh)
    expected = NaiveForecaster(**naive_kwargs).fit(series).predict(fh)
    forecast = reduced.predict(fh)
    assert list(forecast.index) == list(expected.index)
    assert_allclose(forecast.to_numpy(), expected.to_numpy())


def test_sktime_make_reduction_with_arima_on_windows():
    from sktime.forecasting.compose import make_reduction

    series = pd.Series(_ar2(50) + np.sin(np.arange(50.0)))
    reduced = make_reduction(
        ARIMARegressor(order=(2, 0, 0)), window_length=10, strategy="recursive"
    ).fit(series)
    forecast = reduced.predict(fh=[1, 2, 3])
    assert forecast.shape == (3,)
    assert np.isfinite(forecast).all()


def test_forecast_from_end_with_a_statistical_model_equals_statsmodels():
    from sktime.datasets import load_airline
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    series = np.log(load_airline())
    model = ARIMARegressor(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), trend="n", horizon=6)
    model.fit(series.to_numpy()[None])
    forecast = forecast_from_end(model, series, window_size=len(series))
    expected = SARIMAX(
        series.to_numpy(), order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), trend="n"
    ).fit(disp=False, maxiter=50)
    assert list(forecast.index) == list(pd.period_range("1961-01", periods=6, freq="M"))
    assert_allclose(forecast.to_numpy(), expected.forecast(6), rtol=1e-6)


def test_forecast_from_end_gives_a_statistical_model_the_whole_history():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    rng = np.random.default_rng(3)
    values = np.cumsum(rng.normal(size=60)) + 0.2 * np.arange(60)
    series = pd.Series(values, index=pd.period_range("2020-01", periods=60, freq="M"))
    model = ARIMARegressor(order=(1, 1, 0), horizon=3).fit(values[None])
    forecast = forecast_from_end(model, series, window_size=5)
    direct = SARIMAX(values, order=(1, 1, 0), trend="c").filter(model.params_)
    assert_allclose(forecast.to_numpy(), direct.forecast(3), rtol=1e-8)
    assert forecast.index[0] == pd.Period("2025-01", freq="M")
