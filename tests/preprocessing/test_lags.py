import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklseq.preprocessing import LagFeatures

PRICES = np.array([[100.0, 102.0, 101.0, 105.0, 107.0]])


def test_lag_features_chosen_lags_by_hand():
    assert_array_equal(LagFeatures(lags=[0, 1, 3]).fit_transform(PRICES), [[107, 105, 102]])


def test_lag_features_int_takes_the_last_values_newest_first():
    assert_array_equal(LagFeatures(lags=3).fit_transform(PRICES), [[107, 105, 101]])


def test_lag_features_ragged_rows_use_their_own_end():
    out = LagFeatures(lags=[0, 2]).fit_transform([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0]])
    assert_array_equal(out, [[4, 2], [7, 5]])


def test_lag_features_nan_padded_array_is_ragged():
    X = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, np.nan]])
    assert_array_equal(LagFeatures(lags=2).fit_transform(X), [[4, 3], [7, 6]])


def test_lag_features_multivariate_order_and_names():
    X = np.array([[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]])
    lags = LagFeatures(lags=[0, 2]).fit(X)
    assert_array_equal(lags.transform(X), [[3, 1, 30, 10]])
    names = ["x0__lag_0", "x0__lag_2", "x1__lag_0", "x1__lag_2"]
    assert list(lags.get_feature_names_out()) == names


def test_lag_features_per_step_by_hand():
    out = LagFeatures(lags=[0, 2], per_step=True).fit_transform(PRICES)
    # Steps 2, 3, 4 have both lags: (x[t], x[t-2]).
    assert_array_equal(out, [[[101, 100], [105, 102], [107, 101]]])


def test_lag_features_per_step_ragged_is_nan_padded():
    out = LagFeatures(lags=2, per_step=True).fit_transform([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0]])
    assert_array_equal(out[0], [[2, 1], [3, 2], [4, 3]])
    assert_array_equal(out[1], [[6, 5], [np.nan, np.nan], [np.nan, np.nan]])


def test_lag_features_row_too_short_raises():
    with pytest.raises(ValueError, match="Row 1 of X is too short.*lags up to 3"):
        LagFeatures(lags=[0, 3]).fit([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0]])


@pytest.mark.parametrize(
    "lags, match",
    [([0, -1], "non-negative"), ([1, 1], "repeated"), ([], "non-empty"), ([0.5], "integers")],
)
def test_lag_features_bad_lags_raise(lags, match):
    with pytest.raises(ValueError, match=match):
        LagFeatures(lags=lags).fit(PRICES)


def test_lag_features_pandas_in_and_out():
    X = pd.DataFrame(PRICES, columns=list("abcde"), index=["stock"])
    out = LagFeatures(lags=2).set_output(transform="pandas").fit_transform(X)
    expected = pd.DataFrame([[107.0, 105.0]], columns=["x0__lag_0", "x0__lag_1"], index=["stock"])
    pd.testing.assert_frame_equal(out, expected)
