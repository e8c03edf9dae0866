"""SequenceClassifier / SequenceRegressor / SequenceTagger: behaviour beyond sklearn's checks.

Tiny nets and few epochs: these test the API and training machinery; learning
quality lives in benchmarks/bench_neural.py.
"""

import pickle

import numpy as np
import pytest
import torch
from sklearn.utils.class_weight import compute_class_weight

from sklseq.neural import SequenceClassifier, SequenceRegressor, SequenceTagger
from sklseq.neural._modules import ARCHITECTURES
from sklseq.neural._training import _Augmenter, _SequenceDataset, _TailSplit, _WarmupDecay
from tests._data import ragged_binary as _ragged

SMALL = {"hidden_size": 8, "max_epochs": 2, "batch_size": 8, "random_state": 0}


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_padding_never_changes_a_prediction(architecture):
    X, y = _ragged()
    clf = SequenceClassifier(architecture, **SMALL).fit(X, y)
    short = X[0][:4]
    longer = [short, np.ones((11, 2)), np.zeros((15, 2))]
    np.testing.assert_allclose(
        clf.predict_proba([short, short[:2]])[0], clf.predict_proba(longer)[0], atol=1e-12
    )


def test_nan_padded_array_equals_list_input():
    X, y = _ragged()
    reg = SequenceRegressor("gru", **SMALL).fit(X, y.astype(float))
    padded = np.full((len(X), 11, 2), np.nan)
    for i, x in enumerate(X):
        padded[i, : len(x)] = x
    np.testing.assert_allclose(reg.predict(padded), reg.predict(X), atol=1e-12)


def test_same_seed_same_predictions_and_no_global_rng_side_effect():
    X, y = _ragged()
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first = SequenceClassifier("lstm", **SMALL).fit(X, y).predict_proba(X)
    assert torch.equal(torch.rand(3), expected_next)
    second = SequenceClassifier("lstm", **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other = SequenceClassifier("lstm", **{**SMALL, "random_state": 1}).fit(X, y)
    assert not np.allclose(other.predict_proba(X), first)


def test_fit_exposes_net_and_history():
    X, y = _ragged()
    clf = SequenceClassifier("gru", **SMALL).fit(X, y)
    assert isinstance(clf.net_.module_, torch.nn.Module)
    assert len(clf.history_) == 2
    assert np.isfinite(clf.history_[:, "train_loss"]).all()


def test_regressor_multi_step_and_huber():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 8, 3))
    y = np.c_[X[:, -1, 0], X[:, -2:, 1].sum(axis=1), X[:, 0, 2]]
    for loss in ("mse", "huber"):
        reg = SequenceRegressor("cnn", loss=loss, **SMALL).fit(X, y)
        assert reg.predict(X).shape == (30, 3)
    one = SequenceRegressor("cnn", **SMALL).fit(X, y[:, 0])
    assert one.predict(X).shape == (30,)


def test_regressor_learns_with_defaults_on_a_small_task():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 10))
    y = X[:, -1] + 0.5 * X[:, -2]
    reg = SequenceRegressor(max_epochs=30, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.8


def test_class_weight_balanced_reaches_the_loss():
    X, y = _ragged()
    y[:18] = 0
    clf = SequenceClassifier("gru", class_weight="balanced", **SMALL).fit(X, y)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), expected, rtol=1e-6)


def test_validation_split_takes_the_last_samples():
    data = _SequenceDataset(
        torch.arange(10.0)[:, None, None], torch.ones(10, dtype=torch.long), torch.arange(10.0)
    )
    train, valid = _TailSplit(7)(data)
    assert train.targets.tolist() == list(range(7))
    assert valid.targets.tolist() == [7, 8, 9]


def test_early_stopping_records_validation_and_stops():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6))
    y = rng.normal(size=40)  # noise: the validation loss stops improving
    reg = SequenceRegressor(
        "gru", hidden_size=8, max_epochs=60, validation_fraction=0.25, n_iter_no_change=2,
        lr=0.05, random_state=0,
    ).fit(X, y)
    assert "valid_loss" in reg.history_[-1]
    assert len(reg.history_) < 60


def test_warmup_then_decay_schedule_reaches_the_optimizer():
    schedule = _WarmupDecay(warmup_steps=4, total_steps=12, decay="linear")
    assert [schedule(s) for s in range(5)] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert schedule(12) == 0.0
    X, y = _ragged(n=16)
    clf = SequenceClassifier(
        "gru", hidden_size=8, batch_size=8, max_epochs=4, warmup_epochs=1,
        lr_schedule="cosine", lr=0.01, random_state=0,
    ).fit(X, y)
    lrs = clf.net_.optimizer_.param_groups[0]["lr"]
    assert lrs < 0.01 * 0.2  # cosine decay ends near zero


def test_warm_start_continues_from_previous_weights():
    X, y = _ragged()
    params = {**SMALL, "max_epochs": 5}
    clf = SequenceClassifier("gru", **params).fit(X, y)
    last_loss = clf.history_[-1, "train_loss"]
    clf.set_params(warm_start=True, max_epochs=1).fit(X, y)
    fresh = SequenceClassifier("gru", **{**params, "max_epochs": 1}).fit(X, y)
    assert abs(clf.history_[-1, "train_loss"] - last_loss) < abs(
        fresh.history_[-1, "train_loss"] - last_loss
    )


def test_checkpoint_resume_equals_uninterrupted_training(tmp_path):
    # A constant rate: a cosine schedule would span each fit's own max_epochs.
    X, y = _ragged()
    path = str(tmp_path / "ckpt.pt")
    params = {**SMALL, "dropout": 0.2, "lr_schedule": "constant"}
    full = SequenceClassifier("gru", **{**params, "max_epochs": 4}).fit(X, y)
    SequenceClassifier("gru", **{**params, "max_epochs": 2}, checkpoint_path=path).fit(X, y)
    resumed = SequenceClassifier(
        "gru", **{**params, "max_epochs": 4}, checkpoint_path=path, resume=True
    ).fit(X, y)
    assert len(resumed.history_) == 4
    np.testing.assert_allclose(resumed.predict_proba(X), full.predict_proba(X), atol=1e-6)


def test_pickle_round_trip_is_identical():
    X, y = _ragged()
    clf = SequenceClassifier("transformer", **SMALL).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_save_and_load_weights_without_unpickling_code(tmp_path):
    X = ["abc", "cab", "bca", "aab", "bbc", "cca"] * 3
    y = np.array(["a-first" if s[0] == "a" else "other" for s in X])
    clf = SequenceClassifier("gru", embedding_dim=4, **SMALL).fit(X, y)
    path = tmp_path / "weights.pt"
    clf.save_weights(path)
    torch.load(path, weights_only=True)  # plain tensors and Python values only
    loaded = SequenceClassifier.load_weights(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.get_params() == clf.get_params()


def test_token_input_maps_unseen_tokens_to_unknown():
    X = [["the", "cat"], ["a", "dog", "ran"], ["the", "dog"], ["a", "cat", "sat"]] * 4
    y = [len(s) for s in X]
    clf = SequenceClassifier("lstm", embedding_dim=4, **SMALL).fit(X, y)
    assert "<unk>" in clf.vocabulary_.tokens_
    assert clf.predict([["the", "zebra"], ["unseen", "words", "here"]]).shape == (2,)


def test_strings_without_embedding_dim_explain_the_fix():
    with pytest.raises(ValueError, match="embedding_dim"):
        SequenceClassifier(**SMALL).fit(["abc", "de"], [0, 1])


def test_tagger_returns_label_sequences_like_y():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=n) for n in (5, 8, 6, 7) * 4]
    y = ["".join("+" if v > 0 else "-" for v in x) for x in X]
    tagger = SequenceTagger("gru", **SMALL).fit(X, y)
    predicted = tagger.predict(X[:3])
    assert [len(p) for p in predicted] == [5, 8, 6]
    assert all(isinstance(p, str) for p in predicted)
    assert [p.shape for p in tagger.predict_proba(X[:2])] == [(5, 2), (8, 2)]
    assert 0.0 <= tagger.score(X, y) <= 1.0


def test_tagger_with_one_label_per_sequence():
    X, y = _ragged()
    tagger = SequenceTagger("cnn", **SMALL).fit(X, y)
    assert tagger.predict(X).shape == (len(X),)
    assert tagger.predict_proba(X).shape == (len(X), 2)


def test_tagger_rejects_misaligned_labels():
    X = [np.zeros(4), np.zeros(3)]
    with pytest.raises(ValueError, match=r"y\[1\] has 2 labels but X\[1\] has 3"):
        SequenceTagger(**SMALL).fit(X, [[0, 1, 0, 1], [1, 0]])


def test_augmentation_is_training_only():
    X, y = _ragged()
    clf = SequenceClassifier("gru", noise_std=0.5, time_warp=0.3, **SMALL).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


def test_time_warp_keeps_ends_and_padding():
    x = torch.arange(12.0).reshape(2, 6, 1)
    lengths = torch.tensor([6, 4])
    torch.manual_seed(0)
    out = _Augmenter(time_warp=0.5)(x, lengths)
    assert out[0, 0, 0] == 0 and out[0, 5, 0] == 5
    assert out[1, 0, 0] == 6 and out[1, 3, 0] == 9
    assert torch.equal(out[1, 4:], x[1, 4:])
    assert (out[:, 1:4] <= out[:, 2:5]).all()  # monotone


def test_nan_loss_names_the_epoch_and_the_fix():
    X, y = _ragged()
    clf = SequenceRegressor(
        "rnn", optimizer="sgd", lr=1e30, gradient_clip=None, **{**SMALL, "max_epochs": 3}
    )
    with pytest.raises(FloatingPointError, match=r"epoch \d+.*lower lr.*gradient"):
        clf.fit(X, y * 1e20)


def test_cuda_request_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="CUDA is not available"):
        SequenceClassifier(device="cuda", **SMALL).fit(*_ragged())


@pytest.mark.gpu
def test_cuda_fit_matches_cpu_predictions_closely():
    X, y = _ragged()
    cpu = SequenceClassifier("lstm", **SMALL).fit(X, y).predict_proba(X)
    gpu = SequenceClassifier("lstm", device="cuda", **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(gpu, cpu, atol=1e-3)


@pytest.mark.parametrize(
    "make, X_fit, X, match",
    [
        # Sequences are free in length but not in channels (SPEC section 2) ...
        (lambda: SequenceClassifier(**SMALL), (10, 5, 2), np.zeros((4, 5, 3)), "3 channel"),
        # ... and a plain 2D array keeps sklearn's n_features_in_ rule.
        (lambda: SequenceRegressor(**SMALL), (10, 5), np.zeros((4, 7)), "7 features"),
    ],
)
def test_predict_rejects_a_different_shape(make, X_fit, X, match):
    est = make().fit(np.random.RandomState(0).normal(size=X_fit), np.arange(10) % 2)
    with pytest.raises(ValueError, match=match):
        est.predict(X)


def test_predict_takes_sequences_of_another_length():
    rng = np.random.RandomState(0)
    est = SequenceRegressor(**SMALL).fit(rng.normal(size=(10, 5, 2)), np.arange(10.0))
    assert est.predict(rng.normal(size=(4, 7, 2))).shape == (4,)


def test_validation_fraction_too_small_is_explained():
    X, y = _ragged(n=5)
    with pytest.raises(ValueError, match="validation_fraction"):
        SequenceClassifier(validation_fraction=0.1, **SMALL).fit(X, y)


def test_resume_without_path_is_explained():
    with pytest.raises(ValueError, match="checkpoint_path"):
        SequenceClassifier(resume=True, **SMALL).fit(*_ragged())


def test_verbose_prints_the_epoch_log(capsys):
    X, y = _ragged()
    SequenceClassifier("gru", verbose=1, **SMALL).fit(X, y)
    captured = capsys.readouterr()
    assert "train_loss" in captured.out


def test_one_grid_search_compares_architectures():
    from sklearn.model_selection import GridSearchCV

    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 8))
    y = (X[:, -1] > 0).astype(int)
    search = GridSearchCV(
        SequenceClassifier(**SMALL), {"architecture": ["gru", "cnn", "transformer"]}, cv=2
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 3


def test_integer_token_array_input():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 5, size=(20, 6))
    y = (X == 3).any(axis=1).astype(int)
    clf = SequenceClassifier("cnn", embedding_dim=4, **SMALL).fit(X, y)
    assert clf.predict(np.array([[7, 8, 9, 1, 2, 3]])).shape == (1,)  # 7-9 unseen


def test_warm_start_keeps_the_input_scaling_and_vocabulary():
    X, y = _ragged()
    clf = SequenceClassifier("gru", **SMALL).fit(X, y)
    mean = clf.input_mean_.copy()
    clf.set_params(warm_start=True).fit([x * 10 + 3 for x in X], y)
    np.testing.assert_array_equal(clf.input_mean_, mean)
    words = [["a", "b"], ["b", "c"]] * 6
    tok = SequenceClassifier("gru", embedding_dim=4, **SMALL).fit(words, [0, 1] * 6)
    tokens = list(tok.vocabulary_.tokens_)
    tok.set_params(warm_start=True).fit([["c", "d"], ["d", "e"]] * 6, [0, 1] * 6)
    assert tok.vocabulary_.tokens_ == tokens


def test_load_weights_rejects_another_estimators_file(tmp_path):
    X, y = _ragged()
    path = tmp_path / "weights.pt"
    SequenceClassifier("gru", **SMALL).fit(X, y).save_weights(path)
    with pytest.raises(ValueError, match="SequenceRegressor weights"):
        SequenceRegressor.load_weights(path)


def test_invalid_device_names_the_parameter():
    with pytest.raises(ValueError, match="device='gpu0'"):
        SequenceClassifier(device="gpu0", **SMALL).fit(*_ragged())
