"""Reference implementations the tests compare against and the benchmarks time against.

``ctc_brute_force`` / ``ctc_best_path``: CTC labellings by enumerating every
alignment; ``ctc_prefix_beam_search_reference``: textbook CTC prefix beam search
over a dict of prefixes, one sample at a time.

``beam_search_reference``: beam search one hypothesis at a time, in plain Python.

Same arguments, semantics and result as :func:`sklseq.decoding.beam_search`
(GNMT length and coverage penalties, diverse groups, n-best), written the way a
first implementation usually is: a loop over samples, and inside it one
``step_fn`` call per hypothesis with Python lists of candidates. The batched
version must return the same n-best lists (tests/decoding/test_beam.py checks
it) and be much faster (benchmarks/bench_seq2seq.py times both).
"""

import itertools
import math
from collections import Counter

import numpy as np
import torch

from sklseq.decoding import DecodeResult
from sklseq.decoding._common import map_state

__all__ = [
    "beam_search_reference",
    "ctc_best_path",
    "ctc_brute_force",
    "ctc_collapse",
    "ctc_prefix_beam_search_reference",
]


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


def _ctc_all_paths(n_frames, n_labels):
    return np.array(list(itertools.product(range(n_labels), repeat=n_frames)))


def ctc_collapse(path, blank):
    """The labelling of an alignment: repeats merged, then blanks dropped."""
    return tuple(
        int(k) for i, k in enumerate(path) if k != blank and (i == 0 or path[i - 1] != k)
    )


def ctc_brute_force(log_probs, blank):
    """Every labelling with its probability summed over all its alignments, best first."""
    n_frames, n_labels = log_probs.shape
    paths = _ctc_all_paths(n_frames, n_labels)
    path_logp = log_probs[np.arange(n_frames), paths].sum(axis=1)
    totals = {}
    for path, logp in zip(paths, path_logp):
        key = ctc_collapse(path, blank)
        totals[key] = np.logaddexp(totals.get(key, -np.inf), logp)
    return sorted(totals.items(), key=lambda item: -item[1])


def ctc_best_path(log_probs):
    """The most probable single alignment and its log-probability, by enumeration."""
    n_frames, n_labels = log_probs.shape
    paths = _ctc_all_paths(n_frames, n_labels)
    path_logp = log_probs[np.arange(n_frames), paths].sum(axis=1)
    best = np.argmax(path_logp)
    return paths[best], path_logp[best]


def ctc_prefix_beam_search_reference(log_probs, beam_width, beam_prune_logp=None, token_min_logp=None):
    """One sample, prefixes in a dict (Hannun et al. 2014), as an independent reference."""
    beams = {(): (0.0, -np.inf)}  # prefix -> (log p ending in blank, log p ending in a label)
    for frame in log_probs:
        grown = {}

        def add(prefix, blank_part, label_part, grown=grown):
            old_blank, old_label = grown.get(prefix, (-np.inf, -np.inf))
            grown[prefix] = (np.logaddexp(old_blank, blank_part), np.logaddexp(old_label, label_part))

        for prefix, (p_blank, p_label) in beams.items():
            total = np.logaddexp(p_blank, p_label)
            add(prefix, total + frame[0], -np.inf)
            if prefix:
                add(prefix, -np.inf, p_label + frame[prefix[-1]])
            for label in range(1, len(frame)):
                skip = token_min_logp is not None and frame[label] < token_min_logp
                if skip and label != np.argmax(frame):
                    continue
                base = p_blank if prefix and prefix[-1] == label else total
                add(prefix + (label,), -np.inf, base + frame[label])
        totals = {prefix: np.logaddexp(*parts) for prefix, parts in grown.items()}
        best = max(totals.values())
        if beam_prune_logp is not None:
            totals = {k: v for k, v in totals.items() if v >= best + beam_prune_logp}
        kept = sorted(totals, key=totals.get, reverse=True)[:beam_width]
        beams = {prefix: grown[prefix] for prefix in kept if totals[prefix] > -np.inf}
    totals = {prefix: np.logaddexp(*parts) for prefix, parts in beams.items()}
    return sorted(totals.items(), key=lambda item: -item[1])
