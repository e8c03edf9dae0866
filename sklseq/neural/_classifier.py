"""SequenceClassifier: one label per sequence (many-to-one)."""

from numbers import Integral, Real
from typing import Any, Self

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ..utils._compat import Interval, StrOptions
from ._base import BaseSequenceNetwork, fill_docstring
from ._losses import SequenceCrossEntropy
from ._training import _stratified_rows

__all__ = ["SequenceClassifier"]


@fill_docstring
class SequenceClassifier(ClassifierMixin, BaseSequenceNetwork):
    """Neural classifier of whole sequences (many-to-one).

    The encoder reads each sequence up to its own length (packed sequences or
    masks, so padding never changes a prediction); its mean over valid steps
    (global average pooling), and for the recurrent, cnn and transformer
    encoders also its last valid step, feed a linear layer trained with
    cross-entropy.

    The defaults are the published FCN recipe (Wang et al. 2017) scaled down
    to a few CPU minutes: an ``"fcn"`` encoder of width 64 with global average
    pooling, batches of 16 and a budget of 1,000 gradient steps
    (``max_epochs="auto"``) with cosine decay, on data-set-standardised input;
    Adam at lr 3e-3 rather than the paper's 1e-3, because the budget is a
    small part of its 2,000 epochs. Measured on six sktime data sets by
    ``benchmarks/tune_defaults.py``. ``n_ensemble=5`` is
    InceptionTime's ensemble (five times the cost).

    Parameters
    ----------
    %(common_parameters)s
    %(input_scaling)s
    %(inference_dtype)s
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn.
    %(n_ensemble)s
    %(callbacks)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_weight_ : ndarray of shape (n_classes,) or None
        Loss weight of each class.
    %(common_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.neural import SequenceClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 12))
    >>> y = np.where(X[:, -3:].mean(axis=1) > 0, "up", "down")
    >>> clf = SequenceClassifier("gru", hidden_size=8, max_epochs=5, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> clf.predict_proba([rng.normal(size=7), rng.normal(size=30)]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        **BaseSequenceNetwork._parameter_constraints,
        "inference_dtype": [StrOptions({"float64", "float32"})],
        "n_ensemble": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _ensemble_combine = "probability"

    def __init__(
        self,
        architecture="fcn",
        *,
        hidden_size=64,
        num_layers=None,
        bidirectional=False,
        dropout=0.0,
        layer_norm=False,
        kernel_size=3,
        dilation=2,
        num_heads=4,
        causal=False,
        embedding_dim=None,
        optimizer="adam",
        lr=0.003,
        weight_decay=0.0,
        batch_size=16,
        max_epochs="auto",
        gradient_clip=1.0,
        lr_schedule="cosine",
        warmup_epochs=0,
        validation_fraction=None,
        n_iter_no_change=10,
        tol=0.0001,
        noise_std=0.0,
        time_warp=0.0,
        verbose=0,
        device="cpu",
        random_state=None,
        warm_start=False,
        checkpoint_path=None,
        resume=False,
        input_scaling="dataset",
        inference_dtype="float32",
        class_weight=None,
        n_ensemble=1,
        callbacks=None,
    ):
        super().__init__(
            architecture,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            layer_norm=layer_norm,
            kernel_size=kernel_size,
            dilation=dilation,
            num_heads=num_heads,
            causal=causal,
            embedding_dim=embedding_dim,
            optimizer=optimizer,
            lr=lr,
            weight_decay=weight_decay,
            batch_size=batch_size,
            max_epochs=max_epochs,
            gradient_clip=gradient_clip,
            lr_schedule=lr_schedule,
            warmup_epochs=warmup_epochs,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            noise_std=noise_std,
            time_warp=time_warp,
            verbose=verbose,
            device=device,
            random_state=random_state,
            warm_start=warm_start,
            checkpoint_path=checkpoint_path,
            resume=resume,
        )
        self.input_scaling = input_scaling
        self.inference_dtype = inference_dtype
        self.class_weight = class_weight
        self.n_ensemble = n_ensemble
        self.callbacks = callbacks

    def fit(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Train on sequences ``X`` with one label each.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, \
n_channels), or list of sequences
            NaN right-padding and lists of different lengths are variable-length input.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each sample: it scales the sample's loss (in
            training and in the validation loss of early stopping) and its share
            of the input standardisation; an integer weight counts as that
            many copies of the sample, except in the batch statistics of batch
            normalisation (fcn, resnet, inception), which count rows, and in
            how rows fall into mini-batches. None weighs every sample 1.
            ``class_weight="balanced"`` counts the samples by weight.

        Returns
        -------
        self : SequenceClassifier
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X: Any) -> NDArray[Any]:
        """Most probable class of each sequence.

        Parameters
        ----------
        X : array-like or list of sequences
            As in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities of each sequence (columns follow ``classes_``).

        Parameters
        ----------
        X : array-like or list of sequences

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        logits, _ = self._predict_outputs(X)
        logits = logits - logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def _prepare_targets(self, y, lengths, *, reset, sample_weight=None):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if self._continues_previous_fit() and not np.array_equal(
            encoder.classes_, self.classes_
        ):
            raise ValueError(
                f"warm_start=True needs the classes of the previous fit {self.classes_!r}, "
                f"got {encoder.classes_!r}."
            )
        self.classes_ = encoder.classes_
        if sample_weight is not None and len(self.classes_) > 1:
            weighted = np.unique(y[sample_weight > 0]).tolist()
            if len(weighted) < 2:
                raise ValueError(
                    f"sample_weight is zero on every sample outside the class "
                    f"{weighted[0]!r}; a classifier needs samples of two classes."
                )
        self.class_weight_ = self._compute_class_weights(y, sample_weight)
        return encoder.transform(y).astype(np.int64)

    def _compute_class_weights(self, y, sample_weight=None):
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names classes not in y: {sorted(map(str, unknown))}."
                )
            if not all(isinstance(w, Real) for w in self.class_weight.values()):
                raise ValueError("class_weight values must be numbers.")
        return compute_class_weight(
            self.class_weight, classes=self.classes_, y=y, sample_weight=sample_weight
        )

    def _validation_rows(self, targets, n_valid, rng):
        # UCR-style training sets are sorted by class: a tail split would hold
        # whole classes out of training.
        return _stratified_rows(targets, n_valid, rng)

    def _output_size(self):
        return len(self.classes_)

    def _build_criterion(self):
        weight = None
        if self.class_weight_ is not None:
            weight = torch.as_tensor(self.class_weight_, dtype=torch.float32)
        return SequenceCrossEntropy(weight)
