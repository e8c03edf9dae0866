import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from sklseq.preprocessing import SequenceScaler, scale_sequences
from sklseq.utils import check_sequences

SKLEARN = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


def _ragged(rng, n_channels=2):
    # Amplitudes spanning six orders of magnitude, as in the issue.
    return [
        rng.normal(size=(length, n_channels)) * 10.0 ** rng.integers(-3, 4)
        for length in (7, 12, 9, 15)
    ]


@pytest.mark.parametrize("method", ["standard", "minmax", "robust"])
def test_per_sequence_matches_sklearn_on_each_row(method):
    rows = _ragged(np.random.default_rng(0))
    out = SequenceScaler(method=method).fit_transform(rows)
    for i, row in enumerate(rows):
        # sklearn scales columns: each row alone, its channels as columns.
        expected = SKLEARN[method]().fit_transform(row)
        assert_allclose(out[i, : len(row)], expected, rtol=1e-10, atol=1e-12)
        assert np.isnan(out[i, len(row) :]).all()


@pytest.mark.parametrize("method", ["standard", "minmax", "robust"])
def test_dataset_scope_matches_sklearn_on_pooled_steps(method):
    rows = _ragged(np.random.default_rng(1))
    scaler = SequenceScaler(method=method, scope="dataset").fit(rows)
    reference = SKLEARN[method]().fit(np.vstack(rows))
    out = scaler.transform(rows)
    for i, row in enumerate(rows):
        assert_allclose(out[i, : len(row)], reference.transform(row), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("method", ["standard", "minmax", "robust"])
def test_dataset_scope_round_trip(method):
    rows = _ragged(np.random.default_rng(2))
    scaler = SequenceScaler(method=method, scope="dataset").fit(rows)
    restored = scaler.inverse_transform(scaler.transform(rows))
    padded, _ = check_sequences(rows)
    assert_allclose(restored, padded, rtol=1e-12, atol=1e-12)


def test_inverse_transform_only_offered_for_dataset_scope():
    assert not hasattr(SequenceScaler(), "inverse_transform")
    assert hasattr(SequenceScaler(scope="dataset"), "inverse_transform")


def test_pooled_channels_keep_their_relative_scale():
    X = np.stack([np.arange(5.0), 10 * np.arange(5.0)], axis=-1)[None]
    out = SequenceScaler(method="minmax", per_channel=False).fit_transform(X)
    assert_allclose(out[0, :, 0], np.arange(5.0) / 40)
    assert_allclose(out[0, :, 1], np.arange(5.0) / 4)


def test_constant_rows_map_to_zero_not_nan():
    X = np.array([[3.0, 3.0, 3.0], [1.0, 2.0, 3.0]])
    for method in ("standard", "minmax", "robust"):
        out = SequenceScaler(method=method).fit_transform(X)
        assert_array_equal(out[0], [0.0, 0.0, 0.0])


def test_robust_quantiles_by_hand():
    # Median 3, quartiles 2 and 4 of [1..5]; the padded row [1, 2, 3, 100]
    # has median 2.5, quartiles 1.75 and 27.25 (linear interpolation).
    X = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 100.0, np.nan]])
    out = SequenceScaler(method="robust").fit_transform(X)
    assert_allclose(out[0], (np.arange(1.0, 6.0) - 3) / 2)
    assert_allclose(out[1, :4], (np.array([1.0, 2.0, 3.0, 100.0]) - 2.5) / 25.5)


def test_float32_is_preserved_and_univariate_stays_2d():
    X = np.random.default_rng(3).normal(size=(4, 10)).astype(np.float32)
    out = SequenceScaler().fit_transform(X)
    assert out.dtype == np.float32 and out.shape == (4, 10)


def test_output_flows_as_ragged_into_the_next_step():
    rows = _ragged(np.random.default_rng(4), n_channels=1)
    pipe = make_pipeline(SequenceScaler(), SequenceScaler(method="minmax"))
    out = pipe.fit_transform([r[:, 0] for r in rows])
    _, lengths = check_sequences(out)
    assert_array_equal(lengths, [len(r) for r in rows])


def test_scale_sequences_function_equals_transformer():
    rows = _ragged(np.random.default_rng(5))
    X, lengths = check_sequences(rows)
    assert_allclose(
        scale_sequences(X, lengths, method="robust"),
        SequenceScaler(method="robust").fit_transform(rows),
    )


def test_inverse_transform_checks_channels():
    scaler = SequenceScaler(scope="dataset").fit(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match="channel"):
        scaler.inverse_transform(np.ones((2, 5, 2)))
