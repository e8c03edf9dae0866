"""make_digit_strings: real load_digits images, column by column, split by image."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sklseq.datasets import make_digit_strings

DIGITS = load_digits()


def _find(sequence, image_columns):
    """Offsets where the (8, 8) column block occurs in the sequence."""
    n = len(sequence) - len(image_columns) + 1
    return [i for i in range(n) if np.array_equal(sequence[i : i + 8], image_columns)]


def test_strings_are_the_source_images_read_column_by_column():
    X, y, sources = make_digit_strings(
        20, min_digits=1, max_digits=4, max_gap=2, random_state=0, return_sources=True
    )
    for seq, text, src in zip(X, y, sources):
        assert seq.shape[1] == 8
        assert text == "".join(str(d) for d in DIGITS.target[src])
        offset = 0
        for index in src:
            columns = DIGITS.images[index].T / 16.0
            hits = [h for h in _find(seq, columns) if h >= offset]
            assert hits and hits[0] - offset <= 2  # at most max_gap empty columns first
            offset = hits[0] + 8
        assert len(seq) - offset <= 2
        np.testing.assert_array_equal(seq.sum(axis=1) > 0, seq.any(axis=1))


def test_train_and_test_use_different_images():
    _, _, train = make_digit_strings(400, random_state=0, return_sources=True)
    _, _, test = make_digit_strings(400, subset="test", random_state=1, return_sources=True)
    train, test = np.concatenate(train), np.concatenate(test)
    assert not set(train.tolist()) & set(test.tolist())
    assert set(DIGITS.target[test].tolist()) == set(range(10))


def test_lengths_and_digit_counts_follow_the_parameters():
    X, y = make_digit_strings(50, min_digits=2, max_digits=3, max_gap=0, random_state=0)
    assert {len(s) for s in y} == {2, 3}
    assert [len(seq) for seq in X] == [8 * len(s) for s in y]


def test_random_state_makes_it_reproducible():
    X1, y1 = make_digit_strings(5, random_state=3)
    X2, y2 = make_digit_strings(5, random_state=3)
    assert y1 == y2 and all(np.array_equal(a, b) for a, b in zip(X1, X2))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_samples": 0}, "n_samples must be an integer >= 1"),
        ({"min_digits": 3, "max_digits": 2}, "max_digits=2 is smaller than min_digits=3"),
        ({"max_gap": -1}, "max_gap must be an integer >= 0"),
        ({"subset": "valid"}, "subset must be 'train' or 'test'"),
        ({"test_size": 1.5}, r"test_size must be a float in \(0, 1\)"),
    ],
)
def test_bad_parameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_digit_strings(**kwargs)
