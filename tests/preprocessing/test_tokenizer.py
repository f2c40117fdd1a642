"""Tokenizer and friends against the seeds' printed outputs and Keras's documented rules."""

import json
from collections import OrderedDict

import numpy as np
import pytest

from saessak.preprocessing.text import (
    Tokenizer,
    hashing_trick,
    one_hot,
    text_to_word_sequence,
    tokenizer_from_json,
)

SEED002_SAMPLES = ["The cat sat on the mat.", "The dog ate my homework."]


def test_seed002_finds_nine_unique_tokens_the_first():
    t = Tokenizer(num_words=1000)
    t.fit_on_texts(SEED002_SAMPLES)
    assert len(t.word_index) == 9
    assert t.word_index == {"the": 1, "cat": 2, "sat": 3, "on": 4, "mat": 5, "dog": 6,
                            "ate": 7, "my": 8, "homework": 9}
    assert t.texts_to_sequences(SEED002_SAMPLES) == [[1, 2, 3, 4, 1, 5], [1, 6, 7, 8, 9]]
    m = t.texts_to_matrix(SEED002_SAMPLES, mode="binary")
    assert m.shape == (2, 1000) and m.dtype == np.float64
    assert np.flatnonzero(m[0]).tolist() == [1, 2, 3, 4, 5]
    assert np.flatnonzero(m[1]).tolist() == [1, 6, 7, 8, 9]


def test_seed003_section5_tokenizer_example():
    t = Tokenizer()
    t.fit_on_texts(["The earth is an awesome place live"])
    assert t.texts_to_sequences(["The earth is an great place live"])[0] == [1, 2, 3, 4, 6, 7]
    assert t.word_index == {"the": 1, "earth": 2, "is": 3, "an": 4, "awesome": 5,
                            "place": 6, "live": 7}


def test_seed003_korean_text_generation_example():
    text = "경마장에 있는 말이 뛰고 있다\n\n그의 말이 법이다\n\n가는 말이 고와야 오는 말이 곱다\n"
    t = Tokenizer()
    t.fit_on_texts([text])
    assert len(t.word_index) + 1 == 12
    assert t.word_index == {"말이": 1, "경마장에": 2, "있는": 3, "뛰고": 4, "있다": 5, "그의": 6,
                            "법이다": 7, "가는": 8, "고와야": 9, "오는": 10, "곱다": 11}
    sequences = []
    for line in text.split("\n"):
        encoded = t.texts_to_sequences([line])[0]
        sequences += [encoded[: i + 1] for i in range(1, len(encoded))]
    assert sequences == [[2, 3], [2, 3, 1], [2, 3, 1, 4], [2, 3, 1, 4, 5], [6, 1], [6, 1, 7],
                         [8, 1], [8, 1, 9], [8, 1, 9, 10], [8, 1, 9, 10, 1],
                         [8, 1, 9, 10, 1, 11]]


def test_ties_keep_first_seen_order_and_counts():
    t = Tokenizer()
    t.fit_on_texts(["b a c", "c a", "d"])
    # a and c tie at 2 and a was seen first; b and d tie at 1 and b was seen first
    assert list(t.word_counts.items()) == [("b", 1), ("a", 2), ("c", 2), ("d", 1)]
    assert isinstance(t.word_counts, OrderedDict)
    assert t.word_index == {"a": 1, "c": 2, "b": 3, "d": 4}
    assert t.index_word == {1: "a", 2: "c", 3: "b", 4: "d"}
    assert t.word_docs == {"b": 1, "a": 2, "c": 2, "d": 1}
    assert t.index_docs == {3: 1, 1: 2, 2: 2, 4: 1}
    assert t.document_count == 3


def test_num_words_limits_use_not_index():
    t = Tokenizer(num_words=3)
    t.fit_on_texts(["a a a b b c"])
    assert t.word_index == {"a": 1, "b": 2, "c": 3}
    assert t.texts_to_sequences(["a b c d"]) == [[1, 2]]
    assert t.sequences_to_texts([[1, 2, 3, 99]]) == ["a b"]
    assert t.texts_to_matrix(["a b c"], mode="count").shape == (1, 3)


def test_oov_token_takes_index_one_and_replaces_cut_words():
    t = Tokenizer(num_words=3, oov_token="<OOV>")
    t.fit_on_texts(["a a a b b c"])
    assert t.word_index == {"<OOV>": 1, "a": 2, "b": 3, "c": 4}
    # b (3) and c (4) are >= num_words, d is unknown: all become the OOV index
    assert t.texts_to_sequences(["a b c d"]) == [[2, 1, 1, 1]]
    assert t.sequences_to_texts([[2, 3, 42]]) == ["a <OOV> <OOV>"]


def test_seed000_index_word_cutoff_behaviour():
    # index num_words-1 is used, index num_words is dropped (seed 000, example 7.26)
    words = [f"w{i}" for i in range(1, 6)]
    t = Tokenizer(num_words=4)
    t.fit_on_texts([" ".join(words[: i + 1]) for i in range(5)][::-1])
    assert t.index_word[3] == "w3" and t.index_word[4] == "w4"
    assert t.texts_to_sequences(["$$$$", "w3", "w4", "w1"]) == [[], [3], [], [1]]


def test_char_level_and_lists_of_tokens():
    t = Tokenizer(char_level=True)
    t.fit_on_texts(["abba", "Ac"])
    assert t.word_index == {"a": 1, "b": 2, "c": 3}
    assert t.texts_to_sequences(["cab!"]) == [[3, 1, 2]]
    t2 = Tokenizer()
    t2.fit_on_texts([["Hello", "World"], ["hello"]])
    assert t2.word_index == {"hello": 1, "world": 2}
    assert t2.texts_to_sequences([["HELLO", "x"]]) == [[1]]


def test_korean_text_and_empty_texts():
    t = Tokenizer()
    t.fit_on_texts(["", "아 더빙 진짜 짜증나네요", "아 목소리", "   "])
    assert t.document_count == 4
    assert t.word_index["아"] == 1
    assert t.texts_to_sequences(["", "아 목소리 없는말"]) == [[], [1, 5]]
    assert t.texts_to_matrix([""]).sum() == 0
    empty = Tokenizer()
    empty.fit_on_texts([])
    assert empty.word_index == {} and empty.texts_to_sequences(["x"]) == [[]]
    with pytest.raises(ValueError, match="num_words"):
        empty.texts_to_matrix(["x"])


def test_matrix_modes_by_hand():
    t = Tokenizer()
    t.fit_on_texts(["a a b", "b c"])  # a:1 b:2 c:3 (a,b tie at 2; a first)
    seqs = [[1, 1, 2], [2, 3]]
    assert t.sequences_to_matrix(seqs, "count").tolist() == [[0, 2, 1, 0], [0, 0, 1, 1]]
    np.testing.assert_allclose(t.sequences_to_matrix(seqs, "freq")[0], [0, 2 / 3, 1 / 3, 0])
    tfidf = t.sequences_to_matrix(seqs, "tfidf")
    # tf = 1 + ln(count); idf = ln(1 + docs / (1 + docs containing))
    np.testing.assert_allclose(tfidf[0, 1], (1 + np.log(2)) * np.log(1 + 2 / 2))
    np.testing.assert_allclose(tfidf[0, 2], 1.0 * np.log(1 + 2 / 3))
    with pytest.raises(ValueError, match="mode"):
        t.sequences_to_matrix(seqs, "bogus")
    fresh = Tokenizer(num_words=5)
    with pytest.raises(ValueError, match="tfidf"):
        fresh.sequences_to_matrix(seqs, "tfidf")


def test_fit_on_sequences_counts_documents():
    t = Tokenizer(num_words=4)
    t.fit_on_sequences([[1, 1, 2], [2, 3]])
    assert t.document_count == 2 and dict(t.index_docs) == {1: 1, 2: 2, 3: 1}


def test_generator_matches_list():
    t = Tokenizer()
    t.fit_on_texts(SEED002_SAMPLES)
    assert list(t.texts_to_sequences_generator(SEED002_SAMPLES)) == t.texts_to_sequences(
        SEED002_SAMPLES)


def test_json_round_trip():
    t = Tokenizer(num_words=5, oov_token="?")
    t.fit_on_texts(SEED002_SAMPLES)
    s = t.to_json()
    assert json.loads(s)["class_name"] == "Tokenizer"
    t2 = tokenizer_from_json(s)
    assert t2.word_index == t.word_index and t2.index_word == t.index_word
    assert t2.word_counts == t.word_counts and t2.index_docs == t.index_docs
    assert t2.document_count == 2 and t2.num_words == 5 and t2.oov_token == "?"
    assert t2.texts_to_sequences(["the cat flew"]) == t.texts_to_sequences(["the cat flew"])
    np.testing.assert_array_equal(t2.texts_to_matrix(SEED002_SAMPLES, "tfidf"),
                                  t.texts_to_matrix(SEED002_SAMPLES, "tfidf"))
    with pytest.raises(ValueError, match="json_string"):
        tokenizer_from_json('{"nope": 1}')


def test_text_to_word_sequence_and_hashing():
    assert text_to_word_sequence("Hello, World! a-b\tc\n") == ["hello", "world", "a", "b", "c"]
    assert text_to_word_sequence("A|B", filters="", lower=False, split="|") == ["A", "B"]
    h = hashing_trick("the cat the", 10, hash_function="md5")
    assert h[0] == h[2] and all(1 <= v < 10 for v in h)
    assert h == hashing_trick("The cat, the", 10, hash_function="md5")  # stable
    assert hashing_trick("a", 2, hash_function=lambda w: 7) == [1]
    assert all(1 <= v < 5 for v in one_hot("some words here", 5))
    with pytest.raises(ValueError, match="`n`"):
        hashing_trick("a", 1)
    with pytest.raises(ValueError, match="hash_function"):
        hashing_trick("a", 5, hash_function="sha1")


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer(num_words=-1)
    with pytest.raises(ValueError, match="split"):
        Tokenizer(split="")
    with pytest.raises(TypeError, match="bogus"):
        Tokenizer(bogus=1)
    t = Tokenizer()
    with pytest.raises(ValueError, match="str"):
        t.fit_on_texts([123])
    with pytest.raises(ValueError, match="list of texts"):
        t.fit_on_texts(5)
