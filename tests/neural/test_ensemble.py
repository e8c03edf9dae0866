"""n_ensemble (InceptionTime's ensemble) and max_epochs="auto" (a budget in gradient steps)."""

import math

import numpy as np
import pytest
import torch
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklseq.neural import SequenceClassifier, SequenceRegressor, _base

SMALL = {"architecture": "fcn", "hidden_size": 8, "max_epochs": 3, "random_state": 0}


def _data(n=24, seed=0):
    rng = np.random.RandomState(seed)
    X = [rng.normal(size=(length, 2)) for length in rng.randint(6, 14, size=n)]
    y = np.array(["up" if x[-3:, 0].mean() > 0 else "down" for x in X])
    return X, y


def _member_outputs(estimator, X):
    """Each member's float64 outputs on X, computed row by row from its own module."""
    inputs, lengths = estimator._validate_X(X, reset=False)
    members = estimator.net_.module_.members
    outputs = []
    with torch.no_grad():
        for member in members:
            member = member.double().eval()
            rows = [
                member(torch.as_tensor(inputs[i : i + 1, :n], dtype=torch.float64),
                       torch.tensor([n]))[0]
                for i, n in enumerate(lengths)
            ]
            outputs.append(torch.stack(rows).numpy())
    return outputs


def test_classifier_averages_the_members_probabilities():
    X, y = _data()
    clf = SequenceClassifier(n_ensemble=3, inference_dtype="float64", **SMALL).fit(X, y)
    assert len(clf.net_.module_.members) == 3
    members = _member_outputs(clf, X)
    probabilities = [np.exp(m - m.max(1, keepdims=True)) for m in members]
    probabilities = [p / p.sum(1, keepdims=True) for p in probabilities]
    np.testing.assert_allclose(clf.predict_proba(X), np.mean(probabilities, axis=0), atol=1e-12)
    # different random initial weights give different members
    assert not np.allclose(probabilities[0], probabilities[1], atol=1e-3)


def test_regressor_averages_the_members_outputs():
    X, _ = _data()
    target = np.array([x[:, 1].sum() for x in X])
    reg = SequenceRegressor(n_ensemble=2, inference_dtype="float64", **SMALL).fit(X, target)
    members = _member_outputs(reg, X)
    expected = np.mean(members, axis=0)[:, 0] * reg.target_scale_[0] + reg.target_mean_[0]
    np.testing.assert_allclose(reg.predict(X), expected, atol=1e-10)


def test_each_member_trains_as_it_would_alone():
    # Full batches (their order cannot differ), plain SGD (Adam would hide a scaled
    # gradient) and a gradient clip that binds: member 0 starts from the weights a
    # single network with the same seed gets and must take the same steps, which a
    # clip of the members' joint gradient norm or a shared loss scale would break.
    # (A GRU: a convolution's bias before batch norm has a zero gradient.)
    X, y = _data()
    params = dict(
        SMALL, architecture="gru", optimizer="sgd", lr=0.5, lr_schedule="constant",
        batch_size=64, max_epochs=5, gradient_clip=0.05, inference_dtype="float64",
    )
    alone = SequenceClassifier(**params).fit(X, y)
    ensemble = SequenceClassifier(n_ensemble=2, **params).fit(X, y)
    first = ensemble.net_.module_.members[0].state_dict()
    for key, value in alone.net_.module_.state_dict().items():
        torch.testing.assert_close(first[key], value, rtol=1e-4, atol=1e-6, msg=key)
    # the clip binds: without it the single network ends elsewhere
    unclipped = SequenceClassifier(**dict(params, gradient_clip=None)).fit(X, y)
    assert not torch.allclose(
        unclipped.net_.module_.head.weight, first["head.weight"], atol=1e-3
    )


def test_ensemble_weights_round_trip(tmp_path):
    X, y = _data()
    clf = SequenceClassifier(n_ensemble=2, **SMALL).fit(X, y)
    clf.save_weights(tmp_path / "ensemble.pt")
    loaded = SequenceClassifier.load_weights(tmp_path / "ensemble.pt")
    assert loaded.n_ensemble == 2
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_ensemble_early_stopping_reads_the_ensemble_validation_loss():
    X, y = _data(n=40)
    clf = SequenceClassifier(n_ensemble=2, validation_fraction=0.25, **SMALL).fit(X, y)
    assert all(np.isfinite(row["valid_loss"]) for row in clf.history_)


def test_auto_epochs_make_the_step_budget(monkeypatch):
    monkeypatch.setattr(_base, "AUTO_STEPS", 12)
    X, y = _data(n=40)
    clf = SequenceClassifier(
        "gru", hidden_size=4, batch_size=16, max_epochs="auto", lr_schedule="cosine",
        random_state=0,
    ).fit(X, y)
    batches = math.ceil(40 / 16)
    assert clf.n_epochs_ == math.ceil(12 / batches) == 4
    assert all(len(row["batches"]) == batches for row in clf.history_)
    # the cosine schedule spans the whole budget: the last step's rate is near zero
    assert clf.net_.optimizer_.param_groups[0]["lr"] < 0.05 * clf.lr


def test_auto_epochs_follow_the_training_rows_and_batch_size():
    est = SequenceClassifier(max_epochs="auto", batch_size=16)
    assert est._epoch_budget(36) == math.ceil(_base.AUTO_STEPS / 3)
    assert est._epoch_budget(10 * 16 * _base.AUTO_STEPS) == 1
    assert SequenceClassifier(max_epochs=7)._epoch_budget(36) == 7


def test_n_ensemble_is_validated():
    X, y = _data()
    with pytest.raises(ValueError, match="n_ensemble"):
        SequenceClassifier(n_ensemble=0, **SMALL).fit(X, y)


@parametrize_with_checks(
    [
        # The members' averaging is architecture-independent; a small GRU keeps these
        # checks quick (test_common.py runs them on the default fcn).
        SequenceClassifier(
            "gru", n_ensemble=2, hidden_size=8, max_epochs=20, lr=3e-3, batch_size=32
        ),
        SequenceRegressor(n_ensemble=2, hidden_size=16, max_epochs=40, lr=1e-2),
    ],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data": (
            "each member trains as a single network does, and single networks fail this "
            "check by float32 rounding / mini-batches (test_common.py's EXPECTED_FAILURES)"
        )
    },
)
def test_ensembles_pass_sklearn_checks(estimator, check):
    check(estimator)
