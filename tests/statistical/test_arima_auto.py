"""ARIMARegressor(order="auto"): the stepwise auto.arima search, checked against
statsforecast's AutoARIMA and statsmodels called directly."""

import itertools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.statespace.sarimax import SARIMAX

from sklseq.statistical import ARIMARegressor


def _raw_airline():
    from sktime.datasets import load_airline

    return load_airline().to_numpy(dtype=float)


def _shampoo():
    from sktime.datasets import load_shampoo_sales

    return load_shampoo_sales().to_numpy(dtype=float)


def _statsmodels_fit(series, order, seasonal_order, trend):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SARIMAX(series, order=order, seasonal_order=seasonal_order, trend=trend).fit(
            disp=False, maxiter=50
        )


def _statsforecast_choice(series, period):
    """statsforecast's AutoARIMA orders and constant, as statsmodels arguments."""
    from statsforecast.models import AutoARIMA

    model = AutoARIMA(season_length=period).fit(series).model_
    p, q, seasonal_p, seasonal_q, period, d, seasonal_d = model["arma"]
    trend = "c" if {"drift", "intercept"} & set(model["coef"]) else "n"
    return (p, d, q), (seasonal_p, seasonal_d, seasonal_q, period), trend


def _auto(**params):
    return ARIMARegressor(
        order="auto", seasonal_order="auto", seasonal_period=12, horizon=3, **params
    )


@pytest.mark.parametrize(("name", "length"), [("airline", 132), ("shampoo", 33)])
def test_auto_aicc_is_at_least_as_good_as_statsforecast_choice(name, length):
    series = {"airline": _raw_airline, "shampoo": _shampoo}[name]()[:length]
    model = _auto().fit(series[None])
    order, seasonal_order, trend = _statsforecast_choice(series, 12)
    # The same differencing, so the criteria are of the same data.
    assert model.order_[1] == order[1]
    assert model.seasonal_order_[1:] == seasonal_order[1:]
    theirs = _statsmodels_fit(series, order, seasonal_order, trend)
    assert model.aicc_ <= theirs.aicc + 2.0


def _statsmodels_at(series, model):
    """statsmodels' results for our chosen orders at our parameters."""
    return SARIMAX(
        series, order=model.order_, seasonal_order=model.seasonal_order_, trend=model.trend_
    ).smooth(model.params_)


def test_aicc_is_statsmodels_aicc_of_the_chosen_model():
    series = _shampoo()[:33]
    model = _auto().fit(series[None])
    at_ours = _statsmodels_at(series, model)
    assert_allclose([model.llf_, model.aic_, model.aicc_], [at_ours.llf, at_ours.aic, at_ours.aicc], rtol=1e-8)
    # The refit starts from the search's estimates: at least as likely as statsmodels' own start.
    direct = _statsmodels_fit(series, model.order_, model.seasonal_order_, model.trend_)
    assert model.llf_ >= direct.llf - 1e-6 * abs(direct.llf)


@pytest.mark.parametrize("length", [32, 33])
def test_short_shampoo_is_not_explosive_and_warns_nothing(length):
    series = _shampoo()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _auto().fit(series[None, :length])
        forecast = model.predict(series[None, :length])
    assert caught == []
    ours = _statsmodels_at(series[:length], model)
    roots = np.concatenate([ours.arroots, ours.maroots, [np.inf]])
    assert np.abs(roots).min() >= 1.01
    # Actual values 682, 475, 581 (length 32) and 475, 581, 647 (length 33).
    assert np.all((forecast > 300) & (forecast < 900))


def test_near_unit_roots_are_rejected():
    # On 32 months of shampoo sales with a seasonal difference, the AIC
    # minimum (0, 1, 2) has an MA root of modulus about 1.004.
    series = _shampoo()[:32]
    seasonal_order = (0, 1, 0, 12)
    aics, stable = {}, {}
    for p, q in itertools.product(range(4), range(3)):
        fit = _statsmodels_fit(series, (p, 1, q), seasonal_order, "n")
        roots = np.concatenate([fit.arroots, fit.maroots, [np.inf]])
        aics[(p, 1, q)] = fit.aic
        stable[(p, 1, q)] = fit.aic if np.abs(roots).min() >= 1.01 else np.inf
    assert stable[min(aics, key=aics.get)] == np.inf
    model = ARIMARegressor(
        order="auto", max_order=(3, 1, 2), seasonal_order=seasonal_order, trend="n",
        information_criterion="aic", stepwise=False,
    ).fit(series[None])
    assert stable[model.order_] <= min(stable.values()) + 1.0


def test_full_grid_is_the_aicc_minimum_over_stable_fits(lynx):
    model = ARIMARegressor(order="auto", max_order=(2, 0, 2), stepwise=False).fit(lynx[None])
    aiccs = {}
    for p, q in itertools.product(range(3), range(3)):
        fit = _statsmodels_fit(lynx, (p, 0, q), (0, 0, 0, 0), "c")
        roots = np.concatenate([fit.arroots, fit.maroots, [np.inf]])
        aiccs[(p, 0, q)] = fit.aicc if np.abs(roots).min() >= 1.01 else np.inf
    assert model.order_ == min(aiccs, key=aiccs.get)
    stepwise = ARIMARegressor(order="auto", max_order=(2, 0, 2)).fit(lynx[None])
    assert stepwise.aicc_ <= min(aiccs.values()) + 2.0


def test_twice_differenced_auto_model_has_no_constant():
    series = _raw_airline()[:132]
    model = _auto().fit(series[None])
    assert model.order_[1] + model.seasonal_order_[1] == 2
    assert model.trend_ == "n"
    assert ARIMARegressor(order=(0, 1, 1), seasonal_order=(0, 1, 0, 12)).fit(
        series[None]
    ).trend_ == "c"


def test_orders_are_capped_at_a_third_of_a_short_series():
    series = np.array([3.0, 5.0, 4.0, 6.0, 5.0, 7.0, 6.0, 8.0])
    model = ARIMARegressor(order="auto", max_order=(3, 0, 3), stepwise=False).fit(series[None])
    assert max(model.order_[0], model.order_[2]) <= len(series) // 3


def test_panel_auto_search_runs_on_several_rows():
    rng = np.random.default_rng(1)
    noise = rng.normal(size=(4, 61))
    rows = noise[:, 1:] + 0.6 * noise[:, :-1]  # MA(1), theta = 0.6
    model = ARIMARegressor(order="auto", max_order=(1, 0, 1), trend="n").fit(rows)
    assert model.order_ in {(0, 0, 1), (1, 0, 1)}
    assert model.predict(rows).shape == (4,)


def test_unknown_information_criterion_raises():
    with pytest.raises(ValueError, match="information_criterion"):
        ARIMARegressor(order="auto", information_criterion="hqic").fit(np.arange(20.0)[None])


def _series_and_period(name):
    from sktime.datasets import load_airline, load_lynx, load_shampoo_sales, load_uschange

    if name == "uschange":
        return load_uschange()[0].to_numpy(dtype=float), 4
    loader = {"airline": load_airline, "lynx": load_lynx, "shampoo": load_shampoo_sales}[name]
    return loader().to_numpy(dtype=float), {"airline": 12, "lynx": 10, "shampoo": 12}[name]


@pytest.mark.parametrize("name", ["airline", "lynx", "shampoo", "uschange"])
def test_choice_aicc_within_two_of_statsforecast_choice_refitted(name):
    series, period = _series_and_period(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ARIMARegressor(
            order="auto", seasonal_order="auto", seasonal_period=period
        ).fit(series[None])
        order, seasonal_order, trend = _statsforecast_choice(series, period)
        if not any(seasonal_order[:3]):
            seasonal_order = (0, 0, 0, 0)
        theirs = ARIMARegressor(order=order, seasonal_order=seasonal_order, trend=trend).fit(
            series[None]
        )
    assert ours.aicc_ <= theirs.aicc_ + 2.0


def test_constant_is_searched_and_dropped_when_it_does_not_pay():
    # A driftless random walk: the drift's AICc penalty is not paid back.
    rng = np.random.default_rng(4)
    series = np.cumsum(rng.normal(size=150))
    model = ARIMARegressor(order="auto").fit(series[None])
    assert model.order_[1] == 1 and model.trend_ == "n"
    with_drift = ARIMARegressor(order=model.order_, trend="c").fit(series[None])
    assert model.aicc_ < with_drift.aicc_


def test_default_seasonal_bounds_are_auto_arimas():
    assert ARIMARegressor().max_seasonal_order == (2, 2)


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (np.full(40, 3.0), [3.0, 3.0]),  # a constant: its mean
        (np.arange(40.0), [40.0, 41.0]),  # constant differences: the drift
        (np.tile(np.arange(12.0), 5), [0.0, 1.0]),  # one repeated season
    ],
)
def test_series_constant_after_differencing_are_continued(series, expected):
    # Nothing is left to model after differencing (auto.arima's special case):
    # every candidate fit would be degenerate, the search is skipped.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIMARegressor(
            order="auto", seasonal_order="auto", seasonal_period=12, horizon=2
        ).fit(series[None])
    assert model.order_[0] == model.order_[2] == 0
    # statsmodels fits a degenerate (zero-variance) model: close, not exact.
    assert_allclose(model.predict(series[None])[0], expected, rtol=1e-4, atol=1e-4)
