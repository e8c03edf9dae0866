"""
CTC: reading handwritten digit strings
======================================

:func:`~sklseq.datasets.make_digit_strings` writes strings of real handwritten
digits (scikit-learn's ``load_digits`` images, side by side) and reads them
column by column: 8 features per time step, no marks where one digit ends. A
bidirectional LSTM trained with the CTC loss learns to transcribe them; test
strings are written with images it never saw.
"""

# %%
import matplotlib.pyplot as plt
import torch

from sklseq.datasets import make_digit_strings
from sklseq.metrics import character_error_rate
from sklseq.neural import CTCTranscriber
from sklseq.plotting import plot_ctc_posteriors

torch.set_num_threads(1)
X_train, y_train = make_digit_strings(400, max_digits=4, random_state=0)
X_test, y_test = make_digit_strings(100, max_digits=4, subset="test", random_state=1)

ctc = CTCTranscriber("lstm", bidirectional=True, hidden_size=32, lr=0.01, max_epochs=12,
                     random_state=0)
ctc.fit(X_train, y_train)
y_pred = ctc.predict(X_test)
print("character error rate on unseen images:", round(character_error_rate(y_test, y_pred), 3))
for truth, pred in zip(y_test[:5], y_pred[:5]):
    print(f"true {truth:>5}  predicted {pred:>5}")

# %%
# The input of one test string and the network's frame posteriors: each label
# fires as a spike on one or two steps, the blank everywhere else. The spikes
# need not sit under their digit (a bidirectional network sees the whole string
# and may emit early); CTC only asks for the right order. Greedy decoding takes
# the best label per step, merges repeats and drops blanks.
# :func:`sklseq.plotting.plot_ctc_posteriors` draws the posteriors with the
# greedy path (dots) and the labels it emits.
sample = 0
steps = len(X_test[sample])
fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5), sharex=True, layout="constrained")
ink = top.imshow(X_test[sample].T, cmap="gray_r", aspect="auto",
                 extent=(-0.5, steps - 0.5, 7.5, -0.5))
fig.colorbar(ink, ax=top, label="ink")
top.set_title(f"input (true {y_test[sample]!r}, predicted {y_pred[sample]!r})")
top.set_ylabel("pixel row")
plot_ctc_posteriors(ctc.predict_log_proba(X_test[sample:sample + 1])[0], labels=ctc.labels_,
                    ax=bottom)
bottom.set_xlabel("time step (image column)")
