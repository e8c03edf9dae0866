"""Spectral features of each sequence (or of each window of it) from the real FFT."""
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..utils._compat import Interval, StrOptions
from ._base import SequenceTransformer, row_chunks
from ._window import frame_sequences

__all__ = ["FFTFeatures"]

_KINDS = ("magnitude", "power", "phase", "dominant")


class FFTFeatures(SequenceTransformer):
    """rFFT magnitudes, power, phases and dominant frequencies of each sequence.

    Each channel of each sequence is zero-padded to ``n_fft`` steps and
    transformed with ``numpy.fft.rfft`` (no scaling, no taper: coefficient
    ``k`` is ``sum_t x[t] exp(-2j pi k t / n_fft)``). With ``window_size`` set,
    the same features are computed for every window of each sequence (a
    short-time Fourier transform, rectangular window) and the output is a
    sequence of spectra.

    Parameters
    ----------
    features : str or list of str, default="magnitude"
        Any of ``"magnitude"`` (``|c_k|``), ``"power"`` (``|c_k|^2``),
        ``"phase"`` (``angle(c_k)`` in radians, in ``[-pi, pi]``) for the
        first ``n_coefs`` frequencies, and ``"dominant"``: the
        ``n_dominant`` frequencies of highest power, strongest first, as
        frequency values (frequency 0, the mean, is left out; ties go to the
        lower frequency).
    n_coefs : int or None, default=None
        Number of lowest frequencies for magnitude / power / phase; None for
        all ``n_fft // 2 + 1``.
    n_dominant : int, default=3
        Number of dominant frequencies.
    n_fft : int or None, default=None
        FFT length; every sequence (or window) is zero-padded to it. None: the
        longest sequence seen at fit (``window_size`` with windows), so all
        rows share the same frequency bins.
    window_size : int or None, default=None
        None: one spectrum per sequence, a 2D output. An int: a spectrum per
        window of that many steps, a 3D output.
    stride : int or None, default=None
        Steps between window starts; None for ``window_size`` (no overlap).
        Used only with ``window_size``.
    sampling_rate : float, default=1.0
        Samples per unit of time; frequencies are ``k * sampling_rate / n_fft``.

    Attributes
    ----------
    n_fft_ : int
        The FFT length used.
    frequencies_ : ndarray of shape (n_fft_ // 2 + 1,)
        Frequency of each rFFT bin.
    n_features_in_ : int
        Number of time steps seen at fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names (time steps) of a DataFrame given at fit.
    n_channels_in_ : int

    Notes
    -----
    Output shape: ``(n_samples, n_channels * n_per_channel)`` without windows,
    ``(n_samples, n_windows, n_channels * n_per_channel)`` with them
    (windows start-aligned as in :class:`SlidingWindow`; a row with fewer
    windows is NaN right-padded). Columns go channel by channel, then in the
    order of ``features``: ``"x0__magnitude_0"``, ..., ``"x0__phase_0"``, ...,
    ``"x0__dominant_0"``, ...

    The output size is fixed at fit, so rows of any length at transform (a
    cross-validation fold with longer rows, say) get the same columns.
    Shorter rows are zero-padded to ``n_fft``; a row longer than ``n_fft`` is
    folded (``x[t]`` added to step ``t mod n_fft``) before the rFFT, which
    gives exactly the coefficients above at the fitted frequencies, every
    step counted: no step is dropped.

    Rows are processed in chunks so that temporaries (the complex spectrum)
    stay within half the size of the output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.preprocessing import FFTFeatures
    >>> X = np.array([[1.0, 0.0, -1.0, 0.0]])
    >>> FFTFeatures(features=["magnitude", "dominant"], n_dominant=1).fit_transform(X)
    array([[0.  , 2.  , 0.  , 0.25]])
    >>> FFTFeatures(features="power", n_coefs=2).fit(X).get_feature_names_out()
    array(['x0__power_0', 'x0__power_1'], dtype=object)
    >>> FFTFeatures(window_size=2).fit_transform(X)
    array([[[1., 1.],
            [1., 1.]]])
    """

    _parameter_constraints: dict = {
        "features": [StrOptions(set(_KINDS)), list, tuple],
        "n_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "n_dominant": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 1, None, closed="left"), None],
        "window_size": [Interval(Integral, 1, None, closed="left"), None],
        "stride": [Interval(Integral, 1, None, closed="left"), None],
        "sampling_rate": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        features: str | Sequence[str] = "magnitude",
        n_coefs: int | None = None,
        n_dominant: int = 3,
        n_fft: int | None = None,
        window_size: int | None = None,
        stride: int | None = None,
        sampling_rate: float = 1.0,
    ) -> None:
        self.features = features
        self.n_coefs = n_coefs
        self.n_dominant = n_dominant
        self.n_fft = n_fft
        self.window_size = window_size
        self.stride = stride
        self.sampling_rate = sampling_rate

    def _min_length(self) -> tuple[int, str]:
        if self.window_size is None:
            return 1, "this transformer"
        return self.window_size, f"window_size={self.window_size}"

    def _fit(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> None:
        self.features_ = self._check_features()
        segment = X.shape[1] if self.window_size is None else self.window_size
        self.n_fft_ = segment if self.n_fft is None else self.n_fft
        if self.window_size is not None and self.n_fft_ < self.window_size:
            raise ValueError(
                f"n_fft={self.n_fft} is shorter than window_size={self.window_size}; "
                "n_fft must be at least window_size (windows are zero-padded to it)."
            )
        n_bins = self.n_fft_ // 2 + 1
        if self.n_coefs is not None and self.n_coefs > n_bins:
            raise ValueError(
                f"n_coefs={self.n_coefs} is more than the {n_bins} frequencies of an rFFT "
                f"of length n_fft={self.n_fft_}; use n_coefs<={n_bins} or a larger n_fft."
            )
        if "dominant" in self.features_ and self.n_dominant > n_bins - 1:
            raise ValueError(
                f"n_dominant={self.n_dominant} is more than the {n_bins - 1} non-zero "
                f"frequencies of an rFFT of length n_fft={self.n_fft_}."
            )
        self.frequencies_ = np.fft.rfftfreq(self.n_fft_, d=1.0 / self.sampling_rate)

    def _transform(self, X: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[Any]:
        n_samples, n_timesteps, n_channels = X.shape
        if self.window_size is None:
            segments = _fold(X, self.n_fft_)[:, None]
        else:
            stride = self.window_size if self.stride is None else self.stride
            segments = frame_sequences(X, lengths, self.window_size, stride)
        n_segments = segments.shape[1]
        n_per_channel = self._n_per_channel()
        out = np.empty((n_samples, n_segments, n_channels, n_per_channel), dtype=X.dtype)
        n_bins = self.n_fft_ // 2 + 1
        temp_per_row = n_segments * n_channels * (n_bins * 16 * 3 + self.n_fft_ * 8)
        for rows in row_chunks(n_samples, temp_per_row, out.nbytes):
            chunk = segments[rows]
            padding = np.isnan(chunk)
            if padding.any():
                chunk = np.where(padding, 0.0, chunk).astype(X.dtype, copy=False)
            self._spectral_features(chunk, out[rows])
        if self.window_size is not None:
            # Windows past the end of their row are padding, not spectra of zeros.
            out[np.isnan(segments[:, :, 0, 0])] = np.nan
            return out.reshape(n_samples, n_segments, -1)
        return out.reshape(n_samples, -1)

    def _spectral_features(self, segments: NDArray[Any], out: NDArray[Any]) -> None:
        """Write the features of ``segments`` into ``out``.

        ``segments`` is (rows, n_segments, steps, channels), ``out`` is
        (rows, n_segments, channels, n_per_channel).
        """
        spectrum = np.fft.rfft(segments, n=self.n_fft_, axis=2)
        spectrum = np.moveaxis(spectrum, 3, 2)  # (rows, n_segments, channels, bins)
        n_coefs = spectrum.shape[-1] if self.n_coefs is None else self.n_coefs
        start = 0
        for kind in self.features_:
            if kind == "dominant":
                power = spectrum.real[..., 1:] ** 2 + spectrum.imag[..., 1:] ** 2
                for rank in range(self.n_dominant):
                    # argmax takes the first maximum: ties go to the lower frequency.
                    best = np.argmax(power, axis=-1)[..., None]
                    out[..., start + rank] = self.frequencies_[best[..., 0] + 1]
                    np.put_along_axis(power, best, -np.inf, axis=-1)
                start += self.n_dominant
                continue
            coefs = spectrum[..., :n_coefs]
            if kind == "magnitude":
                values = np.abs(coefs)
            elif kind == "power":
                values = coefs.real**2 + coefs.imag**2
            else:
                values = np.angle(coefs)
            out[..., start : start + n_coefs] = values
            start += n_coefs

    def _feature_names_out(self, channels: list[str]) -> list[str]:
        n_coefs = len(self.frequencies_) if self.n_coefs is None else self.n_coefs
        names = []
        for channel in channels:
            for kind in self.features_:
                count = self.n_dominant if kind == "dominant" else n_coefs
                names.extend(f"{channel}__{kind}_{k}" for k in range(count))
        return names

    def _n_per_channel(self) -> int:
        n_coefs = self.n_fft_ // 2 + 1 if self.n_coefs is None else self.n_coefs
        return sum(self.n_dominant if kind == "dominant" else n_coefs for kind in self.features_)

    def _check_features(self) -> list[str]:
        features = [self.features] if isinstance(self.features, str) else list(self.features)
        unknown = [kind for kind in features if kind not in _KINDS]
        if not features or unknown:
            raise ValueError(
                f"features must be one or more of {list(_KINDS)}; got {self.features!r}."
            )
        if len(set(features)) != len(features):
            raise ValueError(f"features has repeated entries: {self.features!r}.")
        return features


def _fold(X: NDArray[Any], n_fft: int) -> NDArray[Any]:
    """``X`` with step ``t`` added to step ``t mod n_fft``: its rFFT is the DTFT at n_fft bins.

    Shorter input is returned as it is (``numpy.fft.rfft`` zero-pads it);
    padding (NaN) counts as zero.
    """
    n_samples, n_timesteps, n_channels = X.shape
    if n_timesteps <= n_fft:
        return X
    n_folds = -(-n_timesteps // n_fft)
    wrapped = np.zeros((n_samples, n_folds * n_fft, n_channels), dtype=X.dtype)
    wrapped[:, :n_timesteps] = np.where(np.isnan(X), 0.0, X)
    return wrapped.reshape(n_samples, n_folds, n_fft, n_channels).sum(axis=1)
