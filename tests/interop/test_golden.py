"""Every ragged or sktime form of the same data gives the same outputs (SPEC section 2)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

from sklseq.interop import from_sktime
from sklseq.utils import all_estimators, pad_sequences

sktime_datasets = pytest.importorskip("sktime.datasets")
datatypes = pytest.importorskip("sktime.datatypes")

N_ROWS = 24

LOADERS = {
    "ItalyPowerDemand": sktime_datasets.load_italy_power_demand,
    "BasicMotions": sktime_datasets.load_basic_motions,
    "JapaneseVowels": sktime_datasets.load_japanese_vowels,
}


def _forms(name):
    """The same rows as a list, a NaN-padded array, nested, pd-multiindex and numpy3D."""
    nested, y = LOADERS[name](split="train", return_type="nested_univ")
    nested = nested.iloc[:: len(nested) // N_ROWS][:N_ROWS].reset_index(drop=True)
    y = np.asarray(y)[:: len(y) // N_ROWS][:N_ROWS]
    # The list is built by hand from the nested cells, independently of sklseq's readers.
    rows = [np.column_stack([nested.iat[i, c].to_numpy() for c in range(nested.shape[1])])
            for i in range(len(nested))]
    forms = {
        "list": rows,
        "nan_padded": pad_sequences(rows)[0],
        "nested_univ": nested,
        "pd-multiindex": datatypes.convert_to(nested, "pd-multiindex"),
    }
    if len({len(r) for r in rows}) == 1:
        forms["from_sktime(numpy3D)"] = from_sktime(datatypes.convert_to(nested, "numpy3D"))
    return forms, y


def _transformers():
    return [est for _, est in all_estimators(type_filter="transformer")]


@pytest.mark.parametrize("name", list(LOADERS))
def test_every_transformer_gives_the_same_output_for_every_form(name):
    forms, _ = _forms(name)
    if name == "JapaneseVowels":
        assert len({len(r) for r in forms["list"]}) > 1  # the data set is ragged
    for cls in _transformers():
        # Seeded where the transformer draws at random (MiniRocket's biases), so the
        # forms are compared, not two draws.
        params = {"random_state": 0} if "random_state" in cls().get_params() else {}
        outputs = {form: np.asarray(cls(**params).fit_transform(X)) for form, X in forms.items()}
        reference = outputs.pop("list")
        for form, out in outputs.items():
            assert_array_equal(out, reference, err_msg=f"{cls.__name__} on {name} as {form}")


@pytest.mark.parametrize("name", list(LOADERS))
def test_seeded_classifier_predicts_the_same_for_every_form(name):
    pytest.importorskip("torch")
    from sklseq.neural import SequenceClassifier

    forms, y = _forms(name)
    model = SequenceClassifier(hidden_size=4, max_epochs=2, batch_size=8, random_state=0)
    predictions = {
        form: clone(model).fit(X, y).predict_proba(X) for form, X in forms.items()
    }
    reference = predictions.pop("list")
    for form, proba in predictions.items():
        assert_array_equal(proba, reference, err_msg=f"{name} as {form}")
