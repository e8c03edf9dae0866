"""SequenceTagger: one label per time step, aligned with the input (many-to-many)."""

from typing import Any, Self

import numpy as np
import torch
from numpy.typing import ArrayLike
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight

from ..utils import LabelSequenceKind, check_label_sequences, restore_label_sequences
from ..utils._compat import StrOptions
from ._base import BaseSequenceNetwork, fill_docstring
from ._losses import IGNORE_INDEX, TokenCrossEntropy

__all__ = ["SequenceTagger"]



@fill_docstring
class SequenceTagger(BaseSequenceNetwork):
    """Neural sequence tagger: one label for every time step of every sequence.

    ``y`` holds one label sequence per sample, as long as that sample
    (SPEC section 2: a list of sequences, strings as sequences of characters, or
    a 2D array padded with NaN / None). ``predict`` returns the same kind of
    object. A 1D ``y`` (one label per sequence) labels every step of its
    sequence; ``predict`` then returns one label per sequence, the class with
    the highest probability averaged over the steps.

    Parameters
    ----------
    %(common_parameters)s
    %(input_scaling)s
    %(inference_dtype)s
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the per-step cross-entropy.
    %(callbacks)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in fit.
    class_weight_ : ndarray of shape (n_classes,) or None
    %(common_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.neural import SequenceTagger
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=n) for n in (6, 9, 7, 8) * 5]
    >>> y = ["".join("+" if v > 0 else "-" for v in x) for x in X]
    >>> tagger = SequenceTagger("gru", hidden_size=8, max_epochs=5, random_state=0)
    >>> [len(s) for s in tagger.fit(X, y).predict(X[:2])]
    [6, 9]
    """

    _parameter_constraints: dict = {
        **BaseSequenceNetwork._parameter_constraints,
        "inference_dtype": [StrOptions({"float64", "float32"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _targets_per_step = True
    _per_step_output = True

    def __init__(
        self,
        architecture="lstm",
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
        batch_size=32,
        max_epochs=100,
        gradient_clip=1.0,
        lr_schedule="constant",
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
        self.callbacks = callbacks

    def fit(self, X: Any, y: Any, sample_weight: ArrayLike | None = None) -> Self:
        """Train on sequences ``X`` and their per-step labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_channels]) or list of sequences
        y : list of label sequences, list of str, 2D array padded with NaN / None, \
or 1D array
            ``y[i]`` has one label per step of ``X[i]`` (a 1D ``y``: one per sequence).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each sample: it scales the sample's loss (in
            training and in the validation loss of early stopping) and its share
            of the input standardisation; an integer weight counts as that
            many copies of the sample. None weighs every sample 1.
            The weight applies to every step of the sample.

        Returns
        -------
        self : SequenceTagger
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X: Any) -> Any:
        """Most probable label at every step.

        Parameters
        ----------
        X : array-like or list of sequences

        Returns
        -------
        y : same kind as the ``y`` given to fit
            One label per step of each sequence (one per sequence for a 1D ``y``).
        """
        proba, lengths = self._step_proba(X)
        if self.target_kind_[0] == "1d":
            codes = self._sequence_proba(proba, lengths).argmax(axis=1)
            sequences = [[label] for label in self.classes_[codes].tolist()]
        else:
            codes = proba.argmax(axis=2)
            sequences = [
                self.classes_[codes[i, :n]].tolist() for i, n in enumerate(lengths)
            ]
        return restore_label_sequences(
            sequences, LabelSequenceKind.from_plain(self.target_kind_)
        )

    def predict_proba(self, X: Any) -> Any:
        """Label probabilities at every step (columns follow ``classes_``).

        Parameters
        ----------
        X : array-like or list of sequences

        Returns
        -------
        proba : list of ndarray of shape (n_timesteps_i, n_classes)
            One array per sequence; for a 1D ``y`` at fit, an ndarray of shape
            (n_samples, n_classes) averaged over the steps.
        """
        proba, lengths = self._step_proba(X)
        if self.target_kind_[0] == "1d":
            return self._sequence_proba(proba, lengths)
        return [proba[i, :n] for i, n in enumerate(lengths)]

    def score(self, X: Any, y: Any) -> float:
        """Fraction of time steps tagged correctly (of sequences, for a 1D ``y``).

        Parameters
        ----------
        X : array-like or list of sequences
        y : label sequences, as in :meth:`fit`

        Returns
        -------
        score : float
        """
        predicted, _ = check_label_sequences(self.predict(X), input_name="predictions")
        truth, _ = check_label_sequences(y, n_samples=len(predicted))
        correct = total = 0
        for i, (p, t) in enumerate(zip(predicted, truth)):
            if len(p) != len(t):
                raise ValueError(
                    f"y[{i}] has {len(t)} labels but X[{i}] has {len(p)} time steps."
                )
            correct += sum(a == b for a, b in zip(p, t))
            total += len(t)
        return correct / total

    def _step_proba(self, X):
        logits, lengths = self._predict_outputs(X)
        logits = logits - logits.max(axis=2, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=2, keepdims=True), lengths

    @staticmethod
    def _sequence_proba(proba, lengths):
        valid = np.arange(proba.shape[1])[None, :] < lengths[:, None]
        return (proba * valid[:, :, None]).sum(axis=1) / lengths[:, None]

    def _prepare_targets(self, y, lengths, *, reset, sample_weight=None):
        sequences, kind = check_label_sequences(
            y, n_samples=len(lengths), allow_empty=False, estimator=self
        )
        if kind.kind == "1d":
            flat = [seq[0] for seq in sequences]
            row_of = np.arange(len(sequences))
        else:
            for i, (seq, n) in enumerate(zip(sequences, lengths)):
                if len(seq) != n:
                    raise ValueError(
                        f"y[{i}] has {len(seq)} labels but X[{i}] has {n} time steps; "
                        "a tagger needs one label per step."
                    )
            flat = [label for seq in sequences for label in seq]
            row_of = np.repeat(np.arange(len(sequences)), lengths)
        encoder = LabelEncoder().fit(flat)
        if self._continues_previous_fit() and not np.array_equal(
            encoder.classes_, self.classes_
        ):
            raise ValueError(
                f"warm_start=True needs the labels of the previous fit {self.classes_!r}, "
                f"got {encoder.classes_!r}."
            )
        self.classes_ = encoder.classes_
        self.target_kind_ = kind.to_plain()
        codes = encoder.transform(flat)
        self.class_weight_ = None
        if self.class_weight is not None:
            self.class_weight_ = compute_class_weight(
                self.class_weight,
                classes=self.classes_,
                y=np.asarray(flat),
                sample_weight=None if sample_weight is None else sample_weight[row_of],
            )
        targets = np.full((len(lengths), int(lengths.max())), IGNORE_INDEX, dtype=np.int64)
        valid = np.arange(targets.shape[1])[None, :] < lengths[:, None]
        if kind.kind == "1d":
            targets[valid] = np.repeat(codes[row_of], lengths)
        else:
            targets[valid] = codes
        return targets

    def _output_size(self):
        return len(self.classes_)

    def _build_criterion(self):
        weight = None
        if self.class_weight_ is not None:
            weight = torch.as_tensor(self.class_weight_, dtype=torch.float32)
        return TokenCrossEntropy(weight)
