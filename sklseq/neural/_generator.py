"""A next-step model that samples, completes and scores token sequences."""

import copy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn
from torch.nn import functional as F

from ..utils._tokens import (
    TokenVocabulary,
    check_label_sequences,
    restore_label_sequences,
)
from ._modules._decoders import NextStepModel
from ._base import _holds_strings

__all__ = ["SequenceGenerator"]


class SequenceGenerator(BaseEstimator):
    """Next-token model of sequences: sample new ones, complete prefixes, score them.

    Fitted on token sequences (strings, lists of tokens, or a 2D array whose
    values are tokens, right-padded with NaN), it learns
    ``P(x_t | x_<t)`` with a causal recurrent or transformer network, an
    end-of-sequence token included, so a sequence's probability covers its
    length too.

    Parameters
    ----------
    architecture : {"rnn", "lstm", "gru", "transformer"}, default="gru"
        ``"transformer"`` uses a causal attention mask.
    embedding_dim : int, default=32
    hidden_size : int, default=64
    num_layers : int, default=1
    num_heads : int, default=4
        Transformer heads; must divide ``hidden_size``.
    dropout : float, default=0.0
    temperature : float, default=1.0
        Default sampling temperature (logits are divided by it); 0 picks the most
        likely token at every step (greedy).
    top_k : int or None, default=None
        Default: sample only among the ``top_k`` most likely tokens.
    max_length : int or None, default=None
        Longest generated continuation; None is the longest sequence seen in fit.
    lr : float, default=0.003
        Adam learning rate.
    batch_size : int, default=32
    max_epochs : int, default=30
    clip_grad_norm : float or None, default=1.0
    device : {"cpu", "cuda"}, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds training (inside ``torch.random.fork_rng``) and, unless a method
        gets its own, sampling.
    verbose : int, default=0
    warm_start : bool, default=False

    Attributes
    ----------
    module_ : NextStepModel
    vocabulary_ : TokenVocabulary
        Tokens seen in fit plus ``<pad>``, ``<unk>``, ``<bos>``, ``<eos>``.
    history_ : list of dict
        Training loss of each epoch.
    max_sequence_length_ : int
        Longest sequence seen in fit.

    Examples
    --------
    >>> from sklseq.neural import SequenceGenerator
    >>> words = ["abc", "abd", "abc", "abcd"] * 8
    >>> gen = SequenceGenerator(hidden_size=16, batch_size=8, random_state=0).fit(words)
    >>> gen.complete(["ab"], temperature=0)
    ['abc']
    >>> bool(gen.perplexity(["abc"]) < gen.perplexity(["dcba"]))
    True
    """

    _parameter_constraints: dict = {
        "architecture": [StrOptions({"rnn", "lstm", "gru", "transformer"})],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "num_heads": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="left")],
        "top_k": [Interval(Integral, 1, None, closed="left"), None],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "device": [StrOptions({"cpu", "cuda"}), torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        architecture="gru",
        *,
        embedding_dim=32,
        hidden_size=64,
        num_layers=1,
        num_heads=4,
        dropout=0.0,
        temperature=1.0,
        top_k=None,
        max_length=None,
        lr=0.003,
        batch_size=32,
        max_epochs=30,
        clip_grad_norm=1.0,
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.architecture = architecture
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.dropout = dropout
        self.temperature = temperature
        self.top_k = top_k
        self.max_length = max_length
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.clip_grad_norm = clip_grad_norm
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def fit(self, X, y=None):
        """Fit the next-token model on sequences.

        Parameters
        ----------
        X : list of str, list of sequences of tokens, or 2D array-like
            The training sequences; a 2D array's values are tokens, right-padded
            with NaN (or None) where rows are shorter.
        y : None
            Ignored.

        Returns
        -------
        self : SequenceGenerator
        """
        self._validate_params()
        if self.architecture == "transformer" and self.hidden_size % self.num_heads:
            raise ValueError(
                f"hidden_size={self.hidden_size} must be divisible by "
                f"num_heads={self.num_heads} for architecture='transformer'."
            )
        device = torch.device(self.device)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                "device='cuda' was requested but torch finds no CUDA device; use "
                "device='cpu'."
            )
        self._device_ = device
        warm = self.warm_start and hasattr(self, "module_")
        seqs = self._read(X, reset=not warm)
        if not warm:
            self.vocabulary_ = TokenVocabulary(
                ("<pad>", "<unk>", "<bos>", "<eos>"), bos_token="<bos>", eos_token="<eos>"
            ).fit(seqs)
            self.max_sequence_length_ = max(len(s) for s in seqs)
        codes, _ = self.vocabulary_.encode(seqs, add_bos=True, add_eos=True)
        codes = torch.as_tensor(codes, device=device)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            if not warm:
                self.module_ = self._build_module().to(device)
                self.history_ = []
            self._train(codes)
        return self

    def score_samples(self, X):
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

    def score(self, X, y=None):
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

    def perplexity(self, X):
        """Per-token perplexity of the sequences, ``exp(-score(X))``; lower is better.

        Parameters
        ----------
        X : list of str, list of sequences or 2D array-like

        Returns
        -------
        perplexity : float
        """
        return float(np.exp(-self.score(X)))

    def sample(self, n_samples=1, *, temperature=None, top_k=None, max_length=None,
               random_state=None):
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
        return restore_label_sequences(self.vocabulary_.decode(generated), self.kind_)

    def complete(self, X, *, temperature=None, top_k=None, max_length=None,
                 random_state=None):
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
        out = [None] * len(seqs)
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            generated = self._generate(
                codes[rows, :length], temperature, top_k, max_length, random_state
            )
            new = self.vocabulary_.decode(generated)
            for row, tokens in zip(rows, new):
                out[row] = list(seqs[row]) + tokens
        return restore_label_sequences(out, self.kind_)

    # ---------------------------------------------------------------- helpers
    def _read(self, X, *, reset, allow_empty=False):
        if not _holds_strings(X) and not isinstance(X, (list, tuple)):
            X = validate_data(
                self, X, reset=reset, dtype="numeric", ensure_all_finite="allow-nan"
            )
        elif reset and hasattr(self, "n_features_in_"):
            del self.n_features_in_
        seqs, kind = check_label_sequences(X, allow_empty=allow_empty, input_name="X")
        if reset:
            self.kind_ = kind
        return seqs

    def _build_module(self):
        return NextStepModel(
            self.architecture,
            len(self.vocabulary_),
            self.embedding_dim,
            self.hidden_size,
            num_layers=self.num_layers,
            num_heads=self.num_heads,
            dropout=self.dropout,
            pad_index=self.vocabulary_.pad_index,
            max_length=max(512, self.max_sequence_length_ + 2),
        )

    def _train(self, codes):
        module = self.module_
        optimizer = torch.optim.Adam(module.parameters(), lr=self.lr)
        pad = self.vocabulary_.pad_index
        lengths = (codes != pad).sum(dim=1)
        n = len(codes)
        first = len(self.history_)
        module.train()
        for epoch in range(first, first + self.max_epochs):
            order = torch.randperm(n, device=codes.device)
            total = 0.0
            for start in range(0, n, self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = codes[idx, : int(lengths[idx].max())]
                logits, _ = module(batch[:, :-1])
                loss = F.cross_entropy(
                    logits.flatten(0, 1), batch[:, 1:].flatten(), ignore_index=pad
                )
                if not torch.isfinite(loss):
                    raise FloatingPointError(
                        f"The training loss became {loss.item()} at epoch {epoch + 1}; "
                        "try a lower lr or set clip_grad_norm (e.g. 1.0)."
                    )
                optimizer.zero_grad()
                loss.backward()
                if self.clip_grad_norm is not None:
                    nn.utils.clip_grad_norm_(module.parameters(), self.clip_grad_norm)
                optimizer.step()
                total += loss.item() * len(idx)
            self.history_.append({"epoch": epoch + 1, "train_loss": total / n})
            if self.verbose:
                print(f"epoch {epoch + 1:3d}  train_loss {total / n:.4f}")
        module.eval()
        self.n_iter_ = len(self.history_)

    def _inference_module(self):
        return copy.deepcopy(self.module_).double().eval()

    def _log_likelihood(self, X):
        check_is_fitted(self)
        seqs = self._read(X, reset=False, allow_empty=True)
        codes, _ = self.vocabulary_.encode(seqs, add_bos=True, add_eos=True)
        codes = torch.as_tensor(codes, device=self._device_)
        module = self._inference_module()
        with torch.no_grad():
            logits, _ = module(codes[:, :-1])
            log_probs = torch.log_softmax(logits, dim=-1)
            target = codes[:, 1:]
            picked = log_probs.gather(-1, target.unsqueeze(-1)).squeeze(-1)
            valid = target != self.vocabulary_.pad_index
            total = (picked * valid).sum(dim=1)
        return total.cpu().numpy(), valid.sum(dim=1).cpu().numpy()

    def _generate(self, prefixes, temperature, top_k, max_length, random_state):
        """New tokens after each prefix ``(B, L)`` of codes (bos first), batched."""
        temperature = self.temperature if temperature is None else temperature
        top_k = self.top_k if top_k is None else top_k
        max_length = max_length or self.max_length or self.max_sequence_length_
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0; got {temperature!r}.")
        if top_k is not None and (not isinstance(top_k, Integral) or top_k < 1):
            raise ValueError(f"top_k must be a positive integer or None; got {top_k!r}.")
        rng = check_random_state(
            self.random_state if random_state is None else random_state
        )
        generator = torch.Generator(device=self._device_)
        generator.manual_seed(int(rng.randint(np.iinfo(np.int32).max)))
        vocab = self.vocabulary_
        # Only real tokens and end-of-sequence may be emitted.
        banned = [vocab.pad_index, vocab.bos_index, vocab.unk_index]
        module = self._inference_module()
        tokens = torch.as_tensor(prefixes, device=self._device_)
        n = len(tokens)
        finished = torch.zeros(n, dtype=torch.bool, device=tokens.device)
        out = []
        with torch.no_grad():
            logits, state = module(tokens)
            for _ in range(max_length):
                step = logits[:, -1].clone()
                step[:, banned] = float("-inf")
                choice = _choose(step, temperature, top_k, generator)
                choice = choice.masked_fill(finished, vocab.pad_index)
                out.append(choice)
                finished |= choice == vocab.eos_index
                if finished.all():
                    break
                logits, state = module(choice.unsqueeze(1), state)
        return torch.stack(out, dim=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.device != "cpu"
        return tags


def _choose(logits, temperature, top_k, generator):
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = logits / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(1)
