"""Each Python block of the README runs on its own and prints the output shown under it.

Every ```python block is followed by a ```text block with its exact output. Each
block runs in a fresh interpreter (its own imports and data, nothing shared), with
one BLAS / torch thread as in `make test`. After a change that moves a printed
number, regenerate the outputs and read the diff before committing:

    python tests/test_readme.py --update
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE = re.compile(r"```python\n(?P<code>.*?)```\n(?:\n*```text\n(?P<output>.*?)```\n)?", re.DOTALL)


def examples(text):
    return [(m.group("code"), m.group("output")) for m in EXAMPLE.finditer(text)]


def run_block(code):
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"README block failed:\n{code}\n{result.stderr[-3000:]}"
    return "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"


BLOCKS = examples(README.read_text())


def test_readme_has_examples_with_outputs():
    assert len(BLOCKS) >= 6
    missing = [code.splitlines()[0] for code, output in BLOCKS if output is None]
    assert not missing, f"Python blocks without a ```text output block under them: {missing}"


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block(index):
    code, expected = BLOCKS[index]
    assert run_block(code) == expected


def _update():
    text = README.read_text()

    def replace(match):
        code = match.group("code")
        print(f"running: {code.splitlines()[0]}", file=sys.stderr)
        return f"```python\n{code}```\n\n```text\n{run_block(code)}```\n"

    README.write_text(EXAMPLE.sub(replace, text))


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_readme.py --update")
    _update()
