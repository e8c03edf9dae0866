import numpy as np
import pytest

from sklseq.plotting import plot_attention, plot_ctc_posteriors, plot_learning_curve


def test_learning_curve_from_records_marks_the_best_validation_epoch():
    records = [{"epoch": e, "train_loss": 1 / e, "valid_loss": abs(e - 4) + 1.0} for e in range(1, 8)]
    ax = plot_learning_curve(records)
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["train loss", "validation loss", "best validation (epoch 4)"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1 / e for e in range(1, 8)])


def test_learning_curve_reads_a_fitted_neural_estimator():
    pytest.importorskip("torch", reason="the neural extra is not installed")
    from sklseq.neural import SequenceClassifier

    X = np.random.default_rng(0).normal(size=(20, 6))
    y = np.arange(20) % 2
    clf = SequenceClassifier("gru", hidden_size=4, max_epochs=3, random_state=0).fit(X, y)
    ax = plot_learning_curve(clf)
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3]


def test_learning_curve_without_losses_is_refused():
    with pytest.raises(ValueError, match="train_loss"):
        plot_learning_curve([{"epoch": 1}])


def test_attention_heatmap_has_the_weights_and_token_labels():
    weights = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    ax = plot_attention(weights, source_tokens=["a", "b", "c"], target_tokens=["x", "y"])
    np.testing.assert_allclose(ax.images[0].get_array(), weights)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
    assert len(ax.figure.axes) == 2  # the heatmap and its colour bar


def test_attention_checks_shapes():
    with pytest.raises(ValueError, match="source_tokens has 2 labels for 3 steps"):
        plot_attention(np.ones((2, 3)), source_tokens=["a", "b"])


def test_ctc_posteriors_show_the_greedy_alignment():
    path = [1, 1, 0, 2, 0, 2, 2]  # a a _ b _ b b -> "abb"
    probs = np.full((7, 3), 0.05) + 0.85 * np.eye(3)[path]
    padded = np.vstack([np.log(probs), np.full((3, 3), np.nan)])  # trailing padding is dropped
    ax = plot_ctc_posteriors(padded, labels=["a", "b"])
    assert ax.get_title().endswith("greedy decoding: abb")
    assert ax.images[0].get_array().shape == (3, 7)
    assert [t.get_text() for t in ax.texts] == ["a", "b", "b"]  # one note per emitted label
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), path)


def test_ctc_posteriors_refuse_interior_nan():
    log_proba = np.log(np.full((4, 3), 1 / 3))
    log_proba[1] = np.nan
    with pytest.raises(ValueError, match="NaN inside"):
        plot_ctc_posteriors(log_proba)
