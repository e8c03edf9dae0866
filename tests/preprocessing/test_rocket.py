import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sktime.transformations.rocket._minirocket_multi_numba import (
    _fit_dilations as sktime_fit_dilations,
)

from sklseq.preprocessing import MiniRocketFeatures
from sklseq.preprocessing._rocket import KERNEL_INDICES


def _weights(kernel):
    w = -np.ones(9)
    w[KERNEL_INDICES[kernel]] = 2.0
    return w


def _direct_features(est, row, dilation_index, kernel):
    """PPV features of one kernel by a direct numpy correlation of one row."""
    dilation = int(est.dilations_[dilation_index])
    n_biases = int(est.n_features_per_dilation_[dilation_index])
    combination = dilation_index * 84 + kernel
    start = int((est.n_features_per_dilation_[:dilation_index]).sum()) * 84 + kernel * n_biases
    dilated = np.zeros(8 * dilation + 1)
    dilated[::dilation] = _weights(kernel)
    padding = 4 * dilation
    conv = np.zeros(len(row))
    for channel in est.channels_[combination]:
        padded = np.concatenate([np.zeros(padding), row[:, channel], np.zeros(padding)])
        # np.convolve flips its second argument: flipped weights give C[t] = sum_j w_j x[t + (j-4)d].
        conv += np.convolve(padded, dilated[::-1], mode="valid")
    if (dilation_index + kernel) % 2 == 1 and len(row) > 2 * padding:
        conv = conv[padding:-padding]
    biases = est.biases_[start : start + n_biases]
    return (conv[:, None] > biases[None, :]).mean(axis=0), slice(start, start + n_biases)


@pytest.mark.parametrize("n_channels", [1, 3])
def test_features_equal_a_direct_convolution(n_channels):
    # Integer data: every convolution is exact, so the comparison is exact.
    rng = np.random.default_rng(0)
    X = rng.integers(-5, 6, size=(12, 40, n_channels)).astype(float)
    est = MiniRocketFeatures(n_features=840, random_state=0).fit(X)
    features = est.transform(X)
    assert len(est.dilations_) > 1
    for dilation_index in range(len(est.dilations_)):
        for kernel in (0, 1, 41, 83):
            for row in (0, 7):
                expected, cols = _direct_features(est, X[row], dilation_index, kernel)
                assert_array_equal(features[row, cols], expected.astype(np.float32))


def test_variable_length_rows_equal_their_features_alone():
    rng = np.random.default_rng(1)
    rows = [rng.integers(-5, 6, size=(length, 2)).astype(float) for length in (30, 17, 9, 5)]
    est = MiniRocketFeatures(n_features=500, random_state=0).fit(rows)
    batch = est.transform(rows)
    for i, row in enumerate(rows):
        assert_array_equal(batch[i], est.transform([row])[0])
    # And the short row by the direct computation (PPV over the whole row where
    # the centre is empty).
    for dilation_index in range(len(est.dilations_)):
        for kernel in (0, 5):
            expected, cols = _direct_features(est, rows[3], dilation_index, kernel)
            assert_array_equal(batch[3, cols], expected.astype(np.float32))


@pytest.mark.parametrize("length", [9, 24, 150, 1000])
def test_dilations_match_the_reference(length):
    est = MiniRocketFeatures(random_state=0).fit(np.zeros((2, length)) + np.arange(length))
    dilations, per_dilation = sktime_fit_dilations(length, 10_000, 32)
    assert_array_equal(est.dilations_, dilations)
    assert_array_equal(est.n_features_per_dilation_, per_dilation)
    assert est.n_features_out_ == 9996


def test_same_random_state_same_features():
    X = np.random.default_rng(2).normal(size=(10, 60, 3))
    a = MiniRocketFeatures(n_features=840, random_state=3).fit_transform(X)
    b = MiniRocketFeatures(n_features=840, random_state=3).fit_transform(X)
    c = MiniRocketFeatures(n_features=840, random_state=4).fit_transform(X)
    assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_long_rows_count_past_255_steps():
    # The packed counting sums at most 255 steps per word: a 600-step row of
    # ones is above any bias below its convolution everywhere.
    X = np.random.default_rng(5).normal(size=(9, 600))
    est = MiniRocketFeatures(n_features=84, random_state=0).fit(X)
    features = est.transform(X)
    expected, cols = _direct_features(est, X[4][:, None], 0, 3)
    assert abs(features[4, cols][0] - expected[0]) < 1e-6


def test_short_rows_and_pandas_output():
    X = np.random.default_rng(6).normal(size=(5, 4))
    est = MiniRocketFeatures(n_features=168, random_state=0).set_output(transform="pandas")
    out = est.fit_transform(X)
    assert out.shape == (5, 168)
    assert list(out.columns[:2]) == ["minirocketfeatures0", "minirocketfeatures1"]
    assert np.isfinite(out.to_numpy()).all()
