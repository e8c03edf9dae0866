"""The step-function contract every autoregressive decoder here shares.

The decoder is a *step function*: given the tokens decoded so far for ``N``
hypotheses it returns the log-probabilities of the next token::

    log_probs, state = step_fn(tokens, state)              # or
    log_probs, state, attention = step_fn(tokens, state)

- ``tokens``: long tensor ``(N, t0 + t)``, the start tokens followed by the
  ``t`` tokens generated so far;
- ``state``: any nested structure (tuple, list, dict) of tensors whose first
  dimension is ``N`` (e.g. RNN hidden states, encoder outputs), or None; leaves
  that are not tensors pass through unchanged;
- ``log_probs``: ``(N, n_tokens)`` log-probabilities (values <= 0, e.g. a
  ``log_softmax``) of the next token;
- ``attention`` (optional): ``(N, source_length)`` attention weights of this
  step, needed only for the coverage penalty.

This module holds what greedy, beam and sampling searches share: the result
type, the step call and its checks, start tokens, and the GNMT score.
"""

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

from ..utils._optional import import_optional

if TYPE_CHECKING:
    import torch

# ``step_fn(tokens, state) -> (log_probs, state)`` or ``(log_probs, state, attention)``.
StepFn = Callable[[Any, Any], tuple[Any, ...]]

__all__ = [
    "DecodeResult",
    "as_start_tokens",
    "call_step",
    "check_attention",
    "check_eos",
    "check_search_params",
    "check_source_lengths",
    "gnmt_score",
    "import_torch",
    "map_state",
    "masked_coverage",
]

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

    sequences: "torch.Tensor"
    lengths: "torch.Tensor"
    scores: "torch.Tensor"
    log_probs: "torch.Tensor"
    ended: "torch.Tensor"

    def best(self) -> tuple["torch.Tensor", "torch.Tensor"]:
        """The top hypothesis of each sample: ``(sequences (n, max_len), lengths (n,))``."""
        return self.sequences[:, 0], self.lengths[:, 0]

    def to_lists(self) -> list[list[list[int]]]:
        """n-best lists as Python lists: ``[[tokens of hypothesis k] for k] for sample``."""
        seqs = self.sequences.tolist()
        lengths = self.lengths.tolist()
        return [
            [seq[:n] for seq, n in zip(sample, sample_lengths)]
            for sample, sample_lengths in zip(seqs, lengths)
        ]


def gnmt_score(
    log_prob: Any,
    length: Any,
    coverage: Any = None,
    *,
    length_penalty: float = 0.0,
    coverage_penalty: float = 0.0,
) -> Any:
    """GNMT score ``log_prob / lp + cp`` of finished hypotheses (tensors, broadcast).

    ``length`` counts generated steps, end token included; ``coverage`` is the
    summed attention ``(..., source_length)`` with padding positions set to 1.
    """
    torch = import_torch()
    score = log_prob
    if length_penalty:
        lp = ((5.0 + length.to(log_prob.dtype)) / 6.0) ** length_penalty
        score = score / lp
    if coverage_penalty:
        capped = coverage.clamp(min=_COVERAGE_FLOOR, max=1.0).to(log_prob.dtype)
        score = score + coverage_penalty * torch.log(capped).sum(-1)
    return score


def masked_coverage(coverage: Any, source_lengths: Any) -> Any:
    """Coverage ``(n_samples, k, source_length)`` with padding positions set to 1.

    Positions at or beyond each sample's source length then add ``log(1) = 0``
    to the coverage penalty.
    """
    if source_lengths is None:
        return coverage
    positions = import_torch().arange(coverage.shape[-1], device=coverage.device)
    return coverage.masked_fill(positions >= source_lengths[:, None, None], 1.0)


def map_state(state: Any, fn: Callable[[Any], Any]) -> Any:
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


def call_step(
    step_fn: StepFn, tokens: Any, state: Any, n: int, coverage_penalty: float
) -> tuple[Any, Any, Any]:
    """``step_fn(tokens, state)`` checked: ``(log_probs, state, attention or None)``."""
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


def check_eos(eos_index: int, n_tokens: int) -> None:
    """Raise unless ``eos_index`` is one of the ``n_tokens`` of the step output."""
    if not isinstance(eos_index, Integral) or not 0 <= eos_index < n_tokens:
        raise ValueError(
            f"eos_index={eos_index!r} is not a token index of step_fn's output "
            f"(0 to {n_tokens - 1})."
        )


def check_attention(attention: Any, n: int, source_lengths: Any) -> Any:
    """``attention`` if it is ``(n, source_length)`` and covers every source length."""
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


def check_source_lengths(torch: Any, source_lengths: Any, n_samples: int, device: Any) -> Any:
    """``source_lengths`` as a long tensor of one positive length per sample, or None."""
    if source_lengths is None:
        return None
    lengths = torch.as_tensor(source_lengths, device=device).long()
    if lengths.shape != (n_samples,) or bool((lengths < 1).any()):
        raise ValueError(
            f"source_lengths must hold one positive length per sample ({n_samples}), "
            f"got shape {tuple(lengths.shape)}."
        )
    return lengths


def as_start_tokens(torch: Any, start_tokens: Any) -> Any:
    """``start_tokens`` as a long tensor of shape ``(n_samples, t0)``."""
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


def check_search_params(
    max_length: int,
    beam_width: int,
    n_best: int,
    length_penalty: float,
    coverage_penalty: float,
    num_beam_groups: int,
    diversity_penalty: float,
) -> None:
    """Raise a ValueError naming the first search parameter out of its range."""
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


def _check_penalty(name: str, value: float, allow_negative: bool = False) -> None:
    if not isinstance(value, Real) or isinstance(value, bool) or value != value:
        raise ValueError(f"{name} must be a real number, got {value!r}.")
    if not allow_negative and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}.")


def import_torch() -> Any:
    """PyTorch, or an ImportError naming the ``neural`` extra."""
    return import_optional("torch", "neural")
