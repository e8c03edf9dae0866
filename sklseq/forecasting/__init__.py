"""Forecasting one long series with panel regressors.

:func:`make_windows` turns a series into windows and targets,
:class:`RecursiveRegressor` and :class:`DirectRegressor` make multi-step
forecasts from windows, and :func:`forecast_from_end` forecasts what follows
the series, back on its scale and time index.
"""

from ._strategies import DirectRegressor, RecursiveRegressor, forecast_from_end
from ._windows import last_window, make_windows

__all__ = [
    "DirectRegressor",
    "RecursiveRegressor",
    "forecast_from_end",
    "last_window",
    "make_windows",
]
