"""A next-step model that samples, completes and scores token sequences."""

import math
from numbers import Integral, Real
from typing import Any, Self

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..decoding import sample_search
from ..utils import (
    LabelSequenceKind,
    TokenVocabulary,
    check_label_sequences,
    restore_label_sequences,
)
from ..utils._compat import Interval
from ._base import BaseSequenceNetwork, _holds_strings, fill_docstring
from ._losses import TokenCrossEntropy
from ._modules import SequenceNetwork, build_encoder

__all__ = ["SequenceGenerator"]


def _fill_docstring(cls):
    cls = fill_docstring(cls)
    # The generator always reads tokens: embedding_dim cannot be None.
    cls.__doc__ = cls.__doc__.replace("embedding_dim : int or None,", "embedding_dim : int,", 1)
    return cls


@_fill_docstring
class SequenceGenerator(BaseSequenceNetwork):
    """Next-token model of sequences: sample new ones, complete prefixes, score them.

    Fitted on token sequences (strings, lists of tokens, or a 2D array whose
    values are tokens, right-padded with NaN or None), it learns
    ``P(x_t | x_<t)`` with a causal encoder (each step sees only the past:
    recurrent one way, causal convolutions or a causal attention mask) over
    token embeddings, an end-of-sequence token included, so a sequence's
    probability covers its length too. The encoder is always causal and one-way
    (``causal`` is ignored; ``bidirectional=True`` is an error); ``embedding_dim``
    must be an int.

    Parameters
    ----------
    %(common_parameters)s
    temperature : float, default=1.0
        Default sampling temperature (logits are divided by it); 0 picks the most
        likely token at every step (greedy).
    top_k : int or None, default=None
        Default: sample only among the ``top_k`` most likely tokens.
    max_length : int or None, default=None
        Longest generated continuation; None is the longest sequence seen in fit.
    %(callbacks)s

    Attributes
    ----------
    vocabulary_ : TokenVocabulary
        Tokens seen in fit plus ``<pad>``, ``<unk>``, ``<bos>`` and ``<eos>``.
    max_sequence_length_ : int
        Longest sequence seen in fit.
    kind_ : tuple
        What kind of ``X`` fit received, so generated sequences come back as the
        same kind (strings, token lists or a padded array).
    %(common_attributes)s

    Examples
    --------
    >>> from sklseq.neural import SequenceGenerator
    >>> words = ["abc", "abd", "abc", "abcd"] * 8
    >>> gen = SequenceGenerator(hidden_size=16, batch_size=8, max_epochs=30,
    ...                         random_state=0).fit(words)
    >>> gen.complete(["ab"], temperature=0)
    ['abc']
    >>> bool(gen.perplexity(["abc"]) < gen.perplexity(["dcba"]))
    True
    """

    _parameter_constraints: dict = {
        **BaseSequenceNetwork._parameter_constraints,
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="left")],
        "top_k": [Interval(Integral, 1, None, closed="left"), None],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
    }
    _targets_per_step = True
    _per_step_output = True

    def __init__(
        self,
        architecture="gru",
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
        embedding_dim=32,
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
        temperature=1.0,
        top_k=None,
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
        self.temperature = temperature
        self.top_k = top_k
        self.max_length = max_length
        self.callbacks = callbacks

    def fit(self, X: Any, y: None = None, sample_weight: ArrayLike | None = None) -> Self:
        """Fit the next-token model on sequences.

        Parameters
        ----------
        X : list of str, list of sequences of tokens, or 2D array-like
            The training sequences; a 2D array's values are tokens, right-padded
            with NaN (or None) where rows are shorter.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each sequence: it scales the loss of its
            tokens (in training and in the validation loss of early stopping); an
            integer weight counts as that many copies. None weighs every sequence 1.

        Returns
        -------
        self : SequenceGenerator
        """
        # The targets are the inputs shifted by one step; the base reads them
        # from X through _prepare_targets.
        return self._fit(X, X, sample_weight)

    def score_samples(self, X: Any) -> NDArray[np.float64]:
        """Log-likelihood of each sequence, its end-of-sequence token included.

        Parameters
        ----------
        X : list of str, list of sequences or 2D array-like

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        total, _ = self._log_likelihood(X)
        return total

    def score(self, X: Any, y: None = None) -> float:
        """Mean log-likelihood per token (end-of-sequence included); higher is better.

        Parameters
        ----------
        X : list of str, list of sequences or 2D array-like
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``sum(log P) / n_tokens``; ``perplexity(X) == exp(-score(X))``.
        """
        total, counts = self._log_likelihood(X)
        return float(total.sum() / counts.sum())

    def perplexity(self, X: Any) -> float:
        """Per-token perplexity of the sequences, ``exp(-score(X))``; lower is better.

        Parameters
        ----------
        X : list of str, list of sequences or 2D array-like

        Returns
        -------
        perplexity : float
        """
        return float(np.exp(-self.score(X)))

    def sample(
        self,
        n_samples: int = 1,
        *,
        temperature: float | None = None,
        top_k: int | None = None,
        max_length: int | None = None,
        random_state: Any = None,
    ) -> list[Any]:
        """Draw new sequences from the model.

        Parameters
        ----------
        n_samples : int, default=1
        temperature, top_k, max_length : default=None
            Override the estimator's parameters of the same names.
        random_state : int, RandomState instance or None, default=None
            Seed of this draw; None uses the estimator's ``random_state``.

        Returns
        -------
        sequences : list or ndarray
            ``n_samples`` sequences, as the kind of object fit received (strings
            for strings, lists of tokens for lists, a padded 2D array for arrays).
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        prefixes = np.full((n_samples, 1), self.vocabulary_.bos_index)
        generated = self._generate(
            prefixes, temperature, top_k, max_length, random_state
        )
        sequences = self.vocabulary_.decode(generated)
        return restore_label_sequences(sequences, LabelSequenceKind.from_plain(self.kind_))

    def complete(
        self,
        X: Any,
        *,
        temperature: float | None = None,
        top_k: int | None = None,
        max_length: int | None = None,
        random_state: Any = None,
    ) -> list[Any]:
        """Continue each prefix until end-of-sequence or ``max_length`` new tokens.

        Parameters
        ----------
        X : list of str, list of sequences or 2D array-like
            The prefixes (may be empty sequences).
        temperature, top_k, max_length : default=None
            Override the estimator's parameters of the same names;
            ``temperature=0`` gives the greedy (most likely token) completion.
        random_state : int, RandomState instance or None, default=None
            Seed of this draw; None uses the estimator's ``random_state``.

        Returns
        -------
        sequences : list or ndarray
            Each prefix followed by its continuation, as the kind of object fit
            received.
        """
        check_is_fitted(self)
        seqs = self._read(X, reset=False, allow_empty=True)
        codes, lengths = self.vocabulary_.encode(seqs, add_bos=True)
        out: list[Any] = [None] * len(seqs)
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            generated = self._generate(
                codes[rows, :length], temperature, top_k, max_length, random_state
            )
            new = self.vocabulary_.decode(generated)
            for row, tokens in zip(rows, new):
                out[row] = list(seqs[row]) + tokens
        return restore_label_sequences(out, LabelSequenceKind.from_plain(self.kind_))

    # ----------------------------------------------------------------- hooks

    def _check_settings(self):
        super()._check_settings()
        if self.bidirectional:
            raise ValueError(
                "SequenceGenerator predicts each token from the past only; "
                "bidirectional=True would read the future. Use bidirectional=False."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = False  # token sequences only
        return tags

    def _validate_X(self, X, reset, allow_empty=False, sample_weight=None):
        """Codes of ``<bos>`` followed by each sequence, and their lengths."""
        seqs = self._read(X, reset=reset, allow_empty=allow_empty)
        if reset and not self._continues_previous_fit():
            self.vocabulary_ = TokenVocabulary(
                ("<pad>", "<unk>", "<bos>", "<eos>"), bos_token="<bos>", eos_token="<eos>"
            ).fit(seqs)
            self.max_sequence_length_ = max(len(s) for s in seqs)
        codes, lengths = self.vocabulary_.encode(seqs, add_bos=True)
        return codes, lengths.astype(np.intp)

    def _prepare_targets(self, y, lengths, *, reset, sample_weight=None):
        seqs = self._read(y, reset=False)
        codes, _ = self.vocabulary_.encode(seqs, add_eos=True)
        return codes

    def _output_size(self):
        return len(self.vocabulary_)

    def _build_criterion(self):
        return TokenCrossEntropy(ignore_index=self.vocabulary_.pad_index)

    def _build_module(self, input_size, num_embeddings=None):
        encoder = build_encoder(
            self.architecture,
            self.embedding_dim,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=False,
            dropout=self.dropout,
            layer_norm=self.layer_norm,
            kernel_size=self.kernel_size,
            dilation=self.dilation,
            num_heads=self.num_heads,
            causal=True,
            num_embeddings=len(self.vocabulary_),
        )
        return SequenceNetwork(encoder, len(self.vocabulary_), per_step=True)

    # --------------------------------------------------------------- helpers

    def _read(self, X, *, reset, allow_empty=False):
        if not _holds_strings(X) and not isinstance(X, (list, tuple)):
            X = validate_data(
                self, X, reset=reset, dtype="numeric", ensure_all_finite="allow-nan"
            )
        elif reset and hasattr(self, "n_features_in_"):
            del self.n_features_in_
        seqs, kind = check_label_sequences(X, allow_empty=allow_empty, input_name="X")
        if reset:
            self.kind_ = kind.to_plain()
        return seqs

    def _next_log_probs(self, module, tokens):
        """Log-probabilities of the token after each full row of ``tokens``."""
        lengths = torch.full((len(tokens),), tokens.shape[1], device=tokens.device)
        logits = module(tokens, lengths)[:, -1]
        return torch.log_softmax(logits, dim=-1)

    def _log_likelihood(self, X):
        """Summed log-probability of each sequence and its number of tokens."""
        check_is_fitted(self)
        seqs = self._read(X, reset=False, allow_empty=True)
        vocab = self.vocabulary_
        codes, lengths = vocab.encode(seqs, add_bos=True, add_eos=True)
        # Row i reads <bos> x_1 .. x_n (n + 1 steps) and predicts x_1 .. x_n <eos>.
        inputs, targets, steps = codes[:, :-1], codes[:, 1:], lengths - 1
        module = self._inference_module()
        total = np.zeros(len(seqs))
        with torch.no_grad():
            for rows, x, batch_steps in self._batches(inputs, steps):
                target = torch.as_tensor(targets[rows, : x.shape[1]], device=x.device)
                logits = module(x, batch_steps)
                picked = torch.log_softmax(logits, dim=-1).gather(-1, target[..., None])
                valid = target != vocab.pad_index
                total[rows] = (picked[..., 0] * valid).sum(dim=1).cpu().numpy()
        return total, steps

    def _generate(self, prefixes, temperature, top_k, max_length, random_state):
        """New tokens after each prefix ``(B, L)`` of codes (bos first), batched."""
        _check_generation_settings(temperature, top_k, max_length)
        temperature = self.temperature if temperature is None else temperature
        top_k = self.top_k if top_k is None else top_k
        if max_length is None:
            max_length = self.max_length or self.max_sequence_length_
        rng = check_random_state(
            self.random_state if random_state is None else random_state
        )
        device = self.net_.device
        generator = torch.Generator(device=device)
        generator.manual_seed(int(rng.randint(np.iinfo(np.int32).max)))
        vocab = self.vocabulary_
        # Only real tokens and the end token may be emitted.
        banned = [vocab.pad_index, vocab.bos_index, vocab.unk_index]
        module = self._inference_module()

        def step(tokens, state):
            log_probs = self._next_log_probs(module, tokens)
            log_probs[:, banned] = float("-inf")
            return log_probs, state

        with torch.no_grad():
            result = sample_search(
                step,
                torch.as_tensor(prefixes, device=device),
                eos_index=vocab.eos_index,
                max_length=max_length,
                temperature=temperature,
                top_k=top_k,
                generator=generator,
                pad_index=vocab.pad_index,
            )
        return result.sequences[:, 0]


def _check_generation_settings(temperature, top_k, max_length):
    """Per-call overrides: None (the estimator's setting) or a valid value."""
    if temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, Real)
        or not math.isfinite(temperature)
        or temperature < 0
    ):
        raise ValueError(f"temperature must be a finite number >= 0; got {temperature!r}.")
    for name, value in (("top_k", top_k), ("max_length", max_length)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, Integral) or value < 1
        ):
            raise ValueError(f"{name} must be a positive integer or None; got {value!r}.")
