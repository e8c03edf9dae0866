"""Property-based bad-input suite over every estimator of ``all_estimators()`` and the public functions.

Each case feeds one kind of bad (or borderline) input: NaN / inf at random
places, empty input, one sample, one step, a zero-length sequence in a list,
1D / 4D arrays, mixed ragged lists, object / string / complex / bool dtypes,
huge values, mismatched channels at predict, a string column in a DataFrame,
unseen labels, y with NaN or the wrong length, sequences shorter than the model
needs, CTC targets too long to emit. It must end in a correct result (finite
predictions, no inf in transforms) or in a ``ValueError`` / ``TypeError``
raised by sklseq or scikit-learn itself (a ``raise`` statement in their code,
not numpy / torch / pandas failing underneath). Anything else is a failure.

Hypothesis draws the positions, sizes and values. ``SKLSEQ_HYPOTHESIS_PROFILE``
picks the profile: ``ci`` (default, a few examples, about 2 minutes) or
``thorough`` (many examples, by hand). Run ``python tests/test_bad_input.py``
for the table of cases tried / not ending well per estimator and function.
"""

import linecache
import os
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sklseq.utils import all_estimators

settings.register_profile(  # no shrinking: a failure is reported as drawn, quickly
    "ci", max_examples=2, deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "thorough", max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("SKLSEQ_HYPOTHESIS_PROFILE", "ci"))

TINY = {"hidden_size": 4, "max_epochs": 1, "batch_size": 8, "random_state": 0}
TOKEN = {**TINY, "embedding_dim": 4}
ALLOWED_ORIGINS = ("sklseq", "sklearn")


# ------------------------------------------------------------ outcomes


def _raised_by(exc):
    """Module of the frame whose ``raise`` statement raised ``exc``, or None."""
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno).strip()
    if module.split(".")[0] == "sklearn":
        return module  # sklearn raises through its own helpers
    return module if line.startswith("raise") else f"{module} (not a raise: {line!r})"


def _finite_output(result, *, padded):
    if isinstance(result, tuple):
        return all(_finite_output(r, padded=padded) for r in result)
    if isinstance(result, pd.DataFrame | pd.Series):
        result = result.to_numpy()
    if isinstance(result, np.ndarray) and result.dtype.kind in "fc":
        if padded and result.ndim == 3:  # NaN pads sequence outputs; inf never does
            return not np.isinf(result).any()
        return bool(np.isfinite(result).all())
    return True


def outcome(call, *, padded=False):
    """``("ok" | "clear error" | "BAD", detail)`` for one call."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.seterr(all="ignore")
        try:
            result = call()
        except (ValueError, TypeError) as exc:
            origin = _raised_by(exc)
            if origin.split(".")[0] in ALLOWED_ORIGINS and " (not a raise" not in origin:
                return "clear error", f"{type(exc).__name__}: {exc}"
            return "BAD", f"{type(exc).__name__} from {origin}: {exc}"
        except Exception as exc:  # noqa: BLE001 - any other exception is the finding
            return "BAD", f"{type(exc).__name__}: {exc}"
    if not _finite_output(result, padded=padded):
        return "BAD", "non-finite output without an error"
    return "ok", ""


# ------------------------------------------------- estimators and their data


@dataclass
class Spec:
    """How to fit one estimator on good data and what to call after fitting."""

    make: object
    data: object  # rng -> (X, y)
    after: str  # method called on the (possibly bad) X after a good fit
    tokens: bool = False
    padded: bool = False
    y_kind: str = "none"  # none / labels / values / sequences / tokens
    extra_cases: list = field(default_factory=list)


def _panel(rng, n=12, t=8, c=1):
    return rng.normal(size=(n, t, c))


def _labels(X):
    return (np.nan_to_num(np.asarray(X, dtype=float))[:, :, 0].sum(axis=1) > 0).astype(int)


def _words(rng, n=12):
    letters = np.array(list("abcd"))
    return ["".join(rng.choice(letters, size=rng.randint(2, 6))) for _ in range(n)]


def _sktime_baseline():
    from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

    from sklseq.interop import SktimeBaseline

    return SktimeBaseline(KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="euclidean"))


def _specs():
    from sklseq import neural, preprocessing

    specs = {}
    for name, cls in all_estimators():
        module = cls.__module__
        if module.startswith("sklseq.preprocessing"):
            defaults = {"LagFeatures": {"lags": 2}, "RollingStatistics": {"windows": 2},
                        "SlidingWindow": {"window_size": 3}}
            kwargs = defaults.get(name, {})
            specs[name] = Spec(lambda cls=cls, kw=kwargs: cls(**kw),
                               lambda rng: (_panel(rng), None), "transform", padded=True)
        elif module.startswith("sklseq.forecasting"):
            specs[name] = Spec(lambda cls=cls: cls(),
                               lambda rng: (rng.normal(size=(20, 4, 1)), rng.normal(size=20)),
                               "predict", y_kind="values")
        elif module.startswith("sklseq.statistical"):
            channels = 2 if name == "VARRegressor" else 1
            specs[name] = Spec(lambda cls=cls: cls(),
                               lambda rng, c=channels: (_panel(rng, n=3, t=30, c=c), None),
                               "predict")
    del preprocessing
    specs.update(
        SequenceClassifier=Spec(
            lambda: neural.SequenceClassifier(**TINY),
            lambda rng: (lambda X: (X, _labels(X)))(_panel(rng)), "predict_proba",
            y_kind="labels"),
        SequenceRegressor=Spec(
            lambda: neural.SequenceRegressor(**TINY),
            lambda rng: (lambda X: (X, X[:, -1, 0]))(_panel(rng)), "predict",
            y_kind="values"),
        SequenceTagger=Spec(
            lambda: neural.SequenceTagger(**TINY),
            lambda rng: (lambda X: (X, (X[:, :, 0] > 0).astype(int)))(_panel(rng)),
            "predict_proba", y_kind="labels", padded=True),
        CTCTranscriber=Spec(
            lambda: neural.CTCTranscriber(**TINY),
            lambda rng: (_panel(rng, t=10), [[1, 2]] * 6 + [[2]] * 6), "predict",
            y_kind="sequences"),
        Seq2SeqRegressor=Spec(
            lambda: neural.Seq2SeqRegressor(**TINY),
            lambda rng: (lambda X: (X, X[:, -2:, 0]))(_panel(rng)), "predict",
            y_kind="values"),
        Seq2SeqTranslator=Spec(
            lambda: neural.Seq2SeqTranslator(**TOKEN, max_length=8),
            lambda rng: (lambda w: (w, [s[::-1] for s in w]))(_words(rng)), "predict",
            tokens=True, y_kind="tokens"),
        SequenceGenerator=Spec(
            lambda: neural.SequenceGenerator(**TOKEN, max_length=6),
            lambda rng: (_words(rng), None), "score_samples", tokens=True),
        SktimeBaseline=Spec(_sktime_baseline,
                            lambda rng: (lambda X: (X, _labels(X)))(_panel(rng)), "predict",
                            y_kind="labels"),
    )
    missing = {name for name, _ in all_estimators()} - set(specs)
    assert not missing, f"no bad-input spec for {sorted(missing)}"
    return specs


SPECS = _specs()


# --------------------------------------------------------------- the cases
# Each case: (spec, data: hypothesis data, rng) -> the call to judge.


def _fit_bad_X(mutate):
    def case(spec, data, rng):
        X, y = spec.data(rng)
        bad = mutate(np.asarray(X, dtype=float), data)
        return lambda: _fit_with(spec, bad, y, n=_n(bad))
    return case


def _n(X):
    try:
        return len(X)
    except TypeError:
        return 0


def _fit_with(spec, X, y, n):
    """Fit with ``y`` cut or repeated to ``n`` rows (so a bad X is the only fault)."""
    if y is not None and n:
        y = [y[i % len(y)] for i in range(n)] if isinstance(y, list) else np.resize(y, (n,) +
                                                                                    y.shape[1:])
    return _call(spec.make(), "fit", X, y)


def _call(estimator, method, X, y=None):
    if method == "fit" and y is None:
        return estimator.fit(X)
    if method == "fit":
        return estimator.fit(X, y)
    return getattr(estimator, method)(X)


def _at_random(value):
    def mutate(X, data):
        X = X.copy()
        i = data.draw(st.integers(0, X.shape[0] - 1), label="row")
        j = data.draw(st.integers(0, X.shape[1] - 2), label="step")  # interior
        X[i, j, 0] = value
        return X
    return mutate


def _predict_on(transform_X):
    def case(spec, data, rng):
        X, y = spec.data(rng)
        estimator = _fit_with(spec, X, y, n=_n(X))
        bad = transform_X(X, data, rng)
        return lambda: _call(estimator, spec.after, bad)
    return case


def _fit_and_use_huge(spec, data, rng):
    X, y = spec.data(rng)
    bad = _huge(np.asarray(X, dtype=float), data)
    if y is not None and spec.y_kind == "values":
        y = _huge(np.asarray(y, dtype=float), data)

    def call():
        estimator = _fit_with(spec, bad, y, n=len(bad))
        return _call(estimator, spec.after, bad)

    return call


def _huge(X, data):
    scale = data.draw(st.sampled_from([1e150, 1e200, 1e300]), label="scale")
    return X * scale


NUMERIC_CASES = {
    "NaN inside": _fit_bad_X(_at_random(np.nan)),
    "inf inside": _fit_bad_X(_at_random(np.inf)),
    "-inf inside": _fit_bad_X(_at_random(-np.inf)),
    "huge values (fit, then use)": _fit_and_use_huge,
    "empty": _fit_bad_X(lambda X, d: X[:0]),
    "one sample": _fit_bad_X(lambda X, d: X[:1]),
    "one step": _fit_bad_X(lambda X, d: X[:, :1]),
    "zero-length sequence in list": _fit_bad_X(
        lambda X, d: [*list(X[:-1]), X[-1][:0]]),
    "1D": _fit_bad_X(lambda X, d: X[0, :, 0]),
    "4D": _fit_bad_X(lambda X, d: X[:, :, :, None]),
    "mixed ragged list": _fit_bad_X(
        lambda X, d: [X[0], X[1, :, 0], *X[2:, : d.draw(st.integers(1, X.shape[1]))]]),
    "mixed channels in list": _fit_bad_X(
        lambda X, d: [X[0], np.concatenate([X[1], X[1]], axis=1), *X[2:]]),
    "object dtype": _fit_bad_X(lambda X, d: X.astype(object)),
    "string dtype": _fit_bad_X(lambda X, d: X.astype(str)),
    "complex dtype": _fit_bad_X(lambda X, d: X + 1j),
    "bool dtype": _fit_bad_X(lambda X, d: X > 0),
    "DataFrame with a string column": _fit_bad_X(
        lambda X, d: pd.DataFrame(X[:, :, 0]).assign(**{"3": "text"})),
    "mismatched channels at predict": _predict_on(
        lambda X, d, rng: np.concatenate([X, X], axis=-1)),
    "NaN at predict": _predict_on(
        lambda X, d, rng: _at_random(np.nan)(np.asarray(X, dtype=float), d)),
    "one step at predict (shorter than needed)": _predict_on(lambda X, d, rng: X[:, :1]),
    "huge values at predict": _predict_on(lambda X, d, rng: _huge(np.asarray(X), d)),
}


def _y_case(mutate):
    def case(spec, data, rng):
        X, y = spec.data(rng)
        return lambda: spec.make().fit(X, mutate(y, data, len(X)))
    return case


def _y_nan(y, data, n):
    if isinstance(y, list):  # label sequences / strings: a NaN token in one of them
        y = list(y)
        y[data.draw(st.integers(0, n - 1), label="row")] = [np.nan]
        return y
    y = np.array(y, dtype=float)
    y.flat[data.draw(st.integers(0, y.size - 1), label="position")] = np.nan
    return y


Y_CASES = {
    "y wrong length": _y_case(lambda y, d, n: y[: d.draw(st.integers(0, n - 1))]),
    "y with NaN": _y_case(_y_nan),
    "y None": _y_case(lambda y, d, n: None),
}


def _unseen_labels(spec, data, rng):
    X, y = spec.data(rng)
    estimator = _fit_with(spec, X, y, n=len(X))
    unseen = np.where(np.asarray(y) == 0, 7, y)
    return lambda: estimator.score(X, unseen)


def _ctc_too_long(spec, data, rng):
    X, _ = spec.data(rng)
    length = data.draw(st.integers(X.shape[1] + 1, 3 * X.shape[1]), label="target length")
    return lambda: spec.make().fit(X, [[1, 2] * length] * len(X))


def _token_fit(mutate):
    def case(spec, data, rng):
        X, y = spec.data(rng)
        bad = mutate(list(X), data)
        n = _n(bad)
        return lambda: _fit_with(spec, bad, y, n=n)
    return case


TOKEN_CASES = {
    "empty": _token_fit(lambda X, d: []),
    "one sample": _token_fit(lambda X, d: X[:1]),
    "zero-length sequence in list": _token_fit(lambda X, d: [*X[:-1], ""]),
    "None token": _token_fit(lambda X, d: [[None, "a"], *X[1:]]),
    "NaN token": _token_fit(lambda X, d: [[np.nan, "a"], *X[1:]]),
    "numeric 4D": _token_fit(lambda X, d: np.zeros((len(X), 2, 2, 2))),
    "complex tokens": _token_fit(lambda X, d: [[1j, 2j], *X[1:]]),
    "unseen tokens at predict": lambda spec, data, rng: (
        lambda est: (lambda: getattr(est, spec.after)(["zzz", "yy"]))
    )(_fit_with(spec, *spec.data(rng), n=12)),
    "empty at predict": lambda spec, data, rng: (
        lambda est: (lambda: getattr(est, spec.after)([]))
    )(_fit_with(spec, *spec.data(rng), n=12)),
}


def cases_for(name):
    spec = SPECS[name]
    cases = dict(TOKEN_CASES if spec.tokens else NUMERIC_CASES)
    if spec.y_kind != "none":
        cases.update(Y_CASES)
    if spec.y_kind == "labels" and hasattr(spec.make(), "score"):
        cases["unseen labels at score"] = _unseen_labels
    if name == "CTCTranscriber":
        cases["CTC targets too long to emit"] = _ctc_too_long
    if spec.tokens and spec.y_kind == "none":
        cases.pop("unseen tokens at predict", None) if spec.after == "fit" else None
    return cases


ESTIMATOR_CASES = [(name, case) for name in SPECS for case in cases_for(name)]


def _judge(name, case, data):
    spec = SPECS[name]
    rng = np.random.RandomState(data.draw(st.integers(0, 2**16), label="seed"))
    try:
        call = cases_for(name)[case](spec, data, rng)
    except Exception as exc:  # noqa: BLE001 - the good fit before a predict case failed
        return "BAD", f"setup failed: {type(exc).__name__}: {exc}"
    return outcome(call, padded=spec.padded)


@pytest.mark.parametrize(
    "name, case", ESTIMATOR_CASES, ids=[f"{n}-{c}" for n, c in ESTIMATOR_CASES]
)
@given(data=st.data())
def test_estimator_bad_input_ends_well(name, case, data):
    result, detail = _judge(name, case, data)
    assert result != "BAD", detail


# ----------------------------------------------------------- public functions


def _function_cases():
    from sklseq import decoding, forecasting, metrics, preprocessing, utils

    torch = pytest.importorskip("torch")

    def step(tokens, state):
        table = torch.log_softmax(torch.arange(25.0).reshape(5, 5), dim=1)
        return table[tokens[:, -1]], state

    series = np.cumsum(np.ones(30))
    panel = np.ones((3, 6, 1))
    log_probs = np.log(np.full((2, 5, 3), 1 / 3))
    bad_values = st.sampled_from([np.nan, np.inf, -np.inf, 1e300, "x", None, 1j, True])
    bad_ints = st.sampled_from([0, -1, 2.5, np.nan, "3", None, True, 10**9])

    def put(array, value, data):
        out = np.array(array, dtype=object)
        out.flat[data.draw(st.integers(0, out.size - 1), label="position")] = value
        try:
            return out.astype(float)
        except (TypeError, ValueError):
            return out

    return {
        "make_windows": lambda d: lambda: forecasting.make_windows(
            put(series, d.draw(bad_values), d), d.draw(bad_ints)),
        "last_window": lambda d: lambda: forecasting.last_window(
            series, 3, exog=np.zeros((d.draw(st.integers(0, 40)), 1))),
        "forecast_from_end": lambda d: lambda: forecasting.forecast_from_end(
            forecasting.RecursiveRegressor().fit(*forecasting.make_windows(series, 3)),
            put(series, d.draw(bad_values), d), 3, differences=d.draw(bad_ints)),
        "frame_sequences": lambda d: lambda: preprocessing.frame_sequences(
            put(panel, d.draw(bad_values), d), np.array([6, 6, 6]), d.draw(bad_ints),
            stride=d.draw(st.sampled_from([1, 0, -1, 1.5]))),
        "inverse_difference": lambda d: lambda: preprocessing.inverse_difference(
            put(np.ones(4), d.draw(bad_values), d), np.ones(d.draw(st.integers(0, 3))),
            order=d.draw(st.sampled_from([1, 2, 0, -1]))),
        "beam_search": lambda d: lambda: decoding.beam_search(
            step, [d.draw(st.sampled_from([7, -1, 0.5, 1j, "a", 2]))], eos_index=0,
            max_length=d.draw(bad_ints), beam_width=d.draw(st.sampled_from([1, 2, 0]))),
        "greedy_search": lambda d: lambda: decoding.greedy_search(
            step, [d.draw(st.sampled_from([7, -1, 0.5, "a", 2]))],
            eos_index=d.draw(st.sampled_from([0, 9, -1])), max_length=3),
        "ctc_greedy_decode": lambda d: lambda: decoding.ctc_greedy_decode(
            put(log_probs, d.draw(bad_values), d), blank=d.draw(st.sampled_from([0, 5, -1]))),
        "ctc_beam_search_decode": lambda d: lambda: decoding.ctc_beam_search_decode(
            put(log_probs, d.draw(bad_values), d), beam_width=d.draw(bad_ints)),
        "bleu_score": lambda d: lambda: metrics.bleu_score(
            ["a b c", "d e"], d.draw(st.sampled_from([["a b c"], ["a", None], [1, 2]])),
            tokenize=d.draw(st.sampled_from([None, "bogus", "char"])),
            smooth_method=d.draw(st.sampled_from(["exp", "bogus"]))),
        "edit_distance": lambda d: lambda: metrics.edit_distance(
            ["abc", "de"], d.draw(st.sampled_from([["abc"], ["ab", None], [[np.nan], "a"]]))),
        "sequence_accuracy": lambda d: lambda: metrics.sequence_accuracy(
            ["ab", "c"], ["ab", "c"], sample_weight=d.draw(
                st.sampled_from([[1, np.nan], [1], [-1, 1], [0, 0], ["a", 1]]))),
        "token_accuracy_score": lambda d: lambda: metrics.token_accuracy_score(
            [[1, 2], [3]], d.draw(st.sampled_from([[[1, 2]], [[1, np.inf], [3]], [[], []]]))),
        "check_sequences": lambda d: lambda: utils.check_sequences(
            d.draw(st.sampled_from([[], [[]], [[1.0], "ab"], np.zeros((2, 0)),
                                    np.zeros((1, 2, 2, 2)), [[1j]]]))),
        "check_label_sequences": lambda d: lambda: utils.check_label_sequences(
            d.draw(st.sampled_from([None, [[None]], [[np.nan]], 5, [[1.5, "a"]]]))),
        "pad_sequences": lambda d: lambda: utils.pad_sequences(
            d.draw(st.sampled_from([[], [np.ones((2, 1)), np.ones((2, 2))], "abc", [None]]))),
        "sequence_lengths": lambda d: lambda: utils.sequence_lengths(
            put(panel, d.draw(bad_values), d)),
        "unpad_sequences": lambda d: lambda: utils.unpad_sequences(
            panel, d.draw(st.sampled_from([[1, 2], [7, 1, 1], [-1, 1, 1], "abc"]))),
        "check_series": lambda d: lambda: utils.check_series(
            put(series, d.draw(bad_values), d)),
    }


FUNCTION_CASES = _function_cases()


@pytest.mark.parametrize("function", sorted(FUNCTION_CASES))
@given(data=st.data())
def test_public_function_bad_input_ends_well(function, data):
    result, detail = outcome(FUNCTION_CASES[function](data))
    assert result != "BAD", detail


# ---------------------------------------------------------------- the table


def _count(judge, examples):
    """Run ``judge`` on ``examples`` hypothesis draws; (tried, not ending well, a detail)."""
    counts = {"tried": 0, "bad": 0, "detail": ""}

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        result, detail = judge(data)
        counts["tried"] += 1
        if result == "BAD":
            counts["bad"] += 1
            counts["detail"] = detail[:200]

    run()
    return counts["tried"], counts["bad"], counts["detail"]


def table(examples):
    """Rows ``(label, tried, not ending well, detail)`` per estimator case and function."""
    rows = []
    for name in SPECS:
        for case in cases_for(name):
            judge = lambda data, n=name, c=case: _judge(n, c, data)  # noqa: E731
            rows.append((f"{name} / {case}", *_count(judge, examples)))
    for function in sorted(FUNCTION_CASES):
        judge = lambda data, f=function: outcome(FUNCTION_CASES[f](data))  # noqa: E731
        rows.append((function, *_count(judge, examples)))
    return rows


if __name__ == "__main__":
    import torch

    torch.set_num_threads(1)
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rows = table(examples)
    per_subject = {}
    for label, tried, bad, _ in rows:
        subject = label.split(" / ")[0]
        entry = per_subject.setdefault(subject, [0, 0, 0])
        entry[0] += 1
        entry[1] += tried
        entry[2] += bad
    print("| estimator / function | kinds of bad input | cases tried | not ending well |")
    print("|---|---|---|---|")
    for subject, (kinds, tried, bad) in per_subject.items():
        print(f"| {subject} | {kinds} | {tried} | {bad} |")
    for label, _, bad, detail in rows:
        if bad:
            print(f"FAILED: {label}: {detail}")
