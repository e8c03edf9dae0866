"""Statistical forecasters: sklseq against statsmodels direct and statsforecast.

Three comparisons, each run side by side in this process with BLAS pinned to
one thread for every library (SPEC section 5):

1. Wrapper overhead on airline: ``ARIMARegressor`` fit + 12-step forecast with
   intervals against ``SARIMAX(...).fit()`` + ``get_forecast(12)`` on the same
   series and order (target: at most 1.1x).
2. Forecasting many rows with fitted parameters: one ``predict`` on a panel of
   1,000 histories against a Python loop of ``results.apply(row).get_forecast``
   (target: at least 10x faster).
3. Fit + forecast of 1,000 random-walk series of length 100 against
   statsforecast's ``ARIMA`` (one model per series, as statsforecast does; sklseq
   fits one set of parameters to the panel), with the accuracy of both on the
   held-out last 10 steps (target: faster than statsforecast). statsforecast
   compiles its kernels with numba on first use: that warm-up runs on 10
   series before the timing and is not counted.

    python -m benchmarks.bench_statistical --quick   # ~30 s
    python -m benchmarks.bench_statistical           # a few minutes
"""

import warnings

import numpy as np
from threadpoolctl import ThreadpoolController

from benchmarks._util import (
    alternating_times,
    format_ratio,
    format_time,
    machine_description,
    main,
    markdown_table,
    time_call,
)
from sklseq.statistical import ARIMARegressor

AIRLINE_ORDER = ((0, 1, 1), (0, 1, 1, 12))
# One controller: threadpool_limits() rescans the loaded libraries (~4 ms) on each call.
_THREADPOOLS = ThreadpoolController()


def threadpool_limits(limits, user_api):
    return _THREADPOOLS.limit(limits=limits, user_api=user_api)


def _airline():
    from sktime.datasets import load_airline

    return np.log(load_airline().to_numpy(dtype=float))


def _overhead(quick):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    series = _airline()
    order, seasonal_order = AIRLINE_ORDER

    def direct():
        with threadpool_limits(1, user_api="blas"):
            result = SARIMAX(series, order=order, seasonal_order=seasonal_order, trend="n").fit(
                disp=False, maxiter=50
            )
            forecast = result.get_forecast(12)
            return forecast.predicted_mean, forecast.conf_int(alpha=0.1)

    def wrapped():
        model = ARIMARegressor(
            order=order, seasonal_order=seasonal_order, trend="n", horizon=12
        ).fit(series[None])
        return model.predict(series[None]), model.predict_interval(series[None], coverage=0.9)

    t_direct, t_wrapped = alternating_times([direct, wrapped], repeat=5 if quick else 15)
    expected, (lower, upper) = direct(), wrapped()[1]
    error = max(
        np.max(np.abs(wrapped()[0][0] - expected[0])),
        np.max(np.abs(lower[0] - expected[1][:, 0])),
        np.max(np.abs(upper[0] - expected[1][:, 1])),
    )
    return [
        "airline, SARIMA(0,1,1)(0,1,1,12): fit + 12-step forecast + 90% interval",
        format_time(t_direct) + " CPU",
        format_time(t_wrapped) + " CPU",
        format_ratio(t_wrapped / t_direct) + " (sklseq / statsmodels)",
        "<= 1.1x",
        f"max abs diff {error:.1e}",
    ]


def _many_rows(quick):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    series = _airline()
    order, seasonal_order = AIRLINE_ORDER
    n_rows = 200 if quick else 1000
    n_loop = 50 if quick else 200
    rng = np.random.default_rng(0)
    # Histories as long as airline: airline with a random level and noise.
    rows = (
        series
        + rng.normal(0, 0.3, size=(n_rows, 1))
        + rng.normal(0, 0.02, size=(n_rows, len(series)))
    )
    model = ARIMARegressor(order=order, seasonal_order=seasonal_order, trend="n", horizon=12)
    model.fit(series[None])
    with threadpool_limits(1, user_api="blas"):
        result = SARIMAX(series, order=order, seasonal_order=seasonal_order, trend="n").fit(
            disp=False, maxiter=50
        )

    def loop(panel):
        with threadpool_limits(1, user_api="blas"):
            return np.array([result.apply(row).get_forecast(12).predicted_mean for row in panel])

    t_sklseq, _ = time_call(model.predict, rows, repeat=5)
    # The loop is timed on n_loop rows and scaled: its cost is linear in the rows.
    t_loop, _ = time_call(loop, rows[:n_loop], repeat=1, warmup=0)
    t_loop *= n_rows / n_loop
    error = np.max(np.abs(model.predict(rows[:n_loop]) - loop(rows[:n_loop])))
    return [
        f"{n_rows} histories of 144 steps, fitted SARIMA, 12-step forecasts",
        format_time(t_loop) + f" (loop of {n_loop}, scaled)",
        format_time(t_sklseq),
        format_ratio(t_loop / t_sklseq) + " faster",
        ">= 10x faster",
        f"max abs diff {error:.1e}",
    ]


def _random_walks(n_series, length, seed=0):
    rng = np.random.default_rng(seed)
    steps = rng.normal(size=(n_series, length))
    # A little autocorrelation in the steps, so an AR term has something to find.
    steps[:, 1:] += 0.3 * steps[:, :-1]
    return steps.cumsum(axis=1)


def _versus_statsforecast(quick):
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import ARIMA

    n_series = 200 if quick else 1000
    horizon = 10
    walks = _random_walks(n_series, 100)
    history, future = walks[:, :-horizon], walks[:, -horizon:]

    def frame(panel):
        n, length = panel.shape
        return pd.DataFrame(
            {
                "unique_id": np.repeat(np.arange(n), length),
                "ds": np.tile(np.arange(length), n),
                "y": panel.ravel(),
            }
        )

    def statsforecast(panel):
        sf = StatsForecast(models=[ARIMA(order=(1, 1, 0))], freq=1, n_jobs=1)
        with threadpool_limits(1, user_api="blas"):
            out = sf.forecast(df=frame(panel), h=horizon, level=[90])
        out = out.sort_values(["unique_id", "ds"])
        shape = (len(panel), horizon)
        return (
            out["ARIMA"].to_numpy().reshape(shape),
            out["ARIMA-lo-90"].to_numpy().reshape(shape),
            out["ARIMA-hi-90"].to_numpy().reshape(shape),
        )

    def sklseq(panel):
        model = ARIMARegressor(order=(1, 1, 0), trend="n", horizon=horizon).fit(panel)
        lower, upper = model.predict_interval(panel, coverage=0.9)
        return model.predict(panel), lower, upper

    statsforecast(history[:10])  # numba compilation, not timed
    t_sf, _ = time_call(statsforecast, history, repeat=1, warmup=0)
    t_sk, _ = time_call(sklseq, history, repeat=3, warmup=1)

    def accuracy(result):
        mean, lower, upper = result
        mae = np.mean(np.abs(mean - future))
        rmse = np.sqrt(np.mean((mean - future) ** 2))
        coverage = np.mean((lower <= future) & (future <= upper))
        return f"MAE {mae:.3f}, RMSE {rmse:.3f}, 90% cover {coverage:.1%}"

    return [
        f"{n_series} random walks of length 100, ARIMA(1,1,0): fit + 10-step forecast "
        "+ 90% interval",
        format_time(t_sf) + " (statsforecast)",
        format_time(t_sk),
        format_ratio(t_sf / t_sk) + " faster",
        "faster than statsforecast",
        f"statsforecast: {accuracy(statsforecast(history))}; "
        f"sklseq: {accuracy(sklseq(history))}",
    ]


def run(quick: bool) -> str:
    """Run the three comparisons and return the markdown section."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [_overhead(quick), _many_rows(quick), _versus_statsforecast(quick)]
    headers = ["task", "competitor", "sklseq", "ratio", "target", "agreement / accuracy"]
    mode = "quick" if quick else "full"
    return "\n\n".join(
        [
            "## Statistical forecasters",
            f"Mode: {mode}. Machine: {machine_description()}; shared with other jobs, "
            "so wall times are noisy, the ratios less so. Best of several runs "
            "unless noted; the overhead row compares CPU time, which other processes do "
            "not inflate. statsforecast's numba warm-up is excluded.",
            markdown_table(headers, rows),
            "sklseq fits one set of ARIMA parameters to all series (rows are realisations "
            "of one process); statsforecast fits one model per series.",
        ]
    )


if __name__ == "__main__":
    main(run, "statistical", description=__doc__.splitlines()[0])
