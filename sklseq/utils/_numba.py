"""numba, when it is installed: a module's plain-Python loops, compiled together on first use.

sklseq's hot loops (the ETS, ARIMA and Theta recursions, rolling sums,
differencing) are plain Python functions that numba can compile. numba is
optional (the ``fast`` extra): without it the Python functions run as they are
(slowly), or the caller takes a numpy path.
"""

import importlib.util
import threading
import types
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["HAS_NUMBA", "CompiledFunctions"]

HAS_NUMBA = importlib.util.find_spec("numba") is not None


class CompiledFunctions:
    """The functions ``names`` of a module, compiled by numba on first use.

    Each compiled function is a copy of the module's function whose global
    names resolve to the other compiled copies, so a call tree compiles
    together and the module's Python functions stay as they are (usable and
    testable without numba). Machine code is cached on disk (``cache=True``):
    a new environment compiles once, for a few seconds.

    Parameters
    ----------
    namespace : dict
        The module's ``globals()``.
    names : sequence of str
        The functions to compile: the entry points and everything they call.
    python_fallback : bool, default=True
        Without numba (or with ``use_numba`` False) return the Python function;
        False returns None, for callers with a numpy path of their own.
    """

    def __init__(
        self, namespace: dict[str, Any], names: Sequence[str], *, python_fallback: bool = True
    ) -> None:
        self.namespace = namespace
        self.names = tuple(names)
        self.python_fallback = python_fallback
        self.use_numba = HAS_NUMBA
        self._compiled: dict[str, Callable[..., Any]] | None = None
        self._lock = threading.Lock()

    def __call__(self, name: str, use_numba: bool = True) -> Any:
        """The function ``name``: compiled, or as the module defines it (or None)."""
        if name not in self.names:
            raise KeyError(f"{name!r} is not among the compiled functions {self.names}.")
        if not (use_numba and self.use_numba):
            return self.namespace[name] if self.python_fallback else None
        with self._lock:
            if self._compiled is None:
                self._compiled = self._compile()
        return self._compiled[name]

    def _compile(self) -> dict[str, Callable[..., Any]]:
        import numba  # noqa: PLC0415

        shared = dict(self.namespace)
        for name in self.names:
            function = self.namespace[name]
            copy = types.FunctionType(
                function.__code__, shared, function.__name__, function.__defaults__
            )
            shared[name] = _jit(numba, copy)
        return {name: shared[name] for name in self.names}


def _jit(numba: Any, function: Callable[..., Any]) -> Callable[..., Any]:
    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba finds no writable cache directory
        return numba.njit(nogil=True)(function)
