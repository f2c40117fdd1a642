"""saessak.text.generate: sampling rules checked against their definitions, the three
vocabulary levels on rule-based models, streaming, seeding, and a trained model."""

import numpy as np
import pytest

import saessak as keras
from saessak.preprocessing.text import Tokenizer
from saessak.text import generate, join_jamos, sample_next, split_syllables


class NextTokenModel:
    """A stand-in language model: after token i it predicts ``table[i]`` with probability
    ``confidence``, the rest spread evenly. Records the inputs it was given."""

    def __init__(self, table, vocab_size, confidence=0.9, sequence_output=False, logits=False):
        self.table, self.vocab_size = table, vocab_size
        self.confidence, self.sequence_output, self.logits = confidence, sequence_output, logits
        self.seen = []

    def _probs(self, last):
        p = np.full(self.vocab_size, (1 - self.confidence) / (self.vocab_size - 1))
        p[self.table[last]] = self.confidence
        return np.log(p) + 3.0 if self.logits else p  # logits: any shift of log p

    def predict_on_batch(self, x):
        x = np.asarray(x)
        self.seen.append(x.copy())
        if self.sequence_output:
            return np.stack([[self._probs(t) for t in row] for row in x])
        return np.stack([self._probs(row[-1]) for row in x])


def cycle(n):
    return {i: (i + 1) % n for i in range(n)}


# -- the sampling rules ---------------------------------------------------------------------
def _frequencies(probs, n=20000, **kwargs):
    rng = np.random.default_rng(0)
    draws = [sample_next(probs, rng=rng, **kwargs) for _ in range(n)]
    return np.bincount(draws, minlength=len(probs)) / n


def test_temperature_one_samples_the_model_distribution():
    p = np.array([0.1, 0.2, 0.7])
    # 20,000 draws: each frequency is within 4 standard deviations (< 0.013) of p
    np.testing.assert_allclose(_frequencies(p), p, atol=0.013)


def test_temperature_sharpens_and_flattens():
    p = np.array([0.1, 0.2, 0.7])
    # softmax(log p / T) is p ** (1/T), renormalised
    for temperature in (0.5, 2.0):
        expected = p ** (1 / temperature) / np.sum(p ** (1 / temperature))
        np.testing.assert_allclose(_frequencies(p, temperature=temperature), expected,
                                   atol=0.013)


def test_greedy_top_k_and_top_p():
    p = np.array([0.1, 0.2, 0.7])
    assert sample_next(p, greedy=True) == 2
    assert sample_next(p, temperature=0) == 2
    assert set(np.nonzero(_frequencies(p, n=3000, top_k=1))[0]) == {2}
    two = _frequencies(p, n=6000, top_k=2)
    assert two[0] == 0
    np.testing.assert_allclose(two[1:], [2 / 9, 7 / 9], atol=0.03)
    # nucleus: 0.7 alone is below 0.75, so 0.2 joins it; 0.5 keeps the top token only
    assert _frequencies(p, n=3000, top_p=0.75)[0] == 0
    assert set(np.nonzero(_frequencies(p, n=3000, top_p=0.5))[0]) == {2}


def test_logits_are_recognised():
    p = np.array([0.1, 0.2, 0.7])
    logits = np.log(p) + 5.0  # not a distribution: read as logits
    np.testing.assert_allclose(_frequencies(logits), p, atol=0.013)
    # an explicit from_logits wins over the guess
    assert sample_next(np.array([0.0, 1.0, 0.0]), greedy=True, from_logits=True) == 1


@pytest.mark.parametrize("kwargs, match", [
    ({"temperature": -1}, "temperature"), ({"top_k": 0}, "top_k"), ({"top_p": 0}, "top_p"),
    ({"top_p": 1.5}, "top_p")])
def test_bad_sampling_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample_next(np.array([0.5, 0.5]), **kwargs)


# -- vocabularies and models ---------------------------------------------------------------
def test_char_level_greedy_follows_the_model():
    vocab = list("abcd")
    model = NextTokenModel(cycle(4), 4)
    assert generate(model, "a", 6, greedy=True, vocab=vocab) == "abcdabc"
    # without a fixed input length the model sees the whole text so far
    assert [s.shape[1] for s in model.seen] == [1, 2, 3, 4, 5, 6]


def test_word_level_with_window_and_padding():
    vocab = ["<pad>", "the", "cat", "sat", "down"]
    table = {0: 1, 1: 2, 2: 3, 3: 4, 4: 1}
    model = NextTokenModel(table, 5)
    text = generate(model, "the", 4, greedy=True, vocab=vocab, level="word", seq_length=3)
    assert text == "the cat sat down the"
    assert model.seen[0].tolist() == [[0, 0, 1]]           # pre-padded to 3
    assert model.seen[-1].tolist() == [[2, 3, 4]]          # the last 3 words
    post = NextTokenModel(table, 5, sequence_output=True)
    assert generate(post, "the", 2, greedy=True, vocab=vocab, level="word", seq_length=3,
                    padding="post") == "the cat sat"
    assert post.seen[0].tolist() == [[1, 0, 0]]            # read at the last real word


def test_unknown_words_map_to_unk_or_are_dropped():
    vocab = ["a", "b", "UNK"]
    model = NextTokenModel({0: 1, 1: 0, 2: 0}, 3)
    assert generate(model, "a zzz", 1, greedy=True, vocab=vocab, level="word",
                    unknown="UNK") == "a zzz a"           # after UNK the rule says 'a'
    assert model.seen[0].tolist() == [[0, 2]]
    dropped = NextTokenModel({0: 1, 1: 0, 2: 0}, 3)
    generate(dropped, "a zzz", 1, greedy=True, vocab=vocab, level="word")
    assert dropped.seen[0].tolist() == [[0]]


def test_jamo_level_joins_letters_into_syllables():
    letters = ["ㅎ", "ㅏ", "ㄴ", "ㄱ", "ㅡ", "ㄹ", " "]
    # 한글 한글 ...: ㅎ ㅏ ㄴ ㄱ ㅡ ㄹ ' ' then again
    table = {i: (i + 1) % len(letters) for i in range(len(letters))}
    model = NextTokenModel(table, len(letters))
    text = generate(model, "한글 ", 12, greedy=True, vocab=letters, level="jamo")
    letters_out = split_syllables("한글 ") + "ㅎㅏㄴㄱㅡㄹ ㅎㅏㄴㄱㅡ"
    assert text == join_jamos(letters_out) == "한글 한글 한그"
    # a jamo may finish the seed's last syllable: 하 + ㄴ = 한
    model = NextTokenModel(table, len(letters))
    assert generate(model, "하", 4, greedy=True, vocab=letters, level="jamo") == "한글"


def test_streaming_pieces_add_up_and_never_change():
    letters = ["ㅎ", "ㅏ", "ㄴ", "ㄱ", "ㅡ", "ㄹ", " "]
    table = {i: (i + 1) % len(letters) for i in range(len(letters))}
    pieces = list(generate(NextTokenModel(table, 7), "한글 ", 13, greedy=True,
                           vocab=letters, level="jamo", stream=True))
    full = generate(NextTokenModel(table, 7), "한글 ", 13, greedy=True, vocab=letters,
                    level="jamo")
    assert "한글 " + "".join(pieces) == full == "한글 한글 한글"
    assert all(p for p in pieces)
    got = []
    words = ["<pad>", "the", "cat"]
    text = generate(NextTokenModel({0: 1, 1: 2, 2: 1}, 3), "the", 3, greedy=True,
                    vocab=words, level="word", stream=got.append)
    assert got == [" cat", " the", " cat"] and text == "the cat the cat"


def test_same_seed_same_text():
    vocab = list("abcdefgh")
    model = NextTokenModel(cycle(8), 8, confidence=0.3)
    first = generate(model, "a", 40, vocab=vocab, seed=7)
    assert first == generate(model, "a", 40, vocab=vocab, seed=7)
    assert first != generate(model, "a", 40, vocab=vocab, seed=8)
    assert len(first) == 41 and set(first) <= set(vocab)


def test_tokenizer_vocabulary():
    t = Tokenizer()
    t.fit_on_texts(["the cat sat on the mat"])  # the 1, cat 2, sat 3, on 4, mat 5
    model = NextTokenModel({0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 1}, 6, logits=True)
    assert generate(model, "the", 5, greedy=True, tokenizer=t) == "the cat sat on mat the"
    # the seed text goes through the tokenizer's lower-casing and filters
    model.seen.clear()
    assert generate(model, "The, cat!", 1, greedy=True, tokenizer=t) == "The, cat! sat"
    assert model.seen[0].tolist() == [[1, 2]]


def test_argument_errors():
    model = NextTokenModel(cycle(2), 2)
    with pytest.raises(ValueError, match="vocab"):
        generate(model, "a", 1)
    with pytest.raises(ValueError, match="level"):
        generate(model, "a", 1, vocab="ab", level="byte")
    with pytest.raises(ValueError, match="unknown"):
        generate(model, "a", 1, vocab="ab", unknown="UNK")
    with pytest.raises(ValueError, match="length"):
        generate(model, "a", -1, vocab="ab")
    with pytest.raises(ValueError, match="no token"):
        generate(model, "zz", 1, vocab="ab")


def test_a_trained_char_model_continues_its_pattern():
    keras.utils.set_random_seed(0)
    text = "abcd" * 60
    vocab = sorted(set(text))
    ids = np.array([vocab.index(c) for c in text])
    x = np.stack([ids[i:i + 8] for i in range(len(ids) - 8)])
    y = ids[8:]
    model = keras.Sequential([keras.layers.Embedding(4, 8), keras.layers.LSTM(16),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    out = generate(model, "abcdab", 10, greedy=True, vocab=vocab, seq_length=8)
    assert out == "abcdab" + "cdabcdabcd"
    sampled = generate(model, "abcdab", 10, temperature=0.5, vocab=vocab, seq_length=8, seed=0)
    assert len(sampled) == 16 and set(sampled) <= set(vocab)


def test_avoided_tokens_are_never_generated():
    vocab = ["a", "b", "UNK"]
    model = NextTokenModel({0: 2, 1: 2, 2: 2}, 3, confidence=0.98)  # UNK almost always
    assert generate(model, "a", 5, greedy=True, vocab=vocab, level="char") == "aUNKUNKUNKUNKUNK"
    text = generate(model, "a", 30, vocab=vocab, level="char", avoid=["UNK"], seed=0)
    assert "UNK" not in text and len(text) == 31
    with pytest.raises(ValueError, match="avoid"):
        generate(model, "a", 1, vocab=vocab, avoid=["zzz"])
