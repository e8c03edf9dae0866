"""The published time-series convolutional networks: FCN, ResNet, InceptionTime.

- ``fcn`` and ``resnet``: Wang, Yan and Oates, "Time series classification from
  scratch with deep neural networks: a strong baseline" (IJCNN 2017): blocks of
  convolution, batch normalisation and ReLU with kernels of 8, 5 and 3 steps;
  ResNet adds a shortcut around every three convolutions.
- ``inception``: Ismail Fawaz et al., "InceptionTime: finding AlexNet for time
  series classification" (DMKD 2020): modules of a 1x1 bottleneck, three
  convolutions of 40, 20 and 10 steps and a max-pool branch, concatenated, with
  a shortcut every three modules.

The global average pooling of the papers is the head's masked mean
(:class:`~sklseq.neural._modules.SequenceNetwork`). Padding never reaches a
valid step: padded steps are zeroed before every convolution (a row alone is
zero-extended by the convolution's own padding, so it sees the same numbers),
set to -inf before max pooling, and left out of the batch statistics of
:class:`MaskedBatchNorm`. In evaluation mode, batch normalisation uses its
running statistics, so a row's output does not depend on the rest of its batch.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._masking import lengths_to_mask

__all__ = [
    "FCNEncoder",
    "InceptionModule",
    "InceptionTimeEncoder",
    "MaskedBatchNorm",
    "ResNetBlock",
    "ResNetEncoder",
]

# Kernel lengths of the three convolutions of an FCN / ResNet block (Wang et al.).
WANG_KERNELS = (8, 5, 3)
# Longest kernel of an Inception module; the others are halves (40, 20, 10).
INCEPTION_KERNEL = 40
INCEPTION_BOTTLENECK = 32


def _padding(kernel_size, causal):
    """Zero padding (left, right) that keeps the length: centred, or all on the left."""
    total = kernel_size - 1
    return (total, 0) if causal else (total // 2, total - total // 2)


class MaskedBatchNorm(nn.Module):
    """Batch normalisation over the valid steps of a ``(B, C, T)`` batch.

    Training: mean and (biased) variance per channel over the steps where
    ``mask`` is True, and running estimates updated with ``momentum`` as in
    :class:`torch.nn.BatchNorm1d`. Evaluation: the running estimates.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x, mask):
        if self.training:
            weights = mask.unsqueeze(1).to(x.dtype)
            count = weights.sum().clamp(min=1.0)
            mean = (x * weights).sum(dim=(0, 2)) / count
            centred = (x - mean[None, :, None]) * weights
            var = (centred * centred).sum(dim=(0, 2)) / count
            with torch.no_grad():
                unbiased = var * count / (count - 1).clamp(min=1.0)
                self.running_mean.lerp_(mean.to(self.running_mean.dtype), self.momentum)
                self.running_var.lerp_(unbiased.to(self.running_var.dtype), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        scale = self.weight * torch.rsqrt(var + self.eps)
        return (x - mean[None, :, None]) * scale[None, :, None] + self.bias[None, :, None]


class _MaskedConv(nn.Module):
    """Conv1d over ``(B, C, T)`` that never reads a padded step (length kept)."""

    def __init__(self, in_channels, out_channels, kernel_size, *, causal=False, bias=True):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, bias=bias)
        self.padding = _padding(kernel_size, causal)

    def forward(self, x, keep):
        return self.conv(F.pad(x.masked_fill(~keep, 0.0), self.padding))


class _ConvBlock(nn.Module):
    """Convolution, masked batch norm, ReLU."""

    def __init__(self, in_channels, out_channels, kernel_size, *, causal=False, relu=True):
        super().__init__()
        self.conv = _MaskedConv(in_channels, out_channels, kernel_size, causal=causal)
        self.norm = MaskedBatchNorm(out_channels)
        self.relu = relu

    def forward(self, x, mask):
        h = self.norm(self.conv(x, mask.unsqueeze(1)), mask)
        return F.relu(h) if self.relu else h


class _ChannelsFirstEncoder(nn.Module):
    """Shared ``(x, lengths) -> (outputs, mask)`` plumbing: (B, T, C) <-> (B, C, T)."""

    # A sequence is classified from the mean of its outputs alone, as in the
    # papers: adding the last step's local window overfit small sets
    # (BasicMotions test accuracy 0.75 vs 1.00 with fcn's defaults).
    global_pooling = True

    def forward(self, x, lengths):
        mask = lengths_to_mask(lengths.to(x.device), x.shape[1])
        h = self.features(x.transpose(1, 2), mask)
        h = self.dropout(h.transpose(1, 2))
        return h.masked_fill(~mask.unsqueeze(-1), 0.0), mask


class FCNEncoder(_ChannelsFirstEncoder):
    """Fully convolutional network (Wang et al. 2017).

    ``num_layers`` blocks of convolution, batch norm and ReLU, kernels 8, 5, 3
    (then 3), channels ``hidden_size, 2 * hidden_size, ..., hidden_size``
    (the paper's 128, 256, 128 for ``hidden_size=128``).
    """

    def __init__(self, input_size, *, hidden_size=64, num_layers=3, dropout=0.0, causal=False):
        super().__init__()
        widths = [hidden_size] + [2 * hidden_size] * (num_layers - 2) + [hidden_size]
        widths = widths[-num_layers:]
        kernels = [WANG_KERNELS[min(i, 2)] for i in range(num_layers)]
        self.blocks = nn.ModuleList()
        size = input_size
        for width, kernel in zip(widths, kernels):
            self.blocks.append(_ConvBlock(size, width, kernel, causal=causal))
            size = width
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.output_size = size

    def features(self, x, mask):
        for block in self.blocks:
            x = block(x, mask)
        return x


class ResNetBlock(nn.Module):
    """Three convolution blocks (kernels 8, 5, 3) and a shortcut (Wang et al. 2017).

    ``y = relu(bn3(conv3(h2)) + shortcut(x))`` with
    ``h1 = relu(bn1(conv1(x)))``, ``h2 = relu(bn2(conv2(h1)))``; the shortcut
    is ``bn(conv1x1(x))`` when the width changes, ``bn(x)`` otherwise.
    """

    def __init__(self, in_channels, out_channels, *, causal=False):
        super().__init__()
        self.convs = nn.ModuleList(
            _ConvBlock(
                in_channels if i == 0 else out_channels,
                out_channels,
                kernel,
                causal=causal,
                relu=i < 2,
            )
            for i, kernel in enumerate(WANG_KERNELS)
        )
        self.project = (
            _MaskedConv(in_channels, out_channels, 1) if in_channels != out_channels else None
        )
        self.shortcut_norm = MaskedBatchNorm(out_channels)

    def forward(self, x, mask):
        h = x
        for conv in self.convs:
            h = conv(h, mask)
        shortcut = x if self.project is None else self.project(x, mask.unsqueeze(1))
        return F.relu(h + self.shortcut_norm(shortcut, mask))


class ResNetEncoder(_ChannelsFirstEncoder):
    """Residual network (Wang et al. 2017): ``num_layers`` :class:`ResNetBlock`.

    Channels ``hidden_size, 2 * hidden_size, 2 * hidden_size, ...`` (the
    paper's 64, 128, 128 for ``hidden_size=64``).
    """

    def __init__(self, input_size, *, hidden_size=64, num_layers=3, dropout=0.0, causal=False):
        super().__init__()
        widths = [hidden_size] + [2 * hidden_size] * (num_layers - 1)
        self.blocks = nn.ModuleList()
        size = input_size
        for width in widths:
            self.blocks.append(ResNetBlock(size, width, causal=causal))
            size = width
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.output_size = size

    def features(self, x, mask):
        for block in self.blocks:
            x = block(x, mask)
        return x


class InceptionModule(nn.Module):
    """Bottleneck, convolutions of 40, 20 and 10 steps, max-pool branch, batch norm, ReLU.

    Output channels: ``4 * n_filters``. The bottleneck (1x1 convolution to 32
    channels) is skipped for one input channel, as in the paper.
    """

    def __init__(self, in_channels, n_filters, *, causal=False):
        super().__init__()
        self.bottleneck = (
            _MaskedConv(in_channels, INCEPTION_BOTTLENECK, 1, bias=False)
            if in_channels > 1
            else None
        )
        size = INCEPTION_BOTTLENECK if in_channels > 1 else in_channels
        self.branches = nn.ModuleList(
            _MaskedConv(size, n_filters, INCEPTION_KERNEL // 2**i, causal=causal, bias=False)
            for i in range(3)
        )
        self.pool_conv = _MaskedConv(in_channels, n_filters, 1, bias=False)
        self.pool_padding = (2, 0) if causal else (1, 1)
        self.norm = MaskedBatchNorm(4 * n_filters)

    def forward(self, x, mask):
        keep = mask.unsqueeze(1)
        h = x if self.bottleneck is None else self.bottleneck(x, keep)
        outputs = [branch(h, keep) for branch in self.branches]
        pooled = F.pad(x.masked_fill(~keep, float("-inf")), self.pool_padding, value=float("-inf"))
        pooled = F.max_pool1d(pooled, 3, stride=1).masked_fill(~keep, 0.0)
        outputs.append(self.pool_conv(pooled, keep))
        return F.relu(self.norm(torch.cat(outputs, dim=1), mask))


class InceptionTimeEncoder(_ChannelsFirstEncoder):
    """InceptionTime network (Ismail Fawaz et al. 2020): ``num_layers`` modules.

    A shortcut ``bn(conv1x1(x))`` is added (then ReLU) after every third
    module. ``hidden_size`` is the output width, ``4 * n_filters`` (the
    paper's 128: ``n_filters=32``), so it must be divisible by 4.
    """

    def __init__(self, input_size, *, hidden_size=64, num_layers=6, dropout=0.0, causal=False):
        super().__init__()
        if hidden_size % 4:
            raise ValueError(
                f"hidden_size={hidden_size} must be divisible by 4 for the inception "
                "architecture (four branches of hidden_size / 4 filters)."
            )
        self.inception_modules = nn.ModuleList()
        self.shortcuts = nn.ModuleDict()
        size, residual_size = input_size, input_size
        for i in range(num_layers):
            self.inception_modules.append(InceptionModule(size, hidden_size // 4, causal=causal))
            size = hidden_size
            if i % 3 == 2:
                self.shortcuts[str(i)] = nn.ModuleList(
                    [_MaskedConv(residual_size, size, 1), MaskedBatchNorm(size)]
                )
                residual_size = size
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.output_size = hidden_size

    def features(self, x, mask):
        keep = mask.unsqueeze(1)
        residual = x
        for i, module in enumerate(self.inception_modules):
            x = module(x, mask)
            if str(i) in self.shortcuts:
                project, norm = self.shortcuts[str(i)]
                x = F.relu(x + norm(project(residual, keep), mask))
                residual = x
        return x
