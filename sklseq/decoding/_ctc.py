"""CTC decoders: best path (greedy) and prefix beam search, batched over samples.

Both take frame log-probabilities ``log_probs`` of shape
``(n_samples, n_frames, n_labels)`` (the log-softmax output of a CTC model) and
the number of valid frames of each sample, and return label sequences without
blanks. The prefix beam search (Graves 2012; Hannun et al. 2014) keeps, for each
sample, the ``beam_width`` most probable *prefixes* (label sequences, each with
the probability of all its alignments so far, split into "ends in blank" and
"ends in a label"). All samples and beams advance together, one frame at a time,
as numpy arrays: each prefix is identified by a 64-bit hash of its labels, so
that an extension ``prefix + c`` that equals a prefix already in the beam is
found by comparing hashes instead of dictionary look-ups.

Two layouts share that scheme. Without pruning every sample keeps
``beam_width`` prefixes, so they sit in fixed ``(n_samples, beam_width)`` slots.
With pruning (``beam_prune_logp`` / ``token_min_logp``) samples keep different,
often very few, prefixes, so they sit in one flat list sorted by sample and the
work follows the hypotheses that survive.
"""

from numbers import Integral, Real
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

__all__ = ["ctc_beam_search_decode", "ctc_greedy_decode"]

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@overload
def ctc_greedy_decode(
    log_probs: Any,
    lengths: Any = ...,
    *,
    blank: int = ...,
    return_scores: Literal[False] = ...,
) -> list[NDArray[np.int64]]: ...


@overload
def ctc_greedy_decode(
    log_probs: Any, lengths: Any = ..., *, blank: int = ..., return_scores: Literal[True]
) -> tuple[list[NDArray[np.int64]], NDArray[np.float64]]: ...


def ctc_greedy_decode(
    log_probs: Any, lengths: Any = None, *, blank: int = 0, return_scores: bool = False
) -> list[NDArray[np.int64]] | tuple[list[NDArray[np.int64]], NDArray[np.float64]]:
    """Best-path CTC decoding: the most probable label of each frame, collapsed.

    Takes the arg-max label of every frame, merges consecutive repeats and drops
    blanks. This is the labelling of the single most probable alignment.

    Parameters
    ----------
    log_probs : array-like or tensor of shape (n_samples, n_frames, n_labels)
        Frame log-probabilities (probabilities also work: only the arg-max is
        used for the labels).
    lengths : array-like of shape (n_samples,), default=None
        Valid frames of each sample; all ``n_frames`` when None.
    blank : int, default=0
        Index of the blank label.
    return_scores : bool, default=False
        Also return the log-probability of each best path.

    Returns
    -------
    sequences : list of ndarray of shape (n_labels_i,)
        The decoded label indices of each sample (no blanks).
    scores : ndarray of shape (n_samples,)
        Log-probability of the best path (sum of the frame maxima). Only when
        ``return_scores=True``.

    Examples
    --------
    >>> import numpy as np
    >>> best = np.array([[1, 1, 0, 1, 2, 2, 0]])  # a a - a b b -
    >>> log_probs = np.log(np.where(np.eye(3)[best] == 1, 0.9, 0.05))
    >>> ctc_greedy_decode(log_probs)
    [array([1, 1, 2])]
    """
    log_probs, lengths = _check_log_probs(log_probs, lengths, blank)
    n_samples, n_frames, _ = log_probs.shape
    best = log_probs.argmax(axis=2)
    valid = np.arange(n_frames) < lengths[:, None]
    previous = np.concatenate([np.full((n_samples, 1), -1), best[:, :-1]], axis=1)
    keep = valid & (best != blank) & (best != previous)
    sequences = _split_rows(best, keep)
    if not return_scores:
        return sequences
    frame_max = np.take_along_axis(log_probs, best[:, :, None], axis=2)[:, :, 0]
    scores = np.where(valid, frame_max, 0.0).sum(axis=1)
    return sequences, scores


def ctc_beam_search_decode(
    log_probs: Any,
    lengths: Any = None,
    *,
    beam_width: int = 10,
    n_best: int = 1,
    blank: int = 0,
    beam_prune_logp: float | None = None,
    token_min_logp: float | None = None,
) -> tuple[list[list[NDArray[np.int64]]], NDArray[np.float64]]:
    """CTC prefix beam search, batched over samples and beams.

    At every frame each kept prefix either stays (the frame emits a blank or
    repeats the prefix's last label) or grows by one label; hypotheses reaching
    the same prefix are merged by adding their probabilities, and the
    ``beam_width`` most probable prefixes are kept. The score of a prefix is the
    log of its probability summed over all its alignments, so with a wide enough
    beam the search returns the most probable labelling.

    Parameters
    ----------
    log_probs : array-like or tensor of shape (n_samples, n_frames, n_labels)
        Frame log-probabilities (log-softmax outputs).
    lengths : array-like of shape (n_samples,), default=None
        Valid frames of each sample; all ``n_frames`` when None.
    beam_width : int, default=10
        Prefixes kept per sample after each frame.
    n_best : int, default=1
        Hypotheses returned per sample, best first; at most ``beam_width``.
    blank : int, default=0
        Index of the blank label.
    beam_prune_logp : float or None, default=None
        Pruning: drop hypotheses whose score is below the best one's by more
        than ``-beam_prune_logp`` (a negative number, e.g. -10.0, as in
        pyctcdecode). None keeps all ``beam_width``.
    token_min_logp : float or None, default=None
        Pruning: labels whose frame log-probability is below this do not grow
        prefixes at that frame, unless they are the frame's most probable label
        (as pyctcdecode's option of the same name). None considers every label.

    Returns
    -------
    sequences : list of list of ndarray
        ``sequences[i][k]`` is the ``k``-th best labelling of sample ``i``
        (label indices, no blanks). A sample has fewer than ``n_best``
        hypotheses when fewer prefixes have a non-zero probability.
    scores : ndarray of shape (n_samples, n_best)
        Log-probability of each returned labelling, summed over its alignments;
        ``-inf`` where a hypothesis is missing.

    Examples
    --------
    >>> import numpy as np
    >>> probs = np.array([[[0.6, 0.4], [0.6, 0.4]]])  # blank, "a"; two frames
    >>> sequences, scores = ctc_beam_search_decode(np.log(probs), n_best=2)
    >>> sequences  # "a" (0.64 over its 3 alignments) beats "" (0.36)
    [[array([1]), array([], dtype=int64)]]
    >>> np.exp(scores).round(2)
    array([[0.64, 0.36]])
    >>> ctc_greedy_decode(np.log(probs))  # the best single path is blank, blank
    [array([], dtype=int64)]
    """
    log_probs, lengths = _check_log_probs(log_probs, lengths, blank)
    if log_probs.shape[2] < 2:
        raise ValueError(
            f"log_probs has {log_probs.shape[2]} label(s); CTC needs the blank and at "
            "least one other label."
        )
    beam_width = _check_int(beam_width, "beam_width")
    n_best = _check_int(n_best, "n_best")
    if n_best > beam_width:
        raise ValueError(
            f"n_best={n_best} is larger than beam_width={beam_width}; the search keeps "
            "only beam_width hypotheses. Raise beam_width or lower n_best."
        )
    for name, value in (("beam_prune_logp", beam_prune_logp), ("token_min_logp", token_min_logp)):
        if value is not None and (not isinstance(value, Real) or not value <= 0):
            raise ValueError(f"{name} must be a log-probability <= 0 or None, got {value!r}.")

    # Longest samples first, so the samples still running at frame t are a prefix.
    order = np.argsort(-lengths, kind="stable")
    log_probs, lengths = log_probs[order], lengths[order]
    if beam_prune_logp is None and token_min_logp is None:
        labels, scores = _dense_search(log_probs, lengths, beam_width, n_best, blank)
    else:
        labels, scores = _pruned_search(
            log_probs, lengths, beam_width, n_best, blank, beam_prune_logp, token_min_logp
        )

    n_samples = len(lengths)
    flat = labels.reshape(n_samples * n_best, -1)
    flat = _split_rows(flat, flat >= 0)
    found = np.isfinite(scores)
    sorted_hyps = [
        [flat[i * n_best + k] for k in range(n_best) if found[i, k]] for i in range(n_samples)
    ]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(n_samples)
    return [sorted_hyps[j] for j in inverse], scores[inverse]


def _dense_search(log_probs, lengths, beam_width, n_best, blank):
    """Prefix beam search in fixed (n_samples, beam_width) slots; samples sorted by length.

    Returns labels (n_samples, n_best, n_frames), -1 where none, and scores
    (n_samples, n_best).
    """
    beams = _Beams(len(lengths), beam_width)
    steps = beams.search(log_probs, lengths, blank)
    totals = np.logaddexp(beams.log_blank, beams.log_label)
    ranked = np.argsort(-totals, axis=1, kind="stable")[:, :n_best]
    scores = np.take_along_axis(totals, ranked, axis=1)
    return _backtrack(steps, ranked, log_probs.shape[1]), scores


class _Beams:
    """The beams of every sample, advanced one frame at a time.

    Arrays of shape (n_samples, beam_width): ``hash`` of each prefix, ``parent``
    (hash of the prefix without its last label), ``last`` label (-1 for the
    empty prefix), ``log_blank`` / ``log_label`` (log-probability of the
    alignments so far that end in a blank / in the last label; both -inf for an
    unused slot). Each frame works on the ``m`` samples still running and the
    ``width`` slots in use (fewer than ``beam_width`` in the first frames).
    """

    def __init__(self, n_samples, beam_width):
        self.beam_width = beam_width
        self.hash = np.zeros((n_samples, beam_width), dtype=np.uint64)
        self.parent = np.zeros((n_samples, beam_width), dtype=np.uint64)
        self.last = np.full((n_samples, beam_width), -1, dtype=np.intp)
        self.log_blank = np.full((n_samples, beam_width), -np.inf)
        self.log_label = np.full((n_samples, beam_width), -np.inf)
        # A different empty-prefix hash per sample keeps hashes distinct across samples.
        self.hash[:, 0] = _mix(np.arange(1, n_samples + 1, dtype=np.uint64) * _GOLDEN)
        self.parent[:, 0] = ~self.hash[:, 0]
        self.log_blank[:, 0] = 0.0

    def search(self, log_probs, lengths, blank):
        """Run every frame; returns, per frame, each slot's source slot and added label."""
        n_frames, n_labels = log_probs.shape[1:]
        labels = np.delete(np.arange(n_labels), blank)
        label_log_probs = np.ascontiguousarray(log_probs[:, :, labels])
        # Column of each label in label_log_probs; the blank and last = -1 get -1.
        label_column = np.full(n_labels + 1, -1, dtype=np.intp)
        label_column[labels] = np.arange(len(labels))
        frame = _Frame(labels, label_column, blank, self.beam_width)
        n_running = np.searchsorted(-lengths, -np.arange(n_frames), side="left")
        width = 1
        steps = []
        for t in range(n_frames):
            m = n_running[t]
            if m == 0:
                break
            frame.set(log_probs[:m, t], label_log_probs[:m, t])
            source, added, width = self._advance(m, width, frame)
            steps.append((source, added))
        return steps

    def _advance(self, m, width, frame):
        rows = np.arange(m)[:, None]
        log_blank = self.log_blank[:m, :width]
        log_label = self.log_label[:m, :width]
        last = self.last[:m, :width]
        hashes = self.hash[:m, :width]
        parents = self.parent[:m, :width]
        log_total = np.logaddexp(log_blank, log_label)

        # Staying: a blank after anything, or the last label repeated without a blank.
        log_p_last = frame.log_p[rows, last]  # the empty prefix (-1) has log_label = -inf
        stay_blank = log_total + frame.log_p[:, frame.blank, None]
        stay_label = log_label + log_p_last
        # Growing slot p by label c gives a prefix q already kept when q's parent
        # is p and q's last label is c: that probability goes to q.
        source, has_source = _find_parents(hashes, parents, rows)
        source_base = np.where(
            last[rows, source] == last, log_blank[rows, source], log_total[rows, source]
        )
        merged = np.logaddexp(stay_label, source_base + log_p_last)
        stay_label = np.where(has_source, merged, stay_label)

        # Growing into a new prefix. Candidates per slot: [stay, one per extension label].
        n_ext = frame.n_ext
        stride = n_ext + 1
        by_slot = np.empty((m, width, stride))
        np.add(log_total[:, :, None], frame.ext_log_p[:, None, :], out=by_slot[:, :, 1:])
        candidates = by_slot.reshape(m, width * stride)
        slot_start = np.arange(width) * stride
        # Repeating the last label extends only the alignments that end in a blank.
        # (Writes with nowhere to go land on the slot's stay, written last.)
        k = frame.column_of(last, rows)
        repeat = k >= 0
        candidates[rows, np.where(repeat, slot_start + 1 + k, slot_start)] = (
            log_blank + frame.ext_log_p[rows, k]
        )
        # The extension that is already the kept prefix q is counted in q only.
        dup = has_source & repeat
        candidates[rows, np.where(dup, source * stride + 1 + k, slot_start)] = -np.inf
        by_slot[:, :, 0] = np.logaddexp(stay_blank, stay_label)
        n_candidates = candidates.shape[1]

        n_alive = int((candidates > -np.inf).sum(axis=1).max())
        new_width = min(self.beam_width, max(n_alive, 1))
        if new_width < n_candidates:
            chosen = np.argpartition(-candidates, new_width - 1, axis=1)[:, :new_width]
        else:
            chosen = np.broadcast_to(np.arange(n_candidates), (m, new_width))
        score = candidates[rows, chosen]

        from_beam, offset = np.divmod(chosen, stride)
        stays = offset == 0
        added = np.where(stays, -1, frame.ext_label(rows, offset - 1))
        source_hash = hashes[rows, from_beam]
        grown_hash = _mix(source_hash ^ (added.astype(np.uint64) * _GOLDEN))
        dead = score == -np.inf
        new_hash = np.where(stays, source_hash, grown_hash)
        new_hash[dead] = 0  # never a parent
        new_parent = np.where(stays, parents[rows, from_beam], source_hash)
        new_parent[dead] = 1  # never found
        self.hash[:m, :new_width] = new_hash
        self.parent[:m, :new_width] = new_parent
        self.last[:m, :new_width] = np.where(stays, last[rows, from_beam], added)
        new_blank = stay_blank[rows, from_beam]
        new_blank[~stays | dead] = -np.inf
        new_label = np.where(stays, stay_label[rows, from_beam], score)
        new_label[dead] = -np.inf
        self.log_blank[:m, :new_width] = new_blank
        self.log_label[:m, :new_width] = new_label
        self.log_blank[:m, new_width:] = -np.inf
        self.log_label[:m, new_width:] = -np.inf
        return from_beam.astype(np.int32), added.astype(np.int32), new_width


class _Frame:
    """One frame's log-probabilities and the labels that may grow prefixes there.

    Only a frame's ``beam_width + 1`` most probable labels can make the best
    extensions (the others are beaten by as many extensions of the same slot).
    When that leaves every label, no per-frame selection is needed.
    """

    def __init__(self, labels, label_column, blank, beam_width):
        self.labels = labels
        self.label_column = label_column
        self.blank = blank
        self.n_ext = min(len(labels), beam_width + 1)

    def set(self, log_p, label_log_p):
        """Use the frame ``log_p`` (m, n_labels); ``label_log_p`` is without the blank."""
        self.log_p = log_p
        if self.n_ext == len(self.labels):
            self.top = None
            self.ext_log_p = label_log_p
            return
        m = len(log_p)
        self.top = np.argpartition(-label_log_p, self.n_ext - 1, axis=1)[:, : self.n_ext]
        self.ext_log_p = np.take_along_axis(label_log_p, self.top, axis=1)
        self.column = np.full((m, len(self.label_column)), -1, dtype=np.intp)
        self.column[np.arange(m)[:, None], self.labels[self.top]] = np.arange(self.n_ext)

    def column_of(self, label, rows):
        """Column (m, width) of each ``label`` among the extension labels, or -1."""
        if self.top is None:
            return self.label_column[label]
        return self.column[rows, label]

    def ext_label(self, rows, column):
        """The label in each extension ``column`` (m, width)."""
        if self.top is None:
            return self.labels[column]
        return self.labels[self.top[rows, column]]


def _pruned_search(log_probs, lengths, beam_width, n_best, blank, beam_prune_logp, token_min_logp):
    """Prefix beam search with pruning, on one flat list of the hypotheses of all samples.

    Pruning leaves each sample a different, often small, number of hypotheses,
    so instead of fixed ``(n_samples, beam_width)`` slots the search keeps flat
    arrays (sorted by sample) and selects each sample's best by one sort of all
    candidates by (sample, score). Samples are sorted by decreasing length.

    Returns
    -------
    labels : ndarray of shape (n_samples, n_best, n_frames)
        Labels added at each frame by the returned hypotheses (-1: none).
    scores : ndarray of shape (n_samples, n_best)
    """
    n_samples, n_frames, n_labels = log_probs.shape
    labels = np.delete(np.arange(n_labels), blank)
    label_column = np.full(n_labels + 1, -1, dtype=np.intp)
    label_column[labels] = np.arange(len(labels))
    prune = -np.inf if beam_prune_logp is None else beam_prune_logp
    n_running = np.searchsorted(-lengths, -np.arange(n_frames + 1), side="left")

    # Hypotheses of the running samples: sample, hashes, last label, log-probabilities.
    sample = np.arange(n_running[0])
    hashes = _mix((sample + 1).astype(np.uint64) * _GOLDEN)
    last = np.full(len(sample), -1, dtype=np.intp)
    log_blank = np.zeros(len(sample))
    log_label = np.full(len(sample), -np.inf)
    steps, finished = [], []
    for t in range(n_frames):
        m = n_running[t]
        if m == 0 or len(sample) == 0:
            break
        log_p = log_probs[:m, t]
        label_log_p = log_p[:, labels]
        keep = np.ones(label_log_p.shape, dtype=bool)
        if token_min_logp is not None:
            keep = label_log_p >= token_min_logp
            keep |= labels == log_p.argmax(axis=1)[:, None]
        log_total = np.logaddexp(log_blank, log_label)
        stay_blank = log_total + log_p[sample, blank]
        stay_label = log_label + log_p[sample, last]  # last = -1 has log_label = -inf

        # Growing each hypothesis by each label its sample keeps at this frame.
        _, columns = np.nonzero(keep)
        per_sample = keep.sum(axis=1)
        per_hyp = per_sample[sample]
        grow_from = np.repeat(np.arange(len(sample)), per_hyp)
        within = np.arange(len(grow_from)) - np.repeat(np.cumsum(per_hyp) - per_hyp, per_hyp)
        column = columns[(np.cumsum(per_sample) - per_sample)[sample[grow_from]] + within]
        added_label = labels[column]
        grow_base = np.where(
            added_label == last[grow_from], log_blank[grow_from], log_total[grow_from]
        )
        grow_score = grow_base + label_log_p[sample[grow_from], column]
        grow_hash = _mix(hashes[grow_from] ^ (added_label.astype(np.uint64) * _GOLDEN))
        # A grown prefix that is already kept adds its probability there instead.
        # Each sample keeps at most beam_width prefixes: compare within the sample.
        first_of_sample = np.searchsorted(sample, sample)
        kept_hashes = np.zeros((m, beam_width), dtype=np.uint64)  # 0: no prefix
        kept_hashes[sample, np.arange(len(sample)) - first_of_sample] = hashes
        equal = kept_hashes[sample[grow_from]] == grow_hash[:, None]
        slot = equal.argmax(axis=1)
        kept = equal[np.arange(len(slot)), slot]
        into = first_of_sample[grow_from[kept]] + slot[kept]
        stay_label[into] = np.logaddexp(stay_label[into], grow_score[kept])
        grow_score[kept] = -np.inf

        # Each sample's best beam_width candidates within beam_prune_logp of its best.
        score = np.concatenate([np.logaddexp(stay_blank, stay_label), grow_score])
        owner = np.concatenate([sample, sample[grow_from]])
        order = np.argsort(_small_ints(owner), kind="stable")
        owner, score = owner[order], score[order]
        first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        group = np.repeat(np.arange(len(first)), np.diff(np.r_[first, len(owner)]))
        best = np.maximum.reduceat(score, first)
        chosen = (score > -np.inf) & (score >= best[group] + prune)
        n_chosen = np.add.reduceat(chosen, first)
        crowded = np.flatnonzero(chosen & (n_chosen > beam_width)[group])
        if crowded.size:  # samples with more candidates than beam_width: rank them
            ranked = crowded[_sort_by_owner_then_score(owner[crowded], score[crowded])]
            rank = np.arange(len(ranked)) - np.searchsorted(owner[ranked], owner[ranked])
            chosen[ranked[rank >= beam_width]] = False
        index = order[chosen]
        stays = index < len(sample)
        g = np.where(stays, 0, index - len(sample))
        if len(grow_from) == 0:  # a frame where nothing grows: the gathers below need a row
            grow_from, added_label, grow_hash = np.zeros(1, np.intp), np.zeros(1, np.intp), hashes[:1]
        source = np.where(stays, index, grow_from[g])
        added = np.where(stays, -1, added_label[g])
        sample = owner[chosen]
        hashes = np.where(stays, hashes[source], grow_hash[g])
        last = np.where(stays, last[source], added)
        log_blank = np.where(stays, stay_blank[source], -np.inf)
        log_label = np.where(stays, stay_label[source], score[chosen])
        steps.append((source, added))

        # Samples ending at this frame leave the search (they are the last ones).
        cut = np.searchsorted(sample, n_running[t + 1])
        if cut < len(sample):
            done = np.arange(cut, len(sample))
            total = np.logaddexp(log_blank[cut:], log_label[cut:])
            finished.append((t, done, sample[cut:], total))
            sample, hashes, last = sample[:cut], hashes[:cut], last[:cut]
            log_blank, log_label = log_blank[:cut], log_label[:cut]
    return _ragged_results(finished, steps, lengths, n_best, n_frames)


def _sort_by_owner_then_score(owner, score):
    """Order by sample, best score first within a sample (two stable sorts)."""
    by_score = np.argsort(-score, kind="stable")
    return by_score[np.argsort(_small_ints(owner[by_score]), kind="stable")]


def _small_ints(values):
    # numpy's stable sort is a radix sort for 16-bit integers: much faster here.
    if values.size and values.max() < 2**16:
        return values.astype(np.uint16)
    return values


def _ragged_results(finished, steps, lengths, n_best, n_frames):
    """Best ``n_best`` hypotheses of each sample and their labels, by backtracking."""
    n_samples = len(lengths)
    end = np.concatenate([np.full(len(done), t) for t, done, _, _ in finished] + [[]])
    end = end.astype(np.intp)
    index = np.concatenate([done for _, done, _, _ in finished] + [[]]).astype(np.intp)
    owner = np.concatenate([s for _, _, s, _ in finished] + [[]]).astype(np.intp)
    total = np.concatenate([x for _, _, _, x in finished] + [[]])
    # Sorted by sample (longest first), best first within a sample.
    order = _sort_by_owner_then_score(owner, total)
    end, index, owner, total = end[order], index[order], owner[order], total[order]
    first = np.searchsorted(owner, owner)
    keep = np.arange(len(owner)) - first < n_best
    end, index, owner, total = end[keep], index[keep], owner[keep], total[keep]
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner)

    labels = np.full((len(owner), n_frames), -1, dtype=np.intp)
    current = index.copy()
    for t in range(len(steps) - 1, -1, -1):
        members = np.searchsorted(-end, -t, side="right")  # hypotheses ending at t or later
        source, added = steps[t]
        labels[:members, t] = added[current[:members]]
        current[:members] = source[current[:members]]

    scores = np.full((n_samples, n_best), -np.inf)
    scores[owner, rank] = total
    scores[lengths == 0, 0] = 0.0  # the empty labelling, with probability 1
    out = np.full((n_samples, n_best, n_frames), -1, dtype=np.intp)
    out[owner, rank] = labels
    return out, scores


def _find_parents(hashes, parent_hashes, rows):
    """For each slot, the slot of the same sample holding its parent prefix (m, width).

    Unused slots have hash 0 and parent 1, so they neither match nor are matched.
    """
    m, width = hashes.shape
    if width <= 32:
        source = (parent_hashes[:, :, None] == hashes[:, None, :]).argmax(axis=2)
    else:
        # Sort hashes and parent hashes together by (row, value, hash first); each
        # parent hash then follows its match, if any, as the nearest hash before it.
        values = np.concatenate([hashes, parent_hashes], axis=1).ravel()
        row_of = np.repeat(np.arange(m), 2 * width)
        is_parent = np.tile(np.repeat([False, True], width), m)
        order = np.lexsort((is_parent, values, row_of))
        position = np.where(is_parent[order], -1, np.arange(order.size))
        nearest_hash = order[np.maximum(np.maximum.accumulate(position), 0)]
        source = np.empty(order.size, dtype=np.intp)
        source[order] = nearest_hash % (2 * width)
        source = np.minimum(source.reshape(m, 2 * width)[:, width:], width - 1)
    found = hashes[rows, source] == parent_hashes
    return source, found


def _backtrack(steps, beams, n_frames):
    """Labels of the chosen final slots, shape (n_samples, n_best, n_frames), -1 = none."""
    beams = beams.copy()
    labels = np.full(beams.shape + (n_frames,), -1, dtype=np.intp)
    for t in range(len(steps) - 1, -1, -1):
        source, added = steps[t]
        m, width = source.shape
        rows = np.arange(m)[:, None]
        # Unused slots (hypotheses that are missing) may lie beyond this frame's width.
        slots = np.minimum(beams[:m], width - 1)
        labels[:m, :, t] = added[rows, slots]
        beams[:m] = source[rows, slots]
    return labels


def _mix(x):
    """splitmix64 finaliser: a bijective scramble of 64-bit integers."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX_1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX_2
    return x ^ (x >> np.uint64(31))


def _split_rows(values, keep):
    """``[values[i][keep[i]] for i in rows]`` without a Python loop over elements."""
    counts = keep.sum(axis=1)
    return np.split(values[keep].astype(np.int64), np.cumsum(counts)[:-1])


def _check_int(value, name):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_log_probs(log_probs, lengths, blank):
    if hasattr(log_probs, "detach"):
        log_probs = log_probs.detach().cpu().numpy()
    log_probs = np.asarray(log_probs)
    if log_probs.dtype.kind not in "fiu":
        raise TypeError(f"log_probs must hold numbers, got dtype {log_probs.dtype}.")
    if log_probs.ndim != 3:
        hint = " For one sample, pass log_probs[None]." if log_probs.ndim == 2 else ""
        raise ValueError(
            "log_probs must be 3D (n_samples, n_frames, n_labels), got shape "
            f"{log_probs.shape}.{hint}"
        )
    n_samples, n_frames, n_labels = log_probs.shape
    if n_samples == 0 or n_frames == 0 or n_labels == 0:
        raise ValueError(f"log_probs is empty: shape {log_probs.shape}.")
    log_probs = log_probs.astype(np.float64, copy=False)
    if isinstance(blank, bool) or not isinstance(blank, Integral) or not 0 <= blank < n_labels:
        raise ValueError(f"blank must be a label index in [0, {n_labels - 1}], got {blank!r}.")
    if lengths is None:
        lengths = np.full(n_samples, n_frames, dtype=np.intp)
        _check_finite(log_probs, lengths, hint=True)
        return log_probs, lengths
    if hasattr(lengths, "detach"):
        lengths = lengths.detach().cpu().numpy()
    lengths = np.asarray(lengths)
    if lengths.shape != (n_samples,) or lengths.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must be {n_samples} integers (one per sample), got shape "
            f"{lengths.shape} and dtype {lengths.dtype}."
        )
    bad = np.flatnonzero((lengths < 0) | (lengths > n_frames))
    if bad.size:
        raise ValueError(
            f"lengths[{bad[0]}]={lengths[bad[0]]} is outside [0, {n_frames}] (n_frames "
            "of log_probs)."
        )
    lengths = lengths.astype(np.intp)
    _check_finite(log_probs, lengths, hint=False)
    return log_probs, lengths


def _check_finite(log_probs, lengths, *, hint):
    """NaN or +inf in a frame the decoder reads (``frame < lengths[row]``) is an error."""
    valid = np.arange(log_probs.shape[1])[None, :] < lengths[:, None]
    bad = (np.isnan(log_probs) | np.isposinf(log_probs)) & valid[:, :, None]
    if bad.any():
        row, frame, _ = np.argwhere(bad)[0]
        advice = (
            " If the rows are padded with NaN after their last frame (as "
            "CTCTranscriber.predict_log_proba returns them), pass their lengths."
            if hint
            else ""
        )
        raise ValueError(
            f"log_probs holds NaN or +inf at sample {row}, frame {frame}; give finite "
            f"log-probabilities (-inf for zero probability).{advice}"
        )
