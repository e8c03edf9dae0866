"""Any sktime classifier, regressor or forecaster as a scikit-learn estimator."""

from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..utils import check_sequences
from ._convert import to_sktime
from ._sktime import quiet_clone, quiet_sktime, sktime_kind

__all__ = ["SktimeBaseline"]


def _wraps_classifier(baseline: "SktimeBaseline") -> bool:
    return sktime_kind(baseline.sktime_estimator) == "classifier"


class SktimeBaseline(BaseEstimator):
    """An sktime estimator in sklseq's data contract, for sklearn's tools.

    Wraps any sktime classifier, regressor or forecaster (MiniRocket,
    1-NN DTW, AutoARIMA, AutoETS, Theta, ...) so it takes sklseq's panels
    (SPEC section 2) and runs in ``Pipeline``, ``GridSearchCV``,
    ``cross_val_score`` and the comparisons beside sklseq's own models, on the
    same splits. It is a classifier or a regressor for sklearn according to
    what it wraps (a forecaster is a regressor: it predicts the continuation
    of each row, as sklseq's forecasters do).

    Parameters
    ----------
    sktime_estimator : sktime estimator
        The baseline; cloned at fit, never changed.
    horizon : int or None, default=None
        For a forecaster: steps forecast after the end of each row. None: the
        width of ``y`` at fit (1 for a 1D ``y`` or no ``y``).

    Attributes
    ----------
    estimator_ : sktime estimator
        The fitted clone (classifier or regressor). A forecaster is local: it
        is fitted to each row at predict, and ``estimator_`` is its unfitted
        clone.
    classes_ : ndarray
        Class labels (classifier).
    horizon_ : int
        Steps forecast (forecaster).
    n_features_in_ : int
        Time steps seen at fit.
    n_channels_in_ : int

    Notes
    -----
    Sequences of equal length reach sktime as ``numpy3D``; unequal lengths as
    ``df-list``, for an estimator whose ``capability:unequal_length`` tag is
    True (others get a ``ValueError`` naming the estimator). Forecasters are
    univariate here: each row is one series, forecast from its end (its
    padding is not part of it). sktime's ``remember_data`` FutureWarning is
    silenced on the clones this class makes, not globally.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime.classification.dummy import DummyClassifier
    >>> from sklseq.interop import SktimeBaseline
    >>> X = np.random.default_rng(0).normal(size=(20, 15))
    >>> y = np.array([0, 1] * 10)
    >>> SktimeBaseline(DummyClassifier()).fit(X, y).predict(X[:3]).shape
    (3,)
    """

    def __init__(self, sktime_estimator: Any, horizon: int | None = None) -> None:
        self.sktime_estimator = sktime_estimator
        self.horizon = horizon

    def fit(self, X: Any, y: ArrayLike | None = None) -> Self:
        """Fit a clone of the sktime estimator on the panel.

        Parameters
        ----------
        X : array-like or list of sequences
            The panel (see :func:`sklseq.utils.check_sequences`).
        y : array-like of shape (n_samples,) or (n_samples, horizon), default=None
            Labels (classifier), targets (regressor), or for a forecaster the
            continuation of each row (only its width is used) or None.

        Returns
        -------
        self : object
        """
        kind = sktime_kind(self.sktime_estimator)
        if self.horizon is not None and (
            isinstance(self.horizon, bool) or not isinstance(self.horizon, (int, np.integer))
            or self.horizon < 1
        ):
            raise ValueError(f"horizon must be a positive int or None; got {self.horizon!r}.")
        X3, lengths = check_sequences(X, estimator=self, reset=True)
        self.estimator_ = quiet_clone(self.sktime_estimator)
        if kind == "forecaster":
            self._fit_forecaster(X3, y)
            return self
        if y is None:
            raise ValueError(f"y is required to fit an sktime {kind}; got None.")
        y = np.asarray(y)
        if y.shape[:1] != (X3.shape[0],):
            raise ValueError(f"y has {y.shape[0] if y.ndim else 0} rows but X has {X3.shape[0]}.")
        if kind == "classifier":
            y = column_or_1d(y, warn=True)
            check_classification_targets(y)
            self.classes_ = np.unique(y)
        else:
            y = column_or_1d(y, warn=True).astype(np.float64)
        with quiet_sktime():
            self.estimator_.fit(self._to_sktime(X3, lengths), y)
        return self

    def predict(self, X: Any) -> NDArray[Any]:
        """Predict with the fitted sktime estimator.

        Parameters
        ----------
        X : array-like or list of sequences
            The panel, with the channels seen at fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, horizon)
            Labels, values, or each row's forecast.
        """
        check_is_fitted(self, "estimator_")
        X3, lengths = check_sequences(X, estimator=self, reset=False)
        if sktime_kind(self.sktime_estimator) == "forecaster":
            return self._forecast(X3, lengths)
        with quiet_sktime():
            return np.asarray(self.estimator_.predict(self._to_sktime(X3, lengths)))

    @available_if(_wraps_classifier)
    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities of an sktime classifier.

        Parameters
        ----------
        X : array-like or list of sequences

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self, "classes_")
        X3, lengths = check_sequences(X, estimator=self, reset=False)
        with quiet_sktime():
            return np.asarray(self.estimator_.predict_proba(self._to_sktime(X3, lengths)))

    def score(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """Accuracy for a classifier, R^2 otherwise (sklearn's defaults).

        Parameters
        ----------
        X : array-like or list of sequences
        y : array-like
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        if sktime_kind(self.sktime_estimator) == "classifier":
            return accuracy_score(y, y_pred, sample_weight=sample_weight)
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def __sklearn_clone__(self) -> Self:
        # sklearn's clone would rebuild the sktime estimator through its
        # constructor, which warns about remember_data on every CV split.
        params = self.get_params(deep=False)
        params["sktime_estimator"] = quiet_clone(self.sktime_estimator)
        return type(self)(**params)

    def _to_sktime(self, X3: NDArray[Any], lengths: NDArray[np.intp]) -> Any:
        if (lengths == X3.shape[1]).all():
            return to_sktime(X3)
        if not self.estimator_.get_tag("capability:unequal_length", False):
            raise ValueError(
                f"{type(self.sktime_estimator).__name__} cannot take sequences of unequal "
                f"length (its sktime tag capability:unequal_length is False), and X has "
                f"lengths from {lengths.min()} to {lengths.max()}. Resample or truncate "
                "them to one length first, or choose an sktime estimator that takes "
                "unequal lengths."
            )
        return to_sktime([X3[i, :n] for i, n in enumerate(lengths)], mtype="df-list")

    def _fit_forecaster(self, X3: NDArray[Any], y: ArrayLike | None) -> None:
        if X3.shape[2] != 1:
            raise ValueError(
                f"SktimeBaseline forecasts univariate rows; X has {X3.shape[2]} channels."
            )
        self._y_was_2d = y is not None and np.ndim(y) == 2
        width = None if y is None else (np.shape(y)[1] if self._y_was_2d else 1)
        if self.horizon is not None and width is not None and self._y_was_2d:
            if width != self.horizon:
                raise ValueError(f"y has {width} columns but horizon={self.horizon}.")
        self.horizon_ = self.horizon if self.horizon is not None else (width or 1)

    def _forecast(self, X3: NDArray[Any], lengths: NDArray[np.intp]) -> NDArray[np.float64]:
        import pandas as pd  # noqa: PLC0415

        fh = np.arange(1, self.horizon_ + 1)
        out = np.empty((X3.shape[0], self.horizon_))
        for row, length in enumerate(lengths):
            forecaster = quiet_clone(self.sktime_estimator)
            with quiet_sktime():
                forecaster.fit(pd.Series(X3[row, :length, 0]), fh=fh)
                out[row] = np.asarray(forecaster.predict(), dtype=np.float64).ravel()
        if self.horizon_ == 1 and not self._y_was_2d:
            return out[:, 0]
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        try:
            kind = sktime_kind(self.sktime_estimator)
        except TypeError:
            return tags
        tags.estimator_type = "classifier" if kind == "classifier" else "regressor"
        if kind == "classifier":
            from sklearn.utils import ClassifierTags  # noqa: PLC0415

            tags.classifier_tags = ClassifierTags()
        else:
            from sklearn.utils import RegressorTags  # noqa: PLC0415

            tags.regressor_tags = RegressorTags()
        return tags
