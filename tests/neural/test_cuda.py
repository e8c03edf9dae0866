"""CUDA end to end: every neural estimator trains and predicts on a GPU, close to the
same model trained on the CPU, and a model trained there loads where there is none.

The module is initialised on the CPU from ``random_state``, dropout is 0 and
teacher forcing is always on, so a fit on the device and one on the CPU start
from the same weights, see the same batches and draw no random numbers on the
device: they differ only by floating-point rounding (cuDNN kernels, TF32 in
cuDNN), and their outputs agree to 1e-3 after a few epochs. Skipped where torch sees
no CUDA device (``pytest -m gpu`` on a GPU machine runs them).
"""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from sklseq.neural import (
    CTCTranscriber,
    Seq2SeqRegressor,
    Seq2SeqTranslator,
    SequenceClassifier,
    SequenceGenerator,
    SequenceRegressor,
    SequenceTagger,
)
from sklseq.neural._modules import ARCHITECTURES
from tests._data import pulses, ragged_binary

pytestmark = pytest.mark.gpu

SMALL = {"hidden_size": 8, "max_epochs": 3, "batch_size": 8, "random_state": 0}
WORDS = ["a", "b", "ab", "ba", "abb", "bab"] * 6


def _on_both(make, fit_args, output):
    """``output(model)`` of the model fit on the CPU and of the one fit on CUDA."""
    cpu = make(device="cpu").fit(*fit_args)
    gpu = make(device="cuda").fit(*fit_args)
    assert next(gpu.net_.module_.parameters()).is_cuda
    return output(cpu), output(gpu)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_classifier_on_cuda_matches_the_cpu(architecture):
    X, y = ragged_binary()
    cpu, gpu = _on_both(
        lambda **kw: SequenceClassifier(architecture, **SMALL, **kw), (X, y),
        lambda model: model.predict_proba(X),
    )
    assert isinstance(gpu, np.ndarray) and gpu.dtype == np.float64
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_same_random_state_gives_the_same_model_on_cuda(architecture):
    X, y = ragged_binary()
    first, again = (
        SequenceClassifier(architecture, **SMALL, device="cuda").fit(X, y).predict_proba(X)
        for _ in range(2)
    )
    np.testing.assert_array_equal(first, again)


def test_same_random_state_gives_the_same_translator_on_cuda():
    y = [w.upper() for w in WORDS]
    first, again = (
        Seq2SeqTranslator(embedding_dim=8, teacher_forcing_ratio=0.5, dropout=0.2, **SMALL,
                          device="cuda").fit(WORDS, y).predict_log_proba(WORDS, y)
        for _ in range(2)
    )
    np.testing.assert_array_equal(first, again)


def test_regressor_on_cuda_matches_the_cpu():
    X, _ = ragged_binary()
    y = np.array([[x[:, 0].sum(), x[:, 1].mean()] for x in X])
    cpu, gpu = _on_both(
        lambda **kw: SequenceRegressor("gru", **SMALL, **kw), (X, y),
        lambda model: model.predict(X),
    )
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)


def test_tagger_with_class_weight_on_cuda_matches_the_cpu():
    X, _ = ragged_binary()
    y = [(x[:, 0] > 0.5).astype(int) for x in X]  # rare positive steps: weights matter
    cpu, gpu = _on_both(
        lambda **kw: SequenceTagger("lstm", class_weight="balanced", **SMALL, **kw), (X, y),
        lambda model: np.concatenate(model.predict_proba(X)),
    )
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)


@pytest.mark.parametrize("decoder, attention", [("gru", "additive"), ("transformer", "dot")])
def test_translator_on_cuda_matches_the_cpu(decoder, attention):
    cpu, gpu = _on_both(
        lambda **kw: Seq2SeqTranslator(
            embedding_dim=8, decoder=decoder, attention=attention, **SMALL, **kw,
        ),
        (WORDS, [w.upper() for w in WORDS]),
        lambda model: model.predict_log_proba(WORDS[:6], [w.upper() for w in WORDS[:6]]),
    )
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)


def test_translator_learns_on_cuda_and_every_decoding_runs_there():
    y = [w.upper() for w in WORDS]
    model = Seq2SeqTranslator(
        embedding_dim=8, hidden_size=16, batch_size=8, max_epochs=40, random_state=0,
        device="cuda",
    ).fit(WORDS, y)
    assert model.score(WORDS, y) == 1.0
    for params in [
        {"decoding": "beam", "beam_width": 4},
        {"decoding": "beam", "beam_width": 4, "length_penalty": 0.6, "coverage_penalty": 0.2},
        {"decoding": "beam", "beam_width": 4, "num_beam_groups": 2, "diversity_penalty": 0.5},
    ]:
        assert list(model.set_params(**params).predict(WORDS)) == y
    sequences, scores = model.set_params(decoding="beam").predict_nbest(WORDS[:3], n_best=3)
    assert [candidates[0] for candidates in sequences] == y[:3]
    assert np.all(np.diff(scores, axis=1) <= 0)


def test_seq2seq_regressor_on_cuda_matches_the_cpu():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(32, 10, 1)).cumsum(axis=1)
    y = X[:, -3:, 0] + 1.0
    cpu, gpu = _on_both(
        lambda **kw: Seq2SeqRegressor(**SMALL, **kw), (X, y), lambda model: model.predict(X)
    )
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)


def test_ctc_on_cuda_matches_the_cpu_and_decodes_there():
    X, y = pulses(80, seed=0)
    cpu, gpu = _on_both(
        lambda **kw: CTCTranscriber("gru", hidden_size=8, max_epochs=2, random_state=0, **kw),
        (X, y), lambda model: model.predict_log_proba(X[:10]),
    )
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)

    model = CTCTranscriber(
        "gru", hidden_size=16, bidirectional=True, max_epochs=40, lr=0.01, random_state=0,
        device="cuda",
    ).fit(X, y)
    greedy = model.predict(X)
    beam = model.set_params(decoding="beam", beam_width=8).predict(X)
    assert np.mean([a == b for a, b in zip(greedy, y)]) >= 0.9
    assert np.mean([a == b for a, b in zip(beam, y)]) >= 0.9


def test_generator_on_cuda_matches_the_cpu_and_samples_there():
    words = ["abc", "abd", "abc", "abcd", "ba"] * 6
    cpu, gpu = _on_both(
        lambda **kw: SequenceGenerator("gru", embedding_dim=8, **{**SMALL, "hidden_size": 16, **kw}),
        (words,), lambda model: model.score_samples(words[:5]),
    )
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)

    model = SequenceGenerator(
        "transformer", hidden_size=16, embedding_dim=8, batch_size=8, max_epochs=5,
        random_state=0, device="cuda",
    ).fit(words)
    samples = model.sample(5, random_state=0)
    assert len(samples) == 5 and all(isinstance(s, str) for s in samples)
    assert all(s.startswith("ab") for s in model.complete(["ab", "ab"], random_state=0))
    assert np.isfinite(model.perplexity(words))


def test_model_fit_on_cuda_predicts_the_same_after_pickle_on_a_machine_without_cuda(tmp_path):
    X, y = ragged_binary()
    model = SequenceClassifier("lstm", **SMALL, device="cuda").fit(X, y)
    expected = model.predict_proba(X)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model))
    np.save(tmp_path / "X.npy", np.array(X, dtype=object), allow_pickle=True)
    script = (
        "import pickle, warnings, numpy as np, torch\n"
        "assert not torch.cuda.is_available()\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore')  # skorch: 'CUDA not available, using cpu'\n"
        f"    model = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        f"X = list(np.load({str(tmp_path / 'X.npy')!r}, allow_pickle=True))\n"
        f"np.save({str(tmp_path / 'proba.npy')!r}, model.predict_proba(X))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], check=True, env={**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    )
    np.testing.assert_allclose(np.load(tmp_path / "proba.npy"), expected, atol=1e-12)

    weights = tmp_path / "weights.pt"
    model.save_weights(weights)
    on_cpu = SequenceClassifier.load_weights(weights, device="cpu")
    assert not next(on_cpu.net_.module_.parameters()).is_cuda
    np.testing.assert_allclose(on_cpu.predict_proba(X), expected, atol=1e-12)


def test_checkpoint_written_on_cuda_resumes_on_the_cpu(tmp_path):
    X, y = ragged_binary()
    path = tmp_path / "checkpoint.pt"
    SequenceClassifier("gru", **{**SMALL, "max_epochs": 2}, device="cuda",
                       checkpoint_path=path).fit(X, y)
    resumed = SequenceClassifier("gru", **{**SMALL, "max_epochs": 4}, device="cpu",
                                 checkpoint_path=path, resume=True).fit(X, y)
    assert len(resumed.history_) == 4
    assert not next(resumed.net_.module_.parameters()).is_cuda


def test_device_names_and_warm_start_on_cuda():
    X, y = ragged_binary()
    for device in ["cuda:0", torch.device("cuda")]:
        model = SequenceClassifier("gru", **SMALL, device=device).fit(X, y)
        assert next(model.net_.module_.parameters()).is_cuda
    first = model.history_[:, "train_loss"]
    model.set_params(warm_start=True).fit(X, y)  # goes on from the trained weights
    assert model.history_[0, "train_loss"] < first[0]
