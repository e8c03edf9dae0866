import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklseq.interop import from_sktime, to_sktime
from sklseq.utils import SequenceLayoutWarning, check_sequences

datatypes = pytest.importorskip("sktime.datatypes")


def _ragged():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(n, 2)) for n in (5, 3, 4)]


def test_numpy3d_is_transposed_by_from_sktime_only():
    X_sktime = np.arange(24.0).reshape(2, 3, 4)  # (n, channels, time)
    X = from_sktime(X_sktime)
    assert X.shape == (2, 4, 3)
    assert_array_equal(X[1, :, 2], X_sktime[1, 2])
    with pytest.warns(SequenceLayoutWarning, match=r"from_sktime\(X\)"):
        check_sequences(np.zeros((5, 1, 24)))  # ItalyPowerDemand as numpy3D


def test_sequence_layout_warning_only_when_channels_outnumber_steps():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SequenceLayoutWarning)
        check_sequences(np.zeros((5, 24, 1)))
        check_sequences(np.zeros((5, 24, 24)))


@pytest.mark.parametrize("mtype", ["df-list", "nested_univ", "pd-multiindex"])
def test_ragged_round_trip_through_every_sktime_container(mtype):
    rows = _ragged()
    X_sktime = to_sktime(rows, mtype=mtype)
    assert datatypes.check_is_mtype(X_sktime, mtype, scitype="Panel")
    back = from_sktime(X_sktime)
    assert len(back) == 3
    for got, want in zip(back, rows):
        assert_array_equal(got, want)
    # check_sequences reads the same container directly.
    padded, lengths = check_sequences(X_sktime)
    assert lengths.tolist() == [5, 3, 4]
    assert_array_equal(padded[1, :3], rows[1])


@pytest.mark.parametrize("mtype", ["numpy3D", "numpyflat", "pd-multiindex", "nested_univ"])
def test_equal_length_containers_from_sktime(mtype):
    X = np.random.default_rng(1).normal(size=(4, 6))
    nested = to_sktime(X, mtype="nested_univ")
    X_sktime = datatypes.convert_to(nested, mtype, as_scitype="Panel")
    assert_array_equal(from_sktime(X_sktime), X)
    wide = pd.DataFrame(X)  # pd-wide: one row per series
    assert_array_equal(from_sktime(wide), X)


def test_aeon_np_list_is_channels_first():
    rows = _ragged()
    back = from_sktime([row.T for row in rows])
    for got, want in zip(back, rows):
        assert_array_equal(got, want)


def test_to_sktime_numpy3d_needs_equal_lengths():
    with pytest.raises(ValueError, match="equal length.*df-list"):
        to_sktime(_ragged(), mtype="numpy3D")
    with pytest.raises(ValueError, match="mtype must be one of"):
        to_sktime(np.zeros((2, 3)), mtype="numpy2D")


def test_nested_with_channels_of_different_lengths_names_container_and_fix():
    nested = pd.DataFrame({"a": [pd.Series([1.0, 2.0, 3.0])], "b": [pd.Series([1.0, 2.0])]})
    with pytest.raises(ValueError, match=r"Row 0 of the sktime nested_univ.*\[2, 3\].*resample"):
        check_sequences(nested)


def test_nested_with_a_non_series_cell_names_container():
    nested = pd.DataFrame({"a": [pd.Series([1.0, 2.0]), "oops"]})
    with pytest.raises(ValueError, match="nested_univ DataFrame, but row 1.*pandas Series"):
        check_sequences(nested)


def test_multiindex_out_of_order_time_names_container_and_fix():
    index = pd.MultiIndex.from_tuples([(0, 1), (0, 0), (1, 0)])
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=index)
    with pytest.raises(ValueError, match=r"pd-multiindex.*sort_index\(\)"):
        check_sequences(frame)


def test_hierarchical_multiindex_names_container_and_fix():
    index = pd.MultiIndex.from_tuples([(0, 0, 0), (0, 0, 1)])
    frame = pd.DataFrame({"x": [1.0, 2.0]}, index=index)
    with pytest.raises(ValueError, match="3 index levels.*pd_multiindex_hier"):
        check_sequences(frame)


def test_multiindex_keeps_instance_order_of_first_appearance():
    index = pd.MultiIndex.from_tuples([("b", 0), ("b", 1), ("a", 0)])
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=index)
    X, lengths = check_sequences(frame)
    assert lengths.tolist() == [2, 1]
    assert X[1, 0, 0] == 3.0


def test_from_sktime_rejects_what_is_not_a_panel():
    with pytest.raises(ValueError, match="from_sktime could not read X"):
        from_sktime({"not": "a panel"})
    with pytest.raises(ValueError, match="4D array"):
        from_sktime(np.zeros((1, 2, 3, 4)))


def test_single_series_trailing_nan_names_missing_steps():
    X = np.array([[1.0, 2.0, 3.0, np.nan, np.nan]])
    with pytest.raises(ValueError, match="last 2 time step"):
        check_sequences(X, single_series=True)
    _, lengths = check_sequences(X)  # a panel reads them as padding
    assert lengths.tolist() == [3]
