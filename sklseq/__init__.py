"""sklseq: scikit-learn compatible estimators for sequence modelling.

Subpackages (imported on demand, so ``import sklseq`` stays light):

- ``sklseq.preprocessing``: sequence transformers (windows, lags, rolling
  statistics, differencing, spectral features);
- ``sklseq.forecasting``: ``make_windows`` and multi-step strategies;
- ``sklseq.statistical``: statsmodels-based forecasters (needs ``sklseq[stats]``);
- ``sklseq.neural``: skorch / PyTorch estimators (needs ``sklseq[neural]``);
- ``sklseq.decoding``: greedy, beam and CTC decoders as plain functions;
- ``sklseq.metrics``, ``sklseq.datasets``, ``sklseq.utils``.
"""

__version__ = "0.1.0.dev0"
