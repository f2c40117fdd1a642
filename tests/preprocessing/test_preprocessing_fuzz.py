"""Random and hostile input for Tokenizer and pad_sequences: each call works or raises a
clear ValueError (seeded loops; no other exception type may escape)."""

import random

import numpy as np
import pytest

from saessak.preprocessing.sequence import pad_sequences
from saessak.preprocessing.text import Tokenizer, text_to_word_sequence

ALPHABET = "abc ABC 가나다 ,.!?\t\n\r\x00\x85\u200b\ufeff😀\ud800" + "".join(map(chr, range(32)))


def _random_text(r):
    kind = r.random()
    if kind < 0.05:
        return "word " * r.randint(10_000, 50_000)  # a huge line
    if kind < 0.1:
        return ""
    return "".join(r.choice(ALPHABET) for _ in range(r.randint(1, 60)))


def _hostile_item(r):
    return r.choice([None, 3, 4.5, b"bytes", ["ok", "list"], ["ok", 5], {"a": 1}, object(),
                     _random_text(r)])


@pytest.mark.parametrize("seed", range(4))
def test_tokenizer_fuzz(seed):
    r = random.Random(seed)
    for _ in range(30):
        t = Tokenizer(num_words=r.choice([None, 1, 5, 50]), oov_token=r.choice([None, "<u>"]),
                      char_level=r.random() < 0.3, lower=r.random() < 0.8)
        texts = [_random_text(r) if r.random() < 0.8 else _hostile_item(r)
                 for _ in range(r.randint(0, 6))]
        try:
            t.fit_on_texts(texts)
            seqs = t.texts_to_sequences(texts)
        except ValueError as e:
            assert "str" in str(e) or "list" in str(e)
            continue
        n = len(t.word_index)
        assert all(1 <= i <= n for s in seqs for i in s)
        if t.num_words:
            oov = t.word_index.get(t.oov_token)
            assert all(i < t.num_words or i == oov for s in seqs for i in s)
        try:
            m = t.texts_to_matrix(texts, mode=r.choice(["binary", "count", "freq", "tfidf"]))
        except ValueError as e:  # nothing fitted yet: Keras refuses the same way
            assert "fit" in str(e).lower()
        else:
            assert m.shape[0] == len(texts) and np.isfinite(m).all()
        assert len(t.sequences_to_texts(seqs)) == len(seqs)


def test_text_to_word_sequence_never_yields_empty_words():
    r = random.Random(9)
    for _ in range(200):
        words = text_to_word_sequence(_random_text(r))
        assert all(words) and all(" " not in w for w in words)


def _random_sequence(r):
    kind = r.random()
    if kind < 0.5:
        return [r.randint(-5, 10**6) for _ in range(r.randint(0, 8))]
    if kind < 0.6:
        return np.arange(r.randint(0, 5))
    return _hostile_item(r) if r.random() < 0.5 else [[1, 2], [3]]


@pytest.mark.parametrize("seed", range(4))
def test_pad_sequences_fuzz(seed):
    r = random.Random(seed)
    for _ in range(200):
        seqs = [_random_sequence(r) for _ in range(r.randint(0, 5))]
        kwargs = {"maxlen": r.choice([None, 0, 1, 3, 100, -1, 2.5]),
                  "padding": r.choice(["pre", "post", "both"]),
                  "truncating": r.choice(["pre", "post", None]),
                  "dtype": r.choice(["int32", "float32", "int64"]),
                  "value": r.choice([0, -1, 0.5, "x"])}
        try:
            out = pad_sequences(seqs, **kwargs)
        except ValueError:
            continue
        assert out.shape[0] == len(seqs)
        if kwargs["maxlen"] is not None:
            assert out.shape[1] == kwargs["maxlen"]
