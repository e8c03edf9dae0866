import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklseq.forecasting import last_window, make_windows


def test_classic_sliding_window_example():
    X, y = make_windows([100, 102, 101, 105, 107], window_size=3)
    assert_array_equal(X, [[100, 102, 101], [102, 101, 105]])
    assert_array_equal(y, [105, 107])


@pytest.mark.parametrize(("window_size", "horizon", "stride"), [(3, 1, 1), (4, 2, 3), (1, 5, 2)])
def test_windows_equal_a_loop_aligned_to_the_end(window_size, horizon, stride):
    series = np.arange(17.0) ** 1.5
    X, y = make_windows(series, window_size, horizon=horizon, stride=stride)
    ends = list(range(len(series) - horizon, window_size - 1, -stride))[::-1]
    expected_X = [series[end - window_size : end] for end in ends]
    expected_y = [series[end : end + horizon] for end in ends]
    assert_array_equal(X, expected_X)
    assert_array_equal(y.reshape(len(ends), horizon), expected_y)


def test_multichannel_series_targets_the_first_channel_and_adds_exog():
    series = np.column_stack([np.arange(6.0), 10 + np.arange(6.0)])
    exog = 100 + np.arange(6.0)
    X, y = make_windows(series, window_size=2, exog=exog)
    assert X.shape == (4, 2, 3)
    assert_array_equal(X[0], [[0, 10, 100], [1, 11, 101]])
    assert_array_equal(y, [2, 3, 4, 5])


def test_pandas_targets_keep_the_time_index():
    index = pd.period_range("2020-01", periods=8, freq="M")
    series = pd.Series(np.arange(8.0), index=index, name="sales")
    X, y = make_windows(series, window_size=3, horizon=2)
    assert isinstance(y, pd.DataFrame)
    assert list(y.columns) == ["t+1", "t+2"]
    assert y.index[0] == pd.Period("2020-04", freq="M")
    assert_array_equal(y.iloc[0], [3.0, 4.0])
    assert_array_equal(X[0], [0.0, 1.0, 2.0])


def test_series_too_short_for_window_and_horizon_raises():
    with pytest.raises(ValueError, match="too short for window_size=4 plus horizon=2"):
        make_windows(np.arange(5.0), window_size=4, horizon=2)


def test_nan_in_series_names_the_step():
    with pytest.raises(ValueError, match="time step 2"):
        make_windows([1.0, 2.0, np.nan, 4.0], window_size=2)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_window_size_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="window_size must be a positive integer"):
        make_windows(np.arange(10.0), window_size=bad)


def test_exog_of_another_length_raises():
    with pytest.raises(ValueError, match="exog has 3 time steps but series has 5"):
        make_windows(np.arange(5.0), window_size=2, exog=np.arange(3.0))


def test_last_window_is_the_input_after_the_last_target():
    series = np.arange(10.0)
    assert_allclose(last_window(series, 3), [[7.0, 8.0, 9.0]])
    with pytest.raises(ValueError, match="fewer than window_size=11"):
        last_window(series, 11)
