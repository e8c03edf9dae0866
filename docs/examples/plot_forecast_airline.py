"""
Seasonal ARIMA forecast with prediction intervals
=================================================

:class:`~sklseq.statistical.ARIMARegressor` reads each row of ``X`` as one
history. Here the row is the classic airline series (monthly passengers,
1949-1960, shipped with sktime), on a log scale; the model forecasts the
last year from the years before it, with a 90% prediction interval.
"""

# %%
import numpy as np
import pandas as pd
from sktime.datasets import load_airline

from sklseq.plotting import plot_forecast
from sklseq.statistical import ARIMARegressor

airline = load_airline()
log_air = np.log(airline.to_numpy(dtype=float))
history, future = log_air[:-12], log_air[-12:]

model = ARIMARegressor(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), horizon=12)
model.fit(history[None, :])  # one row: one history
forecast = model.predict(history[None, :])[0]
lower, upper = model.predict_interval(history[None, :], coverage=0.9)

mape = np.mean(np.abs(np.exp(forecast) - np.exp(future)) / np.exp(future))
inside = np.mean((future >= lower[0]) & (future <= upper[0]))
print(f"MAPE on 1960: {mape:.3f}; {inside:.0%} of the 12 months inside the 90% interval")

# %%
# The forecast on the series' own time axis, drawn by
# :func:`sklseq.plotting.plot_forecast` (the last four years of history; the
# band is the 90% interval).
passengers = pd.Series(np.exp(history), index=airline.index[:-12])
ax = plot_forecast(passengers, np.exp(forecast), actual=np.exp(future),
                   interval=(np.exp(lower[0]), np.exp(upper[0])), n_history=48,
                   label="ARIMA(0,1,1)(0,1,1)12")
ax.set_ylabel("passengers (thousands)")
