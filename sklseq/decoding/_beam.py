"""Batched beam search for autoregressive decoders, with GNMT scoring and diverse groups.

The decoder is a *step function* ``step_fn(tokens, state) -> (log_probs, state)``
or ``(log_probs, state, attention)``, as set out in ``_common.py``. Beam search
reorders the ``state`` with ``index_select`` on its first dimension when
hypotheses are pruned. A tensor of the initial state that ``step_fn`` hands
back as it got it (the same object, not modified in place, e.g. encoder
outputs) is the same for every beam of a sample and is not reordered.

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
from typing import Any

from ._common import (
    DecodeResult,
    StepFn,
    as_start_tokens,
    call_step,
    check_attention,
    check_eos,
    check_search_params,
    check_source_lengths,
    gnmt_score,
    import_torch,
    map_state,
    masked_coverage,
)

__all__ = ["DecodeResult", "beam_search"]


def beam_search(
    step_fn: StepFn,
    start_tokens: Any,
    state: Any = None,
    *,
    eos_index: int,
    max_length: int,
    beam_width: int = 5,
    n_best: int = 1,
    length_penalty: float = 0.0,
    coverage_penalty: float = 0.0,
    num_beam_groups: int = 1,
    diversity_penalty: float = 0.0,
    source_lengths: Any = None,
    pad_index: int | None = None,
) -> DecodeResult:
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
    torch = import_torch()
    check_search_params(
        max_length, beam_width, n_best, length_penalty, coverage_penalty,
        num_beam_groups, diversity_penalty,
    )
    start = as_start_tokens(torch, start_tokens)
    device = start.device
    n_samples = start.shape[0]
    width = beam_width
    group_width = width // num_beam_groups
    pad = eos_index if pad_index is None else pad_index
    source_lengths = check_source_lengths(torch, source_lengths, n_samples, device)

    n = n_samples * width
    tokens = start.repeat_interleave(width, dim=0)
    state = map_state(state, lambda x: x.repeat_interleave(width, dim=0))
    # Tensors equal across the beams of each sample, and their version counters:
    # reordering within a sample leaves them as they are.
    shared = {}
    map_state(state, lambda x: shared.setdefault(id(x), (x, _version(x))))
    coverage: Any = None
    # Every beam starts from the same tokens: only the first beam of each group
    # is live, so the first step does not pick the same candidate `width` times.
    alive = torch.full((n_samples, num_beam_groups, group_width), float("-inf"), device=device)
    alive[:, :, 0] = 0.0
    alive = alive.view(n_samples, width)
    finished: _FinishedHypotheses | None = None
    done = torch.zeros(n_samples, dtype=torch.bool, device=device)
    batch_offset = (torch.arange(n_samples, device=device) * width)[:, None]

    for t in range(max_length):
        log_probs, state, attention = call_step(step_fn, tokens, state, n, coverage_penalty)
        if finished is None:
            check_eos(eos_index, log_probs.shape[1])
            alive = alive.to(log_probs.dtype)
            finished = _FinishedHypotheses(
                n_samples, n_best, max_length, pad, length_penalty, coverage_penalty,
                log_probs.dtype, device,
            )
        if coverage_penalty:
            attention = check_attention(attention, n, source_lengths)
            coverage = attention if coverage is None else coverage + attention
        n_tokens = log_probs.shape[1]
        candidates = (alive[:, :, None] + log_probs.view(n_samples, width, n_tokens))
        last_step = t == max_length - 1
        diverse = diversity_penalty and num_beam_groups > 1
        used: Any = (
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
            finished.add(
                raw[:, head].masked_fill(~finishing, float("-inf")),
                (batch_offset + parent[:, head]).reshape(-1), token[:, head], is_eos[:, head],
                t, tokens[:, start.shape[1]:], coverage, source_lengths,
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
        done |= ~finished.can_improve(alive, t)
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
    assert finished is not None  # max_length >= 1 steps ran
    return finished.result()


class _FinishedHypotheses:
    """The ``n_best`` best finished hypotheses of each sample, best first.

    Like the beam hypotheses of Hugging Face's ``BeamSearchScorer``: beam search
    hands it the candidates that end at each step (``add``), asks whether the
    alive ones can still beat them (``can_improve``) and reads the n-best lists
    at the end (``result``).
    """

    def __init__(self, n_samples, n_best, max_length, pad, length_penalty, coverage_penalty,
                 dtype, device):
        torch = import_torch()
        self.pad = pad
        self.max_length = max_length
        self.length_penalty = length_penalty
        self.coverage_penalty = coverage_penalty
        self.scores = torch.full((n_samples, n_best), float("-inf"), dtype=dtype, device=device)
        self.log_probs = torch.full((n_samples, n_best), float("-inf"), dtype=dtype,
                                    device=device)
        self.sequences = torch.full((n_samples, n_best, max_length), pad, dtype=torch.long,
                                    device=device)
        self.lengths = torch.zeros((n_samples, n_best), dtype=torch.long, device=device)
        self.ended = torch.zeros((n_samples, n_best), dtype=torch.bool, device=device)

    def add(self, log_probs, rows, token, is_eos, t, generated, coverage, source_lengths):
        """Merge the candidates finishing at step ``t`` and keep the ``n_best`` best.

        ``log_probs`` ``(n_samples, n_cand)`` is ``-inf`` for candidates that do
        not finish; candidate ``k`` of sample ``i`` extends hypothesis
        ``rows[i * n_cand + k]`` (of ``generated``, its tokens so far, and
        ``coverage``) with ``token``, the end token where ``is_eos``.
        """
        torch = import_torch()
        n_samples, n_cand = log_probs.shape
        if not torch.isfinite(log_probs).any():
            return
        seqs = torch.full((n_samples * n_cand, self.max_length), self.pad, dtype=torch.long,
                          device=log_probs.device)
        seqs[:, :t] = generated.index_select(0, rows)
        ended = is_eos.reshape(-1)
        token = token.reshape(-1)
        lengths = torch.full_like(ended, t, dtype=torch.long) + (~ended).long()
        seqs[:, t] = torch.where(ended, torch.full_like(token, self.pad), token)
        cov = None
        if self.coverage_penalty:
            cov = masked_coverage(coverage.index_select(0, rows).view(n_samples, n_cand, -1),
                                  source_lengths)
        steps = torch.full_like(log_probs, t + 1)
        scores = gnmt_score(
            log_probs, steps, cov, length_penalty=self.length_penalty,
            coverage_penalty=self.coverage_penalty,
        ).masked_fill(~torch.isfinite(log_probs), float("-inf"))
        merged = {
            "scores": torch.cat([self.scores, scores], dim=1),
            "log_probs": torch.cat([self.log_probs, log_probs], dim=1),
            "sequences": torch.cat([self.sequences, seqs.view(n_samples, n_cand, -1)], dim=1),
            "lengths": torch.cat([self.lengths, lengths.view(n_samples, n_cand)], dim=1),
            "ended": torch.cat([self.ended, ended.view(n_samples, n_cand)], dim=1),
        }
        n_best = self.scores.shape[1]
        # Stable sort: among equal scores the earlier (kept first, then by rank) wins.
        top = torch.sort(merged["scores"], dim=1, descending=True, stable=True).indices[:, :n_best]
        for key, value in merged.items():
            index = top if value.dim() == 2 else top[:, :, None].expand(-1, -1, value.shape[2])
            setattr(self, key, value.gather(1, index))

    def can_improve(self, alive, t):
        """Samples whose alive hypotheses (log P ``alive``) may still beat the n_best-th."""
        torch = import_torch()
        best_alive = alive.max(dim=1).values
        if t + 1 < self.max_length and self.length_penalty:
            # log P only falls; lp is largest at one end of the lengths still possible.
            lp = max(((5.0 + length) / 6.0) ** self.length_penalty
                     for length in (t + 2, self.max_length))
            bound = best_alive / lp
        else:
            bound = best_alive
        worst_kept = self.scores[:, -1]
        no_alive = torch.isinf(best_alive) & (best_alive < 0)
        return ~(no_alive | (torch.isfinite(worst_kept) & (bound <= worst_kept)))

    def result(self):
        """The n-best lists as a :class:`DecodeResult`, cut to the longest hypothesis."""
        longest = int(self.lengths.max()) if self.lengths.numel() else 0
        return DecodeResult(
            sequences=self.sequences[:, :, :longest].contiguous(),
            lengths=self.lengths,
            scores=self.scores,
            log_probs=self.log_probs,
            ended=self.ended,
        )


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
