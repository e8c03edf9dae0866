"""The transform-time finite pass of SequenceTransformer (``_transform_if_finite``).

Array input to ``transform`` is computed before its values are scanned, and
checked block by block; these tests pin that the result and the errors are
those of the full validation path (list input always takes that path).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklseq.preprocessing import Differencer, RollingStatistics

FINITE_PASS = [
    Differencer(order=1),
    Differencer(order=0, seasonal_lag=3),
    RollingStatistics(windows=[2, 5], statistics=["mean", "std", "min", "q0.5"], output="sequence"),
]
# 70,000 steps: longer than one cache block, so rows are split in time.
SHAPES = [(4, 9), (3, 11, 2), (2, 70_000)]


def _ids(transformer):
    return repr(transformer)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("transformer", FINITE_PASS, ids=_ids)
def test_array_input_equals_the_validated_path(transformer, shape):
    X = np.random.default_rng(0).normal(size=shape).cumsum(axis=1)
    transformer.fit(X)
    assert_array_equal(transformer.transform(X), transformer.transform(list(X)))


@pytest.mark.parametrize("transformer", FINITE_PASS, ids=_ids)
def test_inf_and_interior_nan_are_errors_at_transform(transformer):
    transformer.fit(np.ones((3, 10)))
    X = np.ones((3, 10))
    X[1, 3] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        transformer.transform(X)
    X[1, 3] = np.nan
    with pytest.raises(ValueError, match="row 1, time step 3"):
        transformer.transform(X)


@pytest.mark.parametrize("transformer", FINITE_PASS, ids=_ids)
def test_nan_padding_at_transform_keeps_each_row_length(transformer):
    rows = [np.arange(10.0), np.arange(6.0) ** 2]
    padded = np.full((2, 10), np.nan)
    padded[0], padded[1, :6] = rows[0], rows[1]
    transformer.fit(padded)
    out = transformer.transform(padded)
    assert_array_equal(out[1][: len(rows[1])], transformer.transform(rows[1:])[0])
    assert np.isnan(out[1][len(rows[1]) :]).all()


def test_huge_values_are_not_mistaken_for_inf():
    # Their squares overflow, so the cheap check fails and the full check runs.
    X = np.array([[1e200, 3e200, 2e200, -1e200]])
    out = Differencer().fit(X).transform(X)
    assert_array_equal(out, [[1e200, 2e200, -1e200, -3e200]])
    means = RollingStatistics(windows=2, statistics="mean", output="sequence").fit(X).transform(X)
    assert_allclose(means[0, :, 0], [1e200, 2e200, 2.5e200, 0.5e200])
