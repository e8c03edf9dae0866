"""Seq2seq on the date task: greedy vs beam accuracy, batched vs per-hypothesis beam speed.

1. A ``Seq2SeqTranslator`` (bidirectional GRU encoder, GRU decoder with additive
   attention) learns to read dates written in many formats
   (``sklseq.datasets.make_dates``) and write them in ISO 8601. Held-out dates
   are decoded greedily and with beam search; exact match and token accuracy
   are reported for each.
2. The same trained decoder is searched by the batched
   ``sklseq.decoding.beam_search`` (all samples and beams as tensor operations)
   and by ``tests._references.beam_search_reference`` (one step call per
   hypothesis, a Python loop over samples); both must return the same n-best
   lists, and the table gives the speed-up.

    python -m benchmarks.bench_seq2seq [--quick]
"""

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
from sklseq.datasets import make_dates
from sklseq.decoding import beam_search
from sklseq.metrics import exact_match_score, token_accuracy_score
from sklseq.neural import Seq2SeqTranslator
from tests._references import beam_search_reference

NAME = "seq2seq"


def run(quick: bool) -> str:
    torch.set_num_threads(1)
    n_train, n_test, stages, n_speed = (
        (800, 200, (2, 2), 20) if quick else (3000, 1000, (3, 5), 100)
    )
    X, y = make_dates(n_train, random_state=0)
    X_test, y_test = make_dates(n_test, random_state=1)
    model = Seq2SeqTranslator(
        "gru",
        decoder="gru",
        attention="additive",
        bidirectional=True,
        embedding_dim=32,
        hidden_size=64,
        batch_size=64,
        random_state=0,
        warm_start=True,
    )
    settings = [
        ("greedy", dict(decoding="greedy")),
        ("beam, width 3", dict(decoding="beam", beam_width=3)),
        ("beam, width 5", dict(decoding="beam", beam_width=5)),
        ("beam, width 5, length_penalty 0.6", dict(decoding="beam", beam_width=5,
                                                  length_penalty=0.6)),
    ]
    rows, fit_seconds, epochs = [], 0.0, 0
    # Accuracy part-way through training (where search matters) and at the end.
    for stage in stages:
        model.set_params(max_epochs=stage)
        start = time.perf_counter()
        model.fit(X, y)
        fit_seconds += time.perf_counter() - start
        epochs += stage
        for label, params in settings:
            model.set_params(**params)
            start = time.perf_counter()
            pred = model.predict(X_test)
            seconds = time.perf_counter() - start
            rows.append([
                str(epochs),
                label,
                f"{exact_match_score(y_test, pred):.3f}",
                f"{token_accuracy_score(y_test, pred):.3f}",
                format_time(seconds / n_test),
            ])
        model.set_params(decoding="greedy", beam_width=5, length_penalty=0.0)
    accuracy = markdown_table(
        ["epochs", "decoding", "exact match", "token accuracy", "time per sample"], rows
    )

    speed = [
        f"### Beam search speed (width {width}, {n_speed} samples, same trained decoder)\n\n"
        + _beam_speed(model, X_test[:n_speed], beam_width=width)
        for width in (5, 10)
    ]
    return "\n".join([
        "## Seq2seq: dates in many formats to ISO 8601",
        "",
        f"Machine: {machine_description()} (shared 2-core CPU, torch on 1 thread).",
        f"Seq2SeqTranslator (bidirectional GRU encoder, GRU decoder, additive attention, "
        f"hidden 64), {n_train} training dates, {epochs} epochs in all, fit in "
        f"{format_time(fit_seconds)}; {n_test} held-out dates.",
        "",
        accuracy,
        "",
        "\n\n".join(speed),
    ])


def _beam_speed(model, X, beam_width):
    """Time batched beam search against the per-hypothesis loop on one decoder.

    Both searches get the same plain step function (the whole decoder state,
    encoder outputs included, is the searched state). The estimator's own step
    function, which keeps the encoder outputs out of the searched state, is
    timed too.
    """
    vocab = model.target_vocabulary_
    module = model._inference_module()
    inputs, lengths = model._validate_X(X, reset=False)
    x = torch.as_tensor(inputs)
    lengths = torch.as_tensor(lengths)

    def plain_step(tokens, state):
        prefix = tokens if module.decoder.parallel else tokens[:, -1:]
        logits, state, weights = module.step(module.embed(prefix), state)
        return torch.log_softmax(logits, dim=-1), state, weights

    def plain(encoded):
        return plain_step, encoded

    options = dict(
        eos_index=vocab.eos_index,
        max_length=2 * model.max_target_length_,
        beam_width=beam_width,
        n_best=beam_width,
        pad_index=vocab.pad_index,
    )
    start_tokens = torch.full((len(x),), vocab.bos_index)
    runs = [
        ("per-hypothesis loop (reference), plain step", beam_search_reference, plain),
        ("batched (sklseq.decoding.beam_search), plain step", beam_search, plain),
        ("batched, the estimator's step (memory outside the state)", beam_search,
         lambda encoded: module.step_function(encoded)),
    ]
    with torch.no_grad():
        prepared = [
            (search, *make_step(module.encode(x, lengths))) for _, search, make_step in runs
        ]
        results = [search(step, start_tokens, state, **options)
                   for search, step, state in prepared]
        # CPU time of this process (steadier than wall time on a shared machine),
        # best of 3 runs each; the searches take turns, so a change of load on
        # the machine hits all of them alike.
        seconds = [float("inf")] * len(runs)
        for _ in range(3):
            for i, (search, step, state) in enumerate(prepared):
                once, _ = time_call(
                    search, step, start_tokens, state, repeat=1, warmup=0,
                    clock=time.process_time, **options,
                )
                seconds[i] = min(seconds[i], once)
    rows = [
        [label, format_time(t), f"{len(x) / t:.1f}", format_ratio(seconds[0] / t)]
        for (label, _, _), t in zip(runs, seconds)
    ]
    reference = results[0]
    same = all(
        r.to_lists() == reference.to_lists()
        and np.allclose(r.scores.numpy(), reference.scores.numpy(), atol=1e-9)
        for r in results[1:]
    )
    table = markdown_table(["beam search", "CPU time", "samples / s", "speed-up"], rows)
    return table + f"\n\nSame n-best lists and scores in every run: {'yes' if same else 'NO'}."


if __name__ == "__main__":
    main(run, NAME, __doc__)
