"""Scaling of sequences: standardisation, min-max and robust, per sequence or data-set-wide.

Statistics are taken over the valid steps of each row only (NaN right-padding is
never read) and per channel unless ``per_channel=False``. Per-sequence scaling
(each row by its own statistics, the z-normalisation of the UCR archive) makes
rows of very different amplitudes comparable; data-set-wide scaling keeps the
amplitude differences between rows and can be undone exactly.
:func:`scaling_statistics` and :func:`scale_sequences` are the pure functions
underneath, for any estimator that scales its input itself.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils import check_sequences
from ..utils._compat import StrOptions
from ._base import SequenceTransformer, squeeze_univariate

__all__ = ["SequenceScaler", "scale_sequences", "scaling_statistics"]

METHODS = ("standard", "minmax", "robust")
SCOPES = ("sequence", "dataset")


def scaling_statistics(
    X: NDArray[Any],
    lengths: NDArray[np.intp],
    *,
    method: str = "standard",
    scope: str = "sequence",
    per_channel: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centre and scale of a padded panel, over its valid steps only.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_channels)
        Padded panel as :func:`sklseq.utils.check_sequences` returns it;
        steps ``t >= lengths[i]`` are ignored whatever they hold.
    lengths : ndarray of shape (n_samples,)
        Length of each sequence.
    method : {"standard", "minmax", "robust"}, default="standard"
        ``"standard"``: mean and standard deviation; ``"minmax"``: minimum and
        range, so scaled values lie in ``[0, 1]``; ``"robust"``: median and
        interquartile range.
    scope : {"sequence", "dataset"}, default="sequence"
        Statistics of each row, or of all rows together.
    per_channel : bool, default=True
        One statistic per channel, or one pooled over the channels.

    Returns
    -------
    center, scale : ndarray of shape (n_samples or 1, 1, n_channels or 1)
        Broadcastable against ``X``; ``(X - center) / scale`` is the scaled
        panel. A zero scale (a constant row or channel) is replaced by 1, so
        constant input maps to 0 instead of NaN.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[1.0], [3.0], [np.nan]], [[2.0], [4.0], [6.0]]])
    >>> center, scale = scaling_statistics(X, np.array([2, 3]))
    >>> center.ravel(), scale.ravel()
    (array([2., 4.]), array([1.        , 1.63299316]))
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}; got {scope!r}.")
    n_samples, n_timesteps, n_channels = X.shape
    valid = np.arange(n_timesteps)[None, :] < np.asarray(lengths)[:, None]
    if scope == "sequence":
        # Rows keep their own statistics: (n, steps, channels).
        values, mask = X, np.broadcast_to(valid[:, :, None], X.shape)
    else:
        # All valid steps of all rows as one long sequence: (1, n_valid, channels).
        values, mask = X[valid][None], np.ones((1, int(valid.sum()), n_channels), dtype=bool)
    if not per_channel:
        values = values.reshape(values.shape[0], -1, 1)
        mask = mask.reshape(mask.shape[0], -1, 1)
    counts = mask.sum(axis=1, keepdims=True)
    if method == "standard":
        center = np.where(mask, values, 0).sum(axis=1, keepdims=True) / counts
        deviation = np.where(mask, values - center, 0)
        scale = np.sqrt((deviation * deviation).sum(axis=1, keepdims=True) / counts)
    elif method == "minmax":
        center = np.where(mask, values, np.inf).min(axis=1, keepdims=True)
        scale = np.where(mask, values, -np.inf).max(axis=1, keepdims=True) - center
    else:
        low, center, high = _masked_quantiles(values, mask, counts, (0.25, 0.5, 0.75))
        scale = high - low
    scale = np.where(scale > 0, scale, 1.0).astype(X.dtype, copy=False)
    return center.astype(X.dtype, copy=False), scale


def scale_sequences(
    X: NDArray[Any],
    lengths: NDArray[np.intp],
    *,
    method: str = "standard",
    per_channel: bool = True,
) -> NDArray[Any]:
    """Scale each sequence by its own statistics; padding stays NaN.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_channels)
        Padded panel (see :func:`scaling_statistics`).
    lengths : ndarray of shape (n_samples,)
        Length of each sequence.
    method : {"standard", "minmax", "robust"}, default="standard"
        Statistics to scale by (see :func:`scaling_statistics`).
    per_channel : bool, default=True
        One statistic per channel, or one pooled over the channels.

    Returns
    -------
    Xt : ndarray of the shape and dtype of ``X``
        NaN at the padded steps.

    Examples
    --------
    >>> import numpy as np
    >>> scale_sequences(np.array([[[1.0], [2.0], [3.0]]]), np.array([3]), method="minmax")[..., 0]
    array([[0. , 0.5, 1. ]])
    """
    center, scale = scaling_statistics(
        X, lengths, method=method, scope="sequence", per_channel=per_channel
    )
    return _apply(X, lengths, center, scale)


def _apply(
    X: NDArray[Any], lengths: NDArray[np.intp], center: NDArray[Any], scale: NDArray[Any]
) -> NDArray[Any]:
    out = (X - center) / scale
    padded = np.arange(X.shape[1])[None, :] >= np.asarray(lengths)[:, None]
    out[padded] = np.nan
    return out


def _masked_quantiles(
    values: NDArray[Any], mask: NDArray[np.bool_], counts: NDArray[Any], qs: tuple[float, ...]
) -> list[NDArray[np.float64]]:
    # NaN sorts last, so each row's valid values come first, in order; the
    # quantile of a row with n values interpolates linearly between the
    # values at positions floor and ceil of q * (n - 1), as np.quantile does.
    ordered = np.sort(np.where(mask, values, np.nan), axis=1)
    last = counts - 1
    results = []
    for q in qs:
        position = q * last
        below = np.floor(position).astype(np.intp)
        above = np.minimum(below + 1, last)
        weight = position - below
        low = np.take_along_axis(ordered, below, axis=1)
        high = np.take_along_axis(ordered, above, axis=1)
        results.append(low + weight * (high - low))
    return results


class SequenceScaler(SequenceTransformer):
    """Standardise, min-max or robust-scale sequences, per sequence or data-set-wide.

    Parameters
    ----------
    method : {"standard", "minmax", "robust"}, default="standard"
        ``"standard"``: subtract the mean, divide by the standard deviation;
        ``"minmax"``: map the minimum to 0 and the maximum to 1;
        ``"robust"``: subtract the median, divide by the interquartile range.
    scope : {"sequence", "dataset"}, default="sequence"
        ``"sequence"``: each row by its own statistics (z-normalisation when
        ``method="standard"``), nothing is learned at fit and each row's
        amplitude is discarded. ``"dataset"``: statistics of all valid steps
        of the training rows, learned at fit; :meth:`inverse_transform`
        undoes it.
    per_channel : bool, default=True
        One statistic per channel, or one pooled over the channels (keeps the
        channels' relative scale).

    Attributes
    ----------
    center_, scale_ : ndarray of shape (n_channels_in_,) or (1,)
        Data-set-wide statistics (``scope="dataset"`` only).
    n_features_in_ : int
        Number of time steps seen at fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names (time steps) of a DataFrame given at fit.
    n_channels_in_ : int

    See Also
    --------
    scale_sequences : The per-sequence scaling as a function on padded arrays.
    scaling_statistics : The statistics themselves.

    Notes
    -----
    The output is a sequence panel of the input's shape: ``(n_samples,
    n_timesteps)`` for one channel, ``(n_samples, n_timesteps, n_channels)``
    for several, NaN right-padding kept, so the next step of a pipeline
    reads variable-length rows as such. A zero scale (constant row or
    channel) is replaced by 1. Output names: the input's column names for a
    2D DataFrame, else ``"x0__t0"``, ... for a 2D output and ``"x0"``, ...
    (channels) for a 3D one.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.preprocessing import SequenceScaler
    >>> X = np.array([[1.0, 2.0, 3.0], [10.0, 30.0, np.nan]])
    >>> SequenceScaler(method="minmax").fit_transform(X)
    array([[0. , 0.5, 1. ],
           [0. , 1. , nan]])
    >>> scaler = SequenceScaler(scope="dataset").fit(X)
    >>> scaler.inverse_transform(scaler.transform(X))
    array([[ 1.,  2.,  3.],
           [10., 30., nan]])
    """

    _parameter_constraints: dict = {
        "method": [StrOptions(set(METHODS))],
        "scope": [StrOptions(set(SCOPES))],
        "per_channel": ["boolean"],
    }

    def __init__(
        self, method: str = "standard", scope: str = "sequence", per_channel: bool = True
    ) -> None:
        self.method = method
        self.scope = scope
        self.per_channel = per_channel

    def _fit(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> None:
        if self.scope == "dataset":
            center, scale = scaling_statistics(
                X, lengths, method=self.method, scope="dataset", per_channel=self.per_channel
            )
            self.center_, self.scale_ = center.ravel(), scale.ravel()

    def _transform(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        if self.scope == "sequence":
            return squeeze_univariate(
                scale_sequences(X, lengths, method=self.method, per_channel=self.per_channel)
            )
        center = self.center_.astype(X.dtype, copy=False)
        scale = self.scale_.astype(X.dtype, copy=False)
        return squeeze_univariate(_apply(X, lengths, center, scale))

    def _dataset_scope(self) -> bool:
        return self.scope == "dataset"

    @available_if(_dataset_scope)
    def inverse_transform(self, X: Any) -> NDArray[Any]:
        """Undo :meth:`transform` (``scope="dataset"`` only: per-sequence statistics are not kept).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_channels), or list of sequences
            Scaled sequences (NaN right-padding allowed).

        Returns
        -------
        X_original : ndarray of the same shape
        """
        check_is_fitted(self)
        Xt, lengths = check_sequences(X, input_name="X")
        if Xt.shape[2] != self.n_channels_in_:
            raise ValueError(
                f"X has {Xt.shape[2]} channel(s), but SequenceScaler was fitted with "
                f"{self.n_channels_in_} channel(s)."
            )
        out = Xt * self.scale_.astype(Xt.dtype) + self.center_.astype(Xt.dtype)
        return squeeze_univariate(out)

    def _feature_names_out(self, channels: list[str]) -> list[str]:
        if len(channels) > 1:
            return channels
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"{channels[0]}__t{t}" for t in range(self.n_features_in_)]
