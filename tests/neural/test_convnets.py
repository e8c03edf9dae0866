"""FCN, ResNet and InceptionTime encoders: shapes, masking, and a residual block by hand."""

import numpy as np
import pytest
import torch

from sklseq.neural import SequenceClassifier
from sklseq.neural._modules import build_encoder
from sklseq.neural._modules._convnets import MaskedBatchNorm, ResNetBlock

CONVNETS = ("fcn", "resnet", "inception")


def _randomise_norms(module, seed=0):
    # Running statistics away from (0, 1), so evaluation mode exercises them.
    gen = torch.Generator().manual_seed(seed)
    for sub in module.modules():
        if isinstance(sub, MaskedBatchNorm):
            n = sub.running_mean.shape[0]
            sub.running_mean.copy_(torch.randn(n, generator=gen, dtype=sub.running_mean.dtype))
            sub.running_var.copy_(torch.rand(n, generator=gen, dtype=sub.running_var.dtype) + 0.5)
            with torch.no_grad():
                sub.weight.copy_(torch.randn(n, generator=gen))
                sub.bias.copy_(torch.randn(n, generator=gen))


@pytest.mark.parametrize("architecture", CONVNETS)
@pytest.mark.parametrize("input_size", [1, 3])
def test_shapes_and_zero_padding(architecture, input_size):
    torch.manual_seed(0)
    encoder = build_encoder(architecture, input_size, hidden_size=8)
    out, mask = encoder(torch.randn(2, 50, input_size), torch.tensor([50, 20]))
    expected = {"fcn": 8, "resnet": 16, "inception": 8}[architecture]
    assert encoder.output_size == expected
    assert out.shape == (2, 50, expected)
    assert mask.sum(dim=1).tolist() == [50, 20]
    assert torch.all(out[1, 20:] == 0)


@pytest.mark.parametrize("architecture", CONVNETS)
def test_row_alone_equals_row_in_a_batch_of_longer_rows(architecture):
    torch.manual_seed(0)
    encoder = build_encoder(architecture, 2, hidden_size=8).double().eval()
    _randomise_norms(encoder)
    x = torch.randn(3, 60, 2, dtype=torch.float64)
    x[1, 25:] = 1e3  # garbage in the padding
    with torch.no_grad():
        batch, _ = encoder(x, torch.tensor([60, 25, 41]))
        alone, _ = encoder(x[1:2, :25], torch.tensor([25]))
    torch.testing.assert_close(batch[1, :25], alone[0], rtol=0, atol=1e-10)


@pytest.mark.parametrize("architecture", CONVNETS)
def test_padding_content_never_reaches_training_statistics(architecture):
    torch.manual_seed(0)
    encoder = build_encoder(architecture, 2, hidden_size=8).double().train()
    x = torch.randn(3, 30, 2, dtype=torch.float64)
    lengths = torch.tensor([30, 12, 21])
    garbage = x.clone()
    garbage[1, 12:] = 1e3
    garbage[2, 21:] = -7.0
    out_clean, _ = encoder(x, lengths)
    out_garbage, _ = encoder(garbage, lengths)
    torch.testing.assert_close(out_clean, out_garbage, rtol=0, atol=1e-10)


@pytest.mark.parametrize("architecture", CONVNETS)
def test_causal_convnets_ignore_the_future(architecture):
    torch.manual_seed(0)
    encoder = build_encoder(architecture, 2, hidden_size=8, causal=True).double().eval()
    _randomise_norms(encoder)
    x = torch.randn(1, 30, 2, dtype=torch.float64)
    changed = x.clone()
    changed[0, 20:] += 1.0
    with torch.no_grad():
        a, _ = encoder(x, torch.tensor([30]))
        b, _ = encoder(changed, torch.tensor([30]))
    torch.testing.assert_close(a[0, :20], b[0, :20], rtol=0, atol=1e-10)


def test_masked_batch_norm_equals_batch_norm_over_valid_steps():
    torch.manual_seed(0)
    x = torch.randn(3, 4, 10, dtype=torch.float64)
    mask = torch.arange(10)[None, :] < torch.tensor([10, 3, 6])[:, None]
    ours = MaskedBatchNorm(4).double().train()
    reference = torch.nn.BatchNorm1d(4).double().train()
    valid = x.transpose(1, 2)[mask]  # (n_valid_steps, channels)
    expected = reference(valid)
    out = ours(x, mask).transpose(1, 2)[mask]
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(ours.running_mean, reference.running_mean)
    torch.testing.assert_close(ours.running_var, reference.running_var)


def _same_conv(x, conv, kernel_size):
    # Keras' "same" padding: (k - 1) // 2 zeros on the left, the rest on the right.
    left = (kernel_size - 1) // 2
    padded = np.pad(x, ((0, 0), (left, kernel_size - 1 - left)))
    w = conv.weight.detach().numpy()  # (out, in, k)
    b = conv.bias.detach().numpy()
    n_steps = x.shape[1]
    out = np.empty((w.shape[0], n_steps))
    for t in range(n_steps):
        out[:, t] = np.einsum("oik,ik->o", w, padded[:, t : t + kernel_size]) + b
    return out


def _bn(h, norm):
    mean = norm.running_mean.numpy()[:, None]
    var = norm.running_var.numpy()[:, None]
    return (h - mean) / np.sqrt(var + norm.eps) * norm.weight.detach().numpy()[
        :, None
    ] + norm.bias.detach().numpy()[:, None]


def test_resnet_block_equals_its_equations():
    torch.manual_seed(0)
    block = ResNetBlock(2, 3).double().eval()
    _randomise_norms(block)
    x = np.random.default_rng(0).normal(size=(2, 16))
    relu = lambda a: np.maximum(a, 0)  # noqa: E731
    h = x
    for i, (layer, kernel) in enumerate(zip(block.convs, (8, 5, 3))):
        h = _bn(_same_conv(h, layer.conv.conv, kernel), layer.norm)
        h = relu(h) if i < 2 else h
    shortcut = _bn(_same_conv(x, block.project.conv, 1), block.shortcut_norm)
    expected = relu(h + shortcut)
    with torch.no_grad():
        out = block(torch.as_tensor(x)[None], torch.ones(1, 16, dtype=torch.bool))
    np.testing.assert_allclose(out[0].numpy(), expected, rtol=1e-10, atol=1e-12)


def test_inception_needs_a_width_divisible_by_four():
    with pytest.raises(ValueError, match="divisible by 4"):
        build_encoder("inception", 2, hidden_size=10)


def test_inception_max_pool_branch_ignores_padding():
    # A huge value right after a row's end must not leak through the max pool.
    torch.manual_seed(0)
    encoder = build_encoder("inception", 1, hidden_size=4, num_layers=1).double().eval()
    x = torch.zeros(1, 10, 1, dtype=torch.float64)
    x[0, 5] = 1e6
    with torch.no_grad():
        padded, _ = encoder(x, torch.tensor([5]))
        alone, _ = encoder(x[:, :5], torch.tensor([5]))
    torch.testing.assert_close(padded[0, :5], alone[0], rtol=0, atol=1e-10)


@pytest.mark.parametrize("architecture", CONVNETS)
def test_estimators_accept_the_new_architectures(architecture):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) + (i % 2) for i, n in enumerate(rng.integers(15, 30, 20))]
    y = np.arange(20) % 2
    clf = SequenceClassifier(
        architecture=architecture, hidden_size=8, max_epochs=3, random_state=0
    ).fit(X, y)
    first = clf.predict_proba(X)
    assert first.shape == (20, 2)
    # One row alone, or inside the whole batch: the same probabilities.
    np.testing.assert_allclose(clf.predict_proba(X[3:4]), first[3:4], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("architecture", "mean_only"), [("fcn", True), ("inception", True),
                                                        ("resnet", True), ("gru", False)])
def test_sequence_head_reads_the_mean_alone_for_convnets(architecture, mean_only):
    # The convnets classify from global average pooling (as published); a
    # recurrent encoder's last valid step is concatenated before the mean.
    from sklseq.neural._modules import SequenceNetwork, last_valid_step, masked_mean

    torch.manual_seed(0)
    network = SequenceNetwork(build_encoder(architecture, 2, hidden_size=8), 3).double().eval()
    x, lengths = torch.randn(2, 30, 2, dtype=torch.float64), torch.tensor([30, 17])
    with torch.no_grad():
        outputs, mask = network.encoder(x, lengths)
        pooled = masked_mean(outputs, mask)
        if not mean_only:
            pooled = torch.cat([last_valid_step(outputs, lengths), pooled], -1)
        expected = pooled @ network.head.weight.T + network.head.bias
        torch.testing.assert_close(network(x, lengths), expected, rtol=0, atol=1e-12)


# Long sequences: the transformer's fused attention and patching.


def test_attention_layer_equals_softmax_attention_by_hand():
    from sklseq.neural._modules._transformer import SelfAttentionLayer

    torch.manual_seed(0)
    layer = SelfAttentionLayer(8, 2).double().eval()
    h = torch.randn(2, 5, 8, dtype=torch.float64)
    valid = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    with torch.no_grad():
        out = layer(h, valid[:, None, None, :])
        a = layer.norm1(h)
        q, k, v = layer.qkv(a).split(8, dim=-1)
        heads = []
        for head in range(2):
            cols = slice(4 * head, 4 * head + 4)
            scores = q[..., cols] @ k[..., cols].transpose(1, 2) / 2.0  # sqrt(4)
            scores = scores.masked_fill(~valid[:, None, :], float("-inf"))
            heads.append(torch.softmax(scores, dim=-1) @ v[..., cols])
        h1 = h + layer.out(torch.cat(heads, dim=-1))
        expected = h1 + layer.ff(layer.norm2(h1))
    torch.testing.assert_close(out, expected)


@pytest.mark.parametrize("patch_size", [1, 4])
def test_patched_transformer_row_alone_equals_row_in_batch(patch_size):
    torch.manual_seed(0)
    encoder = build_encoder("transformer", 2, hidden_size=8, patch_size=patch_size)
    encoder = encoder.double().eval()
    x = torch.randn(3, 30, 2, dtype=torch.float64)
    x[1, 13:] = 1e3
    with torch.no_grad():
        batch, _ = encoder(x, torch.tensor([30, 13, 22]))
        alone, _ = encoder(x[1:2, :13], torch.tensor([13]))
    torch.testing.assert_close(batch[1, :13], alone[0], rtol=0, atol=1e-10)
    assert torch.all(batch[1, 13:] == 0)
    if patch_size > 1:
        # Steps of one patch share its output; the last patch is partial (13 = 3 * 4 + 1).
        torch.testing.assert_close(batch[1, 4:8], batch[1, 4:5].expand(4, -1))


def test_patching_and_causal_attention_exclude_each_other():
    with pytest.raises(ValueError, match="patch_size"):
        build_encoder("transformer", 2, hidden_size=8, causal=True, patch_size=4)
