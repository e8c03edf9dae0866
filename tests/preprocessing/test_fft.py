import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklseq.preprocessing import FFTFeatures

COSINE = np.array([[1.0, 0.0, -1.0, 0.0]])  # cos(2 pi t / 4)


def test_fft_features_cosine_by_hand():
    # c_k = sum_t x[t] exp(-2j pi k t / 4): c_0 = 0, c_1 = 1 - (-1) = 2, c_2 = 1 + (-1) = 0.
    fft = FFTFeatures(features=["magnitude", "power", "dominant"], n_dominant=1)
    assert_allclose(fft.fit_transform(COSINE), [[0, 2, 0, 0, 4, 0, 0.25]], atol=1e-12)


def test_fft_features_sine_phase_by_hand():
    # x = sin(2 pi t / 4): c_1 = 0 - 1j * 1 + 0 + (-1) * 1j = -2j, phase -pi/2.
    X = np.array([[0.0, 1.0, 0.0, -1.0]])
    out = FFTFeatures(features="phase", n_coefs=2).fit_transform(X)
    assert_allclose(out[0, 1], -np.pi / 2, atol=1e-12)


def test_fft_features_constant_by_hand():
    out = FFTFeatures().fit_transform(np.full((1, 4), 2.0))
    assert_allclose(out, [[8, 0, 0]], atol=1e-12)


def test_fft_features_match_numpy_fft():
    X = np.random.default_rng(0).normal(size=(5, 16))
    out = FFTFeatures(features=["magnitude", "power", "phase"], n_coefs=6).fit_transform(X)
    spectrum = np.fft.rfft(X, axis=1)[:, :6]
    expected = np.hstack([np.abs(spectrum), np.abs(spectrum) ** 2, np.angle(spectrum)])
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_fft_features_dominant_against_brute_force():
    t = np.arange(32)
    X = np.vstack([3 * np.sin(2 * np.pi * 5 * t / 32) + np.cos(2 * np.pi * 2 * t / 32), t % 4])
    out = FFTFeatures(features="dominant", n_dominant=2, sampling_rate=8.0).fit_transform(X)
    # Frequencies in Hz: bin k is k * 8 / 32.
    assert_allclose(out[0], [5 * 8 / 32, 2 * 8 / 32])
    power = np.abs(np.fft.rfft(X[1])) ** 2
    ranked = sorted(range(1, 17), key=lambda k: (-power[k], k))[:2]
    assert_allclose(out[1], np.array(ranked) * 8 / 32)


def test_fft_features_ragged_rows_are_zero_padded_to_n_fft():
    rows = [np.arange(8.0), np.array([1.0, 2.0, 3.0])]
    out = FFTFeatures().fit_transform(rows)
    assert out.shape == (2, 5)
    assert_allclose(out[1], np.abs(np.fft.rfft([1.0, 2.0, 3.0], n=8)), atol=1e-12)


def test_fft_features_row_longer_than_n_fft_keeps_the_fitted_bins_and_every_step():
    fft = FFTFeatures(features=["magnitude", "phase"]).fit(np.zeros((2, 4)))
    longer = np.array([1.0, -2.0, 0.5, 3.0, 4.0, -1.0])
    out = fft.transform([np.array([1.0, 2.0, 3.0]), longer])
    assert out.shape == (2, 6)
    # The documented coefficient, sum_t x[t] exp(-2j pi k t / n_fft), by hand.
    t = np.arange(6)
    coefs = [np.sum(longer * np.exp(-2j * np.pi * k * t / 4)) for k in range(3)]
    assert_allclose(out[1], np.r_[np.abs(coefs), np.angle(coefs)], atol=1e-12)


def test_fft_features_stft_matches_per_window_fft():
    X = np.random.default_rng(1).normal(size=(2, 11))
    out = FFTFeatures(window_size=4, stride=3, n_fft=8, features="power").fit_transform(X)
    starts = [0, 3, 6]
    expected = np.stack(
        [[np.abs(np.fft.rfft(row[s : s + 4], n=8)) ** 2 for s in starts] for row in X]
    )
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_fft_features_stft_ragged_windows_are_nan():
    out = FFTFeatures(window_size=2).fit_transform([np.arange(6.0), np.arange(3.0)])
    assert out.shape == (2, 3, 2)
    assert not np.isnan(out[1, 0]).any()
    assert np.isnan(out[1, 1:]).all()


def test_fft_features_multivariate_names_and_order():
    X = np.stack([COSINE[0], 2 * COSINE[0]], axis=1)[None]  # 2 channels
    fft = FFTFeatures(features=["magnitude", "dominant"], n_coefs=2, n_dominant=1).fit(X)
    assert list(fft.get_feature_names_out()) == [
        "x0__magnitude_0",
        "x0__magnitude_1",
        "x0__dominant_0",
        "x1__magnitude_0",
        "x1__magnitude_1",
        "x1__dominant_0",
    ]
    assert_allclose(fft.transform(X), [[0, 2, 0.25, 0, 4, 0.25]], atol=1e-12)


def test_fft_features_keep_float32():
    X = np.random.default_rng(2).normal(size=(3, 8)).astype(np.float32)
    out = FFTFeatures(features=["magnitude", "dominant"]).fit_transform(X)
    assert out.dtype == np.float32
    assert_allclose(out[:, :5], np.abs(np.fft.rfft(X.astype(float))), rtol=1e-5, atol=1e-5)


def test_fft_features_many_rows_in_chunks_equal_one_by_one():
    X = np.random.default_rng(3).normal(size=(300, 64))
    fft = FFTFeatures(features=["power", "dominant"], n_coefs=2).fit(X)
    out = fft.transform(X)  # output 300 x 5 is tiny: rows go in several chunks
    one_by_one = np.vstack([fft.transform(X[i : i + 1]) for i in (0, 150, 299)])
    assert_array_equal(out[[0, 150, 299]], one_by_one)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_coefs": 4}, "n_coefs=4 is more than the 3 frequencies"),
        ({"features": "dominant", "n_dominant": 3}, "n_dominant=3 is more than the 2"),
        ({"features": ["power", "power"]}, "repeated"),
        ({"features": ["amplitude"]}, "features must be one or more of"),
        ({"window_size": 3, "n_fft": 2}, "n_fft=2 is shorter than window_size=3"),
    ],
)
def test_fft_features_bad_parameters_raise(params, match):
    with pytest.raises(ValueError, match=match):
        FFTFeatures(**params).fit(np.zeros((2, 4)))
