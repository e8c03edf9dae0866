"""Invariants every transformer of this family keeps (SPEC section 2)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklseq.preprocessing import Differencer, SlidingWindow
from sklseq.utils import all_estimators, pad_sequences

# Every public transformer of sklseq.preprocessing, found the way test_common finds
# them, so a new one is checked without being listed here. Settings worth checking
# besides the defaults are listed by class; a class not listed runs with its defaults.
SETTINGS = {
    "SlidingWindow": [{"window_size": 3, "stride": 2}, {"window_size": 3, "flatten": False}],
    "LagFeatures": [{"lags": [0, 2]}, {"lags": 3, "per_step": True}],
    "Differencer": [{"order": 1, "seasonal_lag": 2}],
    "FFTFeatures": [
        {"features": ["magnitude", "phase", "dominant"], "n_coefs": 3},
        {"window_size": 4, "stride": 2, "features": "power"},
    ],
    # Its biases are drawn at random in fit: two fits agree only under one seed.
    "MiniRocketFeatures": [{"n_features": 420, "random_state": 0}],
}
FAMILY = [
    cls for _, cls in all_estimators(type_filter="transformer")
    if cls.__module__.startswith("sklseq.preprocessing.")
]
TRANSFORMERS = [cls(**params) for cls in FAMILY for params in SETTINGS.get(cls.__name__, [{}])]
ROWS = [np.random.default_rng(0).normal(size=(n, 2)) for n in (12, 7, 4, 9)]


def test_every_setting_names_a_discovered_transformer():
    # A renamed or lost class would otherwise drop out of every test below unnoticed.
    assert set(SETTINGS) <= {cls.__name__ for cls in FAMILY}


def _ids(transformer):
    return repr(transformer)


def _pad_steps(out, n_steps):
    if out.ndim == 2 and out.shape[1] == n_steps:
        return out
    pad = [(0, 0)] * out.ndim
    pad[1] = (0, n_steps - out.shape[1])
    return np.pad(out, pad, constant_values=np.nan)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=_ids)
def test_rows_do_not_depend_on_each_other_or_on_padding(transformer):
    full = transformer.fit(ROWS).transform(ROWS)
    padded, _ = pad_sequences(ROWS)
    # One NaN-padded row on its own, and a shorter ragged batch of two rows.
    assert_array_equal(transformer.transform(padded[[2]])[0], full[2])
    pair = transformer.transform([ROWS[1], ROWS[2]])
    if full.ndim == 3 or isinstance(transformer, Differencer):
        pair = _pad_steps(pair, full.shape[1])
    assert_array_equal(pair, full[[1, 2]])


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=_ids)
def test_output_names_describe_the_last_axis(transformer):
    out = transformer.fit_transform(ROWS)
    assert len(transformer.get_feature_names_out()) == out.shape[-1]


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=_ids)
def test_univariate_dataframe_gives_the_same_values(transformer):
    X = np.random.default_rng(1).normal(size=(3, 10))
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(10)])
    assert_array_equal(transformer.fit_transform(frame), transformer.fit_transform(X))


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=_ids)
def test_interior_nan_is_an_error_naming_row_and_step(transformer):
    X = np.ones((3, 10))
    X[2, 4] = np.nan
    with pytest.raises(ValueError, match="row 2, time step 4"):
        transformer.fit(X)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=_ids)
def test_channels_must_match_fit(transformer):
    transformer.fit(np.ones((2, 10, 2)))
    with pytest.raises(ValueError, match="3 channel"):
        transformer.transform(np.ones((2, 10, 3)))


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0, np.inf, 2.0, 3.0, 4.0]]), "infinity"),
        (np.ones((2, 5, 1, 1)), "4 dimensions"),
        ([["a", "b", "c", "d", "e"]], "could not convert string"),
        (np.ones((0, 5)), "0 sample"),
        ([np.ones(5), np.ones((5, 2))], r"X\[1\] has 2 channels"),
    ],
    ids=["inf", "4d", "strings", "empty", "mixed-channels"],
)
@pytest.mark.parametrize("transformer", TRANSFORMERS[::2], ids=_ids)
def test_bad_input_is_a_clear_error(transformer, X, match):
    with pytest.raises(ValueError, match=match):
        transformer.fit(X)


def test_sequence_output_stays_an_array_under_pandas_output():
    # pandas has no 3D container: set_output applies to 2D outputs only.
    frames = SlidingWindow(flatten=False).set_output(transform="pandas").fit_transform(np.ones((2, 5)))
    assert isinstance(frames, np.ndarray) and frames.shape == (2, 4, 2)
