"""Encoder modules: hand-written cell equations, bidirectionality, padding and causality."""

import numpy as np
import pytest
import torch

from sklseq.neural._modules import ARCHITECTURES, build_encoder, reverse_padded


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _weights(encoder, suffix=""):
    rnn = encoder.rnn
    get = lambda name: getattr(rnn, name + suffix).detach().double().numpy()  # noqa: E731
    return get("weight_ih_l0"), get("weight_hh_l0"), get("bias_ih_l0"), get("bias_hh_l0")


def _run(encoder, x, lengths=None):
    x = torch.as_tensor(x, dtype=torch.float64)
    if lengths is None:
        lengths = torch.full((x.shape[0],), x.shape[1])
    with torch.no_grad():
        out, _ = encoder.double().eval()(x, torch.as_tensor(lengths))
    return out.numpy()


def _elman(x, W_ih, W_hh, b_ih, b_hh):
    h = np.zeros(W_hh.shape[1])
    outputs = []
    for x_t in x:
        h = np.tanh(W_ih @ x_t + b_ih + W_hh @ h + b_hh)
        outputs.append(h)
    return np.array(outputs)


def _lstm(x, W_ih, W_hh, b_ih, b_hh):
    # PyTorch stacks the gates as input, forget, cell candidate, output.
    hidden = W_hh.shape[1]
    h, c = np.zeros(hidden), np.zeros(hidden)
    outputs = []
    for x_t in x:
        a = W_ih @ x_t + b_ih + W_hh @ h + b_hh
        i, f, g, o = (a[k * hidden : (k + 1) * hidden] for k in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        outputs.append(h)
    return np.array(outputs)


def _gru(x, W_ih, W_hh, b_ih, b_hh):
    # PyTorch stacks the gates as reset, update, new.
    hidden = W_hh.shape[1]
    h = np.zeros(hidden)
    outputs = []
    for x_t in x:
        gi = W_ih @ x_t + b_ih
        gh = W_hh @ h + b_hh
        r = _sigmoid(gi[:hidden] + gh[:hidden])
        z = _sigmoid(gi[hidden : 2 * hidden] + gh[hidden : 2 * hidden])
        n = np.tanh(gi[2 * hidden :] + r * gh[2 * hidden :])
        h = (1 - z) * n + z * h
        outputs.append(h)
    return np.array(outputs)


CELLS = {"rnn": _elman, "lstm": _lstm, "gru": _gru}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_recurrent_steps_match_hand_written_equations(cell):
    torch.manual_seed(0)
    encoder = build_encoder(cell, 3, hidden_size=4)
    x = np.random.RandomState(0).normal(size=(1, 2, 3))
    expected = CELLS[cell](x[0], *_weights(encoder))
    np.testing.assert_allclose(_run(encoder, x)[0], expected, rtol=1e-12, atol=1e-12)


def test_jordan_step_feeds_output_back():
    torch.manual_seed(0)
    encoder = build_encoder("jordan", 2, hidden_size=3)
    layer = encoder.forward_layers[0]
    W_x = layer.input_to_hidden.weight.detach().double().numpy()
    b_x = layer.input_to_hidden.bias.detach().double().numpy()
    W_y = layer.output_to_hidden.weight.detach().double().numpy()
    W_o = layer.hidden_to_output.weight.detach().double().numpy()
    b_o = layer.hidden_to_output.bias.detach().double().numpy()
    x = np.random.RandomState(1).normal(size=(3, 2))
    y = np.zeros(3)
    expected = []
    for x_t in x:
        hidden = np.tanh(W_x @ x_t + b_x + W_y @ y)
        y = np.tanh(W_o @ hidden + b_o)
        expected.append(y)
    np.testing.assert_allclose(_run(encoder, x[None])[0], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_bidirectional_backward_half_is_the_reversed_run(cell):
    torch.manual_seed(0)
    encoder = build_encoder(cell, 3, hidden_size=4, bidirectional=True)
    x = np.random.RandomState(0).normal(size=(2, 5, 3))
    lengths = np.array([5, 3])
    out = _run(encoder, x, lengths)
    for row, n in enumerate(lengths):
        forward = CELLS[cell](x[row, :n], *_weights(encoder))
        backward = CELLS[cell](x[row, :n][::-1], *_weights(encoder, "_reverse"))[::-1]
        np.testing.assert_allclose(out[row, :n, :4], forward, atol=1e-12)
        np.testing.assert_allclose(out[row, :n, 4:], backward, atol=1e-12)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("causal", [False, True])
def test_padding_never_changes_valid_outputs(architecture, causal):
    if causal and architecture in ("rnn", "lstm", "gru", "jordan"):
        bidirectional = False
    else:
        bidirectional = architecture in ("lstm", "jordan") and not causal
    torch.manual_seed(0)
    encoder = build_encoder(
        architecture, 2, hidden_size=8, bidirectional=bidirectional, causal=causal
    )
    rng = np.random.RandomState(0)
    x = rng.normal(size=(3, 9, 2))
    lengths = np.array([9, 4, 6])
    x[1, 4:] = 1e3  # garbage in the padding
    batch = _run(encoder, x, lengths)
    alone = _run(encoder, x[1:2, :4], [4])
    np.testing.assert_allclose(batch[1, :4], alone[0], atol=1e-12)
    assert np.all(batch[1, 4:] == 0)


@pytest.mark.parametrize("architecture", ["cnn", "cnn-lstm", "transformer", "lstm", "jordan"])
def test_causal_encoders_ignore_the_future(architecture):
    torch.manual_seed(0)
    encoder = build_encoder(architecture, 2, hidden_size=8, causal=True)
    x = np.random.RandomState(0).normal(size=(1, 8, 2))
    changed = x.copy()
    changed[0, 5:] += 1.0
    np.testing.assert_allclose(_run(encoder, x)[0, :5], _run(encoder, changed)[0, :5], atol=1e-12)


def test_token_embedding_front():
    encoder = build_encoder("gru", 4, hidden_size=6, num_embeddings=10)
    out, mask = encoder(torch.tensor([[1, 2, 3], [4, 0, 0]]), torch.tensor([3, 1]))
    assert out.shape == (2, 3, 6)
    assert mask.tolist() == [[True, True, True], [True, False, False]]


def test_reverse_padded_keeps_padding_in_place():
    x = torch.arange(8.0).reshape(2, 4, 1)
    out = reverse_padded(x, torch.tensor([4, 2]))
    assert out[..., 0].tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"architecture": "lstn"}, "architecture='lstn'"),
        ({"architecture": "transformer", "hidden_size": 10, "num_heads": 4}, "divisible"),
        ({"architecture": "gru", "causal": True, "bidirectional": True}, "causal"),
        ({"architecture": "cnn", "num_layers": 2, "dilation": (1, 2, 4)}, "dilation"),
    ],
)
def test_build_encoder_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_encoder(input_size=2, **kwargs)
