"""The documentation's tables read the test suite and the code as they are."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _conf_function(name):
    """One function of docs/conf.py, without running the Sphinx configuration."""
    tree = ast.parse((ROOT / "docs" / "conf.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    namespace = {"ast": ast}
    exec(compile(ast.Module(body=[node], type_ignores=[]), "docs/conf.py", "exec"), namespace)
    return namespace[name]


def test_expected_failures_page_reads_the_list_the_checks_use():
    from tests.test_common import EXPECTED_FAILURES

    read = _conf_function("expected_failures")(ROOT / "tests" / "test_common.py")
    assert read == EXPECTED_FAILURES
