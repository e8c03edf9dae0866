"""Neural estimators on a CUDA device: speed against bare PyTorch, agreement with the CPU.

Needs a CUDA device; on a machine without one it reports that and measures nothing.

1. The LSTM throughput table of ``bench_neural`` with ``device="cuda"`` on
   both sides (the bare loop keeps its data on the device too), at a size
   where the device is busy: 8,192 samples (``--quick``: 2,048).
2. Every architecture of ``SequenceClassifier`` fit with the same
   ``random_state`` on the CPU and on the device (dropout 0, so no random
   numbers are drawn on the device): held-out accuracy of each, the largest
   difference of their predicted probabilities, and the largest difference
   between two fits on the device (0 means bit-for-bit reproducible there).

    python -m benchmarks.bench_cuda --quick   # < 1 minute on a GPU machine
    python -m benchmarks.bench_cuda
"""

import sys
import time

import numpy as np
import torch

from benchmarks._util import machine_description, main, markdown_table
from benchmarks.bench_neural import ARCHITECTURES, _speed, _speed_data
from sklseq.neural import SequenceClassifier


def _agreement(quick):
    n_train, n_test = (512, 256) if quick else (2048, 1024)
    X, y = _speed_data(n_train + n_test)
    X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    rows = []
    for architecture in ARCHITECTURES:
        params = {"architecture": architecture, "max_epochs": 5, "random_state": 0}
        fits = {}
        for device in ("cpu", "cuda", "cuda"):
            start = time.perf_counter()
            clf = SequenceClassifier(device=device, **params).fit(X_train, y_train)
            proba = clf.predict_proba(X_test)
            seconds = time.perf_counter() - start
            fits.setdefault(device, []).append((proba, clf.score(X_test, y_test), seconds))
        (cpu, cpu_score, cpu_seconds), = fits["cpu"]
        (gpu, gpu_score, gpu_seconds), (again, _, _) = fits["cuda"]
        print(f"{architecture}: CPU {cpu_seconds:.1f} s, CUDA {gpu_seconds:.1f} s",
              file=sys.stderr, flush=True)  # progress
        rows.append([
            architecture,
            f"{cpu_score:.3f}",
            f"{gpu_score:.3f}",
            f"{np.abs(gpu - cpu).max():.1e}",
            f"{np.abs(again - gpu).max():.1e}",
            f"{cpu_seconds:.1f} s",
            f"{gpu_seconds:.1f} s",
        ])
    title = (
        f"### Every architecture on the CPU and on CUDA: {n_train} training and {n_test} "
        "held-out sequences of 128 steps, defaults with max_epochs=5, random_state=0"
    )
    table = markdown_table(
        ["architecture", "accuracy, CPU", "accuracy, CUDA", "proba, CUDA vs CPU (max diff)",
         "proba, CUDA vs CUDA again (max diff)", "fit + predict, CPU", "fit + predict, CUDA"],
        rows,
    )
    return title + "\n\n" + table


def run(quick: bool) -> str:
    header = "## Neural estimators on CUDA"
    if not torch.cuda.is_available():
        return header + "\n\nNo CUDA device on this machine: nothing measured.\n"
    torch.set_num_threads(1)
    sections = [
        header,
        f"Machine: {machine_description()}; device {torch.cuda.get_device_name()}, "
        f"torch {torch.__version__}; torch on 1 CPU thread.",
        _speed(quick, device="cuda", n_samples=2048 if quick else 8192),
        _agreement(quick),
    ]
    return "\n\n".join(sections) + "\n"


if __name__ == "__main__":
    main(run, "cuda", description=__doc__.splitlines()[0])
