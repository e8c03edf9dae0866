"""One model per row (per_series=True): each row's forecast is that of the model
fitted to the row alone, serially, over joblib workers and over a Dask cluster."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklseq.statistical import ARIMARegressor, ExponentialSmoothingRegressor, ThetaRegressor

ESTIMATORS = [
    ARIMARegressor(order="auto", max_order=(2, 1, 2), horizon=3),
    ExponentialSmoothingRegressor(seasonal_period=4, horizon=3),
    ThetaRegressor(model="auto", seasonal_period=4, horizon=3),
]


def _rows():
    rng = np.random.default_rng(0)
    t = np.arange(48)
    level = [20, 50, 80, 35]
    return [
        level[i] + (i + 1) * 0.3 * t + (i % 2 + 1) * 3 * np.sin(2 * np.pi * t / 4)
        + np.cumsum(rng.normal(size=48)) * 0.5
        for i in range(4)
    ]


def _id(estimator):
    return type(estimator).__name__


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_each_row_gets_the_forecast_of_its_own_model(estimator):
    rows = _rows()
    model = estimator.set_params(per_series=True).fit(rows)
    forecast = model.predict(rows)
    for row, row_forecast in zip(rows, forecast):
        alone = estimator.set_params(per_series=False).fit(row[None])
        assert_allclose(row_forecast, alone.predict(row[None])[0], rtol=1e-10)
    estimator.set_params(per_series=False)


def test_orders_are_chosen_per_row():
    rows = _rows()
    model = ETS_PER_SERIES.fit(rows)
    forms = {m.form_ for m in model.per_series_models(rows)}
    assert len(forms) >= 2


ETS_PER_SERIES = ExponentialSmoothingRegressor(seasonal_period=4, horizon=3, per_series=True)


def test_joblib_workers_give_the_serial_forecasts():
    rows = _rows()
    serial = ETS_PER_SERIES.fit(rows).predict(rows)
    parallel = ExponentialSmoothingRegressor(
        seasonal_period=4, horizon=3, per_series=True, n_jobs=2
    ).fit(rows).predict(rows)
    assert_allclose(parallel, serial, rtol=0, atol=0)


def test_dask_cluster_gives_the_serial_forecasts():
    distributed = pytest.importorskip("distributed", reason="the [distributed] extra")
    from joblib import parallel_config

    rows = _rows()
    model = ThetaRegressor(model="auto", seasonal_period=4, horizon=3, per_series=True, n_jobs=-1)
    serial = model.set_params(n_jobs=None).fit(rows).predict(rows)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster), parallel_config(backend="dask"):
        spread = model.set_params(n_jobs=-1).fit(rows).predict(rows)
    assert_allclose(spread, serial, rtol=0, atol=0)


def test_a_failing_row_is_named():
    rows = _rows()
    rows[2] = rows[2] - 1000.0  # not positive: no multiplicative form
    model = ExponentialSmoothingRegressor(error="mul", horizon=2, per_series=True).fit(rows)
    with pytest.raises(ValueError, match=r"^Row 2: Row 0 holds values <= 0"):
        model.predict(rows)


def test_fit_with_per_series_only_validates():
    rows = _rows()
    model = ARIMARegressor(order=(1, 0, 0), per_series=True).fit(rows, np.zeros((4, 2)))
    assert model.horizon_ == 2 and not hasattr(model, "params_")
