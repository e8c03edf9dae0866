"""Public functions reject bad arguments with a ValueError / TypeError naming the argument."""

import numpy as np
import pandas as pd
import pytest

from sklseq.decoding import beam_search, greedy_search
from sklseq.forecasting import RecursiveRegressor, forecast_from_end, last_window, make_windows
from sklseq.metrics import bleu_score
from sklseq.preprocessing import LagFeatures, frame_sequences
from sklseq.utils import check_sequences, check_series

torch = pytest.importorskip("torch")


def _step(tokens, state):
    # An embedding-like step_fn over 5 tokens: indexing fails for unknown tokens.
    table = torch.log_softmax(torch.arange(25.0).reshape(5, 5), dim=1)
    return table[tokens[:, -1]], state


@pytest.mark.parametrize("search", [beam_search, greedy_search])
@pytest.mark.parametrize(
    "start, error, match",
    [
        ([7, 1], ValueError, "start_tokens"),
        ([-1], ValueError, "start_tokens must be non-negative"),
        ([0.5], TypeError, "start_tokens must be integers"),
        ([1 + 2j], TypeError, "start_tokens must be integers"),
        (["a"], TypeError, "start_tokens"),
    ],
)
def test_decoders_name_bad_start_tokens(search, start, error, match):
    with pytest.raises(error, match=match):
        search(_step, start, eos_index=0, max_length=3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"tokenize": "no-such-tokenizer"}, "tokenize must be None or one of"),
        ({"smooth_method": "bogus"}, "smooth_method must be one of"),
    ],
)
def test_bleu_score_names_bad_sacrebleu_options(kwargs, match):
    pytest.importorskip("sacrebleu")
    with pytest.raises(ValueError, match=match):
        bleu_score(["a b c"], ["a b c"], **kwargs)


def test_bleu_score_lowercase_must_be_bool():
    pytest.importorskip("sacrebleu")
    with pytest.raises(TypeError, match="lowercase"):
        bleu_score(["a b c"], ["a b c"], lowercase="yes")


@pytest.mark.parametrize(
    "call",
    [
        lambda: make_windows(np.arange(10.0), 3, exog=np.zeros((7, 1))),
        lambda: last_window(np.arange(10.0), 3, exog=np.zeros((2, 1))),
        lambda: forecast_from_end(
            RecursiveRegressor().fit(*make_windows(np.arange(20.0), 3)),
            np.arange(20.0),
            3,
            exog=np.zeros((5, 1)),
        ),
    ],
    ids=["make_windows", "last_window", "forecast_from_end"],
)
def test_exog_length_is_named(call):
    with pytest.raises(ValueError, match=r"exog has \d+ time steps but series has \d+"):
        call()


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((np.zeros((2, 5, 1)), np.array([5, 5]), 0), {}, "'window_size' parameter"),
        ((np.zeros((2, 5, 1)), np.array([5, 5]), 2), {"stride": 0}, "'stride' parameter"),
        ((np.zeros((2, 5)), np.array([5, 5]), 2), {}, "X must be a numeric padded panel"),
        ((np.zeros((2, 5, 1)), np.array([5]), 2), {}, "lengths must be 2 integers"),
        ((np.zeros((2, 5, 1)), np.array([0, 5]), 2), {}, "lengths must be positive"),
        ((np.zeros((2, 5, 1)), np.array([5, 5]), 6), {}, "window_size=6 is longer"),
        (([[1.0, 2.0]], [2], 2), {}, "'X' parameter"),
    ],
)
def test_frame_sequences_validates_its_arguments(args, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        frame_sequences(*args, **kwargs)


def test_sequence_generator_sample_rejects_bad_per_call_settings():
    from sklseq.neural import SequenceGenerator

    gen = SequenceGenerator(hidden_size=4, embedding_dim=4, max_epochs=1, random_state=0)
    gen.fit(["abc", "abd", "bcd"] * 3)
    for kwargs, match in [
        ({"max_length": 0}, "max_length must be a positive integer"),
        ({"temperature": float("nan")}, "temperature must be a finite number"),
        ({"temperature": -1.0}, "temperature must be a finite number"),
        ({"top_k": 0}, "top_k must be a positive integer"),
    ]:
        with pytest.raises(ValueError, match=match):
            gen.sample(2, **kwargs)
    assert all(len(s) <= 2 for s in gen.sample(3, max_length=2))


@pytest.mark.parametrize(
    "call, name",
    [
        (check_sequences, "X"),
        (lambda df: LagFeatures(lags=1).fit(df), "X"),
        (check_series, "series"),
    ],
)
def test_dataframe_string_column_is_named(call, name):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "label": ["x", "y", "z"]})
    with pytest.raises(ValueError, match=f"{name} has column 'label' of dtype object"):
        call(frame)
