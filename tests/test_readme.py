"""The README's Python examples run, in order, and print what their comments say."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
EXPECTED = re.compile(r"^print\(.*\)\s+#\s*(.+)$")


def _expected_output(block):
    return [m.group(1).strip() for line in block.splitlines() if (m := EXPECTED.match(line))]


def test_readme_has_examples():
    assert len(BLOCKS) >= 5


@pytest.fixture(scope="module")
def namespace():
    return {}


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example(index, namespace):
    block = BLOCKS[index]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, f"README.md block {index}", "exec"), namespace)
    printed = [line.strip() for line in out.getvalue().splitlines()]
    assert printed == _expected_output(block)
