"""A fit that raises leaves a previously fitted transformer or forecasting strategy unchanged.

(The neural family's refits, including diverged ones, are in
tests/neural/test_reliability.py.)
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression

from sklseq.forecasting import DirectRegressor, RecursiveRegressor
from sklseq.preprocessing import (
    Differencer,
    FFTFeatures,
    LagFeatures,
    RollingStatistics,
    SlidingWindow,
)
from sklseq.utils._transaction import transactional

TRANSFORMERS = [
    Differencer(),
    FFTFeatures(),
    LagFeatures(lags=2),
    RollingStatistics(windows=2),
    SlidingWindow(window_size=3),
]


def _fitted_state(estimator):
    return dict(vars(estimator))


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("method", ["fit", "fit_transform"])
def test_failed_refit_leaves_a_transformer_as_it_was(transformer, method):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 12, 2))
    transformer = transformer.fit(X)
    expected = transformer.transform(X)
    before = _fitted_state(transformer)
    bad = rng.normal(size=(4, 10, 3))  # three channels: would change n_channels_in_
    bad[1, 4, 0] = np.inf
    with pytest.raises(ValueError, match="inf"):
        getattr(transformer, method)(bad)
    after = _fitted_state(transformer)
    assert after.keys() == before.keys()
    assert all(after[key] is before[key] for key in before)
    np.testing.assert_array_equal(transformer.transform(X), expected)


class _FailsOnSecondFit(RegressorMixin, BaseEstimator):
    """A regressor whose fit raises after the strategy has set its own attributes."""

    def __init__(self, fail=False):
        self.fail = fail

    def fit(self, X, y):
        if self.fail:
            raise RuntimeError("inner regressor failed")
        self.model_ = LinearRegression().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


@pytest.mark.parametrize("strategy", [RecursiveRegressor, DirectRegressor])
def test_failed_refit_leaves_a_forecasting_strategy_as_it_was(strategy):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 2))
    model = strategy(_FailsOnSecondFit(), horizon=2).fit(X, y)
    expected = model.predict(X)
    before = _fitted_state(model)
    model.set_params(estimator__fail=True, horizon=3)
    with pytest.raises(RuntimeError, match="inner regressor failed"):
        model.fit(rng.normal(size=(20, 5)), rng.normal(size=(20, 3)))
    after = _fitted_state(model)
    assert after.keys() == before.keys()
    assert all(after[k] is before[k] for k in before if k not in ("estimator", "horizon"))
    assert model.horizon_ == 2
    np.testing.assert_array_equal(model.predict(X), expected)


def test_transactional_swaps_in_only_on_success():
    class Model:
        @transactional
        def fit(self, value):
            self.first_ = value
            if value < 0:
                raise ValueError("negative")
            self.second_ = value
            return self

    model = Model().fit(1)
    with pytest.raises(ValueError):
        model.fit(-1)
    assert (model.first_, model.second_) == (1, 1)
    assert model.fit(2) is model and model.second_ == 2


STATISTICAL = [
    "ARIMARegressor(order=(1, 0, 0))",
    "ExponentialSmoothingRegressor(error='add', trend=None, seasonal=None)",
    "ThetaRegressor()",
    "LastValueRegressor()",
    "VARRegressor(lags=1)",
]


@pytest.mark.parametrize("spec", STATISTICAL)
def test_failed_refit_leaves_a_statistical_model_as_it_was(spec):
    from sklseq import statistical

    model = eval(spec, vars(statistical))
    rng = np.random.RandomState(0)
    channels = 2 if spec.startswith("VAR") else 1
    X = rng.normal(size=(3, 40, channels)).cumsum(axis=1) + 50.0
    model.fit(X)
    expected = model.predict(X)
    before = _fitted_state(model)
    bad = rng.normal(size=(3, 40, channels + 1))  # another channel count; and a NaN inside
    bad[0, 5, 0] = np.nan
    with pytest.raises(ValueError):
        model.fit(bad)
    after = _fitted_state(model)
    assert after.keys() == before.keys()
    assert all(after[key] is before[key] for key in before)
    np.testing.assert_array_equal(model.predict(X), expected)
