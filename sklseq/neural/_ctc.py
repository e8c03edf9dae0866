"""CTCTranscriber: unaligned label sequences from input sequences (connectionist temporal classification)."""

from numbers import Integral, Real
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import log_softmax
from sklearn.utils.validation import check_is_fitted

from ..decoding import ctc_beam_search_decode, ctc_greedy_decode
from ..metrics import token_error_rate
from ..utils import (
    LabelSequenceKind,
    TokenVocabulary,
    check_label_sequences,
    restore_label_sequences,
)
from ..utils._compat import Interval, StrOptions
from ._base import BaseSequenceNetwork, fill_docstring
from ._losses import CTCCriterion

__all__ = ["CTCTranscriber"]

_BLANK = "<blank>"


@fill_docstring
class CTCTranscriber(BaseSequenceNetwork):
    """Neural transcriber of sequences into shorter label sequences, trained with CTC.

    An encoder reads each input sequence and a linear layer gives, at every time
    step, a distribution over the labels plus a *blank*. Training minimises
    ``torch.nn.CTCLoss`` (with ``zero_infinity=True``), which sums over every
    alignment of the target labels to the input steps, so targets need no
    alignment: ``"3141"`` for a sequence of 40 steps is enough. The blank, the
    input lengths and the target lengths are handled inside. A target can be
    emitted only if its input has at least as many steps as it has labels plus
    repeated neighbours (CTC needs a blank between two equal labels); ``fit``
    raises a ``ValueError`` naming the row otherwise.

    Prediction decodes the frame posteriors with best-path (``"greedy"``) or
    prefix beam search (``"beam"``) from :mod:`sklseq.decoding`.

    Parameters
    ----------
    %(common_parameters)s
    %(input_scaling)s
    %(inference_dtype)s
    decoding : {"greedy", "beam"}, default="greedy"
        ``"greedy"``: the most probable label at each step, repeats merged and
        blanks dropped. ``"beam"``: CTC prefix beam search, which sums the
        probability of every alignment of a labelling.
    beam_width : int, default=10
        Prefixes kept per step by the beam search (and the most ``predict_nbest``
        returns).
    beam_prune_logp : float or None, default=None
        Beam search pruning: drop hypotheses below the best by more than
        ``-beam_prune_logp`` (e.g. -10.0). None keeps ``beam_width``.
    token_min_logp : float or None, default=None
        Beam search pruning: a label below this log-probability at a step does
        not extend prefixes there (unless it is the step's most probable label).
    %(callbacks)s

    Attributes
    ----------
    labels_ : ndarray of shape (n_labels,)
        The output labels seen in fit, in the order of the columns
        ``1, ..., n_labels`` of :meth:`predict_log_proba` (column 0 is the blank).
    target_kind_ : tuple
        What kind of ``y`` fit received (list, strings, 1D or padded array), so
        ``predict`` returns the same kind.
    %(common_attributes)s

    Examples
    --------
    >>> from sklseq.datasets import make_digit_strings
    >>> from sklseq.neural import CTCTranscriber
    >>> X, y = make_digit_strings(40, max_digits=2, random_state=0)
    >>> ctc = CTCTranscriber("gru", hidden_size=16, max_epochs=2, random_state=0)
    >>> y_pred = ctc.fit(X, y).predict(X[:3])  # strings in, strings out
    >>> len(y_pred), type(y_pred[0]).__name__
    (3, 'str')
    >>> ctc.predict_log_proba(X[:2]).shape  # frame posteriors: steps x (blank + 10 digits)
    (2, 18, 11)
    """

    _parameter_constraints: dict = {
        **BaseSequenceNetwork._parameter_constraints,
        "inference_dtype": [StrOptions({"float64", "float32"})],
        "decoding": [StrOptions({"greedy", "beam"})],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "beam_prune_logp": [Interval(Real, None, 0, closed="right"), None],
        "token_min_logp": [Interval(Real, None, 0, closed="right"), None],
    }

    _per_step_output = True

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
        inference_dtype="float32",
        decoding="greedy",
        beam_width=10,
        beam_prune_logp=None,
        token_min_logp=None,
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
        self.inference_dtype = inference_dtype
        self.decoding = decoding
        self.beam_width = beam_width
        self.beam_prune_logp = beam_prune_logp
        self.token_min_logp = token_min_logp
        self.callbacks = callbacks

    def fit(self, X: Any, y: Any, sample_weight: ArrayLike | None = None) -> Self:
        """Train on input sequences ``X`` and their label sequences ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, \
n_channels), or list of sequences
            NaN right-padding and lists of different lengths are variable-length input.
        y : list of sequences, list of str, 1D or 2D padded array-like
            One label sequence per sample (strings are sequences of characters,
            a 1D array holds length-1 sequences). Each may be empty, and must
            fit its input (see the class description).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each sample: it scales the sample's loss (in
            training and in the validation loss of early stopping) and its share
            of the input standardisation; an integer weight counts as that
            many copies of the sample. None weighs every sample 1.

        Returns
        -------
        self : CTCTranscriber
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X: Any) -> Any:
        """Decoded label sequence of each input sequence.

        Parameters
        ----------
        X : array-like or list of sequences
            As in :meth:`fit`.

        Returns
        -------
        y_pred : list or ndarray
            The same kind of object as the ``y`` given to fit: a list of strings
            for strings, a list of lists for token lists, a 1D array for a 1D
            ``y`` (the first label of each prediction), a padded 2D array for a
            padded ``y``.
        """
        log_probs, lengths = self._frame_log_probs(X)
        if self.decoding == "beam":
            sequences, _ = self._beam_search(log_probs, lengths, n_best=1)
            codes = [hyps[0] for hyps in sequences]
        else:
            codes = ctc_greedy_decode(log_probs, lengths)
        return restore_label_sequences(self._to_labels(codes), self._target_kind())

    def predict_nbest(self, X: Any, n_best: int | None = None) -> Any:
        """The ``n_best`` most probable label sequences of each sample (prefix beam search).

        Parameters
        ----------
        X : array-like or list of sequences
        n_best : int or None, default=None
            Hypotheses per sample, at most ``beam_width``; None is ``beam_width``.

        Returns
        -------
        sequences : list of list
            ``sequences[i][k]`` is the ``k``-th best labelling of sample ``i``, as
            one element of the kind of ``y`` given to fit. A sample has fewer
            than ``n_best`` when fewer labellings have a non-zero probability.
        scores : ndarray of shape (n_samples, n_best)
            Log-probability of each labelling summed over its alignments (within
            the beam), best first; ``-inf`` where a hypothesis is missing.
        """
        check_is_fitted(self, "net_")
        n_best = self.beam_width if n_best is None else n_best
        if isinstance(n_best, bool) or not isinstance(n_best, Integral) or not (
            1 <= int(n_best) <= self.beam_width
        ):
            raise ValueError(
                f"n_best must be an integer between 1 and beam_width={self.beam_width}, "
                f"got {n_best!r}."
            )
        log_probs, lengths = self._frame_log_probs(X)
        sequences, scores = self._beam_search(log_probs, lengths, n_best=n_best)
        kind = self._target_kind()
        restored = [list(restore_label_sequences(self._to_labels(h), kind)) for h in sequences]
        return restored, scores

    def predict_log_proba(self, X: Any) -> Any:
        """Frame posteriors: log-probability of the blank and of each label at every step.

        For plotting alignments (e.g. ``plt.imshow(np.exp(lp[0]).T)``), or for
        decoding by hand: ``ctc_beam_search_decode(log_proba, lengths)`` with the
        lengths of the rows of ``X`` reads each row up to its length only, so
        the NaN padding may stay.

        Parameters
        ----------
        X : array-like or list of sequences

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_timesteps, 1 + n_labels)
            Column 0 is the blank, column ``k + 1`` is ``labels_[k]``. Steps after
            the end of a shorter sequence are NaN.
        """
        log_probs, lengths = self._frame_log_probs(X)
        log_probs[np.arange(log_probs.shape[1]) >= lengths[:, None]] = np.nan
        return log_probs

    def score(self, X: Any, y: Any) -> float:
        """One minus the token error rate of the predictions (higher is better).

        ``1 - sum(edit distances) / sum(len(y_i))``: 1.0 when every prediction is
        right; it can fall below 0 when predictions hold many extra labels. For
        strings the tokens are characters, so this is 1 - character error rate.

        Parameters
        ----------
        X : array-like or list of sequences
        y : label sequences, as in fit

        Returns
        -------
        score : float
        """
        return 1.0 - token_error_rate(y, self.predict(X))

    # ------------------------------------------------------------ hooks

    def _prepare_targets(self, y, lengths, *, reset, sample_weight=None):
        sequences, kind = check_label_sequences(y, n_samples=len(lengths), estimator=self)
        if reset and not self._continues_previous_fit():
            self.target_vocabulary_ = TokenVocabulary(
                (_BLANK,), pad_token=_BLANK, unk_token=None
            ).fit(sequences)
            self.labels_ = _as_array(self.target_vocabulary_.tokens_[1:])
            self.target_kind_ = kind.to_plain()
        unseen = [
            (i, t) for i, seq in enumerate(sequences) for t in seq
            if t not in self.target_vocabulary_ or t == _BLANK
        ]
        if unseen:
            row, token = unseen[0]
            raise ValueError(
                f"Row {row} of y holds the label {token!r}, which is not a label of the "
                f"previous fit (warm_start=True keeps the labels {list(self.labels_)!r})."
                if token != _BLANK
                else f"Row {row} of y holds {_BLANK!r}, the name reserved for the blank."
            )
        codes, target_lengths = self.target_vocabulary_.encode(sequences)
        _check_emittable(codes, target_lengths, lengths)
        return {
            "targets": codes if codes.shape[1] else np.zeros((len(codes), 1), np.int64),
            "target_lengths": target_lengths,
            "input_lengths": np.asarray(lengths, dtype=np.int64),
        }

    def _output_size(self):
        return len(self.target_vocabulary_)

    def _build_criterion(self):
        return CTCCriterion()

    # ---------------------------------------------------------- helpers

    def _frame_log_probs(self, X):
        outputs, lengths = self._predict_outputs(X)
        return log_softmax(outputs, axis=2), lengths

    def _beam_search(self, log_probs, lengths, n_best):
        return ctc_beam_search_decode(
            log_probs,
            lengths,
            beam_width=self.beam_width,
            n_best=n_best,
            blank=0,
            beam_prune_logp=self.beam_prune_logp,
            token_min_logp=self.token_min_logp,
        )

    def _to_labels(self, codes):
        tokens = self.target_vocabulary_.tokens_
        return [[tokens[c] for c in seq.tolist()] for seq in codes]

    def _target_kind(self):
        return LabelSequenceKind.from_plain(self.target_kind_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.non_deterministic = self.device != "cpu"
        return tags


def _check_emittable(codes, target_lengths, input_lengths):
    """CTC emits a target in T steps only if T >= its labels + its repeated neighbours."""
    valid = np.arange(codes.shape[1])[None, 1:] < target_lengths[:, None]
    repeats = ((codes[:, 1:] == codes[:, :-1]) & valid).sum(axis=1)
    needed = target_lengths + repeats
    short = np.flatnonzero(needed > input_lengths)
    if short.size:
        row = short[0]
        raise ValueError(
            f"Row {row} of y has {target_lengths[row]} label(s) with {repeats[row]} "
            f"repeat(s), so CTC needs at least {needed[row]} time steps (a blank "
            f"separates equal neighbours), but row {row} of X has only "
            f"{input_lengths[row]}. Give longer inputs or shorter targets."
        )


def _as_array(tokens):
    out = np.empty(len(tokens), dtype=object)
    out[:] = tokens
    if tokens and all(isinstance(t, (int, float, str)) for t in tokens):
        return np.asarray(tokens)
    return out
