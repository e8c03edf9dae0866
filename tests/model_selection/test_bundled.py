"""The command line's data sets: every name it lists loads as the pooled sktime panel."""

import numpy as np
import pytest

from sklseq.datasets import load_sktime
from sklseq.model_selection._bundled import _PANELS, load_dataset


@pytest.mark.parametrize("key", sorted(_PANELS))
def test_every_panel_name_loads_train_and_test_pooled(key):
    data = load_dataset(key)
    name, task = _PANELS[key]
    n_rows = sum(len(load_sktime(name, split=split)[1]) for split in ("train", "test"))
    assert data["task"] == task
    assert len(data["X"]) == len(data["y"]) == n_rows
    if task == "regression":
        assert data["y"].dtype.kind == "f"


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="unknown data set 'nope'.*GunPoint"):
        load_dataset("nope")


def test_forecasting_series_comes_with_its_season_and_horizon():
    data = load_dataset("airline")
    assert (data["task"], data["season"], data["horizon"]) == ("forecasting", 12, 12)
    assert len(data["X"]) == 144 and np.isfinite(data["X"].to_numpy()).all()
