"""Statistical fits from several threads leave ``warnings.filters`` as they were
(``warnings.catch_warnings`` is process-wide and not thread-safe), and the one
sklseq ConvergenceWarning per fit still surfaces, serially and from threads."""

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.exceptions import ConvergenceWarning

from sklseq.statistical import ARIMARegressor, StructuralRegressor


def _rows(seed, n_rows=1, length=60):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_rows, length)).cumsum(axis=1)


def _not_converging(seed):
    # One optimiser iteration cannot converge on an ARMA(2, 2).
    return ARIMARegressor(order=(2, 0, 2), maxiter=1).fit(_rows(seed))


def _fits(seed):
    _not_converging(seed)
    ARIMARegressor(order="auto", max_order=(1, 1, 1)).fit(_rows(seed))
    StructuralRegressor(level="local linear trend").fit(_rows(seed, n_rows=2))


def test_serial_non_convergence_is_one_sklseq_warning_naming_the_row():
    with pytest.warns(ConvergenceWarning) as caught:
        _not_converging(0)
    ours = [w for w in caught if "ARIMARegressor(order=(2, 0, 2)" in str(w.message)]
    assert len(ours) == 1
    assert "on row 0" in str(ours[0].message)
    assert "did not converge" in str(ours[0].message)


# statsmodels' own warnings (start values, KPSS look-up table) go through the
# filters as set when they come from worker threads; not what this test checks.
@pytest.mark.filterwarnings("ignore")
def test_threaded_fits_leave_the_warning_filters_unchanged():
    before = list(warnings.filters)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(_fits, range(4)))
    assert warnings.filters == before


def test_threaded_non_convergence_still_warns_once_per_fit():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inside = list(warnings.filters)
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(_not_converging, range(6)))
        assert warnings.filters == inside
    ours = [
        w for w in caught
        if issubclass(w.category, ConvergenceWarning) and "ARIMARegressor" in str(w.message)
    ]  # fmt: skip
    assert len(ours) == 6


def test_per_series_with_joblib_threads_leaves_the_filters_unchanged():
    before = list(warnings.filters)
    X = _rows(1, n_rows=6)
    with parallel_config(backend="threading"):
        model = ARIMARegressor(order=(1, 1, 0), per_series=True, n_jobs=3, horizon=2).fit(X)
        mean = model.predict(X)
    assert warnings.filters == before
    assert np.isfinite(mean).all()
