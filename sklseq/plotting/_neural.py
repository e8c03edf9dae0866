"""Plots of neural estimators: learning curves, attention, CTC frame posteriors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from matplotlib.axes import Axes


from ._compare import _axes, _finish

__all__ = ["plot_attention", "plot_ctc_posteriors", "plot_learning_curve"]


def plot_learning_curve(history: Any, ax: Axes | None = None) -> Axes:
    """Training (and validation) loss per epoch, with the best validation epoch marked.

    Parameters
    ----------
    history : fitted sklseq neural estimator, skorch History or list of dict
        Anything with a ``history_`` attribute, or the per-epoch records
        themselves (``{"epoch": ..., "train_loss": ..., "valid_loss": ...}``).
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> from sklseq.plotting import plot_learning_curve
    >>> records = [{"epoch": e, "train_loss": 1 / e, "valid_loss": 1.2 / e + 0.01 * e}
    ...            for e in range(1, 11)]
    >>> ax = plot_learning_curve(records)
    >>> [line.get_label() for line in ax.lines][:2]
    ['train loss', 'validation loss']
    """
    records = getattr(history, "history_", history)
    records = [dict(record) for record in records]
    if not records or "train_loss" not in records[0]:
        raise ValueError("history has no per-epoch 'train_loss'; pass a fitted neural estimator.")
    epochs = np.array([record.get("epoch", i + 1) for i, record in enumerate(records)])
    ax = _axes(ax, (6, 3.5))
    ax.plot(epochs, [record["train_loss"] for record in records], marker=".", label="train loss")
    if "valid_loss" in records[0]:
        valid = np.array([record.get("valid_loss", np.nan) for record in records], dtype=float)
        ax.plot(epochs, valid, marker=".", label="validation loss")
        best = int(np.nanargmin(valid))
        ax.axvline(epochs[best], color="0.5", linestyle="--", linewidth=1,
                   label=f"best validation (epoch {epochs[best]})")
    return _finish(ax, title="Learning curve", xlabel="epoch", ylabel="loss", legend={})


def plot_attention(
    weights: ArrayLike,
    source_tokens: Sequence[Any] | None = None,
    target_tokens: Sequence[Any] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of attention weights: one row per output step, one column per input step.

    Parameters
    ----------
    weights : array-like of shape (n_output_steps, n_input_steps)
        Attention of each output step over the input (rows usually sum to 1),
        e.g. collected from a seq2seq decoder's step function.
    source_tokens : sequence of str or None, default=None
        Labels of the input steps (x axis).
    target_tokens : sequence of str or None, default=None
        Labels of the output steps (y axis).
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.plotting import plot_attention
    >>> ax = plot_attention(np.eye(3), source_tokens="abc", target_tokens="xyz")
    >>> ax.images[0].get_array().shape
    (3, 3)
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2:
        raise ValueError(f"weights must be 2D (output steps, input steps); got shape {weights.shape}.")
    for tokens, size, what in ((source_tokens, weights.shape[1], "source_tokens"),
                               (target_tokens, weights.shape[0], "target_tokens")):
        if tokens is not None and len(tokens) != size:
            raise ValueError(f"{what} has {len(tokens)} labels for {size} steps.")
    ax = _axes(ax, (max(4, 0.35 * weights.shape[1] + 2), max(3, 0.35 * weights.shape[0] + 1.5)))
    image = ax.imshow(weights, aspect="auto", cmap="viridis", vmin=0, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="attention weight")
    if source_tokens is not None:
        ax.set_xticks(np.arange(weights.shape[1]), list(source_tokens), fontsize=8)
    if target_tokens is not None:
        ax.set_yticks(np.arange(weights.shape[0]), list(target_tokens), fontsize=8)
    return _finish(ax, title="Attention", xlabel="input step", ylabel="output step", grid=None)


def plot_ctc_posteriors(
    log_proba: ArrayLike, labels: Sequence[Any] | None = None, ax: Axes | None = None
) -> Axes:
    """CTC frame posteriors of one sequence with the greedy (best-path) alignment.

    The image shows the probability of the blank and of every label at each
    frame; dots mark the most likely symbol per frame, and each label the
    greedy decoder emits (a label after a blank or a different symbol) is
    written above its first frame. The decoded text is the title.

    Parameters
    ----------
    log_proba : array-like of shape (n_frames, 1 + n_labels)
        One sample of ``CTCTranscriber.predict_log_proba(X)``: column 0 is the
        blank; trailing all-NaN frames (padding) are dropped.
    labels : sequence or None, default=None
        Names of the labels (``CTCTranscriber.labels_``); default ``0, 1, ...``.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure's when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from sklseq.plotting import plot_ctc_posteriors
    >>> path = [1, 1, 0, 2, 0, 2]  # "a", blank, "b", blank, "b" -> "abb"
    >>> log_proba = np.log(np.full((6, 3), 0.05) + 0.85 * np.eye(3)[path])
    >>> plot_ctc_posteriors(log_proba, labels="ab").get_title()
    'CTC frame posteriors; greedy decoding: abb'
    """
    log_proba = np.asarray(log_proba, dtype=float)
    if log_proba.ndim != 2 or log_proba.shape[1] < 2:
        raise ValueError(
            "log_proba must be (n_frames, 1 + n_labels) for one sample; got shape "
            f"{log_proba.shape}. Pass predict_log_proba(X)[i]."
        )
    padding = np.isnan(log_proba).all(axis=1)
    n_frames = 0 if padding.all() else len(padding) - int(np.argmin(padding[::-1]))
    log_proba = log_proba[:n_frames]
    if np.isnan(log_proba).any():
        raise ValueError("log_proba has NaN inside the sequence; only trailing padding may be NaN.")
    n_labels = log_proba.shape[1] - 1
    labels = [str(label) for label in (labels if labels is not None else range(n_labels))]
    if len(labels) != n_labels:
        raise ValueError(f"labels has {len(labels)} names for {n_labels} label columns.")
    symbols = ["<blank>", *labels]
    best = log_proba.argmax(axis=1)
    emitted = [t for t in range(len(best)) if best[t] != 0 and (t == 0 or best[t] != best[t - 1])]
    decoded = "".join(labels[best[t] - 1] for t in emitted) if all(
        len(label) == 1 for label in labels) else " ".join(labels[best[t] - 1] for t in emitted)
    ax = _axes(ax, (max(6, 0.12 * len(best) + 2), 0.3 * len(symbols) + 1.8))
    image = ax.imshow(np.exp(log_proba).T, aspect="auto", origin="lower", cmap="Greys", vmin=0,
                      vmax=1, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="posterior probability")
    ax.plot(np.arange(len(best)), best, linestyle="none", marker=".", color="tab:red",
            markersize=4, label="best symbol per frame")
    for t in emitted:
        ax.annotate(labels[best[t] - 1], (t, best[t]), xytext=(0, 6), textcoords="offset points",
                    ha="center", fontsize=9, color="tab:red", fontweight="bold")
    ax.set_yticks(np.arange(len(symbols)), symbols, fontsize=8)
    return _finish(ax, title=f"CTC frame posteriors; greedy decoding: {decoded}", xlabel="frame",
                   grid=None, legend={"loc": "upper right"})
