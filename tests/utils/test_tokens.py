import pickle

import numpy as np
import pandas as pd
import pytest

from sklseq.utils import (
    TokenVocabulary,
    all_estimators,
    check_label_sequences,
    restore_label_sequences,
)


def test_vocabulary_order_is_specials_then_sorted_tokens():
    vocab = TokenVocabulary().fit(["dcb", "ab"])
    assert vocab.tokens_ == ["<pad>", "<unk>", "a", "b", "c", "d"]
    assert (vocab.pad_index, vocab.unk_index) == (0, 1)
    assert vocab.bos_index is None and vocab.eos_index is None
    assert len(vocab) == 6


def test_vocabulary_does_not_depend_on_data_order():
    a = TokenVocabulary().fit([[3, 1], [2]])
    b = TokenVocabulary().fit([[2], [1, 3]])
    assert a.tokens_ == b.tokens_ == ["<pad>", "<unk>", 1, 2, 3]


def test_vocabulary_incomparable_tokens_keep_first_seen_order():
    vocab = TokenVocabulary().fit([[("x",), 5], [("x",), None.__class__]])
    assert vocab.tokens_[2:] == [("x",), 5, type(None)]


def test_vocabulary_bos_eos_and_custom_specials():
    vocab = TokenVocabulary(
        specials=("<blank>",), pad_token="<blank>", unk_token=None,
        bos_token="<s>", eos_token="</s>",
    ).fit(["ab"])
    assert vocab.tokens_ == ["<blank>", "<s>", "</s>", "a", "b"]
    assert (vocab.pad_index, vocab.unk_index, vocab.bos_index, vocab.eos_index) == (
        0, None, 1, 2,
    )


def test_encode_pads_with_pad_index_and_maps_unseen_to_unk():
    vocab = TokenVocabulary().fit(["abc"])
    codes, lengths = vocab.encode(["ca", "", "zb"])
    np.testing.assert_array_equal(codes, [[4, 2], [0, 0], [1, 3]])
    np.testing.assert_array_equal(lengths, [2, 0, 2])
    assert codes.dtype == np.int64 and lengths.dtype == np.int64


def test_encode_adds_bos_and_eos():
    vocab = TokenVocabulary(bos_token="<s>", eos_token="</s>").fit(["ab"])
    codes, lengths = vocab.encode(["b", "ab"], add_bos=True, add_eos=True)
    # tokens_: <pad> <unk> <s> </s> a b
    np.testing.assert_array_equal(codes, [[2, 5, 3, 0], [2, 4, 5, 3]])
    np.testing.assert_array_equal(lengths, [3, 4])


def test_decode_round_trips_encode():
    data = [["x", "yy"], [], ["yy", "yy", "z"]]
    vocab = TokenVocabulary().fit(data)
    assert vocab.decode(*vocab.encode(data)) == data


def test_decode_stops_at_eos_and_drops_pad_and_bos():
    vocab = TokenVocabulary(bos_token="<s>", eos_token="</s>").fit(["ab"])
    codes = np.array([[2, 4, 3, 5], [4, 0, 5, 0]])
    assert vocab.decode(codes) == [["a"], ["a", "b"]]
    assert vocab.decode(codes, strip_specials=False) == [
        ["<s>", "a", "</s>", "b"], ["a", "<pad>", "b", "<pad>"],
    ]


def test_decode_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    vocab = TokenVocabulary().fit(["ab"])
    assert vocab.decode(torch.tensor([[2, 3, 0]]), torch.tensor([2])) == [["a", "b"]]


def test_tuple_tokens_round_trip():
    data = [[("a", 1), ("b", 2)], [("b", 2)]]
    vocab = TokenVocabulary().fit(data)
    assert vocab.decode(*vocab.encode(data)) == data


def test_encode_accepts_generators_of_sequences():
    vocab = TokenVocabulary().fit(["ab"])
    codes, lengths = vocab.encode(iter(s) for s in ["ab", "b"])
    np.testing.assert_array_equal(codes, [[2, 3], [3, 0]])


def test_min_frequency_drops_rare_tokens():
    vocab = TokenVocabulary(min_frequency=2).fit(["aab"])
    assert vocab.tokens_ == ["<pad>", "<unk>", "a"]


def test_vocabulary_pickles():
    vocab = TokenVocabulary(eos_token="<eos>").fit(["hello"])
    clone = pickle.loads(pickle.dumps(vocab))
    np.testing.assert_array_equal(clone.encode(["hole"])[0], vocab.encode(["hole"])[0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda v: v.encode(["a", "q"]), r"sequences\[1\] holds the token 'q'"),
        (lambda v: v.encode(["a"], add_bos=True), "add_bos=True needs a bos_token"),
        (lambda v: v.decode([[0, 7]]), r"codes\[0, 1\]=7 is not a code"),
        (lambda v: v.decode([[0, 1]], [3]), r"lengths\[0\]=3 exceeds"),
        (lambda v: v.decode([0, 1]), "codes must be 2D"),
    ],
)
def test_vocabulary_bad_input_raises_value_error(call, match):
    vocab = TokenVocabulary(unk_token=None).fit(["ab"])
    with pytest.raises(ValueError, match=match):
        call(vocab)


def test_vocabulary_rejects_single_string_and_unfitted_use():
    with pytest.raises(TypeError, match="single string"):
        TokenVocabulary().fit("abc")
    with pytest.raises(AttributeError, match="not fitted"):
        TokenVocabulary().encode(["a"])


def test_vocabulary_is_not_an_estimator_for_the_common_checks():
    assert "TokenVocabulary" not in {name for name, _ in all_estimators()}


# -- the label-sequence target contract ------------------------------------------------


@pytest.mark.parametrize(
    "y, expected_seqs, kind",
    [
        (["ab", "c"], [["a", "b"], ["c"]], "strings"),
        (np.array(["ab", "c"]), [["a", "b"], ["c"]], "strings"),
        (pd.Series(["ab", "c"]), [["a", "b"], ["c"]], "strings"),
        ([[1, 2], [3]], [[1, 2], [3]], "sequences"),
        ([("the", "cat"), ()], [["the", "cat"], []], "sequences"),
        ([np.array([4, 5]), np.array([6])], [[4, 5], [6]], "sequences"),
        (np.array([7, 8, 7]), [[7], [8], [7]], "1d"),
        ([7, 8, 7], [[7], [8], [7]], "1d"),
        (np.array([[1.0, 2.0, np.nan], [3.0, np.nan, np.nan]]), [[1.0, 2.0], [3.0]], "padded"),
        (np.array([["a", "b", None], ["c", None, None]], dtype=object),
         [["a", "b"], ["c"]], "padded"),
    ],
)
def test_check_label_sequences_reads_every_kind(y, expected_seqs, kind):
    seqs, record = check_label_sequences(y)
    assert seqs == expected_seqs
    assert record.kind == kind


def test_dataframe_is_a_padded_array():
    frame = pd.DataFrame({"t0": [1.0, 2.0], "t1": [3.0, np.nan]})
    seqs, kind = check_label_sequences(frame)
    assert seqs == [[1.0, 3.0], [2.0]] and kind.kind == "padded"


def test_check_label_sequences_returns_python_scalars():
    seqs, _ = check_label_sequences(np.array([[1, 2], [3, 4]]))
    assert type(seqs[0][0]) is int


@pytest.mark.parametrize(
    "y, predicted, expected",
    [
        (["ab", "c"], [["b", "a"], []], ["ba", ""]),
        ([[1, 2], [3]], [[3], [2, 1]], [[3], [2, 1]]),
        (np.array([7, 8, 7]), [[8], [], [7, 8]], np.array([8, 7, 7])),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), [[3.0, 2.0, 1.0], [1.0]],
         np.array([[3.0, 2.0, 1.0], [1.0, np.nan, np.nan]])),
        (np.array([[1, 2], [3, 4]]), [[5], [6]], np.array([[5.0, np.nan], [6.0, np.nan]])),
        (np.array([[1, 2], [3, 4]]), [[5, 6], [7, 8]], np.array([[5, 6], [7, 8]])),
    ],
)
def test_restore_returns_the_kind_fit_received(y, predicted, expected):
    _, kind = check_label_sequences(y)
    restored = restore_label_sequences(predicted, kind)
    if isinstance(expected, list):
        assert restored == expected
    else:
        assert isinstance(restored, np.ndarray)
        assert restored.dtype == expected.dtype
        np.testing.assert_array_equal(restored, expected)


def test_restore_1d_empty_prediction_gets_the_most_frequent_label():
    # 7 appears twice, 8 once: hand count.
    _, kind = check_label_sequences(np.array([8, 7, 7]))
    assert restore_label_sequences([[]], kind)[0] == 7


def test_explicit_pad_value_round_trips():
    y = np.array([[1, 2, -1], [3, -1, -1]])
    seqs, kind = check_label_sequences(y, pad_value=-1)
    assert seqs == [[1, 2], [3]]
    np.testing.assert_array_equal(restore_label_sequences(seqs, kind), y)


def test_string_array_input_returns_an_array():
    _, kind = check_label_sequences(np.array(["ab", "c"]))
    out = restore_label_sequences([["x"], ["y", "z"]], kind)
    assert isinstance(out, np.ndarray) and out.tolist() == ["x", "yz"]


def test_label_sequence_kind_pickles():
    _, kind = check_label_sequences(np.array([[1.0, np.nan]]))
    assert pickle.loads(pickle.dumps(kind)) == kind


@pytest.mark.parametrize(
    "y, kwargs, error, match",
    [
        (None, {}, ValueError, "requires y to be passed, but the target y is None"),
        ([], {}, ValueError, "y is empty"),
        (np.array([]), {}, ValueError, "y is empty"),
        ("abc", {}, TypeError, "single string"),
        (np.zeros((2, 2, 2)), {}, ValueError, "3 dimensions"),
        ([[1, None], [2]], {}, ValueError, "Row 0 of y holds the token None at position 1"),
        ([[1.0], [float("nan")]], {}, ValueError, "Row 1 of y holds the token nan"),
        (np.array([[1.0, np.nan, 2.0]]), {}, ValueError, "row 0, position 1"),
        (np.array([[1, -1, 2]]), {"pad_value": -1}, ValueError, "pad value -1 at row 0"),
        ([[1, 2], ["a"]], {}, TypeError, r"mixes token types: int \(row 0\) and str \(row 1\)"),
        (["ab", [1]], {}, TypeError, "row 0 is a string .* row 1 is a sequence"),
        ([[1], [[2]]], {}, TypeError, "Row 1 of y holds an unhashable token"),
        ([[1], [2]], {"n_samples": 3}, ValueError, "y has 2 rows but X has 3 samples"),
        ([[1], []], {"allow_empty": False}, ValueError, "Row 1 of y is an empty sequence"),
    ],
)
def test_check_label_sequences_bad_input(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_label_sequences(y, **kwargs)


def test_decode_zero_width_codes_gives_empty_sequences():
    vocab = TokenVocabulary(bos_token="<s>", eos_token="</s>").fit(["ab"])
    assert vocab.decode(np.zeros((2, 0), dtype=np.int64)) == [[], []]
