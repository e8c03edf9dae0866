import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklseq.statistical import (
    LastValueRegressor,
    LinearTrendRegressor,
    MovingAverageRegressor,
    SeasonalNaiveRegressor,
)

# Two rows of different lengths; the second is padded with NaN.
ROWS = [[1.0, 3.0, 2.0, 6.0, 5.0], [4.0, 8.0, 6.0]]


def test_last_value_repeats_the_last_observation():
    model = LastValueRegressor(horizon=3).fit(ROWS)
    assert_allclose(model.predict(ROWS), [[5, 5, 5], [6, 6, 6]])


def test_last_value_std_is_a_random_walk_of_the_pooled_changes():
    model = LastValueRegressor(horizon=3).fit(ROWS)
    changes = [2, -1, 4, -1, 4, -2]
    sigma = np.sqrt(np.mean(np.square(changes)))
    _, std = model.predict(ROWS, return_std=True)
    assert_allclose(std[0], sigma * np.sqrt([1, 2, 3]))


def test_seasonal_naive_repeats_the_last_season():
    model = SeasonalNaiveRegressor(seasonal_period=2, horizon=5).fit(ROWS)
    assert_allclose(model.predict(ROWS), [[6, 5, 6, 5, 6], [8, 6, 8, 6, 8]])


def test_seasonal_naive_std_grows_once_per_season():
    model = SeasonalNaiveRegressor(seasonal_period=2, horizon=5).fit(ROWS)
    seasonal_diffs = [1, 3, 3, 2]
    sigma = np.sqrt(np.mean(np.square(seasonal_diffs)))
    _, std = model.predict(ROWS, return_std=True)
    assert_allclose(std[0], sigma * np.sqrt([1, 1, 2, 2, 3]))


@pytest.mark.parametrize(("window", "expected"), [(2, [5.5, 7.0]), (None, [17 / 5, 6.0])])
def test_moving_average_is_the_mean_of_the_latest_window(window, expected):
    model = MovingAverageRegressor(window=window, horizon=2).fit(ROWS)
    assert_allclose(model.predict(ROWS), np.repeat(np.array(expected)[:, None], 2, axis=1))


def test_linear_trend_extrapolates_the_least_squares_line():
    # Row 1: t = 0, 1, 2 against 4, 8, 6: slope 1, intercept 5; next t = 3, 4.
    model = LinearTrendRegressor(horizon=2).fit(ROWS)
    assert_allclose(model.predict(ROWS)[1], [8.0, 9.0])


def test_linear_trend_std_is_the_ols_prediction_std():
    model = LinearTrendRegressor(horizon=1).fit(ROWS)
    # Row 1 residuals -1, 2, -1: s^2 = 6 / (3 - 2); at t = 3, leverage 1/3 + (3 - 1)^2 / 2.
    _, std = model.predict(ROWS, return_std=True)
    assert_allclose(std[1], np.sqrt(6.0 * (1 + 1 / 3 + 2)))


def test_seasonal_naive_row_shorter_than_a_season_raises():
    with pytest.raises(ValueError, match="seasonal_period=4"):
        SeasonalNaiveRegressor(seasonal_period=4).fit(ROWS)
