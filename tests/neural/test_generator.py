"""SequenceGenerator: scores by the chain rule, sampling, completion, output kinds."""

import numpy as np
import pytest
import torch

from sklseq.neural import SequenceGenerator

WORDS = ["abc", "abd", "abc", "abcd", "ba"] * 6


@pytest.fixture(scope="module", params=["gru", "transformer"])
def generator(request):
    model = SequenceGenerator(
        request.param, hidden_size=16, embedding_dim=8, batch_size=8, max_epochs=30,
        random_state=0,
    )
    return model.fit(WORDS)


def _chain_rule_log_likelihood(model, word):
    """log P(word) one token at a time: <bos> prefix, then each token, then <eos>."""
    vocab = model.vocabulary_
    module = model._inference_module()
    codes = [vocab.bos_index] + [vocab.index_.get(c, vocab.unk_index) for c in word]
    codes.append(vocab.eos_index)
    total = 0.0
    with torch.no_grad():
        for t in range(1, len(codes)):
            logits = module(torch.tensor([codes[:t]]), torch.tensor([t]))
            total += torch.log_softmax(logits[0, -1], dim=-1)[codes[t]].item()
    return total


def test_score_samples_is_the_chain_rule(generator):
    words = ["abc", "ba", "abcd", "dddd", "a"]
    expected = [_chain_rule_log_likelihood(generator, w) for w in words]
    np.testing.assert_allclose(generator.score_samples(words), expected, atol=1e-10)


def test_score_and_perplexity_are_per_token(generator):
    words = ["abc", "ba", "abcd"]
    total = generator.score_samples(words).sum()
    n_tokens = sum(len(w) + 1 for w in words)  # each word's end token counts
    assert generator.score(words) == pytest.approx(total / n_tokens)
    assert generator.perplexity(words) == pytest.approx(np.exp(-total / n_tokens))
    assert generator.perplexity(["abc"]) < generator.perplexity(["dcba"])


def test_greedy_completion_follows_the_argmax(generator):
    completed = generator.complete(["ab", "b", ""], temperature=0)
    assert completed == ["abc", "ba", "abc"]
    # top_k=1 samples the arg-max too, whatever the temperature.
    assert generator.complete(["ab"], top_k=1, temperature=5.0) == ["abc"]


def test_completion_does_not_depend_on_the_batch(generator):
    prefixes = ["ab", "b", "abc", "", "a"]
    batched = generator.complete(prefixes, temperature=0)
    alone = [generator.complete([p], temperature=0)[0] for p in prefixes]
    assert batched == alone
    assert all(c.startswith(p) for c, p in zip(batched, prefixes))


def test_samples_follow_the_model_distribution():
    model = SequenceGenerator(
        hidden_size=8, embedding_dim=4, batch_size=8, max_epochs=20, random_state=0
    ).fit(["a", "a", "a", "b"] * 8)
    samples = model.sample(4000, random_state=1, max_length=1)
    # One draw from P(. | <bos>) over the tokens that may be emitted (pad, bos and
    # unknown never are), so "" is the end token.
    vocab = model.vocabulary_
    logits = model._inference_module()(torch.tensor([[vocab.bos_index]]), torch.tensor([1]))
    probs = torch.softmax(logits[0, -1], dim=-1).detach().numpy()
    allowed = {"a": vocab.index_["a"], "b": vocab.index_["b"], "": vocab.eos_index}
    total = sum(probs[i] for i in allowed.values())
    for word, index in allowed.items():
        prob = probs[index] / total
        freq = np.mean([s == word for s in samples])
        assert abs(freq - prob) < 4 * np.sqrt(prob * (1 - prob) / 4000) + 1e-3


def test_sampling_is_reproducible_and_temperature_sharpens(generator):
    a = generator.sample(50, random_state=3)
    assert a == generator.sample(50, random_state=3)
    cold = generator.sample(200, temperature=0.05, random_state=0)
    hot = generator.sample(200, temperature=3.0, random_state=0)
    assert len(set(cold)) < len(set(hot))


@pytest.mark.parametrize(
    "X, kind",
    [
        ([list("abc"), list("ab"), list("abd")] * 4, list),
        (np.array([[1, 2, 3], [1, 2, 4], [2, 1, 3]] * 4), np.ndarray),
    ],
    ids=["token-lists", "2d-array"],
)
def test_outputs_have_the_kind_of_the_training_data(X, kind):
    model = SequenceGenerator(hidden_size=8, max_epochs=2, random_state=0).fit(X)
    sampled = model.sample(3, random_state=0)
    completed = model.complete(X[:2])
    assert isinstance(sampled, kind) and len(sampled) == 3
    assert isinstance(completed, kind) and len(completed) == 2


def test_weights_round_trip_without_pickle(generator, tmp_path):
    path = tmp_path / "generator.pt"
    generator.save_weights(path)
    loaded = SequenceGenerator.load_weights(path)
    np.testing.assert_array_equal(loaded.score_samples(WORDS), generator.score_samples(WORDS))
    assert loaded.sample(5, random_state=0) == generator.sample(5, random_state=0)


@pytest.mark.parametrize(
    "n_samples, options, match",
    [(2, {"temperature": -1.0}, "temperature"), (0, {}, "n_samples"), (2, {"top_k": 0}, "top_k")],
)
def test_bad_sample_requests_raise(generator, n_samples, options, match):
    with pytest.raises(ValueError, match=match):
        generator.sample(n_samples, **options)


@pytest.mark.parametrize(
    "model, X, match",
    [
        (SequenceGenerator(max_epochs=1), np.array([[1.0, np.nan, 2.0], [1.0, 2.0, 3.0]]),
         "NaN"),
        (SequenceGenerator("transformer", hidden_size=10, max_epochs=1), WORDS, "num_heads"),
    ],
    ids=["nan-inside", "heads-do-not-divide"],
)
def test_bad_fits_raise(model, X, match):
    with pytest.raises(ValueError, match=match):
        model.fit(X)
