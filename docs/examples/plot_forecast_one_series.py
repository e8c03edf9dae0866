"""
Forecasting one series with any scikit-learn regressor
======================================================

:func:`~sklseq.forecasting.make_windows` turns one series into a panel of
windows and targets; a direct multi-step strategy fits one regressor per step
ahead, and :func:`~sklseq.forecasting.forecast_from_end` forecasts what follows
the series, on its own time index. The model learns the first differences of
the log series, which :func:`forecast_from_end` integrates back.
"""

# %%
import numpy as np
from sklearn.linear_model import Ridge
from sktime.datasets import load_airline

from sklseq.forecasting import DirectRegressor, forecast_from_end, make_windows
from sklseq.plotting import plot_forecast

series = np.log(load_airline())  # pandas Series with a monthly PeriodIndex
train, test = series.iloc[:-12], series.iloc[-12:]

X, y = make_windows(np.diff(train.to_numpy()), window_size=24, horizon=12)
print("windows:", X.shape, "targets:", y.shape)
model = DirectRegressor(Ridge(alpha=0.1)).fit(X, y)
forecast = forecast_from_end(model, train, window_size=24, differences=1)
print(forecast.head(3).round(3))

mae = np.mean(np.abs(np.exp(forecast.to_numpy()) - np.exp(test.to_numpy())))
print(f"MAE on the last 12 months: {mae:.1f} thousand passengers")

# %%
# :func:`sklseq.plotting.plot_forecast` puts the forecast on the series' own
# (monthly) time axis, after its history.
ax = plot_forecast(np.exp(train), np.exp(forecast), actual=np.exp(test),
                   label="Ridge on 24-month windows")
ax.set_ylabel("passengers (thousands)")
