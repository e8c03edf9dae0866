import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.api import VAR

from sklseq.statistical import VARRegressor

RTOL = 1e-6


@pytest.mark.parametrize("criterion", ["aic", "bic", "hqic", "fpe"])
def test_lag_order_equals_statsmodels_select_order(criterion, uschange):
    data = uschange
    model = VARRegressor(max_lags=6, information_criterion=criterion).fit(data[None])
    assert model.lags_ == VAR(data).select_order(6).selected_orders[criterion]


@pytest.mark.parametrize("target_channel", [0, 3])
def test_forecast_and_interval_equal_statsmodels(target_channel, uschange):
    data = uschange
    model = VARRegressor(lags=3, target_channel=target_channel, horizon=8).fit(data[None])
    direct = VAR(data).fit(3)
    point, lower_sm, upper_sm = direct.forecast_interval(data[-3:], 8, alpha=0.1)
    lower, upper = model.predict_interval(data[None], coverage=0.9)
    assert_allclose(model.coefs_, direct.coefs, rtol=RTOL)
    assert_allclose(model.sigma_u_, direct.sigma_u, rtol=RTOL)
    assert_allclose(model.predict(data[None])[0], point[:, target_channel], rtol=RTOL)
    assert_allclose(lower[0], lower_sm[:, target_channel], rtol=RTOL)
    assert_allclose(upper[0], upper_sm[:, target_channel], rtol=RTOL)


def test_other_rows_forecast_from_their_own_last_values(uschange):
    data = uschange
    model = VARRegressor(lags=2, horizon=4).fit(data[None])
    direct = VAR(data).fit(2)
    rows = [data[:100], data[30:150]]
    mean = model.predict(rows)
    for row, row_mean in zip(rows, mean):
        assert_allclose(row_mean, direct.forecast(row[-2:], 4)[:, 0], rtol=RTOL)


def test_pooled_fit_equals_least_squares_on_stacked_lag_regressions(uschange):
    data = uschange
    rows = [data[:90], data[90:]]
    model = VARRegressor(lags=1).fit(rows)
    design = np.vstack([np.column_stack([np.ones(len(r) - 1), r[:-1]]) for r in rows])
    targets = np.vstack([r[1:] for r in rows])
    expected = np.linalg.lstsq(design, targets, rcond=None)[0]
    assert_allclose(model.intercept_, expected[0], rtol=1e-9)
    assert_allclose(model.coefs_[0], expected[1:].T, rtol=1e-9)


def test_row_too_short_for_the_lag_order_raises(uschange):
    data = uschange
    with pytest.raises(ValueError, match="Row 1 of X is too short"):
        VARRegressor(lags=4).fit([data[:50], data[:4]])


def test_target_channel_all_forecasts_every_channel():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3, 60, 2)).cumsum(axis=1) * 0.1
    every = VARRegressor(lags=2, horizon=4, target_channel="all").fit(X)
    mean, std = every.predict(X, return_std=True)
    assert mean.shape == std.shape == (3, 4, 2)
    for channel in range(2):
        one = VARRegressor(lags=2, horizon=4, target_channel=channel).fit(X)
        np.testing.assert_allclose(mean[:, :, channel], one.predict(X), rtol=1e-12)
        np.testing.assert_allclose(std[:, :, channel], one.predict(X, return_std=True)[1], rtol=1e-12)
