import tracemalloc

import numpy as np
import pandas as pd
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from numpy.testing import assert_allclose

from sklseq.preprocessing import RollingStatistics, _compiled, _rolling

PRICES = np.array([[22.0, 24.0, 23.0, 25.0, 26.0]])
ALL_STATISTICS = [
    "mean", "sum", "std", "var", "min", "max", "median", "q0.25", "q0.9", "wma", "ewm",
]


def _sequence(statistic, window=3, **params):
    roll = RollingStatistics(windows=window, statistics=statistic, output="sequence", **params)
    return roll.fit_transform(PRICES)[0, :, 0]


def test_rolling_mean_issue_example():
    # 3-step moving average of 22, 24, 23, 25, 26 (the issue's closed form): 23, 24, 24.67.
    expected = [np.nan, np.nan, (22 + 24 + 23) / 3, (24 + 23 + 25) / 3, (23 + 25 + 26) / 3]
    assert_allclose(_sequence("mean", min_periods=None), expected)


def test_rolling_last_output_is_the_last_window():
    out = RollingStatistics(windows=3, statistics=["mean", "min", "max"]).fit_transform(PRICES)
    assert_allclose(out, [[(23 + 25 + 26) / 3, 23, 26]])


@pytest.mark.parametrize(
    "statistic, expected",
    [
        # min_periods=1: the first steps use the values seen so far.
        ("mean", [22, (22 + 24) / 2, 23, 24, 74 / 3]),
        ("sum", [22, 46, 69, 72, 74]),
        ("min", [22, 22, 22, 23, 23]),
        ("max", [22, 24, 24, 25, 26]),
        ("median", [22, 23, 23, 24, 25]),
        # Sorted (22, 23, 24): position 0.25 * 2 = 0.5 lies halfway between 22 and 23.
        ("q0.25", [22, 22.5, 22.5, 23.5, 24]),
        # Population variance: deviations (-1, 1, 0) from 23 give 2/3.
        ("var", [0, 1, 2 / 3, 2 / 3, ((-5 / 3) ** 2 + (1 / 3) ** 2 + (4 / 3) ** 2) / 3]),
        # Weights 1, 2, 3 (oldest to newest), truncated at the start.
        ("wma", [22, (2 * 22 + 3 * 24) / 5, (22 + 2 * 24 + 3 * 23) / 6,
                 (24 + 2 * 23 + 3 * 25) / 6, (23 + 2 * 25 + 3 * 26) / 6]),
        # span 3: alpha = 0.5, weights 1, 0.5, 0.25, ... over the whole history.
        ("ewm", [22, (24 + 0.5 * 22) / 1.5, (23 + 0.5 * 24 + 0.25 * 22) / 1.75,
                 (25 + 0.5 * 23 + 0.25 * 24 + 0.125 * 22) / 1.875,
                 (26 + 0.5 * 25 + 0.25 * 23 + 0.125 * 24 + 0.0625 * 22) / 1.9375]),
    ],
)
def test_rolling_statistics_by_hand(statistic, expected):
    assert_allclose(_sequence(statistic), expected)


def test_rolling_std_ddof_one_by_hand():
    # Sample variance of (22, 24, 23): (1 + 1 + 0) / (3 - 1) = 1; one value has none.
    assert_allclose(_sequence("std", ddof=1), [np.nan, np.sqrt(2), 1, 1, np.sqrt(14 / 3 / 2)])


def _pandas_rolling(series, window, statistic, min_periods, ddof):
    rolling = series.rolling(window, min_periods=min_periods)
    if statistic == "std":
        return rolling.std(ddof=ddof)
    if statistic == "var":
        return rolling.var(ddof=ddof)
    if statistic.startswith("q"):
        return rolling.quantile(float(statistic[1:]))
    if statistic == "ewm":
        return series.ewm(span=window, min_periods=min_periods or window).mean()
    if statistic == "wma":
        # The newest value weighs ``window``; a short window keeps the top weights.
        def weighted(a):
            return np.average(a, weights=np.arange(window - len(a) + 1, window + 1))

        return rolling.apply(weighted, raw=True)
    return getattr(rolling, statistic)()


@pytest.mark.parametrize("window", [1, 4, 7])
@pytest.mark.parametrize("min_periods", [1, None])
def test_rolling_matches_pandas(window, min_periods):
    rng = np.random.default_rng(0)
    X = 50 + np.cumsum(rng.normal(size=(3, 60)), axis=1)
    roll = RollingStatistics(windows=window, statistics=ALL_STATISTICS, output="sequence",
                             min_periods=min_periods, ddof=1)
    out = roll.fit_transform(X)
    for row in range(3):
        for i, statistic in enumerate(ALL_STATISTICS):
            expected = _pandas_rolling(pd.Series(X[row]), window, statistic, min_periods, 1)
            assert_allclose(out[row, :, i], expected, rtol=1e-9, atol=1e-9, err_msg=statistic)


def test_rolling_window_longer_than_rows_matches_pandas():
    X = 5 + np.cumsum(np.random.default_rng(8).normal(size=(2, 12)), axis=1)
    roll = RollingStatistics(windows=40, statistics=ALL_STATISTICS, output="sequence", ddof=1)
    out = roll.fit_transform(X)
    for i, statistic in enumerate(ALL_STATISTICS):
        expected = _pandas_rolling(pd.Series(X[1]), 40, statistic, 1, 1)
        assert_allclose(out[1, :, i], expected, rtol=1e-9, atol=1e-9, err_msg=statistic)


def test_rolling_long_series_spans_blocks_like_pandas(monkeypatch):
    # Blocks of 64 steps: windows and the exponential average cross block borders.
    monkeypatch.setattr(_rolling, "_BLOCK_ELEMENTS", 64)
    monkeypatch.setattr(_rolling, "_EWM_CHUNK", 64)
    rng = np.random.default_rng(1)
    x = 10 + np.cumsum(rng.normal(size=1000))
    statistics = ["mean", "std", "min", "max", "q0.9", "wma", "ewm"]
    out = RollingStatistics(windows=[5, 40], statistics=statistics, output="sequence",
                            ddof=1, min_periods=None).fit_transform(x[None])
    for j, (window, statistic) in enumerate((w, s) for w in (5, 40) for s in statistics):
        expected = _pandas_rolling(pd.Series(x), window, statistic, None, 1)
        assert_allclose(
            out[0, :, j], expected, rtol=1e-8, atol=1e-10, err_msg=f"{statistic} {window}"
        )


def test_rolling_long_ragged_rows_are_nan_padded(monkeypatch):
    monkeypatch.setattr(_rolling, "_BLOCK_ELEMENTS", 64)
    monkeypatch.setattr(_rolling, "_EWM_CHUNK", 64)
    rows = [np.arange(300.0), np.arange(100.0)]
    roll = RollingStatistics(windows=4, statistics=["mean", "ewm"], output="sequence")
    out = roll.fit_transform(rows)
    assert np.isnan(out[1, 100:]).all()
    assert_allclose(out[1, 3:100, 0], np.arange(1.5, 98.5))
    assert_allclose(out[0, 3:, 0], np.arange(1.5, 298.5))


@pytest.mark.parametrize("window", [1, 2, 3, 4, 5, 7, 8, 9, 24])
@pytest.mark.parametrize("statistic", ["mean", "sum"])
def test_compiled_small_window_sums_match_pandas_and_the_numpy_path(monkeypatch, window,
                                                                    statistic):
    pytest.importorskip("numba", reason="the compiled loop needs numba (the [fast] extra)")
    monkeypatch.setattr(_rolling, "_BLOCK_ELEMENTS", 64)  # rows of 3,000 steps count as long
    x = 1e3 + np.cumsum(np.random.default_rng(window).normal(size=3000))  # 3 kernel blocks
    roll = RollingStatistics(windows=window, statistics=statistic, output="sequence")
    assert _rolling._compiled_specs(x[None, :, None], [(window, statistic)]) == [0]
    out = roll.fit_transform(x[None])[0, :, 0]
    expected = getattr(pd.Series(x).rolling(window, min_periods=1), statistic)()
    assert_allclose(out, expected, rtol=1e-13)
    monkeypatch.setattr(_compiled.compiled, "use_numba", False)  # the numpy doubling path
    assert_allclose(out, roll.transform(x[None])[0, :, 0], rtol=1e-13)


def test_compiled_path_only_for_long_single_channel_float64_rows_and_small_windows(
    monkeypatch,
):
    pytest.importorskip("numba", reason="the compiled loop needs numba (the [fast] extra)")
    monkeypatch.setattr(_rolling, "_BLOCK_ELEMENTS", 64)
    specs = [(7, "mean"), (7, "std"), (24, "sum"), (25, "mean")]
    long_row = np.zeros((2, 100, 1))
    assert _rolling._compiled_specs(long_row, specs) == [0, 2]
    assert _rolling._compiled_specs(np.zeros((2, 64, 1)), specs) == []
    assert _rolling._compiled_specs(np.zeros((2, 100, 2)), specs) == []
    assert _rolling._compiled_specs(long_row.astype(np.float32), specs) == []


@pytest.mark.parametrize("bad, match", [(np.inf, "infinity"), (np.nan, "row 0, time step 1500")])
def test_compiled_path_rejects_non_finite_values_like_the_numpy_path(monkeypatch, bad, match):
    monkeypatch.setattr(_rolling, "_BLOCK_ELEMENTS", 64)
    x = np.ones((1, 3000))
    roll = RollingStatistics(windows=7, statistics="mean", output="sequence").fit(x)
    x[0, 1500] = bad
    with pytest.raises(ValueError, match=match):
        roll.transform(x)


def test_compiled_path_overflow_falls_back_to_the_numpy_result(monkeypatch):
    # Finite values whose window sums overflow: the compiled loop reports them
    # non-finite, and the checked path computes the same infinities as numpy.
    monkeypatch.setattr(_rolling, "_BLOCK_ELEMENTS", 64)
    x = np.full((1, 3000), 1e308)
    roll = RollingStatistics(windows=4, statistics="sum", output="sequence").fit(x)
    with np.errstate(over="ignore"):
        out = roll.transform(x)
        monkeypatch.setattr(_compiled.compiled, "use_numba", False)
        expected = roll.transform(x)
    assert np.isposinf(out[0, 1:, 0]).all() and out[0, 0, 0] == 1e308
    np.testing.assert_array_equal(out, expected)


def test_rolling_std_is_accurate_far_from_zero():
    # A large offset makes sum-of-squares formulas cancel; the exact two-pass
    # standard deviation of every window is the reference.
    rng = np.random.default_rng(2)
    x = 1e8 + rng.normal(size=500)
    out = RollingStatistics(windows=10, statistics="std", output="sequence",
                            min_periods=None).fit_transform(x[None])[0, 9:, 0]
    assert_allclose(out, sliding_window_view(x, 10).std(axis=1), rtol=1e-7)


@pytest.mark.parametrize("output", ["last", "sequence"])
@pytest.mark.parametrize("scale", [1e200, 1e300])
def test_rolling_std_of_huge_values_is_the_scaled_std(monkeypatch, output, scale):
    # Squares of values near 1e200 overflow; the std is scale * the std of the
    # data divided by scale (pandas on the unscaled rows is the reference).
    monkeypatch.setattr(_rolling, "_BLOCK_ELEMENTS", 64)  # several blocks, one row each
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 90))
    x[1] *= 1e-3  # a row of another magnitude keeps its own scale
    out = RollingStatistics(windows=[2, 7], statistics=["std", "mean"], output=output,
                            ddof=1, min_periods=None).fit_transform(x * scale) / scale
    for row in range(2):
        for j, (window, statistic) in enumerate([(2, "std"), (2, "mean"), (7, "std"),
                                                 (7, "mean")]):
            expected = _pandas_rolling(pd.Series(x[row]), window, statistic, None, 1)
            got = out[row, :, j] if output == "sequence" else out[row, j]
            want = expected if output == "sequence" else expected.iloc[-1]
            # atol: the window sums of squares cancel for near-equal neighbours, as unscaled.
            atol = 1e-9 * np.abs(x[row]).max()
            assert_allclose(got, want, rtol=1e-9, atol=atol, err_msg=f"{row} {statistic}")


def test_rolling_variance_that_overflows_float64_names_the_row():
    x = np.ones((3, 20))
    x[2] = np.random.default_rng(4).normal(size=20) * 1e200  # variance near 1e400
    roll = RollingStatistics(windows=4, statistics=["var"]).fit(x)
    with pytest.raises(ValueError, match="variance of row 2 overflows float64"):
        roll.transform(x)
    # Values whose squares overflow but whose variance does not: finite and right.
    small = x.copy()
    small[2] /= 1e50  # squares near 1e300, variance near 1e300
    expected = pd.Series(small[2]).rolling(4).var(ddof=0).iloc[-1]
    assert_allclose(roll.transform(small)[2, 0], expected, rtol=1e-9)


def test_rolling_multivariate_equals_each_channel_alone():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 20, 2))
    roll = RollingStatistics(windows=[2, 5], statistics=["mean", "q0.5"], output="sequence")
    out = roll.fit_transform(X)
    assert out.shape == (4, 20, 8)
    for channel in range(2):
        alone = roll.fit_transform(X[:, :, channel])
        assert_allclose(out[:, :, 4 * channel : 4 * channel + 4], alone)


def test_rolling_feature_names_order():
    roll = RollingStatistics(windows=[3, 7], statistics=["mean", "q0.9"]).fit(np.ones((2, 8, 2)))
    assert list(roll.get_feature_names_out()) == [
        "x0__mean_3", "x0__q0.9_3", "x0__mean_7", "x0__q0.9_7",
        "x1__mean_3", "x1__q0.9_3", "x1__mean_7", "x1__q0.9_7",
    ]


def test_rolling_ragged_rows_never_see_padding():
    rows = [np.arange(1.0, 9.0), np.array([5.0, 1.0, 4.0])]
    roll = RollingStatistics(windows=4, statistics=ALL_STATISTICS, output="sequence")
    out = roll.fit_transform(rows)
    assert out.shape == (2, 8, len(ALL_STATISTICS))
    for i, row in enumerate(rows):
        alone = roll.fit_transform(row[None])[0]
        assert_allclose(out[i, : len(row)], alone)
    assert np.isnan(out[1, 3:]).all()


def test_rolling_last_equals_sequence_at_each_row_end():
    rng = np.random.default_rng(4)
    rows = [rng.normal(size=n) for n in (12, 3, 7, 1)]
    params = dict(windows=[2, 5], statistics=ALL_STATISTICS)
    last = RollingStatistics(**params).fit_transform(rows)
    sequence = RollingStatistics(output="sequence", **params).fit_transform(rows)
    ends = np.array([len(r) for r in rows]) - 1
    assert_allclose(last, sequence[np.arange(4), ends])


def test_rolling_results_do_not_depend_on_other_rows():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 15))
    roll = RollingStatistics(windows=4, statistics=ALL_STATISTICS).fit(X)
    assert_allclose(roll.transform(X[[4, 1]]), roll.transform(X)[[4, 1]])


def test_rolling_float32_in_float32_out():
    X = np.random.default_rng(6).normal(size=(3, 30))
    roll = RollingStatistics(windows=5, statistics=ALL_STATISTICS)
    out32 = roll.fit_transform(X.astype(np.float32))
    assert out32.dtype == np.float32
    assert_allclose(out32, roll.fit_transform(X.astype(np.float32).astype(np.float64)), rtol=1e-5)


def test_rolling_set_output_pandas():
    roll = RollingStatistics(windows=3, statistics=["mean", "max"]).set_output(transform="pandas")
    frame = roll.fit_transform(pd.DataFrame(PRICES, index=["a"]))
    assert list(frame.columns) == ["x0__mean_3", "x0__max_3"]
    assert list(frame.index) == ["a"]


def _extra_memory(transformer, X):
    """Peak bytes allocated by ``transformer.transform(X)`` beyond its output."""
    tracemalloc.start()
    try:
        out = transformer.transform(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - out.nbytes


def test_rolling_temporaries_do_not_grow_with_the_data():
    # Materialised windows would need window * output bytes (here 50x: 160 MB
    # for 800 rows); blocks keep temporaries at a few cache-sized arrays
    # (about 20 of 256 kB here), whatever the number of rows.
    X = np.random.default_rng(7).normal(size=(800, 500))
    statistics = ["std", "q0.9", "max", "ewm"]
    roll = RollingStatistics(windows=50, statistics=statistics, output="sequence")
    roll.fit(X)
    small, large = _extra_memory(roll, X[:200]), _extra_memory(roll, X)
    assert large < 8e6
    assert abs(large - small) < 0.5e6


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(statistics="mode"), ValueError, "Unknown statistic 'mode'"),
        (dict(statistics="q1.5"), ValueError, "Unknown statistic 'q1.5'"),
        (dict(statistics=[]), ValueError, "statistics is empty"),
        (dict(statistics=["mean", "mean"]), ValueError, "repeated"),
        (dict(statistics=[3]), TypeError, "strings"),
        (dict(windows=[3, 3]), ValueError, "repeated"),
        (dict(windows=[2, 0]), ValueError, "positive"),
        (dict(windows=[2.5]), ValueError, "integer"),
        (dict(windows=0), ValueError, "windows"),
        (dict(windows=[2, 5], min_periods=3), ValueError, "min_periods=3 exceeds window 2"),
        (dict(output="rows"), ValueError, "output"),
    ],
)
def test_rolling_bad_parameters_raise(params, error, match):
    with pytest.raises(error, match=match):
        RollingStatistics(**params).fit(PRICES)


def test_rolling_interior_nan_names_row_and_step():
    X = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="row 0, time step 1"):
        RollingStatistics().fit(X)


def test_rolling_channel_mismatch_raises():
    roll = RollingStatistics().fit(np.ones((2, 5, 2)))
    with pytest.raises(ValueError, match="3 channel"):
        roll.transform(np.ones((2, 5, 3)))
