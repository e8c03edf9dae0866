"""Edit-distance metrics against hand-worked examples and a textbook dynamic programme."""

import numpy as np
import pytest

from sklseq.metrics import (
    character_error_rate,
    edit_distance,
    sequence_accuracy,
    token_error_rate,
)


def _levenshtein(a, b):
    """Wagner-Fischer, written out as an independent reference."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def test_edit_distance_hand_examples():
    # kitten -> sitting: substitute k/s, e/i, insert g.
    y_true = ["kitten", "flaw", "", "abc"]
    y_pred = ["sitting", "lawn", "xy", "abc"]
    np.testing.assert_array_equal(edit_distance(y_true, y_pred), [3, 2, 2, 0])


def test_edit_distance_matches_dynamic_programme_on_random_token_lists():
    rng = np.random.default_rng(0)
    y_true = [list(rng.integers(0, 4, rng.integers(0, 9))) for _ in range(40)]
    y_pred = [list(rng.integers(0, 4, rng.integers(0, 9))) for _ in range(40)]
    expected = [_levenshtein(a, b) for a, b in zip(y_true, y_pred)]
    np.testing.assert_array_equal(edit_distance(y_true, y_pred), expected)


def test_token_error_rate_is_corpus_level():
    # 1 deletion in a 3-token reference, 0 errors in a 1-token one: 1 / 4.
    y_true = [["the", "cat", "sat"], ["hi"]]
    y_pred = [["the", "cat"], ["hi"]]
    assert token_error_rate(y_true, y_pred) == pytest.approx(0.25)


def test_token_error_rate_can_exceed_one():
    assert token_error_rate([[1]], [[2, 3, 4]]) == pytest.approx(3.0)


def test_character_error_rate_reads_tokens_as_text():
    # "314" vs "31": 1 deletion; "15" vs "159": 1 insertion; 2 edits / 5 characters.
    assert character_error_rate(["314", "15"], ["31", "159"]) == pytest.approx(0.4)
    assert character_error_rate([[3, 1, 4], [1, 5]], [[3, 1], [1, 5, 9]]) == pytest.approx(0.4)
    # Word tokens: 1 word substitution but only 1 character differs.
    assert character_error_rate([["ab", "cd"]], [["ab", "ce"]]) == pytest.approx(0.25)
    assert token_error_rate([["ab", "cd"]], [["ab", "ce"]]) == pytest.approx(0.5)


def test_sequence_accuracy_counts_exact_matches():
    assert sequence_accuracy(["314", "15", "9", ""], ["314", "16", "9", ""]) == 0.75


def test_padded_arrays_and_1d_labels_follow_the_target_contract():
    y_true = np.array([[1, 2, 3], [4, -1, -1]])
    y_pred = [[1, 3], [4]]
    np.testing.assert_array_equal(edit_distance(y_true, y_pred, pad_value=-1), [1, 0])
    # A 1D array holds length-1 sequences.
    assert sequence_accuracy(np.array([1, 2, 3]), np.array([1, 2, 0])) == pytest.approx(2 / 3)
    assert token_error_rate(np.array([1, 2, 3]), np.array([1, 2, 0])) == pytest.approx(1 / 3)


def test_strings_and_character_lists_compare_equal():
    assert sequence_accuracy(["ab"], [["a", "b"]]) == 1.0


def test_different_number_of_sequences_raises():
    with pytest.raises(ValueError, match="y_true has 2 sequences but y_pred has 1"):
        edit_distance(["a", "b"], ["a"])


def test_error_rate_with_only_empty_references_raises():
    with pytest.raises(ValueError, match="Every reference sequence in y_true is empty"):
        token_error_rate([[], []], [[1], []])


def test_none_token_raises_naming_the_row():
    with pytest.raises(ValueError, match="Row 1 of y_pred"):
        edit_distance([[1], [2]], [[1], [None]])
