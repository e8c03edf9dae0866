"""Shared machinery of the neural estimators: validation, the skorch net, training practice.

Every neural estimator is a plain scikit-learn estimator whose hyperparameters are
explicit keyword arguments. ``fit`` validates the data once, builds a skorch
:class:`~skorch.NeuralNet` from those parameters (no ``**kwargs`` routing), trains
it with torch seeded from ``random_state`` inside :func:`torch.random.fork_rng`
(no global side effects), and stores it as ``net_`` with its ``history_``.
``predict`` runs the module in float64 so results do not depend on how rows are
batched (SPEC section 5).

How a new estimator plugs in
----------------------------
Subclass :class:`BaseSequenceNetwork` (and the sklearn mixin of the task, if
any), list every parameter in ``__init__`` (copy the signature of
``SequenceClassifier``, pass the common ones to ``super().__init__``, assign
your own; merge ``BaseSequenceNetwork._parameter_constraints`` into yours;
decorate the class with :func:`fill_docstring` to insert the shared
``%(common_parameters)s`` / ``%(common_attributes)s`` sections) and override:

``_prepare_targets(self, y, lengths, *, reset)``
    Validate ``y`` and return what the criterion reads as ``y_true``: an array
    (or a dict / tuple of arrays) whose first axis is the sample. With
    ``reset=True`` (in ``fit``) also set the fitted target attributes
    (``classes_``, target scaling ...). Set the class attribute
    ``_targets_per_step = True`` when the target's axis 1 is time, so batches
    can be trimmed to their longest row.
``_output_size(self)``
    Width of the output layer.
``_build_module(self, input_size, num_embeddings)``
    The ``nn.Module`` trained, with ``forward(x, lengths)``. The default is an
    encoder from :func:`~sklseq.neural._modules.build_encoder` plus a linear
    head (``_per_step_output`` selects one output per step or per sequence).
``_build_criterion(self)``
    An ``nn.Module`` called as ``criterion(y_pred, y_true)``.

``fit`` calls ``self._fit(X, y)``; ``predict`` calls ``self._predict_outputs(X)``
(float64 numpy outputs, after ``check_is_fitted``) and maps them to labels or
values. The module runs in float64 unless the estimator has an
``inference_dtype`` parameter set to ``"float32"`` (faster, but outputs may then
differ by ~1e-7 with batch composition). ``self._validate_X(X, reset)``
returns ``(inputs, lengths)`` for either numeric or token input.

Saving weights without unpickling code
--------------------------------------
Pickle / joblib work, also for a model fit on a GPU and loaded where there is
none: the net is pickled through ``torch.save`` and loaded with its tensors
mapped to the CPU. To share weights with people who should not unpickle
arbitrary code, use :meth:`BaseSequenceNetwork.save_weights` and
:meth:`BaseSequenceNetwork.load_weights`: plain tensors and Python scalars read
back with ``torch.load(weights_only=True)``.
"""

import contextlib
import io
import math
import os
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    EpochTimer,
    GradientNormClipping,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
    ProgressBar,
)
from skorch.history import History
from torch.optim.lr_scheduler import LambdaLR

from ..utils import TokenVocabulary, check_label_sequences, check_sequences
from ..utils._compat import Interval, StrOptions
from ._docstrings import fill_docstring
from ._modules import ARCHITECTURES, SequenceNetwork, build_encoder
from ._persistence import decode_value, encode_value, is_plain, plain_history

__all__ = ["BaseSequenceNetwork", "fill_docstring"]

_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
_PREDICT_BATCH_SIZE = 512
_FORMAT = "sklseq-neural-weights-1"


class BaseSequenceNetwork(BaseEstimator):
    """Base class of the neural sequence estimators; not for direct use.

    The common parameters, documented once here and in every estimator:

    architecture : {"rnn", "jordan", "lstm", "gru", "cnn", "cnn-lstm", "transformer"}
    hidden_size, num_layers, bidirectional, dropout, layer_norm, kernel_size,
    dilation, num_heads, causal : encoder shape (see ``build_encoder``)
    embedding_dim : None for numeric input, an int for token input
    optimizer, lr, weight_decay, batch_size, max_epochs : optimisation
    gradient_clip, lr_schedule, warmup_epochs : training practice
    validation_fraction, n_iter_no_change, tol : early stopping
    noise_std, time_warp : augmentation during training only
    verbose, device, random_state, warm_start, checkpoint_path, resume
    """

    _parameter_constraints: dict = {
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left"), None],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "layer_norm": ["boolean"],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "dilation": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "num_heads": [Interval(Integral, 1, None, closed="left")],
        "causal": ["boolean"],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "lr_schedule": [StrOptions({"constant", "cosine", "linear"})],
        "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "noise_std": [Interval(Real, 0, None, closed="left")],
        "time_warp": [Interval(Real, 0, 1, closed="left")],
        "verbose": ["verbose"],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "checkpoint_path": [str, os.PathLike, None],
        "resume": ["boolean"],
    }

    # Axis 1 of the training target is time (per-step targets), so batches trim it.
    _targets_per_step = False
    # One output per time step instead of one per sequence.
    _per_step_output = False

    def __init__(
        self,
        architecture="lstm",
        *,
        hidden_size=64,
        num_layers=None,
        bidirectional=False,
        dropout=0.0,
        layer_norm=False,
        kernel_size=3,
        dilation=2,
        num_heads=4,
        causal=False,
        embedding_dim=None,
        optimizer="adam",
        lr=3e-3,
        weight_decay=0.0,
        batch_size=32,
        max_epochs=100,
        gradient_clip=1.0,
        lr_schedule="constant",
        warmup_epochs=0,
        validation_fraction=None,
        n_iter_no_change=10,
        tol=1e-4,
        noise_std=0.0,
        time_warp=0.0,
        verbose=0,
        device="cpu",
        random_state=None,
        warm_start=False,
        checkpoint_path=None,
        resume=False,
    ):
        self.architecture = architecture
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.layer_norm = layer_norm
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.num_heads = num_heads
        self.causal = causal
        self.embedding_dim = embedding_dim
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.gradient_clip = gradient_clip
        self.lr_schedule = lr_schedule
        self.warmup_epochs = warmup_epochs
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.noise_std = noise_std
        self.time_warp = time_warp
        self.verbose = verbose
        self.device = device
        self.random_state = random_state
        self.warm_start = warm_start
        self.checkpoint_path = checkpoint_path
        self.resume = resume

    # ------------------------------------------------------------------ hooks

    def _prepare_targets(self, y, lengths, *, reset):
        raise NotImplementedError

    def _output_size(self):
        raise NotImplementedError

    def _build_criterion(self):
        raise NotImplementedError

    def _build_module(self, input_size, num_embeddings=None):
        encoder = build_encoder(
            self.architecture,
            input_size,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            layer_norm=self.layer_norm,
            kernel_size=self.kernel_size,
            dilation=self.dilation,
            num_heads=self.num_heads,
            causal=self.causal,
            num_embeddings=num_embeddings,
        )
        return SequenceNetwork(encoder, self._output_size(), per_step=self._per_step_output)

    # --------------------------------------------------------------- training

    def _fit(self, X, y):
        """Validate, build the skorch net and train it; sets ``net_`` and ``history_``."""
        self._validate_params()
        self._check_settings()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        device = _resolve_device(self.device)
        previous = self.net_.module_ if self.warm_start and hasattr(self, "net_") else None
        inputs, lengths = self._validate_X(X, reset=True)
        targets = self._prepare_targets(y, lengths, reset=True)
        if _n_rows(targets) != len(lengths):
            raise ValueError(
                f"X has {len(lengths)} samples but y has {_n_rows(targets)}; "
                "they must match."
            )
        dataset = _SequenceDataset(
            _to_tensors(inputs, device),
            torch.as_tensor(lengths, dtype=torch.long, device=device),
            _to_tensors(targets, device),
            targets_per_step=self._targets_per_step,
        )
        n_train = len(dataset)
        if self.validation_fraction is not None:
            n_valid = int(math.floor(self.validation_fraction * len(dataset)))
            if n_valid < 1 or n_valid >= len(dataset):
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} leaves "
                    f"{n_valid} of {len(dataset)} samples for validation; at least one "
                    "sample must go to each of training and validation."
                )
            n_train = len(dataset) - n_valid

        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        fork_devices = [device.index] if device.type == "cuda" else []
        deterministic = self.random_state is not None
        with torch.random.fork_rng(devices=fork_devices), _cudnn_deterministic(deterministic):
            torch.manual_seed(seed)
            net = self._make_net(device, n_train)
            net.initialize()
            start_epoch = self._restore_state(net, previous)
            if start_epoch:
                _offset_schedule(net, start_epoch * math.ceil(n_train / self.batch_size))
            net.partial_fit(dataset, None, epochs=max(self.max_epochs - start_epoch, 0))
        net.module_.eval()
        self.net_ = net
        self.history_ = net.history
        return self

    def _make_net(self, device, n_train):
        input_size, num_embeddings = self._input_spec()
        module = self._build_module(input_size, num_embeddings).to(device)
        callbacks = [("finite_loss", _FiniteLoss(self.lr, self.gradient_clip))]
        if self.gradient_clip is not None:
            callbacks.append(("gradient_clip", GradientNormClipping(self.gradient_clip)))
        if self.lr_schedule != "constant" or self.warmup_epochs:
            batches = math.ceil(n_train / self.batch_size)
            schedule = _WarmupDecay(
                self.warmup_epochs * batches, self.max_epochs * batches, self.lr_schedule
            )
            callbacks.append(
                ("lr_schedule", LRScheduler(LambdaLR, lr_lambda=schedule, step_every="batch"))
            )
        train_split = None
        if self.validation_fraction is not None:
            train_split = _TailSplit(n_train)
            callbacks.append(("valid_loss", PassthroughScoring(name="valid_loss")))
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        load_best=True,
                        sink=_silent,
                    ),
                )
            )
        if self.checkpoint_path is not None:
            callbacks.append(("checkpoint", _EpochCheckpoint(self)))
        if self.verbose:
            callbacks.append(("print_log", PrintLog()))
            callbacks.append(("progress_bar", ProgressBar()))
        optimizer_params = {}
        if self.weight_decay:
            optimizer_params["optimizer__weight_decay"] = self.weight_decay
        return _SequenceNet(
            module=module,
            criterion=self._build_criterion().to(device),
            optimizer=_OPTIMIZERS[self.optimizer],
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=_BatchIterator,
            iterator_valid=_BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__augment=_Augmenter(self.noise_std, self.time_warp),
            train_split=train_split,
            callbacks=callbacks,
            predict_nonlinearity=None,
            warm_start=False,
            verbose=int(self.verbose),
            device=device,
            **optimizer_params,
        )

    def _restore_state(self, net, previous):
        """Load a checkpoint (resume) or the previous fit (warm start); epochs done."""
        if self.resume and self.checkpoint_path is not None and os.path.exists(
            self.checkpoint_path
        ):
            state = torch.load(self.checkpoint_path, map_location=net.device, weights_only=True)
            _load_module_state(net.module_, state["state_dict"], "the checkpoint at "
                               f"checkpoint_path={self.checkpoint_path!r}")
            net.optimizer_.load_state_dict(state["optimizer"])
            net.history = History(state["history"])
            torch.set_rng_state(state["rng_state"])
            return len(net.history)
        if previous is not None:
            _load_module_state(net.module_, previous.state_dict(), "the previous fit "
                               "(warm_start=True)")
        return 0

    def _check_settings(self):
        if self.embedding_dim is not None and (self.noise_std or self.time_warp):
            raise ValueError(
                "noise_std and time_warp augment numeric input; they cannot be used with "
                "token input (embedding_dim is set)."
            )
        if self.resume and self.checkpoint_path is None:
            raise ValueError("resume=True needs checkpoint_path to name the checkpoint file.")

    # ------------------------------------------------------------------ input

    def _validate_X(self, X, reset):
        """``(inputs, lengths)``: standardised float32 or token codes, zero-padded."""
        if self.embedding_dim is not None:
            return self._validate_tokens(X, reset)
        if _holds_strings(X):
            raise ValueError(
                "X holds strings; set embedding_dim (e.g. embedding_dim=16) to read X as "
                "token sequences."
            )
        X, lengths = check_sequences(X, estimator=self, reset=reset)
        valid = np.arange(X.shape[1])[None, :] < lengths[:, None]
        if reset and not self._continues_previous_fit():
            steps = X[valid]
            self.input_mean_ = steps.mean(axis=0)
            scale = steps.std(axis=0)
            self.input_scale_ = np.where(scale > 0, scale, 1.0)
        Z = ((X - self.input_mean_) / self.input_scale_).astype(np.float32)
        Z[~valid] = 0.0
        if not np.isfinite(Z).all():
            raise ValueError(
                "X has values too large for float32 after standardisation by the "
                "training mean and scale; rescale X."
            )
        return Z, lengths

    def _validate_tokens(self, X, reset):
        sequences, _ = check_label_sequences(X, allow_empty=False, input_name="X")
        if reset and not self._continues_previous_fit():
            self.vocabulary_ = TokenVocabulary().fit(sequences)
        check_is_fitted(self, "vocabulary_")
        codes, lengths = self.vocabulary_.encode(sequences)
        return codes, lengths.astype(np.intp)

    def _continues_previous_fit(self):
        # A warm start keeps the input scaling and vocabulary the weights were trained on.
        return bool(self.warm_start) and hasattr(self, "net_")

    def _input_spec(self):
        if self.embedding_dim is not None:
            return self.embedding_dim, len(self.vocabulary_)
        return self.n_channels_in_, None

    # -------------------------------------------------------------- inference

    def _predict_outputs(self, X):
        """Module outputs for ``X`` in float64, as numpy; also returns ``lengths``."""
        check_is_fitted(self, "net_")
        inputs, lengths = self._validate_X(X, reset=False)
        module = self.net_.module_
        device = self.net_.device
        float_input = inputs.dtype.kind == "f"
        dtype = getattr(torch, getattr(self, "inference_dtype", "float64"))
        outputs = []
        module.eval()
        module.to(dtype)
        try:
            with torch.no_grad():
                for start in range(0, len(lengths), _PREDICT_BATCH_SIZE):
                    batch_lengths = lengths[start : start + _PREDICT_BATCH_SIZE]
                    width = int(batch_lengths.max())
                    x = inputs[start : start + _PREDICT_BATCH_SIZE, :width]
                    x = torch.as_tensor(x, device=device)
                    if float_input:
                        x = x.to(dtype)
                    out = module(x, torch.as_tensor(batch_lengths, device=device))
                    outputs.append(out.cpu().numpy().astype(np.float64, copy=False))
        finally:
            module.to(torch.float32)
        if self._per_step_output:
            full = np.zeros((len(lengths), inputs.shape[1]) + outputs[0].shape[2:])
            start = 0
            for out in outputs:
                full[start : start + len(out), : out.shape[1]] = out
                start += len(out)
            return full, lengths
        return np.concatenate(outputs), lengths

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    # ------------------------------------------------------------ persistence

    def save_weights(self, path):
        """Save parameters, fitted attributes and weights without pickled code.

        The file holds only tensors and Python scalars / lists / dicts, so
        :meth:`load_weights` reads it with ``torch.load(weights_only=True)``.

        Parameters
        ----------
        path : str or path-like
        """
        check_is_fitted(self, "net_")
        params = {
            key: value
            for key, value in self.get_params(deep=False).items()
            if is_plain(value)
        }
        fitted = {
            key: encode_value(value, key)
            for key, value in vars(self).items()
            if key.endswith("_") and not key.startswith("_") and key not in ("net_", "history_")
        }
        state = {k: v.detach().cpu() for k, v in self.net_.module_.state_dict().items()}
        torch.save(
            {
                "format": _FORMAT,
                "estimator": type(self).__name__,
                "params": params,
                "fitted": fitted,
                "state_dict": state,
                "history": plain_history(self.history_),
            },
            path,
        )

    @classmethod
    def load_weights(cls, path, *, device="cpu"):
        """Rebuild a fitted estimator from :meth:`save_weights` output.

        Parameters
        ----------
        path : str or path-like
        device : str, default="cpu"
            Where to put the module.

        Returns
        -------
        estimator : instance of ``cls``
        """
        payload = torch.load(path, map_location="cpu", weights_only=True)
        if payload.get("format") != _FORMAT or payload.get("estimator") != cls.__name__:
            raise ValueError(
                f"{path!r} does not hold {cls.__name__} weights saved by save_weights "
                f"(found estimator={payload.get('estimator')!r})."
            )
        params = dict(payload["params"])
        params["device"] = device
        estimator = cls(**params)
        for key, value in payload["fitted"].items():
            setattr(estimator, key, decode_value(value))
        resolved = _resolve_device(device)
        net = estimator._make_net(resolved, 1)
        net.initialize()
        _load_module_state(net.module_, payload["state_dict"], repr(str(path)))
        net.history = History(payload["history"])
        net.module_.eval()
        estimator.net_ = net
        estimator.history_ = net.history
        return estimator

    def __getstate__(self):
        # torch.save pickles every tensor of the net (module, optimiser, criterion,
        # callbacks' copies) so that torch.load can map them all to the CPU.
        state = dict(super().__getstate__())
        if "net_" in state:
            buffer = io.BytesIO()
            torch.save(state.pop("net_"), buffer)
            state["net_"] = _SavedNet(buffer.getvalue())
            state.pop("history_", None)  # the net's own history, restored with it
        return state

    def __setstate__(self, state):
        saved = state.get("net_")
        if isinstance(saved, _SavedNet):
            # Without CUDA, skorch warns and sets the net's device to the CPU.
            location = None if torch.cuda.is_available() else "cpu"
            net = torch.load(io.BytesIO(saved.data), map_location=location, weights_only=False)
            state["net_"], state["history_"] = net, net.history
        super().__setstate__(state)


class _SavedNet:
    """A fitted skorch net as ``torch.save`` bytes, inside a pickled estimator."""

    def __init__(self, data):
        self.data = data


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


# ---------------------------------------------------------------- skorch glue


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

    def __init__(self, inputs, lengths, targets, *, targets_per_step=False):
        self.inputs = inputs
        self.lengths = lengths
        self.targets = targets
        self.targets_per_step = targets_per_step

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
        return {"x": x, "lengths": lengths}, y


class _BatchIterator:
    """Mini-batches by tensor indexing (no per-sample collation)."""

    def __init__(self, dataset, batch_size=32, shuffle=False, augment=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.augment = augment

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = torch.randperm(n) if self.shuffle else torch.arange(n)
        order = order.to(self.dataset.lengths.device)
        for start in range(0, n, self.batch_size):
            yield self.dataset.batch(order[start : start + self.batch_size], self.augment)


class _TailSplit:
    """Validation on the last samples (time order): rows ``n_train:`` validate."""

    def __init__(self, n_train):
        self.n_train = n_train

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        train = torch.arange(self.n_train)
        valid = torch.arange(self.n_train, n)
        return dataset.subset(train), dataset.subset(valid)


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


# -------------------------------------------------------------------- helpers


def _resolve_device(device):
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device={device!r} is not a valid torch device ({exc}).") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available here "
            "(torch.cuda.is_available() is False); use device='cpu'."
        )
    if resolved.type == "cuda" and resolved.index is None:
        resolved = torch.device("cuda", torch.cuda.current_device())
    return resolved


def _to_tensors(data, device):
    if isinstance(data, dict):
        return {k: _to_tensors(v, device) for k, v in data.items()}
    if isinstance(data, tuple):
        return tuple(_to_tensors(v, device) for v in data)
    return torch.as_tensor(np.ascontiguousarray(data), device=device)


def _take(data, index):
    if isinstance(data, dict):
        return {k: _take(v, index) for k, v in data.items()}
    if isinstance(data, tuple):
        return tuple(_take(v, index) for v in data)
    return data[index]


def _trim(data, width):
    if isinstance(data, dict):
        return {k: _trim(v, width) for k, v in data.items()}
    if isinstance(data, tuple):
        return tuple(_trim(v, width) for v in data)
    return data[:, :width] if data.ndim > 1 else data


def _n_rows(data):
    if isinstance(data, dict):
        return len(next(iter(data.values())))
    if isinstance(data, tuple):
        return len(data[0])
    return len(data)


def _holds_strings(X):
    if isinstance(X, np.ndarray):
        return X.dtype.kind in "USO" and X.size > 0 and isinstance(X.flat[0], str)
    if isinstance(X, (list, tuple)) and X:
        first = X[0]
        if isinstance(first, str):
            return True
        if isinstance(first, (list, tuple)) and first and isinstance(first[0], str):
            return True
    return False


def _load_module_state(module, state_dict, source):
    try:
        module.load_state_dict(state_dict)
    except RuntimeError as exc:
        raise ValueError(
            f"The weights of {source} do not fit the module built from the current "
            f"parameters and data (architecture, sizes, classes): {exc}"
        ) from None
