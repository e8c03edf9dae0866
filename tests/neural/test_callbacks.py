"""callbacks= (user skorch callbacks, never mutated, clone-safe) and verbose output."""

import io
import pickle
import sys

import numpy as np
import pytest
from sklearn.base import clone
from skorch.callbacks import Callback

from sklseq.neural import SequenceClassifier, SequenceGenerator

SMALL = {"hidden_size": 8, "max_epochs": 3, "batch_size": 8, "random_state": 0}


class EpochRecorder(Callback):
    """Records the number of every finished epoch."""

    def initialize(self):
        self.epochs = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs.append(len(net.history))


def _data(n=16):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(4, 9), 2)) for _ in range(n)]
    return X, np.array([int(x[:, 0].sum() > 0) for x in X])


def _ran(estimator, name):
    return dict(estimator.net_.callbacks_)[name]


def test_a_callback_is_called_every_epoch_and_the_parameter_is_untouched():
    recorder = EpochRecorder()
    X, y = _data()
    clf = SequenceClassifier(callbacks=[recorder], **SMALL).fit(X, y)
    assert _ran(clf, "EpochRecorder").epochs == [1, 2, 3]
    assert clf.callbacks[0] is recorder
    assert not hasattr(recorder, "epochs")  # fit ran a deep copy


def test_a_named_callback_survives_clone_set_params_and_pickle():
    X, y = _data()
    clf = SequenceClassifier(callbacks=[("recorder", EpochRecorder())], **SMALL)
    copy = clone(clf)
    assert copy.callbacks[0][1] is not clf.callbacks[0][1]
    copy.set_params(max_epochs=2).fit(X, y)
    assert _ran(copy, "recorder").epochs == [1, 2]
    assert clone(copy).get_params()["callbacks"][0][0] == "recorder"
    restored = pickle.loads(pickle.dumps(copy))
    np.testing.assert_array_equal(restored.predict_proba(X), copy.predict_proba(X))
    assert _ran(restored, "recorder").epochs == [1, 2]


def test_a_refit_starts_from_fresh_copies():
    X, y = _data()
    gen = SequenceGenerator(callbacks=[EpochRecorder()], **SMALL)
    gen.fit(["abc", "abd", "bcd"] * 4)
    gen.set_params(max_epochs=1).fit(["abc", "abd", "bcd"] * 4)
    assert _ran(gen, "EpochRecorder").epochs == [1]


@pytest.mark.parametrize(
    "callbacks", [[object()], [("name", object())], [(1, EpochRecorder())], ["EpochRecorder"]]
)
def test_something_else_than_a_callback_is_a_type_error(callbacks):
    X, y = _data()
    with pytest.raises(TypeError, match=r"callbacks\[0\] must be a skorch Callback"):
        SequenceClassifier(callbacks=callbacks, **SMALL).fit(X, y)


def test_callbacks_must_be_a_list():
    X, y = _data()
    with pytest.raises(ValueError, match="'callbacks' parameter of SequenceClassifier"):
        SequenceClassifier(callbacks=EpochRecorder(), **SMALL).fit(X, y)


def test_verbose_prints_one_plain_line_per_epoch_when_not_a_terminal(capsys):
    X, y = _data()
    clf = SequenceClassifier(verbose=1, **SMALL).fit(X, y)
    out, err = capsys.readouterr()
    assert "\r" not in out + err
    rows = [line.split()[0] for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert rows == ["1", "2", "3"]
    assert "progress_bar" not in dict(clf.net_.callbacks_)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_shows_a_progress_bar_on_a_terminal(monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X, y = _data()
    clf = SequenceClassifier(verbose=1, **SMALL).fit(X, y)
    assert "progress_bar" in dict(clf.net_.callbacks_)
    assert "\r" in terminal.getvalue()
    assert "it/s" in terminal.getvalue() or "s/it" in terminal.getvalue()


def test_silent_by_default(capsys):
    X, y = _data()
    SequenceClassifier(**SMALL).fit(X, y)
    assert capsys.readouterr() == ("", "")
