import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

from sklseq.statistical import ExponentialSmoothingRegressor

RTOL = 1e-6

# statsmodels' own fits (the reference) warn when its optimiser tries extreme values.
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")

# (data, model keywords, horizon)
CASES = {
    "airline-holt-winters": ("airline", {"trend": True, "seasonal": 12}, 12),
    "lynx-level": ("lynx", {}, 5),
    "uschange-damped": ("uschange", {"trend": True, "damped_trend": True}, 8),
}


def _direct(series, **kwargs):
    return ExponentialSmoothing(
        series, initialization_method="concentrated", concentrate_scale=False, **kwargs
    )


@pytest.fixture(scope="module", params=list(CASES))
def fitted_case(request):
    data, kwargs, horizon = CASES[request.param]
    series = request.getfixturevalue(data)
    series = series if series.ndim == 1 else series[:, 0]
    model = ExponentialSmoothingRegressor(horizon=horizon, maxiter=200, **kwargs).fit(series[None])
    direct = _direct(series, **kwargs).fit(disp=False, maxiter=200)
    return series, model, direct, horizon


def test_single_row_params_equal_statsmodels_fit(fitted_case):
    _, model, direct, _ = fitted_case
    assert_allclose(model.params_, direct.params, rtol=RTOL)
    assert_allclose(model.llf_, direct.llf, rtol=RTOL)


def test_forecast_and_interval_equal_statsmodels(fitted_case):
    series, model, direct, horizon = fitted_case
    expected = direct.get_forecast(horizon)
    mean, std = model.predict(series[None], return_std=True)
    lower, upper = model.predict_interval(series[None], coverage=0.8)
    assert_allclose(mean[0], expected.predicted_mean, rtol=RTOL)
    assert_allclose(std[0], np.sqrt(expected.var_pred_mean), rtol=RTOL)
    assert_allclose(lower[0], expected.conf_int(alpha=0.2)[:, 0], rtol=RTOL)
    assert_allclose(upper[0], expected.conf_int(alpha=0.2)[:, 1], rtol=RTOL)


def test_other_rows_equal_statsmodels_apply(fitted_case):
    # Each row gets its own least-squares initial states, as apply() re-concentrates them.
    series, model, direct, horizon = fitted_case
    rows = [series[: len(series) // 2], series[7:]]
    mean, std = model.predict(rows, return_std=True)
    for row, row_mean, row_std in zip(rows, mean, std):
        expected = direct.apply(row).get_forecast(horizon)
        assert_allclose(row_mean, expected.predicted_mean, rtol=RTOL)
        assert_allclose(row_std, np.sqrt(expected.var_pred_mean), rtol=RTOL)


def test_joint_fit_loglike_is_sum_of_statsmodels_row_loglikes(airline):
    series = airline
    rows = [series[:60], series[40:100], series[84:]]
    model = ExponentialSmoothingRegressor(trend=True, seasonal=12).fit(rows)
    expected = sum(_direct(row, trend=True, seasonal=12).loglike(model.params_) for row in rows)
    assert_allclose(model.llf_, expected, rtol=1e-9)


def test_damped_trend_without_trend_raises(lynx):
    with pytest.raises(ValueError, match="damped_trend=True needs trend=True"):
        ExponentialSmoothingRegressor(damped_trend=True).fit(lynx[None])


def test_series_too_short_for_the_seasonal_states_raises(airline):
    with pytest.raises(ValueError, match="needs at least 14"):
        ExponentialSmoothingRegressor(trend=True, seasonal=12).fit(airline[None, :10])


def test_series_too_short_for_the_parameters_raises(airline):
    with pytest.raises(ValueError, match="^The series is too short .* 4 parameters"):
        ExponentialSmoothingRegressor(trend=True, seasonal=12).fit(airline[None, :16])


def test_constant_series_forecasts_the_constant():
    X = np.full((1, 30), 5.0)
    # The error variance goes to 0, where the likelihood has no maximum.
    with pytest.warns(ConvergenceWarning, match="on row 0"):
        model = ExponentialSmoothingRegressor(trend=True, horizon=3).fit(X)
    assert_allclose(model.predict(X), [[5.0, 5.0, 5.0]], atol=1e-8)
