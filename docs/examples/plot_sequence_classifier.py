"""
A recurrent classifier on variable-length sequences
===================================================

:class:`~sklseq.neural.SequenceClassifier` reads a list of sequences of
different lengths as it is: no padding by hand, and the padding sklseq adds
inside never changes a prediction (the GRU runs on packed sequences). The
classes differ by the direction of a drift hidden in noise.
"""

# %%
import numpy as np
import torch

from sklseq.neural import SequenceClassifier
from sklseq.plotting import plot_learning_curve

torch.set_num_threads(1)
rng = np.random.default_rng(0)


def make_panel(n):
    labels = rng.choice(["up", "down"], size=n)
    sequences = []
    for label in labels:
        steps = rng.integers(10, 30)
        drift = 0.15 if label == "up" else -0.15
        walk = np.cumsum(drift + rng.normal(0, 0.3, size=steps))
        sequences.append(np.column_stack([walk, rng.normal(size=steps)]))  # 2 channels
    return sequences, labels


X_train, y_train = make_panel(120)
X_test, y_test = make_panel(60)
print("lengths of the first sequences:", [len(s) for s in X_train[:5]])

clf = SequenceClassifier("gru", hidden_size=16, max_epochs=25, lr=0.01,
                         validation_fraction=0.2, random_state=0)
clf.fit(X_train, y_train)
print("test accuracy:", clf.score(X_test, y_test))
print("predicted:", clf.predict(X_test[:6]), "true:", y_test[:6])

# %%
# ``history_`` is skorch's per-epoch record: the training loss and the loss on
# the held-out last 20% of the training sequences.
# :func:`sklseq.plotting.plot_learning_curve` draws both and marks the epoch of
# the best validation loss.
ax = plot_learning_curve(clf)
ax.set_ylabel("cross-entropy")
