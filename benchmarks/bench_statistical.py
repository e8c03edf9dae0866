"""sklseq's automatic statistical forecasters against statsforecast's.

Part 1, accuracy: rolling origin (several origins, one season ahead) on the
forecasting data shipped with sktime (airline, lynx, shampoo, uschange
consumption, PBS): sklseq ``ExponentialSmoothingRegressor`` (AutoETS),
``ThetaRegressor(model="auto")`` and ``ARIMARegressor(order="auto")`` against
statsforecast's ``AutoETS``, ``AutoTheta`` and ``AutoARIMA``, MASE and sMAPE
side by side (mean over origins).

Part 2, many series: generated seasonal series (length 120, period 12, half
from a seasonal ARIMA, half from an ETS(M,A,M) process), one model per series:
fit + forecast time and MASE of sklseq (``per_series=True``) and statsforecast,
with ``n_jobs=1`` and with all cores (wall time, and CPU time of the process
and its workers). sklseq's pooled ETS (one parameter set for all series, each series its
own states) is reported separately, labelled pooled.

Run: ``python -m benchmarks.bench_statistical`` (``--quick`` for fewer
series; ``--n-series 100 --models ARIMA --jobs 1,2 --skip-accuracy`` for one
part; ``--models Theta`` times AutoTheta per series, which has no pooled fit).
Wall times on a shared machine are noisy; the ratios come from one process,
competitors alternating.
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np

HORIZONS = {"airline": 12, "lynx": 10, "shampoo": 6, "uschange": 4, "PBS": 12}
PERIODS = {"airline": 12, "lynx": 10, "shampoo": 12, "uschange": 4, "PBS": 12}


def _datasets():
    from sktime.datasets import (
        load_airline,
        load_lynx,
        load_PBS_dataset,
        load_shampoo_sales,
        load_uschange,
    )

    return {
        "airline": load_airline().to_numpy(float),
        "lynx": load_lynx().to_numpy(float),
        "shampoo": load_shampoo_sales().to_numpy(float),
        "uschange": load_uschange()[0].to_numpy(float),
        "PBS": load_PBS_dataset().to_numpy(float),
    }


def mase(actual, forecast, history, period):
    lag = period if len(history) > period else 1
    scale = np.mean(np.abs(history[lag:] - history[:-lag]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def smape(actual, forecast):
    return float(np.mean(2 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))) * 100)


def _sklseq_models(period):
    from sklseq.statistical import ARIMARegressor, ExponentialSmoothingRegressor, ThetaRegressor

    return {
        "ETS": lambda h: ExponentialSmoothingRegressor(seasonal_period=period, horizon=h),
        "Theta": lambda h: ThetaRegressor(model="auto", seasonal_period=period, horizon=h),
        "ARIMA": lambda h: ARIMARegressor(
            order="auto", seasonal_order="auto", seasonal_period=period, horizon=h
        ),
    }


def _statsforecast_models(period):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    return {
        "ETS": lambda: AutoETS(season_length=period),
        "Theta": lambda: AutoTheta(season_length=period),
        "ARIMA": lambda: AutoARIMA(season_length=period),
    }


def accuracy(n_origins):
    print(f"## Rolling origin, {n_origins} origins, one season ahead (mean over origins)\n")
    print("| series | model | sklseq MASE | statsforecast MASE | sklseq sMAPE | statsforecast sMAPE |")
    print("|---|---|---|---|---|---|")
    wins = ties = total = 0
    for name, series in _datasets().items():
        period, horizon = PERIODS[name], HORIZONS[name]
        ours_by_model, theirs_by_model = _sklseq_models(period), _statsforecast_models(period)
        for model_name in ours_by_model:
            scores = {"ours": [], "theirs": []}
            for k in range(n_origins):
                end = len(series) - horizon * (n_origins - k)
                history, actual = series[:end], series[end : end + horizon]
                ours = ours_by_model[model_name](horizon).fit(history[None]).predict(history[None])[0]
                theirs = theirs_by_model[model_name]().forecast(y=history, h=horizon)["mean"]
                scores["ours"].append((mase(actual, ours, history, period), smape(actual, ours)))
                scores["theirs"].append((mase(actual, theirs, history, period), smape(actual, theirs)))
            ours_mase, ours_smape = np.mean(scores["ours"], axis=0)
            theirs_mase, theirs_smape = np.mean(scores["theirs"], axis=0)
            total += 1
            wins += ours_mase < theirs_mase - 1e-9
            ties += abs(ours_mase - theirs_mase) <= 1e-9
            print(f"| {name} | {model_name} | {ours_mase:.3f} | {theirs_mase:.3f} | "
                  f"{ours_smape:.2f} | {theirs_smape:.2f} |")  # fmt: skip
    print(f"\nsklseq lower MASE on {wins} of {total} (series, model) pairs, equal on {ties}.\n")


def ets_selection(name, n_origins):
    """Why the AutoETS sides differ on ``name``: each side's form and AICc, and each side's AICc
    of the other's form, at the accuracy table's origins.

    AICc on statsforecast's scale (without the constant ``n (log(2 pi / n) + 1)`` that sklseq's
    log-likelihood includes); "sf at ours" is statsforecast's likelihood at sklseq's estimates.
    """
    from statsforecast.ets import ets_f, pegelsresid_C

    from sklseq.statistical import ExponentialSmoothingRegressor

    series, period, horizon = _datasets()[name], PERIODS[name], HORIZONS[name]
    print(f"## AutoETS on {name} (period {period}): the forms each side selects\n")
    print("| origin | statsforecast form | its AICc | sklseq AICc of it | sklseq form | its AICc "
          "| statsforecast AICc of it | sf at ours |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for k in range(n_origins):
        history = series[: len(series) - horizon * (n_origins - k)]
        n = len(history)
        constant = n * (np.log(2 * np.pi / n) + 1)
        theirs = ets_f(history, period)
        error, trend, season, damped = theirs["components"]
        refit = ExponentialSmoothingRegressor(
            error={"A": "add", "M": "mul"}[error], trend=None if trend == "N" else "add",
            damped_trend=damped == "D", seasonal={"N": None, "A": "add", "M": "mul"}[season],
            seasonal_period=period,
        ).fit(history[None])  # fmt: skip
        ours = ExponentialSmoothingRegressor(seasonal_period=period).fit(history[None])
        codes = (ours.error_[0].upper(), "A" if ours.trend_ else "N",
                 ours.seasonal_[0].upper() if ours.seasonal_ else "N")  # fmt: skip
        their_fit = ets_f(history, period, model="".join(codes), damped=ours.damped_trend_)
        states, m = ours.initial_states_, period if ours.seasonal_ else 1
        if ours.seasonal_:
            implied = (m if ours.seasonal_ == "mul" else 0.0) - states[1 + bool(ours.trend_) :].sum()
            states = np.append(states, implied)
        smoothing = [ours.smoothing_[key] for key in ("alpha", "beta", "gamma", "phi")]
        smoothing = [value if value is not None else default
                     for value, default in zip(smoothing, (0.0, 0.0, 0.0, 1.0))]  # fmt: skip
        *_, neg2llf = pegelsresid_C(history, m, states, *codes, ours.damped_trend_, *smoothing, 3)
        k_params = ours._fit_result.n_params
        at_ours = neg2llf + 2 * k_params + 2 * k_params * (k_params + 1) / (n - k_params - 1)
        print(f"| {n} | {theirs['method']} | {theirs['aicc']:.1f} | {refit.aicc_ - constant:.1f} | "
              f"{ours.form_} | {ours.aicc_ - constant:.1f} | {their_fit['aicc']:.1f} | "
              f"{at_ours:.1f} |")  # fmt: skip
    print()


def generated_panel(n_series, length=120, period=12, seed=0):
    """Half seasonal ARIMA(0,1,1)(0,1,1) paths, half ETS(M,A,M) paths; all positive."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        if i % 2 == 0:
            noise = rng.normal(scale=rng.uniform(0.5, 2.0), size=length + period + 1)
            theta, big_theta = rng.uniform(-0.6, 0.2), rng.uniform(-0.7, -0.1)
            shocks = noise.copy()
            shocks[1:] += theta * noise[:-1]
            shocks[period:] += big_theta * noise[:-period]
            shocks[period + 1 :] += theta * big_theta * noise[: -period - 1]
            base = rng.normal(scale=5, size=period)
            path = np.empty(length + period + 1)
            path[: period + 1] = 100 + np.r_[base, base[0]]
            for t in range(period + 1, len(path)):
                path[t] = path[t - 1] + path[t - period] - path[t - period - 1] + shocks[t]
            rows.append(path[-length:] - path[-length:].min() + 20)
        else:
            level, slope = rng.uniform(50, 200), rng.uniform(-0.1, 0.5)
            season = 1 + rng.uniform(0.05, 0.3) * np.sin(2 * np.pi * (np.arange(period) + rng.integers(period)) / period)
            alpha, beta, gamma = rng.uniform(0.1, 0.5), rng.uniform(0.01, 0.05), rng.uniform(0.01, 0.1)
            sigma = rng.uniform(0.01, 0.05)
            row = np.empty(length)
            for t in range(length):
                s = season[t % period]
                mean = (level + slope) * s
                error = rng.normal(scale=sigma)
                row[t] = mean * (1 + error)
                new_level = (level + slope) * (1 + alpha * error)
                slope = slope + beta * (level + slope) * error
                season[t % period] = s * (1 + gamma * error)
                level = new_level
            rows.append(row)
    return np.stack(rows)


def _cpu_seconds():
    """CPU time of this process and its worker processes (joblib's loky, statsforecast's pool)."""
    import resource

    total = time.process_time()
    total += resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    total += resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
    try:
        import psutil
    except ImportError:  # live workers then go uncounted
        return total
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _timed(function):
    wall, cpu = time.perf_counter(), _cpu_seconds()
    result = function()
    return result, time.perf_counter() - wall, _cpu_seconds() - cpu


def _mean_mase(actual, forecast, history, period):
    return float(np.mean([mase(a, f, h, period) for a, f, h in zip(actual, forecast, history)]))


def _per_series_models(period, horizon):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    from sklseq.statistical import ARIMARegressor, ExponentialSmoothingRegressor, ThetaRegressor

    return {
        "ARIMA": (
            lambda jobs: ARIMARegressor(order="auto", seasonal_order="auto", seasonal_period=period,
                                        horizon=horizon, per_series=True, n_jobs=jobs),
            lambda: AutoARIMA(season_length=period),
        ),
        "ETS": (
            lambda jobs: ExponentialSmoothingRegressor(seasonal_period=period, horizon=horizon,
                                                       per_series=True, n_jobs=jobs),
            lambda: AutoETS(season_length=period),
        ),
        "Theta": (
            lambda jobs: ThetaRegressor(model="auto", seasonal_period=period, horizon=horizon,
                                        per_series=True, n_jobs=jobs),
            lambda: AutoTheta(season_length=period),
        ),
    }  # fmt: skip


def many_series(n_series, models, jobs_list, horizon=12, period=12, pooled=True):
    """One model per series, sklseq and statsforecast alternating; the pooled fits apart."""
    import pandas as pd
    from statsforecast import StatsForecast

    from sklseq.statistical import ARIMARegressor, ExponentialSmoothingRegressor

    print(f"## {n_series} generated seasonal series (length 120, period {period}, horizon "
          f"{horizon}), one model per series\n")  # fmt: skip
    print("CPU s counts this process and its worker processes. Both libraries are run once on "
          "2 series first (numba compilation / cache loading is not timed).\n")  # fmt: skip
    print("| model | series | n_jobs | sklseq wall s | sklseq CPU s | statsforecast wall s | "
          "statsforecast CPU s | sklseq MASE | statsforecast MASE |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    panel = generated_panel(n_series)
    history, actual = panel[:, :-horizon], panel[:, -horizon:]
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(n_series), history.shape[1]),
        "ds": np.tile(np.arange(history.shape[1]), n_series),
        "y": history.ravel(),
    })  # fmt: skip
    by_name = _per_series_models(period, horizon)
    for name in models:
        ours_model, their_model = by_name[name]
        ours_model(1).fit(history[:2]).predict(history[:2])
        StatsForecast(models=[their_model()], freq=1).forecast(df=frame[frame.unique_id < 2], h=horizon)
        for jobs in jobs_list:
            ours, ours_wall, ours_cpu = _timed(
                lambda: ours_model(jobs).fit(history).predict(history)  # noqa: B023
            )
            sf = StatsForecast(models=[their_model()], freq=1, n_jobs=jobs)
            theirs, their_wall, their_cpu = _timed(
                lambda: sf.forecast(df=frame, h=horizon)  # noqa: B023
            )
            theirs = theirs.sort_values(["unique_id", "ds"]).iloc[:, -1].to_numpy()
            theirs = theirs.reshape(n_series, horizon)
            print(f"| {name} | {n_series} | {jobs} | {ours_wall:.1f} | {ours_cpu:.1f} | "
                  f"{their_wall:.1f} | {their_cpu:.1f} | "
                  f"{_mean_mase(actual, ours, history, period):.3f} | "
                  f"{_mean_mase(actual, theirs, history, period):.3f} |", flush=True)  # fmt: skip
    if not pooled:
        return
    pooled_models = {
        "ARIMA": lambda: ARIMARegressor(order="auto", seasonal_order="auto",
                                        seasonal_period=period, horizon=horizon),
        "ETS": lambda: ExponentialSmoothingRegressor(seasonal_period=period, horizon=horizon),
    }  # fmt: skip
    for name in [name for name in models if name in pooled_models]:
        forecast, wall, cpu = _timed(
            lambda: pooled_models[name]().fit(history).predict(history)  # noqa: B023
        )
        print(f"\nPOOLED (not like for like: one parameter set for all {n_series} series, each "
              f"its own states) sklseq {name}: wall {wall:.1f} s, CPU {cpu:.1f} s, "
              f"MASE {_mean_mase(actual, forecast, history, period):.3f}.", flush=True)  # fmt: skip
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer origins and series")
    parser.add_argument("--n-series", type=int, default=None, help="generated series (1000)")
    parser.add_argument("--models", default="ARIMA,ETS", help="per-series models, comma separated")
    parser.add_argument("--jobs", default="1,-1", help="n_jobs values, comma separated (\"\": pooled only)")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-pooled", action="store_true")
    parser.add_argument("--ets-selection", metavar="SERIES", default=None,
                        help="only explain the AutoETS forms selected on one series (e.g. lynx)")
    args = parser.parse_args()
    n_series = args.n_series if args.n_series is not None else (20 if args.quick else 1000)
    print(f"# bench_statistical on {platform.machine()}, {os.cpu_count()} cores "
          "(a shared machine: wall times are noisy)\n")  # fmt: skip
    warnings.simplefilter("ignore")
    if args.ets_selection:
        ets_selection(args.ets_selection, n_origins=2 if args.quick else 3)
        return
    if not args.skip_accuracy:
        accuracy(n_origins=2 if args.quick else 3)
    if n_series:
        many_series(
            n_series,
            [m.strip() for m in args.models.split(",") if m.strip()],
            [int(j) for j in args.jobs.split(",") if j.strip()],
            pooled=not args.skip_pooled,
        )


if __name__ == "__main__":
    main()
