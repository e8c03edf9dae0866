"""Statistical forecasters on panels of sequences, statsmodels underneath.

Every estimator here reads each row of ``X`` as one history, forecasts its next
``horizon`` values, and offers ``predict(X, return_std=True)`` and
``predict_interval(X, coverage=0.9)``.
"""

from ..utils._optional import import_optional

# Without the [stats] extra, say which pip install fixes it before any module fails.
import_optional("statsmodels", "stats")

from ._arima import ARIMARegressor  # noqa: E402
from ._baselines import (  # noqa: E402
    LastValueRegressor,
    LinearTrendRegressor,
    MovingAverageRegressor,
    SeasonalNaiveRegressor,
)
from ._smoothing import ExponentialSmoothingRegressor  # noqa: E402
from ._structural import StructuralRegressor  # noqa: E402
from ._theta import ThetaRegressor  # noqa: E402
from ._var import VARRegressor  # noqa: E402

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
