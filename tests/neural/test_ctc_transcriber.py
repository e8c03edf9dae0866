"""CTCTranscriber: its loss against torch's CTCLoss and a brute-force sum over alignments,
the target contract, decoding modes and persistence."""

import copy
import itertools
import pickle

import numpy as np
import pytest
import torch

from sklseq.decoding import ctc_beam_search_decode, ctc_greedy_decode
from sklseq.metrics import token_error_rate
from sklseq.neural import CTCTranscriber
from tests._data import pulses


@pytest.fixture(scope="module")
def trained():
    X, y = pulses(80, seed=0)
    ctc = CTCTranscriber(
        "gru", hidden_size=16, bidirectional=True, max_epochs=40, lr=0.01, random_state=0
    )
    return ctc.fit(X, y), X, y


def _tiny_fit(X, y, **params):
    params = {"hidden_size": 4, "max_epochs": 1, "random_state": 0, **params}
    return CTCTranscriber("gru", **params).fit(X, y)


def _initial_loss_fit(X, y):
    # One full batch with a vanishing learning rate: the recorded loss is the
    # loss of the weights predict uses.
    return _tiny_fit(X, y, batch_size=len(X), lr=1e-12, gradient_clip=None)


def test_training_loss_equals_torch_ctc_loss():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in (9, 6, 12, 4)]
    y = [["b", "a", "a"], ["c"], ["a", "b", "c", "b"], []]
    ctc = _initial_loss_fit(X, y)
    log_probs = np.nan_to_num(ctc.predict_log_proba(X))  # (n, T, blank + "abc")
    targets = torch.tensor([[2, 1, 1, 0], [3, 0, 0, 0], [1, 2, 3, 2], [0, 0, 0, 0]])
    expected = torch.nn.CTCLoss(blank=0, reduction="mean", zero_infinity=True)(
        torch.from_numpy(log_probs).transpose(0, 1),
        targets,
        torch.tensor([9, 6, 12, 4]),
        torch.tensor([3, 1, 4, 0]),
    )
    assert list(ctc.labels_) == ["a", "b", "c"]
    np.testing.assert_allclose(ctc.history_[-1, "train_loss"], expected.item(), rtol=1e-5)


def test_training_loss_is_minus_log_of_all_alignments():
    X = [np.random.default_rng(1).normal(size=(5, 1))]
    ctc = _initial_loss_fit(X, ["xy"])
    log_probs = ctc.predict_log_proba(X)[0]  # columns: blank, "x", "y"
    total = -np.inf
    for path in itertools.product(range(3), repeat=5):
        collapsed = [k for i, k in enumerate(path) if k and (i == 0 or path[i - 1] != k)]
        if collapsed == [1, 2]:
            total = np.logaddexp(total, log_probs[np.arange(5), path].sum())
    # reduction="mean" divides by the target length (2).
    np.testing.assert_allclose(ctc.history_[-1, "train_loss"], -total / 2, rtol=1e-5)


def test_target_longer_than_its_input_can_emit_raises():
    X = [np.zeros((5, 1)), np.zeros((3, 1))]
    with pytest.raises(ValueError, match=r"Row 1 of y has 3 label\(s\) with 1 repeat.*at "
                       "least 4 time steps.*only 3"):
        _tiny_fit(X, ["a", "aab"])


def test_learns_a_simple_transcription(trained):
    ctc, _, _ = trained
    X_test, y_test = pulses(40, seed=1)
    assert ctc.score(X_test, y_test) > 0.9


@pytest.mark.parametrize(
    "y, check",
    [
        (["ab", "c", "ba"], lambda p: isinstance(p, list) and isinstance(p[0], str)),
        ([[1, 2], [3], [2, 1]], lambda p: isinstance(p, list) and isinstance(p[0], list)),
        (np.array([[1, 2], [3, np.nan], [2, 1]]), lambda p: p.ndim == 2 and p.dtype.kind == "f"),
        (np.array([4, 7, 4]), lambda p: p.shape == (3,) and set(p.tolist()) <= {4, 7}),
    ],
    ids=["strings", "lists", "nan-padded", "1d"],
)
def test_predict_returns_the_kind_of_y(y, check):
    X = [np.random.default_rng(i).normal(size=(6, 2)) for i in range(3)]
    assert check(_tiny_fit(X, y).predict(X))


def test_greedy_and_beam_decode_the_frame_posteriors(trained):
    ctc, X, _ = trained
    # predict_log_proba's NaN-padded output goes to the decoders as it is, with its lengths.
    log_probs = ctc.predict_log_proba(X[:10])
    lengths = np.array([len(x) for x in X[:10]])
    assert np.isnan(log_probs).any()
    greedy = ctc_greedy_decode(log_probs, lengths)
    assert ctc.predict(X[:10]) == ["".join("abc"[c - 1] for c in s) for s in greedy]
    beam, scores = ctc_beam_search_decode(log_probs, lengths, beam_width=10, n_best=3)
    nbest, nbest_scores = ctc.set_params(decoding="beam").predict_nbest(X[:10], n_best=3)
    ctc.set_params(decoding="greedy")
    assert nbest == [["".join("abc"[c - 1] for c in h) for h in hyps] for hyps in beam]
    np.testing.assert_allclose(nbest_scores, scores)


def test_predict_log_proba_gives_distributions_and_nan_padding(trained):
    ctc, X, _ = trained
    log_probs = ctc.predict_log_proba(X[:5])
    lengths = [len(x) for x in X[:5]]
    assert log_probs.shape == (5, max(lengths), 4)
    for row, n in zip(log_probs, lengths):
        np.testing.assert_allclose(np.exp(row[:n]).sum(axis=1), 1.0)
        assert np.isnan(row[n:]).all()


def test_padding_never_changes_the_posteriors(trained):
    ctc, X, _ = trained
    # float64: the recurrent encoder's float32 products round with the batch's row count.
    ctc = copy.deepcopy(ctc).set_params(inference_dtype="float64")
    together = ctc.predict_log_proba(X[:6])
    longer = np.zeros((len(together[0]) + 7, 3))
    for i in range(6):
        # A list of equal-length sequences reads as an array with fixed n_timesteps,
        # so each row is paired with a longer one (more padding after it).
        paired = ctc.predict_log_proba([X[i], longer])[0, : len(X[i])]
        np.testing.assert_allclose(together[i, : len(X[i])], paired, rtol=1e-10, atol=1e-12)


def test_score_is_one_minus_token_error_rate(trained):
    ctc, X, y = trained
    assert ctc.score(X[:20], y[:20]) == pytest.approx(
        1 - token_error_rate(y[:20], ctc.predict(X[:20]))
    )


def test_save_weights_and_pickle_round_trip(trained, tmp_path):
    ctc, X, _ = trained
    expected = ctc.predict_log_proba(X[:5])
    ctc.save_weights(tmp_path / "ctc.pt")
    loaded = CTCTranscriber.load_weights(tmp_path / "ctc.pt")
    np.testing.assert_array_equal(loaded.predict_log_proba(X[:5]), expected)
    assert loaded.predict(X[:5]) == ctc.predict(X[:5])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ctc)).predict_log_proba(X[:5]), expected)


def test_n_best_outside_the_beam_raises(trained):
    ctc, X, _ = trained
    with pytest.raises(ValueError, match="n_best must be an integer between 1 and beam_width=10"):
        ctc.predict_nbest(X[:2], n_best=11)


def test_warm_start_with_a_new_label_raises():
    X = [np.zeros((4, 1)), np.ones((4, 1))]
    ctc = _tiny_fit(X, ["a", "b"], warm_start=True)
    with pytest.raises(ValueError, match="Row 1 of y holds the label 'z'"):
        ctc.fit(X, ["a", "z"])


def test_float32_inference_is_close_to_float64(trained):
    ctc, X, _ = trained
    expected = ctc.predict_log_proba(X[:5])
    fast = ctc.set_params(inference_dtype="float32").predict_log_proba(X[:5])
    ctc.set_params(inference_dtype="float64")
    np.testing.assert_allclose(fast, expected, atol=1e-4)


@pytest.mark.parametrize(
    "y, message",
    [
        (None, "requires y to be passed"),
        (["a", "b", "c"], "y has 3 rows but X has 2 samples"),
        ([["a"], ["b", None]], "Row 1 of y holds the token None"),
        ([["a"], ["<blank>"]], "reserved for the blank"),
    ],
)
def test_bad_targets_raise_clear_errors(y, message):
    X = [np.zeros((4, 1)), np.ones((5, 1))]
    with pytest.raises(ValueError, match=message):
        _tiny_fit(X, y)


def test_interior_nan_in_X_raises_naming_the_row():
    X = np.zeros((2, 6))
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="row 1, time step 2"):
        _tiny_fit(X, ["a", "b"])


def test_padded_posteriors_without_lengths_raise_naming_the_fix(trained):
    ctc, X, _ = trained
    log_probs = ctc.predict_log_proba(X[:10])
    with pytest.raises(ValueError, match="pass their lengths"):
        ctc_beam_search_decode(log_probs)
