import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.statespace.structural import UnobservedComponents

from sklseq.statistical import StructuralRegressor

RTOL = 1e-6

CASES = {
    "lynx-local-level": ("lynx", "local level", None, 5),
    "airline-drift-seasonal": ("airline", "random walk with drift", 12, 12),
}


@pytest.fixture(scope="module", params=list(CASES))
def fitted_case(request):
    data, level, seasonal, horizon = CASES[request.param]
    series = request.getfixturevalue(data)
    model = StructuralRegressor(level=level, seasonal_period=seasonal, horizon=horizon).fit(series[None])
    direct = UnobservedComponents(series, level=level, seasonal=seasonal)
    direct = direct.fit(disp=False, maxiter=50)
    return series, model, direct, horizon


def test_forecast_and_std_equal_statsmodels(fitted_case):
    series, model, direct, horizon = fitted_case
    expected = direct.get_forecast(horizon)
    mean, std = model.predict(series[None], return_std=True)
    assert_allclose(model.params_, direct.params, rtol=RTOL)
    assert_allclose(mean[0], expected.predicted_mean, rtol=RTOL)
    assert_allclose(std[0], np.sqrt(expected.var_pred_mean), rtol=RTOL)


def test_other_rows_equal_statsmodels_apply(fitted_case):
    series, model, direct, horizon = fitted_case
    rows = [series[: len(series) // 2 + 3], series[10:]]
    mean, std = model.predict(rows, return_std=True)
    for row, row_mean, row_std in zip(rows, mean, std):
        expected = direct.apply(row).get_forecast(horizon)
        assert_allclose(row_mean, expected.predicted_mean, rtol=RTOL)
        assert_allclose(row_std, np.sqrt(expected.var_pred_mean), rtol=RTOL)


def test_multichannel_input_raises():
    with pytest.raises(ValueError, match="one series per row"):
        StructuralRegressor().fit(np.ones((2, 20, 2)).cumsum(axis=1))
