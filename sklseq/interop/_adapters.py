"""sklseq estimators as real sktime estimators (imports sktime; see :func:`as_sktime`)."""

from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sktime.classification.base import BaseClassifier
from sktime.forecasting.base import BaseForecaster
from sktime.regression.base import BaseRegressor

__all__ = ["SklseqClassifier", "SklseqForecaster", "SklseqRegressor"]


def _sequences(X: list[pd.DataFrame]) -> list[NDArray[np.float64]]:
    """Sktime's df-list (one DataFrame per instance, rows are time) as sklseq's list."""
    return [frame.to_numpy(dtype=np.float64) for frame in X]


class SklseqForecaster(BaseForecaster):
    """An sklseq forecaster (or forecasting regressor) as an sktime forecaster.

    ``fit`` fits the sklseq model on the series as a one-row panel, with
    ``horizon`` set to the furthest step of ``fh``; ``predict`` forecasts from
    the end of the series seen so far (``update`` appends to it, and refits
    when ``update_params=True``) and returns the steps of ``fh`` on the
    series' own index. ``predict_interval`` uses the model's
    ``predict_interval`` (sklseq's statistical forecasters).

    Parameters
    ----------
    estimator : sklseq estimator
        Has ``fit(X, y=None)`` on a panel, ``predict(X)`` returning each row's
        next ``horizon`` values, and a ``horizon`` parameter.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sklseq.interop import as_sktime
    >>> from sklseq.statistical import LastValueRegressor
    >>> as_sktime(LastValueRegressor()).fit(load_airline(), fh=[1, 2]).predict().tolist()
    [432.0, 432.0]
    """

    _tags = {
        "authors": ["sklseq"],
        "y_inner_mtype": "pd.Series",
        "X_inner_mtype": "pd.DataFrame",
        "scitype:y": "univariate",
        "capability:exogenous": False,
        "requires-fh-in-fit": True,
        "capability:missing_values": False,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "python_dependencies": "statsmodels",
    }
    _config = {"remember_data": False}

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator
        super().__init__()
        # sktime sets these only when remember_data is on at construction.
        self._y = None
        self._X = None

    def _fit(self, y: pd.Series, X: pd.DataFrame | None, fh: Any) -> Self:
        self._series = y
        self._refit()
        return self

    def _refit(self) -> None:
        steps = self._steps(self.fh)
        self.estimator_ = clone(self.estimator)
        if "horizon" in self.estimator_.get_params():
            self.estimator_.set_params(horizon=int(steps.max()))
        self.estimator_.fit(self._panel())

    def _update(
        self, y: pd.Series, X: pd.DataFrame | None = None, update_params: bool = True
    ) -> Self:
        self._series = pd.concat([self._series, y])
        self._series = self._series[~self._series.index.duplicated(keep="last")]
        if update_params:
            self._refit()
        return self

    def _predict(self, fh: Any, X: pd.DataFrame | None) -> pd.Series:
        steps = self._steps(fh)
        forecast = np.asarray(self.estimator_.predict(self._panel()), dtype=np.float64)
        values = forecast.reshape(1, -1)[0, steps - 1]
        index = fh.to_absolute_index(self.cutoff)
        return pd.Series(values, index=index, name=self._series.name)

    def _predict_interval(
        self, fh: Any, X: pd.DataFrame | None, coverage: list[float]
    ) -> pd.DataFrame:
        steps = self._steps(fh)
        index = fh.to_absolute_index(self.cutoff)
        columns = self._get_columns(method="predict_interval", coverage=coverage)
        out = pd.DataFrame(index=index, columns=columns, dtype=np.float64)
        for name in self._get_varnames():
            for c in coverage:
                lower, upper = self.estimator_.predict_interval(self._panel(), coverage=c)
                out[(name, c, "lower")] = np.asarray(lower).reshape(1, -1)[0, steps - 1]
                out[(name, c, "upper")] = np.asarray(upper).reshape(1, -1)[0, steps - 1]
        return out

    def _panel(self) -> NDArray[np.float64]:
        # One row, 3D: a sequence, free in length after update (SPEC section 2).
        return self._series.to_numpy(dtype=np.float64)[None, :, None]

    def _steps(self, fh: Any) -> NDArray[np.intp]:
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=np.intp)
        if (steps < 1).any():
            raise ValueError(
                f"{type(self.estimator).__name__} forecasts after the end of the series; "
                "fh must hold steps >= 1 (no in-sample predictions)."
            )
        horizon = getattr(self, "estimator_", None)
        fitted = getattr(horizon, "horizon_", None)
        if fitted is not None and steps.max() > fitted:
            raise ValueError(
                f"fh reaches step {steps.max()}, but the model was fitted for "
                f"{fitted} steps; pass the furthest step in fit's fh."
            )
        return steps

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict[str, Any]]:
        """Cheap sklseq forecasters for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"

        Returns
        -------
        params : list of dict
        """
        from ..statistical import ARIMARegressor, LastValueRegressor  # noqa: PLC0415

        return [{"estimator": ARIMARegressor(order=(1, 0, 0))}, {"estimator": LastValueRegressor()}]


class _PanelAdapter:
    """What the classifier and regressor adapters share.

    The wrapped estimator, fitted on sktime's df-list read as sklseq's list of
    sequences, and the cheap pipelines sktime's estimator checks run
    (``_test_head`` is their last step).
    """

    estimator_: Any

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator
        super().__init__()

    def _fit(self, X: list[pd.DataFrame], y: NDArray[Any]) -> Self:
        self.estimator_ = clone(self.estimator).fit(_sequences(X), y)
        return self

    @staticmethod
    def _test_head() -> Any:
        raise NotImplementedError

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict[str, Any]]:
        """Cheap sklseq pipelines for sktime's estimator checks.

        Rolling statistics or lags, then a linear model (``_test_head``).

        Parameters
        ----------
        parameter_set : str, default="default"

        Returns
        -------
        params : list of dict
        """
        from ..preprocessing import LagFeatures, RollingStatistics  # noqa: PLC0415

        return [
            {"estimator": make_pipeline(RollingStatistics(windows=2), cls._test_head())},
            {"estimator": make_pipeline(LagFeatures(lags=2), cls._test_head())},
        ]


_PANEL_TAGS = {
    "authors": ["sklseq"],
    "X_inner_mtype": "df-list",
    "capability:multivariate": True,
    "capability:unequal_length": True,
    "capability:missing_values": False,
}


class SklseqClassifier(_PanelAdapter, BaseClassifier):
    """An sklseq sequence classifier (or classification pipeline) as an sktime classifier.

    Parameters
    ----------
    estimator : sklseq classifier
        Fitted on sklseq's panel layout; equal and unequal lengths, one or
        several channels.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sktime.datasets import load_italy_power_demand
    >>> from sklseq.interop import as_sktime
    >>> from sklseq.preprocessing import RollingStatistics
    >>> X, y = load_italy_power_demand(split="train")
    >>> pipe = make_pipeline(RollingStatistics(windows=4), LogisticRegression())
    >>> as_sktime(pipe).fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _tags = {**_PANEL_TAGS, "capability:predict_proba": True}

    @staticmethod
    def _test_head() -> Any:
        return LogisticRegression()

    def _predict(self, X: list[pd.DataFrame]) -> NDArray[Any]:
        return np.asarray(self.estimator_.predict(_sequences(X)))

    def _predict_proba(self, X: list[pd.DataFrame]) -> NDArray[np.float64]:
        proba = np.asarray(self.estimator_.predict_proba(_sequences(X)))
        # sktime orders the columns by self.classes_, sklearn by estimator_.classes_.
        order = np.searchsorted(self.estimator_.classes_, self.classes_)
        return proba[:, order]


class SklseqRegressor(_PanelAdapter, BaseRegressor):
    """An sklseq sequence regressor (or regression pipeline) as an sktime regressor.

    Parameters
    ----------
    estimator : sklseq regressor
        Fitted on sklseq's panel layout; equal and unequal lengths, one or
        several channels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklseq.interop import as_sktime
    >>> from sklseq.preprocessing import RollingStatistics
    >>> X = np.random.default_rng(0).normal(size=(10, 1, 12))  # sktime's numpy3D
    >>> pipe = make_pipeline(RollingStatistics(windows=4), Ridge())
    >>> as_sktime(pipe).fit(X, X[:, 0, -1]).predict(X[:2]).shape
    (2,)
    """

    _tags = dict(_PANEL_TAGS)

    @staticmethod
    def _test_head() -> Any:
        return Ridge()

    def _predict(self, X: list[pd.DataFrame]) -> NDArray[np.float64]:
        return np.asarray(self.estimator_.predict(_sequences(X)), dtype=np.float64)
