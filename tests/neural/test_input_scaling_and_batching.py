"""input_scaling, the validation split, the predict layout and bucketed training batches."""

import warnings

import numpy as np
import pytest
import torch

from sklseq.neural import SequenceClassifier, SequenceRegressor
from sklseq.neural._training import (
    _BatchIterator,
    _bucket_width,
    _SequenceDataset,
    _stratified_rows,
)

SMALL = {"hidden_size": 8, "max_epochs": 2, "batch_size": 8, "random_state": 0}


def _ragged(n=24, seed=0, channels=2, low=3, high=12):
    rng = np.random.RandomState(seed)
    X = [rng.normal(size=(rng.randint(low, high), channels)) for _ in range(n)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    return X, y


# ---------------------------------------------------------------- input_scaling


def test_sequence_scaling_ignores_each_rows_level_and_amplitude():
    X, y = _ragged()
    clf = SequenceClassifier("gru", input_scaling="sequence", **SMALL).fit(X, y)
    rescaled = [x * (10.0 ** (i % 7 - 3)) + 100.0 * i for i, x in enumerate(X)]
    np.testing.assert_allclose(clf.predict_proba(rescaled), clf.predict_proba(X), atol=1e-5)
    assert not hasattr(clf, "input_mean_")


@pytest.mark.parametrize(
    ("scaling", "center", "scale"),
    [
        ("dataset", np.mean, np.std),
        ("robust", np.median, lambda v, axis: np.subtract(*np.percentile(v, [75, 25], axis))),
    ],
)
def test_dataset_scalings_learn_the_statistics_of_all_valid_steps(scaling, center, scale):
    X, y = _ragged()
    steps = np.concatenate(X)
    clf = SequenceClassifier("cnn", input_scaling=scaling, **SMALL).fit(X, y)
    np.testing.assert_allclose(clf.input_mean_, center(steps, axis=0))
    np.testing.assert_allclose(clf.input_scale_, scale(steps, axis=0))


def test_no_scaling_reads_raw_values():
    X, y = _ragged()
    clf = SequenceClassifier("cnn", input_scaling=None, **SMALL).fit(X, y)
    shifted = [x + 5.0 for x in X]
    assert not hasattr(clf, "input_mean_")
    assert np.abs(clf.predict_proba(shifted) - clf.predict_proba(X)).max() > 1e-3


def test_regression_targets_come_back_in_their_units_with_sequence_scaling():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 10)).cumsum(axis=1) * rng.uniform(1, 1000, size=(60, 1))
    slope = np.sign(X[:, -1] - X[:, 0])
    y = 5000.0 + 300.0 * slope
    reg = SequenceRegressor(
        "cnn", hidden_size=16, max_epochs=60, lr=0.01, input_scaling="sequence", random_state=0
    ).fit(X, y)
    assert reg.score(X, y) > 0.8
    assert abs(reg.predict(X).mean() - 5000.0) < 100.0


def test_input_scaling_is_validated():
    X, y = _ragged()
    with pytest.raises(ValueError, match="input_scaling"):
        SequenceClassifier(input_scaling="zscore", **SMALL).fit(X, y)


# --------------------------------------------------------------- validation split


def test_stratified_rows_keep_every_class_in_training_and_shuffle_with_the_seed():
    labels = np.repeat([0, 1, 2], [10, 20, 2])  # sorted by class, as UCR training sets
    train, valid = _stratified_rows(labels, 9, np.random.RandomState(0))
    assert len(valid) == 9 and len(train) == 23
    assert np.intersect1d(train, valid).size == 0
    assert set(labels[train]) == {0, 1, 2}
    counts = np.bincount(labels[valid], minlength=3)
    # Quotas 9 * (10, 20, 2) / 32 = 2.81, 5.63, 0.56: floors, then the largest remainders.
    assert counts.tolist() == [3, 6, 0]
    again, _ = _stratified_rows(labels, 9, np.random.RandomState(0))
    other, _ = _stratified_rows(labels, 9, np.random.RandomState(1))
    np.testing.assert_array_equal(train, again)
    assert not np.array_equal(train, other)


def test_stratified_rows_warn_when_classes_cannot_spare_enough_rows():
    labels = np.array([0, 0, 1, 2])
    with pytest.warns(UserWarning, match="every class keeps a training row"):
        train, valid = _stratified_rows(labels, 3, np.random.RandomState(0))
    assert sorted(labels[train].tolist()) == [0, 1, 2]
    assert labels[valid].tolist() == [0]


def test_classifier_validation_never_drops_a_class_from_training():
    X, y = _ragged(n=30)
    order = np.argsort(y, kind="stable")
    X, y = [X[i] for i in order], y[order]
    clf = SequenceClassifier(
        "cnn", validation_fraction=0.3, n_iter_no_change=50, **SMALL
    ).fit(X, y)
    split = clf.net_.train_split
    assert set(y[split.train.numpy()]) == set(y)
    assert set(y[split.valid.numpy()]) == set(y)
    assert "valid_loss" in clf.history_[-1]


def test_regressor_validation_keeps_the_time_ordered_tail():
    X, _ = _ragged(n=20)
    reg = SequenceRegressor("cnn", validation_fraction=0.25, **SMALL).fit(X, np.arange(20.0))
    assert reg.net_.train_split.valid.tolist() == [15, 16, 17, 18, 19]


# ------------------------------------------------------------------ predict layout


def test_bucket_width_depends_on_the_length_only_and_pads_at_most_an_eighth():
    lengths = np.arange(1, 3000)
    widths = _bucket_width(lengths)
    assert (widths >= lengths).all() and (widths <= np.ceil(lengths * 1.125)).all()
    assert _bucket_width(np.array([1, 8, 9, 17, 100, 1500])).tolist() == [1, 8, 9, 18, 104, 1536]


@pytest.mark.parametrize("architecture", ["cnn", "fcn", "transformer", "lstm"])
def test_float32_predict_does_not_depend_on_the_other_rows(architecture):
    X, y = _ragged(n=40, high=40)
    clf = SequenceClassifier(architecture, **SMALL).fit(X, y)
    assert clf.inference_dtype == "float32"
    together = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba(X[i : i + 1]) for i in range(len(X))])
    reversed_ = clf.predict_proba(X[::-1])[::-1]
    # Recurrent encoders pack rows, so their matrix products see the other rows'
    # count (float32 rounding); convolutions and attention are exact.
    atol = 1e-7 if architecture == "lstm" else 0.0
    np.testing.assert_allclose(alone, together, rtol=0, atol=atol)
    np.testing.assert_allclose(reversed_, together, rtol=0, atol=atol)
    exact = clf.set_params(inference_dtype="float64").predict_proba(X)
    np.testing.assert_allclose(together, exact, atol=1e-5)


# -------------------------------------------------------------- training batches


def _dataset(lengths):
    n = len(lengths)
    return _SequenceDataset(
        torch.zeros(n, max(lengths), 1), torch.as_tensor(lengths), torch.arange(n)
    )


def test_bucketed_batches_cover_every_row_once_and_pad_little():
    rng = np.random.RandomState(0)
    lengths = rng.randint(16, 257, size=200)
    torch.manual_seed(0)
    batches = list(_BatchIterator(_dataset(lengths), batch_size=16, shuffle=True))
    rows = torch.cat([y for _, y in batches]).numpy()
    np.testing.assert_array_equal(np.sort(rows), np.arange(200))
    padded = sum(x["x"].shape[1] * len(y) for x, y in batches)
    order = torch.randperm(200).numpy()
    unsorted = sum(lengths[rows].max() * len(rows) for rows in np.array_split(order, 13))
    assert padded <= 1.35 * lengths.sum()
    assert padded < 0.8 * unsorted
    torch.manual_seed(1)
    other = torch.cat([y for _, y in _BatchIterator(_dataset(lengths), 16, shuffle=True)])
    assert not np.array_equal(other.numpy(), rows)


def test_equal_lengths_keep_plain_shuffled_batches():
    torch.manual_seed(0)
    rows = torch.cat([y for _, y in _BatchIterator(_dataset([5] * 20), 8, shuffle=True)])
    torch.manual_seed(0)
    np.testing.assert_array_equal(rows.numpy(), torch.randperm(20).numpy())


def test_ragged_fit_is_reproducible_with_bucketed_batches():
    X, y = _ragged(n=40, high=60)
    first = SequenceClassifier("gru", **SMALL).fit(X, y).predict_proba(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = SequenceClassifier("gru", **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
