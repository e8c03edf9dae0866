"""Ancestral sampling: draw each next token from the (tempered, top-k) step distribution."""

from numbers import Integral, Real
from typing import Any

from ._common import (
    DecodeResult,
    StepFn,
    as_start_tokens,
    call_step,
    check_eos,
    import_torch,
)

__all__ = ["sample_search"]


def sample_search(
    step_fn: StepFn,
    start_tokens: Any,
    state: Any = None,
    *,
    eos_index: int,
    max_length: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    generator: Any = None,
    pad_index: int | None = None,
) -> DecodeResult:
    """Sample each next token until the end token or ``max_length``, all samples at once.

    Same step function as :func:`beam_search` and :func:`greedy_search` (its
    attention, if returned, is ignored). Needs PyTorch.

    Parameters
    ----------
    step_fn : callable
        ``step_fn(tokens, state) -> (log_probs, state)`` or
        ``(log_probs, state, attention)``, with ``tokens`` of shape
        ``(n_samples, t0 + t)`` and ``log_probs`` of shape ``(n_samples, n_tokens)``.
        Tokens that must never be drawn get a log-probability of ``-inf``.
    start_tokens : LongTensor or array-like of shape (n_samples,) or (n_samples, t0)
        Tokens every sample continues (e.g. the begin-of-sequence token and a
        prefix).
    state : nested structure of tensors with first dimension n_samples, default=None
        Initial state passed to ``step_fn``.
    eos_index : int
        Token that ends a sequence.
    max_length : int
        Most tokens generated, end token included.
    temperature : float, default=1.0
        The log-probabilities are divided by it before sampling; 0 takes the
        most likely token (greedy).
    top_k : int or None, default=None
        Sample only among the ``top_k`` most likely tokens of each step.
    generator : torch.Generator or None, default=None
        Source of randomness of the draws; None uses torch's global one.
    pad_index : int, default=None
        Fed to ``step_fn`` after a sample's end token and fills ``sequences``
        there; ``eos_index`` when None.

    Returns
    -------
    result : DecodeResult
        With ``n_best=1``: ``sequences`` of shape ``(n_samples, 1, max_len)``;
        ``log_probs`` and ``scores`` are the step function's log-probabilities
        of the drawn tokens (end token included), summed.

    Examples
    --------
    >>> import torch
    >>> def step_fn(tokens, state):
    ...     t = tokens.shape[1] - 1
    ...     probs = torch.tensor([[0.1, 0.6, 0.3]] * 2 + [[0.8, 0.1, 0.1]])[min(t, 2)]
    ...     return probs.log().expand(len(tokens), 3), state
    >>> result = sample_search(step_fn, torch.tensor([2, 2]), eos_index=0, max_length=5,
    ...                        temperature=0)
    >>> result.to_lists()
    [[[1, 1]], [[1, 1]]]
    >>> generator = torch.Generator().manual_seed(0)
    >>> result = sample_search(step_fn, torch.tensor([2] * 3), eos_index=0, max_length=5,
    ...                        generator=generator)
    >>> result.sequences.shape[:2]
    torch.Size([3, 1])
    """
    torch = import_torch()
    _check_sampling_params(max_length, temperature, top_k)
    start = as_start_tokens(torch, start_tokens)
    tokens = start
    device = start.device
    n_samples = start.shape[0]
    pad = eos_index if pad_index is None else pad_index

    finished = torch.zeros(n_samples, dtype=torch.bool, device=device)
    total = None
    for _ in range(max_length):
        log_probs, state, _ = call_step(step_fn, tokens, state, n_samples, 0.0)
        if total is None:
            check_eos(eos_index, log_probs.shape[1])
            total = torch.zeros(n_samples, dtype=log_probs.dtype, device=device)
        choice = _draw(log_probs, temperature, top_k, generator)
        drawn = log_probs.gather(1, choice[:, None])[:, 0]
        total = total + torch.where(finished, torch.zeros_like(drawn), drawn)
        choice = choice.masked_fill(finished, pad)
        tokens = torch.cat([tokens, choice[:, None]], dim=1)
        finished |= choice == eos_index
        if bool(finished.all()):
            break
    return _as_result(torch, tokens[:, start.shape[1]:], eos_index, pad, total)


def _draw(log_probs: Any, temperature: float, top_k: int | None, generator: Any) -> Any:
    """One token per row: the arg-max at temperature 0, else a tempered top-k draw."""
    torch = import_torch()
    if temperature == 0:
        return log_probs.argmax(dim=-1)
    logits = log_probs / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(1)


def _as_result(
    torch: Any, generated: Any, eos_index: int, pad: int, total: Any
) -> DecodeResult:
    """The drawn tokens ``(n_samples, t)`` (end token included) as a DecodeResult."""
    is_eos = generated == eos_index
    ended = is_eos.any(dim=1)
    steps = generated.shape[1]
    lengths = torch.where(ended, is_eos.long().argmax(dim=1), torch.full_like(ended, steps,
                                                                              dtype=torch.long))
    positions = torch.arange(steps, device=generated.device)
    sequences = generated.masked_fill(positions >= lengths[:, None], pad)
    longest = int(lengths.max())
    return DecodeResult(
        sequences=sequences[:, None, :longest].contiguous(),
        lengths=lengths[:, None],
        scores=total[:, None],
        log_probs=total[:, None],
        ended=ended[:, None],
    )


def _check_sampling_params(max_length: int, temperature: float, top_k: int | None) -> None:
    if not isinstance(max_length, Integral) or isinstance(max_length, bool) or max_length < 1:
        raise ValueError(f"max_length must be an integer >= 1, got {max_length!r}.")
    if (not isinstance(temperature, Real) or isinstance(temperature, bool)
            or not temperature >= 0):
        raise ValueError(f"temperature must be a real number >= 0, got {temperature!r}.")
    if top_k is not None and (
        not isinstance(top_k, Integral) or isinstance(top_k, bool) or top_k < 1
    ):
        raise ValueError(f"top_k must be an integer >= 1 or None, got {top_k!r}.")
