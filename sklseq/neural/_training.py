"""skorch glue of the neural estimators: the net, its dataset and batches, callbacks.

:class:`_SequenceNet` is a skorch :class:`~skorch.NeuralNet` with only the
callbacks a fit asks for. :class:`_SequenceDataset` holds the tensors whole and
gathers batches by index, trimmed to their longest row; when the module reads
the targets too (teacher forcing), they travel in the batch's input dict as
``y``, which skorch forwards to ``module(**x)``.
"""

import contextlib
import math
import warnings

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PassthroughScoring

from ._persistence import plain_history


@contextlib.contextmanager
def _cudnn_deterministic(enabled):
    """Select deterministic cuDNN kernels inside the block.

    Convolutions' fastest backward kernels add in a varying order; this makes a
    random_state give one result on CUDA too.
    """
    cudnn = torch.backends.cudnn
    saved = cudnn.deterministic, cudnn.benchmark
    if enabled:
        cudnn.deterministic, cudnn.benchmark = True, False
    try:
        yield
    finally:
        cudnn.deterministic, cudnn.benchmark = saved


class _SequenceNet(NeuralNet):
    """skorch net with light set-up: only the callbacks a fit asks for."""

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
        ]

    def check_data(self, X, y=None):
        pass


class _SequenceDataset(torch.utils.data.Dataset):
    """Tensors held whole; batches are gathered by index, trimmed to their longest row."""

    def __init__(
        self, inputs, lengths, targets, *, targets_per_step=False, targets_in_input=False
    ):
        self.inputs = inputs
        self.lengths = lengths
        self.targets = targets
        self.targets_per_step = targets_per_step
        self.targets_in_input = targets_in_input

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, index):
        return self.batch(index)

    def subset(self, index):
        return _SequenceDataset(
            _take(self.inputs, index),
            self.lengths[index],
            _take(self.targets, index),
            targets_per_step=self.targets_per_step,
            targets_in_input=self.targets_in_input,
        )

    def batch(self, index, augment=None):
        lengths = self.lengths[index]
        width = int(lengths.max())
        x = _take(self.inputs, index)[:, :width]
        if augment is not None:
            x = augment(x, lengths)
        y = _take(self.targets, index)
        if self.targets_per_step:
            y = _trim(y, width)
        if self.targets_in_input:
            return {"x": x, "lengths": lengths, "y": y}, y
        return {"x": x, "lengths": lengths}, y


class _BatchIterator:
    """Mini-batches by tensor indexing (no per-sample collation).

    Shuffled batches of variable-length rows are bucketed: the shuffled rows
    are ordered by :func:`_bucket_width` of their length (random within a
    bucket), cut into batches and the batches shuffled, so a batch pads its
    rows by at most ~12.5% instead of to the longest row of the data set.
    """

    def __init__(self, dataset, batch_size=32, shuffle=False, augment=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.augment = augment

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        lengths = self.dataset.lengths
        order = torch.randperm(n) if self.shuffle else torch.arange(n)
        if self.shuffle and n > self.batch_size and bool((lengths != lengths[0]).any()):
            order = self._bucketed(order)
        order = order.to(lengths.device)
        for start in range(0, n, self.batch_size):
            yield self.dataset.batch(order[start : start + self.batch_size], self.augment)

    def _bucketed(self, order):
        widths = torch.as_tensor(_bucket_width(self.dataset.lengths.cpu().numpy()))
        order = order[torch.argsort(widths[order], stable=True)]
        batches = torch.split(order, self.batch_size)
        return torch.cat([batches[i] for i in torch.randperm(len(batches))])


def _bucket_width(lengths):
    """Length rounded up to a grid finer than 1/8 of it (at most 12.5% padding)."""
    lengths = np.maximum(np.asarray(lengths, dtype=np.int64), 1)
    step = 2 ** np.maximum(np.floor(np.log2(lengths)).astype(np.int64) - 3, 0)
    return -(-lengths // step) * step


class _TailSplit:
    """Validation on the last samples (time order): rows ``n_train:`` validate."""

    def __init__(self, n_train):
        self.n_train = n_train

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        train = torch.arange(self.n_train)
        valid = torch.arange(self.n_train, n)
        return dataset.subset(train), dataset.subset(valid)


class _RowSplit:
    """Validation on given rows: ``dataset.subset(train)``, ``dataset.subset(valid)``."""

    def __init__(self, train, valid):
        self.train = torch.as_tensor(train, dtype=torch.long)
        self.valid = torch.as_tensor(valid, dtype=torch.long)

    def __call__(self, dataset, y=None, **fit_params):
        device = dataset.lengths.device
        return dataset.subset(self.train.to(device)), dataset.subset(self.valid.to(device))


def _stratified_rows(labels, n_valid, rng):
    """``(train, valid)`` row indices, ``n_valid`` of them shuffled per class for validation.

    Each class gives validation rows in proportion to its size (largest
    remainders first) but always keeps at least one row for training; a
    warning says so when that leaves fewer validation rows than asked.
    """
    classes, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    quota = counts * n_valid / len(labels)
    take = np.minimum(np.floor(quota).astype(np.intp), counts - 1)
    for c in np.argsort(-(quota - np.floor(quota)), kind="stable"):
        if take.sum() >= n_valid:
            break
        take[c] += take[c] < counts[c] - 1
    for c in np.argsort(-counts, kind="stable"):
        while take.sum() < n_valid and take[c] < counts[c] - 1:
            take[c] += 1
    if take.sum() < n_valid:
        warnings.warn(
            f"validation_fraction asks for {n_valid} validation rows, but only "
            f"{int(take.sum())} can be held out while every class keeps a training "
            "row; validating on those.",
            UserWarning,
            stacklevel=4,
        )
    valid = []
    for c in range(len(classes)):
        rows = rng.permutation(np.flatnonzero(codes == c))
        valid.extend(rows[: take[c]])
    valid = np.sort(np.asarray(valid, dtype=np.intp))
    return np.setdiff1d(np.arange(len(labels)), valid), valid


def _tail_rows(n_samples, n_valid):
    """``(train, valid)``: the last ``n_valid`` rows validate (time order)."""
    return np.arange(n_samples - n_valid), np.arange(n_samples - n_valid, n_samples)


class _Augmenter:
    """Gaussian noise and smooth monotone time warping of the valid steps, in training only.

    The warp maps the steps of a row of length ``L`` to positions
    ``(L - 1) * (t / (L - 1)) ** exp(u)``, ``u ~ U(-time_warp, time_warp)``,
    keeping both ends, and reads the row there by linear interpolation.
    """

    def __init__(self, noise_std=0.0, time_warp=0.0):
        self.noise_std = noise_std
        self.time_warp = time_warp

    def __call__(self, x, lengths):
        if not (self.noise_std or self.time_warp) or not x.is_floating_point():
            return x
        valid = (torch.arange(x.shape[1], device=x.device)[None, :] < lengths[:, None])
        if self.time_warp:
            span = (lengths - 1).clamp(min=1).to(x.dtype)[:, None]
            t = torch.arange(x.shape[1], device=x.device, dtype=x.dtype)[None, :]
            exponent = torch.exp(
                (torch.rand(len(x), 1, device=x.device, dtype=x.dtype) * 2 - 1) * self.time_warp
            )
            pos = span * (t / span).clamp(max=1.0) ** exponent
            low = pos.floor().long().clamp(max=x.shape[1] - 1)
            high = (low + 1).minimum((lengths - 1).clamp(min=0)[:, None])
            frac = (pos - low.to(x.dtype)).unsqueeze(-1)
            expand = (-1, -1, x.shape[2])
            x_low = x.gather(1, low.unsqueeze(-1).expand(*expand))
            x_high = x.gather(1, high.unsqueeze(-1).expand(*expand))
            x = torch.where(valid.unsqueeze(-1), x_low + frac * (x_high - x_low), x)
        if self.noise_std:
            x = x + self.noise_std * torch.randn_like(x) * valid.unsqueeze(-1)
        return x


class _WarmupDecay:
    """LR factor per optimiser step: linear warm-up, then constant, cosine or linear decay."""

    def __init__(self, warmup_steps, total_steps, decay):
        self.warmup_steps = warmup_steps
        self.total_steps = max(total_steps, 1)
        self.decay = decay
        self.offset = 0  # steps already done before a resumed fit

    def __call__(self, step):
        step += self.offset
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        span = max(self.total_steps - self.warmup_steps, 1)
        progress = min((step - self.warmup_steps) / span, 1.0)
        if self.decay == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * progress))
        if self.decay == "linear":
            return 1.0 - progress
        return 1.0


class _FiniteLoss(Callback):
    """Stop at the first NaN / infinite loss with a message that suggests the fix."""

    def __init__(self, lr, gradient_clip):
        self.lr = lr
        self.gradient_clip = gradient_clip

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        key = "train_loss" if training else "valid_loss"
        value = net.history[-1, "batches", -1, key]
        if not math.isfinite(value):
            raise FloatingPointError(
                f"The {key.replace('_', ' ')} became {value} at epoch {len(net.history)}: "
                f"training diverged. Try a lower lr (now {self.lr}) or gradient clipping "
                f"(gradient_clip, now {self.gradient_clip}), and check X and y for "
                "extreme values."
            )


class _EpochCheckpoint(Callback):
    """Write weights, optimiser state, history and the torch RNG state after every epoch.

    With the RNG state, a resumed fit shuffles and drops out exactly as an
    uninterrupted one would.
    """

    def __init__(self, estimator):
        self.path = estimator.checkpoint_path

    def on_epoch_end(self, net, **kwargs):
        torch.save(
            {
                "state_dict": net.module_.state_dict(),
                "optimizer": net.optimizer_.state_dict(),
                "history": plain_history(net.history),
                "rng_state": torch.get_rng_state(),
            },
            self.path,
        )


def _silent(*args, **kwargs):
    pass


def _offset_schedule(net, steps_done):
    for name, callback in net.callbacks_:
        if name == "lr_schedule":
            callback.lr_lambda.offset = steps_done


def _map_structure(fn, data):
    """Apply ``fn`` to every array of ``data`` (an array, or a dict / tuple of them)."""
    if isinstance(data, dict):
        return {key: _map_structure(fn, value) for key, value in data.items()}
    if isinstance(data, tuple):
        return tuple(_map_structure(fn, value) for value in data)
    return fn(data)


def _to_tensors(data, device):
    return _map_structure(
        lambda array: torch.as_tensor(np.ascontiguousarray(array), device=device), data
    )


def _take(data, index):
    return _map_structure(lambda array: array[index], data)


def _trim(data, width):
    return _map_structure(lambda array: array[:, :width] if array.ndim > 1 else array, data)


def _n_rows(data):
    if isinstance(data, dict):
        return _n_rows(next(iter(data.values())))
    if isinstance(data, tuple):
        return _n_rows(data[0])
    return len(data)
