import math

import numpy as np
import pytest
import sacrebleu
from sklearn.base import BaseEstimator
from sklearn.metrics import make_scorer

from sklseq.metrics import bleu_score, exact_match_score, token_accuracy_score


def test_exact_match_counts_whole_sequences():
    assert exact_match_score([[1, 2], [3], []], [[1, 2], [3, 4], []]) == pytest.approx(2 / 3)


def test_exact_match_weights_samples():
    # Weights 1 and 3, only the second matches: 3 / 4.
    assert exact_match_score(["ab", "cd"], ["ax", "cd"], sample_weight=[1, 3]) == 0.75


def test_exact_match_reads_padded_arrays():
    y = np.array([[1, 2, -1], [3, -1, -1]])
    pred = np.array([[1, 2, -1], [3, 3, -1]])
    assert exact_match_score(y, pred, pad_value=-1) == 0.5


def test_token_accuracy_by_hand():
    # Sample 0: 4 of 5 positions agree; sample 1: reference 3 long, prediction 1
    # long and correct: 1 of 3; sample 2: 2 extra predicted tokens: 0 of 2.
    # Total (4 + 1 + 0) / (5 + 3 + 2) = 0.5.
    y_true = [[1, 2, 3, 4, 5], [6, 7, 8], []]
    y_pred = [[1, 2, 0, 4, 5], [6], [9, 9]]
    assert token_accuracy_score(y_true, y_pred) == 0.5


def test_token_accuracy_with_weights_by_hand():
    # Weights 2 and 1: (2 * 1 + 1 * 2) / (2 * 2 + 1 * 2) = 4 / 6.
    score = token_accuracy_score(["ab", "cd"], ["ax", "cd"], sample_weight=[2, 1])
    assert score == pytest.approx(4 / 6)


def test_token_accuracy_of_empty_sequences_is_one():
    assert token_accuracy_score([[], []], [[], []]) == 1.0


def test_token_accuracy_does_not_match_padding_with_padding():
    # Lengths differ, so the padding positions must not count as agreement.
    assert token_accuracy_score([[1]], [[1, 2]]) == 0.5


def test_bleu_by_hand():
    # 1- to 4-gram precisions 5/6, 3/5, 2/4, 1/3, equal lengths (brevity penalty 1).
    expected = (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25
    score = bleu_score(["the cat sat on the mat"], ["the cat sat on a mat"])
    assert score == pytest.approx(expected, abs=1e-6)


def test_bleu_equals_sacrebleu_called_directly():
    refs = ["a b c d e f", "the quick brown fox", "x y z w"]
    hyps = ["a b c d x f", "the quick red fox jumps", "x y z"]
    direct = sacrebleu.corpus_bleu(hyps, [refs]).score / 100
    assert bleu_score(refs, hyps) == pytest.approx(direct, rel=1e-12)


def test_bleu_token_sequences_use_their_own_tokens_as_words():
    refs = [["2021", "-", "03", "-", "03"], ["ab", "cd", "ef", "gh"]]
    hyps = [["2021", "-", "03", "-", "04"], ["ab", "cd", "ef", "gh"]]
    direct = sacrebleu.corpus_bleu(
        ["2021 - 03 - 04", "ab cd ef gh"], [["2021 - 03 - 03", "ab cd ef gh"]],
        tokenize="none",
    ).score / 100
    assert bleu_score(refs, hyps) == pytest.approx(direct, rel=1e-12)


def test_bleu_char_tokenizer_for_character_outputs():
    direct = sacrebleu.corpus_bleu(["2021-03-04"], [["2021-03-03"]], tokenize="char").score
    assert bleu_score(["2021-03-03"], ["2021-03-04"], tokenize="char") == pytest.approx(
        direct / 100
    )


def test_perfect_predictions_score_one():
    y = ["hello world", "foo bar baz qux"]
    assert bleu_score(y, y) == pytest.approx(1.0)
    assert exact_match_score(y, y) == token_accuracy_score(y, y) == 1.0


def test_metrics_work_as_sklearn_scorers():
    class Echo(BaseEstimator):
        def predict(self, X):
            return X

    scorer = make_scorer(token_accuracy_score)
    assert scorer(Echo(), ["abc", "de"], ["abd", "de"]) == pytest.approx(4 / 5)


@pytest.mark.parametrize("metric", [exact_match_score, token_accuracy_score, bleu_score])
def test_metrics_reject_mismatched_lengths(metric):
    with pytest.raises(ValueError, match="y_true has 2 sequences but y_pred has 1"):
        metric(["ab", "cd"], ["ab"])


def test_bleu_rejects_tokens_with_spaces():
    with pytest.raises(ValueError, match="Row 1 of y_pred holds a token that is empty or"):
        bleu_score([["a"], ["b"]], [["a"], ["b c"]])


@pytest.mark.parametrize(
    "weights, match", [([1.0], "expected \\(2,\\)"), ([1.0, -1.0], "non-negative"),
                       ([0, 0], "not all zero"), ([1.0, math.nan], "finite")],
)
def test_bad_sample_weight(weights, match):
    with pytest.raises(ValueError, match=match):
        exact_match_score(["a", "b"], ["a", "b"], sample_weight=weights)
