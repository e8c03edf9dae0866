"""Encoder-decoder (seq2seq) estimators: label sequences or multi-step values out.

:class:`Seq2SeqTranslator` maps input sequences (values or tokens) to label
sequences of any length; :class:`Seq2SeqRegressor` maps them to a horizon of
real values. Both plug into :class:`~sklseq.neural._base.BaseSequenceNetwork`
(validation, the skorch net, training practice) and train one torch module,
:class:`~sklseq.neural._modules._decoders.EncoderDecoder`: an encoder from
``build_encoder``, a recurrent or transformer decoder with attention and a head.

Training feeds the decoder the true previous output with a probability that
follows a scheduled-sampling schedule over epochs (one Bernoulli draw per sample
and step, batched); the skorch net passes the targets to the module for that.
Inference runs a float64 copy of the module, so a prediction does not depend on
the other rows of the batch.
"""

import math
from numbers import Integral, Real
from typing import Any, Self

import numpy as np
import torch
from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from ..decoding import beam_search, greedy_search
from ..utils import (
    LabelSequenceKind,
    TokenVocabulary,
    check_continuation_target,
    check_label_sequences,
    restore_label_sequences,
)
from ..utils._compat import Interval, StrOptions
from ._base import BaseSequenceNetwork, fill_docstring, mean_and_scale
from ._losses import RegressionLoss, TokenCrossEntropy
from ._modules import build_encoder
from ._modules._decoders import EncoderDecoder, build_decoder

__all__ = ["Seq2SeqRegressor", "Seq2SeqTranslator", "teacher_forcing_schedule"]

_SCHEDULES = ("constant", "linear", "inverse_sigmoid")

SEQ2SEQ_PARAMETERS_DOC = """\
    decoder : {"rnn", "lstm", "gru", "transformer"}, default="gru"
        Decoder family. A recurrent decoder reads the previous output and the
        last attention context at each step; a transformer decoder has causal
        self-attention and multi-head cross-attention.
    attention : {"additive", "dot", "none"}, default="additive"
        Attention of a recurrent decoder over the encoder outputs: additive
        (Bahdanau) or scaled dot-product (Luong), or none (the decoder starts
        from the pooled encoding only). A transformer decoder always uses
        multi-head dot-product attention and needs ``"dot"``.
    decoder_embedding_dim : int, default=32
        Size of the embedding of the previous output fed to the decoder.
    teacher_forcing_ratio : float, default=1.0
        Probability of feeding the decoder the true previous output during
        training (at epoch 0 when the schedule decays); otherwise it gets its
        own previous prediction.
    scheduled_sampling : {"constant", "linear", "inverse_sigmoid"}, default="constant"
        Decay of the teacher-forcing probability over epochs, see
        :func:`teacher_forcing_schedule`.
    sampling_decay : float, default=10.0
        Speed of that decay, in epochs."""


def teacher_forcing_schedule(epoch, ratio=1.0, schedule="constant", decay=10.0):
    """Teacher-forcing probability at ``epoch`` (0-based) under a sampling schedule.

    Scheduled sampling (Bengio et al., 2015) starts from teacher forcing and
    feeds the model more of its own predictions as training goes on:

    - ``"constant"``: ``ratio``;
    - ``"linear"``: ``ratio * max(0, 1 - epoch / decay)``, zero after ``decay`` epochs;
    - ``"inverse_sigmoid"``: ``ratio * (decay + 1) / (decay + exp(epoch / decay))``,
      Bengio's ``k / (k + exp(i / k))`` with ``k = decay``, rescaled to start at
      ``ratio`` (needs ``decay >= 1``).

    Parameters
    ----------
    epoch : int
    ratio : float, default=1.0
        Probability of feeding the true previous output at epoch 0.
    schedule : {"constant", "linear", "inverse_sigmoid"}, default="constant"
    decay : float, default=10.0

    Returns
    -------
    probability : float

    Examples
    --------
    >>> teacher_forcing_schedule(5, 1.0, "linear", decay=10)
    0.5
    >>> round(teacher_forcing_schedule(0, 0.8, "inverse_sigmoid", decay=5), 6)
    0.8
    """
    if schedule == "constant":
        return float(ratio)
    if schedule == "linear":
        return float(ratio * max(0.0, 1.0 - epoch / decay))
    if schedule == "inverse_sigmoid":
        return float(ratio * (decay + 1.0) / (decay + math.exp(epoch / decay)))
    raise ValueError(f"scheduled_sampling must be one of {_SCHEDULES}; got {schedule!r}.")


class _Seq2SeqNetwork(BaseSequenceNetwork):
    """What both seq2seq estimators add to the base: the encoder-decoder module."""

    _parameter_constraints: dict = {
        **BaseSequenceNetwork._parameter_constraints,
        "decoder": [StrOptions({"rnn", "lstm", "gru", "transformer"})],
        "attention": [StrOptions({"additive", "dot", "none"})],
        "decoder_embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "teacher_forcing_ratio": [Interval(Real, 0, 1, closed="both")],
        "scheduled_sampling": [StrOptions(set(_SCHEDULES))],
        "sampling_decay": [Interval(Real, 0, None, closed="neither")],
    }
    _tokens_out = True
    _module_reads_targets = True

    def _check_settings(self):
        super()._check_settings()
        if self.decoder == "transformer" and self.attention != "dot":
            raise ValueError(
                "decoder='transformer' attends with multi-head scaled dot-product "
                f"attention; set attention='dot' (got {self.attention!r}), or pick a "
                "recurrent decoder."
            )
        if self.scheduled_sampling == "inverse_sigmoid" and self.sampling_decay < 1:
            raise ValueError(
                "scheduled_sampling='inverse_sigmoid' needs sampling_decay >= 1 "
                f"(Bengio's k); got {self.sampling_decay}."
            )
        if self.decoder == "transformer" and self.hidden_size % self.num_heads:
            raise ValueError(
                f"hidden_size={self.hidden_size} must be divisible by "
                f"num_heads={self.num_heads} for decoder='transformer'."
            )

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
        decoder = build_decoder(
            self.decoder,
            self.decoder_embedding_dim,
            encoder.output_size,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers or 1,
            attention=self.attention,
            num_heads=self.num_heads,
            dropout=self.dropout,
        )
        if self._tokens_out:
            vocab = self.target_vocabulary_
            return EncoderDecoder(
                encoder,
                decoder,
                len(vocab),
                self.decoder_embedding_dim,
                tokens=True,
                bos_index=vocab.bos_index,
                pad_index=vocab.pad_index,
            )
        return EncoderDecoder(
            encoder, decoder, 1, self.decoder_embedding_dim, tokens=False
        )

    def _make_net(self, device, n_train, split=None):
        net = super()._make_net(device, n_train, split)
        net.callbacks.append(
            (
                "teacher_forcing",
                _TeacherForcingSchedule(
                    self.teacher_forcing_ratio, self.scheduled_sampling, self.sampling_decay
                ),
            )
        )
        return net

    def _encoded_batches(self, module, inputs, lengths):
        """``(rows, lengths, x, state)`` per batch, with the encoder's state."""
        for rows, x, batch_lengths in self._batches(inputs, lengths):
            yield rows, batch_lengths, x, module.encode(x, batch_lengths)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class _TeacherForcingSchedule(Callback):
    """Set the module's teacher-forcing probability at the start of each epoch."""

    def __init__(self, ratio, schedule, decay):
        self.ratio = ratio
        self.schedule = schedule
        self.decay = decay

    def on_epoch_begin(self, net, **kwargs):
        epoch = len(net.history) - 1
        probability = teacher_forcing_schedule(epoch, self.ratio, self.schedule, self.decay)
        net.module_.teacher_forcing_ratio = probability
        net.history.record("teacher_forcing_ratio", probability)


def _decode(vocab, codes, lengths):
    if codes.shape[1] == 0:  # every hypothesis ended at once
        return [[] for _ in range(len(codes))]
    return vocab.decode(codes, lengths)


@fill_docstring(seq2seq_parameters=SEQ2SEQ_PARAMETERS_DOC)
class Seq2SeqTranslator(_Seq2SeqNetwork):
    """Encoder-decoder with attention from input sequences to label sequences.

    Input sequences are values (a panel, SPEC section 2) or, with
    ``embedding_dim`` set, tokens (strings or lists of tokens; the vocabulary is
    learnt in fit). Targets are label sequences of any length, one per sample:
    strings, lists of tokens, a 2D padded array, or a 1D array read as length-1
    sequences; ``predict`` returns the same kind of object. Begin and
    end-of-sequence tokens are added and removed inside.

    Parameters
    ----------
    %(common_parameters)s
    %(input_scaling)s
    %(seq2seq_parameters)s
    decoding : {"greedy", "beam"}, default="greedy"
        Search used by :meth:`predict`.
    beam_width : int, default=5
        Hypotheses kept per sample by beam search (and :meth:`predict_nbest`).
    length_penalty : float, default=0.0
        GNMT length normalisation ``alpha`` of beam scores (0: plain
        log-probability; 0.6 to 0.7 favours longer outputs).
    coverage_penalty : float, default=0.0
        GNMT coverage penalty ``beta``; needs a recurrent decoder with attention.
    num_beam_groups : int, default=1
        Diverse beam search: groups the beams split into (divides ``beam_width``).
    diversity_penalty : float, default=0.0
        Hamming diversity penalty between beam groups.
    max_length : int or None, default=None
        Most tokens predicted per sequence (end token included); None is twice
        the longest target seen in fit.
    %(callbacks)s

    Attributes
    ----------
    target_vocabulary_ : TokenVocabulary
        Output tokens, with ``<pad>``, ``<unk>``, ``<bos>`` and ``<eos>``.
    target_kind_ : tuple
        What kind of ``y`` fit received, as ``LabelSequenceKind.to_plain()``,
        so ``predict`` returns the same kind.
    max_target_length_ : int
        Longest target seen in fit, end token included.
    %(common_attributes)s

    Examples
    --------
    >>> from sklseq.neural import Seq2SeqTranslator
    >>> X = ["ab", "ba", "abb", "bba"] * 8
    >>> y = ["AB", "BA", "ABB", "BBA"] * 8
    >>> model = Seq2SeqTranslator("gru", decoder="gru", embedding_dim=8, hidden_size=16,
    ...                           batch_size=8, max_epochs=30, random_state=0)
    >>> model.fit(X, y).predict(["ab", "bba"])
    ['AB', 'BBA']
    >>> sequences, scores = model.predict_nbest(["ab"], n_best=2)
    >>> sequences[0][0], scores.shape
    ('AB', (1, 2))
    """

    _parameter_constraints: dict = {
        **_Seq2SeqNetwork._parameter_constraints,
        "decoding": [StrOptions({"greedy", "beam"})],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "length_penalty": [Interval(Real, 0, None, closed="left")],
        "coverage_penalty": [Interval(Real, 0, None, closed="left")],
        "num_beam_groups": [Interval(Integral, 1, None, closed="left")],
        "diversity_penalty": [Interval(Real, 0, None, closed="left")],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        architecture="gru",
        *,
        hidden_size=64,
        num_layers=None,
        bidirectional=True,
        dropout=0.0,
        layer_norm=False,
        kernel_size=3,
        dilation=2,
        num_heads=4,
        causal=False,
        embedding_dim=None,
        optimizer="adam",
        lr=0.003,
        weight_decay=0.0,
        batch_size=32,
        max_epochs=100,
        gradient_clip=1.0,
        lr_schedule="constant",
        warmup_epochs=0,
        validation_fraction=None,
        n_iter_no_change=10,
        tol=0.0001,
        noise_std=0.0,
        time_warp=0.0,
        verbose=0,
        device="cpu",
        random_state=None,
        warm_start=False,
        checkpoint_path=None,
        resume=False,
        input_scaling="dataset",
        decoder="gru",
        attention="additive",
        decoder_embedding_dim=32,
        teacher_forcing_ratio=1.0,
        scheduled_sampling="constant",
        sampling_decay=10.0,
        decoding="greedy",
        beam_width=5,
        length_penalty=0.0,
        coverage_penalty=0.0,
        num_beam_groups=1,
        diversity_penalty=0.0,
        max_length=None,
        callbacks=None,
    ):
        super().__init__(
            architecture,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            layer_norm=layer_norm,
            kernel_size=kernel_size,
            dilation=dilation,
            num_heads=num_heads,
            causal=causal,
            embedding_dim=embedding_dim,
            optimizer=optimizer,
            lr=lr,
            weight_decay=weight_decay,
            batch_size=batch_size,
            max_epochs=max_epochs,
            gradient_clip=gradient_clip,
            lr_schedule=lr_schedule,
            warmup_epochs=warmup_epochs,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            noise_std=noise_std,
            time_warp=time_warp,
            verbose=verbose,
            device=device,
            random_state=random_state,
            warm_start=warm_start,
            checkpoint_path=checkpoint_path,
            resume=resume,
        )
        self.input_scaling = input_scaling
        self.decoder = decoder
        self.attention = attention
        self.decoder_embedding_dim = decoder_embedding_dim
        self.teacher_forcing_ratio = teacher_forcing_ratio
        self.scheduled_sampling = scheduled_sampling
        self.sampling_decay = sampling_decay
        self.decoding = decoding
        self.beam_width = beam_width
        self.length_penalty = length_penalty
        self.coverage_penalty = coverage_penalty
        self.num_beam_groups = num_beam_groups
        self.diversity_penalty = diversity_penalty
        self.max_length = max_length
        self.callbacks = callbacks

    def fit(self, X: Any, y: Any, sample_weight: ArrayLike | None = None) -> Self:
        """Train on input sequences ``X`` and their label sequences ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_channels]), list of \
sequences, or (with ``embedding_dim``) list of str / token sequences
            NaN right-padding and lists of different lengths are variable-length input.
        y : list of sequences, list of str, 1D or 2D padded array-like
            One label sequence per sample.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each sample: it scales the sample's loss (in
            training and in the validation loss of early stopping) and its share
            of the input standardisation; an integer weight counts as that
            many copies of the sample. None weighs every sample 1.

        Returns
        -------
        self : Seq2SeqTranslator
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X: Any) -> Any:
        """Predicted label sequence of each input sequence.

        Parameters
        ----------
        X : array-like, list of sequences or list of str
            As in :meth:`fit`.

        Returns
        -------
        y_pred : list or ndarray
            The same kind of object as the ``y`` given to fit: strings for
            strings, lists for token lists, a 1D array for a 1D ``y``, a padded 2D
            array for a 2D ``y``.
        """
        sequences, _ = self._search(X, beam=self.decoding == "beam", n_best=1)
        kind = LabelSequenceKind.from_plain(self.target_kind_)
        return restore_label_sequences([nbest[0] for nbest in sequences], kind)

    def predict_nbest(self, X: Any, n_best: int | None = None) -> Any:
        """The ``n_best`` highest-scoring label sequences of each sample (beam search).

        Parameters
        ----------
        X : array-like, list of sequences or list of str
        n_best : int or None, default=None
            Sequences per sample, at most ``beam_width``; None is ``beam_width``.

        Returns
        -------
        sequences : list of list
            ``sequences[i][k]`` is the ``k``-th best prediction for sample ``i``,
            one element of the kind of ``y`` given to fit (a string, a list of
            tokens, a label, or a padded row).
        scores : ndarray of shape (n_samples, n_best)
            Beam scores: log-probability with the length and coverage penalties,
            best first; ``-inf`` where the search found fewer hypotheses.
        """
        check_is_fitted(self)
        n_best = self.beam_width if n_best is None else n_best
        if not isinstance(n_best, Integral) or not 1 <= int(n_best) <= self.beam_width:
            raise ValueError(
                f"n_best must be an integer from 1 to beam_width={self.beam_width}; "
                f"got {n_best!r}."
            )
        sequences, scores = self._search(X, beam=True, n_best=n_best)
        kind = LabelSequenceKind.from_plain(self.target_kind_)
        restored = [list(restore_label_sequences(nbest, kind)) for nbest in sequences]
        return restored, scores

    def predict_log_proba(self, X: Any, y: Any = None) -> Any:
        """Log-probability of label sequences given the input sequences.

        Parameters
        ----------
        X : array-like, list of sequences or list of str
        y : label sequences or None, default=None
            The sequences to score, as in fit; None scores the model's own
            ``predict(X)``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples,)
            ``log P(y_i | X_i)``: the sum over the tokens of ``y_i`` and its end
            token. Tokens unseen at fit count as the unknown token.
        """
        check_is_fitted(self)
        if y is None:
            y = self.predict(X)
        vocab = self.target_vocabulary_
        inputs, lengths = self._validate_X(X, reset=False)
        seqs, _ = check_label_sequences(y, n_samples=len(lengths))
        targets, _ = vocab.encode(seqs, add_eos=True)
        module = self._inference_module()
        out = np.zeros(len(seqs))
        with torch.no_grad():
            for rows, batch_lengths, x, _ in self._encoded_batches(module, inputs, lengths):
                target = torch.as_tensor(targets[rows], device=x.device)
                log_probs = torch.log_softmax(module(x, batch_lengths, target), dim=-1)
                picked = log_probs.gather(-1, target.unsqueeze(-1)).squeeze(-1)
                picked = picked.masked_fill(target == vocab.pad_index, 0.0)
                out[rows] = picked.sum(dim=1).cpu().numpy()
        return out

    def score(self, X: Any, y: Any) -> float:
        """Exact-match accuracy: the fraction of samples whose whole sequence is right.

        Higher is better; 1.0 when every predicted sequence equals its target.

        Parameters
        ----------
        X : array-like, list of sequences or list of str
        y : label sequences, as in fit

        Returns
        -------
        score : float
        """
        predicted = self.predict(X)
        truth, _ = check_label_sequences(y, n_samples=len(predicted))
        predicted, _ = check_label_sequences(predicted)
        return float(np.mean([p == t for p, t in zip(predicted, truth)]))

    # ---------------------------------------------------------------- hooks

    def _check_settings(self):
        super()._check_settings()
        if self.coverage_penalty and (
            self.decoder == "transformer" or self.attention == "none"
        ):
            raise ValueError(
                "coverage_penalty needs the attention weights of a recurrent decoder "
                "with attention ('additive' or 'dot'); set coverage_penalty=0."
            )
        if self.beam_width % self.num_beam_groups:
            raise ValueError(
                f"num_beam_groups={self.num_beam_groups} must divide "
                f"beam_width={self.beam_width}."
            )

    def _prepare_targets(self, y, lengths, *, reset, sample_weight=None):
        seqs, kind = check_label_sequences(y, n_samples=len(lengths), estimator=self)
        if not self._continues_previous_fit():
            self.target_kind_ = kind.to_plain()
            self.target_vocabulary_ = TokenVocabulary(
                ("<pad>", "<unk>", "<bos>", "<eos>"), bos_token="<bos>", eos_token="<eos>"
            ).fit(seqs)
        targets, target_lengths = self.target_vocabulary_.encode(seqs, add_eos=True)
        self.max_target_length_ = int(target_lengths.max())
        return targets

    def _output_size(self):
        return len(self.target_vocabulary_)

    def _build_criterion(self):
        return TokenCrossEntropy(ignore_index=self.target_vocabulary_.pad_index)

    # --------------------------------------------------------------- search

    def _search(self, X, *, beam, n_best):
        """Token lists ``[sample][rank]`` and scores ``(n_samples, n_best)``."""
        check_is_fitted(self)
        vocab = self.target_vocabulary_
        inputs, lengths = self._validate_X(X, reset=False)
        module = self._inference_module()
        max_length = self.max_length or 2 * self.max_target_length_
        banned = [vocab.pad_index, vocab.bos_index, vocab.unk_index]
        sequences, scores = [], []
        with torch.no_grad():
            for _, batch_lengths, x, state in self._encoded_batches(module, inputs, lengths):
                step, state = module.step_function(state, banned=banned)
                start = torch.full((len(x),), vocab.bos_index, device=x.device)
                options = dict(
                    eos_index=vocab.eos_index,
                    max_length=max_length,
                    length_penalty=self.length_penalty,
                    coverage_penalty=self.coverage_penalty,
                    source_lengths=batch_lengths,
                    pad_index=vocab.pad_index,
                )
                if beam:
                    result = beam_search(
                        step,
                        start,
                        state,
                        beam_width=self.beam_width,
                        n_best=n_best,
                        num_beam_groups=self.num_beam_groups,
                        diversity_penalty=self.diversity_penalty,
                        **options,
                    )
                else:
                    result = greedy_search(step, start, state, **options)
                codes = result.sequences.cpu().numpy()
                code_lengths = result.lengths.cpu().numpy()
                ranks = [
                    _decode(vocab, codes[:, rank], code_lengths[:, rank])
                    for rank in range(n_best)
                ]
                sequences.extend(list(nbest) for nbest in zip(*ranks))
                scores.append(result.scores.cpu().numpy())
        return sequences, np.concatenate(scores)


@fill_docstring(seq2seq_parameters=SEQ2SEQ_PARAMETERS_DOC)
class Seq2SeqRegressor(RegressorMixin, _Seq2SeqNetwork):
    """Encoder-decoder with attention forecasting a horizon of real values.

    The decoder emits one value per step and reads the previous value at the
    next (the true one under teacher forcing, its own prediction otherwise), so
    the horizon is decoded autoregressively as in sequence-to-sequence
    forecasting. Inputs are standardised per channel and targets as a whole with
    the statistics of fit; the loss is the mean squared error.

    Parameters
    ----------
    %(common_parameters)s
    %(input_scaling)s
    %(seq2seq_parameters)s
    %(callbacks)s

    Attributes
    ----------
    horizon_ : int
        Steps predicted per sample.
    target_mean_, target_scale_ : float
        Target standardisation learnt in fit.
    %(common_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.neural import Seq2SeqRegressor
    >>> t = np.arange(40)[None, :] + np.arange(64)[:, None]
    >>> series = np.sin(0.3 * t)
    >>> X, y = series[:, :36], series[:, 36:]
    >>> model = Seq2SeqRegressor("gru", decoder="gru", hidden_size=16, max_epochs=30,
    ...                          random_state=0).fit(X, y)
    >>> model.predict(X).shape
    (64, 4)
    """

    _tokens_out = False

    def __init__(
        self,
        architecture="gru",
        *,
        hidden_size=64,
        num_layers=None,
        bidirectional=True,
        dropout=0.0,
        layer_norm=False,
        kernel_size=3,
        dilation=2,
        num_heads=4,
        causal=False,
        embedding_dim=None,
        optimizer="adam",
        lr=0.003,
        weight_decay=0.0,
        batch_size=32,
        max_epochs=100,
        gradient_clip=1.0,
        lr_schedule="constant",
        warmup_epochs=0,
        validation_fraction=None,
        n_iter_no_change=10,
        tol=0.0001,
        noise_std=0.0,
        time_warp=0.0,
        verbose=0,
        device="cpu",
        random_state=None,
        warm_start=False,
        checkpoint_path=None,
        resume=False,
        input_scaling="dataset",
        decoder="gru",
        attention="additive",
        decoder_embedding_dim=32,
        teacher_forcing_ratio=1.0,
        scheduled_sampling="constant",
        sampling_decay=10.0,
        callbacks=None,
    ):
        super().__init__(
            architecture,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            layer_norm=layer_norm,
            kernel_size=kernel_size,
            dilation=dilation,
            num_heads=num_heads,
            causal=causal,
            embedding_dim=embedding_dim,
            optimizer=optimizer,
            lr=lr,
            weight_decay=weight_decay,
            batch_size=batch_size,
            max_epochs=max_epochs,
            gradient_clip=gradient_clip,
            lr_schedule=lr_schedule,
            warmup_epochs=warmup_epochs,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            noise_std=noise_std,
            time_warp=time_warp,
            verbose=verbose,
            device=device,
            random_state=random_state,
            warm_start=warm_start,
            checkpoint_path=checkpoint_path,
            resume=resume,
        )
        self.input_scaling = input_scaling
        self.decoder = decoder
        self.attention = attention
        self.decoder_embedding_dim = decoder_embedding_dim
        self.teacher_forcing_ratio = teacher_forcing_ratio
        self.scheduled_sampling = scheduled_sampling
        self.sampling_decay = sampling_decay
        self.callbacks = callbacks

    def fit(self, X: Any, y: Any, sample_weight: ArrayLike | None = None) -> Self:
        """Train on sequences ``X`` and the values that follow them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_channels]) or list of \
sequences
        y : array-like of shape (n_samples,) or (n_samples, horizon)
            Next value, or the next ``horizon`` values, of each sequence.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each sample: it scales the sample's loss (in
            training and in the validation loss of early stopping) and its share
            of the input and target standardisation; an integer weight counts as
            that many copies of the sample. None weighs every sample 1.

        Returns
        -------
        self : Seq2SeqRegressor
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X: Any) -> Any:
        """Forecast the horizon of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_channels]) or list of \
sequences

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, horizon)
            1D when ``y`` was 1D at fit.
        """
        check_is_fitted(self)
        inputs, lengths = self._validate_X(X, reset=False)
        module = self._inference_module()
        pred = np.zeros((len(lengths), self.horizon_))
        with torch.no_grad():
            for rows, _, x, state in self._encoded_batches(module, inputs, lengths):
                prefix = module.start_inputs(len(x), x)
                outputs = []
                for _ in range(self.horizon_):
                    value, state, _ = module.step(prefix, state)
                    outputs.append(value)
                    prefix = torch.cat([prefix, module.embed(value).unsqueeze(1)], dim=1)
                pred[rows] = torch.cat(outputs, dim=1).cpu().numpy()
        pred = pred * self.target_scale_ + self.target_mean_
        return pred[:, 0] if self.target_1d_ else pred

    def _prepare_targets(self, y, lengths, *, reset, sample_weight=None):
        y2d, _, was_2d = check_continuation_target(y, len(lengths), estimator=self)
        if self._continues_previous_fit():
            if y2d.shape[1] != self.horizon_:
                raise ValueError(
                    f"y has a horizon of {y2d.shape[1]} but the warm-started model "
                    f"predicts {self.horizon_} steps."
                )
        else:
            self.horizon_ = y2d.shape[1]
            self.target_1d_ = not was_2d
            row_weight = None if sample_weight is None else np.repeat(
                sample_weight[:, None], y2d.shape[1], axis=1
            ).reshape(-1)
            mean, scale = mean_and_scale(y2d.reshape(-1, 1), "y", row_weight)
            self.target_mean_, self.target_scale_ = float(mean[0]), float(scale[0])
        scaled = (y2d - self.target_mean_) / self.target_scale_
        return scaled[:, :, None].astype(np.float32)

    def _output_size(self):
        return 1

    def _build_criterion(self):
        return RegressionLoss()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
