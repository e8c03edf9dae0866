import pickle

import numpy as np
import pandas as pd
import pytest

from sklseq.utils import (
    LabelSequenceKind,
    check_continuation_target,
    check_label_sequences,
    check_series,
    restore_label_sequences,
)


@pytest.mark.parametrize(
    "y, expected_seqs, kind",
    [
        (["ab", "c"], [["a", "b"], ["c"]], "strings"),
        (np.array(["ab", "c"]), [["a", "b"], ["c"]], "strings"),
        (pd.Series(["ab", "c"]), [["a", "b"], ["c"]], "strings"),
        ([[1, 2], [3]], [[1, 2], [3]], "sequences"),
        ([("the", "cat"), ()], [["the", "cat"], []], "sequences"),
        ([np.array([4, 5]), np.array([6])], [[4, 5], [6]], "sequences"),
        (np.array([7, 8, 7]), [[7], [8], [7]], "1d"),
        ([7, 8, 7], [[7], [8], [7]], "1d"),
        (np.array([[1.0, 2.0, np.nan], [3.0, np.nan, np.nan]]), [[1.0, 2.0], [3.0]], "padded"),
        (np.array([["a", "b", None], ["c", None, None]], dtype=object),
         [["a", "b"], ["c"]], "padded"),
    ],
)
def test_check_label_sequences_reads_every_kind(y, expected_seqs, kind):
    seqs, record = check_label_sequences(y)
    assert seqs == expected_seqs
    assert record.kind == kind


def test_dataframe_is_a_padded_array():
    frame = pd.DataFrame({"t0": [1.0, 2.0], "t1": [3.0, np.nan]})
    seqs, kind = check_label_sequences(frame)
    assert seqs == [[1.0, 3.0], [2.0]] and kind.kind == "padded"


def test_check_label_sequences_returns_python_scalars():
    seqs, _ = check_label_sequences(np.array([[1, 2], [3, 4]]))
    assert type(seqs[0][0]) is int


@pytest.mark.parametrize(
    "y, predicted, expected",
    [
        (["ab", "c"], [["b", "a"], []], ["ba", ""]),
        ([[1, 2], [3]], [[3], [2, 1]], [[3], [2, 1]]),
        (np.array([7, 8, 7]), [[8], [], [7, 8]], np.array([8, 7, 7])),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), [[3.0, 2.0, 1.0], [1.0]],
         np.array([[3.0, 2.0, 1.0], [1.0, np.nan, np.nan]])),
        (np.array([[1, 2], [3, 4]]), [[5], [6]], np.array([[5.0, np.nan], [6.0, np.nan]])),
        (np.array([[1, 2], [3, 4]]), [[5, 6], [7, 8]], np.array([[5, 6], [7, 8]])),
    ],
)
def test_restore_returns_the_kind_fit_received(y, predicted, expected):
    _, kind = check_label_sequences(y)
    restored = restore_label_sequences(predicted, kind)
    if isinstance(expected, list):
        assert restored == expected
    else:
        assert isinstance(restored, np.ndarray)
        assert restored.dtype == expected.dtype
        np.testing.assert_array_equal(restored, expected)


def test_restore_1d_empty_prediction_gets_the_most_frequent_label():
    # 7 appears twice, 8 once: hand count.
    _, kind = check_label_sequences(np.array([8, 7, 7]))
    assert restore_label_sequences([[]], kind)[0] == 7


def test_explicit_pad_value_round_trips():
    y = np.array([[1, 2, -1], [3, -1, -1]])
    seqs, kind = check_label_sequences(y, pad_value=-1)
    assert seqs == [[1, 2], [3]]
    np.testing.assert_array_equal(restore_label_sequences(seqs, kind), y)


def test_string_array_input_returns_an_array():
    _, kind = check_label_sequences(np.array(["ab", "c"]))
    out = restore_label_sequences([["x"], ["y", "z"]], kind)
    assert isinstance(out, np.ndarray) and out.tolist() == ["x", "yz"]


def test_label_sequence_kind_pickles():
    _, kind = check_label_sequences(np.array([[1.0, np.nan]]))
    assert pickle.loads(pickle.dumps(kind)) == kind


@pytest.mark.parametrize(
    "y, kwargs, error, match",
    [
        (None, {}, ValueError, "requires y to be passed, but the target y is None"),
        ([], {}, ValueError, "y is empty"),
        (np.array([]), {}, ValueError, "y is empty"),
        ("abc", {}, TypeError, "single string"),
        (np.zeros((2, 2, 2)), {}, ValueError, "3 dimensions"),
        ([[1, None], [2]], {}, ValueError, "Row 0 of y holds the token None at position 1"),
        ([[1.0], [float("nan")]], {}, ValueError, "Row 1 of y holds the token nan"),
        (np.array([[1.0, np.nan, 2.0]]), {}, ValueError, "row 0, position 1"),
        (np.array([[1, -1, 2]]), {"pad_value": -1}, ValueError, "pad value -1 at row 0"),
        ([[1, 2], ["a"]], {}, TypeError, r"mixes token types: int \(row 0\) and str \(row 1\)"),
        (["ab", [1]], {}, TypeError, "row 0 is a string .* row 1 is a sequence"),
        ([[1], [[2]]], {}, TypeError, "Row 1 of y holds an unhashable token"),
        ([[1], [2]], {"n_samples": 3}, ValueError, "y has 2 rows but X has 3 samples"),
        ([[1], []], {"allow_empty": False}, ValueError, "Row 1 of y is an empty sequence"),
    ],
)
def test_check_label_sequences_bad_input(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_label_sequences(y, **kwargs)


@pytest.mark.parametrize(
    "y", [["ab", "c"], np.array([[1.0, np.nan], [2.0, 3.0]]), np.array([3, 1, 3]), [(1, 2), (3,)]]
)
def test_label_sequence_kind_plain_round_trip(y):
    _, kind = check_label_sequences(y)
    plain = kind.to_plain()
    assert all(v is None or isinstance(v, (str, int, float)) for v in plain)
    assert LabelSequenceKind.from_plain(plain) == kind


def test_continuation_target_shapes_and_horizon():
    y2d, horizon, was_2d = check_continuation_target(np.ones((4, 3)), 4)
    assert y2d.shape == (4, 3) and horizon == 3 and was_2d
    y2d, horizon, was_2d = check_continuation_target([1.0, 2.0], 2, horizon=5)
    assert y2d.tolist() == [[1.0], [2.0]] and horizon == 5 and not was_2d
    assert check_continuation_target(None, 3, required=False) == (None, 1, False)


@pytest.mark.parametrize(
    "y, n_samples, kwargs, match",
    [
        (None, 2, {}, "requires y to be passed"),
        ([1.0, 2.0, 3.0], 2, {}, "y has 3 rows but X has 2"),
        (np.ones((2, 2, 2)), 2, {}, "y has 3 dimensions"),
        (np.ones((2, 2)), 2, {"horizon": 3}, "y has 2 columns but horizon=3"),
        ([1.0, np.nan], 2, {}, "NaN"),
    ],
)
def test_continuation_target_bad_input(y, n_samples, kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_continuation_target(y, n_samples, **kwargs)


def test_check_series_reads_one_series():
    assert check_series(pd.Series([1, 2, 3])).tolist() == [[1.0], [2.0], [3.0]]
    assert check_series(np.ones((4, 2))).shape == (4, 2)


@pytest.mark.parametrize(
    "series, error, match",
    [
        (np.ones((2, 2, 2)), ValueError, "3 dimensions"),
        ([], ValueError, "exog is empty"),
        ([1.0, np.inf], ValueError, "NaN or inf at time step 1"),
        (["a", "b"], TypeError, "numeric series"),
    ],
)
def test_check_series_bad_input(series, error, match):
    with pytest.raises(error, match=match):
        check_series(series, "exog")
