"""CTC: accuracy on held-out handwritten digit strings, and decoding speed vs pyctcdecode.

1. Accuracy: a ``CTCTranscriber`` (bidirectional LSTM) trained on strings from
   ``make_digit_strings(subset="train")`` transcribes strings written with
   *other* load_digits images (``subset="test"``). Character error rate and
   whole-string accuracy for greedy and prefix beam search (width 10).
2. Decoding: the model's frame posteriors on the test strings are decoded by
   sklseq's batched decoders and by pyctcdecode's beam search (width 10, no
   language model, its default pruning), one utterance at a time as its API
   works. Reported: utterances per second, speed ratio (target: sklseq beam at
   least 10x faster), and how often the best outputs are identical. Where they
   differ, the CTC log-likelihood of each output (torch's ``ctc_loss`` on the
   same posteriors, an independent judge) says which decoder found the more
   probable labelling.

    python -m benchmarks.bench_ctc --quick   # < 1 minute
    python -m benchmarks.bench_ctc           # a few minutes
"""

import logging
import time

import numpy as np
import torch

from benchmarks._util import (
    format_ratio,
    format_time,
    machine_description,
    main,
    markdown_table,
    time_call,
)
from sklseq.datasets import make_digit_strings
from sklseq.decoding import ctc_beam_search_decode, ctc_greedy_decode
from sklseq.metrics import character_error_rate, sequence_accuracy
from sklseq.neural import CTCTranscriber

BEAM_WIDTH = 10
# pyctcdecode's defaults (beam_prune_logp, token_min_logp), for the like-for-like row.
PYCTC_PRUNING = {"beam_prune_logp": -10.0, "token_min_logp": -5.0}


def _sizes(quick):
    if quick:
        return {"n_train": 500, "n_test": 200, "max_epochs": 10, "hidden_size": 32}
    return {"n_train": 2000, "n_test": 1000, "max_epochs": 15, "hidden_size": 32}


def _train(sizes):
    X_train, y_train = make_digit_strings(sizes["n_train"], random_state=0)
    X_test, y_test = make_digit_strings(sizes["n_test"], subset="test", random_state=1)
    model = CTCTranscriber(
        "lstm",
        hidden_size=sizes["hidden_size"],
        bidirectional=True,
        max_epochs=sizes["max_epochs"],
        lr=0.01,
        random_state=0,
    )
    start = time.perf_counter()
    model.fit(X_train, y_train)
    return model, X_test, y_test, time.perf_counter() - start


def _accuracy_table(model, X_test, y_test, sizes, fit_seconds):
    rows = []
    for decoding in ("greedy", "beam"):
        y_pred = model.set_params(decoding=decoding).predict(X_test)
        rows.append(
            [
                decoding if decoding == "greedy" else f"beam (width {model.beam_width})",
                f"{character_error_rate(y_test, y_pred):.4f}",
                f"{sequence_accuracy(y_test, y_pred):.3f}",
            ]
        )
    model.set_params(decoding="greedy")
    caption = (
        f"Held-out digit strings ({sizes['n_test']} test strings of 1-6 digits written with "
        f"load_digits images unseen in training; {sizes['n_train']} training strings). "
        f"Model: bidirectional LSTM, hidden_size={sizes['hidden_size']}, lr=0.01, "
        f"{sizes['max_epochs']} epochs, fit in {format_time(fit_seconds)}."
    )
    table = markdown_table(["decoding", "character error rate", "string accuracy"], rows)
    return caption + "\n\n" + table


def _pyctcdecode_decoder(labels):
    logging.getLogger("pyctcdecode").setLevel(logging.ERROR)
    from pyctcdecode import build_ctcdecoder

    return build_ctcdecoder([""] + [str(label) for label in labels])


def _ctc_log_likelihood(log_probs, lengths, sequences):
    """log P(labels | posteriors) summed over alignments, from torch's ctc_loss."""
    targets = [torch.as_tensor(s, dtype=torch.long) for s in sequences]
    padded = torch.nn.utils.rnn.pad_sequence(
        [t if len(t) else torch.zeros(1, dtype=torch.long) for t in targets], batch_first=True
    )
    loss = torch.nn.functional.ctc_loss(
        torch.from_numpy(log_probs).transpose(0, 1),
        padded,
        torch.as_tensor(lengths),
        torch.tensor([len(t) for t in targets]),
        reduction="none",
    )
    return -loss.numpy()


def _decoding_table(model, X_test, quick):
    log_probs = np.nan_to_num(model.predict_log_proba(X_test), nan=0.0)
    lengths = np.array([len(x) for x in X_test])
    n = len(lengths)
    labels = [str(label) for label in model.labels_]
    decoder = _pyctcdecode_decoder(labels)

    def to_text(codes):
        return "".join(labels[c - 1] for c in codes)

    def sklseq_greedy():
        return ctc_greedy_decode(log_probs, lengths)

    def sklseq_beam():
        return ctc_beam_search_decode(log_probs, lengths, beam_width=BEAM_WIDTH)

    def sklseq_beam_pruned():
        return ctc_beam_search_decode(log_probs, lengths, beam_width=BEAM_WIDTH, **PYCTC_PRUNING)

    def pyctcdecode_beam():
        return [decoder.decode(log_probs[i, : lengths[i]], beam_width=BEAM_WIDTH) for i in range(n)]

    repeat = 2 if quick else 3
    timings = {
        "sklseq greedy": time_call(sklseq_greedy, repeat=repeat)[0],
        "sklseq beam": time_call(sklseq_beam, repeat=repeat)[0],
        "sklseq beam, pyctcdecode's pruning": time_call(sklseq_beam_pruned, repeat=repeat)[0],
        "pyctcdecode beam": time_call(pyctcdecode_beam, repeat=repeat - 1, warmup=0)[0],
    }
    outputs = {
        "sklseq greedy": [to_text(s) for s in sklseq_greedy()],
        "sklseq beam": [to_text(h[0]) for h in sklseq_beam()[0]],
        "sklseq beam, pyctcdecode's pruning": [to_text(h[0]) for h in sklseq_beam_pruned()[0]],
        "pyctcdecode beam": pyctcdecode_beam(),
    }
    reference = outputs["pyctcdecode beam"]
    reference_ll = _ctc_log_likelihood(log_probs, lengths, [_codes(t, labels) for t in reference])

    rows = []
    for name, seconds in timings.items():
        same = np.array([a == b for a, b in zip(outputs[name], reference)])
        ll = _ctc_log_likelihood(log_probs, lengths, [_codes(t, labels) for t in outputs[name]])
        differ = ~same
        better = int((ll[differ] > reference_ll[differ] + 1e-9).sum())
        worse = int((ll[differ] < reference_ll[differ] - 1e-9).sum())
        rows.append(
            [
                name,
                format_time(seconds),
                f"{n / seconds:,.0f}",
                format_ratio(timings["pyctcdecode beam"] / seconds),
                f"{same.mean():.4f}",
                f"{better} / {worse}" if name != "pyctcdecode beam" else "-",
            ]
        )
    caption = (
        f"Decoding the model's frame posteriors for the {n} test strings "
        f"({int(lengths.mean())} frames on average, 11 labels incl. blank), beam width "
        f"{BEAM_WIDTH}. Times are the best of {repeat} runs ({repeat - 1} for pyctcdecode). "
        "'same best' = fraction of strings where the output equals "
        "pyctcdecode's; 'more / less probable' = among the strings where they differ, "
        "how often this decoder's output has a higher / lower CTC likelihood "
        "(torch ctc_loss) than pyctcdecode's."
    )
    table = markdown_table(
        [
            "decoder",
            "time",
            "utterances/s",
            "speed-up vs pyctcdecode",
            "same best",
            "more / less probable",
        ],
        rows,
    )
    return caption + "\n\n" + table


def _codes(text, labels):
    index = {label: i + 1 for i, label in enumerate(labels)}
    return [index[c] for c in text]


def run(quick: bool) -> str:
    sizes = _sizes(quick)
    model, X_test, y_test, fit_seconds = _train(sizes)
    sections = [
        "## CTC: handwritten digit strings",
        f"Machine: {machine_description()}.",
        _accuracy_table(model, X_test, y_test, sizes, fit_seconds),
        _decoding_table(model, X_test, quick),
    ]
    return "\n\n".join(sections)


if __name__ == "__main__":
    main(run, "ctc", description=__doc__.splitlines()[0])
