import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sktime.transformations.rocket._minirocket_multi_numba import (
    _fit_dilations as sktime_fit_dilations,
)

from sklseq.preprocessing import MiniRocketFeatures
from sklseq.preprocessing._rocket import KERNEL_INDICES, POOLING_OPERATORS


def _weights(kernel):
    w = -np.ones(9)
    w[KERNEL_INDICES[kernel]] = 2.0
    return w


def _direct_convolution(est, row, dilation_index, kernel):
    """One kernel's output on one row over the steps pooled, by a direct numpy
    correlation, with the kernel's biases and their columns in an operator's block."""
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
    return conv, biases, slice(start, start + n_biases)


def _direct_features(est, row, dilation_index, kernel):
    """PPV features of one kernel by a direct numpy correlation of one row."""
    conv, biases, cols = _direct_convolution(est, row, dilation_index, kernel)
    return (conv[:, None] > biases[None, :]).mean(axis=0), cols


def _pooled_by_loop(conv, bias, op):
    """One pooling operator of ``conv - bias``, step by step (the paper's definitions)."""
    positive = [(t, c - bias) for t, c in enumerate(conv) if c > bias]
    if op == "ppv":
        return len(positive) / len(conv)
    if op == "mpv":
        return np.mean([value for _, value in positive]) if positive else 0.0
    if op == "mipv":
        return np.mean([t for t, _ in positive]) if positive else -1.0
    longest = run = 0
    for c in conv:
        run = run + 1 if c > bias else 0
        longest = max(longest, run)
    return longest


def _assert_pooling_equals_loop(est, features, row, dilation_indices, kernels):
    n_per_operator = len(est.biases_)
    for dilation_index in dilation_indices:
        for kernel in kernels:
            conv, biases, cols = _direct_convolution(est, row, dilation_index, kernel)
            for position, op in enumerate(est.pooling):
                expected = [_pooled_by_loop(conv, float(b), op) for b in biases]
                got = features[position * n_per_operator :][cols]
                # MPV sums float32 differences; the others are exact up to one rounding.
                np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5, err_msg=op)


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


ALL_POOLING = ("mipv", "ppv", "lspv", "mpv")


@pytest.mark.parametrize("n_channels", [1, 3])
def test_pooling_operators_equal_a_direct_computation(n_channels):
    rng = np.random.default_rng(7)
    X = rng.integers(-5, 6, size=(10, 60, n_channels)).astype(float)
    est = MiniRocketFeatures(n_features=4 * 252, pooling=ALL_POOLING, random_state=0).fit(X)
    features = est.transform(X)
    assert features.shape == (10, 4 * 252)
    assert len(est.dilations_) > 1
    for row in (0, 9):
        _assert_pooling_equals_loop(
            est, features[row], X[row], range(len(est.dilations_)), (0, 1, 40, 83)
        )


def test_pooling_on_variable_length_rows_equals_a_direct_computation():
    rng = np.random.default_rng(8)
    rows = [rng.integers(-5, 6, size=(length, 2)).astype(float) for length in (50, 33, 12, 6)]
    est = MiniRocketFeatures(n_features=4 * 252, pooling=ALL_POOLING, random_state=1).fit(rows)
    batch = est.transform(rows)
    for i, row in enumerate(rows):
        # Each row over its own steps: the centre of the short rows is empty
        # at the larger dilations (pooled over the whole row).
        _assert_pooling_equals_loop(est, batch[i], row, range(len(est.dilations_)), (0, 3, 50))


@pytest.mark.parametrize("pooling", [("ppv",), ALL_POOLING, ("lspv", "mpv")])
def test_padding_a_row_never_changes_its_pooled_features(pooling):
    rng = np.random.default_rng(9)
    rows = [rng.normal(size=(length, 2)) for length in (45, 20, 9)]
    est = MiniRocketFeatures(n_features=504, pooling=pooling, random_state=0).fit(rows)
    padded = np.full((3, 70, 2), np.nan)
    for i, row in enumerate(rows):
        padded[i, : len(row)] = row
    batch = est.transform(padded)
    for i, row in enumerate(rows):
        # Alone, an equal-length batch of one row takes the unmasked path.
        assert_array_equal(batch[i], est.transform(row[None])[0])


def test_pooling_blocks_follow_the_order_given():
    X = np.random.default_rng(10).normal(size=(8, 30))
    single = {
        op: MiniRocketFeatures(n_features=168, pooling=(op,), random_state=2).fit_transform(X)
        for op in POOLING_OPERATORS
    }
    est = MiniRocketFeatures(n_features=4 * 168, pooling=ALL_POOLING, random_state=2)
    together = est.fit_transform(X)
    assert_array_equal(together, np.hstack([single[op] for op in ALL_POOLING]))
    names = est.get_feature_names_out()
    assert list(names[[0, 168, 336, 504, 671]]) == [
        "minirocketfeatures_mipv0", "minirocketfeatures_ppv0", "minirocketfeatures_lspv0",
        "minirocketfeatures_mpv0", "minirocketfeatures_mpv167",
    ]


def test_n_features_is_split_across_the_operators():
    X = np.random.default_rng(11).normal(size=(6, 40))
    est = MiniRocketFeatures(n_features=1000, pooling=("ppv", "mpv", "lspv"), random_state=0)
    # 1000 / 3 = 333 per operator: 3 biases per kernel, 252 features each.
    assert est.fit_transform(X).shape == (6, 3 * 252)


@pytest.mark.parametrize("pooling", [(), ("ppv", "ppv"), ("ppv", "max")])
def test_bad_pooling_is_rejected_by_name(pooling):
    X = np.random.default_rng(12).normal(size=(4, 20))
    with pytest.raises(ValueError, match="pooling"):
        MiniRocketFeatures(pooling=pooling).fit(X)


def test_pooling_as_a_string_is_rejected_by_name():
    X = np.random.default_rng(12).normal(size=(4, 20))
    with pytest.raises(ValueError, match="pooling"):
        MiniRocketFeatures(pooling="ppv").fit(X)


def test_pooling_agrees_with_sktime_multirocket_on_its_biases():
    # sktime's MultiRocket (the reference code) on the same dilations and
    # biases: its first half holds PPV, LSPV, MPV, MIPV blocks of the rows.
    # PPV and MIPV are the same definitions; its MPV averages C + bias where
    # the paper's (ours) averages C - bias; its LSPV counts differently (see
    # the class Notes) and is checked against the loop above instead.
    from sktime.transformations.rocket import MultiRocket

    rng = np.random.default_rng(13)
    X = rng.integers(-5, 6, size=(12, 40)).astype(float)
    reference = MultiRocket(num_kernels=168, random_state=0).fit(X[:, None, :])
    expected = reference.transform(X[:, None, :]).to_numpy()
    dilations, per_dilation, biases = reference.parameter
    est = MiniRocketFeatures(
        n_features=4 * 168, pooling=("ppv", "lspv", "mpv", "mipv"), random_state=0
    ).fit(X)
    assert_array_equal(est.dilations_, dilations)
    assert_array_equal(est.n_features_per_dilation_, per_dilation)
    est.biases_ = biases.astype(np.float32)
    ppv, _, mpv, mipv = np.split(est.transform(X), 4, axis=1)
    ref_ppv, _, ref_mpv, ref_mipv = np.split(expected[:, : 4 * 168], 4, axis=1)
    assert_array_equal(ppv, ref_ppv)
    np.testing.assert_allclose(mipv, ref_mipv, rtol=1e-6)
    np.testing.assert_allclose(mpv, np.where(ref_ppv > 0, ref_mpv - 2 * biases, 0), rtol=1e-5, atol=1e-5)
