"""Per-series AutoETS: sklseq ``ExponentialSmoothingRegressor(per_series=True)`` against
statsforecast's ``AutoETS``, on the generated seasonal panel of ``bench_statistical``.

Both sides are warmed up first on two series (sklseq: numba compiles or loads its
cache; statsforecast: its first call), so neither side's one-off start is in the
timings; the warm-up times are printed separately. One core: CPU time of this
process. All cores: wall time (joblib / statsforecast worker processes).
The two competitors alternate within one process.

``--origins K`` first prints the rolling-origin accuracy of the single-series
fit (K origins, one season ahead, as ``bench_statistical``) on airline, lynx,
shampoo, uschange and PBS, with the form each side chose at the last origin.

Run: ``python -m benchmarks.bench_ets_per_series --n-series 40 --origins 3``.
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np

from benchmarks.bench_statistical import HORIZONS, PERIODS, _datasets, generated_panel, mase, smape


def _timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def accuracy(n_origins):
    from statsforecast.models import AutoETS

    from sklseq.statistical import ExponentialSmoothingRegressor

    print(f"## ETS by rolling origin, {n_origins} origins, one season ahead (mean over origins)\n")
    print("| series | sklseq MASE | statsforecast MASE | sklseq sMAPE | statsforecast sMAPE "
          "| sklseq form (last) | statsforecast form (last) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name, series in _datasets().items():
        period, horizon = PERIODS[name], HORIZONS[name]
        scores = []
        for k in range(n_origins):
            end = len(series) - horizon * (n_origins - k)
            history, actual = series[:end], series[end : end + horizon]
            ours = ExponentialSmoothingRegressor(seasonal_period=period, horizon=horizon)
            ours_forecast = ours.fit(history[None]).predict(history[None])[0]
            theirs = AutoETS(season_length=period).fit(history)
            their_forecast = theirs.predict(horizon)["mean"]
            scores.append([mase(actual, ours_forecast, history, period),
                           mase(actual, their_forecast, history, period),
                           smape(actual, ours_forecast), smape(actual, their_forecast)])  # fmt: skip
        ours_mase, their_mase, ours_smape, their_smape = np.mean(scores, axis=0)
        error, trend, season, damped = theirs.model_["components"]
        their_form = f"ETS({error},{trend}{'d' if damped == 'D' else ''},{season})"
        print(f"| {name} | {ours_mase:.3f} | {their_mase:.3f} | {ours_smape:.2f} | "
              f"{their_smape:.2f} | {ours.form_} | {their_form} |")  # fmt: skip
    print()


def main():
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    from sklseq.statistical import ExponentialSmoothingRegressor

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-series", type=int, default=40)
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--all-cores", action="store_true", help="also time n_jobs=-1")
    parser.add_argument("--origins", type=int, default=0, help="rolling-origin accuracy first")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.origins:
        accuracy(args.origins)
    if not args.n_series:
        return
    period, horizon, n_series = 12, args.horizon, args.n_series
    panel = generated_panel(n_series)
    history, actual = panel[:, :-horizon], panel[:, -horizon:]
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(n_series), history.shape[1]),
        "ds": np.tile(np.arange(history.shape[1]), n_series),
        "y": history.ravel(),
    })  # fmt: skip

    def ours(jobs, rows=history):
        model = ExponentialSmoothingRegressor(
            seasonal_period=period, horizon=horizon, per_series=True, n_jobs=jobs
        )
        return model.fit(rows).predict(rows)

    def theirs(jobs, data=frame):
        out = StatsForecast(models=[AutoETS(season_length=period)], freq=1, n_jobs=jobs).forecast(
            df=data, h=horizon
        )
        out = out.sort_values(["unique_id", "ds"]).iloc[:, -1].to_numpy()
        return out.reshape(-1, horizon)

    _, ours_warm, _ = _timed(lambda: ours(1, history[:2]))
    _, theirs_warm, _ = _timed(lambda: theirs(1, frame[frame["unique_id"] < 2]))
    print(f"# per-series AutoETS on {platform.machine()}, {os.cpu_count()} cores (shared, "
          f"loaded machine: wall times are noisy), {n_series} series, length "
          f"{history.shape[1]}, horizon {horizon}\n")  # fmt: skip
    print(f"warm-up on 2 series, excluded below: sklseq {ours_warm:.1f} s (numba compile or "
          f"cache load), statsforecast {theirs_warm:.1f} s\n")  # fmt: skip
    print("| cores | sklseq wall s | sklseq CPU s | statsforecast wall s | statsforecast CPU s "
          "| sklseq MASE | statsforecast MASE |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for jobs in (1, -1) if args.all_cores else (1,):
        mine, my_wall, my_cpu = _timed(lambda: ours(jobs))  # noqa: B023
        other, other_wall, other_cpu = _timed(lambda: theirs(jobs))  # noqa: B023
        my_mase = np.mean([mase(a, f, h, period) for a, f, h in zip(actual, mine, history)])
        other_mase = np.mean([mase(a, f, h, period) for a, f, h in zip(actual, other, history)])
        cores = 1 if jobs == 1 else os.cpu_count()
        cpu_note = "" if jobs == 1 else " (parent only)"
        print(f"| {cores} | {my_wall:.1f} | {my_cpu:.1f}{cpu_note} | {other_wall:.1f} | "
              f"{other_cpu:.1f}{cpu_note} | {my_mase:.3f} | {other_mase:.3f} |")  # fmt: skip


if __name__ == "__main__":
    main()
