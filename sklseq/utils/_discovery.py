"""Find every public estimator of sklseq, so the common checks reach new ones."""

import importlib
import inspect
import pkgutil
from typing import Literal

from sklearn.base import BaseEstimator

__all__ = ["all_estimators"]

_PRIVATE_PARTS = ("tests", "_modules")


def all_estimators(
    type_filter: Literal["classifier", "regressor", "transformer"] | None = None,
) -> list[tuple[str, type[BaseEstimator]]]:
    """Public estimators of sklseq, as ``(name, class)`` pairs sorted by name.

    Walks every public subpackage and collects the classes listed in its
    ``__all__`` that derive from :class:`sklearn.base.BaseEstimator`.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer"} or None, default=None
        Keep only estimators of that kind (by sklearn's mixins).

    Returns
    -------
    estimators : list of (str, type)

    Examples
    --------
    >>> from sklseq.utils import all_estimators
    >>> names = [name for name, _ in all_estimators(type_filter="transformer")]
    """
    import sklseq

    found: dict[str, type[BaseEstimator]] = {}
    for info in pkgutil.walk_packages(sklseq.__path__, prefix="sklseq."):
        parts = info.name.split(".")
        if not info.ispkg or any(p.startswith("_") or p in _PRIVATE_PARTS for p in parts):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
            ):
                found[name] = obj
    estimators = sorted(found.items())
    if type_filter is not None:
        estimators = [(n, c) for n, c in estimators if _is_kind(c, type_filter)]
    return estimators


def _is_kind(cls: type[BaseEstimator], kind: str) -> bool:
    if kind == "transformer":
        return hasattr(cls, "transform")
    try:
        tags = cls().__sklearn_tags__()
    except TypeError:
        return False
    return tags.estimator_type == kind
