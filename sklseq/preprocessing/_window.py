"""Framing each sequence into (possibly overlapping) windows."""
from numbers import Integral
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from ..utils._compat import Interval, validate_params
from ._base import SequenceTransformer

__all__ = ["SlidingWindow", "frame_sequences"]


class SlidingWindow(SequenceTransformer):
    """Frame each sequence into windows of ``window_size`` steps, ``stride`` apart.

    Windows start at the first step of each sequence (as audio framing does),
    every ``stride`` steps; a leftover shorter than a window at the end is
    dropped. A row of length ``T`` has ``(T - window_size) // stride + 1``
    windows.

    Parameters
    ----------
    window_size : int, default=2
        Steps in each window. The default, pairs of consecutive values, is the
        smallest window that frames anything; set it for your data.
    stride : int, default=1
        Steps between the starts of consecutive windows.
    flatten : bool, default=True
        True: one 2D row per sequence, its windows one after another (ready
        for any scikit-learn estimator, ``set_output`` and a ``Pipeline``).
        False: a 3D panel of frames ``(n_samples, n_windows, window_size *
        n_channels)``, i.e. a sequence of windows per row (e.g. for
        spectrogram-style features or a sequence model); without padding this
        is a read-only view of the input, no copy.

    Attributes
    ----------
    n_windows_ : int
        Windows of the longest sequence seen at fit; the width of the
        flattened output is ``n_windows_ * window_size * n_channels_in_``.
    n_features_in_ : int
        Number of time steps seen at fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names (time steps) of a DataFrame given at fit.
    n_channels_in_ : int

    See Also
    --------
    sklseq.preprocessing.make_windows : Windows and targets from one long series.
    frame_sequences : The framing as a function on a padded 3D array.

    Notes
    -----
    Layout: within a window, steps oldest first and, at each step, the
    channels; windows one after another when flattened. Names:
    ``"x0__win0__step0"``, ``"x0__win0__step1"``, ... (flattened) and
    ``"x0__step0"``, ... for the last axis of the frames.

    Variable-length rows: a row with fewer windows than the longest gets NaN
    windows at the end (NaN right-padding, as the data contract says); a
    window never mixes values and padding. With ``flatten=True`` a sequence at
    transform may not have more windows than ``n_windows_`` (a ValueError names
    the row), since the output width is fixed at fit.

    Every sequence needs at least ``window_size`` steps; a shorter one raises
    a ``ValueError`` naming its row and ``window_size``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.preprocessing import SlidingWindow
    >>> X = np.array([[100.0, 102.0, 101.0, 105.0, 107.0]])
    >>> SlidingWindow(window_size=3, flatten=False).fit_transform(X)
    array([[[100., 102., 101.],
            [102., 101., 105.],
            [101., 105., 107.]]])
    >>> SlidingWindow(window_size=2, stride=2).fit_transform(X)
    array([[100., 102., 101., 105.]])
    >>> SlidingWindow(window_size=2, stride=2).fit(X).get_feature_names_out()[:2]
    array(['x0__win0__step0', 'x0__win0__step1'], dtype=object)
    """

    _parameter_constraints: dict = {
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "flatten": ["boolean"],
    }

    def __init__(self, window_size: int = 2, stride: int = 1, flatten: bool = True) -> None:
        self.window_size = window_size
        self.stride = stride
        self.flatten = flatten

    def _min_length(self) -> tuple[int, str]:
        return self.window_size, f"window_size={self.window_size}"

    def _fit(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> None:
        self.n_windows_ = (X.shape[1] - self.window_size) // self.stride + 1

    def _transform(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        n_samples = X.shape[0]
        if not self.flatten:
            frames = frame_sequences(X, lengths, self.window_size, self.stride)
            return frames.reshape(frames.shape[0], frames.shape[1], -1)
        n_windows = (lengths - self.window_size) // self.stride + 1
        too_many = np.flatnonzero(n_windows > self.n_windows_)
        if too_many.size:
            row = too_many[0]
            raise ValueError(
                f"Row {row} of X has {lengths[row]} time steps, i.e. {n_windows[row]} windows of "
                f"window_size={self.window_size}, but SlidingWindow was fitted on at most "
                f"{self.n_windows_} windows and its flattened output has a fixed width. "
                "Fit on the longest sequences, or use flatten=False."
            )
        # Only the first n_windows_ windows can be valid: frame just the steps they cover.
        span = (self.n_windows_ - 1) * self.stride + self.window_size
        frames = frame_sequences(X[:, :span], lengths, self.window_size, self.stride, copy=True)
        if frames.shape[1] < self.n_windows_:  # a list of sequences all shorter than at fit
            full = np.full((n_samples, self.n_windows_, *frames.shape[2:]), np.nan, X.dtype)
            full[:, : frames.shape[1]] = frames
            frames = full
        return frames.reshape(n_samples, -1)

    def _feature_names_out(self, channels: list[str]) -> list[str]:
        steps = range(self.window_size)
        if not self.flatten:
            return [f"{ch}__step{j}" for j in steps for ch in channels]
        return [
            f"{ch}__win{k}__step{j}"
            for k in range(self.n_windows_)
            for j in steps
            for ch in channels
        ]


@validate_params(
    {
        "X": [np.ndarray],
        "lengths": ["array-like"],
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "copy": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def frame_sequences(
    X: NDArray[Any],
    lengths: NDArray[np.intp],
    window_size: int,
    stride: int = 1,
    copy: bool = False,
) -> NDArray[Any]:
    """Windows of each sequence of a padded panel, start-aligned.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_channels)
        Padded panel, as :func:`sklseq.utils.check_sequences` returns it.
    lengths : ndarray of shape (n_samples,)
        Length of each sequence.
    window_size : int
        At most ``lengths.min()``.
    stride : int, default=1
        Steps between the starts of consecutive windows.
    copy : bool, default=False
        Return a writeable copy even when a view is possible.

    Returns
    -------
    frames : ndarray of shape (n_samples, n_windows, window_size, n_channels)
        ``frames[i, k] = X[i, k * stride : k * stride + window_size]``, with
        ``n_windows = (n_timesteps - window_size) // stride + 1``. Windows that
        reach past the end of their row are all NaN. When every row is full
        length and ``copy`` is False this is a read-only view of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, np.nan]])[:, :, None]
    >>> frame_sequences(X, np.array([4, 3]), window_size=2, stride=1)[..., 0]
    array([[[ 1.,  2.],
            [ 2.,  3.],
            [ 3.,  4.]],
    <BLANKLINE>
           [[ 5.,  6.],
            [ 6.,  7.],
            [nan, nan]]])
    """
    lengths = _check_frame_input(X, lengths, window_size)
    # sliding_window_view gives (n, n_positions, n_channels, window): a view.
    frames = sliding_window_view(X, window_size, axis=1)[:, ::stride].transpose(0, 1, 3, 2)
    n_windows = frames.shape[1]
    valid = np.arange(n_windows)[None, :] * stride + window_size <= lengths[:, None]
    padded = not valid.all()
    if not (copy or padded):
        return frames
    # copyto into the final layout: ~10x faster than np.array on this strided view.
    copied = np.empty(frames.shape, dtype=X.dtype)
    np.copyto(copied, frames)
    frames = copied
    if padded:
        frames[~valid] = np.nan
    return frames


def _check_frame_input(X: NDArray[Any], lengths: Any, window_size: int) -> NDArray[np.intp]:
    if X.ndim != 3 or X.dtype.kind not in "fiu":
        raise ValueError(
            "X must be a numeric padded panel of shape (n_samples, n_timesteps, "
            f"n_channels); got dtype {X.dtype} and shape {X.shape}."
        )
    lengths = np.asarray(lengths)
    if lengths.shape != (X.shape[0],) or lengths.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must be {X.shape[0]} integers, one per row of X; got dtype "
            f"{lengths.dtype} and shape {lengths.shape}."
        )
    if len(lengths) and lengths.min() < 1:
        raise ValueError(f"lengths must be positive; got {lengths.min()}.")
    if window_size > X.shape[1]:
        raise ValueError(
            f"window_size={window_size} is longer than X's {X.shape[1]} time steps."
        )
    return lengths
