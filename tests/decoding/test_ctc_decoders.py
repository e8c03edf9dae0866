"""CTC decoders against brute-force enumeration of every alignment and torch's CTCLoss."""

import numpy as np
import pytest
import torch

from sklseq.decoding import ctc_beam_search_decode, ctc_greedy_decode
from tests._references import (
    ctc_best_path,
    ctc_brute_force,
    ctc_collapse,
    ctc_prefix_beam_search_reference,
)


def _log_softmax(x):
    return x - np.logaddexp.reduce(x, axis=-1, keepdims=True)


def _random_log_probs(seed, shape, scale=2.0):
    return _log_softmax(np.random.default_rng(seed).normal(size=shape) * scale)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("blank", [0, 2])
def test_greedy_equals_best_path_enumeration(seed, blank):
    log_probs = _random_log_probs(seed, (6, 3))
    path, path_logp = ctc_best_path(log_probs)
    sequences, scores = ctc_greedy_decode(log_probs[None], blank=blank, return_scores=True)
    assert tuple(sequences[0]) == ctc_collapse(path, blank)
    np.testing.assert_allclose(scores[0], path_logp)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("blank", [0, 2])
@pytest.mark.parametrize(
    "n_frames, n_labels, beam_width",
    # 31 prefixes at most, in a beam of 32; and a beam of 200 (a wider code path).
    [(4, 3, 32), (6, 4, 200)],
)
def test_wide_beam_finds_most_probable_labelling(seed, blank, n_frames, n_labels, beam_width):
    log_probs = _random_log_probs(seed, (n_frames, n_labels))
    expected = ctc_brute_force(log_probs, blank)[:5]
    sequences, scores = ctc_beam_search_decode(
        log_probs[None], beam_width=beam_width, n_best=5, blank=blank
    )
    assert [tuple(s) for s in sequences[0]] == [labels for labels, _ in expected]
    np.testing.assert_allclose(scores[0], [logp for _, logp in expected])


@pytest.mark.parametrize(
    "n_labels, beam_width, pruning",
    [
        (8, 2, {}),  # fewer extension labels (beam_width + 1) than labels
        (12, 4, {}),
        (6, 3, {}),
        (9, 3, {"beam_prune_logp": -4.0, "token_min_logp": -2.5}),
    ],
)
def test_narrow_beam_equals_textbook_prefix_beam_search(n_labels, beam_width, pruning):
    log_probs = _random_log_probs(4, (5, 10, n_labels), scale=2.0)
    sequences, scores = ctc_beam_search_decode(
        log_probs, beam_width=beam_width, n_best=beam_width, **pruning
    )
    for i in range(5):
        expected = ctc_prefix_beam_search_reference(log_probs[i], beam_width, **pruning)
        assert [tuple(s) for s in sequences[i]] == [prefix for prefix, _ in expected]
        np.testing.assert_allclose(scores[i, : len(expected)], [v for _, v in expected])


def _torch_ctc_log_likelihood(log_probs, labels):
    loss = torch.nn.CTCLoss(blank=0, reduction="none")(
        torch.from_numpy(log_probs)[:, None],
        torch.as_tensor(labels, dtype=torch.long)[None],
        torch.tensor([len(log_probs)]),
        torch.tensor([len(labels)]),
    )
    return -loss.item()


def test_full_beam_scores_equal_torch_ctc_loss():
    # 2 labels and 8 frames: at most 2**9 - 1 prefixes, so a beam of 512 loses nothing.
    log_probs = _random_log_probs(7, (3, 8, 3), scale=1.5)
    lengths = np.array([8, 6, 3])
    sequences, scores = ctc_beam_search_decode(log_probs, lengths, beam_width=512, n_best=4)
    for i, n in enumerate(lengths):
        for k, labels in enumerate(sequences[i]):
            expected = _torch_ctc_log_likelihood(log_probs[i, :n], labels)
            np.testing.assert_allclose(scores[i, k], expected, rtol=1e-10)


def test_narrow_beam_scores_are_lower_bounds_of_torch_ctc_loss():
    # Alignments of a prefix pruned earlier are lost, never invented.
    log_probs = _random_log_probs(8, (2, 12, 5), scale=1.5)
    sequences, scores = ctc_beam_search_decode(log_probs, beam_width=3, n_best=3)
    for i in range(2):
        for k, labels in enumerate(sequences[i]):
            assert scores[i, k] <= _torch_ctc_log_likelihood(log_probs[i], labels) + 1e-12


def test_batch_with_padding_equals_one_sample_at_a_time():
    rng = np.random.default_rng(3)
    log_probs = _random_log_probs(3, (7, 15, 6), scale=3.0)
    lengths = rng.integers(1, 16, size=7)
    padded = log_probs.copy()
    for i, n in enumerate(lengths):
        padded[i, n:] = _random_log_probs(i, (15 - n, 6))  # garbage after the end
    sequences, scores = ctc_beam_search_decode(padded, lengths, beam_width=4, n_best=2)
    greedy = ctc_greedy_decode(padded, lengths)
    for i, n in enumerate(lengths):
        alone, alone_scores = ctc_beam_search_decode(log_probs[i : i + 1, :n], beam_width=4, n_best=2)
        assert [s.tolist() for s in sequences[i]] == [s.tolist() for s in alone[0]]
        np.testing.assert_allclose(scores[i], alone_scores[0])
        assert greedy[i].tolist() == ctc_greedy_decode(log_probs[i : i + 1, :n])[0].tolist()


@pytest.mark.parametrize("n_labels, beam_width", [(6, 4), (12, 3)])
def test_pruned_search_without_effective_pruning_equals_the_exact_search(n_labels, beam_width):
    # Pruning switches to a flat-list search; with nothing pruned it must agree.
    log_probs = _random_log_probs(9, (6, 12, n_labels), scale=2.0)
    lengths = np.array([12, 0, 7, 12, 3, 9])
    exact, exact_scores = ctc_beam_search_decode(log_probs, lengths, beam_width=beam_width, n_best=2)
    flat, flat_scores = ctc_beam_search_decode(
        log_probs, lengths, beam_width=beam_width, n_best=2, beam_prune_logp=-np.inf
    )
    assert [[h.tolist() for h in s] for s in flat] == [[h.tolist() for h in s] for s in exact]
    np.testing.assert_allclose(flat_scores, exact_scores)


def test_pruning_keeps_the_answer_on_peaky_posteriors():
    log_probs = _random_log_probs(11, (20, 40, 8), scale=6.0)
    exact, exact_scores = ctc_beam_search_decode(log_probs, beam_width=10)
    pruned, pruned_scores = ctc_beam_search_decode(
        log_probs, beam_width=10, beam_prune_logp=-10.0, token_min_logp=-5.0
    )
    assert [s[0].tolist() for s in pruned] == [s[0].tolist() for s in exact]
    # Pruning drops a little probability mass, never adds any.
    assert np.all(pruned_scores <= exact_scores + 1e-12)
    np.testing.assert_allclose(pruned_scores, exact_scores, atol=0.05)


def test_n_best_sorted_and_distinct():
    log_probs = _random_log_probs(5, (4, 10, 5))
    sequences, scores = ctc_beam_search_decode(log_probs, beam_width=8, n_best=8)
    assert np.all(np.diff(scores, axis=1) <= 0)
    for hyps in sequences:
        assert len({tuple(h) for h in hyps}) == len(hyps) == 8


def test_fewer_hypotheses_than_n_best_are_padded_with_minus_inf():
    log_probs = np.array([[[np.log(0.5), np.log(0.5), -np.inf]]])  # one frame: "" or "1"
    sequences, scores = ctc_beam_search_decode(log_probs, beam_width=3, n_best=3)
    assert sorted(s.tolist() for s in sequences[0]) == [[], [1]]
    np.testing.assert_array_equal(np.isinf(scores[0]), [False, False, True])


def test_zero_length_sample_decodes_to_empty():
    log_probs = _random_log_probs(0, (2, 5, 3))
    sequences, scores = ctc_beam_search_decode(log_probs, np.array([0, 5]))
    assert sequences[0][0].tolist() == [] and scores[0, 0] == 0.0
    assert ctc_greedy_decode(log_probs, np.array([0, 5]))[0].tolist() == []


def test_accepts_torch_tensors():
    log_probs = _random_log_probs(2, (2, 6, 4))
    from_numpy = ctc_beam_search_decode(log_probs, np.array([6, 4]))
    from_torch = ctc_beam_search_decode(torch.from_numpy(log_probs), torch.tensor([6, 4]))
    np.testing.assert_allclose(from_numpy[1], from_torch[1])
    assert ctc_greedy_decode(torch.from_numpy(log_probs))[1].tolist() == (
        ctc_greedy_decode(log_probs)[1].tolist()
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"log_probs": np.zeros((5, 3))}, r"3D .*log_probs\[None\]"),
        ({"log_probs": np.full((1, 2, 3), np.nan)}, "NaN or \\+inf at sample 0, frame 0"),
        ({"lengths": np.array([7])}, r"lengths\[0\]=7 is outside \[0, 5\]"),
        ({"lengths": np.array([1.5])}, "integers"),
        ({"blank": 3}, r"blank must be a label index in \[0, 2\]"),
        ({"beam_width": 0}, "beam_width must be a positive integer"),
        ({"n_best": 4, "beam_width": 2}, "n_best=4 is larger than beam_width=2"),
        ({"beam_prune_logp": 5.0}, "beam_prune_logp must be a log-probability <= 0"),
        ({"log_probs": np.zeros((1, 5, 1))}, "needs the blank and at least one other label"),
        ({"log_probs": np.array([[["a", "b"]]])}, "must hold numbers"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, message):
    args = {"log_probs": np.zeros((1, 5, 3)), **kwargs}
    error = TypeError if "numbers" in message else ValueError
    with pytest.raises(error, match=message):
        ctc_beam_search_decode(**args)


def test_frames_after_each_length_are_not_read():
    rng = np.random.default_rng(0)
    log_probs = np.log(rng.dirichlet(np.ones(4), size=(3, 6)))
    lengths = np.array([6, 4, 2])
    padded = log_probs.copy()
    padded[np.arange(6)[None, :] >= lengths[:, None]] = np.nan
    for decode in (ctc_greedy_decode, ctc_beam_search_decode):
        expected = decode(log_probs, lengths)
        got = decode(padded, lengths)
        assert [list(s) for s in _first(got)] == [list(s) for s in _first(expected)]


def _first(result):
    # greedy returns sequences; beam search returns (n-best lists, scores)
    return result if isinstance(result, list) else [h[0] for h in result[0]]
