"""Transformers, forecasting strategies and statistical models round-trip through skops.io.

skops loads without running code: every type it meets must be trusted by the
caller. For sklseq estimators, the only types a file holds besides numpy /
scikit-learn ones (which skops trusts by default) are sklseq's own classes, so
``trusted=`` lists sklseq types and nothing foreign.
"""

import numpy as np
import pytest

from sklseq.forecasting import make_windows
from sklseq.utils import all_estimators

sio = pytest.importorskip("skops.io")

RNG = np.random.RandomState(0)
PANEL = RNG.normal(size=(8, 20, 1))
SERIES = np.cumsum(RNG.normal(size=60))


def _fit(name, cls):
    estimator = cls()
    module = cls.__module__
    if hasattr(estimator, "transform"):
        return estimator.fit(PANEL), lambda e: e.transform(PANEL)
    if module.startswith("sklseq.forecasting"):
        X, y = make_windows(SERIES, 5)
        return estimator.fit(X, y), lambda e: e.predict(X)
    pytest.importorskip("statsmodels")
    panel = RNG.normal(size=(4, 30, 2)) if name == "VARRegressor" else PANEL[:, :, 0]
    return estimator.fit(panel), lambda e: e.predict(panel)


# SktimeBaseline holds a third-party sktime estimator, whose types are sktime's to vouch
# for, not sklseq's; everything else that is not neural must load trusting sklseq only.
NON_NEURAL = [
    (n, c) for n, c in all_estimators()
    if not c.__module__.startswith(("sklseq.neural", "sklseq.interop"))
]


@pytest.mark.parametrize("name, cls", NON_NEURAL, ids=[n for n, _ in NON_NEURAL])
def test_skops_round_trip_trusts_only_sklseq_types(name, cls, tmp_path):
    estimator, output = _fit(name, cls)
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert f"{cls.__module__}.{cls.__qualname__}" in untrusted
    assert all(t.startswith("sklseq.") for t in untrusted), untrusted
    loaded = sio.load(path, trusted=untrusted)
    assert type(loaded) is cls
    np.testing.assert_array_equal(output(loaded), output(estimator))


def test_skops_refuses_an_untrusted_sklseq_type(tmp_path):
    from sklseq.preprocessing import LagFeatures

    path = tmp_path / "lags.skops"
    sio.dump(LagFeatures(lags=2).fit(PANEL), path)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path, trusted=[])
