"""Values near 1e200, whose squares overflow float64: each model is fitted on the
rows divided by a power of two (``scale_``) and its outputs multiplied back.

References: statsmodels fitted directly on the unscaled series (``x``, of the
order of 1), and the same sklseq model fitted on ``x`` (a hand rescale)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.statespace.structural import UnobservedComponents

from sklseq.statistical import (
    ARIMARegressor,
    ExponentialSmoothingRegressor,
    StructuralRegressor,
    ThetaRegressor,
)

# 2**664 is about 1.2e200. With the series' largest absolute value in [0.75, 1.5),
# the scaled rows equal the unscaled series bit for bit.
POWER = 2.0**664
HORIZON = 6


@pytest.fixture(scope="module")
def series(lynx):
    x = lynx - lynx.mean()
    return x / np.abs(x).max()


def _jacobian(n_obs, scale):
    return n_obs * np.log(scale)


def test_arima_of_huge_values_equals_statsmodels_on_the_unscaled_series(series):
    model = ARIMARegressor(order=(2, 0, 1), trend="c", horizon=HORIZON).fit(series[None] * POWER)
    direct = SARIMAX(series, order=(2, 0, 1), trend="c").fit(disp=False, maxiter=50)
    mean, std = model.predict(series[None] * POWER, return_std=True)
    assert model.scale_ == POWER
    expected = direct.get_forecast(HORIZON)
    assert_allclose(mean[0] / POWER, expected.predicted_mean, rtol=1e-10)
    assert_allclose(std[0] / POWER, np.sqrt(expected.var_pred_mean), rtol=1e-10)
    assert_allclose(model.params_, direct.params, rtol=1e-10)
    assert_allclose(model.llf_, direct.llf - _jacobian(len(series), POWER), rtol=1e-12)
    assert_allclose(model.aic_, direct.aic + 2 * _jacobian(len(series), POWER), rtol=1e-12)
    lower, upper = model.predict_interval(series[None] * POWER)
    assert np.isfinite(lower).all() and np.isfinite(upper).all()


def test_arima_of_1e200_values_is_statsmodels_on_the_series_divided_by_1e200(series):
    # 1e200 is not a power of two: the scaled rows differ from ``series`` by a
    # factor near 0.84, to which the model is equivariant up to the optimiser's
    # tolerance (its start values and stopping rule are not scale-free).
    order = (1, 1, 1)
    model = ARIMARegressor(order=order, trend="n", horizon=HORIZON).fit(series[None] * 1e200)
    direct = SARIMAX(series, order=order, trend="n").fit(disp=False, maxiter=50)
    mean, std = model.predict(series[None] * 1e200, return_std=True)
    expected = direct.get_forecast(HORIZON)
    assert_allclose(mean[0] / 1e200, expected.predicted_mean, rtol=1e-4)
    assert_allclose(std[0] / 1e200, np.sqrt(expected.var_pred_mean), rtol=1e-4)
    assert_allclose(model.llf_, direct.llf - _jacobian(len(series) - 1, 1e200), rtol=1e-9)


def test_arima_pooled_fit_of_huge_rows_equals_the_fit_of_the_rows():
    rng = np.random.default_rng(0)
    rows = np.zeros((3, 50))
    for t in range(1, 50):
        rows[:, t] = 0.6 * rows[:, t - 1] + rng.normal(size=3)
    rows /= np.abs(rows).max()
    plain = ARIMARegressor(order=(1, 0, 0), horizon=3).fit(rows)
    huge = ARIMARegressor(order=(1, 0, 0), horizon=3).fit(rows * POWER)
    assert_allclose(huge.params_, plain.params_, rtol=1e-12)
    assert_allclose(huge.predict(rows * POWER) / POWER, plain.predict(rows), rtol=1e-12)
    assert_allclose(huge.llf_, plain.llf_ - _jacobian(rows.size, POWER), rtol=1e-12)


def test_arima_with_ordinary_values_is_not_scaled(series):
    assert ARIMARegressor().fit(series[None]).scale_ == 1.0


# The local level's noise variance ends on its bound: statsmodels' line search
# stops there and says it did not converge, on the unscaled series too.
@pytest.mark.filterwarnings("ignore:.*converge")
def test_structural_of_huge_values_equals_statsmodels_on_the_unscaled_series(series):
    model = StructuralRegressor(level="local level", horizon=HORIZON).fit(series[None] * POWER)
    direct = UnobservedComponents(series, level="local level").fit(disp=False)
    mean, std = model.predict(series[None] * POWER, return_std=True)
    expected = direct.get_forecast(HORIZON)
    assert_allclose(mean[0] / POWER, expected.predicted_mean, rtol=1e-10)
    assert_allclose(std[0] / POWER, np.sqrt(expected.var_pred_mean), rtol=1e-10)
    n_obs = len(series) - direct.loglikelihood_burn
    assert_allclose(model.llf_, direct.llf - _jacobian(n_obs, POWER), rtol=1e-12)


# The local level's noise variance ends on its bound: statsmodels' line search
# stops there and says it did not converge, on the unscaled series too.
@pytest.mark.filterwarnings("ignore:.*converge")
def test_structural_of_1e200_values_is_statsmodels_on_the_series_divided_by_1e200(series):
    # The approximate diffuse prior (variance 1e6) is not scale-free either; at
    # a factor near 0.84 its effect is far below the tolerance.
    model = StructuralRegressor(level="local level", horizon=HORIZON).fit(series[None] * 1e200)
    direct = UnobservedComponents(series, level="local level").fit(disp=False)
    mean, std = model.predict(series[None] * 1e200, return_std=True)
    expected = direct.get_forecast(HORIZON)
    assert_allclose(mean[0] / 1e200, expected.predicted_mean, rtol=1e-4)
    assert_allclose(std[0] / 1e200, np.sqrt(expected.var_pred_mean), rtol=1e-4)


@pytest.mark.parametrize("error", ["add", "mul"])
def test_ets_of_huge_values_equals_the_fit_of_the_rescaled_series(series, error):
    positive = series + 2.0  # in [1, 3): multiplicative forms allowed
    positive = positive / np.abs(positive).max()
    plain = ExponentialSmoothingRegressor(error=error, trend="add", horizon=HORIZON)
    huge = ExponentialSmoothingRegressor(error=error, trend="add", horizon=HORIZON)
    plain.fit(positive[None])
    huge.fit(positive[None] * POWER)
    mean, std = huge.predict(positive[None] * POWER, return_std=True)
    expected_mean, expected_std = plain.predict(positive[None], return_std=True)
    assert huge.scale_ == POWER
    assert_allclose(mean / POWER, expected_mean, rtol=1e-12)
    assert_allclose(std / POWER, expected_std, rtol=1e-12)
    assert_allclose(huge.llf_, plain.llf_ - _jacobian(len(positive), POWER), rtol=1e-12)
    # 1e200 itself: the fit of the series times a factor near 0.84, to the
    # simplex's tolerance.
    mean = huge.fit(positive[None] * 1e200).predict(positive[None] * 1e200)
    assert_allclose(mean / 1e200, expected_mean, rtol=1e-4)


def test_per_series_rows_of_different_magnitudes_each_keep_their_scale(series):
    rows = np.stack([series, series * 1e200])
    model = ARIMARegressor(order=(1, 0, 0), horizon=2, per_series=True).fit(rows)
    mean = model.predict(rows)
    assert_allclose(mean[1] / 1e200, mean[0], rtol=1e-4)


@pytest.mark.parametrize("model", ["optimized", "dynamic_standard"])
def test_theta_of_huge_values_equals_the_fit_of_the_rescaled_series(airline, model):
    # The seasonal test, decomposition and fit see the same rows as unscaled.
    x = airline / np.abs(airline).max()
    plain = ThetaRegressor(model=model, seasonal_period=12, horizon=HORIZON).fit(x[None])
    huge = ThetaRegressor(model=model, seasonal_period=12, horizon=HORIZON).fit(x[None] * POWER)
    mean, std = huge.predict(x[None] * POWER, return_std=True)
    expected_mean, expected_std = plain.predict(x[None], return_std=True)
    assert_allclose(mean / POWER, expected_mean, rtol=1e-12)
    assert_allclose(std / POWER, expected_std, rtol=1e-12)
    assert_allclose(huge.fit(x[None] * 1e200).predict(x[None] * 1e200) / 1e200, expected_mean,
                    rtol=1e-4)
