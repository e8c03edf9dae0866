"""Batched beam search for autoregressive decoders, with GNMT scoring and diverse groups.

The decoder is a *step function*: given the tokens decoded so far for ``N``
hypotheses it returns the log-probabilities of the next token::

    log_probs, state = step_fn(tokens, state)              # or
    log_probs, state, attention = step_fn(tokens, state)

- ``tokens``: long tensor ``(N, t0 + t)``, the start tokens followed by the
  ``t`` tokens generated so far;
- ``state``: any nested structure (tuple, list, dict) of tensors whose first
  dimension is ``N`` (e.g. RNN hidden states, encoder outputs), or None. Beam
  search reorders it with ``index_select`` on that dimension when hypotheses
  are pruned; leaves that are not tensors pass through unchanged. A tensor of
  the initial state that ``step_fn`` hands back as it got it (the same object,
  not modified in place, e.g. encoder outputs) is the same for every beam of a
  sample and is not reordered;
- ``log_probs``: ``(N, n_tokens)`` log-probabilities (values <= 0, e.g. a
  ``log_softmax``) of the next token;
- ``attention`` (optional): ``(N, source_length)`` attention weights of this
  step, needed only for the coverage penalty.

All samples and beams advance together, ``N = n_samples * beam_width``: one call
of ``step_fn`` per time step, pruning by ``topk`` over ``beam_width * n_tokens``
candidates per sample, never a Python loop over hypotheses.

Scoring (Wu et al. 2016, "Google's neural machine translation system"): a
finished hypothesis ``Y`` of ``|Y|`` steps (its tokens plus the end token, if it
ended with one) scores

    s(Y) = log P(Y) / lp(Y) + cp(Y),   lp(Y) = ((5 + |Y|) / 6) ** alpha,
    cp(Y) = beta * sum_i log(min(sum_j a_ij, 1))

with ``a_ij`` the attention of step ``j`` on source position ``i``. Alive
hypotheses are ranked by ``log P`` (as in GNMT and most toolkits); the
penalties rank the finished ones.
"""

import functools
from dataclasses import dataclass
from numbers import Integral, Real

from ..utils._optional import import_optional

__all__ = ["DecodeResult", "beam_search"]

_COVERAGE_FLOOR = 1e-10


@dataclass
class DecodeResult:
    """n-best lists of a decoder, best first.

    Parameters
    ----------
    sequences : LongTensor of shape (n_samples, n_best, max_len)
        Generated tokens, without the start tokens and without the end token,
        right-padded with ``pad_index``.
    lengths : LongTensor of shape (n_samples, n_best)
        Number of tokens of each hypothesis (end token not counted).
    scores : Tensor of shape (n_samples, n_best)
        Final scores, with length and coverage penalties; sorted descending.
        ``-inf`` marks a missing hypothesis (fewer than ``n_best`` found).
    log_probs : Tensor of shape (n_samples, n_best)
        Sum of the log-probabilities of every generated token, end token
        included.
    ended : BoolTensor of shape (n_samples, n_best)
        Whether the hypothesis ended with the end token (False: it was cut at
        ``max_length``).
    """

    sequences: "object"
    lengths: "object"
    scores: "object"
    log_probs: "object"
    ended: "object"

    def best(self):
        """The top hypothesis of each sample: ``(sequences (n, max_len), lengths (n,))``."""
        return self.sequences[:, 0], self.lengths[:, 0]

    def to_lists(self):
        """n-best lists as Python lists: ``[[tokens of hypothesis k] for k] for sample``."""
        seqs = self.sequences.tolist()
        lengths = self.lengths.tolist()
        return [
            [seq[:n] for seq, n in zip(sample, sample_lengths)]
            for sample, sample_lengths in zip(seqs, lengths)
        ]


def beam_search(
    step_fn,
    start_tokens,
    state=None,
    *,
    eos_index,
    max_length,
    beam_width=5,
    n_best=1,
    length_penalty=0.0,
    coverage_penalty=0.0,
    num_beam_groups=1,
    diversity_penalty=0.0,
    source_lengths=None,
    pad_index=None,
):
    """Beam search over samples x beams as tensor operations.

    Needs PyTorch (imported on first call; ``pip install sklseq[neural]``).

    Parameters
    ----------
    step_fn : callable
        ``step_fn(tokens, state) -> (log_probs, state)`` or
        ``(log_probs, state, attention)``; see the module docstring.
    start_tokens : LongTensor or array-like of shape (n_samples,) or (n_samples, t0)
        Tokens every hypothesis starts from (e.g. the begin-of-sequence token).
        Their device is the device of the search.
    state : nested structure of tensors with first dimension n_samples, default=None
        Initial decoder state, one row per sample (repeated for the beams).
    eos_index : int
        End token: a hypothesis that emits it is finished.
    max_length : int
        Most tokens generated per hypothesis, end token included; hypotheses
        still alive then are returned cut (``ended=False``).
    beam_width : int, default=5
        Hypotheses kept per sample. Without length and coverage penalties,
        ``beam_width=1`` returns exactly what :func:`greedy_search` returns; with
        them it may search on after the greedy output ends and find a sequence
        that scores better.
    n_best : int, default=1
        Hypotheses returned per sample (at most ``beam_width``).
    length_penalty : float, default=0.0
        ``alpha`` of the GNMT length penalty; 0 ranks by log-probability, larger
        values favour longer outputs (GNMT used 0.6 to 0.7).
    coverage_penalty : float, default=0.0
        ``beta >= 0`` of the GNMT coverage penalty; needs ``step_fn`` to return
        attention. Coverage below 1e-10 counts as 1e-10, so a source position
        never attended gives a large finite penalty.
    num_beam_groups : int, default=1
        Diverse beam search (Vijayakumar et al. 2018): the beams split into this
        many groups of ``beam_width // num_beam_groups``; must divide
        ``beam_width``.
    diversity_penalty : float, default=0.0
        ``lambda`` of the Hamming diversity term: when group ``g`` chooses its
        tokens, each token already chosen at this step by groups ``0..g-1`` (of
        the same sample) costs ``lambda`` per use. It steers the choice only;
        ``log_probs`` and ``scores`` stay the model's.
    source_lengths : array-like of shape (n_samples,), default=None
        Source length of each sample: attention columns beyond it are padding
        and left out of the coverage penalty.
    pad_index : int, default=None
        Fills ``sequences`` after each hypothesis' end; ``eos_index`` when None.

    Returns
    -------
    result : DecodeResult
        n-best sequences, lengths, scores, log-probabilities and end flags.

    Notes
    -----
    Each step keeps, per group, the ``2 * width`` best candidates by
    log-probability: candidates ending with ``eos_index`` among the first
    ``width`` are finished, the best ``width`` others stay alive. The search of
    a sample stops when no alive hypothesis can still beat its ``n_best``-th
    finished one (a bound that assumes log-probabilities <= 0 and
    ``coverage_penalty >= 0``), so stopping early never changes the result.
    With a beam wide enough to keep every hypothesis this is exhaustive search.

    Examples
    --------
    A step function that prefers token 1 twice, then the end token 0. The two
    best hypotheses are 1 1 <end> (0.6 * 0.6 * 0.8) and 2 1 <end> (0.3 * 0.6 * 0.8):

    >>> import torch
    >>> def step_fn(tokens, state):
    ...     t = tokens.shape[1] - 1
    ...     probs = torch.tensor([[0.1, 0.6, 0.3]] * 2 + [[0.8, 0.1, 0.1]])[min(t, 2)]
    ...     return probs.log().expand(len(tokens), 3), state
    >>> result = beam_search(step_fn, torch.tensor([2]), eos_index=0, max_length=5,
    ...                      beam_width=3, n_best=2)
    >>> result.to_lists()
    [[[1, 1], [2, 1]]]
    >>> result.log_probs.exp()
    tensor([[0.2880, 0.1440]])
    """
    torch = _import_torch()
    _check_beam_params(
        max_length, beam_width, n_best, length_penalty, coverage_penalty,
        num_beam_groups, diversity_penalty,
    )
    start = _as_start_tokens(torch, start_tokens)
    device = start.device
    n_samples = start.shape[0]
    width = beam_width
    group_width = width // num_beam_groups
    pad = eos_index if pad_index is None else pad_index
    source_lengths = _check_source_lengths(torch, source_lengths, n_samples, device)

    n = n_samples * width
    tokens = start.repeat_interleave(width, dim=0)
    state = map_state(state, lambda x: x.repeat_interleave(width, dim=0))
    # Tensors equal across the beams of each sample, and their version counters:
    # reordering within a sample leaves them as they are.
    shared = {}
    map_state(state, lambda x: shared.setdefault(id(x), (x, _version(x))))
    coverage = None
    # Every beam starts from the same tokens: only the first beam of each group
    # is live, so the first step does not pick the same candidate `width` times.
    alive = torch.full((n_samples, num_beam_groups, group_width), float("-inf"), device=device)
    alive[:, :, 0] = 0.0
    alive = alive.view(n_samples, width)
    pool = None
    done = torch.zeros(n_samples, dtype=torch.bool, device=device)
    batch_offset = (torch.arange(n_samples, device=device) * width)[:, None]

    for t in range(max_length):
        log_probs, state, attention = _call_step(step_fn, tokens, state, n, coverage_penalty)
        if pool is None:
            _check_eos(eos_index, log_probs.shape[1])
            alive = alive.to(log_probs.dtype)
            pool = _empty_pool(torch, n_samples, n_best, max_length, pad, log_probs.dtype, device)
        if coverage_penalty:
            attention = _check_attention(attention, n, source_lengths)
            coverage = attention if coverage is None else coverage + attention
        n_tokens = log_probs.shape[1]
        candidates = (alive[:, :, None] + log_probs.view(n_samples, width, n_tokens))
        last_step = t == max_length - 1
        diverse = diversity_penalty and num_beam_groups > 1
        used = (
            torch.zeros((n_samples, n_tokens), dtype=log_probs.dtype, device=device)
            if diverse else None
        )
        parents, next_tokens, next_scores = [], [], []
        for g in range(num_beam_groups):
            lo = g * group_width
            group = candidates[:, lo : lo + group_width].reshape(n_samples, -1)
            chooser = (
                group - diversity_penalty * used.repeat(1, group_width) if diverse and g
                else group
            )
            n_cand = min(2 * group_width, group.shape[1])
            _, idx = chooser.topk(n_cand, dim=1)
            raw = group.gather(1, idx)
            parent = lo + torch.div(idx, n_tokens, rounding_mode="floor")
            token = idx % n_tokens
            is_eos = token == eos_index
            # Only the first `group_width` candidates may finish.
            head = slice(0, group_width)
            finishing = (is_eos[:, head] | last_step) & ~done[:, None]
            pool = _add_finished(
                torch, pool, raw[:, head].masked_fill(~finishing, float("-inf")),
                parent[:, head], token[:, head], is_eos[:, head], t,
                tokens[:, start.shape[1]:], coverage, source_lengths, batch_offset, width,
                length_penalty, coverage_penalty, pad,
            )
            # The best `group_width` candidates that do not end: non-eos first, stable.
            order = torch.sort(is_eos.to(torch.int8), dim=1, stable=True).indices[:, :group_width]
            keep_score = raw.gather(1, order).masked_fill(is_eos.gather(1, order), float("-inf"))
            keep_parent, keep_token = parent.gather(1, order), token.gather(1, order)
            if diverse and g + 1 < num_beam_groups:
                used.scatter_add_(1, keep_token, torch.isfinite(keep_score).to(used.dtype))
            parents.append(keep_parent)
            next_tokens.append(keep_token)
            next_scores.append(keep_score)
        alive = torch.cat(next_scores, dim=1)
        done |= _cannot_improve(torch, alive, pool, t, max_length, length_penalty)
        if last_step or bool(done.all()):
            break
        rows = (batch_offset + torch.cat(parents, dim=1)).view(-1)
        step_tokens = torch.cat(next_tokens, dim=1).view(-1, 1)
        tokens = torch.cat([tokens.index_select(0, rows), step_tokens], dim=1)
        still_shared = {}
        state = map_state(state, functools.partial(_reorder, rows=rows, shared=shared, still_shared=still_shared))
        shared = still_shared
        if coverage is not None:
            coverage = coverage.index_select(0, rows)
    return _pool_result(pool)


def gnmt_score(log_prob, length, coverage=None, *, length_penalty=0.0, coverage_penalty=0.0):
    """GNMT score ``log_prob / lp + cp`` of finished hypotheses (tensors, broadcast).

    ``length`` counts generated steps, end token included; ``coverage`` is the
    summed attention ``(..., source_length)`` with padding positions set to 1.
    """
    torch = _import_torch()
    score = log_prob
    if length_penalty:
        lp = ((5.0 + length.to(log_prob.dtype)) / 6.0) ** length_penalty
        score = score / lp
    if coverage_penalty:
        capped = coverage.clamp(min=_COVERAGE_FLOOR, max=1.0).to(log_prob.dtype)
        score = score + coverage_penalty * torch.log(capped).sum(-1)
    return score


def masked_coverage(coverage, source_lengths):
    """Coverage ``(n_samples, k, source_length)`` with padding positions set to 1.

    Positions at or beyond each sample's source length then add ``log(1) = 0``
    to the coverage penalty.
    """
    if source_lengths is None:
        return coverage
    positions = _import_torch().arange(coverage.shape[-1], device=coverage.device)
    return coverage.masked_fill(positions >= source_lengths[:, None, None], 1.0)


def map_state(state, fn):
    """Apply ``fn`` to every tensor of a nested (tuple / list / dict) state."""
    if state is None:
        return None
    if hasattr(state, "index_select"):
        return fn(state)
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(map_state(s, fn) for s in state))
    if isinstance(state, (tuple, list)):
        return type(state)(map_state(s, fn) for s in state)
    if isinstance(state, dict):
        return {k: map_state(v, fn) for k, v in state.items()}
    return state


def _reorder(x, rows, shared, still_shared):
    """``x`` reordered by ``rows``; as it is if it is in ``shared``, unmodified."""
    entry = shared.get(id(x))
    if entry is not None and entry[0] is x and entry[1] is not None and entry[1] == _version(x):
        still_shared[id(x)] = entry
        return x
    return x.index_select(0, rows)


def _version(x):
    try:
        return x._version
    except RuntimeError:  # inference-mode tensors keep no version counter
        return None


def _add_finished(
    torch, pool, raw, parent, token, is_eos, t, generated, coverage, source_lengths,
    batch_offset, width, length_penalty, coverage_penalty, pad,
):
    n_samples, n_cand = raw.shape
    if not torch.isfinite(raw).any():
        return pool
    rows = (batch_offset + parent).reshape(-1)
    max_length = pool["sequences"].shape[2]
    seqs = torch.full((n_samples * n_cand, max_length), pad, dtype=torch.long, device=raw.device)
    seqs[:, :t] = generated.index_select(0, rows)
    ended = is_eos.reshape(-1)
    token = token.reshape(-1)
    lengths = torch.full_like(ended, t, dtype=torch.long) + (~ended).long()
    seqs[:, t] = torch.where(ended, torch.full_like(token, pad), token)
    cov = None
    if coverage_penalty:
        cov = masked_coverage(coverage.index_select(0, rows).view(n_samples, n_cand, -1),
                              source_lengths)
    steps = torch.full_like(raw, t + 1)
    scores = gnmt_score(
        raw, steps, cov, length_penalty=length_penalty, coverage_penalty=coverage_penalty
    ).masked_fill(~torch.isfinite(raw), float("-inf"))
    merged = {
        "scores": torch.cat([pool["scores"], scores], dim=1),
        "log_probs": torch.cat([pool["log_probs"], raw], dim=1),
        "sequences": torch.cat([pool["sequences"], seqs.view(n_samples, n_cand, -1)], dim=1),
        "lengths": torch.cat([pool["lengths"], lengths.view(n_samples, n_cand)], dim=1),
        "ended": torch.cat([pool["ended"], ended.view(n_samples, n_cand)], dim=1),
    }
    n_best = pool["scores"].shape[1]
    # Stable sort: among equal scores the earlier (pool first, then by rank) wins.
    top = torch.sort(merged["scores"], dim=1, descending=True, stable=True).indices[:, :n_best]
    out = {}
    for key, value in merged.items():
        index = top if value.dim() == 2 else top[:, :, None].expand(-1, -1, value.shape[2])
        out[key] = value.gather(1, index)
    return out


def _cannot_improve(torch, alive, pool, t, max_length, length_penalty):
    """Samples whose alive hypotheses cannot beat their n_best-th finished one."""
    best_alive = alive.max(dim=1).values
    if t + 1 < max_length and length_penalty:
        # log P only falls; lp is largest at one end of the lengths still possible.
        lp = max(((5.0 + length) / 6.0) ** length_penalty for length in (t + 2, max_length))
        bound = best_alive / lp
    else:
        bound = best_alive
    worst_kept = pool["scores"][:, -1]
    no_alive = torch.isinf(best_alive) & (best_alive < 0)
    return no_alive | (torch.isfinite(worst_kept) & (bound <= worst_kept))


def _empty_pool(torch, n_samples, n_best, max_length, pad, dtype, device):
    return {
        "scores": torch.full((n_samples, n_best), float("-inf"), dtype=dtype, device=device),
        "log_probs": torch.full((n_samples, n_best), float("-inf"), dtype=dtype, device=device),
        "sequences": torch.full((n_samples, n_best, max_length), pad, dtype=torch.long,
                                device=device),
        "lengths": torch.zeros((n_samples, n_best), dtype=torch.long, device=device),
        "ended": torch.zeros((n_samples, n_best), dtype=torch.bool, device=device),
    }


def _pool_result(pool):
    longest = int(pool["lengths"].max()) if pool["lengths"].numel() else 0
    return DecodeResult(
        sequences=pool["sequences"][:, :, :longest].contiguous(),
        lengths=pool["lengths"],
        scores=pool["scores"],
        log_probs=pool["log_probs"],
        ended=pool["ended"],
    )


def _call_step(step_fn, tokens, state, n, coverage_penalty):
    try:
        out = step_fn(tokens, state)
    except IndexError as exc:
        # Start tokens (or fed-back ones) outside step_fn's vocabulary; the
        # start tokens may be input-only (a BOS), so they are not checked
        # against the width of log_probs.
        raise ValueError(
            f"step_fn raised IndexError ({exc}) on the tokens fed to it: start_tokens "
            "must be token indices of step_fn's vocabulary."
        ) from exc
    if not isinstance(out, tuple) or len(out) not in (2, 3):
        raise TypeError(
            "step_fn must return (log_probs, state) or (log_probs, state, attention), "
            f"got {type(out).__name__}."
        )
    log_probs, state = out[0], out[1]
    attention = out[2] if len(out) == 3 else None
    if not hasattr(log_probs, "dim") or log_probs.dim() != 2 or log_probs.shape[0] != n:
        shape = tuple(getattr(log_probs, "shape", ()))
        raise ValueError(
            f"step_fn returned log_probs of shape {shape}; expected ({n}, n_tokens): one "
            "row per hypothesis (n_samples * beam_width rows)."
        )
    if not log_probs.is_floating_point():
        raise TypeError(f"step_fn returned log_probs of dtype {log_probs.dtype}; expected float.")
    if log_probs.isnan().any():
        raise ValueError("step_fn returned NaN log-probabilities.")
    if coverage_penalty and attention is None:
        raise ValueError(
            "coverage_penalty needs attention weights: make step_fn return "
            "(log_probs, state, attention) with attention of shape (N, source_length)."
        )
    return log_probs, state, attention


def _check_eos(eos_index, n_tokens):
    if not isinstance(eos_index, Integral) or not 0 <= eos_index < n_tokens:
        raise ValueError(
            f"eos_index={eos_index!r} is not a token index of step_fn's output "
            f"(0 to {n_tokens - 1})."
        )


def _check_attention(attention, n, source_lengths):
    if attention is None or attention.dim() != 2 or attention.shape[0] != n:
        shape = None if attention is None else tuple(attention.shape)
        raise ValueError(
            f"step_fn returned attention of shape {shape}; expected ({n}, source_length)."
        )
    if source_lengths is not None and attention.shape[1] < int(source_lengths.max()):
        raise ValueError(
            f"source_lengths go up to {int(source_lengths.max())} but attention has only "
            f"{attention.shape[1]} source positions."
        )
    return attention


def _check_source_lengths(torch, source_lengths, n_samples, device):
    if source_lengths is None:
        return None
    lengths = torch.as_tensor(source_lengths, device=device).long()
    if lengths.shape != (n_samples,) or bool((lengths < 1).any()):
        raise ValueError(
            f"source_lengths must hold one positive length per sample ({n_samples}), "
            f"got shape {tuple(lengths.shape)}."
        )
    return lengths


def _as_start_tokens(torch, start_tokens):
    try:
        start = torch.as_tensor(start_tokens)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(
            f"start_tokens must be an array of integer token indices ({exc})."
        ) from None
    if start.dim() == 1:
        start = start[:, None]
    if start.dim() != 2 or start.shape[0] == 0:
        raise ValueError(
            f"start_tokens must have shape (n_samples,) or (n_samples, t0) with "
            f"n_samples >= 1, got {tuple(start.shape)}."
        )
    if start.is_floating_point() or start.is_complex() or start.dtype == torch.bool:
        raise TypeError(f"start_tokens must be integers, got dtype {start.dtype}.")
    if bool((start < 0).any()):
        raise ValueError(
            f"start_tokens must be non-negative token indices, got {int(start.min())}."
        )
    return start.long()


def _check_beam_params(
    max_length, beam_width, n_best, length_penalty, coverage_penalty, num_beam_groups,
    diversity_penalty,
):
    for name, value in (
        ("max_length", max_length), ("beam_width", beam_width), ("n_best", n_best),
        ("num_beam_groups", num_beam_groups),
    ):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    if n_best > beam_width:
        raise ValueError(f"n_best={n_best} must not exceed beam_width={beam_width}.")
    if beam_width % num_beam_groups:
        raise ValueError(
            f"num_beam_groups={num_beam_groups} must divide beam_width={beam_width}."
        )
    _check_penalty("length_penalty", length_penalty, allow_negative=True)
    _check_penalty("coverage_penalty", coverage_penalty)
    _check_penalty("diversity_penalty", diversity_penalty)


def _check_penalty(name, value, allow_negative=False):
    if not isinstance(value, Real) or isinstance(value, bool) or value != value:
        raise ValueError(f"{name} must be a real number, got {value!r}.")
    if not allow_negative and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}.")


def _import_torch():
    return import_optional("torch", "neural")
