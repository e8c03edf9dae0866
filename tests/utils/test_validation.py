import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from sklseq.utils import check_sequences, pad_sequences, unpad_sequences


class _Dummy(BaseEstimator):
    pass


def test_2d_is_univariate():
    X, lengths = check_sequences(np.arange(6.0).reshape(2, 3))
    assert X.shape == (2, 3, 1)
    np.testing.assert_array_equal(lengths, [3, 3])


def test_3d_keeps_channels():
    X, lengths = check_sequences(np.zeros((4, 5, 2)))
    assert X.shape == (4, 5, 2)
    np.testing.assert_array_equal(lengths, [5] * 4)


def test_float64_array_is_not_copied():
    data = np.random.default_rng(0).normal(size=(3, 4))
    X, _ = check_sequences(data)
    assert np.shares_memory(X, data)


def test_ragged_list_is_padded_with_nan():
    X, lengths = check_sequences([np.ones(4), np.ones(2)])
    np.testing.assert_array_equal(lengths, [4, 2])
    assert np.isnan(X[1, 2:]).all() and not np.isnan(X[0]).any()


def test_ragged_multivariate_list():
    X, lengths = check_sequences([np.ones((3, 2)), np.ones((5, 2))])
    assert X.shape == (2, 5, 2)
    np.testing.assert_array_equal(lengths, [3, 5])


def test_trailing_nan_is_padding():
    data = np.array([[1.0, 2.0, np.nan, np.nan], [1.0, 2.0, 3.0, 4.0]])
    _, lengths = check_sequences(data)
    np.testing.assert_array_equal(lengths, [2, 4])


def test_interior_nan_names_row_and_step():
    data = np.ones((3, 5))
    data[2, 1] = np.nan
    with pytest.raises(ValueError, match="row 2, time step 1"):
        check_sequences(data)


def test_partial_nan_step_in_multivariate_is_interior():
    data = np.ones((2, 4, 2))
    data[1, 3, 0] = np.nan  # the last step, but only one channel missing
    with pytest.raises(ValueError, match="row 1, time step 3"):
        check_sequences(data)


def test_all_nan_row_is_an_error():
    data = np.ones((2, 3))
    data[1] = np.nan
    with pytest.raises(ValueError, match="Row 1 of X is empty"):
        check_sequences(data)


def test_inf_is_an_error():
    data = np.ones((2, 3))
    data[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        check_sequences(data)


@pytest.mark.parametrize("X", [np.empty((0, 3)), []])
def test_empty_input_is_an_error(X):
    with pytest.raises(ValueError):
        check_sequences(X)


@pytest.mark.parametrize("X", [np.arange(5.0) + 1234.5, [1234.5, 2.0, 3.0, 4.0, 5.0]])
def test_1d_input_says_how_to_pass_one_series_without_printing_it(X):
    with pytest.raises(ValueError, match=r"1D \(5 values\).*X\[None\].*forecast_from_end") as info:
        check_sequences(X)
    assert "1234" not in str(info.value)


def test_4d_input_is_an_error():
    with pytest.raises(ValueError, match="4 dimensions"):
        check_sequences(np.ones((2, 3, 4, 5)))


def test_ragged_channel_mismatch_names_the_row():
    with pytest.raises(ValueError, match=r"X\[1\] has 3 channels"):
        check_sequences([np.ones((3, 2)), np.ones((4, 3))])


def test_min_length_names_the_row():
    with pytest.raises(ValueError, match="Row 1 of X is too short.*window_size=3"):
        check_sequences([np.ones(5), np.ones(2)], min_length=3, length_reason="window_size=3")


def test_estimator_records_shape_and_checks_channels():
    est = _Dummy()
    check_sequences(np.zeros((4, 5, 2)), estimator=est, reset=True)
    assert est.n_features_in_ == 5 and est.n_channels_in_ == 2
    with pytest.raises(ValueError, match="3 channel.*fitted with 2"):
        check_sequences(np.zeros((4, 5, 3)), estimator=est, reset=False)
    X, _ = check_sequences(np.zeros((4, 6, 2)), estimator=est, reset=False)
    assert X.shape == (4, 6, 2)  # a 3D panel is free in length at predict
    with pytest.raises(ValueError, match="X has 6 features"):
        check_sequences(np.zeros((4, 6, 2)), estimator=est, reset=False, fixed_length=True)


def test_plain_2d_keeps_n_features_rule_and_padded_2d_is_free():
    est = _Dummy()
    check_sequences(np.zeros((4, 5)), estimator=est, reset=True)
    with pytest.raises(ValueError, match="X has 3 features"):
        check_sequences(np.zeros((4, 3)), estimator=est, reset=False)
    padded = np.array([[1.0, 2.0, 3.0], [1.0, np.nan, np.nan]])
    X, lengths = check_sequences(padded, estimator=est, reset=False)
    assert X.shape == (2, 3, 1) and lengths.tolist() == [3, 1]
    X, lengths = check_sequences(np.zeros((2, 8, 1)), estimator=est, reset=False)
    assert lengths.tolist() == [8, 8]


def test_ragged_list_may_have_any_length_at_predict():
    est = _Dummy()
    check_sequences(np.zeros((4, 5)), estimator=est, reset=True)
    X, lengths = check_sequences([np.ones(7), np.ones(2)], estimator=est, reset=False)
    assert X.shape == (2, 7, 1)


def test_dataframe_keeps_feature_names():
    est = _Dummy()
    df = pd.DataFrame(np.zeros((3, 4)), columns=["t0", "t1", "t2", "t3"])
    check_sequences(df, estimator=est)
    np.testing.assert_array_equal(est.feature_names_in_, df.columns)


def test_pad_then_unpad_round_trips():
    seqs = [np.arange(3.0), np.arange(5.0)]
    padded, lengths = pad_sequences(seqs, fill_value=0.0)
    back = unpad_sequences(padded[:, :, 0], lengths)
    for a, b in zip(seqs, back):
        np.testing.assert_array_equal(a, b)


def test_list_of_equal_length_sequences_may_have_any_length_at_predict():
    # SPEC section 2: sequences of other lengths go in as a list, ragged or not.
    est = _Dummy()
    check_sequences(np.ones((3, 12)), estimator=est)
    X, lengths = check_sequences([np.ones(7), np.ones(7)], estimator=est, reset=False)
    assert X.shape == (2, 7, 1)
    assert lengths.tolist() == [7, 7]
    with pytest.raises(ValueError, match="expecting 12 features"):
        check_sequences(np.ones((2, 7)), estimator=est, reset=False)
