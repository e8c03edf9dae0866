"""Optional libraries: imported where they are needed, with the extra that installs them."""

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "import_optional"]

# The packages of each extra that sklseq's own code imports (pyproject.toml).
EXTRAS = {
    "stats": ("statsmodels",),
    "neural": ("torch", "skorch", "tqdm"),
    "text": ("rapidfuzz", "sacrebleu"),
    "fast": ("numba",),
}


def import_optional(name: str, extra: str) -> ModuleType:
    """Import the module ``name`` of the optional ``extra``, or say how to install it.

    Parameters
    ----------
    name : str
        Module to import, e.g. ``"rapidfuzz.distance"``.
    extra : str
        The sklseq extra that installs it, e.g. ``"text"``.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        Naming the ``pip install 'sklseq[extra]'`` command that installs ``name``.

    Examples
    --------
    >>> from sklseq.utils._optional import import_optional
    >>> import_optional("math", "text").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"{name.split('.')[0]} is not installed, and this part of sklseq needs it; "
            f"install it with: pip install 'sklseq[{extra}]'"
        ) from exc
