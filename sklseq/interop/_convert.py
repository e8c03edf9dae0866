"""sktime / aeon panel containers to and from sklseq's layout."""

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..utils import check_sequences
from ..utils._validation import _read_sktime_container

__all__ = ["from_sktime", "to_sktime"]

_MTYPES = ("numpy3D", "numpyflat", "df-list", "nested_univ", "pd-multiindex")


def from_sktime(X: Any) -> NDArray[np.float64] | list[NDArray[np.float64]]:
    """Read any sktime or aeon panel container into sklseq's layout.

    Parameters
    ----------
    X : sktime / aeon panel
        ``numpy3D`` ``(n_samples, n_channels, n_timesteps)``; ``numpyflat``
        ``(n_samples, n_timesteps)``; a ``nested_univ`` DataFrame; a
        ``pd-multiindex`` DataFrame indexed by (instance, time); a ``df-list``
        (list of DataFrames, rows are time points); aeon's ``np-list`` (list
        of ``(n_channels, n_timesteps_i)`` arrays); or any other sktime Panel
        mtype (``pd-long``, ``pd-wide``, ...), converted by sktime.

    Returns
    -------
    X : ndarray or list of ndarray
        Equal lengths: an array ``(n_samples, n_timesteps)`` for one channel,
        ``(n_samples, n_timesteps, n_channels)`` for several. Unequal lengths:
        a list of ``(n_timesteps_i,)`` or ``(n_timesteps_i, n_channels)``
        arrays.

    Raises
    ------
    ValueError
        When ``X`` is not a panel container sktime or aeon defines, naming
        what was found.

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.interop import from_sktime
    >>> X_sktime = np.arange(12.0).reshape(2, 2, 3)  # 2 series, 2 channels, 3 steps
    >>> from_sktime(X_sktime).shape
    (2, 3, 2)
    """
    if isinstance(X, np.ndarray):
        if X.ndim == 3:
            return _squeeze(np.ascontiguousarray(X.transpose(0, 2, 1)))
        if X.ndim == 2:
            return X
        raise ValueError(
            f"from_sktime got a {X.ndim}D array; sktime's numpy3D is 3D (n_samples, "
            "n_channels, n_timesteps) and numpyflat 2D (n_samples, n_timesteps)."
        )
    if isinstance(X, (list, tuple)) and X and all(isinstance(x, np.ndarray) for x in X):
        if any(x.ndim != 2 for x in X):
            raise ValueError(
                "from_sktime got a list of arrays that are not all 2D; aeon's np-list "
                "holds one (n_channels, n_timesteps) array per series."
            )
        return _as_sklseq([x.T for x in X])
    sequences = _read_sktime_container(X, "X")
    if sequences is X and hasattr(X, "columns"):  # pd-wide: rows are series, columns time
        return _squeeze(check_sequences(X)[0])
    if sequences is X and not _is_df_list(X):
        sequences = _convert_with_sktime(X)
    return _as_sklseq(sequences)


def to_sktime(X: Any, mtype: str = "numpy3D") -> Any:
    """Write a panel in sklseq's layout as an sktime container.

    Parameters
    ----------
    X : array-like or list of sequences
        A panel as :func:`sklseq.utils.check_sequences` reads it.
    mtype : {"numpy3D", "numpyflat", "df-list", "nested_univ", "pd-multiindex"}, \
default="numpy3D"
        The sktime Panel mtype. ``numpy3D`` and ``numpyflat`` need sequences of
        equal length (``numpyflat`` also one channel).

    Returns
    -------
    X_sktime : ndarray, list of DataFrame or DataFrame

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.interop import to_sktime
    >>> to_sktime(np.zeros((4, 10, 2))).shape
    (4, 2, 10)
    """
    if mtype not in _MTYPES:
        raise ValueError(f"mtype must be one of {list(_MTYPES)}; got {mtype!r}.")
    X3, lengths = check_sequences(X)
    equal = bool((lengths == X3.shape[1]).all())
    if mtype in ("numpy3D", "numpyflat"):
        if not equal:
            raise ValueError(
                f"mtype={mtype!r} holds sequences of equal length only, but X has lengths "
                f"from {lengths.min()} to {lengths.max()}; use mtype='df-list', "
                "'nested_univ' or 'pd-multiindex'."
            )
        if mtype == "numpyflat":
            if X3.shape[2] != 1:
                raise ValueError(
                    f"mtype='numpyflat' holds one channel, but X has {X3.shape[2]}; use "
                    "mtype='numpy3D'."
                )
            return X3[:, :, 0].copy()
        return np.ascontiguousarray(X3.transpose(0, 2, 1))
    import pandas as pd  # noqa: PLC0415

    columns = [f"var_{c}" for c in range(X3.shape[2])]
    frames = [pd.DataFrame(X3[i, :n], columns=columns) for i, n in enumerate(lengths)]
    if mtype == "df-list":
        return frames
    if mtype == "pd-multiindex":
        frame = pd.concat(frames, keys=range(len(frames)), names=["instances", "timepoints"])
        return frame
    cells = {col: [frame[col] for frame in frames] for col in columns}
    return pd.DataFrame(cells)


def _is_df_list(X: Any) -> bool:
    return isinstance(X, (list, tuple)) and bool(X) and all(hasattr(x, "columns") for x in X)


def _convert_with_sktime(X: Any) -> Any:
    found = type(X).__name__
    try:
        from sktime.datatypes import convert_to, mtype  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - sktime is an optional dependency
        raise ValueError(
            f"from_sktime cannot read a {found} without sktime installed; pass numpy3D, "
            "nested_univ, pd-multiindex or df-list."
        ) from exc
    try:
        mtype(X, as_scitype="Panel")
        return convert_to(X, "df-list", as_scitype="Panel")
    except Exception as exc:  # sktime raises bare TypeError / ValueError / KeyError
        raise ValueError(
            f"from_sktime could not read X ({found}) as an sktime or aeon panel: {exc}. "
            "Expected numpy3D (n_samples, n_channels, n_timesteps), a nested_univ "
            "DataFrame, a pd-multiindex DataFrame indexed by (instance, time), a "
            "df-list or aeon's np-list."
        ) from exc


def _as_sklseq(
    sequences: Iterable[Any],
) -> NDArray[np.float64] | list[NDArray[np.float64]]:
    X3, lengths = check_sequences(list(sequences))
    if (lengths == X3.shape[1]).all():
        return _squeeze(X3)
    return [_squeeze_one(X3[i, :n]) for i, n in enumerate(lengths)]


def _squeeze(X3: NDArray[Any]) -> NDArray[Any]:
    return X3[:, :, 0] if X3.shape[2] == 1 else X3


def _squeeze_one(seq: NDArray[Any]) -> NDArray[Any]:
    return seq[:, 0] if seq.shape[1] == 1 else seq
