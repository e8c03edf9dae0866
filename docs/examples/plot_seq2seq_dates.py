"""
Seq2seq with attention: dates to ISO 8601
=========================================

:class:`~sklseq.neural.Seq2SeqTranslator` learns to rewrite dates written in
many human formats (``"Wed, Mar 3 2021"``, ``"3rd of March 2021"``,
``"03.03.2021"`` ...) as ``"2021-03-03"``, character by character: a GRU
encoder over the characters, a GRU decoder with additive attention, greedy or
beam-search decoding.
"""

# %%
import torch

from sklseq.datasets import make_dates
from sklseq.metrics import exact_match_score
from sklseq.neural import Seq2SeqTranslator
from sklseq.plotting import plot_learning_curve

torch.set_num_threads(1)
X_train, y_train = make_dates(600, random_state=0)
X_test, y_test = make_dates(200, random_state=1)

# A small network trained for a minute: most dates come out right, not all
# (the benchmarks train longer, to an exact match of 1.000).
model = Seq2SeqTranslator("gru", embedding_dim=16, hidden_size=48, lr=0.02, max_epochs=6,
                          random_state=0)
model.fit(X_train, y_train)
greedy = model.predict(X_test)
print("exact match, greedy:", exact_match_score(y_test, greedy))
beam = model.set_params(decoding="beam", beam_width=5).predict(X_test)
print("exact match, beam of 5:", exact_match_score(y_test, beam))
for source, truth, pred in zip(X_test[:5], y_test[:5], beam[:5]):
    print(f"{source:>28} -> {pred}  (true {truth})")

# %%
# The n-best list of a beam search, with each hypothesis' log-probability.
hypotheses, scores = model.predict_nbest(["3rd of March 2021"], 3)
for hypothesis, score in zip(hypotheses[0], scores[0]):
    print(f"{hypothesis}  log P = {score:.3f}")

# %%
# Training loss per epoch, from ``history_``.
ax = plot_learning_curve(model)
ax.set_ylabel("loss (cross-entropy per token)")
ax.set_yscale("log")
