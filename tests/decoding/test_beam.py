"""Golden tests of greedy and beam search against brute-force enumeration and hand sums."""

import itertools
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklseq.decoding import DecodeResult, beam_search, greedy_search  # noqa: E402
from tests._references import beam_search_reference  # noqa: E402

EOS = 0


class TableModel:
    """A fixed 'model': random next-token log-probabilities for every prefix.

    Sample ``s`` (its start token) has its own table; a prefix of generated tokens
    is looked up by its base-``V`` code, so the step function is exact and cheap
    and brute force can read the same numbers without going through the search.
    """

    def __init__(self, n_samples=3, n_tokens=4, max_length=4, source_length=3, seed=0,
                 scale=1.5):
        gen = torch.Generator().manual_seed(seed)
        self.V, self.L = n_tokens, max_length
        self.offsets = [sum(n_tokens**k for k in range(t)) for t in range(max_length + 1)]
        n_codes = self.offsets[max_length]
        logits = scale * torch.randn(n_samples, n_codes, n_tokens, generator=gen,
                                     dtype=torch.float64)
        self.log_p = logits.log_softmax(-1)
        self.attention = torch.randn(n_samples, n_codes, source_length, generator=gen,
                                     dtype=torch.float64).softmax(-1)

    def code(self, prefix):
        t = prefix.shape[1]
        weights = self.V ** torch.arange(t)
        return self.offsets[t] + (prefix * weights).sum(1)

    def step(self, tokens, state):
        sample, code = tokens[:, 0], self.code(tokens[:, 1:])
        return self.log_p[sample, code], state, self.attention[sample, code]

    def brute_force(self, sample, alpha=0.0, beta=0.0, source_length=None):
        """Every sequence up to max_length with its GNMT score, best first."""
        log_p = self.log_p[sample].numpy()
        attention = self.attention[sample].numpy()
        scored = []
        for n in range(self.L + 1):
            for body in itertools.product(range(1, self.V), repeat=n):
                steps = list(body) + ([EOS] if n < self.L else [])
                total, coverage = 0.0, np.zeros(attention.shape[1])
                for j, token in enumerate(steps):
                    code = self.offsets[j] + sum(tok * self.V**i for i, tok in enumerate(body[:j]))
                    total += log_p[code, token]
                    coverage += attention[code]
                lp = ((5 + len(steps)) / 6) ** alpha
                cp = beta * sum(math.log(min(c, 1.0)) for c in coverage[:source_length])
                scored.append((total / lp + cp, list(body), total))
        return sorted(scored, key=lambda s: -s[0])


def starts(n):
    return torch.arange(n)


@pytest.mark.parametrize("alpha, beta", [(0.0, 0.0), (0.6, 0.0), (1.5, 0.0), (0.6, 0.4)])
def test_wide_beam_equals_brute_force(alpha, beta):
    model = TableModel(seed=1)
    result = beam_search(model.step, starts(3), eos_index=EOS, max_length=4, beam_width=128,
                         n_best=5, length_penalty=alpha, coverage_penalty=beta)
    for sample, nbest in enumerate(result.to_lists()):
        expected = model.brute_force(sample, alpha, beta)[:5]
        assert nbest == [body for _, body, _ in expected]
        np.testing.assert_allclose(result.scores[sample], [s for s, _, _ in expected], rtol=1e-12)
        np.testing.assert_allclose(result.log_probs[sample], [lp for _, _, lp in expected],
                                   rtol=1e-12)


def test_greedy_misses_the_optimum_of_the_golden_model():
    # Precondition of the brute-force test: search matters on this model.
    model = TableModel(seed=1)
    greedy = greedy_search(model.step, starts(3), eos_index=EOS, max_length=4).to_lists()
    optimum = [model.brute_force(s)[0][1] for s in range(3)]
    assert [g[0] for g in greedy] != optimum


def test_moderate_beam_finds_the_optimum_greedy_misses():
    model = TableModel(seed=1)
    result = beam_search(model.step, starts(3), eos_index=EOS, max_length=4, beam_width=8)
    assert [r[0] for r in result.to_lists()] == [model.brute_force(s)[0][1] for s in range(3)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_width_one_equals_greedy(seed):
    model = TableModel(n_samples=4, n_tokens=5, max_length=6, seed=seed, scale=1.0)
    beam = beam_search(model.step, starts(4), eos_index=EOS, max_length=6, beam_width=1)
    greedy = greedy_search(model.step, starts(4), eos_index=EOS, max_length=6)
    assert beam.to_lists() == greedy.to_lists()
    torch.testing.assert_close(beam.scores, greedy.scores, rtol=1e-12, atol=0)
    torch.testing.assert_close(beam.ended, greedy.ended)


def test_greedy_scores_follow_the_gnmt_formula():
    model = TableModel(seed=2)
    result = greedy_search(model.step, starts(3), eos_index=EOS, max_length=4,
                           length_penalty=0.6, coverage_penalty=0.3, source_lengths=[3, 2, 3])
    for sample, (seq,) in enumerate(result.to_lists()):
        table = model.brute_force(sample, 0.6, 0.3, source_length=[3, 2, 3][sample])
        expected = next(score for score, body, _ in table if body == seq)
        assert result.scores[sample, 0].item() == pytest.approx(expected, rel=1e-12)


def _fixed_step(probs, attention=None):
    """Step function from {generated prefix: next-token probabilities} (and attention).

    Prefixes not in the table (only reached by dead, -inf hypotheses) get a
    uniform row.
    """

    def step(tokens, state):
        prefixes = [tuple(row) for row in tokens[:, 1:].tolist()]
        n_tokens = len(next(iter(probs.values())))
        rows = [probs.get(p, [1.0 / n_tokens] * n_tokens) for p in prefixes]
        log_p = torch.tensor(rows, dtype=torch.float64).log()
        if attention is None:
            return log_p, state
        att = [attention.get(p, [0.5, 0.5]) for p in prefixes]
        return log_p, state, torch.tensor(att, dtype=torch.float64)

    return step


def test_length_penalty_changes_the_ranking_as_the_formula_says():
    # Tokens: 0 = end, 1 = A. P(end) = 0.5 first; after A, P(end) = 0.9.
    step = _fixed_step({(): [0.5, 0.5], (1,): [0.9, 0.1], (1, 1): [1.0, 0.0]})
    # [] scores log 0.5 = -0.693 over lp(1) = 1; [A] scores log 0.45 = -0.799:
    # alpha = 0: -0.693 > -0.799, the empty output wins;
    # alpha = 1: lp(2) = 7/6, -0.799 / (7/6) = -0.684 > -0.693, [A] wins.
    plain = beam_search(step, [0], eos_index=0, max_length=3, beam_width=2, n_best=2)
    normed = beam_search(step, [0], eos_index=0, max_length=3, beam_width=2, n_best=2,
                         length_penalty=1.0)
    assert plain.to_lists() == [[[], [1]]]
    assert normed.to_lists() == [[[1], []]]
    np.testing.assert_allclose(normed.scores[0], [math.log(0.45) / (7 / 6), math.log(0.5)])


def test_coverage_penalty_changes_the_ranking_as_the_formula_says():
    # Tokens: 0 = end, 1 = A, 2 = B; [A] has probability 0.6, [B] 0.4.
    # Attention over 2 source positions: (0.7, 0.3) at the first step, then
    # (0.9, 0.1) after A, (0.5, 0.5) after B. Coverage: A (1.6, 0.4), B (1.2, 0.8);
    # cp = beta * (log min(1.6, 1) + log 0.4) = beta * log 0.4 for A, beta * log 0.8 for B.
    # beta = 1: log 0.6 + log 0.4 = log 0.24 < log 0.4 + log 0.8 = log 0.32, B wins.
    step = _fixed_step(
        {(): [0.0, 0.6, 0.4], (1,): [1.0, 0.0, 0.0], (2,): [1.0, 0.0, 0.0]},
        {(): [0.7, 0.3], (1,): [0.9, 0.1], (2,): [0.5, 0.5]},
    )
    plain = beam_search(step, [0], eos_index=0, max_length=3, beam_width=2, n_best=2)
    covered = beam_search(step, [0], eos_index=0, max_length=3, beam_width=2, n_best=2,
                          coverage_penalty=1.0)
    assert plain.to_lists() == [[[1], [2]]]
    assert covered.to_lists() == [[[2], [1]]]
    np.testing.assert_allclose(
        covered.scores[0], [math.log(0.4) + math.log(0.8), math.log(0.6) + math.log(0.4)]
    )


@pytest.mark.parametrize("source_lengths", [[2, 3], [2, 1]])
def test_coverage_ignores_source_padding(source_lengths):
    # Attention has 3 columns; [2, 1] also pads beyond the longest source in the batch.
    model = TableModel(n_samples=2, source_length=3, seed=4)
    result = beam_search(model.step, starts(2), eos_index=EOS, max_length=4, beam_width=128,
                         n_best=3, coverage_penalty=0.5, source_lengths=source_lengths)
    for sample, length in enumerate(source_lengths):
        expected = model.brute_force(sample, beta=0.5, source_length=length)[:3]
        np.testing.assert_allclose(result.scores[sample], [s for s, _, _ in expected])


@pytest.mark.parametrize(
    "params",
    [
        dict(beam_width=3, n_best=3),
        dict(beam_width=4, n_best=2, length_penalty=0.7),
        dict(beam_width=2, n_best=1, length_penalty=-0.5),
        dict(beam_width=4, n_best=4, num_beam_groups=2, diversity_penalty=0.8),
        dict(beam_width=6, n_best=3, num_beam_groups=3, diversity_penalty=5.0,
             coverage_penalty=0.3, length_penalty=0.6),
    ],
)
def test_batched_search_equals_per_hypothesis_reference(params):
    model = TableModel(n_samples=5, n_tokens=5, max_length=5, seed=7, scale=1.0)
    kwargs = dict(eos_index=EOS, max_length=5, **params)
    batched = beam_search(model.step, starts(5), **kwargs)
    reference = beam_search_reference(model.step, starts(5), **kwargs)
    assert batched.to_lists() == reference.to_lists()
    torch.testing.assert_close(batched.scores, reference.scores)
    torch.testing.assert_close(batched.ended, reference.ended)


def test_diverse_groups_follow_the_hamming_penalty_by_hand():
    # Tokens: 0 = end, 1 = A, 2 = B. First step: A 0.7, B 0.3; after A: end 0.6,
    # A 0.3, B 0.1; after B: end 0.5, A 0.2, B 0.3.
    step = _fixed_step({(): [0.0, 0.7, 0.3], (1,): [0.6, 0.3, 0.1], (2,): [0.5, 0.2, 0.3]})
    # Plain width 2 keeps A and B, then finishes [A] (0.42) and [A, A] (0.21, cut).
    plain = beam_search(step, [0], eos_index=0, max_length=2, beam_width=2, n_best=2)
    assert plain.to_lists() == [[[1], [1, 1]]]
    # Two groups of one beam, lambda = 1: group 0 takes A; for group 1, A costs
    # log 0.7 - 1 = -1.36 < log 0.3 = -1.20, so it takes B and ends as [B] (0.15).
    diverse = beam_search(step, [0], eos_index=0, max_length=2, beam_width=2, n_best=2,
                          num_beam_groups=2, diversity_penalty=1.0)
    assert diverse.to_lists() == [[[1], [2]]]
    # Scores stay the model's log-probabilities: the penalty only steers the choice.
    np.testing.assert_allclose(diverse.scores[0].exp(), [0.42, 0.15])


def test_result_does_not_depend_on_the_batch():
    model = TableModel(n_samples=4, n_tokens=5, max_length=5, seed=2)
    kwargs = dict(eos_index=EOS, max_length=5, beam_width=3, n_best=2, length_penalty=0.6)
    joint = beam_search(model.step, starts(4), **kwargs)
    for s in range(4):
        alone = beam_search(model.step, starts(4)[s : s + 1], **kwargs)
        assert alone.to_lists()[0] == joint.to_lists()[s]
        torch.testing.assert_close(alone.scores[0], joint.scores[s])


def test_nested_state_is_reordered_with_the_beams():
    # Same model, but the prefix code lives in the state (as an RNN's hidden state
    # would) and only the last token is read: wrong reordering gives wrong answers.
    model = TableModel(n_samples=3, n_tokens=4, max_length=4, seed=3)

    def stateful_step(tokens, state):
        t = tokens.shape[1] - 1
        code, sample = state["code"], state["meta"][0]
        if t > 0:
            code = code + model.offsets[t] - model.offsets[t - 1] + tokens[:, -1] * model.V ** (
                t - 1)
        return model.log_p[sample, code], {"code": code, "meta": (sample, "tag")}

    state = {"code": torch.zeros(3, dtype=torch.long), "meta": (starts(3), "tag")}
    kwargs = dict(eos_index=EOS, max_length=4, beam_width=3, n_best=3)
    stateful = beam_search(stateful_step, starts(3), state, **kwargs)
    stateless = beam_search(model.step, starts(3), **kwargs)
    assert stateful.to_lists() == stateless.to_lists()


def test_state_updated_in_place_is_still_reordered():
    # The prefix code is added in place to the state tensor the search passed,
    # and that same tensor handed back: the search must notice the change.
    model = TableModel(n_samples=3, n_tokens=4, max_length=4, seed=3)

    def in_place_step(tokens, state):
        t = tokens.shape[1] - 1
        code, sample = state
        if t > 0:
            code += model.offsets[t] - model.offsets[t - 1] + tokens[:, -1] * model.V ** (t - 1)
        return model.log_p[sample, code], state

    kwargs = dict(eos_index=EOS, max_length=4, beam_width=3, n_best=3)
    state = (torch.zeros(3, dtype=torch.long), starts(3))
    in_place = beam_search(in_place_step, starts(3), state, **kwargs)
    assert in_place.to_lists() == beam_search(model.step, starts(3), **kwargs).to_lists()
    assert state[0].tolist() == [0, 0, 0]  # the caller's state is left alone


def test_state_handed_back_unchanged_is_not_copied_at_each_step():
    model = TableModel(n_samples=3, n_tokens=4, max_length=4, seed=3)
    seen = []

    def step(tokens, state):
        seen.append(state["memory"])
        log_p, _, _ = model.step(tokens, None)
        return log_p, state

    state = {"memory": torch.arange(3.0)[:, None].expand(3, 5)}
    beam_search(step, starts(3), state, eos_index=EOS, max_length=4, beam_width=3)
    assert len(seen) > 1 and all(m is seen[0] for m in seen)
    assert seen[0].tolist() == [[s] * 5 for s in (0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0)]


def test_hypotheses_cut_at_max_length_are_not_ended():
    def never_ends(tokens, state):
        return torch.tensor([[-math.inf, math.log(0.7), math.log(0.3)]]).expand(
            len(tokens), 3), state

    result = beam_search(never_ends, [5, 5], eos_index=0, max_length=3, beam_width=2)
    assert result.to_lists() == [[[1, 1, 1]]] * 2
    assert not result.ended.any()
    torch.testing.assert_close(result.log_probs[0, 0], torch.tensor(3 * math.log(0.7)))


def test_missing_hypotheses_score_minus_inf_and_pad():
    # Vocabulary {end, A}, one step: only [] and [A] exist, n_best=3 asks for more.
    step = _fixed_step({(): [0.6, 0.4]})
    result = beam_search(step, [0], eos_index=0, max_length=1, beam_width=3, n_best=3,
                         pad_index=9)
    assert result.to_lists() == [[[], [1], []]]
    assert result.scores[0, 2] == -math.inf
    np.testing.assert_allclose(result.scores[0, :2].exp(), [0.6, 0.4])


def test_pad_index_fills_after_the_end():
    step = _fixed_step({(): [0.2, 0.8], (1,): [0.9, 0.1]})
    result = beam_search(step, [0], eos_index=0, max_length=2, beam_width=2, n_best=2,
                         pad_index=7)
    assert result.sequences.tolist() == [[[1], [7]]]
    sequences, lengths = result.best()
    assert sequences.tolist() == [[1]] and lengths.tolist() == [1]


def test_float32_step_function_keeps_float32_scores():
    model = TableModel(seed=0)

    def step32(tokens, state):
        log_p, state, _ = model.step(tokens, state)
        return log_p.float(), state

    result = beam_search(step32, starts(3), eos_index=EOS, max_length=4, beam_width=2)
    assert result.scores.dtype == torch.float32
    assert isinstance(result, DecodeResult)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(beam_width=2, n_best=3), ValueError, "n_best=3 must not exceed beam_width=2"),
        (dict(beam_width=4, num_beam_groups=3), ValueError, "must divide beam_width=4"),
        (dict(beam_width=0), ValueError, "beam_width must be an integer >= 1"),
        (dict(max_length=2.5), ValueError, "max_length must be an integer"),
        (dict(coverage_penalty=-1.0), ValueError, "coverage_penalty must be >= 0"),
        (dict(diversity_penalty=float("nan")), ValueError, "diversity_penalty must be a real"),
        (dict(eos_index=9), ValueError, "eos_index=9 is not a token index"),
    ],
)
def test_beam_search_rejects_bad_parameters(kwargs, error, match):
    model = TableModel(seed=0)
    kwargs = {"eos_index": EOS, "max_length": 4, **kwargs}
    with pytest.raises(error, match=match):
        beam_search(model.step, starts(3), **kwargs)


def test_coverage_penalty_without_attention_is_an_error():
    step = _fixed_step({(): [0.5, 0.5]})
    with pytest.raises(ValueError, match="coverage_penalty needs attention weights"):
        beam_search(step, [0], eos_index=0, max_length=1, coverage_penalty=0.5)


@pytest.mark.parametrize(
    "bad_output, error, match",
    [
        (lambda n: (torch.zeros(n + 1, 3), None), ValueError, r"expected \(2, n_tokens\)"),
        (lambda n: (torch.full((n, 3), float("nan")), None), ValueError, "NaN"),
        (lambda n: torch.zeros(n, 3), TypeError, "must return"),
        (lambda n: (torch.zeros(n, 3, dtype=torch.long), None), TypeError, "expected float"),
    ],
)
def test_bad_step_function_output_is_explained(bad_output, error, match):
    with pytest.raises(error, match=match):
        beam_search(lambda tokens, state: bad_output(len(tokens)), [0], eos_index=0,
                    max_length=2, beam_width=2)


def test_start_tokens_must_be_integers():
    with pytest.raises(TypeError, match="start_tokens must be integers"):
        greedy_search(lambda t, s: (t, s), [0.5], eos_index=0, max_length=2)


@pytest.mark.gpu
def test_beam_search_on_cuda_matches_cpu():
    model = TableModel(seed=1)

    def cuda_step(tokens, state):
        log_p, state, _ = model.step(tokens.cpu(), state)
        return log_p.cuda(), state

    on_gpu = beam_search(cuda_step, starts(3).cuda(), eos_index=EOS, max_length=4,
                         beam_width=4, n_best=2, length_penalty=0.6)
    on_cpu = beam_search(model.step, starts(3), eos_index=EOS, max_length=4, beam_width=4,
                         n_best=2, length_penalty=0.6)
    assert on_gpu.sequences.is_cuda
    assert on_gpu.to_lists() == on_cpu.to_lists()
