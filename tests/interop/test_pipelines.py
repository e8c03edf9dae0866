"""Variable length through Pipeline and cross-validation (SPEC section 2)."""

import numpy as np
import pytest
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sklseq.preprocessing import FFTFeatures, RollingStatistics, SlidingWindow

pytest.importorskip("sktime")
torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def vowels():
    from sklseq.datasets import load_sktime

    X, y = load_sktime("JapaneseVowels", split="train")
    rows = np.random.default_rng(0).permutation(len(X))[:60]
    return [X[i] for i in rows], y[rows]


def _folds_with_different_longest_rows(X):
    lengths = np.array([len(x) for x in X])
    cv = KFold(3, shuffle=True, random_state=0)
    longest = [(lengths[train].max(), lengths[test].max()) for train, test in cv.split(X)]
    # Some test fold has longer rows than its training fold: predict sees new lengths.
    assert any(test > train for train, test in longest)
    return cv


@pytest.mark.parametrize(
    "first",
    [SlidingWindow(window_size=3, flatten=False), RollingStatistics(windows=3, output="sequence")],
    ids=["SlidingWindow", "RollingStatistics"],
)
def test_sequence_transformer_feeds_sequence_classifier_in_cv(vowels, first):
    from sklseq.neural import SequenceClassifier

    torch.set_num_threads(1)
    X, y = vowels
    pipe = make_pipeline(
        first, SequenceClassifier(hidden_size=4, max_epochs=2, batch_size=16, random_state=0)
    )
    scores = cross_val_score(pipe, X, y, cv=_folds_with_different_longest_rows(X),
                             error_score="raise")
    assert np.isfinite(scores).all()


def test_fft_features_in_cv_on_ragged_data(vowels):
    from sklearn.linear_model import LogisticRegression

    X, y = vowels
    pipe = make_pipeline(FFTFeatures(n_coefs=4), LogisticRegression(max_iter=200))
    scores = cross_val_score(pipe, X, y, cv=_folds_with_different_longest_rows(X),
                             error_score="raise")
    assert np.isfinite(scores).all()


def test_padded_and_3d_arrays_are_free_in_length_at_predict(vowels):
    from sklseq.utils import pad_sequences

    X, y = vowels
    X = [x[:, :2] for x in X]
    short = [x[:7] for x in X]
    pipe = make_pipeline(RollingStatistics(windows=3, output="sequence"),
                         RollingStatistics(windows=2))
    pipe.fit(pad_sequences(short)[0])
    full = pipe.transform(pad_sequences(X)[0])
    as_list = pipe.transform(X)
    assert full.shape[0] == len(X) and np.isfinite(full).all()
    np.testing.assert_array_equal(full, as_list)
