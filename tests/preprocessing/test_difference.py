import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from statsmodels.tsa.statespace.tools import diff as statsmodels_diff

from sklseq.preprocessing import Differencer, _compiled, inverse_difference

SQUARES = np.array([[1.0, 4.0, 9.0, 16.0, 25.0]])
PARAMS = [
    {"order": 1},
    {"order": 2},
    {"order": 0, "seasonal_lag": 3},
    {"order": 1, "seasonal_lag": 4},
    {"order": 2, "seasonal_lag": 3, "seasonal_order": 2},
]


def test_differencer_first_order_by_hand():
    assert_array_equal(Differencer().fit_transform(SQUARES), [[1, 3, 5, 7, 9]])


def test_differencer_second_order_head_by_hand():
    # Head: x[0], then x[1] - x[0]; then second differences.
    assert_array_equal(Differencer(order=2).fit_transform(SQUARES), [[1, 3, 2, 2, 2]])


def test_differencer_seasonal_by_hand():
    X = np.array([[5.0, 7.0, 6.0, 9.0, 8.0]])
    out = Differencer(order=0, seasonal_lag=2).fit_transform(X)
    assert_array_equal(out, [[5, 7, 6 - 5, 9 - 7, 8 - 6]])


@pytest.mark.parametrize("params", PARAMS)
def test_differencer_tail_matches_statsmodels(params):
    X = np.random.default_rng(0).normal(size=(3, 30)).cumsum(axis=1)
    diff = Differencer(**params).fit(X)
    out = diff.transform(X)
    for row in range(len(X)):
        expected = statsmodels_diff(
            X[row],
            k_diff=params["order"],
            k_seasonal_diff=params.get("seasonal_order", 1) if "seasonal_lag" in params else None,
            seasonal_periods=params.get("seasonal_lag", 1),
        )
        assert_allclose(out[row, diff.n_initial_ :], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("params", PARAMS)
def test_differencer_round_trip_is_exact_on_integer_data(params):
    X = np.random.default_rng(1).integers(-1000, 1000, size=(5, 40)).astype(float)
    diff = Differencer(**params).fit(X)
    assert_array_equal(diff.inverse_transform(diff.transform(X)), X)


@pytest.mark.parametrize("params", PARAMS)
def test_differencer_round_trip_on_floats(params):
    X = np.random.default_rng(2).normal(size=(5, 40)).cumsum(axis=1)
    diff = Differencer(**params).fit(X)
    assert_allclose(diff.inverse_transform(diff.transform(X)), X, rtol=1e-12, atol=1e-12)


def test_differencer_ragged_round_trip_keeps_lengths():
    rows = [np.arange(7.0) ** 2, np.array([3.0, 1.0, 4.0]), np.array([2.0])]
    diff = Differencer(order=1, seasonal_lag=2).fit(rows)
    out = diff.transform(rows)
    assert out.shape == (3, 7)
    assert_array_equal(np.isnan(out).sum(axis=1), [0, 4, 6])
    restored = diff.inverse_transform(out)
    for row, seq in enumerate(rows):
        assert_array_equal(restored[row, : len(seq)], seq)
    assert np.isnan(restored[1, 3:]).all()


def test_differencer_multivariate_round_trip():
    X = np.random.default_rng(3).integers(0, 50, size=(2, 12, 3)).astype(float)
    diff = Differencer(order=1, seasonal_lag=4).fit(X)
    out = diff.transform(X)
    assert out.shape == X.shape
    first = np.diff(X, axis=1)
    assert_array_equal(out[:, 5:], first[:, 4:] - first[:, :-4])
    assert_array_equal(diff.inverse_transform(out), X)
    assert list(diff.get_feature_names_out()) == ["x0", "x1", "x2"]


def test_differencer_inverse_is_row_wise():
    X = np.random.default_rng(4).integers(0, 9, size=(4, 10)).astype(float)
    diff = Differencer(order=2).fit(X)
    out = diff.transform(X)
    assert_array_equal(diff.inverse_transform(out[2:3]), X[2:3])


def test_differencer_keeps_float32():
    X = np.arange(12, dtype=np.float32).reshape(2, 6)
    diff = Differencer().fit(X)
    assert diff.transform(X).dtype == np.float32
    assert_array_equal(diff.inverse_transform(diff.transform(X)), X)


def test_differencer_pandas_keeps_time_step_names():
    X = pd.DataFrame(SQUARES, columns=["t1", "t2", "t3", "t4", "t5"])
    out = Differencer().set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == ["t1", "t2", "t3", "t4", "t5"]
    assert_array_equal(out.to_numpy(), [[1, 3, 5, 7, 9]])


def test_inverse_difference_by_hand():
    assert_array_equal(inverse_difference([1.0, 1.0], [10.0, 12.0]), [13, 14])
    # Second differences of 2 continue the squares.
    assert_array_equal(inverse_difference([2.0, 2.0], SQUARES[0, :3], order=2), [16, 25])
    # Seasonal: x[t] = x[t-2] + d[t].
    assert_array_equal(
        inverse_difference([1.0, 0.0, 0.0], [5.0, 7.0], order=0, seasonal_lag=2), [6, 7, 6]
    )


@pytest.mark.parametrize("params", PARAMS)
def test_inverse_difference_continues_the_history(params):
    X = np.random.default_rng(5).integers(-100, 100, size=(3, 30)).astype(float)
    diffs = Differencer(**params).fit_transform(X)[:, 20:]
    assert_array_equal(inverse_difference(diffs, X[:, :20], **params), X[:, 20:])


@pytest.mark.parametrize("params", PARAMS)
def test_inverse_difference_ragged_histories_continue_their_own_end(params):
    rng = np.random.default_rng(6)
    rows = [rng.integers(-9, 9, size=n).astype(float) for n in (30, 22)]
    histories = np.full((2, 25), np.nan)
    histories[0], histories[1, :17] = rows[0][:25], rows[1][:17]
    diffs = np.vstack(
        [Differencer(**params).fit_transform(row[None])[0, -5:] for row in (rows[0], rows[1][:22])]
    )
    got = inverse_difference(diffs, histories, **params)
    assert_array_equal(got, [rows[0][25:], rows[1][17:22]])


@pytest.mark.parametrize(
    "diffs, history, options, match",
    [
        ([1.0], [1.0, 2.0], {"order": 1, "seasonal_lag": 2},
         "history row 0 has 2 time step.*at least 3"),
        (np.ones((2, 3)), [1.0, 2.0], {}, "diffs has 2 row.*history has 1"),
        ([1.0], [np.nan, 1.0], {}, "history contains NaN at row 0, time step 0"),
        ([1.0, np.nan], [1.0, 2.0], {}, "diffs contains NaN or inf at row 0, step 1"),
        ([1.0], [1.0], {"order": -1}, "order must be a non-negative integer"),
    ],
    ids=["short-history", "row-mismatch", "nan-history", "nan-diffs", "negative-order"],
)
def test_inverse_difference_errors(diffs, history, options, match):
    with pytest.raises(ValueError, match=match):
        inverse_difference(diffs, history, **options)


@pytest.mark.parametrize(
    "params, shape",
    [({"order": 1}, (5, 40)), ({"order": 1}, (3, 40, 2)), ({"seasonal_lag": 7, "order": 0},
                                                             (4, 30, 3))],
)
def test_compiled_difference_equals_the_numpy_path(monkeypatch, params, shape):
    pytest.importorskip("numba", reason="the compiled loop needs numba (the [fast] extra)")
    X = np.random.default_rng(3).normal(size=shape).cumsum(axis=1)
    differencer = Differencer(**params).fit(X)
    compiled = differencer.transform(X)
    monkeypatch.setattr(_compiled.compiled, "use_numba", False)
    np.testing.assert_array_equal(compiled, differencer.transform(X))


@pytest.mark.parametrize("bad, match", [(np.inf, "infinity"), (np.nan, "row 2, time step 5")])
def test_difference_rejects_non_finite_values(bad, match):
    X = np.ones((4, 10))
    differencer = Differencer().fit(X)
    X[2, 5] = bad
    with pytest.raises(ValueError, match=match):
        differencer.transform(X)


def test_difference_overflow_is_inf_not_an_error():
    X = np.array([[-1e308, 1e308, 0.0]])
    with np.errstate(over="ignore"):
        out = Differencer().fit(X).transform(X)
    np.testing.assert_array_equal(out, [[-1e308, np.inf, -1e308]])
