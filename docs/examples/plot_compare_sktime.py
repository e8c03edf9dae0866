"""
Comparing against sktime's baselines
====================================

A forecast is only good relative to a baseline. On the airline series, with
rolling-origin evaluation (three forecast origins, 12 months ahead each), a
seasonal ARIMA from sklseq is compared with sktime's seasonal naive forecaster
and sktime's SARIMAX, on the same splits.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sktime.datasets import load_airline
from sktime.forecasting.naive import NaiveForecaster
from sktime.forecasting.sarimax import SARIMAX

from sklseq.statistical import ARIMARegressor

series = np.log(load_airline())
horizon = 12
origins = [len(series) - 36, len(series) - 24, len(series) - 12]
fh = np.arange(1, horizon + 1)

# ``remember_data=False`` adopts sktime's coming default and silences its warning.
models = {
    "sktime seasonal naive": lambda train: NaiveForecaster(strategy="last", sp=12)
    .set_config(remember_data=False).fit(train).predict(fh).to_numpy(),
    "sktime SARIMAX": lambda train: SARIMAX(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))
    .set_config(remember_data=False).fit(train).predict(fh).to_numpy(),
    "sklseq ARIMARegressor": lambda train: ARIMARegressor(
        order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), horizon=horizon
    ).fit(train.to_numpy()[None, :]).predict(train.to_numpy()[None, :])[0],
}

errors = {name: [] for name in models}
for origin in origins:
    train, test = series.iloc[:origin], series.iloc[origin:origin + horizon].to_numpy()
    for name, forecast in models.items():
        errors[name].append(np.mean(np.abs(np.exp(forecast(train)) - np.exp(test))))

for name, maes in errors.items():
    print(f"{name:24s} MAE per origin: {np.round(maes, 1)}  mean {np.mean(maes):.1f}")

# %%
# sklseq and sktime fit the same model (statsmodels' SARIMAX underneath), so
# their errors agree. The seasonal ARIMA has the lower mean error, but not at
# every origin: the seasonal naive forecast wins the first one, which is why a
# comparison needs several origins.
fig, ax = plt.subplots(figsize=(7, 3.5))
width = 0.25
for k, (name, maes) in enumerate(errors.items()):
    ax.bar(np.arange(len(origins)) + k * width, maes, width, label=name)
ax.set_xticks(np.arange(len(origins)) + width,
              [str(series.index[o]) for o in origins])
ax.set_xlabel("forecast origin")
ax.set_ylabel("MAE (thousand passengers)")
ax.legend()
fig.tight_layout()
