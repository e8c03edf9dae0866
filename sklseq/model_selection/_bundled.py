"""Data for the comparison command: sktime's bundled sets, a user's long-format file, model presets."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["FORECASTING", "load_dataset", "model_presets", "read_long_format"]

# The panels shipped with sktime (sklseq.datasets.load_sktime's names): key -> (name, task).
# Classification and regression sets have a train / test split that the comparison
# pools and re-splits into folds.
_PANELS = {
    "gunpoint": ("GunPoint", "classification"),
    "italypowerdemand": ("ItalyPowerDemand", "classification"),
    "arrowhead": ("ArrowHead", "classification"),
    "osuleaf": ("OSULeaf", "classification"),
    "basicmotions": ("BasicMotions", "classification"),
    "japanesevowels": ("JapaneseVowels", "classification"),
    "acsf1": ("ACSF1", "classification"),
    "unittest": ("UnitTest", "classification"),
    "covid3month": ("Covid3Month", "regression"),
    "load_covid_3month": ("Covid3Month", "regression"),
    "tecator": ("Tecator", "regression"),
}
# name -> (loader, seasonal period or None, horizon): the forecasting series
FORECASTING = {
    "airline": ("load_airline", 12, 12),
    "lynx": ("load_lynx", None, 5),
    "shampoo": ("load_shampoo_sales", None, 3),
    "uschange": ("load_uschange", None, 4),
}
_ALIASES = {"shampoosales": "shampoo", "shampoo_sales": "shampoo", "covid_3month": "covid3month"}


def _key(name: str) -> str:
    key = str(name).lower().replace("-", "").replace(" ", "")
    return _ALIASES.get(key, key)


def load_dataset(name: str) -> dict[str, Any]:
    """A data set shipped with sktime, in sklseq's layout, with its task.

    Parameters
    ----------
    name : str
        A classification / regression set (``GunPoint``, ``JapaneseVowels``,
        ``Covid3Month``, ...) or a series (``airline``, ``lynx``, ``shampoo``,
        ``uschange``: its ``Consumption`` column); case-insensitive.

    Returns
    -------
    data : dict
        ``X`` (panel: 2D / 3D array, or a list for unequal lengths; series: a
        pandas Series), ``y`` (None for a series), ``task``, ``season``,
        ``horizon`` (series only).
    """
    key = _key(name)
    if key in FORECASTING:
        import sktime.datasets  # noqa: PLC0415

        loader, season, horizon = FORECASTING[key]
        series = getattr(sktime.datasets, loader)()
        if isinstance(series, tuple):  # uschange: (target, exogenous)
            series = series[0]
        return {"X": series.astype(float), "y": None, "task": "forecasting", "season": season,
                "horizon": horizon}
    if key not in _PANELS:
        known = sorted({"GunPoint", "ItalyPowerDemand", "ArrowHead", "OSULeaf", "BasicMotions",
                        "JapaneseVowels", "ACSF1", "UnitTest", "Covid3Month", "Tecator",
                        *FORECASTING})
        raise ValueError(f"unknown data set {name!r}; choose among {known} or pass --data FILE.")
    panel, task = _PANELS[key]
    X, y = _load_panel(panel)
    if task == "regression":
        y = y.astype(float)
    return {"X": X, "y": y, "task": task, "season": None, "horizon": None}


def _load_panel(name: str) -> tuple[Any, NDArray[Any]]:
    """Train and test of the sktime panel ``name``, pooled."""
    from ..datasets import load_sktime  # noqa: PLC0415

    parts = [load_sktime(name, split=split) for split in ("train", "test")]
    X = _concat([p[0] for p in parts])
    return X, np.concatenate([np.asarray(p[1]) for p in parts])


def _concat(parts: list[Any]) -> Any:
    if all(isinstance(p, np.ndarray) for p in parts) and len({p.shape[1:] for p in parts}) == 1:
        return np.concatenate(parts)
    return [row for part in parts for row in part]


def _as_panel(rows: list[NDArray[Any]]) -> Any:
    """Equal lengths: a 2D (univariate) or 3D array; otherwise the list of (n_timesteps, n_channels)."""
    if len({row.shape for row in rows}) == 1:
        panel = np.stack(rows)
        return panel[:, :, 0] if panel.shape[2] == 1 else panel
    return [row[:, 0] if row.shape[1] == 1 else row for row in rows]


def read_long_format(
    path: str | Path,
    *,
    id_column: str = "series_id",
    time_column: str = "time",
    value_columns: Sequence[str] = ("value",),
    label_column: str | None = "label",
) -> dict[str, Any]:
    """Read a CSV or parquet file in long format: one row per (series, time step).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` or ``.parquet``.
    id_column, time_column : str
        Columns naming the series and ordering its steps (required).
    value_columns : sequence of str, default=("value",)
        The channels (required).
    label_column : str, default="label"
        Optional: one label (or target) per series; its presence makes the task
        classification or regression, its absence forecasting.

    Returns
    -------
    data : dict
        ``X``: a panel (labelled) or a dict ``{series id: pandas Series}``
        (forecasting); ``y``: labels or None; ``ids``.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"--data file {str(path)!r} does not exist.")
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix.lower() in (".csv", ".txt"):
        frame = pd.read_csv(path)
    else:
        raise ValueError(f"--data must be a .csv or .parquet file; got {path.name!r}.")
    required = [id_column, time_column, *value_columns]
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{path.name} lacks the required column(s) {missing}; found {list(frame.columns)}. "
            "Long format needs one row per (series, time step): "
            f"{id_column}, {time_column}, {', '.join(value_columns)} (and optionally {label_column})."
        )
    if frame[list(value_columns)].isna().to_numpy().any():
        row = int(np.flatnonzero(frame[list(value_columns)].isna().any(axis=1).to_numpy())[0])
        raise ValueError(f"{path.name} has a missing value at row {row}; impute or drop it first.")
    try:
        frame[time_column] = pd.to_datetime(frame[time_column])
    except (ValueError, TypeError):
        pass  # integer or other orderable steps stay as they are
    frame = frame.sort_values([id_column, time_column], kind="stable")
    groups = frame.groupby(id_column, sort=False)
    ids = list(groups.groups)
    if label_column in frame.columns:
        labels = groups[label_column].nunique()
        if (labels > 1).any():
            bad = labels[labels > 1].index[0]
            raise ValueError(f"series {bad!r} has more than one {label_column}; one per series.")
        rows = [group[list(value_columns)].to_numpy(dtype=float) for _, group in groups]
        y = groups[label_column].first().to_numpy()
        return {"X": _as_panel(rows), "y": y, "ids": ids}
    if len(value_columns) != 1:
        raise ValueError("forecasting reads one value column; give one with --value-column.")
    series = {
        series_id: pd.Series(group[value_columns[0]].to_numpy(dtype=float),
                             index=pd.Index(group[time_column]), name=str(series_id))
        for series_id, group in groups
    }
    return {"X": series, "y": None, "ids": ids}


def model_presets(
    task: str,
    *,
    season: int | None = None,
    horizon: int = 1,
    quick: bool = False,
    max_length: int | None = None,
    names: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Sklseq's models for the comparison command, tuned on the training folds only.

    Parameters
    ----------
    task : {"classification", "regression", "forecasting"}
    season : int or None
    horizon : int
    quick : bool
        Smaller grids; the names say so.
    max_length : int or None
        Longest sequence (sets the FFT length so every sequence fits).
    names : list of str or None
        Preset keys to keep (``minirocket``, ``fft-ridge``, ``network``; ``ets``,
        ``theta``, ``arima``, ``ridge``, ``seasonal-naive``); None keeps the
        default ones.

    Returns
    -------
    models : dict of str to estimator
    """
    from sklearn.base import clone  # noqa: PLC0415
    from sklearn.linear_model import RidgeClassifierCV, RidgeCV  # noqa: PLC0415
    from sklearn.model_selection import GridSearchCV  # noqa: PLC0415
    from sklearn.pipeline import make_pipeline  # noqa: PLC0415
    from sklearn.preprocessing import StandardScaler  # noqa: PLC0415

    from ._split import ExpandingWindowSplitter  # noqa: PLC0415

    alphas = np.logspace(-3, 3, 7)
    presets, defaults = {}, []
    if task in ("classification", "regression"):
        from ..preprocessing import FFTFeatures, MiniRocketFeatures  # noqa: PLC0415

        head = RidgeClassifierCV(alphas=alphas) if task == "classification" else RidgeCV(alphas=alphas)
        # Dempster et al.'s set-up: about 10,000 features, standardised, ridge with CV'd alpha.
        presets["minirocket"] = (
            "sklseq MiniRocket + ridge",
            make_pipeline(MiniRocketFeatures(random_state=0), StandardScaler(), clone(head)),
        )
        n_fft = int(max_length) if max_length else None
        grid = {"fftfeatures__n_coefs": [8, 32] if quick else [8, 16, 32, 64]}
        presets["fft-ridge"] = (
            f"sklseq FFT + ridge (tuned{', quick grid' if quick else ''})",
            GridSearchCV(make_pipeline(FFTFeatures(features=["magnitude", "phase"], n_fft=n_fft),
                                       StandardScaler(), head), grid, cv=3),
        )
        from ..neural import SequenceClassifier, SequenceRegressor  # noqa: PLC0415

        network = SequenceClassifier if task == "classification" else SequenceRegressor
        default_architecture = network().architecture
        presets["network"] = (
            f"sklseq {default_architecture} network "
            + ("(5 epochs, quick)" if quick else "(defaults)"),
            network(max_epochs=5) if quick else network(),
        )
        defaults = ["minirocket", "fft-ridge"]
    elif task == "forecasting":
        from sklearn.linear_model import Ridge  # noqa: PLC0415

        from ..forecasting import DirectRegressor  # noqa: PLC0415
        from ..statistical import (  # noqa: PLC0415
            ARIMARegressor,
            ExponentialSmoothingRegressor,
            SeasonalNaiveRegressor,
            ThetaRegressor,
        )

        presets["ets"] = ("sklseq ETS (form by AICc)", ExponentialSmoothingRegressor(
            seasonal_period=season))
        presets["theta"] = ("sklseq Theta (auto)", ThetaRegressor(
            model="auto", seasonal_period=season))
        presets["arima"] = (f"sklseq ARIMA (order by AICc{', quick max order' if quick else ''})", ARIMARegressor(
            order="auto", seasonal_order="auto" if season else (0, 0, 0, 0),
            seasonal_period=season, max_order=(2, 1, 2) if quick else (3, 2, 3)))
        inner = ExpandingWindowSplitter(horizon=1, step=max(1, horizon), gap=horizon - 1,
                                        n_splits=3)
        presets["ridge"] = (f"sklseq ridge on windows (tuned{', quick grid' if quick else ''})", GridSearchCV(
            DirectRegressor(Ridge()), {"estimator__alpha": [0.1, 10.0] if quick else
                                       [0.01, 0.1, 1.0, 10.0, 100.0]}, cv=inner))
        presets["seasonal-naive"] = ("sklseq seasonal naive", SeasonalNaiveRegressor(
            seasonal_period=season or 1))
        defaults = ["ets", "theta", "arima", "ridge"]
    else:
        raise ValueError(f"task must be classification, regression or forecasting; got {task!r}.")
    keys = defaults if names is None else list(names)
    unknown = [key for key in keys if key not in presets]
    if unknown:
        raise ValueError(f"unknown --models {unknown} for {task}; choose among {sorted(presets)}.")
    return dict(presets[key] for key in keys)
