"""scikit-learn's estimator checks on every public estimator, found automatically.

A new estimator is checked without anyone adding it here. ``CHECK_PARAMS`` only
shortens training for the checks (small ``max_epochs``); defaults stay as users
get them. The only expected failures are in ``EXPECTED_FAILURES``, each with its reason.
"""

import importlib.util

import pytest
from sklearn.utils.estimator_checks import (
    check_set_output_transform,
    check_transformer_get_feature_names_out,
    parametrize_with_checks,
)

from sklseq.utils import all_estimators

# Shorter training for the checks only, by class name.
CHECK_PARAMS = {
    "CTCTranscriber": {"hidden_size": 8, "max_epochs": 2},
    "Seq2SeqRegressor": {"hidden_size": 16, "max_epochs": 40, "lr": 0.01},
    "Seq2SeqTranslator": {"hidden_size": 8, "max_epochs": 2},
    # 30 epochs (the default trains 250 here) let check_class_weight_classifiers'
    # weights move the global-average-pooled head far enough.
    "SequenceClassifier": {"hidden_size": 16, "max_epochs": 30},
    "SequenceGenerator": {"hidden_size": 8, "max_epochs": 2},
    # A higher lr reaches check_regressors_train's R^2 > 0.5 in 40 short epochs.
    "SequenceRegressor": {"hidden_size": 16, "max_epochs": 40, "lr": 1e-2},
    "SequenceTagger": {"hidden_size": 16, "max_epochs": 10},
}


def _required_args(name):
    """Arguments without a default, one dict per instance to check."""
    if name != "SktimeBaseline":
        return [{}]
    if importlib.util.find_spec("sktime") is None:
        return []  # the wrapper has nothing to wrap without sktime
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier
    from sktime.regression.distance_based import KNeighborsTimeSeriesRegressor

    return [
        {"sktime_estimator": KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean")},
        {"sktime_estimator": KNeighborsTimeSeriesRegressor(n_neighbors=1, distance="euclidean")},
    ]


# float32 training: a sample_weight fit and a fit on the repeated rows agree to ~3e-9
# after one epoch (tests/neural/test_sample_weight.py checks the equivalence), but the
# rounding grows over these 40 epochs to ~5e-6 (SequenceRegressor) and ~4e-4
# (Seq2SeqRegressor) relative, above the check's rtol=1e-7; the tagger, CTC, translator
# and generator pass. scikit-learn marks MLPRegressor the same way.
_ROUNDING = "float32 rounding over 40 epochs exceeds rtol=1e-7 (see EXPECTED_FAILURES)"
# The check's data is equal-length (no length buckets). With the fcn default, its 27
# repeated rows make 2 mini-batches of batch_size=16 per epoch where the 15 weighted rows
# make 1, and batch normalisation's statistics count rows, not weights; full batches
# (batch_size=32) still differ by 4% (the batch norm), a GRU with full batches passes.
_MINI_BATCHES = (
    "mini-batches (batch_size=16: 2 steps per epoch on the 27 repeated rows, 1 on the 15 "
    "weighted) and batch norm statistics that count rows, not weights (see above)"
)
EXPECTED_FAILURES = {
    "SequenceClassifier": {"check_sample_weight_equivalence_on_dense_data": _MINI_BATCHES},
    "SequenceRegressor": {"check_sample_weight_equivalence_on_dense_data": _ROUNDING},
    "Seq2SeqRegressor": {"check_sample_weight_equivalence_on_dense_data": _ROUNDING},
}


def _expected_failures(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


def _instances():
    for name, cls in all_estimators():
        for args in _required_args(name):
            yield cls(**args, **CHECK_PARAMS.get(name, {}))


ESTIMATORS = list(_instances())
TRANSFORMERS = [est for est in ESTIMATORS if hasattr(est, "transform")]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _transformer_id(est):
    return type(est).__name__


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=_transformer_id)
def test_transformer_get_feature_names_out(transformer):
    # Not in sklearn's default suite (SPEC section 5), so called explicitly.
    check_transformer_get_feature_names_out(type(transformer).__name__, transformer)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=_transformer_id)
def test_transformer_set_output(transformer):
    check_set_output_transform(type(transformer).__name__, transformer)


def test_all_estimators_finds_every_subpackage():
    modules = {cls.__module__.split(".")[1] for _, cls in all_estimators()}
    assert {"preprocessing", "forecasting", "statistical", "neural"} <= modules
