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
found by a sorted search instead of dictionary look-ups.
"""

from numbers import Integral, Real

import numpy as np

__all__ = ["ctc_beam_search_decode", "ctc_greedy_decode"]

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def ctc_greedy_decode(log_probs, lengths=None, *, blank=0, return_scores=False):
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
    log_probs,
    lengths=None,
    *,
    beam_width=10,
    n_best=1,
    blank=0,
    beam_prune_logp=None,
    token_min_logp=None,
):
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
    state, parents, emitted = _prefix_beam_search(
        log_probs[order], lengths[order], beam_width, blank, beam_prune_logp, token_min_logp
    )
    totals = np.logaddexp(state["log_blank"], state["log_label"])
    ranked = np.argsort(-totals, axis=1, kind="stable")[:, :n_best]
    scores = np.take_along_axis(totals, ranked, axis=1)
    labels = _backtrack(parents, emitted, ranked)

    n_samples = len(lengths)
    flat = _split_rows(labels.reshape(n_samples * n_best, -1), labels.reshape(n_samples * n_best, -1) >= 0)
    found = np.isfinite(scores)
    sorted_hyps = [
        [flat[i * n_best + k] for k in range(n_best) if found[i, k]] for i in range(n_samples)
    ]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(n_samples)
    return [sorted_hyps[j] for j in inverse], scores[inverse]


def _prefix_beam_search(log_probs, lengths, beam_width, blank, beam_prune_logp, token_min_logp):
    """Run the search on samples sorted by decreasing length.

    Beam state, arrays of shape (n_samples, beam_width): ``hash`` of the prefix,
    ``parent`` (hash of the prefix without its last label), ``last`` label (-1
    for the empty prefix), ``log_blank`` / ``log_label`` (log-probability of the
    alignments so far that end in a blank / in the last label). Returns the
    final state and, per frame, each beam's source beam and the label it added
    (-1 when it stayed), for backtracking.
    """
    n_samples, n_frames, n_labels = log_probs.shape
    width = beam_width
    labels = np.delete(np.arange(n_labels), blank)
    # Only a frame's width + 1 most probable labels can make the best extensions.
    n_ext = min(len(labels), width + 1)

    state = {
        "hash": np.zeros((n_samples, width), dtype=np.uint64),
        "parent": np.ones((n_samples, width), dtype=np.uint64),
        "last": np.full((n_samples, width), -1, dtype=np.intp),
        "log_blank": np.full((n_samples, width), -np.inf),
        "log_label": np.full((n_samples, width), -np.inf),
    }
    # A different empty-prefix hash per sample keeps all hashes distinct across samples.
    state["hash"][:, 0] = _mix(np.arange(1, n_samples + 1, dtype=np.uint64) * _GOLDEN)
    state["log_blank"][:, 0] = 0.0

    parents = np.empty((n_frames, n_samples, width), dtype=np.int32)
    parents[:] = np.arange(width, dtype=np.int32)
    emitted = np.full((n_frames, n_samples, width), -1, dtype=np.int32)
    n_running = np.searchsorted(-lengths, -np.arange(n_frames), side="left")
    for t in range(n_frames):
        m = n_running[t]
        if m == 0:
            break
        active = {key: value[:m] for key, value in state.items()}
        new, source, label = _advance(
            active, log_probs[:m, t], labels, n_ext, blank, beam_prune_logp, token_min_logp
        )
        for key, value in new.items():
            state[key][:m] = value
        parents[t, :m] = source
        emitted[t, :m] = label
    return state, parents, emitted


def _advance(state, log_p, labels, n_ext, blank, beam_prune_logp, token_min_logp):
    """One frame of the prefix beam search for ``m`` samples at once."""
    m, width = state["hash"].shape
    rows = np.arange(m)[:, None]
    log_blank, log_label, last = state["log_blank"], state["log_label"], state["last"]
    log_total = np.logaddexp(log_blank, log_label)
    alive = np.isfinite(log_total)

    # Staying: a blank after anything, or the last label repeated without a blank.
    log_p_last = np.take_along_axis(log_p, np.maximum(last, 0), axis=1)
    stay_blank = log_total + log_p[:, [blank]]
    stay_label = np.where(last >= 0, log_label + log_p_last, -np.inf)

    # Growing a beam p by label c gives a prefix q already in the beam when
    # q's parent is p and q's last label is c: add that probability to q.
    source, has_source = _find_parents(state["hash"], state["parent"], alive)
    src_last = np.take_along_axis(last, source, axis=1)
    src_base = np.where(
        src_last == last,
        np.take_along_axis(log_blank, source, axis=1),
        np.take_along_axis(log_total, source, axis=1),
    )
    stay_label = np.where(has_source, np.logaddexp(stay_label, src_base + log_p_last), stay_label)

    # Growing by one of the frame's most probable labels into a new prefix.
    top = np.argpartition(-log_p[:, labels], n_ext - 1, axis=1)[:, :n_ext]
    ext_labels = labels[top]
    ext_log_p = np.take_along_axis(log_p, ext_labels, axis=1)
    same = ext_labels[:, None, :] == last[:, :, None]
    grow = np.where(same, log_blank[:, :, None], log_total[:, :, None]) + ext_log_p[:, None, :]
    if token_min_logp is not None:
        skip = (ext_log_p < token_min_logp) & (ext_labels != log_p.argmax(axis=1)[:, None])
        grow[np.broadcast_to(skip[:, None, :], grow.shape)] = -np.inf
    dup_row, dup_beam, dup_k = np.nonzero(has_source[:, :, None] & same)
    grow[dup_row, source[dup_row, dup_beam], dup_k] = -np.inf

    candidates = np.concatenate(
        [np.logaddexp(stay_blank, stay_label), grow.reshape(m, width * n_ext)], axis=1
    )
    if beam_prune_logp is not None:
        best = candidates.max(axis=1, keepdims=True)
        candidates[candidates < best + beam_prune_logp] = -np.inf
    chosen = np.argpartition(-candidates, width - 1, axis=1)[:, :width]
    chosen_score = np.take_along_axis(candidates, chosen, axis=1)

    stays = chosen < width
    from_beam = np.where(stays, chosen, (chosen - width) // n_ext)
    new_label = np.where(stays, -1, ext_labels[rows, np.where(stays, 0, (chosen - width) % n_ext)])
    src_hash = state["hash"][rows, from_beam]
    new = {
        "hash": np.where(stays, src_hash, _mix(src_hash ^ (new_label.astype(np.uint64) * _GOLDEN))),
        "parent": np.where(stays, state["parent"][rows, from_beam], src_hash),
        "last": np.where(stays, last[rows, from_beam], new_label),
        "log_blank": np.where(stays, stay_blank[rows, from_beam], -np.inf),
        "log_label": np.where(stays, stay_label[rows, from_beam], chosen_score),
    }
    dead = ~np.isfinite(chosen_score)
    new["log_blank"][dead] = -np.inf
    new["log_label"][dead] = -np.inf
    return new, from_beam, new_label


def _find_parents(hashes, parent_hashes, alive):
    """For each beam, the beam of the same sample whose prefix is its parent."""
    m, width = hashes.shape
    flat = np.where(alive, hashes, np.uint64(0)).ravel()
    order = np.argsort(flat, kind="stable")
    sorted_hashes = flat[order]
    pos = np.searchsorted(sorted_hashes, parent_hashes.ravel())
    pos = np.minimum(pos, flat.size - 1)
    match = order[pos]
    found = (sorted_hashes[pos] == parent_hashes.ravel()) & (match // width == np.arange(flat.size) // width)
    found &= alive.ravel() & alive.ravel()[match]
    return (match % width).reshape(m, width), found.reshape(m, width)


def _backtrack(parents, emitted, beams):
    """Labels of the chosen final beams, shape (n_samples, n_best, n_frames), -1 = none."""
    n_frames = parents.shape[0]
    rows = np.arange(beams.shape[0])[:, None]
    labels = np.full(beams.shape + (n_frames,), -1, dtype=np.intp)
    for t in range(n_frames - 1, -1, -1):
        labels[:, :, t] = emitted[t][rows, beams]
        beams = parents[t][rows, beams]
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
    if np.isnan(log_probs).any() or np.isposinf(log_probs).any():
        row, frame, _ = np.argwhere(np.isnan(log_probs) | np.isposinf(log_probs))[0]
        raise ValueError(
            f"log_probs holds NaN or +inf at sample {row}, frame {frame}; give finite "
            "log-probabilities (-inf for zero probability)."
        )
    if isinstance(blank, bool) or not isinstance(blank, Integral) or not 0 <= blank < n_labels:
        raise ValueError(f"blank must be a label index in [0, {n_labels - 1}], got {blank!r}.")
    if lengths is None:
        return log_probs, np.full(n_samples, n_frames, dtype=np.intp)
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
    return log_probs, lengths.astype(np.intp)
