"""sklseq estimators inside sktime's evaluation, tuning and benchmarking."""

from typing import Any

from sklearn.base import is_classifier, is_regressor

__all__ = ["as_sktime"]

_FORECASTING_PACKAGES = ("sklseq.statistical", "sklseq.forecasting")


def as_sktime(estimator: Any, kind: str | None = None) -> Any:
    """Wrap an sklseq estimator as a real sktime estimator.

    Parameters
    ----------
    estimator : sklseq estimator
        Unfitted; cloned at every sktime ``fit``.
    kind : {"forecaster", "classifier", "regressor"} or None, default=None
        What sktime sees. None: a forecaster for the estimators of
        :mod:`sklseq.statistical` and :mod:`sklseq.forecasting`, a classifier
        for classifiers and a regressor for other regressors (sequence models,
        pipelines).

    Returns
    -------
    sktime_estimator : SklseqForecaster, SklseqClassifier or SklseqRegressor
        An sktime ``BaseForecaster`` (``fh``, ``predict_interval``, the pandas
        index kept; runs in ``sktime.forecasting.model_evaluation.evaluate``),
        ``BaseClassifier`` or ``BaseRegressor`` (equal and unequal length,
        multivariate), passing sktime's ``check_estimator``.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sklseq.interop import as_sktime
    >>> from sklseq.statistical import ARIMARegressor
    >>> forecaster = as_sktime(ARIMARegressor(order=(1, 1, 0)))
    >>> forecaster.fit(load_airline(), fh=[1, 2, 3]).predict().index.astype(str).tolist()
    ['1961-01', '1961-02', '1961-03']
    """
    from . import _adapters  # noqa: PLC0415  (imports sktime)

    if kind is None:
        if not hasattr(estimator, "fit") or not hasattr(estimator, "__sklearn_tags__"):
            raise TypeError(
                f"as_sktime takes an sklseq (scikit-learn) estimator; got "
                f"{type(estimator).__name__}."
            )
        if type(estimator).__module__.startswith(_FORECASTING_PACKAGES):
            kind = "forecaster"
        elif is_classifier(estimator):
            kind = "classifier"
        elif is_regressor(estimator):
            kind = "regressor"
        else:
            raise TypeError(
                f"as_sktime takes an sklseq forecaster, classifier or regressor; got "
                f"{type(estimator).__name__}. Pass kind= to say which it is."
            )
    adapters = {
        "forecaster": _adapters.SklseqForecaster,
        "classifier": _adapters.SklseqClassifier,
        "regressor": _adapters.SklseqRegressor,
    }
    if kind not in adapters:
        raise ValueError(f"kind must be one of {sorted(adapters)} or None; got {kind!r}.")
    return adapters[kind](estimator)
