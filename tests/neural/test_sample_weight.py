"""sample_weight in fit of every neural estimator: integer weights are repeated rows.

Training is full-batch (batch_size >= n_samples), so a weighted fit and a fit on
the repeated rows take the same gradient steps; they differ only by float32
summation order, hence the tolerance. Each comparison also checks that the
weights change the model (the unweighted fit is further away than the tolerance).
"""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from sklseq.neural import (
    CTCTranscriber,
    Seq2SeqRegressor,
    Seq2SeqTranslator,
    SequenceClassifier,
    SequenceGenerator,
    SequenceRegressor,
    SequenceTagger,
)

FULL_BATCH = {"hidden_size": 8, "max_epochs": 4, "batch_size": 256, "random_state": 0}
NAMES = [
    "SequenceClassifier",
    "SequenceRegressor",
    "SequenceTagger",
    "CTCTranscriber",
    "Seq2SeqTranslator",
    "Seq2SeqRegressor",
    "SequenceGenerator",
]
WEIGHTS = np.array([2, 1, 3, 1, 0, 2, 1, 4, 1, 0, 2, 1])
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


def _problem(name):
    """``(estimator, X, y)`` on 12 ragged rows; y is None for the generator."""
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in (5, 7, 6, 8, 5, 7, 6, 8, 5, 7, 6, 8)]
    sign = [int(x[:, 0].sum() > 0) for x in X]
    if name == "SequenceClassifier":
        # batch normalisation (the fcn default) counts rows, not weights: a GRU
        return SequenceClassifier("gru", lr=0.05, **FULL_BATCH), X, np.array(sign)
    if name == "SequenceRegressor":
        y = np.array([[x[:, 0].sum(), x[-1, 1]] for x in X])
        return SequenceRegressor("gru", lr=0.05, **FULL_BATCH), X, y
    if name == "SequenceTagger":
        y = [["+" if v > 0 else "-" for v in x[:, 0]] for x in X]
        return SequenceTagger(lr=0.05, **FULL_BATCH), X, y
    if name == "CTCTranscriber":
        y = ["ab" if k else "b" for k in sign]
        return CTCTranscriber(lr=0.05, **FULL_BATCH), X, y
    if name == "Seq2SeqTranslator":
        y = ["ab" if k else "ba" for k in sign]
        return Seq2SeqTranslator(lr=0.05, **FULL_BATCH), X, y
    if name == "Seq2SeqRegressor":
        y = np.array([[x[-1, 0], x[-1, 1]] for x in X])
        return Seq2SeqRegressor(lr=0.05, **FULL_BATCH), X, y
    words = ["abc", "abd", "abcd", "bcd", "ab", "ba"] * 2
    return SequenceGenerator(lr=0.05, **FULL_BATCH), words, None


def _fit(estimator, X, y, sample_weight=None):
    if y is None:
        return estimator.fit(X, sample_weight=sample_weight)
    return estimator.fit(X, y, sample_weight=sample_weight)


def _outputs(estimator, X, y):
    """The fitted estimator's numbers on X, flattened to one float array."""
    if isinstance(estimator, SequenceGenerator):
        values = estimator.score_samples(X)
    elif isinstance(estimator, Seq2SeqTranslator):
        values = estimator.predict_log_proba(X, y)
    elif isinstance(estimator, CTCTranscriber):
        values = np.concatenate(
            [lp[: len(x)].ravel() for lp, x in zip(estimator.predict_log_proba(X), X)]
        )
    elif isinstance(estimator, SequenceTagger):
        values = np.concatenate([p.ravel() for p in estimator.predict_proba(X)])
    elif hasattr(estimator, "predict_proba"):
        values = estimator.predict_proba(X)
    else:
        values = estimator.predict(X)
    return np.asarray(values, dtype=float).ravel()


def _take(data, rows):
    if isinstance(data, np.ndarray):
        return data[rows]
    return [data[i] for i in rows]


def _assert_weights_act_as(name, sample_weight, rows):
    """Fitting with ``sample_weight`` equals fitting on ``X[rows]``, ``y[rows]``."""
    estimator, X, y = _problem(name)
    weighted = _fit(estimator, X, y, sample_weight)
    expanded = _fit(
        _problem(name)[0], _take(X, rows), None if y is None else _take(y, rows)
    )
    unweighted = _fit(_problem(name)[0], X, y)
    expected = _outputs(expanded, X, y)
    np.testing.assert_allclose(_outputs(weighted, X, y), expected, **TOLERANCE)
    assert not np.allclose(_outputs(unweighted, X, y), expected, **TOLERANCE)


@pytest.mark.parametrize("name", NAMES)
def test_integer_weights_equal_repeated_rows(name):
    rows = np.repeat(np.arange(len(WEIGHTS)), WEIGHTS)
    _assert_weights_act_as(name, WEIGHTS, rows)


@pytest.mark.parametrize("name", NAMES)
def test_zero_weight_equals_dropping_the_row(name):
    # Rows 4 and 9 hold no class, label or token that other rows lack.
    sample_weight = (WEIGHTS > 0).astype(float)
    _assert_weights_act_as(name, sample_weight, np.flatnonzero(sample_weight))


def test_input_and_target_scaling_are_weighted():
    estimator, X, y = _problem("SequenceRegressor")
    estimator.set_params(max_epochs=1)
    estimator.fit(X, y, sample_weight=WEIGHTS)
    steps = np.concatenate([np.repeat(x, w, axis=0) for x, w in zip(X, WEIGHTS)])
    np.testing.assert_allclose(estimator.input_mean_, steps.mean(axis=0))
    np.testing.assert_allclose(estimator.input_scale_, steps.std(axis=0))
    repeated = np.repeat(y, WEIGHTS, axis=0)
    np.testing.assert_allclose(estimator.target_mean_, repeated.mean(axis=0))
    np.testing.assert_allclose(estimator.target_scale_, repeated.std(axis=0))


@pytest.mark.parametrize("batch_size", [256, 2])
def test_validation_loss_is_the_weighted_mean_over_validation_rows(batch_size):
    # batch_size=2 splits the three validation rows into batches of unequal weight.
    estimator, X, y = _problem("SequenceClassifier")
    estimator.set_params(max_epochs=1, validation_fraction=0.25, batch_size=batch_size)
    sample_weight = 1.6 ** np.arange(12)  # distinct weights, whichever rows validate
    estimator.fit(X, y, sample_weight=sample_weight)
    valid = estimator.net_.train_split.valid.numpy()  # stratified rows, not the tail
    assert len(valid) == 3
    X_valid = [X[i] for i in valid] if isinstance(X, list) else X[valid]
    proba = torch.as_tensor(estimator.predict_proba(X_valid))
    losses = F.nll_loss(proba.log(), torch.as_tensor(y[valid]), reduction="none").numpy()
    expected = np.average(losses, weights=sample_weight[valid])
    assert not np.isclose(expected, losses.mean(), rtol=1e-3)
    np.testing.assert_allclose(estimator.history_[-1, "valid_loss"], expected, rtol=1e-5)


def test_all_validation_weights_zero_is_an_error():
    # A regressor validates on the tail (a classifier's stratified rows are shuffled).
    estimator, X, y = _problem("SequenceRegressor")
    estimator.set_params(validation_fraction=0.25)
    sample_weight = np.r_[np.ones(9), np.zeros(3)]
    with pytest.raises(ValueError, match="sample_weight is zero on every training or every"):
        estimator.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (np.ones(11), r"sample_weight\.shape == \(11,\), expected \(12,\)"),
        (np.ones((12, 1)), "Invalid sample_weight: Sample weights must be 1D"),
        (np.r_[np.ones(11), -1.0], "Negative values in data passed to `sample_weight`"),
        (np.r_[np.ones(11), np.nan], "Input sample_weight contains NaN"),
        (np.r_[np.ones(11), np.inf], "Input sample_weight contains infinity"),
        (np.zeros(12), "Invalid sample_weight: Sample weights must contain at least one"),
        (["a"] * 12, "sample_weight"),
    ],
)
@pytest.mark.parametrize("name", ["SequenceClassifier", "SequenceGenerator"])
def test_bad_sample_weight_is_a_clear_error(name, sample_weight, match):
    estimator, X, y = _problem(name)
    with pytest.raises(ValueError, match=match):
        _fit(estimator, X, y, sample_weight)


def test_weights_on_one_class_only_are_an_error_naming_the_class():
    estimator, X, y = _problem("SequenceClassifier")
    with pytest.raises(ValueError, match="outside the class 1; a classifier needs"):
        estimator.fit(X, y, sample_weight=y.astype(float))


def test_balanced_class_weight_counts_samples_by_weight():
    estimator, X, y = _problem("SequenceClassifier")
    estimator.set_params(class_weight="balanced", max_epochs=1)
    estimator.fit(X, y, sample_weight=WEIGHTS)
    repeated = np.repeat(y, WEIGHTS)
    counts = np.bincount(repeated)
    np.testing.assert_allclose(estimator.class_weight_, len(repeated) / (2 * counts))


def test_a_batch_of_zero_weights_has_loss_zero_not_nan():
    estimator, X, y = _problem("SequenceClassifier")
    estimator.set_params(batch_size=2, max_epochs=3)
    sample_weight = np.r_[np.zeros(8), np.ones(4)]
    estimator.fit(X, y, sample_weight=sample_weight)
    losses = [b["train_loss"] for epoch in estimator.history_ for b in epoch["batches"]]
    assert 0.0 in losses and np.isfinite(losses).all()
    assert np.isfinite(estimator.predict_proba(X)).all()
