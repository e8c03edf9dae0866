"""skorch glue of the neural estimators: the net, its dataset and batches, callbacks.

:class:`_SequenceNet` is a skorch :class:`~skorch.NeuralNet` with only the
callbacks a fit asks for. :class:`_SequenceDataset` holds the tensors whole and
gathers batches by index, trimmed to their longest row; when the module reads
the targets too (teacher forcing), they travel in the batch's input dict as
``y``, which skorch forwards to ``module(**x)``. Sample weights travel there
too, as ``sample_weight``: the net takes them out before calling the module and
hands them to the criterion.
"""

import contextlib
import math
import os
import signal
import tempfile
import threading
import warnings

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, EpochTimer, PassthroughScoring

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
    """skorch net with light set-up: only the callbacks a fit asks for.

    ``partial_fit`` tells an interruption from the end of training: the first
    Ctrl-C (SIGINT, in the main thread) is deferred to the end of the current
    batch, and a KeyboardInterrupt raised there or by a callback stops training
    with ``interrupted_ = True``; early stopping ends it with
    ``interrupted_ = False``. skorch's own ``partial_fit`` swallows both alike.
    """

    interrupted_ = False
    _interrupt_requested = False

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        if not self.initialized_:
            self.initialize()
        self.interrupted_ = False
        self._interrupt_requested = False
        self.notify("on_train_begin", X=X, y=y)
        try:
            with _deferred_interrupt(self):
                self.fit_loop(X, y, _routing_method="partial_fit", **fit_params)
        except _TrainingDone:
            pass
        except KeyboardInterrupt:
            self.interrupted_ = True
        self.notify("on_train_end", X=X, y=y)
        return self

    def notify(self, method_name, **cb_kwargs):
        super().notify(method_name, **cb_kwargs)
        if method_name == "on_batch_end" and self._interrupt_requested:
            raise KeyboardInterrupt
        if method_name == "on_epoch_end" and any(
            getattr(callback, "stopped_", False) for _, callback in self.callbacks_
        ):
            raise _TrainingDone

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
        ]

    def check_data(self, X, y=None):
        pass

    def infer(self, x, **fit_params):
        x = {key: value for key, value in x.items() if key != "sample_weight"}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred, y_true, X.get("sample_weight"))


class _TrainingDone(Exception):
    """Raised after the epoch at which early stopping ends training."""


@contextlib.contextmanager
def _deferred_interrupt(net):
    """Turn the first Ctrl-C into a request that the net honours at the end of the batch.

    Only in the main thread and while Python's default handler is installed; a
    second Ctrl-C interrupts at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        yield
        return

    def request(signum, frame):
        net._interrupt_requested = True
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, request)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def completed_epochs(history):
    """Epochs that ran to their end (an interrupted epoch has no ``train_loss``)."""
    return sum(1 for row in history if "train_loss" in row)


class _SequenceDataset(torch.utils.data.Dataset):
    """Tensors held whole; batches are gathered by index, trimmed to their longest row."""

    def __init__(
        self,
        inputs,
        lengths,
        targets,
        *,
        targets_per_step=False,
        targets_in_input=False,
        sample_weight=None,
    ):
        self.inputs = inputs
        self.lengths = lengths
        self.targets = targets
        self.targets_per_step = targets_per_step
        self.targets_in_input = targets_in_input
        self.sample_weight = sample_weight

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
            sample_weight=None if self.sample_weight is None else self.sample_weight[index],
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
        inputs = {"x": x, "lengths": lengths}
        if self.targets_in_input:
            inputs["y"] = y
        if self.sample_weight is not None:
            inputs["sample_weight"] = self.sample_weight[index]
        return inputs, y


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


class _MemberGradientClipping(Callback):
    """Clip the gradient norm of the module, or of each member of an ensemble.

    For one network this is :class:`skorch.callbacks.GradientNormClipping`; an
    ensemble's members are clipped one by one, as each would be alone.
    """

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def on_grad_computed(self, net, named_parameters, **kwargs):
        module = net.module_
        for member in getattr(module, "members", [module]):
            torch.nn.utils.clip_grad_norm_(member.parameters(), self.max_norm)


class _WarmupDecay:
    """LR factor per optimiser step: linear warm-up, then constant, cosine or linear decay."""

    def __init__(self, warmup_steps, total_steps, decay):
        self.warmup_steps = warmup_steps
        self.total_steps = max(total_steps, 1)
        self.decay = decay

    def __call__(self, step):
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


class _WeightedBatchSize(Callback):
    """Record a weighted batch's total sample weight as its size.

    skorch averages the batch losses of an epoch weighted by batch size; with
    sample weights the train and validation losses (early stopping's) must
    weigh each batch by its weight instead.
    """

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        weights = batch[0].get("sample_weight")
        if weights is not None:
            prefix = "train" if training else "valid"
            net.history.record_batch(f"{prefix}_batch_size", float(weights.sum()))


class _EarlyStopping(EarlyStopping):
    """skorch's early stopping that marks the end (``stopped_``) instead of raising.

    ``_SequenceNet`` ends training after the epoch's callbacks ran, so the
    checkpoint of the last epoch is written. ``state()`` / ``restore()`` carry
    its counters and best weights across a resumed fit.
    """

    stopped_ = False

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.stopped_ = False
        restored = self.__dict__.pop("_restored", None)
        if restored is not None:
            self.misses_ = restored["misses"]
            self.dynamic_threshold_ = restored["dynamic_threshold"]
            self.best_epoch_ = restored["best_epoch"]
            self.best_model_weights_ = restored["best_model_weights"]
            self.stopped_ = restored["stopped"]

    def on_epoch_end(self, net, **kwargs):
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            self.stopped_ = True

    def state(self):
        return {
            "misses": int(self.misses_),
            "dynamic_threshold": float(self.dynamic_threshold_),
            "best_epoch": int(self.best_epoch_),
            "best_model_weights": self.best_model_weights_,
            "stopped": bool(self.stopped_),
        }

    def restore(self, state):
        self._restored = state


CHECKPOINT_FORMAT = "sklseq-checkpoint-2"


class _EpochCheckpoint(Callback):
    """Write weights, optimiser, early-stopping and RNG state after every epoch.

    With the RNG state, a resumed fit shuffles and drops out exactly as an
    uninterrupted one would. ``finished`` is True only in the checkpoint of
    the epoch at which training ended (``max_epochs`` reached or early
    stopping); an interrupted epoch writes nothing, so the file keeps the last
    complete one. Each write goes to a temporary file in the same folder,
    renamed over the checkpoint when complete: a failed write leaves the
    previous checkpoint intact.
    """

    def __init__(self, estimator):
        self.path = os.fspath(estimator.checkpoint_path)

    def on_epoch_end(self, net, **kwargs):
        early_stopping = dict(net.callbacks_).get("early_stopping")
        stopped = early_stopping is not None and early_stopping.stopped_
        state = {
            "format": CHECKPOINT_FORMAT,
            "state_dict": net.module_.state_dict(),
            "optimizer": net.optimizer_.state_dict(),
            "history": plain_history(net.history),
            "rng_state": torch.get_rng_state(),
            "early_stopping": None if early_stopping is None else early_stopping.state(),
            "finished": bool(stopped or len(net.history) >= net.max_epochs),
        }
        atomic_save(state, self.path, "checkpoint_path")


def atomic_save(obj, path, name):
    """``torch.save`` to a temporary file next to ``path``, then rename it over ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".sklseq-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(obj, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        if isinstance(exc, OSError):
            raise OSError(
                exc.errno, f"Could not write {name}={path!r} ({exc}); the previous file, "
                "if any, is unchanged."
            ) from exc
        raise


def check_writable(path, name):
    """Raise a clear error now if ``path`` cannot be written (before any training)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"{name}={path!r} is a directory; give a file path.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"{name}={path!r}: the folder {folder!r} does not exist.")
    try:
        handle, probe = tempfile.mkstemp(prefix=".sklseq-", suffix=".tmp", dir=folder)
        os.close(handle)
        os.remove(probe)
    except OSError as exc:
        raise OSError(
            exc.errno, f"{name}={path!r} is not writable: cannot create a file in {folder!r} "
            f"({exc.strerror})."
        ) from None
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OSError(f"{name}={path!r} exists and is not writable.")


def _silent(*args, **kwargs):
    pass


def _resume_schedule(net, steps_done):
    """Start the learning-rate schedule after ``steps_done`` optimiser steps.

    LambdaLR counts steps in ``last_epoch``; skorch would set it from the
    number of epochs in the history, so it is set here explicitly.
    """
    for name, callback in net.callbacks_:
        if name == "lr_schedule":
            callback.last_epoch = steps_done - 1


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
