"""Seq2SeqTranslator / Seq2SeqRegressor, their attention and decoder modules.

Golden values come from the formulas written out here (numpy), from brute-force
enumeration of every output sequence, and from step-by-step recomputation.
"""

import itertools
import math

import numpy as np
import pytest
import torch

from sklseq.neural import Seq2SeqRegressor, Seq2SeqTranslator
from sklseq.neural._modules import _attention as attention_module
from sklseq.neural._modules import build_encoder
from sklseq.neural._modules._attention import AdditiveAttention, DotProductAttention
from sklseq.neural._modules._decoders import EncoderDecoder, build_decoder
from sklseq.neural._seq2seq import teacher_forcing_schedule

# A tiny translation task: each input token maps to an upper-case output token,
# so outputs have the length of their input (1 to 3 tokens).
WORDS = ["a", "b", "ab", "ba", "abb", "bab"]
X_WORDS = WORDS * 6
Y_WORDS = [w.upper() for w in X_WORDS]


@pytest.fixture(scope="module")
def translator():
    model = Seq2SeqTranslator(
        embedding_dim=8,
        hidden_size=16,
        batch_size=8,
        max_epochs=40,
        beam_width=4,
        random_state=0,
    )
    return model.fit(X_WORDS, Y_WORDS)


# ----------------------------------------------------------------- schedules


@pytest.mark.parametrize(
    "epoch, schedule, decay, expected",
    [
        (7, "constant", 10.0, 0.8),
        (0, "linear", 10.0, 0.8),
        (5, "linear", 10.0, 0.8 * 0.5),
        (12, "linear", 10.0, 0.0),
        (0, "inverse_sigmoid", 4.0, 0.8),
        (4, "inverse_sigmoid", 4.0, 0.8 * 5.0 / (4.0 + math.e)),
    ],
)
def test_teacher_forcing_schedule_formulas(epoch, schedule, decay, expected):
    assert teacher_forcing_schedule(epoch, 0.8, schedule, decay) == pytest.approx(expected)


def test_fit_records_the_schedule_per_epoch():
    model = Seq2SeqTranslator(
        embedding_dim=4,
        hidden_size=8,
        max_epochs=4,
        teacher_forcing_ratio=0.9,
        scheduled_sampling="linear",
        sampling_decay=2.0,
        random_state=0,
    ).fit(X_WORDS, Y_WORDS)
    assert model.history_[:, "teacher_forcing_ratio"] == pytest.approx([0.9, 0.45, 0.0, 0.0])


# ----------------------------------------------------------------- attention


def _attention_inputs(seed=0):
    rng = np.random.RandomState(seed)
    query = rng.normal(size=(2, 3))
    keys = rng.normal(size=(2, 4, 5))
    mask = np.array([[True, True, True, True], [True, True, False, False]])
    return query, keys, mask


def _softmax_masked(scores, mask):
    scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_additive_attention_matches_bahdanau_formula():
    query, keys, mask = _attention_inputs()
    att = AdditiveAttention(3, 5, attention_size=6).double()
    Wq = att.query_proj.weight.detach().numpy()
    Wk = att.key_proj.weight.detach().numpy()
    bk = att.key_proj.bias.detach().numpy()
    v = att.score.weight.detach().numpy()[0]
    # score_j = v^T tanh(W_q q + W_k k_j + b)
    scores = np.tanh((query @ Wq.T)[:, None, :] + keys @ Wk.T + bk) @ v
    weights = _softmax_masked(scores, mask)
    t_keys = torch.as_tensor(keys)
    context, got = att(
        torch.as_tensor(query), att.project_keys(t_keys), t_keys, torch.as_tensor(mask)
    )
    np.testing.assert_allclose(got.detach().numpy(), weights, atol=1e-12)
    np.testing.assert_allclose(
        context.detach().numpy(), np.einsum("bt,btk->bk", weights, keys), atol=1e-12
    )


@pytest.mark.parametrize("large", [False, True])
def test_additive_attention_outputs_and_gradients_match_the_tanh_formula(large, monkeypatch):
    # Large energies go through sigmoid instead of tanh; force either path.
    monkeypatch.setattr(attention_module, "_LARGE", 0 if large else 2**30)
    query, keys, mask = _attention_inputs()
    att = AdditiveAttention(3, 5, attention_size=6).double()
    grads, outputs = [], []
    for formula in ("module", "tanh"):
        q = torch.tensor(query, requires_grad=True)
        k = torch.tensor(keys, requires_grad=True)
        m = torch.as_tensor(mask)
        if formula == "module":
            context, weights = att(q, att.project_keys(k), k, m)
        else:
            energy = torch.tanh(att.query_proj(q)[:, None] + att.key_proj(k))
            scores = (energy @ att.score.weight[0]).masked_fill(~m, -math.inf)
            weights = scores.softmax(-1)
            context = torch.einsum("bt,btk->bk", weights, k)
        (context.sum() + (weights**2).sum()).backward()
        grads.append((q.grad, k.grad))
        outputs.append((context.detach(), weights.detach()))
    for got, expected in [*zip(*grads), *zip(*outputs)]:
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["additive", "additive large", "dot"])
def test_queries_sharing_a_memory_row_equal_repeated_memory(kind, monkeypatch):
    # Queries 2i and 2i + 1 (two beams of sample i) attend over memory row i.
    if kind == "additive large":
        monkeypatch.setattr(attention_module, "_LARGE", 0)
    att = (DotProductAttention(3, 5) if kind == "dot" else AdditiveAttention(3, 5)).double()
    _, keys, mask = _attention_inputs()
    query = torch.as_tensor(np.random.RandomState(1).normal(size=(4, 3)))
    keys, mask = torch.as_tensor(keys), torch.as_tensor(mask)
    shared = att(query, att.project_keys(keys), keys, mask)
    keys, mask = keys.repeat_interleave(2, 0), mask.repeat_interleave(2, 0)
    repeated = att(query, att.project_keys(keys), keys, mask)
    for got, expected in zip(shared, repeated):
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="multiple of the number of memory rows"):
        att(query[:3], att.project_keys(keys[:2]), keys[:2], mask[:2])


def test_dot_attention_matches_scaled_general_formula():
    query, keys, mask = _attention_inputs(1)
    att = DotProductAttention(3, 5).double()
    W = att.key_proj.weight.detach().numpy()
    # score_j = q^T W k_j / sqrt(d)
    scores = np.einsum("bq,btq->bt", query, keys @ W.T) / math.sqrt(3)
    weights = _softmax_masked(scores, mask)
    t_keys = torch.as_tensor(keys)
    _, got = att(torch.as_tensor(query), att.project_keys(t_keys), t_keys, torch.as_tensor(mask))
    np.testing.assert_allclose(got.detach().numpy(), weights, atol=1e-12)
    assert (got.detach().numpy()[1, 2:] == 0).all()


# ------------------------------------------------------------------ decoders


def _tiny_module(decoder, attention, tokens=True):
    torch.manual_seed(0)
    encoder = build_encoder("gru", 3, hidden_size=6, bidirectional=True)
    dec = build_decoder(decoder, 4, encoder.output_size, hidden_size=8, attention=attention,
                        num_heads=2)
    if tokens:
        return EncoderDecoder(encoder, dec, 7, 4, tokens=True, bos_index=2, pad_index=0).double()
    return EncoderDecoder(encoder, dec, 1, 4, tokens=False).double()


DECODERS = [("gru", "additive"), ("lstm", "dot"), ("rnn", "none"), ("transformer", "dot")]


@pytest.mark.parametrize("decoder, attention", DECODERS)
def test_step_by_step_decoding_equals_teacher_forced_pass(decoder, attention):
    module = _tiny_module(decoder, attention).eval()
    x = torch.randn(3, 5, 3, dtype=torch.float64)
    lengths = torch.tensor([5, 3, 1])
    y = torch.randint(3, 7, (3, 4))
    full = module(x, lengths, y)
    state = module.encode(x, lengths)
    prefix = torch.cat([torch.full((3, 1), 2), y[:, :-1]], dim=1)
    steps = []
    for t in range(4):
        out, state, _ = module.step(module.embed(prefix[:, : t + 1]), state)
        steps.append(out)
    np.testing.assert_allclose(torch.stack(steps, 1).detach(), full.detach(), atol=1e-10)


@pytest.mark.parametrize("decoder, attention", DECODERS)
def test_zero_teacher_forcing_feeds_back_own_predictions(decoder, attention):
    module = _tiny_module(decoder, attention)
    x = torch.randn(3, 5, 3, dtype=torch.float64)
    lengths = torch.tensor([5, 3, 1])
    y = torch.randint(3, 7, (3, 4))
    module.train()  # no dropout here, so train mode only switches sampling on
    module.teacher_forcing_ratio = 0.0
    sampled = module(x, lengths, y)
    # The same outputs by free-running greedy decoding from <bos>.
    module.eval()
    state = module.encode(x, lengths)
    tokens = torch.full((3, 1), 2)
    steps = []
    for _ in range(4):
        out, state, _ = module.step(module.embed(tokens), state)
        steps.append(out)
        tokens = torch.cat([tokens, out.argmax(-1, keepdim=True)], dim=1)
    np.testing.assert_allclose(sampled.detach(), torch.stack(steps, 1).detach(), atol=1e-10)


def test_scheduled_sampling_draws_per_sample_and_step():
    module = _tiny_module("gru", "additive")
    x = torch.randn(64, 5, 3, dtype=torch.float64)
    lengths = torch.full((64,), 5)
    y = torch.randint(3, 7, (64, 6))
    module.eval()
    forced = module(x, lengths, y)
    module.train()
    module.teacher_forcing_ratio = 0.5
    torch.manual_seed(1)
    mixed = module(x, lengths, y)
    # Step 0 always reads <bos>; later steps differ for some rows but not all.
    same = np.isclose(mixed.detach(), forced.detach(), atol=1e-12).all(axis=2)
    assert same[:, 0].all()
    changed = ~same[:, 1:]
    assert 0 < changed.any(axis=1).sum() < 64


# ----------------------------------------------------------------- estimator


def test_translator_learns_the_task_and_returns_strings(translator):
    pred = translator.predict(["ab", "bab", "a"])
    assert pred == ["AB", "BAB", "A"]
    assert translator.score(X_WORDS, Y_WORDS) == 1.0


def test_beam_width_one_equals_greedy(translator):
    greedy = translator.predict(WORDS)
    beam = translator.set_params(decoding="beam", beam_width=1).predict(WORDS)
    translator.set_params(decoding="greedy", beam_width=4)
    assert beam == greedy


def test_nbest_scores_are_sorted_log_probabilities(translator):
    sequences, scores = translator.predict_nbest(WORDS, n_best=3)
    assert scores.shape == (len(WORDS), 3)
    assert (np.diff(scores, axis=1) <= 1e-12).all()
    for k in range(3):
        log_p = translator.predict_log_proba(WORDS, [s[k] for s in sequences])
        np.testing.assert_allclose(scores[:, k], log_p, atol=1e-9)


def test_wide_beam_finds_the_most_probable_sequence_by_enumeration(translator):
    # Every output of up to 3 tokens over the output alphabet {A, B}: with
    # beam_width >= 2**3 the beam keeps every prefix, so its best sequence is
    # the exhaustive optimum.
    translator.set_params(beam_width=8, max_length=4)
    try:
        sequences, scores = translator.predict_nbest(WORDS, n_best=1)
    finally:
        translator.set_params(beam_width=4, max_length=None)
    candidates = [
        "".join(c) for n in range(4) for c in itertools.product("AB", repeat=n)
    ]
    for i, word in enumerate(WORDS):
        log_p = translator.predict_log_proba([word] * len(candidates), candidates)
        assert sequences[i][0] == candidates[int(np.argmax(log_p))]
        assert scores[i, 0] == pytest.approx(log_p.max(), abs=1e-9)


def test_predict_log_proba_defaults_to_the_predictions(translator):
    np.testing.assert_allclose(
        translator.predict_log_proba(WORDS),
        translator.predict_log_proba(WORDS, translator.predict(WORDS)),
    )


@pytest.mark.parametrize(
    "y, expected",
    [
        ([list(w.upper()) for w in X_WORDS[:12]], list),
        (np.array([w.upper()[0] for w in X_WORDS[:12]]), np.ndarray),
    ],
    ids=["token-lists", "1d"],
)
def test_predict_returns_the_kind_of_y(y, expected):
    model = Seq2SeqTranslator(embedding_dim=4, hidden_size=8, max_epochs=2, random_state=0)
    pred = model.fit(X_WORDS[:12], y).predict(X_WORDS[:3])
    assert isinstance(pred, expected) and len(pred) == 3


def test_padding_never_changes_a_prediction():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in (4, 9, 6, 12) * 4]
    y = [list("ab"[: 1 + n % 2]) for n in range(16)]
    model = Seq2SeqTranslator(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    # X[0] (4 steps) with a 6-step sequence, then inside a batch padded to 12 steps.
    short = model.predict_log_proba([X[0], X[2]], [["a", "b"]] * 2)
    padded = model.predict_log_proba([X[0], X[3], X[2]], [["a", "b"]] * 3)
    np.testing.assert_allclose(short, padded[[0, 2]], rtol=0, atol=1e-12)
    assert model.predict([X[0], X[2]]) == model.predict([X[0], X[3], X[2]])[::2]


def test_same_seed_same_predictions():
    kw = dict(embedding_dim=4, hidden_size=8, max_epochs=3, teacher_forcing_ratio=0.5,
              random_state=3)
    a = Seq2SeqTranslator(**kw).fit(X_WORDS, Y_WORDS).predict_log_proba(WORDS, WORDS)
    b = Seq2SeqTranslator(**kw).fit(X_WORDS, Y_WORDS).predict_log_proba(WORDS, WORDS)
    np.testing.assert_array_equal(a, b)


def test_weights_round_trip_without_pickle(translator, tmp_path):
    path = tmp_path / "translator.pt"
    translator.save_weights(path)
    loaded = Seq2SeqTranslator.load_weights(path)
    assert loaded.predict(WORDS) == translator.predict(WORDS)
    np.testing.assert_array_equal(
        loaded.predict_log_proba(WORDS, WORDS), translator.predict_log_proba(WORDS, WORDS)
    )


def test_regressor_forecasts_a_horizon():
    t = np.arange(30)[None, :] + np.arange(48)[:, None]
    series = np.sin(0.4 * t)
    X, y = series[:, :26], series[:, 26:]
    model = Seq2SeqRegressor(
        hidden_size=16, batch_size=8, max_epochs=20, lr=0.01, random_state=0
    ).fit(X, y)
    assert model.predict(X).shape == (48, 4)
    assert model.score(X, y) > 0.9
    one_step = Seq2SeqRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y[:, 0])
    assert one_step.predict(X).shape == (48,)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(decoder="transformer", attention="additive"), "attention='dot'"),
        (dict(decoder="transformer", attention="dot", coverage_penalty=0.5), "coverage"),
        (dict(beam_width=5, num_beam_groups=2), "divide"),
        (dict(scheduled_sampling="inverse_sigmoid", sampling_decay=0.5), "sampling_decay"),
        (dict(hidden_size=10, decoder="transformer", attention="dot"), "num_heads"),
    ],
)
def test_inconsistent_parameters_raise(params, match):
    model = Seq2SeqTranslator(embedding_dim=4, max_epochs=1, **params)
    with pytest.raises(ValueError, match=match):
        model.fit(X_WORDS, Y_WORDS)


@pytest.mark.parametrize(
    "model, X, y, match",
    [
        (Seq2SeqTranslator(embedding_dim=4, max_epochs=1), X_WORDS, Y_WORDS[:-1], "rows"),
        (Seq2SeqTranslator(embedding_dim=4, max_epochs=1), X_WORDS, [None] * len(X_WORDS),
         "None"),
        (Seq2SeqTranslator(max_epochs=1), X_WORDS, Y_WORDS, "embedding_dim"),
        (Seq2SeqRegressor(max_epochs=1), np.zeros((4, 3)), np.zeros((4, 2, 2)), "horizon"),
    ],
    ids=["fewer-targets", "none-targets", "no-embedding", "3d-horizon"],
)
def test_bad_targets_raise(model, X, y, match):
    with pytest.raises(ValueError, match=match):
        model.fit(X, y)


def test_more_hypotheses_than_beams_raises(translator):
    with pytest.raises(ValueError, match="n_best"):
        translator.predict_nbest(WORDS, n_best=5)
