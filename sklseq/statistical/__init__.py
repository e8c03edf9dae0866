"""Statistical forecasters on panels of sequences, statsmodels underneath.

Every estimator here reads each row of ``X`` as one history, forecasts its next
``horizon`` values, and offers ``predict(X, return_std=True)`` and
``predict_interval(X, coverage=0.9)``.
"""

from ._arima import ARIMARegressor
from ._baselines import (
    LastValueRegressor,
    LinearTrendRegressor,
    MovingAverageRegressor,
    SeasonalNaiveRegressor,
)
from ._smoothing import ExponentialSmoothingRegressor
from ._structural import StructuralRegressor
from ._theta import ThetaRegressor
from ._var import VARRegressor

__all__ = [
    "ARIMARegressor",
    "ExponentialSmoothingRegressor",
    "LastValueRegressor",
    "LinearTrendRegressor",
    "MovingAverageRegressor",
    "SeasonalNaiveRegressor",
    "StructuralRegressor",
    "ThetaRegressor",
    "VARRegressor",
]
