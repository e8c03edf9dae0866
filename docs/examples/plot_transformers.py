"""
Features from sequences in a scikit-learn pipeline
==================================================

Rolling statistics and spectral features turn each sequence into a row of
features that any scikit-learn model reads. Here two kinds of noisy waves
differ only in their frequency, and a ridge classifier tells them apart.
"""

# %%
# Two classes of noisy sine waves, 64 steps each: a 2D array is a panel of
# univariate sequences, one per row.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline, make_union

from sklseq.preprocessing import FFTFeatures, RollingStatistics

rng = np.random.default_rng(0)
t = np.arange(64)
X = np.concatenate([np.sin(t / 3) + rng.normal(0, 0.5, (60, 64)),
                    np.sin(t / 6) + rng.normal(0, 0.5, (60, 64))])
y = np.repeat(["fast", "slow"], 60)

# %%
# Rolling statistics of one sequence: with ``output="sequence"`` the transformer
# returns the statistic at every step (the default, ``"last"``, gives features).
rolling = RollingStatistics(windows=(8,), statistics=("mean", "std"), output="sequence")
smoothed = rolling.fit_transform(X[:1])
print("rolling output shape:", smoothed.shape)

fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
ax.plot(t, X[0], color="0.6", label="sequence")
ax.plot(t, smoothed[0, :, 0], label="rolling mean (8)")
ax.plot(t, smoothed[0, :, 1], label="rolling std (8)")
ax.set_xlabel("time step")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the axes, off the lines

# %%
# The feature union names every column, so the model can be inspected.
features = make_union(FFTFeatures(n_coefs=8), RollingStatistics(windows=(4, 16)))
model = make_pipeline(features, RidgeClassifier(alpha=1.0))
print("features:", features.fit(X).get_feature_names_out()[:6], "...")
scores = cross_val_score(model, X, y, cv=5)
print(f"5-fold accuracy: {scores.mean():.3f} (+/- {scores.std():.3f})")
