"""Transactional ``fit``: new fitted state is built aside and swapped in only on success."""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

_Fit = TypeVar("_Fit", bound=Callable[..., Any])

__all__ = ["transactional"]


def transactional(fit: _Fit) -> _Fit:
    """Run ``fit`` on a staged copy of the estimator; swap its attributes in on success.

    The staged copy starts with the estimator's current attributes (so a warm
    start sees the previous fit) and receives every attribute the fit sets. Only
    when ``fit`` returns are they swapped into the estimator, in one assignment:
    any exception (a bad ``y``, a diverged loss, a KeyboardInterrupt outside
    training) leaves a previously fitted estimator exactly as it was, and a
    ``predict`` running meanwhile never sees half of a new fit.

    Parameters
    ----------
    fit : callable
        A method ``fit(self, *args, **kwargs)`` that sets fitted attributes
        on ``self``.

    Returns
    -------
    wrapped : callable
        The method; it returns ``self`` where ``fit`` returned the staged copy,
        otherwise what ``fit`` returned (e.g. ``fit_transform``'s output).

    Examples
    --------
    >>> class Counter:
    ...     @transactional
    ...     def fit(self, n):
    ...         self.n_ = n
    ...         if n < 0:
    ...             raise ValueError("n must be non-negative")
    ...         return self
    >>> counter = Counter().fit(3)
    >>> try:
    ...     counter.fit(-1)
    ... except ValueError:
    ...     pass
    >>> counter.n_
    3
    """

    @functools.wraps(fit)
    def staged_fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        staged = object.__new__(type(self))
        staged.__dict__.update(self.__dict__)
        result = fit(staged, *args, **kwargs)
        self.__dict__ = staged.__dict__
        return self if result is staged else result

    return staged_fit  # type: ignore[return-value]
