"""Each subpackage imports with only its own extra installed, or names the extra it needs.

The imports run in a fresh interpreter whose only meta-path finder refuses the
packages of the other extras, as if they were not installed.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from sklseq.utils._optional import EXTRAS

# The extra each subpackage is built on (None: core dependencies only).
SUBPACKAGES = {
    "sklseq": None,
    "sklseq.datasets": None,
    "sklseq.decoding": "neural",
    "sklseq.forecasting": None,
    "sklseq.metrics": "text",
    "sklseq.neural": "neural",
    "sklseq.preprocessing": "fast",
    "sklseq.statistical": "stats",
    "sklseq.utils": None,
}
OTHER_LIBRARIES = ("sktime", "statsforecast", "matplotlib", "pygtrie", "hypothesis")

_SCRIPT = """
import importlib, importlib.abc, json, sys

BLOCKED = set({blocked!r})

class Refuse(importlib.abc.MetaPathFinder):
    # The only finder: it refuses the blocked packages (as if not installed) and asks
    # the usual finders about everything else.
    def __init__(self, finders):
        self.finders = finders

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            return None
        for finder in self.finders:
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                return spec
        return None

sys.meta_path[:] = [Refuse(list(sys.meta_path))]
results = {{}}
for module in {modules!r}:
    try:
        importlib.import_module(module)
    except ImportError as exc:
        results[module] = "ImportError: " + str(exc)
    else:
        results[module] = "ok"
print(json.dumps(results))
"""


def _import_with_only(extra, modules):
    """Import ``modules`` where only the core dependencies and ``extra`` are installed."""
    blocked = {
        package for name, packages in EXTRAS.items() if name != extra for package in packages
    } | set(OTHER_LIBRARIES)
    script = _SCRIPT.format(blocked=sorted(blocked), modules=modules)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("extra", sorted({e for e in SUBPACKAGES.values() if e}))
def test_subpackages_import_with_only_their_extra(extra):
    modules = sorted(m for m, e in SUBPACKAGES.items() if e in (None, extra))
    assert _import_with_only(extra, modules) == {m: "ok" for m in modules}


def test_without_extras_a_subpackage_imports_or_names_its_extra():
    results = _import_with_only(None, sorted(SUBPACKAGES))
    for module, outcome in results.items():
        extra = SUBPACKAGES[module]
        assert outcome == "ok" or (
            extra is not None and f"pip install 'sklseq[{extra}]'" in outcome
        ), (module, outcome)
    assert results["sklseq"] == results["sklseq.utils"] == "ok"
    assert results["sklseq.neural"].startswith("ImportError: torch is not installed")
