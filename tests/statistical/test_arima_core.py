"""The compiled ARIMA likelihood engine of the auto search, against statsmodels and scipy."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter
from statsmodels.tsa.statespace.sarimax import SARIMAX

from sklseq.statistical._arima_core import compiled, css_residual_ssq, expand, invpartrans, partrans


def _airline_differenced():
    from sktime.datasets import load_airline

    series = np.log(load_airline().to_numpy(dtype=float))
    return series[13:] - series[1:-12] - series[12:-1] + series[:-13]


def _lynx():
    from sktime.datasets import load_lynx

    return np.log(load_lynx().to_numpy(dtype=float))


def _spec(p, q, seasonal_p, seasonal_q, period, with_mean):
    return np.array([p, q, seasonal_p, seasonal_q, period, with_mean], dtype=np.int64)


# (data, (p, q, P, Q, s), ARMA parameters, mean or None)
CASES = {
    "lynx-arma21-mean": (_lynx, (2, 1, 0, 0, 1), [1.3, -0.7, 0.2], 6.7),
    "airline-seasonal-ma": (_airline_differenced, (0, 1, 0, 1, 12), [-0.4, -0.55], None),
    "airline-seasonal-arma": (_airline_differenced, (1, 1, 1, 1, 12), [0.3, -0.6, -0.2, -0.5], None),
    "airline-seasonal-ar2": (_airline_differenced, (2, 0, 2, 0, 12), [0.3, 0.1, -0.2, 0.1], 0.001),
}


def _statsmodels_model(series, orders, mean, concentrate_scale):
    p, q, seasonal_p, seasonal_q, period = orders
    seasonal = (seasonal_p, 0, seasonal_q, period) if seasonal_p or seasonal_q else (0, 0, 0, 0)
    return SARIMAX(
        series - (mean or 0.0), order=(p, 0, q), seasonal_order=seasonal, trend="n",
        concentrate_scale=concentrate_scale,
    )  # fmt: skip


@pytest.mark.parametrize("use_numba", [True, False], ids=["numba", "python"])
@pytest.mark.parametrize("case", list(CASES))
def test_exact_loglike_equals_statsmodels_stationary_init(case, use_numba):
    load, orders, arma, mean = CASES[case]
    series = load()
    params = np.array(arma + ([] if mean is None else [mean]))
    ours = compiled("exact_loglike", use_numba)(
        series[None], np.array([len(series)]), params, _spec(*orders, int(mean is not None))
    )
    # statsmodels' default initialisation of a stationary ARMA is the Lyapunov solution.
    theirs = _statsmodels_model(series, orders, mean, True).loglike(np.array(arma))
    assert_allclose(ours, theirs, rtol=1e-8)


def test_panel_loglike_is_the_rows_statsmodels_loglike_at_the_pooled_variance():
    series = _airline_differenced()
    rows = np.full((2, 80), np.nan)
    rows[0, :80], rows[1, :51] = series[:80], series[80:]
    lengths = np.array([80, 51])
    arma = np.array([0.3, -0.6, -0.2, -0.5])
    ours = compiled("exact_loglike")(
        np.nan_to_num(rows), lengths, arma, _spec(1, 1, 1, 1, 12, 0)
    )
    models = [
        _statsmodels_model(rows[i, : lengths[i]], (1, 1, 1, 1, 12), None, False) for i in range(2)
    ]

    def negative(log_sigma2):
        return -sum(m.loglike(np.r_[arma, np.exp(log_sigma2)]) for m in models)

    best = minimize_scalar(negative, bounds=(-15, 5), method="bounded", options={"xatol": 1e-10})
    assert_allclose(ours, -best.fun, rtol=1e-8)


def test_css_residuals_equal_a_direct_filter():
    series = _lynx()
    spec = _spec(2, 1, 1, 1, 4, 1)
    params = np.array([0.9, -0.3, 0.4, 0.2, -0.3, 6.5])
    phi, theta = expand(params, spec, False)
    n_cond = 2 + 4
    centred = series - params[-1]
    ar_poly = np.r_[1.0, -phi]
    ma_poly = np.r_[1.0, theta]
    innovations = lfilter(ar_poly, [1.0], centred)[n_cond:]
    residuals = lfilter([1.0], ma_poly, innovations)
    ssq, nu = css_residual_ssq(series[None], np.array([len(series)]), params[-1], phi, theta, n_cond)
    assert nu == len(series) - n_cond
    assert_allclose(ssq, np.sum(residuals**2), rtol=1e-12)


def test_transform_gives_stationary_ar_and_inverts():
    raw = np.array([2.5, -1.0, 0.7])
    ar = partrans(raw)
    roots = np.polynomial.polynomial.polyroots(np.r_[1.0, -ar])
    assert np.abs(roots).min() > 1.0
    assert_allclose(invpartrans(ar), raw, rtol=1e-10)
    assert np.isnan(invpartrans(np.array([1.2]))).all()


@pytest.mark.parametrize(
    ("orders", "with_mean"), [((0, 1, 0, 1, 12), 1), ((1, 1, 1, 1, 12), 0), ((2, 0, 0, 0, 1), 1)]
)
def test_css_ml_fit_is_statsmodels_maximum(orders, with_mean):
    series = _airline_differenced()
    params, llf, sigma2, min_root, converged = compiled("fit_css_ml")(
        series[None], np.array([len(series)]), _spec(*orders, with_mean), 100
    )
    p, q, seasonal_p, seasonal_q, period = orders
    seasonal = (seasonal_p, 0, seasonal_q, period) if seasonal_p or seasonal_q else (0, 0, 0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = SARIMAX(
            series, order=(p, 0, q), seasonal_order=seasonal, trend="c" if with_mean else "n"
        ).fit(disp=False, maxiter=200)
    assert converged
    assert min_root > 1.0
    assert llf >= direct.llf - 1e-6 * abs(direct.llf)
    assert_allclose(llf, direct.llf, rtol=1e-5)
    # At our parameters statsmodels' likelihood is ours.
    mean = params[-1] if with_mean else None
    model = _statsmodels_model(series, orders, mean, False)
    n_arma = p + q + seasonal_p + seasonal_q
    assert_allclose(model.loglike(np.r_[params[:n_arma], sigma2]), llf, rtol=1e-8)


def test_css_ml_python_path_gives_the_compiled_numbers():
    series = _lynx()[:60]
    spec = _spec(1, 1, 0, 0, 1, 1)
    lengths = np.array([60])
    fast = compiled("fit_css_ml")(series[None], lengths, spec, 100)
    slow = compiled("fit_css_ml", use_numba=False)(series[None], lengths, spec, 100)
    assert_allclose(fast[0], slow[0], rtol=1e-7)
    assert_allclose(fast[1:4], slow[1:4], rtol=1e-9)


def test_differenced_loglike_is_statsmodels_undifferenced_diffuse_loglike():
    # The search scores candidates on the differenced rows; statsmodels' SARIMAX
    # of the undifferenced series (diffuse start of the integrated states)
    # gives the same likelihood, so the refitted criteria are comparable.
    from sktime.datasets import load_airline

    series = np.log(load_airline().to_numpy(dtype=float))
    differenced = _airline_differenced()
    arma = np.array([-0.4, -0.55])
    ours = compiled("exact_loglike")(
        differenced[None], np.array([len(differenced)]), arma, _spec(0, 1, 0, 1, 12, 0)
    )
    model = SARIMAX(series, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), concentrate_scale=True)
    assert_allclose(ours, model.loglike(arma), rtol=1e-6)
