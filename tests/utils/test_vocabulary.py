import pickle

import numpy as np
import pytest

from sklseq.utils import TokenVocabulary, all_estimators


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


def test_decode_zero_width_codes_gives_empty_sequences():
    vocab = TokenVocabulary(bos_token="<s>", eos_token="</s>").fit(["ab"])
    assert vocab.decode(np.zeros((2, 0), dtype=np.int64)) == [[], []]
