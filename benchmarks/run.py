"""Run every speed benchmark and write one markdown report (``make bench``).

The comparison of sklseq's models against sktime's baselines on real data is
the product command ``python -m sklseq report`` (``make report``), no longer a
benchmark here.

Each ``benchmarks/bench_<name>.py`` exposes ``run(quick) -> str`` returning its
markdown section (and writes ``benchmarks/results/<name>.md`` itself). This
runner calls them in order, in one process, and joins the sections into
``benchmarks/results/report.md``. A benchmark that fails is reported as failed
with its traceback, and the runner exits non-zero at the end, so one broken
benchmark neither hides the others nor passes silently.

    python -m benchmarks.run            # full sizes (about 8 minutes on 2 cores)
    python -m benchmarks.run --quick    # small sizes (about 3 minutes on 2 cores)
    python -m benchmarks.run --only ctc seq2seq
"""

import argparse
import importlib
import platform
import sys
import time
import traceback
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
BENCHMARKS = (
    "transformers",
    "statistical",
    "neural",
    "seq2seq",
    "ctc",
    "classification",  # MiniRocket speed and long-sequence memory; its grid is in make report
    "cuda",  # measures nothing on a machine without a CUDA device
)


def _machine():
    import os

    import sklearn
    import torch

    return (
        f"{platform.node()}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"torch {torch.__version__}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=BENCHMARKS)
    args = parser.parse_args(argv)

    RESULTS.mkdir(parents=True, exist_ok=True)
    mode = "quick" if args.quick else "full"
    sections = [
        "# sklseq speed benchmarks",
        f"Mode: {mode}. Machine: {_machine()}. "
        f"Command: `python -m benchmarks.run{' --quick' if args.quick else ''}`.",
    ]
    failed = []
    for name in args.only:
        print(f"== bench_{name} ({mode})", flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            section = module.run(quick=args.quick)
        except Exception:
            failed.append(name)
            section = f"## {name}\n\nFAILED:\n\n```\n{traceback.format_exc()}```"
        elapsed = time.perf_counter() - start
        sections.append(f"{section.strip()}\n\n_bench_{name}: {elapsed:.0f} s._")
        print(section, flush=True)

    report = RESULTS / "report.md"
    report.write_text("\n\n".join(sections) + "\n")
    print(f"\nReport written to {report}")
    if failed:
        print(f"Failed benchmarks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
