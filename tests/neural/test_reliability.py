"""Neural fits under faults: transactional refit, interrupts, checkpoints, crafted weight files.

Expected values come from an uninterrupted run of the same estimator (the
reference behaviour) or from torch / the file system directly.
"""

import os
import pickle
import tracemalloc

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklseq.neural import SequenceClassifier, SequenceRegressor
from sklseq.neural._base import BaseSequenceNetwork

SMALL = {"hidden_size": 6, "batch_size": 8, "random_state": 0}


def _data(n=32, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 7, 2))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    return X, y


class _RaiseAt(Callback):
    """Raise ``error`` at the end of batch ``batch`` of epoch ``epoch`` (1-based)."""

    def __init__(self, error, epoch, batch=2):
        self.error, self.epoch, self.batch = error, epoch, batch

    def on_batch_end(self, net, training=None, **kwargs):
        batches = net.history[-1, "batches"]
        if training and len(net.history) == self.epoch and len(batches) == self.batch:
            raise self.error


@pytest.fixture
def inject(monkeypatch):
    """Set the callback added to the next fits' skorch nets (as a user callback would be)."""
    original = BaseSequenceNetwork._make_net
    current = {"callback": Callback()}

    def make_net(self, *args):
        net = original(self, *args)
        net.callbacks = [*(net.callbacks or []), ("injected", current["callback"])]
        return net

    monkeypatch.setattr(BaseSequenceNetwork, "_make_net", make_net)
    return lambda callback: current.update(callback=callback)


def _snapshot(estimator):
    state = {k: v for k, v in vars(estimator).items() if k.endswith("_")}
    weights = {k: v.clone() for k, v in estimator.net_.module_.state_dict().items()}
    return state, weights


@pytest.mark.parametrize(
    "error", [FloatingPointError("diverged"), RuntimeError("boom")], ids=["diverged", "raising"]
)
def test_failed_refit_leaves_a_fitted_classifier_bit_identical(inject, error):
    X, y = _data()
    clf = SequenceClassifier("gru", max_epochs=2, **SMALL).fit(X, y)
    proba = clf.predict_proba(X)
    before, weights = _snapshot(clf)
    inject(_RaiseAt(error, epoch=1))
    y3 = y.copy()
    y3[:4] = 2  # a third class, so classes_ would change
    with pytest.raises(type(error)):
        clf.set_params(max_epochs=3).fit(X * 10, y3)
    after, weights_after = _snapshot(clf)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] is before[key], key
    for key in weights:
        assert torch.equal(weights[key], weights_after[key])
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    assert clf.predict_proba(X).shape[1] == len(clf.classes_) == 2


def test_genuinely_diverged_refit_leaves_a_regressor_unchanged():
    X, y = _data()
    reg = SequenceRegressor("rnn", max_epochs=2, **SMALL).fit(X, y.astype(float))
    expected = reg.predict(X)
    huge = np.where(np.arange(len(y)) % 2, 1e300, -1e300)
    with pytest.raises((FloatingPointError, ValueError)):
        reg.set_params(optimizer="sgd", lr=1e30).fit(X, huge)
    np.testing.assert_array_equal(reg.predict(X), expected)
    np.testing.assert_array_equal(reg.target_mean_, np.mean(y.astype(float)))


def test_bad_y_on_refit_leaves_scalers_untouched():
    X, y = _data()
    clf = SequenceClassifier("gru", max_epochs=1, **SMALL).fit(X, y)
    mean = clf.input_mean_
    with pytest.raises(ValueError):
        clf.fit(X * 100, y[:-1])
    assert clf.input_mean_ is mean


def test_keyboard_interrupt_mid_epoch_warns_flags_and_keeps_a_usable_model(inject):
    X, y = _data()
    inject(_RaiseAt(KeyboardInterrupt(), epoch=3))
    with pytest.warns(UserWarning, match="interrupted .* in epoch 3 of 10, after 2 complete"):
        clf = SequenceClassifier("gru", max_epochs=10, **SMALL).fit(X, y)
    assert clf.interrupted_ is True
    assert clf.n_epochs_ == 2
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_interrupt_with_early_stopping_keeps_the_best_weights(inject):
    # A constant rate: a schedule would span each fit's own max_epochs.
    X, y = _data(n=40)
    params = {
        **SMALL,
        "validation_fraction": 0.25,
        "n_iter_no_change": 50,
        "max_epochs": 30,
        "lr_schedule": "constant",
    }
    inject(Callback())
    reference = SequenceClassifier("gru", **params, lr=0.05).fit(X, y)
    losses = reference.history_[:, "valid_loss"]
    stop_epoch = 8
    best_epoch = int(np.argmin(losses[: stop_epoch - 1])) + 1
    inject(_RaiseAt(KeyboardInterrupt(), epoch=stop_epoch, batch=1))
    with pytest.warns(UserWarning, match="best weights so far"):
        clf = SequenceClassifier("gru", **params, lr=0.05).fit(X, y)
    assert clf.interrupted_ and clf.n_epochs_ == stop_epoch - 1
    inject(Callback())
    early = SequenceClassifier("gru", **{**params, "max_epochs": best_epoch}, lr=0.05).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), early.predict_proba(X))


def test_uninterrupted_fit_records_epochs():
    X, y = _data()
    clf = SequenceClassifier("gru", max_epochs=3, **SMALL).fit(X, y)
    assert clf.n_epochs_ == 3 and clf.interrupted_ is False


def test_interrupt_writes_no_checkpoint_for_the_unfinished_epoch(inject, tmp_path):
    X, y = _data()
    path = tmp_path / "ckpt.pt"
    inject(_RaiseAt(KeyboardInterrupt(), epoch=3))
    with pytest.warns(UserWarning, match="interrupted"):
        SequenceClassifier("gru", max_epochs=5, checkpoint_path=path, **SMALL).fit(X, y)
    state = torch.load(path, weights_only=True)
    assert len(state["history"]) == 2 and state["finished"] is False


# ------------------------------------------------------------------ resume


@pytest.mark.parametrize("schedule", ["constant", "cosine", "linear"])
def test_resume_after_interrupt_equals_uninterrupted_run_bit_for_bit(inject, tmp_path, schedule):
    X, y = _data()
    params = {**SMALL, "max_epochs": 5, "dropout": 0.2, "lr_schedule": schedule}
    params["warmup_epochs"] = 1
    inject(Callback())
    full = SequenceClassifier("gru", **params).fit(X, y)
    path = tmp_path / "ckpt.pt"
    inject(_RaiseAt(KeyboardInterrupt(), epoch=3))
    with pytest.warns(UserWarning, match="interrupted"):
        SequenceClassifier("gru", **params, checkpoint_path=path).fit(X, y)
    inject(Callback())
    resumed = SequenceClassifier("gru", **params, checkpoint_path=path, resume=True).fit(X, y)
    for key, value in full.net_.module_.state_dict().items():
        assert torch.equal(value, resumed.net_.module_.state_dict()[key]), key
    np.testing.assert_array_equal(resumed.predict_proba(X), full.predict_proba(X))
    assert resumed.n_epochs_ == 5


def test_resume_after_early_stopping_trains_no_further(tmp_path):
    X, y = _data(n=40)
    params = {**SMALL, "validation_fraction": 0.25, "n_iter_no_change": 2, "max_epochs": 60}
    params["lr"] = 0.05
    path = tmp_path / "ckpt.pt"
    first = SequenceClassifier("gru", **params, checkpoint_path=path).fit(X, y)
    assert len(first.history_) < 60  # early stopping ended it
    again = SequenceClassifier("gru", **params, checkpoint_path=path, resume=True).fit(X, y)
    assert len(again.history_) == len(first.history_)
    np.testing.assert_array_equal(again.predict_proba(X), first.predict_proba(X))


def test_resume_with_early_stopping_after_interrupt_is_exact(inject, tmp_path):
    X, y = _data(n=40)
    params = {**SMALL, "validation_fraction": 0.25, "n_iter_no_change": 3, "max_epochs": 40}
    params["lr"] = 0.05
    inject(Callback())
    full = SequenceClassifier("gru", **params).fit(X, y)
    path = tmp_path / "ckpt.pt"
    inject(_RaiseAt(KeyboardInterrupt(), epoch=3, batch=1))
    with pytest.warns(UserWarning, match="interrupted"):
        SequenceClassifier("gru", **params, checkpoint_path=path).fit(X, y)
    resumed = SequenceClassifier("gru", **params, checkpoint_path=path, resume=True)
    inject(Callback())
    resumed.fit(X, y)
    assert len(resumed.history_) == len(full.history_)
    np.testing.assert_array_equal(resumed.predict_proba(X), full.predict_proba(X))


def test_failed_checkpoint_write_keeps_the_previous_checkpoint(monkeypatch, tmp_path):
    X, y = _data()
    path = tmp_path / "ckpt.pt"
    SequenceClassifier("gru", max_epochs=2, checkpoint_path=path, **SMALL).fit(X, y)
    good = path.read_bytes()
    real_save = torch.save

    def disk_full(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(OSError, match="checkpoint_path=.*No space left"):
        SequenceClassifier("gru", max_epochs=2, checkpoint_path=path, **SMALL).fit(X, y)
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert len(torch.load(path, weights_only=True)["history"]) == 2
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]  # no temporary left behind


def test_unwritable_checkpoint_path_fails_before_training(tmp_path):
    X, y = _data()
    missing = tmp_path / "no" / "such" / "ckpt.pt"
    with pytest.raises(ValueError, match="checkpoint_path=.*does not exist"):
        SequenceClassifier("gru", max_epochs=1, checkpoint_path=missing, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="checkpoint_path=.*is a directory"):
        SequenceClassifier("gru", max_epochs=1, checkpoint_path=tmp_path, **SMALL).fit(X, y)
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        with pytest.raises(OSError, match="checkpoint_path=.*not writable"):
            SequenceClassifier(
                "gru", max_epochs=1, checkpoint_path=locked / "c.pt", **SMALL
            ).fit(X, y)


# ------------------------------------------------------------ load_weights


def _saved(tmp_path):
    X, y = _data()
    clf = SequenceClassifier("gru", max_epochs=1, **SMALL).fit(X, y)
    path = tmp_path / "weights.pt"
    clf.save_weights(path)
    return clf, path, torch.load(path, weights_only=True)


def test_weights_file_never_sets_checkpoint_path_or_device(tmp_path):
    clf, path, payload = _saved(tmp_path)
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    payload["params"]["checkpoint_path"] = str(target)
    crafted = tmp_path / "crafted.pt"
    torch.save(payload, crafted)
    with pytest.raises(ValueError, match="never takes checkpoint_path"):
        SequenceClassifier.load_weights(crafted)
    assert target.read_text() == "keep me"
    assert "checkpoint_path" not in torch.load(path, weights_only=True)["params"]


def test_weights_file_with_invalid_hyperparameter_is_refused(tmp_path):
    _, _, payload = _saved(tmp_path)
    payload["params"]["dropout"] = 7.0
    crafted = tmp_path / "crafted.pt"
    torch.save(payload, crafted)
    with pytest.raises(ValueError, match="dropout"):
        SequenceClassifier.load_weights(crafted)


@pytest.mark.parametrize(
    "change",
    [{"params": {"hidden_size": 200_000}}, {"fitted": {"n_channels_in_": 10**9}}],
    ids=["hidden_size", "n_channels_in_"],
)
def test_absurd_sizes_are_refused_before_allocation(tmp_path, change):
    _, _, payload = _saved(tmp_path)
    for section, values in change.items():
        payload[section].update(values)
    crafted = tmp_path / "crafted.pt"
    torch.save(payload, crafted)
    file_size = crafted.stat().st_size
    tracemalloc.start()
    with pytest.raises(ValueError, match="shape|do not fit"):
        SequenceClassifier.load_weights(crafted)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert file_size < 20_000
    assert peak < 50 * 2**20  # a 200k-unit GRU would need gigabytes


def test_pickle_payload_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran.txt"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    crafted = tmp_path / "crafted.pt"
    with open(crafted, "wb") as file:
        pickle.dump({"format": "sklseq-neural-weights-1", "x": Payload()}, file)
    with pytest.raises(ValueError, match="not a readable torch file|more than tensors"):
        SequenceClassifier.load_weights(crafted)
    torch.save({"format": "sklseq-neural-weights-1", "x": Payload()}, crafted)
    assert not marker.exists()
    with pytest.raises(ValueError, match="more than tensors"):
        SequenceClassifier.load_weights(crafted)
    assert not marker.exists()


def test_saved_weights_round_trip_after_hardening(tmp_path):
    clf, path, _ = _saved(tmp_path)
    loaded = SequenceClassifier.load_weights(path)
    X, _ = _data()
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


# ---------------------------------------------------------- extreme values


@pytest.mark.parametrize("scale", [1e200, 1e300])
def test_values_near_1e200_standardise_without_overflow(scale):
    # Scaling X and y by a power of ten scales the predictions by it too: the
    # standardised data, and so the trained net, are the same up to rounding.
    X, _ = _data()
    y = X[:, -1, 0]
    reference = SequenceRegressor("gru", max_epochs=2, **SMALL).fit(X, y).predict(X)
    huge = SequenceRegressor("gru", max_epochs=2, **SMALL).fit(X * scale, y * scale)
    np.testing.assert_allclose(huge.predict(X * scale) / scale, reference, rtol=1e-5)
