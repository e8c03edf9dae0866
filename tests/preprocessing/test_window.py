import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklseq.forecasting import make_windows
from sklseq.forecasting import make_windows as forecasting_make_windows
from sklseq.preprocessing import SlidingWindow, frame_sequences

PRICES = np.array([[100.0, 102.0, 101.0, 105.0, 107.0]])


def test_make_windows_is_the_forecasting_function():
    assert make_windows is forecasting_make_windows
    X, y = make_windows(PRICES[0], window_size=3)
    assert_array_equal(X, [[100, 102, 101], [102, 101, 105]])
    assert_array_equal(y, [105, 107])


def test_sliding_window_frames_by_hand():
    frames = SlidingWindow(window_size=3, flatten=False).fit_transform(PRICES)
    expected = [[[100, 102, 101], [102, 101, 105], [101, 105, 107]]]
    assert_array_equal(frames, expected)


def test_sliding_window_flattened_with_stride_by_hand():
    out = SlidingWindow(window_size=2, stride=2).fit_transform(PRICES)
    # Windows start at steps 0 and 2; step 4 is a leftover shorter than a window.
    assert_array_equal(out, [[100, 102, 101, 105]])


def test_sliding_window_multivariate_layout_by_hand():
    X = np.array([[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]])  # 3 steps, 2 channels
    window = SlidingWindow(window_size=2).fit(X)
    assert_array_equal(window.transform(X), [[1, 10, 2, 20, 2, 20, 3, 30]])
    assert list(window.get_feature_names_out()[:4]) == [
        "x0__win0__step0",
        "x1__win0__step0",
        "x0__win0__step1",
        "x1__win0__step1",
    ]
    frames = SlidingWindow(window_size=2, flatten=False).fit_transform(X)
    assert_array_equal(frames, [[[1, 10, 2, 20], [2, 20, 3, 30]]])


@pytest.mark.parametrize("n_channels", [1, 3])
def test_sliding_window_frames_are_a_read_only_view(n_channels):
    X = np.arange(2 * 8 * n_channels, dtype=float).reshape(2, 8, n_channels)
    frames = SlidingWindow(window_size=4, stride=2, flatten=False).fit_transform(X)
    assert np.shares_memory(frames, X)
    assert not frames.flags.writeable
    assert frames.shape == (2, 3, 4 * n_channels)


def test_sliding_window_ragged_rows_get_nan_windows():
    out = SlidingWindow(window_size=2).fit_transform([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0]])
    expected = [[1, 2, 2, 3, 3, 4], [5, 6, 6, 7, np.nan, np.nan]]
    assert_array_equal(out, expected)


def test_sliding_window_list_shorter_than_fit_keeps_width():
    window = SlidingWindow(window_size=2).fit(np.zeros((1, 4)))
    out = window.transform([[1.0, 2.0], [3.0, 4.0, 5.0]])
    assert_array_equal(out, [[1, 2, np.nan, np.nan, np.nan, np.nan], [3, 4, 4, 5, np.nan, np.nan]])


def test_sliding_window_longer_row_than_fit_raises():
    window = SlidingWindow(window_size=2).fit(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="Row 1 of X has 6 time steps.*flatten=False"):
        window.transform([[1.0, 2.0], np.arange(6.0)])


def test_sliding_window_row_shorter_than_window_raises():
    with pytest.raises(ValueError, match="Row 1 of X is too short.*window_size=3"):
        SlidingWindow(window_size=3).fit([[1.0, 2.0, 3.0], [1.0, 2.0]])


def test_sliding_window_pandas_output():
    X = pd.DataFrame(PRICES, columns=[f"day{i}" for i in range(5)], index=["stock"])
    out = SlidingWindow(window_size=4).set_output(transform="pandas").fit_transform(X)
    assert list(out.index) == ["stock"]
    assert list(out.columns[:2]) == ["x0__win0__step0", "x0__win0__step1"]
    assert_array_equal(out.to_numpy(), [[100, 102, 101, 105, 102, 101, 105, 107]])


def test_frame_sequences_masks_windows_past_the_end():
    X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]])[:, :, None]
    frames = frame_sequences(X, np.array([3, 2]), window_size=2)
    assert_array_equal(frames[..., 0], [[[1, 2], [2, 3]], [[4, 5], [np.nan, np.nan]]])
