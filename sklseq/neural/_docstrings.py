"""Docstring sections shared by the neural estimators (one text, every class)."""

import inspect
import re

__all__ = ["fill_docstring"]

COMMON_PARAMETERS_DOC = """\
    architecture : {"rnn", "jordan", "lstm", "gru", "cnn", "cnn-lstm", "transformer", \
"fcn", "resnet", "inception"}, default="lstm"
        Encoder family. ``"rnn"`` is the Elman network; ``"jordan"`` feeds each
        layer's output back instead of its hidden state. ``"fcn"``,
        ``"resnet"`` (Wang et al. 2017) and ``"inception"`` (InceptionTime,
        Ismail Fawaz et al. 2020) are the published time-series convolutional
        networks, with batch normalisation and their papers' kernel lengths
        (``kernel_size``, ``dilation`` and ``layer_norm`` do not apply).
    hidden_size : int, default=64
        Width of the encoder (units, channels or model width).
    num_layers : int or None, default=None
        Encoder depth; None picks the family's default (1 recurrent, 3 cnn,
        2 convolutions before the LSTM of cnn-lstm, 2 transformer, 3 fcn and
        resnet blocks, 6 inception modules).
    bidirectional : bool, default=False
        Recurrent families (and the LSTM of cnn-lstm) read both directions.
    dropout : float, default=0.0
        Dropout on non-recurrent connections.
    layer_norm : bool, default=False
        Layer normalisation of the encoder outputs (transformers always normalise).
    kernel_size : int, default=3
        Convolution width (cnn, cnn-lstm).
    dilation : int or tuple of int, default=2
        Convolution layer ``i`` uses dilation ``dilation ** i``, or one value per layer.
    num_heads : int, default=4
        Attention heads (transformer); must divide ``hidden_size``.
    causal : bool, default=False
        Each step's encoding sees only that step and the past (left-padded
        convolutions, causal attention mask).
    embedding_dim : int or None, default=None
        None: ``X`` is numeric. An int: ``X`` holds integer or string tokens
        (a list of token sequences, strings as sequences of characters, or a 2D
        array); the vocabulary is learnt in ``fit`` (``vocabulary_``), unseen
        tokens map to its unknown index, and an embedding of this size comes first.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"}, default="adam"
        The torch optimiser (Adam, AdamW, SGD or RMSprop) with its own defaults
        apart from ``lr`` and ``weight_decay``.
    lr : float, default=3e-3
        Learning rate (peak rate with a schedule).
    weight_decay : float, default=0.0
        L2 penalty (decoupled weight decay with ``"adamw"``) passed to the optimiser.
    batch_size : int, default=32
        Sequences per training step.
    max_epochs : int or "auto", default=100
        Passes over the training data (fewer if early stopping ends training).
        ``"auto"``: as many whole passes as make at least 1,000 gradient
        steps (batches), so that a training set of a few dozen rows trains as
        long as a large one (the published FCN / InceptionTime recipes train
        for thousands of steps); e.g. 334 epochs of 36 rows in batches of 16,
        one epoch of 16,000 rows or more.
    gradient_clip : float or None, default=1.0
        Clip the gradient norm to this value; None disables clipping.
    lr_schedule : {"constant", "cosine", "linear"}, default="constant"
        Decay of the learning rate over the training steps after warm-up.
    warmup_epochs : int, default=0
        Epochs of linear learning-rate warm-up.
    validation_fraction : float or None, default=None
        With a float, this fraction of the samples is held out and training
        stops early when the validation loss has not improved for
        ``n_iter_no_change`` epochs; the best weights are restored. Classifiers
        hold out a stratified random fraction (seeded by ``random_state``;
        every class keeps training rows); the other estimators the LAST
        fraction (time order: put later sequences last).
    n_iter_no_change : int, default=10
        Epochs without an improvement of the validation loss by ``tol`` before
        training stops (with ``validation_fraction`` only).
    tol : float, default=1e-4
        Relative improvement of the validation loss that counts.
    noise_std : float, default=0.0
        Gaussian noise (on standardised inputs) added during training only.
    time_warp : float, default=0.0
        Strength of random smooth time warping during training only
        (0 disables; 0.2 is moderate).
    verbose : int, default=0
        Print one line per epoch (losses and time) to stdout; when stderr is a
        terminal, also a tqdm progress bar over the batches there. Output that
        goes to a file or a pipe gets the plain lines only, no carriage returns.
    device : str or torch.device, default="cpu"
        ``"cpu"``, ``"cuda"`` or ``"cuda:<index>"`` (a clear error if CUDA is
        unavailable). A model fit on CUDA and pickled loads on a machine
        without CUDA, on the CPU (skorch warns that it moved it).
    random_state : int, RandomState instance or None, default=None
        Seeds torch inside ``fork_rng`` (global RNG state is left untouched);
        the same seed gives the same predictions on CPU, and on CUDA too
        (cuDNN is set to deterministic kernels while fitting; PyTorch does not
        promise it for ``CTCLoss``'s CUDA gradient, which agreed exactly in
        our check all the same).
    warm_start : bool, default=False
        Continue from the weights of the previous ``fit``.
    checkpoint_path : str or path-like or None, default=None
        Write weights, optimiser state and history there after every epoch.
    resume : bool, default=False
        If ``checkpoint_path`` exists, continue training from it up to
        ``max_epochs`` epochs in total."""

INFERENCE_DTYPE_DOC = """    inference_dtype : {"float64", "float32"}, default="float32"
        Precision of ``predict``. Rows are predicted in fixed-size batches
        padded to a width set by each row's own length, so a row's prediction
        does not depend on which other rows are predicted with it (exactly for
        convolutional and attention encoders, to ~1e-8 for recurrent ones in
        float32, ~1e-15 in float64); float64 is several times slower on CPU."""

INPUT_SCALING_DOC = """    input_scaling : {"dataset", "robust", "sequence"} or None, default="dataset"
        How numeric input is scaled before the network reads it, per channel:
        ``"dataset"``: by the mean and standard deviation of all training steps
        (``input_mean_``, ``input_scale_``); ``"robust"``: by their median and
        interquartile range; ``"sequence"``: each row by its own mean and
        standard deviation (z-normalisation; rows of very different amplitudes
        become comparable, but the network no longer sees a row's level or
        amplitude); None: raw values. See
        :func:`sklseq.preprocessing.scaling_statistics`."""

N_ENSEMBLE_DOC = """    n_ensemble : int, default=1
        Networks trained together, as InceptionTime's ensemble (Ismail Fawaz
        et al. 2020): each member has its own random initial weights (drawn in
        turn from the ``random_state`` seed), its own loss and gradient
        clipping, and is updated exactly as it would be alone on the same
        batches; predictions average the members' class probabilities
        (classifiers) or outputs (regressors). ``train_loss`` in
        ``history_`` is the members' summed loss; the validation loss of early
        stopping is the ensemble's. Fit and predict cost ``n_ensemble`` times
        one network's."""

CALLBACKS_DOC = """    callbacks : list of skorch callbacks or None, default=None
        Extra :class:`skorch.callbacks.Callback` objects (or ``(name, callback)``
        tuples) run after the estimator's own during ``fit``, e.g. to log or
        record each epoch. The list is deep-copied at every fit and never
        changed, so ``clone`` and ``set_params`` work as for any parameter; the
        copies that ran are in ``net_.callbacks_``."""

COMMON_ATTRIBUTES_DOC = """\
    net_ : skorch.NeuralNet
        The trained skorch net (``net_.module_`` is the torch module).
    history_ : skorch.history.History
        Per-epoch losses and timings.
    n_features_in_ : int
        Time steps of array input at fit.
    n_channels_in_ : int
        Channels of numeric input.
    input_mean_, input_scale_ : ndarray of shape (n_channels,)
        Per-channel centre and scale learnt in fit (numeric input with
        ``input_scaling="dataset"`` or ``"robust"``).
    vocabulary_ : TokenVocabulary
        Token input only."""


def fill_docstring(cls=None, **sections):
    """Insert the shared sections into ``cls.__doc__`` and render its defaults.

    A line ``%(name)s`` is replaced by the section ``name`` (the common ones, or
    one given as a keyword), and every ``default=...`` of a documented parameter
    is rendered from ``inspect.signature(cls)``, so a class's defaults live in
    its ``__init__`` only. Use as ``@fill_docstring`` or
    ``@fill_docstring(extra_section=TEXT)``.
    """
    if cls is None:
        return lambda cls: fill_docstring(cls, **sections)
    sections = {
        "common_parameters": COMMON_PARAMETERS_DOC,
        "inference_dtype": INFERENCE_DTYPE_DOC,
        "callbacks": CALLBACKS_DOC,
        "input_scaling": INPUT_SCALING_DOC,
        "n_ensemble": N_ENSEMBLE_DOC,
        "common_attributes": COMMON_ATTRIBUTES_DOC,
        **sections,
    }
    doc = re.sub(
        r"^ *%\((\w+)\)s$", lambda match: sections[match.group(1)], cls.__doc__, flags=re.M
    )
    parameters = inspect.signature(cls).parameters

    def render(match):
        parameter = parameters.get(match.group(2))
        if parameter is None or parameter.default is inspect.Parameter.empty:
            return match.group(0)
        return f"{match.group(1)}default={_render(parameter.default)}"

    cls.__doc__ = re.sub(r"^(    (\w+) : .*, )default=.*$", render, doc, flags=re.M)
    return cls


def _render(value):
    return f'"{value}"' if isinstance(value, str) else repr(value)
