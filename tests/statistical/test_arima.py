import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from statsmodels.tsa.statespace.sarimax import SARIMAX

from sklseq.statistical import ARIMARegressor

RTOL = 1e-6


def _airline():
    from sktime.datasets import load_airline

    return np.log(load_airline().to_numpy(dtype=float))


def _lynx():
    from sktime.datasets import load_lynx

    return np.log(load_lynx().to_numpy(dtype=float))


def _uschange():
    from sktime.datasets import load_uschange

    y, X = load_uschange()
    return y.to_numpy(dtype=float), X["Income"].to_numpy(dtype=float)


# (data, order, seasonal_order, trend, horizon)
UNIVARIATE_CASES = {
    "airline": (_airline, (0, 1, 1), (0, 1, 1, 12), "n", 12),
    "airline-drift": (_airline, (1, 1, 0), (0, 1, 0, 12), "c", 24),
    "lynx": (_lynx, (2, 0, 0), (0, 0, 0, 0), "c", 10),
    "lynx-arma-trend": (_lynx, (1, 0, 1), (0, 0, 0, 0), "ct", 5),
    "uschange": (lambda: _uschange()[0], (1, 0, 2), (0, 0, 0, 0), "c", 8),
}


@pytest.fixture(scope="module", params=list(UNIVARIATE_CASES), ids=list(UNIVARIATE_CASES))
def fitted_case(request):
    load, order, seasonal_order, trend, horizon = UNIVARIATE_CASES[request.param]
    series = load()
    model = ARIMARegressor(
        order=order, seasonal_order=seasonal_order, trend=trend, horizon=horizon
    ).fit(series[None])
    direct = SARIMAX(series, order=order, seasonal_order=seasonal_order, trend=trend).fit(
        disp=False, maxiter=50
    )
    return series, model, direct, horizon


def test_single_row_params_equal_statsmodels_fit(fitted_case):
    _, model, direct, _ = fitted_case
    assert_allclose(model.params_, direct.params, rtol=RTOL)
    assert_allclose(model.llf_, direct.llf, rtol=RTOL)
    assert_allclose(model.aic_, direct.aic, rtol=RTOL)


def test_forecast_and_std_equal_statsmodels(fitted_case):
    series, model, direct, horizon = fitted_case
    expected = direct.get_forecast(horizon)
    mean, std = model.predict(series[None], return_std=True)
    assert_allclose(mean[0], expected.predicted_mean, rtol=RTOL)
    assert_allclose(std[0], np.sqrt(expected.var_pred_mean), rtol=RTOL)


def test_interval_equals_statsmodels_conf_int(fitted_case):
    series, model, direct, horizon = fitted_case
    expected = direct.get_forecast(horizon).conf_int(alpha=0.1)
    lower, upper = model.predict_interval(series[None], coverage=0.9)
    assert_allclose(lower[0], expected[:, 0], rtol=RTOL)
    assert_allclose(upper[0], expected[:, 1], rtol=RTOL)


def test_forecasts_of_other_rows_equal_statsmodels_apply(fitted_case):
    series, model, direct, horizon = fitted_case
    rows = [series[: len(series) // 2], series[5:], series[: len(series) - 7]]
    mean, std = model.predict(rows, return_std=True)
    for row, row_mean, row_std in zip(rows, mean, std):
        expected = direct.apply(row).get_forecast(horizon)
        assert_allclose(row_mean, expected.predicted_mean, rtol=RTOL)
        assert_allclose(row_std, np.sqrt(expected.var_pred_mean), rtol=RTOL)


def test_exogenous_channel_equals_statsmodels_regression_with_arma_errors():
    consumption, income = _uschange()
    horizon = 8
    history = np.stack([consumption[:-horizon], income[:-horizon]], axis=1)
    model = ARIMARegressor(order=(1, 0, 2), trend="c", horizon=horizon).fit(history[None])
    direct = SARIMAX(
        consumption[:-horizon], exog=income[:-horizon], order=(1, 0, 2), trend="c"
    ).fit(disp=False, maxiter=50)
    future_income = income[-horizon:]
    expected = direct.get_forecast(horizon, exog=future_income)
    mean, std = model.predict(
        history[None], return_std=True, future_exog=future_income[None, :, None]
    )
    assert_allclose(model.params_, direct.params, rtol=RTOL)
    assert_allclose(mean[0], expected.predicted_mean, rtol=RTOL)
    assert_allclose(std[0], np.sqrt(expected.var_pred_mean), rtol=RTOL)


def test_exogenous_model_without_future_exog_raises():
    consumption, income = _uschange()
    history = np.stack([consumption, income], axis=1)[None]
    model = ARIMARegressor(order=(1, 0, 0)).fit(history)
    with pytest.raises(ValueError, match="future_exog of shape"):
        model.predict(history)


def _ar1_panel(phi, n_rows, length, seed):
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(n_rows, length + 50))
    values = np.zeros_like(noise)
    for t in range(1, noise.shape[1]):
        values[:, t] = phi * values[:, t - 1] + noise[:, t]
    return values[:, 50:]


def test_joint_fit_loglike_is_sum_of_statsmodels_row_loglikes():
    X = _ar1_panel(0.6, n_rows=6, length=25, seed=0)
    model = ARIMARegressor(order=(1, 0, 1), trend="c").fit(X)
    row_llfs = [
        SARIMAX(row, order=(1, 0, 1), trend="c").loglike(model.params_) for row in X
    ]
    assert_allclose(model.llf_, np.sum(row_llfs), rtol=1e-9)


def test_joint_fit_recovers_the_shared_ar_coefficient():
    X = _ar1_panel(0.6, n_rows=200, length=20, seed=1)
    model = ARIMARegressor(order=(1, 0, 0), trend="n").fit(X)
    # 3800 transitions: the standard error of phi is about 0.013.
    assert model.params_[0] == pytest.approx(0.6, abs=0.05)
    assert model.params_[1] == pytest.approx(1.0, abs=0.1)


def test_y_is_appended_to_each_row_before_estimation():
    X = _ar1_panel(0.5, n_rows=10, length=30, seed=2)
    with_y = ARIMARegressor(order=(1, 0, 0)).fit(X[:, :-2], X[:, -2:])
    whole = ARIMARegressor(order=(1, 0, 0)).fit(X)
    assert_allclose(with_y.params_, whole.params_, rtol=1e-12)
    assert with_y.predict(X[:, :-2]).shape == (10, 2)


def test_auto_order_is_the_aic_minimum_over_the_grid():
    series = _lynx()
    model = ARIMARegressor(order="auto", max_order=(2, 0, 1), trend="c").fit(series[None])
    aics = {
        (p, 0, q): SARIMAX(series, order=(p, 0, q), trend="c").fit(disp=False, maxiter=50).aic
        for p in range(3)
        for q in range(2)
    }
    assert model.order_ == min(aics, key=aics.get)


def test_auto_order_uses_bic_when_asked():
    series = _lynx()
    model = ARIMARegressor(
        order="auto", max_order=(2, 0, 1), trend="c", information_criterion="bic"
    ).fit(series[None])
    bics = {
        (p, 0, q): SARIMAX(series, order=(p, 0, q), trend="c").fit(disp=False, maxiter=50).bic
        for p in range(3)
        for q in range(2)
    }
    assert model.order_ == min(bics, key=bics.get)


def test_auto_order_differences_a_random_walk():
    rng = np.random.default_rng(3)
    walk = rng.normal(size=200).cumsum()
    model = ARIMARegressor(order="auto", max_order=(1, 2, 0), trend="n").fit(walk[None])
    assert model.order_[1] == 1


def test_seasonal_auto_chooses_seasonal_differencing_for_airline():
    series = _airline()
    model = ARIMARegressor(
        order=(0, 1, 1), seasonal_order="auto", seasonal_period=12, max_seasonal_order=(0, 1),
        trend="n",
    ).fit(series[None])
    assert model.seasonal_order_[1:] == (1, 1, 12)


@pytest.mark.parametrize(
    ("length", "order", "seasonal_order"),
    [(5, (2, 0, 2), (0, 0, 0, 0)), (12, (0, 1, 1), (0, 1, 1, 12)), (3, (1, 2, 0), (0, 0, 0, 0))],
)
def test_series_too_short_for_the_order_raises(length, order, seasonal_order):
    series = np.arange(length, dtype=float)[None] ** 1.5
    with pytest.raises(ValueError, match="too short"):
        ARIMARegressor(order=order, seasonal_order=seasonal_order).fit(series)


def test_non_convergence_is_one_warning_naming_order_and_row():
    series = _airline()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ARIMARegressor(order=(2, 1, 1), seasonal_order=(0, 1, 1, 12), maxiter=2).fit(
            series[None]
        )
    assert len(caught) == 1
    assert issubclass(caught[0].category, ConvergenceWarning)
    assert "order=(2, 1, 1)" in str(caught[0].message)
    assert "row 0" in str(caught[0].message)


def test_target_channel_out_of_range_raises():
    with pytest.raises(ValueError, match="target_channel=2"):
        ARIMARegressor(target_channel=2).fit(np.ones((3, 10, 2)).cumsum(axis=1))


def test_auto_order_gathers_candidate_warnings_into_one():
    series = _airline()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ARIMARegressor(
            order="auto", max_order=(1, 1, 1), seasonal_order=(0, 1, 1, 12), maxiter=2
        ).fit(series[None])
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"order={model.order_}" in message
    assert "row 0" in message
    assert "other candidate order(s) did not converge" in message


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"order": (1, 0)}, "order"),
        ({"order": (-1, 0, 0)}, "order"),
        ({"order": (1.5, 0, 0)}, "order"),
        ({"seasonal_order": (1, 0, 0)}, "seasonal_order"),
        ({"order": "auto", "max_order": (1, 1)}, "max_order"),
        ({"seasonal_order": (1, 0, 0, 1)}, "seasonal_order"),
    ],
)
def test_malformed_orders_raise_naming_the_parameter(params, name):
    X = np.ones((2, 20)).cumsum(axis=1)
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        ARIMARegressor(**params).fit(X)


def test_rows_longer_than_at_fit_equal_statsmodels_apply():
    series = _airline()
    model = ARIMARegressor(
        order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), trend="n", horizon=6
    ).fit(series[None, :100])
    direct = SARIMAX(
        series[:100], order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), trend="n"
    ).fit(disp=False, maxiter=50)
    mean, std = model.predict([series, series[:50]], return_std=True)
    expected = direct.apply(series).get_forecast(6)
    assert_allclose(mean[0], expected.predicted_mean, rtol=RTOL)
    assert_allclose(std[0], np.sqrt(expected.var_pred_mean), rtol=RTOL)


def test_interval_coverage_on_simulated_ar1_rows_is_nominal():
    X = _ar1_panel(0.7, n_rows=1500, length=31, seed=4)
    model = ARIMARegressor(order=(1, 0, 0), trend="n").fit(X[:500, :-1], X[:500, -1])
    lower, upper = model.predict_interval(X[500:, :-1], coverage=0.9)
    covered = np.mean((lower <= X[500:, -1]) & (X[500:, -1] <= upper))
    # 1000 independent rows: the binomial standard error of 0.9 is about 0.0095.
    assert 0.87 <= covered <= 0.93
