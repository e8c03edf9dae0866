"""Classification and sequence regression on real data: sklseq against sktime's baselines.

Three sections, each on the data sets' official train/test splits (all ship with
sktime):

1. **MiniRocket speed**: ``MiniRocketFeatures`` against sktime's ``MiniRocket`` /
   ``MiniRocketMultivariate`` (numba), each followed by the same
   ``RidgeClassifierCV``. *Cold*: the first fit + predict in a fresh process
   (sktime's compiled functions come from numba's on-disk cache when it has
   one; a first-ever run compiles them, which takes far longer); *warm*: the
   least of the next runs, the two libraries alternating in one process.
2. **Accuracy table**: test accuracy (RMSE for ``load_covid_3month``), fit and
   predict CPU time for sklseq's MiniRocket pipeline, sktime's MiniRocket,
   1-nearest-neighbour DTW (sktime's ``KNeighborsTimeSeriesClassifier``) and
   the new networks (``fcn``, ``resnet``, ``inception`` with per-sequence
   ``input_scaling="sequence"``), with their training accuracy.
3. **Long sequences**: peak resident memory of one training step (forward and
   backward) of each encoder on a batch of 32 rows of 1,500 steps, each in a
   fresh subprocess (``resource.getrusage`` max RSS).

CPU times are ``time.process_time`` with one thread everywhere (torch, numba,
BLAS); the machine is shared, so wall times would be noisier still.

    python -m benchmarks.bench_classification [--quick] [--sections speed table memory]
        [--datasets GunPoint ...] [--networks fcn resnet inception]
"""

import argparse
import os
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np

from benchmarks._util import machine_description, markdown_table, write_result

CLASSIFICATION = (
    ("GunPoint", "load_gunpoint"),
    ("ItalyPowerDemand", "load_italy_power_demand"),
    ("ArrowHead", "load_arrow_head"),
    ("OSULeaf", "load_osuleaf"),
    ("BasicMotions", "load_basic_motions"),
    ("JapaneseVowels", "load_japanese_vowels"),
)
REGRESSION = (("Covid3Month", "load_covid_3month"),)
SPEED_SETS = ("GunPoint", "ItalyPowerDemand", "BasicMotions")
NETWORKS = ("fcn", "resnet", "inception")
ALPHAS = np.logspace(-3, 3, 10)
LOADERS = dict(CLASSIFICATION + REGRESSION)
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}


def load(name, split):
    """Rows as a list of ``(n_timesteps, n_channels)`` arrays (sklseq), and labels."""
    import sktime.datasets

    loader = getattr(sktime.datasets, LOADERS[name])
    if name in dict(REGRESSION):
        X, y = loader(split=split)  # nested_univ, its only format
    else:
        X, y = loader(split=split, return_type="nested_univ")
    rows = [
        np.column_stack([X.iloc[i, j].to_numpy(dtype=float) for j in range(X.shape[1])])
        for i in range(len(X))
    ]
    y = np.asarray(y)
    return rows, (y.astype(float) if name in dict(REGRESSION) else y)


def as_sklseq(rows):
    """Equal-length rows as one ``(n, time, channels)`` array (as sktime gets one); else the list."""
    return rows if len({len(r) for r in rows}) > 1 else np.stack(rows)


def as_sktime(rows):
    """sktime's numpy3D ``(n, channels, time)``, or None for unequal lengths."""
    if len({len(r) for r in rows}) > 1:
        return None
    return np.stack([r.T for r in rows])


# --------------------------------------------------------------------------
# the models: fit(X, y) -> fitted, predict(fitted, X) -> predictions


class RocketPipeline:
    """A MiniRocket transform (sklseq's or sktime's) followed by a ridge model."""

    def __init__(self, library, regression=False):
        self.library = library
        self.regression = regression

    def _transform(self, n_channels):
        if self.library == "sklseq":
            from sklseq.preprocessing import MiniRocketFeatures

            return MiniRocketFeatures(random_state=0)
        from sktime.transformations.panel.rocket import MiniRocket, MiniRocketMultivariate

        cls = MiniRocket if n_channels == 1 else MiniRocketMultivariate
        return cls(random_state=0)

    def fit(self, X, y):
        from sklearn.linear_model import RidgeClassifierCV, RidgeCV

        n_channels = X[0].shape[1] if isinstance(X, list) else X.shape[1]
        self.transform_ = self._transform(n_channels)
        features = self.transform_.fit_transform(X)
        model = RidgeCV(alphas=ALPHAS) if self.regression else RidgeClassifierCV(alphas=ALPHAS)
        self.model_ = model.fit(features, y)
        return self

    def predict(self, X):
        return self.model_.predict(self.transform_.transform(X))


def network(architecture, quick, regression=False):
    from sklseq.neural import SequenceClassifier, SequenceRegressor

    cls = SequenceRegressor if regression else SequenceClassifier
    return cls(
        architecture=architecture,
        input_scaling="sequence",
        hidden_size=32,
        max_epochs=5 if quick else 30,
        lr=3e-3,
        batch_size=16,
        random_state=0,
    )


def dtw(regression=False):
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier
    from sktime.regression.distance_based import KNeighborsTimeSeriesRegressor

    cls = KNeighborsTimeSeriesRegressor if regression else KNeighborsTimeSeriesClassifier
    return cls(n_neighbors=1, distance="dtw")


def _score(y_true, y_pred, regression):
    if regression:
        return float(np.sqrt(np.mean((np.asarray(y_pred, dtype=float) - y_true) ** 2)))
    return float(np.mean(np.asarray(y_pred) == y_true))


def _timed(func, *args):
    start = time.process_time()
    out = func(*args)
    return out, time.process_time() - start


# --------------------------------------------------------------------------
# 1. MiniRocket speed


_COLD = """
import sys, time, warnings
warnings.filterwarnings("ignore")
from benchmarks.bench_classification import RocketPipeline, as_sklseq, as_sktime, load
name, library = sys.argv[1], sys.argv[2]
X_train, y_train = load(name, "train")
X_test, y_test = load(name, "test")
convert = as_sktime if library == "sktime" else as_sklseq
X_train, X_test = convert(X_train), convert(X_test)
start = time.process_time()
model = RocketPipeline(library).fit(X_train, y_train)
fit = time.process_time() - start
start = time.process_time()
accuracy = (model.predict(X_test) == y_test).mean()
print(fit, time.process_time() - start, accuracy)
"""


def _cold(name, library):
    env = dict(os.environ, **ONE_THREAD)
    result = subprocess.run(
        [sys.executable, "-c", _COLD, name, library],
        capture_output=True, text=True, env=env, check=True,
    )
    fit, predict, accuracy = map(float, result.stdout.split()[-3:])
    return fit, predict, accuracy


def speed_section(quick):
    rows = []
    for name in SPEED_SETS[:1] if quick else SPEED_SETS:
        X_train, y_train = load(name, "train")
        X_test, y_test = load(name, "test")
        data = {
            "sklseq": (as_sklseq(X_train), as_sklseq(X_test)),
            "sktime": (as_sktime(X_train), as_sktime(X_test)),
        }
        cold = {library: _cold(name, library) for library in ("sktime", "sklseq")}
        warm = {library: [np.inf, np.inf] for library in data}
        accuracy = {}
        for _ in range(1 if quick else 3):
            for library, (train, test) in data.items():
                model, fit = _timed(RocketPipeline(library).fit, train, y_train)
                predictions, predict = _timed(model.predict, test)
                warm[library] = [min(warm[library][0], fit), min(warm[library][1], predict)]
                accuracy[library] = _score(y_test, predictions, False)
        for library in ("sklseq", "sktime"):
            rows.append([
                name,
                f"{library} MiniRocket + ridge",
                f"{accuracy[library]:.3f}",
                f"{cold[library][0]:.2f} / {cold[library][1]:.2f}",
                f"{warm[library][0]:.2f} / {warm[library][1]:.2f}",
            ])
        ratio = [
            (cold["sktime"][0] + cold["sktime"][1]) / (cold["sklseq"][0] + cold["sklseq"][1]),
            sum(warm["sktime"]) / sum(warm["sklseq"]),
        ]
        rows.append([name, "speed-up of sklseq (fit + predict)", "",
                     f"{ratio[0]:.2f}x", f"{ratio[1]:.2f}x"])
    table = markdown_table(
        ["data", "model", "test accuracy", "cold fit / predict (CPU s)",
         "warm fit / predict (CPU s)"],
        rows,
    )
    return "### MiniRocket: sklseq (numpy) against sktime (numba)\n\n" + table


# --------------------------------------------------------------------------
# 2. accuracy table


def table_section(quick, datasets, networks):
    rows = []
    for name in datasets:
        regression = name in dict(REGRESSION)
        X_train, y_train = load(name, "train")
        X_test, y_test = load(name, "test")
        sktime_train, sktime_test = as_sktime(X_train), as_sktime(X_test)
        models = {
            "sklseq MiniRocketFeatures + ridge": (RocketPipeline("sklseq", regression), False),
            "sktime MiniRocket + ridge": (RocketPipeline("sktime", regression), True),
            "sktime 1NN-DTW": (dtw(regression), True),
        }
        for architecture in networks:
            models[f"sklseq {architecture} (scaled per sequence)"] = (
                network(architecture, quick, regression),
                False,
            )
        for label, (model, is_sktime) in models.items():
            train, test = (
                (sktime_train, sktime_test) if is_sktime else (as_sklseq(X_train), as_sklseq(X_test))
            )
            if train is None:
                rows.append([name, label, "n/a (unequal lengths)", "", "", ""])
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted, fit = _timed(model.fit, train, y_train)
                    predictions, predict = _timed(fitted.predict, test)
                    train_score = (
                        _score(y_train, fitted.predict(train), regression)
                        if label.startswith("sklseq") and "ridge" not in label
                        else None
                    )
            except Exception as exc:  # noqa: BLE001 - reported in the table
                rows.append([name, label, f"failed: {type(exc).__name__}: {exc}"[:80], "", "", ""])
                continue
            score = _score(y_test, predictions, regression)
            rows.append([
                name,
                label,
                f"{score:.3f}",
                "" if train_score is None else f"{train_score:.3f}",
                f"{fit:.1f}",
                f"{predict:.2f}",
            ])
            print(rows[-1], flush=True)
    table = markdown_table(
        ["data", "model", "test accuracy (RMSE)", "train accuracy", "fit CPU s",
         "predict CPU s"],
        rows,
    )
    return "### Test accuracy (covid: RMSE) and CPU time, official splits\n\n" + table


# --------------------------------------------------------------------------
# 3. long sequences


_MEMORY = """
import resource, sys, torch
torch.set_num_threads(1)
from sklseq.neural._modules import SequenceNetwork, build_encoder
architecture, dtype, patch = sys.argv[1], getattr(torch, sys.argv[2]), int(sys.argv[3])
n_rows, n_steps = 32, int(sys.argv[4])
torch.manual_seed(0)
if architecture == "transformer (torch nn.TransformerEncoder)":
    from torch import nn
    class Reference(nn.Module):
        # The encoder sklseq had before: nn.TransformerEncoder, key padding mask.
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(1, 64)
            layer = nn.TransformerEncoderLayer(64, 4, 128, 0.0, batch_first=True, norm_first=True)
            self.layers = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.output_size = 64
        def forward(self, x, lengths):
            mask = torch.arange(x.shape[1])[None] < lengths[:, None]
            return self.layers(self.proj(x), src_key_padding_mask=~mask), mask
    encoder = Reference()
else:
    kwargs = {"patch_size": patch} if patch > 1 else {}
    encoder = build_encoder(architecture, 1, hidden_size=64, **kwargs)
model = SequenceNetwork(encoder, 2).to(dtype)
x = torch.randn(n_rows, n_steps, 1, dtype=dtype)
lengths = torch.full((n_rows,), n_steps)
lengths[1::2] = n_steps // 2
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
loss = model(x, lengths).logsumexp(-1).mean()
loss.backward()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before * 1024, after * 1024)
"""

# (encoder, patch_size, dtypes): float64 is the estimators' training default.
MEMORY_CONFIGS = (
    ("transformer (torch nn.TransformerEncoder)", 1, ("float64",)),
    ("transformer", 1, ("float64",)),
    ("transformer", 8, ("float64",)),
    ("lstm", 1, ("float64",)),
    ("cnn", 1, ("float64",)),
    ("inception", 1, ("float64",)),
)


def memory_section(quick):
    n_steps = 300 if quick else 1500
    rows = []
    for architecture, patch, dtypes in MEMORY_CONFIGS[:3] if quick else MEMORY_CONFIGS:
        for dtype in dtypes:
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-c", _MEMORY, architecture, dtype, str(patch), str(n_steps)],
                capture_output=True, text=True, env=dict(os.environ, **ONE_THREAD),
            )
            seconds = time.perf_counter() - start
            label = architecture + (f", patch_size={patch}" if patch > 1 else "")
            if result.returncode:
                rows.append([label, dtype, "failed", result.stderr.strip().splitlines()[-1][:60], ""])
                continue
            before, after = map(int, result.stdout.split()[-2:])
            rows.append([label, dtype, f"{after / 1e9:.2f} GB",
                         f"{(after - before) / 1e9:.2f} GB", f"{seconds:.1f}"])
    table = markdown_table(
        ["encoder (hidden 64)", "dtype", "peak RSS", "of which the training step",
         "wall s (incl. start-up)"],
        rows,
    )
    return (
        f"### Long sequences: one training step on 32 rows of {n_steps} steps\n\n" + table
    )


# --------------------------------------------------------------------------


def run(quick, sections=("speed", "table", "memory"), datasets=None, networks=NETWORKS):
    import torch

    torch.set_num_threads(1)
    if datasets is None:
        names = [name for name, _ in CLASSIFICATION + REGRESSION]
        datasets = names[:2] if quick else names
    parts = ["## Classification and sequence regression on real data", "",
             machine_description(), ""]
    builders = {
        "speed": lambda: speed_section(quick),
        "table": lambda: table_section(quick, datasets, networks),
        "memory": lambda: memory_section(quick),
    }
    for section in sections:
        parts += [builders[section](), ""]
        print(parts[-2], flush=True)
    return "\n".join(parts)


def _main():
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__.split("\n\n")[0]))
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--sections", nargs="+", default=["speed", "table", "memory"])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--networks", nargs="*", default=list(NETWORKS))
    parser.add_argument("--output", default="classification", help="results file name")
    args = parser.parse_args()
    for key, value in ONE_THREAD.items():
        os.environ.setdefault(key, value)
    markdown = run(args.quick, args.sections, args.datasets, args.networks)
    print(f"\n(written to {write_result(args.output, markdown)})")


if __name__ == "__main__":
    _main()
