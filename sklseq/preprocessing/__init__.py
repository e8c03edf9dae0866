"""Sequence transformers (SPEC 3.1): row-wise, vectorised, for 2D, 3D and ragged panels.

Every transformer derives from ``_base.SequenceTransformer``: the
input goes through :func:`sklseq.utils.check_sequences` once, fixed-size
outputs are 2D ``(n_samples, n_features_out)`` with names such as
``"x0__lag_1"``, and sequence outputs are NaN right-padded panels.
:func:`sklseq.forecasting.make_windows` turns one long series into a panel.
"""

from ._difference import Differencer, inverse_difference
from ._fft import FFTFeatures
from ._lags import LagFeatures
from ._rocket import MiniRocketFeatures
from ._rolling import RollingStatistics
from ._scaling import SequenceScaler, scale_sequences, scaling_statistics
from ._window import SlidingWindow, frame_sequences

__all__ = [
    "Differencer",
    "FFTFeatures",
    "LagFeatures",
    "MiniRocketFeatures",
    "SlidingWindow",
    "frame_sequences",
    "RollingStatistics",
    "SequenceScaler",
    "scale_sequences",
    "scaling_statistics",
    "inverse_difference",
]
