"""Greedy decoding: the most probable next token at every step, all samples at once."""

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
    masked_coverage,
)

__all__ = ["greedy_search"]


def greedy_search(
    step_fn: StepFn,
    start_tokens: Any,
    state: Any = None,
    *,
    eos_index: int,
    max_length: int,
    length_penalty: float = 0.0,
    coverage_penalty: float = 0.0,
    source_lengths: Any = None,
    pad_index: int | None = None,
) -> DecodeResult:
    """Greedy decoding: take the arg-max token until the end token or ``max_length``.

    Same step function, arguments and result as :func:`beam_search` (which
    equals this with ``beam_width=1``). Needs PyTorch.

    Parameters
    ----------
    step_fn : callable
        ``step_fn(tokens, state) -> (log_probs, state)`` or
        ``(log_probs, state, attention)``, with ``tokens`` of shape
        ``(n_samples, t0 + t)`` and ``log_probs`` of shape ``(n_samples, n_tokens)``.
    start_tokens : LongTensor or array-like of shape (n_samples,) or (n_samples, t0)
        First token of each sample (e.g. the begin-of-sequence index).
    state : nested structure of tensors with first dimension n_samples, default=None
        Initial state passed to ``step_fn`` (a tensor or a dict of tensors).
    eos_index : int
        Token that ends a sequence.
    max_length : int
        Most tokens generated, end token included.
    length_penalty, coverage_penalty : float, default=0.0
        Only change the reported ``scores`` (GNMT formula, see
        :func:`beam_search`); the tokens are the arg-max ones either way.
    source_lengths : array-like of shape (n_samples,), default=None
        Source lengths of the samples, for the coverage penalty.
    pad_index : int, default=None
        Fills ``sequences`` after the end; ``eos_index`` when None.

    Returns
    -------
    result : DecodeResult
        With ``n_best=1``: ``sequences`` of shape ``(n_samples, 1, max_len)``.

    Examples
    --------
    >>> import torch
    >>> def step_fn(tokens, state):
    ...     t = tokens.shape[1] - 1
    ...     probs = torch.tensor([[0.1, 0.6, 0.3]] * 2 + [[0.8, 0.1, 0.1]])[min(t, 2)]
    ...     return probs.log().expand(len(tokens), 3), state
    >>> result = greedy_search(step_fn, torch.tensor([2, 2]), eos_index=0, max_length=5)
    >>> result.to_lists()
    [[[1, 1]], [[1, 1]]]
    """
    torch = import_torch()
    check_search_params(max_length, 1, 1, length_penalty, coverage_penalty, 1, 0.0)
    tokens = as_start_tokens(torch, start_tokens)
    device = tokens.device
    n_samples = tokens.shape[0]
    pad = eos_index if pad_index is None else pad_index
    source_lengths = check_source_lengths(torch, source_lengths, n_samples, device)

    sequences = torch.full((n_samples, max_length), pad, dtype=torch.long, device=device)
    lengths = torch.zeros(n_samples, dtype=torch.long, device=device)
    steps = torch.zeros(n_samples, dtype=torch.long, device=device)
    ended = torch.zeros(n_samples, dtype=torch.bool, device=device)
    total: Any = None  # tensors of the step function's dtype, set at the first step
    coverage: Any = None
    for t in range(max_length):
        log_probs, state, attention = call_step(step_fn, tokens, state, n_samples,
                                                coverage_penalty)
        if total is None:
            check_eos(eos_index, log_probs.shape[1])
            total = torch.zeros(n_samples, dtype=log_probs.dtype, device=device)
        active = ~ended
        best_log_prob, token = log_probs.max(dim=1)
        total = total + torch.where(active, best_log_prob, torch.zeros_like(best_log_prob))
        if coverage_penalty:
            attention = check_attention(attention, n_samples, source_lengths)
            attention = attention * active[:, None]
            coverage = attention if coverage is None else coverage + attention
        is_eos = token == eos_index
        writes = active & ~is_eos
        sequences[:, t] = torch.where(writes, token, sequences[:, t])
        lengths += writes.long()
        steps += active.long()
        ended |= active & is_eos
        if bool(ended.all()):
            break
        tokens = torch.cat([tokens, torch.where(active, token, pad)[:, None]], dim=1)

    if coverage is not None:
        coverage = masked_coverage(coverage[:, None, :], source_lengths)[:, 0]
    scores = gnmt_score(total, steps, coverage, length_penalty=length_penalty,
                        coverage_penalty=coverage_penalty)
    longest = int(lengths.max())
    return DecodeResult(
        sequences=sequences[:, None, :longest].contiguous(),
        lengths=lengths[:, None],
        scores=scores[:, None],
        log_probs=total[:, None],
        ended=ended[:, None],
    )
