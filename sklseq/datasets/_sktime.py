"""The panel data sets that ship inside sktime, in sklseq's layout."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["load_sktime"]

# Name of the data set -> sktime's loader (all read files installed with sktime).
_LOADERS = {
    "ACSF1": "load_acsf1",
    "ArrowHead": "load_arrow_head",
    "BasicMotions": "load_basic_motions",
    "Covid3Month": "load_covid_3month",
    "GunPoint": "load_gunpoint",
    "ItalyPowerDemand": "load_italy_power_demand",
    "JapaneseVowels": "load_japanese_vowels",
    "OSULeaf": "load_osuleaf",
    "PLAID": "load_plaid",
    "Tecator": "load_tecator",
    "UnitTest": "load_unit_test",
}


def load_sktime(name: str, split: str | None = None) -> tuple[Any, NDArray[Any]]:
    """Load a classification or regression data set shipped with sktime.

    Parameters
    ----------
    name : str
        One of ``"ACSF1"``, ``"ArrowHead"``, ``"BasicMotions"``,
        ``"Covid3Month"``, ``"GunPoint"``, ``"ItalyPowerDemand"``,
        ``"JapaneseVowels"`` (unequal length), ``"OSULeaf"``, ``"PLAID"``
        (unequal length), ``"Tecator"``, ``"UnitTest"``; case and underscores
        are ignored (``"italy_power_demand"`` works). Nothing is downloaded.
    split : {"train", "test"} or None, default=None
        The predefined split, or both concatenated (train first).

    Returns
    -------
    X : ndarray or list of ndarray
        Equal lengths: ``(n_samples, n_timesteps)`` for one channel,
        ``(n_samples, n_timesteps, n_channels)`` for several. Unequal lengths:
        a list of ``(n_timesteps_i,)`` or ``(n_timesteps_i, n_channels)``
        arrays (see :func:`sklseq.interop.from_sktime`).
    y : ndarray of shape (n_samples,)
        Class labels (strings) or regression targets (floats).

    Examples
    --------
    >>> from sklseq.datasets import load_sktime
    >>> X, y = load_sktime("ItalyPowerDemand", split="train")
    >>> X.shape, y[:3].tolist()
    ((67, 24), ['1', '1', '2'])
    """
    key = _find(name)
    if split is not None and split not in ("train", "test"):
        raise ValueError(f"split must be 'train', 'test' or None; got {split!r}.")
    import sktime.datasets  # noqa: PLC0415

    from ..interop import from_sktime  # noqa: PLC0415

    loader = getattr(sktime.datasets, _LOADERS[key])
    if key == "Covid3Month":
        X, y = loader(split=split, return_X_y=True)
    else:
        X, y = loader(split=split, return_X_y=True, return_type="nested_univ")
    y = np.asarray(y)
    if y.dtype.kind == "f":
        y = y.astype(np.float64)
    return from_sktime(X), y


def _find(name: str) -> str:
    wanted = str(name).replace("_", "").lower()
    for key in _LOADERS:
        if key.lower() == wanted:
            return key
    raise ValueError(
        f"No data set named {name!r} ships with sktime; choose one of {sorted(_LOADERS)}."
    )
