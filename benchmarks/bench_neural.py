"""Neural estimators: speed against a bare PyTorch loop, accuracy of every architecture.

1. Throughput of a 1-layer LSTM (hidden 64, length 128, batch 64) on the same
   data in this process: ``SequenceClassifier.fit`` / ``predict`` against a bare
   PyTorch loop doing the same work (same model: LSTM, last-step and mean
   pooling, linear head; Adam, cross-entropy, gradient-norm clipping at 1.0;
   shuffled mini-batches). Target: sklseq at least 0.9x the bare samples per
   second. sklseq predicts in float32 by default, in fixed-size batches padded
   to a width set by each row's own length (so a row's prediction does not
   depend on the other rows, SPEC section 5); the bare loop predicts in float32
   in batches of 512. A float64 row (``inference_dtype="float64"`` against a
   float64 bare loop) separates the wrapper's cost from the dtype's.
   *Ragged fit*: rows of 16 to 256 steps (uniform); sklseq (packed LSTM,
   batches bucketed by length) against a bare loop that pads every row to the
   longest one and masks the pooling (target: at least 1.0x).
   Timings are the best of a few runs after one warm-up run, the competitors'
   runs alternating (the machine is shared, so load shifts over time); torch
   on one thread.
2. Peak memory of one training step of the transformer encoder (hidden 64,
   float32) on 32 rows of 1,500 steps, with and without ``patch_size``, each
   in a fresh process (``benchmarks.bench_classification``'s measure).
3. Test accuracy of ``SequenceClassifier`` with default parameters (only
   ``architecture`` and ``random_state`` set) on GunPoint, ItalyPowerDemand and
   BasicMotions (sktime's shipped train / test splits).

    python -m benchmarks.bench_neural --quick   # small sizes, lstm and cnn, 20 epochs
    python -m benchmarks.bench_neural           # several minutes: every architecture, defaults
"""

import copy
import time

import numpy as np
import torch
from torch import nn

from benchmarks._util import (
    alternating_times,
    format_ratio,
    machine_description,
    main,
    markdown_table,
)
from sklseq.neural import SequenceClassifier
from sklseq.neural._modules import ARCHITECTURES

HIDDEN, LENGTH, BATCH = 64, 128, 64


def _speed_data(n_samples):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, LENGTH, 1)).cumsum(axis=1) / np.sqrt(LENGTH)
    y = (X[:, -16:, 0].mean(axis=1) > X[:, :16, 0].mean(axis=1)).astype(np.int64)
    return X, y


class _BareLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, HIDDEN, batch_first=True)
        self.head = nn.Linear(2 * HIDDEN, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(torch.cat([out[:, -1], out.mean(dim=1)], dim=1))


def _bare_fit(X, y, epochs, device="cpu"):
    torch.manual_seed(0)
    model = _BareLSTM().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    X = torch.as_tensor(((X - X.mean()) / X.std()).astype(np.float32), device=device)
    y = torch.as_tensor(y, device=device)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), device=device)
        for start in range(0, len(X), BATCH):
            idx = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    loss.item()  # waits for the device, as sklseq's per-batch loss record does
    return model


def _bare_predict(model, X, dtype=np.float32):
    model.eval()
    device = next(model.parameters()).device
    X = torch.as_tensor(((X - X.mean()) / X.std()).astype(dtype), device=device)
    with torch.no_grad():
        logits = torch.cat([model(X[s : s + 512]) for s in range(0, len(X), 512)])
    return logits.argmax(1).cpu().numpy()  # sklseq returns numpy labels too


class _BarePaddedLSTM(_BareLSTM):
    def forward(self, x, lengths):
        out, _ = self.lstm(x)
        mask = (torch.arange(x.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1)
        last = out[torch.arange(len(x)), lengths - 1]
        mean = (out * mask).sum(dim=1) / lengths[:, None]
        return self.head(torch.cat([last, mean], dim=1))


def _ragged_data(n_samples):
    rng = np.random.RandomState(0)
    rows = [rng.normal(size=(rng.randint(16, 257), 1)).cumsum(axis=0) / 8 for _ in range(n_samples)]
    y = np.array([int(r[-8:].mean() > r[:8].mean()) for r in rows])
    return rows, y


def _bare_padded_fit(rows, y, epochs):
    torch.manual_seed(0)
    model = _BarePaddedLSTM()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    lengths = torch.as_tensor([len(r) for r in rows])
    X = torch.zeros(len(rows), int(lengths.max()), 1)
    for i, r in enumerate(rows):
        X[i, : len(r)] = torch.as_tensor(r, dtype=torch.float32)
    y = torch.as_tensor(y)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), BATCH):
            idx = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx], lengths[idx]), y[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    loss.item()
    return model


def _speed(quick, device="cpu", n_samples=None):
    """The LSTM throughput table on ``device``; ``n_samples`` overrides the size."""
    n_default, epochs, repeat = (512, 2, 3) if quick else (2048, 3, 5)
    n_samples = n_samples or n_default
    X, y = _speed_data(n_samples)
    clf = SequenceClassifier(
        "lstm", hidden_size=HIDDEN, batch_size=BATCH, max_epochs=epochs, random_state=0,
        device=device,
    )
    t_bare_fit, t_fit = alternating_times(
        [lambda: _bare_fit(X, y, epochs, device), lambda: clf.fit(X, y)], repeat,
        time.perf_counter,
    )
    model = _bare_fit(X, y, 1, device)
    model64 = copy.deepcopy(model).double()
    slow = copy.deepcopy(clf).set_params(inference_dtype="float64")
    t_bare_predict, t_bare_predict64, t_predict, t_predict64 = alternating_times(
        [
            lambda: _bare_predict(model, X),
            lambda: _bare_predict(model64, X, np.float64),
            lambda: clf.predict(X),
            lambda: slow.predict(X),
        ],
        2 * repeat,
        time.perf_counter,
    )
    fit_rate = n_samples * epochs / t_fit
    bare_fit_rate = n_samples * epochs / t_bare_fit
    rows = [
        ["fit (samples x epochs / s)", f"{bare_fit_rate:,.0f}", f"{fit_rate:,.0f}",
         format_ratio(fit_rate / bare_fit_rate)],
        ["predict, default float32 (samples / s)", f"{n_samples / t_bare_predict:,.0f}",
         f"{n_samples / t_predict:,.0f}", format_ratio(t_bare_predict / t_predict)],
        ['predict, inference_dtype="float64" vs bare float64 (samples / s)',
         f"{n_samples / t_bare_predict64:,.0f}", f"{n_samples / t_predict64:,.0f}",
         format_ratio(t_bare_predict64 / t_predict64)],
    ]
    if device == "cpu":
        rows.append(_ragged_row(n_samples // 2, epochs, repeat))
    title = (
        f"### LSTM throughput on {device}: 1 layer, hidden {HIDDEN}, length {LENGTH}, "
        f"batch {BATCH}, {n_samples} samples, {epochs} epochs (target: sklseq >= 0.9x bare)"
    )
    table = markdown_table(["", "bare PyTorch", "sklseq", "sklseq / bare"], rows)
    return title + "\n\n" + table


def _ragged_row(n_samples, epochs, repeat):
    rows, y = _ragged_data(n_samples)
    clf = SequenceClassifier(
        "lstm", hidden_size=HIDDEN, batch_size=BATCH, max_epochs=epochs, random_state=0
    )
    t_bare, t_fit = alternating_times(
        [lambda: _bare_padded_fit(rows, y, epochs), lambda: clf.fit(rows, y)], repeat,
        time.perf_counter,
    )
    return [
        f"ragged fit, 16-256 steps, {n_samples} rows (samples x epochs / s; bare: padded)",
        f"{n_samples * epochs / t_bare:,.0f}", f"{n_samples * epochs / t_fit:,.0f}",
        format_ratio(t_bare / t_fit),
    ]


def _transformer_memory(quick):
    import os
    import subprocess
    import sys

    from benchmarks.bench_classification import _MEMORY, ONE_THREAD

    n_steps = 300 if quick else 1500
    rows = []
    for patch in (1, 8):
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY, "transformer", "float32", str(patch), str(n_steps)],
            capture_output=True, text=True, env=dict(os.environ, **ONE_THREAD),
        )
        if result.returncode:
            rows.append([str(patch), "failed", result.stderr.strip().splitlines()[-1][:60]])
            continue
        before, after = map(int, result.stdout.split()[-2:])
        rows.append([str(patch), f"{after / 1e9:.2f} GB", f"{(after - before) / 1e9:.2f} GB"])
    title = (
        f"### Transformer (hidden 64, float32): one training step on 32 rows of {n_steps} steps"
    )
    return title + "\n\n" + markdown_table(
        ["patch_size", "peak RSS", "of which the training step"], rows
    )


def _load(name):
    from sktime import datasets

    loader = {
        "GunPoint": datasets.load_gunpoint,
        "ItalyPowerDemand": datasets.load_italy_power_demand,
        "BasicMotions": datasets.load_basic_motions,
    }[name]
    X_train, y_train = loader(split="train", return_type="numpy3D")
    X_test, y_test = loader(split="test", return_type="numpy3D")
    return X_train.transpose(0, 2, 1), y_train, X_test.transpose(0, 2, 1), y_test


def _accuracy(quick):
    datasets = ("GunPoint", "ItalyPowerDemand", "BasicMotions")
    architectures = ("lstm", "cnn") if quick else ARCHITECTURES
    extra = {"max_epochs": 20} if quick else {}
    data = {name: _load(name) for name in datasets}
    rows = []
    for architecture in architectures:
        row, seconds = [architecture], 0.0
        for name in datasets:
            X_train, y_train, X_test, y_test = data[name]
            start = time.perf_counter()
            clf = SequenceClassifier(architecture, random_state=0, **extra)
            clf.fit(X_train, y_train)
            row.append(f"{clf.score(X_test, y_test):.3f}")
            seconds += time.perf_counter() - start
        row.append(f"{seconds:.1f} s")
        rows.append(row)
    setting = "max_epochs=20 (quick)" if quick else "default parameters"
    title = f"### Test accuracy, SequenceClassifier with {setting}, random_state=0"
    return title + "\n\n" + markdown_table(["architecture", *datasets, "fit + score time"], rows)


def run(quick: bool) -> str:
    torch.set_num_threads(1)
    sections = [
        "## Neural estimators",
        f"Machine: {machine_description()}; torch on 1 thread.",
        _speed(quick),
        _transformer_memory(quick),
        _accuracy(quick),
    ]
    return "\n\n".join(sections) + "\n"


if __name__ == "__main__":
    main(run, "neural", description=__doc__.splitlines()[0])
