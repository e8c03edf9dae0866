"""What the sequence transformers share.

:class:`SequenceTransformer` is the base of every transformer in
:mod:`sklseq.preprocessing`. Its public ``fit`` / ``transform`` /
``fit_transform`` validate the input once through
:func:`sklseq.utils.check_sequences` and hand a padded array
``X`` of shape ``(n_samples, n_timesteps, n_channels)`` (trailing NaN is
padding) plus ``lengths`` to private hooks that subclasses implement:

- ``_min_length()``: shortest sequence the parameters allow, and why
  (e.g. ``(5, "window_size=5")``), checked for every row;
- ``_fit(X, lengths)``: learn fitted attributes (most transformers are
  stateless apart from the input shape);
- ``_transform(X, lengths)``: the output, a 2D array
  ``(n_samples, n_features_out)`` or a 3D sequence panel
  ``(n_samples, n_steps_out, n_features_out)``;
- ``_feature_names_out(channels)``: names of the output's last axis, built
  from the channel names (see :func:`channel_names`).

Optionally, for speed on large inputs, ``_supports_finite_pass()`` (True for
the parameters it handles) and ``_transform_if_finite(X)``: the output of
``transform`` computed straight from array input whose values were not
checked yet, read as full-length rows, with the input's finiteness checked
block by block while the block is in cache; None as soon as a non-finite
value is met, and the input then takes the full check (padding, inf,
interior NaN). This saves the separate pass over the data that validation
otherwise costs.

Output conventions: a 2D output honours ``set_output(transform="pandas")``
(index taken from a DataFrame input); a 3D output is a sequence panel with
NaN right-padding, as the data contract defines, returned as a
:class:`sklseq.utils.SequencePanel` (an ndarray subclass; pandas has no 3D
container) that the next step reads as sequences free in length. ``get_feature_names_out`` names the last axis of the
output in both cases.
"""

from collections.abc import Iterator, Sequence
from numbers import Integral
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils import SequencePanel, check_sequences
from ..utils._compat import _check_feature_names_in, _fit_context, _wrap_data_with_container
from ..utils._transaction import transactional

__all__ = [
    "SequenceTransformer",
    "channel_names",
    "cache_blocks",
    "check_lags",
    "row_chunks",
    "squeeze_univariate",
]


def channel_names(n_channels: int) -> list[str]:
    """Names of the channels of a panel: ``"x0"``, ``"x1"``, ...

    A 2D panel (or DataFrame) has its time steps as columns, so its column
    names describe time steps, not channels; its one channel is ``"x0"``.

    Examples
    --------
    >>> channel_names(2)
    ['x0', 'x1']
    """
    return [f"x{c}" for c in range(n_channels)]


def squeeze_univariate(X: NDArray[Any]) -> NDArray[Any]:
    """Drop the channel axis of a ``(n, T, 1)`` sequence output, keep it otherwise.

    Sequence outputs follow :func:`sklseq.forecasting.make_windows`: 2D for one
    channel, 3D for several.
    """
    return X[:, :, 0] if X.shape[2] == 1 else X


def check_lags(lags: int | Sequence[int], name: str = "lags") -> NDArray[np.intp]:
    """Validate lags given as an int ``k`` (lags ``0..k-1``) or a list of non-negative ints.

    Returns
    -------
    lags : ndarray of shape (n_lags,), dtype intp, in the order given.
    """
    if isinstance(lags, Integral) and not isinstance(lags, bool):
        if lags < 1:
            raise ValueError(f"{name} must be a positive integer or a list of lags; got {lags!r}.")
        return np.arange(int(lags), dtype=np.intp)
    values = np.asarray(lags)
    if values.ndim != 1 or values.size == 0 or values.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be a positive integer or a non-empty list of integers; got {lags!r}."
        )
    if (values < 0).any():
        raise ValueError(f"{name} must be non-negative (0 is the last value); got {lags!r}.")
    if len(np.unique(values)) != len(values):
        raise ValueError(f"{name} has repeated values: {lags!r}.")
    return values.astype(np.intp)


def row_chunks(
    n_samples: int, temp_bytes_per_row: int, out_nbytes: int, min_budget: int = 1 << 16
) -> Iterator[slice]:
    """Row slices whose temporaries stay within half of the output's size.

    Transformers whose computation needs temporaries larger than their output
    (an FFT's complex spectrum, a zero-filled copy of a padded input) work on
    rows in chunks, so peak memory stays below twice the output.

    Parameters
    ----------
    n_samples : int
    temp_bytes_per_row : int
        Bytes of temporaries one row needs.
    out_nbytes : int
        Size of the whole output.
    min_budget : int, default=65536
        Smallest temporary budget, so tiny outputs are not processed row by row.

    Yields
    ------
    rows : slice

    Examples
    --------
    >>> list(row_chunks(5, temp_bytes_per_row=100, out_nbytes=400, min_budget=0))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    budget = max(out_nbytes // 2, min_budget)
    step = max(1, int(budget // max(temp_bytes_per_row, 1)))
    for start in range(0, n_samples, step):
        yield slice(start, min(start + step, n_samples))


def cache_blocks(
    shape: tuple[int, ...], itemsize: int, block_bytes: int = 1 << 19
) -> Iterator[tuple[slice, int, int]]:
    """Blocks of about ``block_bytes`` over the first two axes of ``shape``.

    Groups of whole rows, or time spans of one row when a row is larger than
    a block: work on a block stays in cache between passes over it.

    Parameters
    ----------
    shape : tuple of int
        ``(n_samples, n_steps, ...)``.
    itemsize : int
    block_bytes : int, default=524288

    Yields
    ------
    rows : slice
    t0, t1 : int
        The steps of the block.

    Examples
    --------
    >>> list(cache_blocks((1, 10), 8, block_bytes=32))
    [(slice(0, 1, None), 0, 4), (slice(0, 1, None), 4, 8), (slice(0, 1, None), 8, 10)]
    """
    n_samples, n_steps = shape[:2]
    step_bytes = int(np.prod(shape[2:])) * itemsize
    row_bytes = max(n_steps * step_bytes, 1)
    if row_bytes <= block_bytes:
        n_rows = block_bytes // row_bytes
        for r0 in range(0, n_samples, n_rows):
            yield slice(r0, min(r0 + n_rows, n_samples)), 0, n_steps
        return
    span = max(block_bytes // step_bytes, 1)
    for row in range(n_samples):
        for t0 in range(0, n_steps, span):
            yield slice(row, row + 1), t0, min(t0 + span, n_steps)


def sum_of_squares(block: NDArray[Any]) -> float:
    """``sum(block ** 2)``: finite exactly when every value is (or on overflow, not).

    The cheap finiteness check of ``_transform_if_finite`` (a BLAS dot product
    on a block in cache).
    """
    flat = block.reshape(-1)
    return float(np.dot(flat, flat))


class SequenceTransformer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Base class of the sequence transformers; not for direct use.

    Subclasses set ``_parameter_constraints`` and implement the hooks
    described in the module docstring; they do not override ``fit``,
    ``transform`` or ``fit_transform``. Parameters are validated at fit.
    Fitting is transactional: a fit that raises leaves a previous fit intact.
    """

    _parameter_constraints: dict = {}

    @transactional
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> Self:
        """Check the input and learn its shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            The panel (see :func:`sklseq.utils.check_sequences`).
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X3, lengths = self._validate(X, reset=True)
        self._fit(X3, lengths)
        return self

    def transform(self, X: Any) -> Any:
        """Transform each sequence on its own.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            The panel, with the channels seen at fit.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features_out) or (n_samples, n_steps_out, n_features_out)
            See the class docstring. A 2D output is a DataFrame under
            ``set_output(transform="pandas")``.
        """
        check_is_fitted(self)
        Xt = None
        if isinstance(X, np.ndarray) and X.size and self._supports_finite_pass():
            X3, _ = check_sequences(X, estimator=self, reset=False, scan_values=False)
            if X3.shape[1] >= self._min_length()[0]:
                # Non-finite input would only warn here before the full check
                # below rejects it (or finds its padding).
                with np.errstate(over="ignore", invalid="ignore"):
                    Xt = self._transform_if_finite(X3)
        if Xt is None:
            X3, lengths = self._validate(X, reset=False)
            Xt = self._transform(X3, lengths)
        return self._wrap(Xt, X)

    @transactional
    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """Fit, then transform, validating the input once.

        Parameters
        ----------
        X : array-like or list of sequences
        y : None
            Ignored.

        Returns
        -------
        Xt : ndarray or DataFrame
        """
        self._validate_params()
        X3, lengths = self._validate(X, reset=True)
        self._fit(X3, lengths)
        return self._wrap(self._transform(X3, lengths), X)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> NDArray[np.object_]:
        """Names of the output's last axis.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Checked against ``feature_names_in_`` / ``n_features_in_`` (the
            time steps of a 2D input) as sklearn does; channel names are
            ``"x0"``, ``"x1"``, ... (see :func:`channel_names`).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        names = self._feature_names_out(channel_names(self.n_channels_in_))
        return np.asarray(names, dtype=object)

    # Hooks for subclasses.

    def _min_length(self) -> tuple[int, str]:
        return 1, "this transformer"

    def _fit(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> None:
        pass

    def _transform(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        raise NotImplementedError

    def _feature_names_out(self, channels: list[str]) -> list[str]:
        raise NotImplementedError

    def _supports_finite_pass(self) -> bool:
        return False

    def _transform_if_finite(self, X: Any) -> NDArray[Any] | None:
        return None

    # Plumbing.

    def _validate(self, X: Any, reset: bool) -> tuple[NDArray[Any], NDArray[np.intp]]:
        min_length, reason = self._min_length()
        return check_sequences(
            X, estimator=self, reset=reset, min_length=min_length, length_reason=reason
        )

    def _wrap(self, Xt: NDArray[Any], X: Any) -> Any:
        if Xt.ndim != 2:
            return Xt.view(SequencePanel)
        return _wrap_data_with_container("transform", Xt, X, self)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.three_d_array = True
        return tags


# set_output is offered (it needs "transform" here) while the base wraps 2D
# outputs itself: sklearn's automatic wrapping would fail on 3D outputs.
SequenceTransformer._sklearn_auto_wrap_output_keys = {"transform"}
