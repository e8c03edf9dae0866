"""Token vocabularies: map tokens to integer codes and back."""

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from itertools import chain, islice
from numbers import Integral
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

__all__ = ["TokenVocabulary"]


class TokenVocabulary:
    """Bidirectional map between tokens and integer codes.

    Special tokens come first, in the order of ``specials`` (then any role token
    not listed there: pad, unk, bos, eos). The tokens seen in :meth:`fit` follow,
    sorted when they are mutually comparable, else in order of first appearance,
    so the same data always gives the same codes.

    Tokens may be any hashable: characters, words, ints. A data token equal to a
    special token maps to that special's code.

    Parameters
    ----------
    specials : tuple of hashable, default=("<pad>", "<unk>")
        Special tokens placed first, in this order.
    pad_token : hashable, default="<pad>"
        Token whose code pads encoded sequences (``pad_index``). Added to the
        specials if not listed there.
    unk_token : hashable or None, default="<unk>"
        Token that unseen tokens map to (``unk_index``). With None, an unseen
        token raises a ``ValueError`` in :meth:`encode`.
    bos_token, eos_token : hashable or None, default=None
        Begin / end-of-sequence tokens (``bos_index``, ``eos_index``), added to
        the specials when given.
    min_frequency : int, default=1
        Tokens seen fewer times in :meth:`fit` are left out (they encode as
        unknown).

    Attributes
    ----------
    tokens_ : list
        Token of each code: ``tokens_[code]``.
    index_ : dict
        Code of each token.
    pad_index, unk_index, bos_index, eos_index : int or None
        Codes of the special tokens (None for a role without a token).

    Examples
    --------
    >>> vocab = TokenVocabulary(eos_token="<eos>").fit(["cab", "abba"])
    >>> vocab.tokens_
    ['<pad>', '<unk>', '<eos>', 'a', 'b', 'c']
    >>> codes, lengths = vocab.encode(["abc", "bad"])
    >>> codes
    array([[3, 4, 5],
           [4, 3, 1]])
    >>> vocab.decode(codes, lengths)
    [['a', 'b', 'c'], ['b', 'a', '<unk>']]
    """

    tokens_: list[Hashable]
    index_: dict[Hashable, int]
    pad_index: int
    unk_index: int | None
    bos_index: int | None
    eos_index: int | None

    def __init__(
        self,
        specials: tuple[Hashable, ...] = ("<pad>", "<unk>"),
        *,
        pad_token: Hashable = "<pad>",
        unk_token: Hashable | None = "<unk>",
        bos_token: Hashable | None = None,
        eos_token: Hashable | None = None,
        min_frequency: int = 1,
    ) -> None:
        self.specials = specials
        self.pad_token = pad_token
        self.unk_token = unk_token
        self.bos_token = bos_token
        self.eos_token = eos_token
        self.min_frequency = min_frequency

    def fit(self, sequences: Iterable[Iterable[Hashable]]) -> Self:
        """Learn the tokens of ``sequences``.

        Parameters
        ----------
        sequences : iterable of sequences of hashable
            E.g. a list of strings, or the token lists returned by
            :func:`check_label_sequences`.

        Returns
        -------
        self : TokenVocabulary
        """
        if self.pad_token is None:
            raise ValueError("pad_token must be a token, got None.")
        if not isinstance(self.min_frequency, Integral) or self.min_frequency < 1:
            raise ValueError(
                f"min_frequency must be an integer >= 1, got {self.min_frequency!r}."
            )
        specials = list(dict.fromkeys(self.specials))
        for token in (self.pad_token, self.unk_token, self.bos_token, self.eos_token):
            if token is not None and token not in specials:
                specials.append(token)
        counts: Counter[Hashable] = Counter()
        for i, seq in enumerate(_iter_sequences(sequences, "sequences")):
            try:
                counts.update(seq)
            except TypeError as exc:
                raise TypeError(
                    f"sequences[{i}] holds an unhashable token ({exc}); tokens must be "
                    "hashable (str, int, ...)."
                ) from None
        learned = [t for t, c in counts.items() if c >= self.min_frequency]
        special_set = set(specials)
        learned = _deterministic_order([t for t in learned if t not in special_set])
        self.tokens_ = specials + learned
        self.index_ = {token: code for code, token in enumerate(self.tokens_)}
        self.pad_index = self.index_[self.pad_token]
        self.unk_index = None if self.unk_token is None else self.index_[self.unk_token]
        self.bos_index = None if self.bos_token is None else self.index_[self.bos_token]
        self.eos_index = None if self.eos_token is None else self.index_[self.eos_token]
        return self

    def __len__(self) -> int:
        self._check_fitted()
        return len(self.tokens_)

    def __contains__(self, token: object) -> bool:
        self._check_fitted()
        try:
            return token in self.index_
        except TypeError:
            return False

    def encode(
        self,
        sequences: Iterable[Iterable[Hashable]],
        *,
        add_bos: bool = False,
        add_eos: bool = False,
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Codes of the tokens of each sequence, right-padded with ``pad_index``.

        Parameters
        ----------
        sequences : iterable of sequences of hashable
        add_bos, add_eos : bool, default=False
            Put ``bos_token`` first / ``eos_token`` last in each sequence.

        Returns
        -------
        codes : ndarray of shape (n_sequences, max_length), dtype int64
            ``max_length`` counts the added bos / eos tokens.
        lengths : ndarray of shape (n_sequences,), dtype int64

        Raises
        ------
        ValueError
            For an unseen token when ``unk_token`` is None (naming the sequence),
            or ``add_bos`` / ``add_eos`` without that token.
        """
        self._check_fitted()
        if add_bos and self.bos_index is None:
            raise ValueError("add_bos=True needs a bos_token; set bos_token=... before fit.")
        if add_eos and self.eos_index is None:
            raise ValueError("add_eos=True needs an eos_token; set eos_token=... before fit.")
        seqs = [s if hasattr(s, "__len__") else list(s)
                for s in _iter_sequences(sequences, "sequences")]
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        flat = list(chain.from_iterable(seqs))
        index = self.index_
        missing = -1 if self.unk_index is None else self.unk_index
        try:
            try:
                flat_codes = list(map(index.__getitem__, flat))
            except KeyError:
                flat_codes = [index.get(t, missing) for t in flat]
        except TypeError as exc:
            raise TypeError(
                f"sequences hold an unhashable token ({exc}); tokens must be hashable."
            ) from None
        flat_codes = np.array(flat_codes, dtype=np.int64)
        if missing == -1 and (flat_codes < 0).any():
            pos = int(np.flatnonzero(flat_codes < 0)[0])
            row = int(np.searchsorted(np.cumsum(lengths), pos, side="right"))
            raise ValueError(
                f"sequences[{row}] holds the token {flat[pos]!r}, unseen at fit, and "
                "unk_token is None; set unk_token to map unseen tokens."
            )
        offset = int(add_bos)
        total = lengths + offset + int(add_eos)
        width = int(total.max()) if len(total) else 0
        codes = np.full((len(seqs), width), self.pad_index, dtype=np.int64)
        rows = np.repeat(np.arange(len(seqs)), lengths)
        starts = np.cumsum(lengths) - lengths
        cols = np.arange(len(flat)) - np.repeat(starts, lengths) + offset
        codes[rows, cols] = flat_codes
        if self.bos_index is not None and add_bos:
            codes[:, 0] = self.bos_index
        if self.eos_index is not None and add_eos:
            codes[np.arange(len(seqs)), lengths + offset] = self.eos_index

        return codes, total

    def decode(
        self, codes: Any, lengths: Any = None, *, strip_specials: bool = True
    ) -> list[list[Hashable]]:
        """Tokens of each row of codes.

        Parameters
        ----------
        codes : array-like or tensor of shape (n_sequences, max_length)
        lengths : array-like of shape (n_sequences,), default=None
            Number of codes to read from each row; all of them when None.
        strip_specials : bool, default=True
            Stop each row at its first ``eos_token`` and drop pad and bos codes.
            Unknown codes always decode to ``unk_token``.

        Returns
        -------
        sequences : list of list
            The tokens of each row.
        """
        self._check_fitted()
        codes = np.asarray(_to_numpy(codes))
        if codes.ndim != 2:
            raise ValueError(
                f"codes must be 2D (n_sequences, max_length), got shape {codes.shape}."
            )
        if codes.size and not np.issubdtype(codes.dtype, np.integer):
            raise TypeError(f"codes must be integers, got dtype {codes.dtype}.")
        codes = codes.astype(np.int64, copy=False)
        if lengths is None:
            lengths = np.full(len(codes), codes.shape[1], dtype=np.int64)
        lengths = np.asarray(_to_numpy(lengths)).astype(np.int64)
        if lengths.shape != (len(codes),) or (lengths < 0).any():
            raise ValueError(
                f"lengths must hold one non-negative length per row of codes "
                f"({len(codes)}), got {lengths!r}."
            )
        if (lengths > codes.shape[1]).any():
            row = int(np.flatnonzero(lengths > codes.shape[1])[0])
            raise ValueError(
                f"lengths[{row}]={lengths[row]} exceeds the {codes.shape[1]} columns of codes."
            )
        valid = np.arange(codes.shape[1]) < lengths[:, None]
        bad = valid & ((codes < 0) | (codes >= len(self.tokens_)))
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"codes[{row}, {col}]={codes[row, col]} is not a code of this "
                f"vocabulary (0 to {len(self.tokens_) - 1})."
            )
        if strip_specials:
            if self.eos_index is not None and codes.shape[1]:
                is_eos = valid & (codes == self.eos_index)
                first_eos = np.where(is_eos.any(axis=1), is_eos.argmax(axis=1), codes.shape[1])
                valid &= np.arange(codes.shape[1]) < first_eos[:, None]
            valid &= codes != self.pad_index
            if self.bos_index is not None:
                valid &= codes != self.bos_index
        tokens: NDArray[np.object_] = np.empty(len(self.tokens_), dtype=object)
        for code, token in enumerate(self.tokens_):
            tokens[code] = token  # element-wise, so tuple tokens stay tuples
        flat = iter(tokens[codes[valid]].tolist())
        return [list(islice(flat, n)) for n in valid.sum(axis=1).tolist()]

    def _check_fitted(self) -> None:
        if not hasattr(self, "tokens_"):
            raise AttributeError(
                "This TokenVocabulary is not fitted yet; call fit(sequences) first."
            )

    def __repr__(self) -> str:
        size = f", {len(self.tokens_)} tokens" if hasattr(self, "tokens_") else ""
        return (
            f"TokenVocabulary(specials={self.specials!r}, pad_token={self.pad_token!r}, "
            f"unk_token={self.unk_token!r}, bos_token={self.bos_token!r}, "
            f"eos_token={self.eos_token!r}{size})"
        )


def _iter_sequences(sequences: Any, name: str) -> Iterator[Any]:
    if isinstance(sequences, str):
        raise TypeError(
            f"{name} is a single string; pass a list of sequences, e.g. [{sequences!r}]."
        )
    try:
        iterator = iter(sequences)
    except TypeError:
        raise TypeError(
            f"{name} must be an iterable of sequences, got {type(sequences).__name__}."
        ) from None
    for seq in iterator:
        if isinstance(seq, np.ndarray):
            seq = seq.tolist()
        yield seq


def _deterministic_order(tokens: list[Hashable]) -> list[Hashable]:
    try:
        return sorted(tokens)  # type: ignore[type-var]  # TypeError below when not comparable

    except TypeError:
        return tokens


def _to_numpy(values: Any) -> Any:
    if hasattr(values, "detach"):
        return values.detach().cpu().numpy()
    return values
