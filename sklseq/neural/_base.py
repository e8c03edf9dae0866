"""Shared machinery of the neural estimators: validation, the skorch net, training practice.

Every neural estimator is a plain scikit-learn estimator whose hyperparameters are
explicit keyword arguments. ``fit`` validates the data once, builds a skorch
:class:`~skorch.NeuralNet` from those parameters (no ``**kwargs`` routing), trains
it with torch seeded from ``random_state`` inside :func:`torch.random.fork_rng`
(no global side effects), and stores it as ``net_`` with its ``history_``.
``predict`` runs the module in float32 in a fixed batch layout, so results do
not depend on how rows are batched (SPEC section 5).

How a new estimator plugs in
----------------------------
Subclass :class:`BaseSequenceNetwork` (and the sklearn mixin of the task, if
any), list every parameter with its default in ``__init__`` (the base
``__init__`` has none, as sklearn's abstract MLP base: each public class is the
one place its defaults live), pass the common ones to ``super().__init__``,
assign your own; merge ``BaseSequenceNetwork._parameter_constraints`` into
yours; decorate the class with :func:`fill_docstring` to insert the shared
``%(common_parameters)s`` / ``%(common_attributes)s`` sections, whose
``default=`` values are rendered from your signature) and override:

``_prepare_targets(self, y, lengths, *, reset, sample_weight=None)``
    Validate ``y`` and return what the criterion reads as ``y_true``: an array
    (or a dict / tuple of arrays) whose first axis is the sample. With
    ``reset=True`` (in ``fit``) also set the fitted target attributes
    (``classes_``, target scaling ...), weighting samples by ``sample_weight``
    (validated, or None). Set the class attribute
    ``_targets_per_step = True`` when the target's axis 1 is time, so batches
    can be trimmed to their longest row.
``_output_size(self)``
    Width of the output layer.
``_build_module(self, input_size, num_embeddings)``
    The ``nn.Module`` trained, with ``forward(x, lengths)``. The default is an
    encoder from :func:`~sklseq.neural._modules.build_encoder` plus a linear
    head (``_per_step_output`` selects one output per step or per sequence).
``_build_criterion(self)``
    An ``nn.Module`` called as ``criterion(y_pred, y_true, sample_weight)``
    (see :mod:`sklseq.neural._losses`).

``fit`` calls ``self._fit(X, y, sample_weight)``; ``predict`` calls
``self._predict_outputs(X)`` (float64 numpy outputs, after ``check_is_fitted``)
and maps them to labels or values. The module runs in the estimator's
``inference_dtype`` (float64 where it has none). ``self._validate_X(X, reset)``
returns ``(inputs, lengths)`` for either numeric or token input.

``callbacks`` follows each class's own parameters, at the end of its
signature (documented by the ``%(callbacks)s`` section, assigned in the class's
``__init__``): the user's skorch callbacks, deep-copied at every fit and run
after the estimator's own.

Saving weights without unpickling code
--------------------------------------
Pickle / joblib work, also for a model fit on a GPU and loaded where there is
none: the net is pickled through ``torch.save`` and loaded with its tensors
mapped to the CPU. To share weights with people who should not unpickle
arbitrary code, use :meth:`BaseSequenceNetwork.save_weights` and
:meth:`BaseSequenceNetwork.load_weights`: plain tensors and Python scalars read
back with ``torch.load(weights_only=True)``.
"""

import copy
import io
import math
import os
import pickle
import sys
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real
from typing import Self

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import (
    Callback,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
    ProgressBar,
)
from skorch.history import History
from torch.optim.lr_scheduler import LambdaLR

from ..preprocessing._scaling import scaling_statistics
from ..utils import TokenVocabulary, check_label_sequences, check_sequences
from ..utils._compat import Interval, StrOptions, _check_sample_weight
from ..utils._transaction import transactional
from ._docstrings import fill_docstring
from ._losses import MemberLosses
from ._modules import ARCHITECTURES, EnsembleNetwork, SequenceNetwork, build_encoder
from ._persistence import decode_value, encode_value, is_plain, plain_history
from ._training import (
    CHECKPOINT_FORMAT,
    _Augmenter,
    _BatchIterator,
    _bucket_width,
    _cudnn_deterministic,
    _EarlyStopping,
    _EpochCheckpoint,
    _FiniteLoss,
    _MemberGradientClipping,
    _n_rows,
    _resume_schedule,
    _RowSplit,
    _SequenceDataset,
    _SequenceNet,
    _silent,
    _tail_rows,
    _TailSplit,
    _to_tensors,
    _WarmupDecay,
    _WeightedBatchSize,
    atomic_save,
    check_writable,
    completed_epochs,
)

__all__ = ["BaseSequenceNetwork", "fill_docstring"]

_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
# Predict runs fixed-size batches of rows padded to a width that depends on the
# row's own length only, so a row's result does not depend on the other rows.
_PREDICT_BATCH_SIZE = 64
# input_scaling -> (method, scope) of sklseq.preprocessing.scaling_statistics.
INPUT_SCALINGS = {
    "dataset": ("standard", "dataset"),
    "robust": ("robust", "dataset"),
    "sequence": ("standard", "sequence"),
}
# max_epochs="auto": whole epochs of at least this many gradient steps (batches),
# so a small data set trains as long as a large one (benchmarks/tune_defaults.py).
AUTO_STEPS = 1000
_FORMAT = "sklseq-neural-weights-1"
# Run settings a weights file never sets: a path written by a later fit, the device, output.
_NOT_FROM_FILE = ("checkpoint_path", "resume", "device", "verbose", "warm_start", "callbacks")
# Buffers a module may hold beyond its saved tensors (masks, position tables).
_META_SLACK_BYTES = 64 << 20


class BaseSequenceNetwork(BaseEstimator, metaclass=ABCMeta):
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
        "input_scaling": [StrOptions(set(INPUT_SCALINGS)), None],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
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
        "callbacks": [list, None],
    }

    # Axis 1 of the training target is time (per-step targets), so batches trim it.
    _targets_per_step = False
    # One output per time step instead of one per sequence.
    _per_step_output = False
    # The module reads the targets too (teacher forcing): batches carry them as ``y``.
    _module_reads_targets = False
    # How an ensemble (``n_ensemble`` > 1) combines its members' outputs in predict.
    _ensemble_combine = "mean"

    @abstractmethod
    def __init__(
        self,
        architecture,
        *,
        hidden_size,
        num_layers,
        bidirectional,
        dropout,
        layer_norm,
        kernel_size,
        dilation,
        num_heads,
        causal,
        embedding_dim,
        optimizer,
        lr,
        weight_decay,
        batch_size,
        max_epochs,
        gradient_clip,
        lr_schedule,
        warmup_epochs,
        validation_fraction,
        n_iter_no_change,
        tol,
        noise_std,
        time_warp,
        verbose,
        device,
        random_state,
        warm_start,
        checkpoint_path,
        resume,
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

    def _prepare_targets(self, y, lengths, *, reset, sample_weight=None):
        raise NotImplementedError

    def _output_size(self):
        raise NotImplementedError

    def _build_criterion(self):
        raise NotImplementedError

    def _build_module(self, input_size, num_embeddings=None):
        n_members = getattr(self, "n_ensemble", 1)
        if n_members == 1:
            return self._build_member(input_size, num_embeddings)
        members = [self._build_member(input_size, num_embeddings) for _ in range(n_members)]
        return EnsembleNetwork(members, self._ensemble_combine)

    def _build_member(self, input_size, num_embeddings=None):
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

    @transactional
    def _fit(self, X, y, sample_weight=None):
        """Validate, build the skorch net and train it; sets ``net_`` and ``history_``.

        Transactional: the new fitted state is built on a staged copy and
        swapped in only when training ends, so an exception (bad input, a
        diverged loss) leaves a previous fit untouched. A KeyboardInterrupt
        during training is not an exception here: training stops at the end of
        the current batch, the weights reached are kept (the best ones with
        early stopping), ``interrupted_`` is set and a warning names the epoch.
        """
        self._validate_params()
        self._check_settings()
        if self.checkpoint_path is not None:
            check_writable(self.checkpoint_path, "checkpoint_path")
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        device = _resolve_device(self.device)
        previous = self.net_.module_ if self._continues_previous_fit() else None
        inputs, lengths = self._validate_X(X, reset=True, sample_weight=sample_weight)
        sample_weight = _validate_sample_weight(sample_weight, lengths)
        targets = self._prepare_targets(y, lengths, reset=True, sample_weight=sample_weight)
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
            targets_in_input=self._module_reads_targets,
            sample_weight=None
            if sample_weight is None
            else torch.as_tensor(sample_weight, dtype=torch.float32, device=device),
        )
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        split = None
        if self.validation_fraction is not None:
            n_valid = int(math.floor(self.validation_fraction * len(dataset)))
            if n_valid < 1 or n_valid >= len(dataset):
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} leaves "
                    f"{n_valid} of {len(dataset)} samples for validation; at least one "
                    "sample must go to each of training and validation."
                )
            train_rows, valid_rows = self._validation_rows(
                targets, n_valid, np.random.RandomState(seed)
            )
            split = _RowSplit(train_rows, valid_rows)
        n_train = len(dataset) if split is None else len(split.train)
        if split is not None and sample_weight is not None and not (
            sample_weight[split.train.numpy()].any() and sample_weight[split.valid.numpy()].any()
        ):
            raise ValueError(
                "sample_weight is zero on every training or every validation sample "
                f"(validation_fraction={self.validation_fraction} holds out "
                f"{len(split.valid)}); each part needs a positive weight."
            )

        fork_devices = [device.index] if device.type == "cuda" else []
        deterministic = self.random_state is not None
        with torch.random.fork_rng(devices=fork_devices), _cudnn_deterministic(deterministic):
            torch.manual_seed(seed)
            net = self._make_net(device, n_train, split)
            net.initialize()
            start_epoch, stopped_early = self._restore_state(net, previous)
            if start_epoch:
                _resume_schedule(net, start_epoch * math.ceil(n_train / self.batch_size))
            epochs = 0 if stopped_early else max(net.max_epochs - start_epoch, 0)
            net.partial_fit(dataset, None, epochs=epochs)
        net.module_.eval()
        self.net_ = net
        self.history_ = net.history
        self.n_epochs_ = completed_epochs(net.history)
        self.interrupted_ = bool(net.interrupted_)
        if self.interrupted_:
            kept = "the best weights so far" if self.validation_fraction is not None else (
                "the weights reached"
            )
            warnings.warn(
                f"{type(self).__name__}.fit was interrupted (KeyboardInterrupt) in epoch "
                f"{len(net.history)} of {net.max_epochs}, after {self.n_epochs_} complete "
                f"epochs; the model keeps {kept} and interrupted_ is True. With "
                "checkpoint_path and resume=True, fit continues from the last complete epoch.",
                UserWarning,
                stacklevel=3,
            )
        self._cache_inference_module()
        return self

    def _validation_rows(self, targets, n_valid, rng):
        """``(train, valid)`` row indices; the last ``n_valid`` rows (time order) by default."""
        return _tail_rows(_n_rows(targets), n_valid)

    def _make_net(self, device, n_train, split=None):
        input_size, num_embeddings = self._input_spec()
        module = self._build_module(input_size, num_embeddings).to(device)
        max_epochs = self._epoch_budget(n_train)
        callbacks = [
            ("finite_loss", _FiniteLoss(self.lr, self.gradient_clip)),
            ("weighted_batch_size", _WeightedBatchSize()),
        ]
        if self.gradient_clip is not None:
            callbacks.append(("gradient_clip", _MemberGradientClipping(self.gradient_clip)))
        if self.lr_schedule != "constant" or self.warmup_epochs:
            batches = math.ceil(n_train / self.batch_size)
            schedule = _WarmupDecay(
                self.warmup_epochs * batches, max_epochs * batches, self.lr_schedule
            )
            callbacks.append(
                ("lr_schedule", LRScheduler(LambdaLR, lr_lambda=schedule, step_every="batch"))
            )
        train_split = None
        if self.validation_fraction is not None:
            train_split = split if split is not None else _TailSplit(n_train)
            callbacks.append(("valid_loss", PassthroughScoring(name="valid_loss")))
            callbacks.append(
                (
                    "early_stopping",
                    _EarlyStopping(
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
            if sys.stderr.isatty():  # a log file gets PrintLog's lines only, no bar
                callbacks.append(("progress_bar", ProgressBar()))
        callbacks.extend(self._user_callbacks())
        criterion = self._build_criterion()
        if getattr(self, "n_ensemble", 1) > 1:
            criterion = MemberLosses(criterion)
        optimizer_params = {}
        if self.weight_decay:
            optimizer_params["optimizer__weight_decay"] = self.weight_decay
        return _SequenceNet(
            module=module,
            criterion=criterion.to(device),
            optimizer=_OPTIMIZERS[self.optimizer],
            lr=self.lr,
            max_epochs=max_epochs,
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

    def _epoch_budget(self, n_train):
        """``max_epochs``, or with ``"auto"`` the epochs that make ``AUTO_STEPS`` batches."""
        if self.max_epochs != "auto":
            return self.max_epochs
        return math.ceil(AUTO_STEPS / math.ceil(max(n_train, 1) / self.batch_size))

    def _user_callbacks(self):
        """Deep copies of ``callbacks``, so a fit never changes the parameter."""
        callbacks = getattr(self, "callbacks", None) or []
        for i, item in enumerate(callbacks):
            callback = item[1] if isinstance(item, tuple) and len(item) == 2 else item
            named = not isinstance(item, tuple) or isinstance(item[0], str)
            if not named or not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks[{i}] must be a skorch Callback or a (name, Callback) "
                    f"tuple; got {item!r}."
                )
        return copy.deepcopy(list(callbacks))

    def _restore_state(self, net, previous):
        """Load a checkpoint (resume) or the previous fit (warm start).

        Returns the epochs already done and whether early stopping had ended
        that training (then a resumed fit trains no further).
        """
        if self.resume and self.checkpoint_path is not None and os.path.exists(
            self.checkpoint_path
        ):
            source = f"the checkpoint at checkpoint_path={self.checkpoint_path!r}"
            state = _load_tensors(self.checkpoint_path, "checkpoint_path", net.device)
            if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
                raise ValueError(
                    f"{source} was not written by this version of sklseq "
                    f"(format {CHECKPOINT_FORMAT!r}); delete it or set resume=False."
                )
            _load_module_state(net.module_, state["state_dict"], source)
            net.optimizer_.load_state_dict(state["optimizer"])
            net.history = History(state["history"])
            torch.set_rng_state(state["rng_state"])
            early_stopping = dict(net.callbacks_).get("early_stopping")
            stopped = False
            if early_stopping is not None and state["early_stopping"] is not None:
                early_stopping.restore(state["early_stopping"])
                stopped = bool(state["early_stopping"]["stopped"])
            return len(net.history), stopped
        if previous is not None:
            _load_module_state(net.module_, previous.state_dict(), "the previous fit "
                               "(warm_start=True)")
        return 0, False

    def _check_settings(self):
        if self.embedding_dim is not None and (self.noise_std or self.time_warp):
            raise ValueError(
                "noise_std and time_warp augment numeric input; they cannot be used with "
                "token input (embedding_dim is set)."
            )
        if self.resume and self.checkpoint_path is None:
            raise ValueError("resume=True needs checkpoint_path to name the checkpoint file.")
        if self.architecture == "transformer" and self.hidden_size % self.num_heads:
            raise ValueError(
                f"hidden_size={self.hidden_size} must be divisible by "
                f"num_heads={self.num_heads} for architecture='transformer'."
            )

    # ------------------------------------------------------------------ input

    def _validate_X(self, X, reset, sample_weight=None):
        """``(inputs, lengths)``: standardised float32 or token codes, zero-padded.

        With ``reset``, the standardisation weights each sample by ``sample_weight``.
        """
        if self.embedding_dim is not None:
            return self._validate_tokens(X, reset)
        if _holds_strings(X):
            raise ValueError(
                "X holds strings; set embedding_dim (e.g. embedding_dim=16) to read X as "
                "token sequences."
            )
        X, lengths = check_sequences(X, estimator=self, reset=reset)
        if sample_weight is not None:
            sample_weight = _validate_sample_weight(sample_weight, lengths)
        Z = self._scale_inputs(X, lengths, reset, sample_weight).astype(np.float32)
        Z[np.arange(X.shape[1])[None, :] >= lengths[:, None]] = 0.0
        if not np.isfinite(Z).all():
            raise ValueError(
                "X has values too large for float32 after input_scaling; "
                "rescale X or choose another input_scaling."
            )
        return Z, lengths

    def _scale_inputs(self, X, lengths, reset, sample_weight=None):
        """``X`` scaled as ``input_scaling`` says; data-set statistics are learnt at fit.

        ``"dataset"`` statistics weigh each sample by ``sample_weight`` and do not
        overflow on finite values near the float range.
        """
        scaling = getattr(self, "input_scaling", "dataset")
        if scaling is None:
            return X
        method, scope = INPUT_SCALINGS[scaling]
        if scope == "sequence":
            center, scale = scaling_statistics(X, lengths, method=method, scope=scope)
            return (X - center) / scale
        if reset and not (self._continues_previous_fit() and hasattr(self, "input_mean_")):
            if method == "standard":
                steps = X[np.arange(X.shape[1])[None, :] < lengths[:, None]]
                step_weight = None if sample_weight is None else np.repeat(sample_weight, lengths)
                self.input_mean_, self.input_scale_ = mean_and_scale(steps, "X", step_weight)
            else:
                center, scale = scaling_statistics(X, lengths, method=method, scope=scope)
                self.input_mean_, self.input_scale_ = center.ravel(), scale.ravel()
        return (X - self.input_mean_) / self.input_scale_

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
        module = self._inference_module()
        outputs = None
        with torch.no_grad():
            for rows, x, batch_lengths in self._fixed_batches(inputs, lengths):
                out = module(x, batch_lengths)[: len(rows)].cpu().numpy()
                if outputs is None:
                    shape = (len(lengths),) + (
                        (inputs.shape[1],) if self._per_step_output else ()
                    ) + out.shape[2 if self._per_step_output else 1 :]
                    outputs = np.zeros(shape)
                if self._per_step_output:
                    width = min(out.shape[1], inputs.shape[1])
                    outputs[rows, :width] = out[:, :width]
                else:
                    outputs[rows] = out
        return outputs, lengths

    def _fixed_batches(self, inputs, lengths):
        """``(rows, x, lengths)`` in a layout that depends on each row alone.

        Rows go in batches of exactly ``_PREDICT_BATCH_SIZE`` (filled up with
        one-step zero rows), padded to a width that depends only on their own
        length (:func:`_bucket_width`); so the float32 result of a row does not
        change with the other rows predicted with it.
        """
        device = self.net_.device
        dtype = self._inference_dtype()
        widths = _bucket_width(lengths)
        order = np.argsort(widths, kind="stable")
        bounds = np.flatnonzero(np.diff(widths[order])) + 1
        for group in np.split(order, bounds):
            width = int(widths[group[0]])
            for start in range(0, len(group), _PREDICT_BATCH_SIZE):
                rows = group[start : start + _PREDICT_BATCH_SIZE]
                x = np.zeros((_PREDICT_BATCH_SIZE, width) + inputs.shape[2:], inputs.dtype)
                x[: len(rows), : min(width, inputs.shape[1])] = inputs[rows, :width]
                batch_lengths = np.ones(_PREDICT_BATCH_SIZE, dtype=np.int64)
                batch_lengths[: len(rows)] = lengths[rows]
                x = torch.as_tensor(x, device=device)
                if x.is_floating_point():
                    x = x.to(dtype)
                yield rows, x, torch.as_tensor(batch_lengths, device=device)

    def _inference_dtype(self):
        return getattr(torch, getattr(self, "inference_dtype", "float64"))

    def _inference_module(self):
        """The fitted module in the inference dtype, in eval mode; never modified.

        The copy is made once per fit (and on load); ``predict`` only reads it,
        so several threads may predict at once.
        """
        dtype = self._inference_dtype()
        cached = self.__dict__.get("_inference_net")
        if cached is not None and cached[0] is self.net_.module_ and cached[1] == dtype:
            return cached[2]
        return copy.deepcopy(self.net_.module_).to(dtype).eval()

    def _cache_inference_module(self):
        module, dtype = self.net_.module_, self._inference_dtype()
        self._inference_net = (module, dtype, copy.deepcopy(module).to(dtype).eval())

    def _batches(self, inputs, lengths):
        """``(rows, x, lengths)`` tensors per batch, trimmed to the batch's longest row.

        Float inputs are cast to the inference dtype; token codes stay integers.
        """
        device = self.net_.device
        dtype = self._inference_dtype()
        for start in range(0, len(lengths), _PREDICT_BATCH_SIZE):
            rows = slice(start, start + _PREDICT_BATCH_SIZE)
            width = int(lengths[rows].max())
            x = torch.as_tensor(inputs[rows, :width], device=device)
            if x.is_floating_point():
                x = x.to(dtype)
            yield rows, x, torch.as_tensor(lengths[rows], device=device)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------ persistence

    def save_weights(self, path: str | os.PathLike[str]) -> None:
        """Save parameters, fitted attributes and weights without pickled code.

        The file holds only tensors and Python scalars / lists / dicts, so
        :meth:`load_weights` reads it with ``torch.load(weights_only=True)``.
        Parameters that name files or devices (``checkpoint_path``, ``resume``,
        ``device``, ``verbose``, ``warm_start``) are not saved. The file is
        written to a temporary name and renamed, so a failed write leaves a
        previous file at ``path`` intact.

        Parameters
        ----------
        path : str or path-like
            Where to write the file.
        """
        check_is_fitted(self, "net_")
        params = {
            key: value
            for key, value in self.get_params(deep=False).items()
            if key not in _NOT_FROM_FILE and is_plain(value)
        }
        fitted = {
            key: encode_value(value, key)
            for key, value in vars(self).items()
            if key.endswith("_") and not key.startswith("_") and key not in ("net_", "history_")
        }
        state = {k: v.detach().cpu() for k, v in self.net_.module_.state_dict().items()}
        atomic_save(
            {
                "format": _FORMAT,
                "estimator": type(self).__name__,
                "params": params,
                "fitted": fitted,
                "state_dict": state,
                "history": plain_history(self.history_),
            },
            os.fspath(path),
            "path",
        )

    @classmethod
    def load_weights(cls, path: str | os.PathLike[str], *, device: str = "cpu") -> Self:
        """Rebuild a fitted estimator from :meth:`save_weights` output.

        The file is read with ``torch.load(weights_only=True)``: a file that
        holds anything but tensors and plain values (a pickled object, code)
        is refused. Only hyperparameters are taken from it, each validated as
        in ``fit``; paths, the device and other run settings never are (a file
        that sets ``checkpoint_path``, ``resume``, ``device``, ``verbose`` or
        ``warm_start`` to anything but the default is refused). The module is
        first built on torch's ``meta`` device and its shapes compared with
        the file's tensors, so nothing larger than the file is allocated.

        Parameters
        ----------
        path : str or path-like
            A file written by :meth:`save_weights`.
        device : str, default="cpu"
            Where to put the module.

        Returns
        -------
        estimator : instance of ``cls``
        """
        where = f"path={os.fspath(path)!r}"
        payload = _load_tensors(path, "path")
        if (
            not isinstance(payload, dict)
            or payload.get("format") != _FORMAT
            or payload.get("estimator") != cls.__name__
        ):
            found = payload.get("estimator") if isinstance(payload, dict) else None
            raise ValueError(
                f"{where} does not hold {cls.__name__} weights saved by save_weights "
                f"(found estimator={found!r})."
            )
        params, fitted, state_dict, history = (
            payload.get(key) for key in ("params", "fitted", "state_dict", "history")
        )
        if not (
            isinstance(params, dict)
            and isinstance(fitted, dict)
            and isinstance(state_dict, dict)
            and isinstance(history, list)
            and all(isinstance(v, torch.Tensor) for v in state_dict.values())
        ):
            raise ValueError(f"{where} is not a complete save_weights file.")
        estimator = cls()  # type: ignore[call-arg]  # concrete estimators have defaults
        estimator.set_params(**_file_params(estimator, params, where))
        estimator.device = device
        estimator._validate_params()
        estimator._check_settings()
        for key, value in fitted.items():
            if not (
                isinstance(key, str)
                and key.isidentifier()
                and key.endswith("_")
                and not key.startswith("_")
                and key not in ("net_", "history_")
            ):
                raise ValueError(f"{where} holds an invalid fitted attribute name {key!r}.")
            try:
                setattr(estimator, key, decode_value(value))
            except (AttributeError, TypeError, ValueError) as exc:
                raise ValueError(f"{where}: fitted attribute {key} is malformed ({exc}).") from None
        _check_shapes_on_meta(estimator, state_dict, where)
        resolved = _resolve_device(device)
        net = estimator._make_net(resolved, 1)
        net.initialize()
        _load_module_state(net.module_, state_dict, where)
        net.history = History(history)
        net.module_.eval()
        estimator.net_ = net
        estimator.history_ = net.history
        estimator._cache_inference_module()
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
            state.pop("_inference_net", None)  # rebuilt on load
        return state

    def __setstate__(self, state):
        saved = state.get("net_")
        if isinstance(saved, _SavedNet):
            # Without CUDA, skorch warns and sets the net's device to the CPU.
            location = None if torch.cuda.is_available() else "cpu"
            net = torch.load(io.BytesIO(saved.data), map_location=location, weights_only=False)
            state["net_"], state["history_"] = net, net.history
        super().__setstate__(state)
        if "net_" in state:
            self._cache_inference_module()


class _SavedNet:
    """A fitted skorch net as ``torch.save`` bytes, inside a pickled estimator."""

    def __init__(self, data):
        self.data = data


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


def _validate_sample_weight(sample_weight, lengths):
    """None, or float64 weights: one per sample, finite, non-negative, not all zero."""
    if sample_weight is None:
        return None
    try:
        return _check_sample_weight(sample_weight, lengths, ensure_non_negative=True)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        if "sample_weight" not in message:
            message = f"Invalid sample_weight: {message}"
        raise type(exc)(message) from None


def mean_and_scale(values, name, weights=None):
    """(Weighted) mean and standard deviation along axis 0 (scale 1 where constant).

    Computed on the values divided by their largest magnitude, so that finite
    values near 1e200 (whose squares overflow) still standardise.
    """
    peak = np.max(np.abs(values), axis=0)
    peak = np.where(peak > 0, peak, 1.0)
    unit = values / peak
    unit_mean = np.average(unit, axis=0, weights=weights)
    unit_var = np.average((unit - unit_mean) ** 2, axis=0, weights=weights)
    mean = unit_mean * peak
    scale = np.sqrt(unit_var) * peak
    scale = np.where(scale > 0, scale, 1.0)
    if not (np.isfinite(mean).all() and np.isfinite(scale).all()):
        raise ValueError(
            f"{name} has values too large to standardise in float64 (mean or spread "
            "beyond 1.8e308); rescale it."
        )
    return mean, scale


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


def _load_tensors(path, name, map_location="cpu"):
    """``torch.load(weights_only=True)`` with errors that name the file."""
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ValueError(
            f"{name}={os.fspath(path)!r} holds more than tensors and plain values, so it is "
            f"not loaded (torch.load with weights_only=True refused it: {exc})."
        ) from None
    except (RuntimeError, EOFError, ValueError, KeyError, AttributeError) as exc:
        raise ValueError(
            f"{name}={os.fspath(path)!r} is not a readable torch file ({exc})."
        ) from None


def _file_params(estimator, params, where):
    """The hyperparameters of a weights file that ``load_weights`` may take."""
    defaults = estimator.get_params(deep=False)
    taken = {}
    for key, value in params.items():
        if key not in defaults:
            raise ValueError(
                f"{where} sets {key!r}, which is not a parameter of {type(estimator).__name__}."
            )
        if key in _NOT_FROM_FILE:
            if value != defaults[key]:
                raise ValueError(
                    f"{where} sets {key}={value!r}; load_weights never takes {key} from a "
                    "file (set it on the loaded estimator if you mean it)."
                )
            continue
        if not is_plain(value):
            raise ValueError(f"{where} sets {key} to a non-plain value.")
        taken[key] = value
    return taken


def _check_shapes_on_meta(estimator, state_dict, where):
    """Build the module on the meta device; its tensors must match the file's.

    Nothing is allocated here, and the real module built afterwards holds the
    file's tensors plus at most ``_META_SLACK_BYTES`` of unsaved buffers.
    """
    try:
        with torch.device("meta"):
            module = estimator._build_module(*estimator._input_spec())
    except (AttributeError, TypeError, ValueError, IndexError, RuntimeError) as exc:
        raise ValueError(
            f"{where}: the saved parameters and fitted attributes do not describe a "
            f"valid {type(estimator).__name__} ({type(exc).__name__}: {exc})."
        ) from None
    expected = module.state_dict()
    if set(expected) != set(state_dict):
        missing = sorted(set(expected) - set(state_dict))[:3]
        extra = sorted(set(state_dict) - set(expected))[:3]
        raise ValueError(
            f"{where}: the weights do not fit the module its parameters describe "
            f"(missing {missing}, unexpected {extra})."
        )
    for key, tensor in expected.items():
        if tuple(tensor.shape) != tuple(state_dict[key].shape):
            raise ValueError(
                f"{where}: weight {key!r} has shape {tuple(state_dict[key].shape)} but the "
                f"module its parameters describe needs {tuple(tensor.shape)}."
            )
    file_bytes = sum(t.numel() * t.element_size() for t in state_dict.values())
    module_bytes = sum(
        t.numel() * t.element_size()
        for t in list(module.parameters()) + list(module.buffers())
    )
    if module_bytes > file_bytes + _META_SLACK_BYTES:
        raise ValueError(
            f"{where}: the module its parameters describe needs {module_bytes} bytes, far "
            f"more than the {file_bytes} bytes of weights in the file; refused."
        )
