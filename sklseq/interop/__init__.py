"""Everything that crosses between sklseq and sktime / aeon.

- :func:`from_sktime` / :func:`to_sktime`: panel containers in and out
  (nested DataFrames and (instance, time) MultiIndex frames are also read
  directly by :func:`sklseq.utils.check_sequences`; sktime's ``numpy3D``
  ``(n, channels, time)`` needs :func:`from_sktime`).
- :class:`SktimeBaseline`: any sktime classifier, regressor or forecaster as a
  scikit-learn estimator in sklseq's data contract.
- :func:`as_sktime`: an sklseq estimator as a real sktime estimator.

sktime is imported only where an sktime object is made or converted.
"""

from ._baseline import SktimeBaseline
from ._convert import from_sktime, to_sktime

__all__ = ["SktimeBaseline", "from_sktime", "to_sktime"]
