"""Reference implementations the tests compare against and the benchmarks time against.

``beam_search_reference``: beam search one hypothesis at a time, in plain Python.

Same arguments, semantics and result as :func:`sklseq.decoding.beam_search`
(GNMT length and coverage penalties, diverse groups, n-best), written the way a
first implementation usually is: a loop over samples, and inside it one
``step_fn`` call per hypothesis with Python lists of candidates. The batched
version must return the same n-best lists (tests/decoding/test_beam.py checks
it) and be much faster (benchmarks/bench_seq2seq.py times both).
"""

import math
from collections import Counter

import torch

from sklseq.decoding import DecodeResult
from sklseq.decoding._common import map_state

__all__ = ["beam_search_reference"]


def beam_search_reference(
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
    """Per-hypothesis beam search; see :func:`sklseq.decoding.beam_search`."""
    start = torch.as_tensor(start_tokens).long()
    if start.dim() == 1:
        start = start[:, None]
    pad = eos_index if pad_index is None else pad_index
    results = []
    for b in range(len(start)):
        sample_state = map_state(state, lambda x, b=b: x[b : b + 1])
        source_length = None if source_lengths is None else int(source_lengths[b])
        results.append(
            _search_one(
                step_fn, start[b : b + 1], sample_state, eos_index, max_length,
                beam_width, n_best, length_penalty, coverage_penalty, num_beam_groups,
                diversity_penalty, source_length,
            )
        )
    return _to_result(results, n_best, pad)


def _search_one(
    step_fn, start, state, eos, max_length, width, n_best, alpha, beta, n_groups,
    diversity, source_length,
):
    group_width = width // n_groups
    # A hypothesis: (generated tokens, log P, decoder state, summed attention).
    groups = [[([], 0.0, state, None)] for _ in range(n_groups)]
    finished = []  # (score, log P, tokens, ended)
    for t in range(max_length):
        last_step = t == max_length - 1
        expanded = []
        for group in groups:
            rows = []
            for tokens, log_p, hyp_state, coverage in group:
                prefix = torch.cat([start, torch.tensor([tokens], dtype=torch.long)], dim=1)
                out = step_fn(prefix, hyp_state)
                step_log_probs = out[0][0].tolist()
                if beta:
                    attention = out[2][0].double().numpy()
                    coverage = attention if coverage is None else coverage + attention
                rows.append((tokens, log_p, out[1], coverage, step_log_probs))
            expanded.append(rows)
        used = Counter()
        new_groups = []
        for rows in expanded:
            candidates = [
                (log_p + lp, i, v)
                for i, (_, log_p, _, _, step_lp) in enumerate(rows)
                for v, lp in enumerate(step_lp)
            ]
            candidates.sort(key=lambda c: -(c[0] - diversity * used[c[2]]))
            kept = []
            for rank, (score, i, v) in enumerate(candidates[: 2 * group_width]):
                tokens, _, hyp_state, coverage, _ = rows[i]
                if score == -math.inf:
                    continue
                if rank < group_width and (v == eos or last_step):
                    ended = v == eos
                    final = _gnmt(score, t + 1, coverage, alpha, beta, source_length)
                    finished.append((final, score, tokens + ([] if ended else [v]), ended))
                if v != eos and len(kept) < group_width:
                    kept.append((tokens + [v], score, hyp_state, coverage))
            used.update(tokens[-1] for tokens, *_ in kept)
            new_groups.append(kept)
        groups = new_groups
        finished.sort(key=lambda f: -f[0])
        finished = finished[:n_best]
        if last_step or _cannot_improve(groups, finished, n_best, t, max_length, alpha):
            break
    return finished


def _cannot_improve(groups, finished, n_best, t, max_length, alpha):
    alive = [h[1] for g in groups for h in g]
    if not alive:
        return True
    if len(finished) < n_best:
        return False
    best = max(alive)
    if alpha:
        best /= max(((5.0 + n) / 6.0) ** alpha for n in (t + 2, max_length))
    return best <= finished[-1][0]


def _gnmt(log_p, steps, coverage, alpha, beta, source_length):
    score = log_p / ((5.0 + steps) / 6.0) ** alpha
    if beta:
        cov = coverage[:source_length]
        score += beta * sum(math.log(min(max(c, 1e-10), 1.0)) for c in cov)
    return score


def _to_result(results, n_best, pad):
    n_samples = len(results)
    longest = max((len(f[2]) for res in results for f in res), default=0)
    sequences = torch.full((n_samples, n_best, longest), pad, dtype=torch.long)
    lengths = torch.zeros((n_samples, n_best), dtype=torch.long)
    scores = torch.full((n_samples, n_best), -math.inf, dtype=torch.float64)
    log_probs = torch.full((n_samples, n_best), -math.inf, dtype=torch.float64)
    ended = torch.zeros((n_samples, n_best), dtype=torch.bool)
    for b, res in enumerate(results):
        for k, (score, log_p, tokens, end) in enumerate(res):
            sequences[b, k, : len(tokens)] = torch.tensor(tokens, dtype=torch.long)
            lengths[b, k] = len(tokens)
            scores[b, k] = score
            log_probs[b, k] = log_p
            ended[b, k] = end
    return DecodeResult(sequences, lengths, scores, log_probs, ended)
