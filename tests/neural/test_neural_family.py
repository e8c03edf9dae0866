"""Invariants of every neural estimator: weights round trip, thread-safe predict, layout."""

import ast
import pathlib
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from sklseq.neural import (
    CTCTranscriber,
    Seq2SeqRegressor,
    Seq2SeqTranslator,
    SequenceClassifier,
    SequenceGenerator,
    SequenceRegressor,
    SequenceTagger,
)
from sklseq.utils import all_estimators

SMALL = {"hidden_size": 8, "max_epochs": 2, "batch_size": 8, "random_state": 0}
NEURAL = pathlib.Path(__file__).parents[2] / "sklseq" / "neural"


def _data(seed=0, n=16):
    rng = np.random.RandomState(seed)
    X = [rng.normal(size=(rng.randint(4, 9), 2)) for _ in range(n)]
    label = [int(x[:, 0].sum() > 0) for x in X]
    return X, label


def _fitted(name):
    X, label = _data()
    if name == "SequenceClassifier":
        return SequenceClassifier(**SMALL).fit(X, label), X
    if name == "SequenceRegressor":
        return SequenceRegressor(**SMALL).fit(X, [x[:, 1].sum() for x in X]), X
    if name == "SequenceTagger":
        tags = [["+" if v > 0 else "-" for v in x[:, 0]] for x in X]
        return SequenceTagger(**SMALL).fit(X, tags), X
    if name == "CTCTranscriber":
        y = ["ab" if k else "b" for k in label]
        return CTCTranscriber(**SMALL).fit(X, y), X
    if name == "Seq2SeqTranslator":
        y = ["ab" if k else "ba" for k in label]
        return Seq2SeqTranslator(**SMALL).fit(X, y), X
    if name == "Seq2SeqRegressor":
        y = np.array([[x[-1, 0], x[-1, 1]] for x in X])
        return Seq2SeqRegressor(**SMALL).fit(X, y), X
    if name == "SequenceGenerator":
        words = ["abc", "abd", "abcd", "bcd"] * 4
        return SequenceGenerator(**SMALL).fit(words), ["ab", "b", "abc"]
    raise AssertionError(name)


def _outputs(estimator, X):
    """Everything the fitted estimator computes from X, as a list of arrays / objects."""
    if isinstance(estimator, SequenceGenerator):
        return [
            estimator.score_samples(X),
            estimator.complete(X, temperature=0),
            estimator.complete(X, random_state=1),
        ]
    outputs = [estimator.predict(X)]
    for method in ("predict_proba", "predict_log_proba"):
        if hasattr(estimator, method):
            outputs.append(getattr(estimator, method)(X))
    return outputs


def _assert_same(left, right):
    assert len(left) == len(right)
    for a, b in zip(left, right):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            np.testing.assert_array_equal(a, b)
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            for x, z in zip(a, b):
                np.testing.assert_array_equal(x, z)
        else:
            assert np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


NAMES = [name for name, _ in all_estimators() if _.__module__.startswith("sklseq.neural")]


def test_the_seven_neural_estimators_are_covered():
    import sklseq.neural

    assert len(NAMES) == 7
    assert sorted(NAMES) == sorted(sklseq.neural.__all__)


@pytest.fixture(scope="module", params=NAMES)
def fitted(request):
    return _fitted(request.param)


def test_save_load_weights_round_trip(fitted, tmp_path):
    estimator, X = fitted
    path = tmp_path / "weights.pt"
    estimator.save_weights(path)
    loaded = type(estimator).load_weights(path)
    _assert_same(_outputs(loaded, X), _outputs(estimator, X))


def test_predict_from_eight_threads_equals_serial(fitted):
    estimator, X = fitted
    serial = _outputs(estimator, X)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: _outputs(estimator, X), range(80)))
    for result in results:
        _assert_same(result, serial)


def _imported_modules(path):
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            names.update(alias.name for alias in node.names)
    return names


def test_no_estimator_module_imports_another():
    estimator_modules = {
        cls.__module__.rsplit(".", 1)[1]
        for _, cls in all_estimators()
        if cls.__module__.startswith("sklseq.neural")
    }
    assert len(estimator_modules) >= 6
    for module in sorted(estimator_modules):
        imported = _imported_modules(NEURAL / f"{module}.py")
        assert not imported & (estimator_modules - {module}), module


def test_no_object_changes_its_class():
    package = NEURAL.parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"\.__class__\s*=(?!=)", path.read_text())
    ]
    assert offenders == []


def test_common_parameters_lead_every_signature_and_defaults_live_in_subclasses():
    import inspect

    from sklseq.neural._base import BaseSequenceNetwork

    base = inspect.signature(BaseSequenceNetwork.__init__).parameters
    assert all(p.default is inspect.Parameter.empty for p in base.values())
    common = [name for name in base if name != "self"]
    for name in NAMES:
        cls = dict(all_estimators())[name]
        assert list(inspect.signature(cls).parameters)[: len(common)] == common, name
        assert cls().__sklearn_tags__().input_tags.three_d_array == (name != "SequenceGenerator")


@pytest.mark.parametrize("name", ["SequenceClassifier", "SequenceTagger", "Seq2SeqTranslator"])
def test_transformer_head_check_is_shared(name):
    cls = dict(all_estimators())[name]
    X, label = _data()
    y = label if name == "SequenceClassifier" else [["a"] * len(x) for x in X]
    with pytest.raises(ValueError, match="hidden_size=10 must be divisible by num_heads=4"):
        cls(architecture="transformer", hidden_size=10, num_heads=4, max_epochs=1).fit(X, y)
