import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklseq.datasets import load_sktime

sktime_datasets = pytest.importorskip("sktime.datasets")


def test_equal_length_is_an_array_in_sklseq_layout():
    X, y = load_sktime("basic_motions", split="test")
    X3, y_sktime = sktime_datasets.load_basic_motions(split="test", return_type="numpy3D")
    assert X.shape == (40, 100, 6)
    assert_array_equal(X, X3.transpose(0, 2, 1))
    assert_array_equal(y, y_sktime)


def test_unequal_length_is_a_list():
    X, y = load_sktime("JapaneseVowels", split="train")
    nested, _ = sktime_datasets.load_japanese_vowels(split="train", return_type="nested_univ")
    assert isinstance(X, list) and len(X) == len(y) == 270
    assert_array_equal(X[3][:, 5], nested.iat[3, 5].to_numpy())
    assert len({len(x) for x in X}) > 1


def test_unknown_name_and_split_are_errors():
    with pytest.raises(ValueError, match="No data set named 'Airline'.*ItalyPowerDemand"):
        load_sktime("Airline")
    with pytest.raises(ValueError, match="split must be"):
        load_sktime("GunPoint", split="validation")


def test_both_splits_concatenate_train_first():
    X_train, _ = load_sktime("ItalyPowerDemand", split="train")
    X, y = load_sktime("ItalyPowerDemand")
    assert len(X) == len(y) == 1096
    assert_array_equal(X[: len(X_train)], X_train)
    assert np.isfinite(X).all()
