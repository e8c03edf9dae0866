"""sklseq models against sktime baselines on real data shipped with sktime.

Forecasting: rolling-origin evaluation (expanding window) on airline, lynx and
shampoo sales. At each origin every model is fitted on the history so far and
forecasts the next ``horizon`` values; the table gives the mean absolute error
and sMAPE over all origins and the total fit + forecast time. sklseq fits a
one-row panel (``model.fit(history[None])``) and forecasts from the end of it;
sktime fits the series as a ``pd.Series``.

Classification: train/test splits of GunPoint, ItalyPowerDemand, BasicMotions
(6 channels) and JapaneseVowels (12 channels, variable length), sklseq's
``SequenceClassifier`` with default parameters against sktime's
``MiniRocketClassifier`` and 1-nearest-neighbour DTW.

Plots: ``benchmarks/results/baselines_forecast.png`` (the last airline origin)
and ``benchmarks/results/baselines_accuracy.png``.

    python -m benchmarks.bench_baselines [--quick]
"""

import time
import warnings

import numpy as np
import pandas as pd

from benchmarks._util import RESULTS_DIR, machine_description, main, markdown_table

# name, loader, seasonal period (None: not seasonal), horizon, number of origins
FORECAST_DATA = (
    ("airline", "load_airline", 12, 12, 12),
    ("lynx", "load_lynx", None, 5, 10),
    ("shampoo", "load_shampoo_sales", 12, 3, 6),
)
CLASSIFICATION_DATA = (
    ("GunPoint", "load_gunpoint"),
    ("ItalyPowerDemand", "load_italy_power_demand"),
    ("BasicMotions", "load_basic_motions"),
    ("JapaneseVowels", "load_japanese_vowels"),
)


# --------------------------------------------------------------------------
# forecasting


def _sklseq_forecasters(season):
    from sklseq.statistical import (
        ARIMARegressor,
        ExponentialSmoothingRegressor,
        LastValueRegressor,
        SeasonalNaiveRegressor,
    )

    models = {"sklseq LastValue": LastValueRegressor()}
    if season:
        models["sklseq SeasonalNaive"] = SeasonalNaiveRegressor(season_length=season)
    models["sklseq ExpSmoothing (damped, seasonal)"] = ExponentialSmoothingRegressor(
        trend=True, damped_trend=True, seasonal=season
    )
    models["sklseq ARIMA auto"] = ARIMARegressor(
        order="auto",
        seasonal_order="auto" if season else (0, 0, 0, 0),
        seasonal_period=season,
    )
    return models


def _sktime_forecasters(season):
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.statsforecast import (
        StatsForecastAutoARIMA,
        StatsForecastAutoETS,
    )
    from sktime.forecasting.theta import ThetaForecaster

    sp = season or 1
    models = {"sktime Naive (last)": NaiveForecaster(strategy="last")}
    if season:
        models["sktime Naive (seasonal)"] = NaiveForecaster(strategy="last", sp=sp)
    # sktime's statsmodels-based AutoETS took 35 s a fit on airline here; the
    # statsforecast one is the fast, equivalent baseline.
    models["sktime AutoETS (statsforecast)"] = StatsForecastAutoETS(season_length=sp)
    models["sktime Theta"] = ThetaForecaster(sp=sp)
    models["sktime AutoARIMA (statsforecast)"] = StatsForecastAutoARIMA(sp=sp)
    return models


def _smape(actual, forecast):
    return 200 * np.mean(np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast)))


def _rolling_origin(series, horizon, n_origins, forecast):
    """Mean MAE and sMAPE of ``forecast(history, horizon)`` over the origins."""
    values = series.to_numpy(dtype=float)
    origins = range(len(values) - horizon - n_origins + 1, len(values) - horizon + 1)
    maes, smapes, last = [], [], None
    for origin in origins:
        actual = values[origin : origin + horizon]
        last = forecast(series.iloc[:origin], horizon)
        maes.append(np.mean(np.abs(actual - last)))
        smapes.append(_smape(actual, last))
    return float(np.mean(maes)), float(np.mean(smapes)), last


def _sklseq_forecast(model):
    def forecast(history, horizon):
        row = history.to_numpy(dtype=float)[None, :]
        return model.set_params(horizon=horizon).fit(row).predict(row)[0]

    return forecast


def _sktime_forecast(model):
    # Through sklseq's adapter, as the sklseq models: a one-row panel forecast from its end
    # (the adapter keeps sktime's remember_data FutureWarning out of the report).
    from sklseq.interop import SktimeBaseline

    def forecast(history, horizon):
        row = history.to_numpy(dtype=float)[None, :]
        return SktimeBaseline(model, horizon=horizon).fit(row).predict(row)[0]

    return forecast


def _forecasting_section(quick):
    import sktime.datasets

    rows, plot = [], None
    for name, loader, season, horizon, n_origins in FORECAST_DATA:
        series = getattr(sktime.datasets, loader)().astype(float)
        if quick:
            n_origins = min(n_origins, 3)
        models = {
            **{k: _sklseq_forecast(m) for k, m in _sklseq_forecasters(season).items()},
            **{k: _sktime_forecast(m) for k, m in _sktime_forecasters(season).items()},
        }
        forecasts = {}
        for label, forecast in models.items():
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    mae, smape, last = _rolling_origin(series, horizon, n_origins, forecast)
            except Exception as exc:  # a baseline that fails is reported, not hidden
                rows.append([name, label, "failed", type(exc).__name__, str(exc)[:60]])
                continue
            seconds = time.perf_counter() - start
            forecasts[label] = last
            rows.append([name, label, f"{mae:.2f}", f"{smape:.2f}", f"{seconds:.2f} s"])
        if name == "airline":
            plot = (series, horizon, forecasts)
    table = markdown_table(
        ["data", "model", "MAE", "sMAPE %", "fit + forecast, all origins"], rows
    )
    intro = (
        "### Forecasting: rolling origin, expanding window\n\n"
        + ", ".join(
            f"{name}: horizon {h}, {min(o, 3) if quick else o} origins"
            for name, _, _, h, o in FORECAST_DATA
        )
        + ".\n"
    )
    return intro + "\n" + table, plot


# --------------------------------------------------------------------------
# classification


def _load_panel(loader, split):
    """sktime's data as a list of (n_timesteps, n_channels) arrays and labels."""
    import sktime.datasets

    X, y = getattr(sktime.datasets, loader)(split=split, return_type="nested_univ")
    sequences = [
        np.column_stack([X.iloc[i, j].to_numpy(dtype=float) for j in range(X.shape[1])])
        for i in range(len(X))
    ]
    return sequences, np.asarray(y)


def _classification_section(quick):
    from sklearn.base import clone
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier
    from sktime.classification.kernel_based import RocketClassifier

    from sklseq.interop import SktimeBaseline
    from sklseq.neural import SequenceClassifier

    models = {
        "sklseq SequenceClassifier (lstm, defaults)": SequenceClassifier(random_state=0),
        "sklseq SequenceClassifier (cnn)": SequenceClassifier(
            architecture="cnn", random_state=0
        ),
        "sktime MiniRocket": RocketClassifier(rocket_transform="minirocket", random_state=0),
        "sktime 1NN-DTW": KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw"),
    }
    if quick:
        models["sklseq SequenceClassifier (lstm, defaults)"].set_params(max_epochs=5)
        models["sklseq SequenceClassifier (cnn)"].set_params(max_epochs=5)

    rows, accuracies = [], {}
    data = CLASSIFICATION_DATA[:2] if quick else CLASSIFICATION_DATA
    for name, loader in data:
        X_train, y_train = _load_panel(loader, "train")
        X_test, y_test = _load_panel(loader, "test")
        for label, model in models.items():
            if label.startswith("sktime"):
                model = SktimeBaseline(model)  # sklseq's layout in, sktime's format inside
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted = clone(model).fit(X_train, y_train)
                    accuracy = float(np.mean(fitted.predict(X_test) == y_test))
            except ValueError as exc:  # e.g. unequal lengths to an equal-length baseline
                rows.append([name, label, "n/a", str(exc)[:60]])
                continue
            seconds = time.perf_counter() - start
            accuracies[(name, label)] = accuracy
            rows.append([name, label, f"{accuracy:.3f}", f"{seconds:.1f} s"])
    table = markdown_table(["data", "model", "test accuracy", "fit + predict"], rows)
    intro = "### Classification: the data sets' own train/test splits\n"
    return intro + "\n" + table, accuracies


# --------------------------------------------------------------------------
# plots


def _plot(forecast_plot, accuracies):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    if forecast_plot is not None:
        series, horizon, forecasts = forecast_plot
        values = series.to_numpy(dtype=float)
        t = np.arange(len(values))
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.plot(t, values, color="black", label="airline passengers")
        for label, forecast in forecasts.items():
            ax.plot(t[-horizon:], forecast, label=label, alpha=0.8)
        ax.set_xlabel("month")
        ax.legend(fontsize=7)
        ax.set_title("Last rolling origin: forecasts of the final 12 months")
        fig.tight_layout()
        path = RESULTS_DIR / "baselines_forecast.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    if accuracies:
        frame = pd.Series(accuracies).unstack()
        ax = frame.plot.bar(figsize=(9, 4), rot=0)
        ax.set_ylabel("test accuracy")
        ax.legend(fontsize=7)
        ax.figure.tight_layout()
        path = RESULTS_DIR / "baselines_accuracy.png"
        ax.figure.savefig(path, dpi=100)
        plt.close(ax.figure)
        paths.append(path)
    return paths


def run(quick: bool) -> str:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    forecasting, forecast_plot = _forecasting_section(quick)
    classification, accuracies = _classification_section(quick)
    plots = _plot(forecast_plot, accuracies)
    images = "\n".join(f"![{p.stem}]({p.name})" for p in plots)
    return (
        "## sklseq against sktime baselines on real data\n\n"
        f"Machine: {machine_description()}.\n"
        f"Command: `python -m benchmarks.bench_baselines{' --quick' if quick else ''}`.\n\n"
        f"{forecasting}\n\n{classification}\n\n{images}\n"
    )


if __name__ == "__main__":
    main(run, "baselines", __doc__.splitlines()[0])
