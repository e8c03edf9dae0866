"""Small data sets that several test modules build the same way."""

import numpy as np


def ragged_binary(n=24, seed=0, channels=2):
    """``n`` ragged sequences of 3 to 11 steps, labelled by the sign of channel 0's sum."""
    rng = np.random.RandomState(seed)
    X = [rng.normal(size=(rng.randint(3, 12), channels)) for _ in range(n)]
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    return X, y


def pulses(n_samples, seed):
    """Label sequences over "abc" shown as 3-step pulses on channel a, b or c, with gaps."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for _ in range(n_samples):
        labels = rng.integers(0, 3, size=rng.integers(1, 4))
        steps = []
        for label in labels:
            steps += [np.zeros(3)] * int(rng.integers(1, 3))
            steps += [np.eye(3)[label]] * 3
        steps += [np.zeros(3)] * int(rng.integers(1, 3))
        X.append(np.array(steps) + rng.normal(scale=0.05, size=(len(steps), 3)))
        y.append("".join("abc"[k] for k in labels))
    return X, y
