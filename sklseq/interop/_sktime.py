"""What sklseq shares with sktime: quiet construction of sktime estimators."""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["quiet_clone", "quiet_sktime", "sktime_kind"]

_REMEMBER_DATA = r"The default of config ``remember_data`` will change"


@contextmanager
def quiet_sktime() -> Iterator[None]:
    """Filter sktime's ``remember_data`` FutureWarning, and only it, inside the block.

    sktime 1.2 warns on every construction of a forecaster, and ``fit`` rebuilds
    the forecaster (``reset``) before its config is restored, so the warning
    comes on every fit whatever the config; sklseq adopts the new default
    (``remember_data=False``) on the estimators it makes and wraps its calls to
    sktime in this block, leaving the user's own warning filters as they are.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_REMEMBER_DATA, category=FutureWarning)
        yield


def quiet_clone(estimator: Any) -> Any:
    """A clone of an sktime estimator with ``remember_data=False``, built quietly."""
    with quiet_sktime():
        clone = estimator.clone()
    if "remember_data" in clone.get_config():
        clone.set_config(remember_data=False)
    return clone


def sktime_kind(estimator: Any, name: str = "sktime_estimator") -> str:
    """``"classifier"``, ``"regressor"`` or ``"forecaster"``, from sktime's object_type tag."""
    get_tag = getattr(estimator, "get_tag", None)
    kind = get_tag("object_type", None) if get_tag is not None else None
    if kind not in ("classifier", "regressor", "forecaster"):
        raise TypeError(
            f"{name} must be an sktime classifier, regressor or forecaster (an object whose "
            f"object_type tag is one of those); got {type(estimator).__name__} "
            f"(object_type={kind!r})."
        )
    return kind
