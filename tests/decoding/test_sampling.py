"""sample_search against hand-computed distributions, greedy_search and its own draws."""

import math

import pytest

torch = pytest.importorskip("torch")

from sklseq.decoding import DecodeResult, greedy_search, sample_search  # noqa: E402

EOS, PAD = 0, 4
PROBS = torch.tensor([0.1, 0.5, 0.3, 0.1, 0.0], dtype=torch.float64)  # PAD never drawn


def fixed_step(tokens, state):
    """Same next-token distribution after every prefix."""
    return PROBS.log().expand(len(tokens), -1), state


def prefix_step(tokens, state):
    """A distribution that depends on the prefix: the last token shifts the logits."""
    logits = torch.tensor([[-1.0, 1.0, 0.5, 0.2, 0.0]], dtype=torch.float64)
    logits = logits + 0.4 * tokens[:, -1:].double() * torch.tensor([[0.5, -1.0, 1.0, 0.0, 0.0]])
    logits[:, PAD] = float("-inf")
    return logits.log_softmax(-1), state


def first_token_frequencies(n_draws, **kwargs):
    generator = torch.Generator().manual_seed(0)
    result = sample_search(fixed_step, torch.full((n_draws,), 3), eos_index=EOS, max_length=1,
                           pad_index=PAD, generator=generator, **kwargs)
    first = torch.where(result.ended[:, 0], EOS, result.sequences[:, 0, 0])
    return torch.bincount(first, minlength=len(PROBS)).double() / n_draws


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, PROBS),
        # temperature T: p ** (1 / T), renormalised.
        ({"temperature": 0.5}, PROBS**2 / (PROBS**2).sum()),
        # top_k=2: only tokens 1 and 2, renormalised.
        ({"top_k": 2}, torch.tensor([0.0, 0.5, 0.3, 0.0, 0.0], dtype=torch.float64) / 0.8),
    ],
)
def test_draws_follow_the_tempered_top_k_distribution(kwargs, expected):
    n_draws = 20000
    freq = first_token_frequencies(n_draws, **kwargs)
    std = torch.sqrt(expected * (1 - expected) / n_draws)
    assert torch.all((freq - expected).abs() <= 5 * std + 1e-12), (freq, expected)


@pytest.mark.parametrize("kwargs", [{"temperature": 0}, {"top_k": 1}])
def test_greedy_settings_give_greedy_search(kwargs):
    start = torch.tensor([[1], [2], [3]])
    sampled = sample_search(prefix_step, start, eos_index=EOS, max_length=6, pad_index=PAD,
                            **kwargs)
    greedy = greedy_search(prefix_step, start, eos_index=EOS, max_length=6, pad_index=PAD)
    assert sampled.to_lists() == greedy.to_lists()
    assert torch.equal(sampled.ended, greedy.ended)
    torch.testing.assert_close(sampled.log_probs, greedy.log_probs)


def test_result_is_the_drawn_tokens_up_to_the_end_token():
    start = torch.tensor([1, 2, 3] * 4)
    fed = []

    def recording_step(tokens, state):
        fed.append(tokens.clone())
        return prefix_step(tokens, state)

    result = sample_search(recording_step, start, eos_index=EOS, max_length=5, pad_index=PAD,
                           generator=torch.Generator().manual_seed(3))
    assert isinstance(result, DecodeResult)
    assert result.ended.any() and not result.ended.all()  # both cases are checked
    for row in range(len(start)):
        seq = result.sequences[row, 0].tolist()
        length, ended = int(result.lengths[row, 0]), bool(result.ended[row, 0])
        assert EOS not in seq[:length] and PAD not in seq[:length]
        assert all(token == PAD for token in seq[length:])
        assert ended or length == 5
        # Token of each step: the sequence, then the end token, then PAD.
        expected = seq[:length] + [EOS] * ended + [PAD] * 5
        drawn = fed[-1][row, 1:].tolist()
        assert drawn == expected[: len(drawn)]
        # log P summed by hand over the steps up to and including the end token.
        total = sum(
            prefix_step(fed[j][row : row + 1], None)[0][0, expected[j]].item()
            for j in range(length + ended)
        )
        assert math.isclose(float(result.log_probs[row, 0]), total, rel_tol=1e-9)
    torch.testing.assert_close(result.scores, result.log_probs)


def test_same_generator_seed_same_draws_and_banned_tokens_never_drawn():
    start = torch.full((50,), 3)

    def draw(seed):
        return sample_search(prefix_step, start, eos_index=EOS, max_length=8, pad_index=PAD,
                             generator=torch.Generator().manual_seed(seed))

    first, again, other = draw(7), draw(7), draw(8)
    assert first.to_lists() == again.to_lists()
    assert first.to_lists() != other.to_lists()
    assert all(PAD not in seq for sample in first.to_lists() for seq in sample)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_k": 0}, "top_k"),
        ({"max_length": 0}, "max_length"),
        ({"eos_index": 9}, "eos_index"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    options = {"eos_index": EOS, "max_length": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        sample_search(fixed_step, torch.tensor([1]), **options)
