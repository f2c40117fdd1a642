"""Turning text into integer sequences: ``Tokenizer``, ``one_hot``, ``hashing_trick``.

Behaves like ``keras.preprocessing.text``::

    >>> t = Tokenizer()
    >>> t.fit_on_texts(["The earth is an awesome place live"])
    >>> t.texts_to_sequences(["The earth is an great place live"])
    [[1, 2, 3, 4, 6, 7]]

Rules worth knowing:

- Index 0 is never used (it is left for padding); the most frequent word gets 1.
- Words with equal counts keep the order in which they were first seen.
- With ``oov_token``, that token takes index 1 and every unknown word maps to it.
- ``num_words=n`` only limits *use*: ``texts_to_sequences`` keeps indices ``< n``, but
  ``word_index`` still holds every word seen.
"""

import hashlib
import json
from collections import OrderedDict, defaultdict

import numpy as np

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

_MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def _check_text(text, name="text"):
    if not isinstance(text, str):
        raise ValueError(f"`{name}` must be a str; received {type(text).__name__}: {text!r:.80}")


def text_to_word_sequence(text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Split ``text`` into words: lower-case it, turn every filter character into ``split``,
    split on ``split`` and drop empty pieces.

    >>> text_to_word_sequence("The cat sat on the mat.")
    ['the', 'cat', 'sat', 'on', 'the', 'mat']
    """
    _check_text(text)
    if not isinstance(split, str) or not split:
        raise ValueError(f"`split` must be a non-empty str; received {split!r}")
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


def _md5_hash(word):
    return int(hashlib.md5(word.encode("utf-8")).hexdigest(), 16)


def hashing_trick(text, n, hash_function=None, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Map each word of ``text`` to ``hash(word) % (n - 1) + 1``, an index in ``[1, n)``.

    ``hash_function`` is ``None`` (Python's ``hash``, which changes between runs unless
    ``PYTHONHASHSEED`` is set), ``'md5'`` (stable across runs) or any callable.
    Different words may share an index (a hash collision).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"`n` must be an int >= 2 (the size of the index space); received {n!r}")
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        hash_function = _md5_hash
    elif not callable(hash_function):
        raise ValueError(
            f"`hash_function` must be None, 'md5' or a callable; received {hash_function!r}"
        )
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [hash_function(w) % (n - 1) + 1 for w in words]


def one_hot(text, n, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Keras's (misnamed) ``one_hot``: integer-encode ``text`` by hashing each word into
    ``[1, n)`` with Python's ``hash``. See :func:`hashing_trick`."""
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower, split=split)


class Tokenizer:
    """Count the words of a corpus, rank them by frequency and turn texts into index lists.

    Args:
        num_words: keep only words with index ``< num_words`` when converting (None: all).
        filters: characters removed from the text (each becomes a separator).
        lower: lower-case texts first.
        split: word separator.
        char_level: treat every character as a token.
        oov_token: if given, it takes index 1 and replaces out-of-vocabulary words.
        document_count: how many documents were seen (restored by ``tokenizer_from_json``).

    A "text" may also be a list of already-split tokens; it is then used as is (lower-cased
    when ``lower``), as in Keras.
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, document_count=0, **kwargs):
        if "nb_words" in kwargs:  # the Keras 1 name
            num_words = kwargs.pop("nb_words")
        kwargs.pop("analyzer", None)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
        if num_words is not None and (
            isinstance(num_words, bool) or not isinstance(num_words, (int, np.integer))
            or num_words < 0
        ):
            raise ValueError(f"`num_words` must be None or an int >= 0; received {num_words!r}")
        if not isinstance(split, str) or not split:
            raise ValueError(f"`split` must be a non-empty str; received {split!r}")
        self.num_words = None if num_words is None else int(num_words)
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.document_count = document_count
        self.word_counts = OrderedDict()   # word -> how often it occurs
        self.word_docs = defaultdict(int)  # word -> in how many documents
        self.index_docs = defaultdict(int)  # index -> in how many documents
        self.word_index = {}
        self.index_word = {}

    # -- turning one text into tokens --------------------------------------------------
    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if isinstance(text, list):
                for w in text:
                    if not isinstance(w, str):
                        raise ValueError(
                            "a pre-split text must be a list of str; received an element "
                            f"of type {type(w).__name__}: {w!r:.80}"
                        )
                return [w.lower() for w in text] if self.lower else text
            _check_text(text)
            return text.lower() if self.lower else text
        _check_text(text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    @staticmethod
    def _check_many(texts, name):
        if isinstance(texts, (str, bytes)) or not hasattr(texts, "__iter__"):
            # a bare str is allowed by Keras (it iterates its characters), as seed 003 does
            if isinstance(texts, str):
                return texts
            raise ValueError(f"`{name}` must be a list of texts; received {type(texts).__name__}")
        return texts

    # -- fitting -----------------------------------------------------------------------
    def fit_on_texts(self, texts):
        """Count words in ``texts`` (a list of str, or of token lists) and rebuild the index."""
        for text in self._check_many(texts, "texts"):
            seq = self._tokens(text)
            self.document_count += 1
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(seq):
                self.word_docs[w] += 1
        # Most frequent first; sorted() is stable, so ties keep first-seen order.
        ranked = sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)
        vocab = [] if self.oov_token is None else [self.oov_token]
        vocab.extend(w for w, _ in ranked)
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Count document frequencies of indices (needed for ``tfidf`` on sequences)."""
        sequences = list(sequences)
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    # -- texts <-> sequences ---------------------------------------------------------
    def texts_to_sequences(self, texts):
        """Turn each text into a list of word indices (unknown words dropped, or ``oov``)."""
        return list(self.texts_to_sequences_generator(texts))

    def _oov_index(self):
        """The index of ``oov_token`` (None without one). Before any fit it is 1, the index
        ``fit_on_texts`` gives it (Keras returns None there, and ``[None, ...]``)."""
        if self.oov_token is None:
            return None
        index = self.word_index.get(self.oov_token)
        if index is None:
            if self.word_index:
                raise ValueError(f"Tokenizer: oov_token {self.oov_token!r} is not in "
                                 "word_index; was word_index replaced by hand?")
            return 1
        return index

    def texts_to_sequences_generator(self, texts):
        """Generator version of :meth:`texts_to_sequences` (one list per text)."""
        num_words = self.num_words
        oov_index = self._oov_index()
        for text in self._check_many(texts, "texts"):
            vect = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is not None:
                    if num_words and i >= num_words:
                        if oov_index is not None:
                            vect.append(oov_index)
                    else:
                        vect.append(i)
                elif self.oov_token is not None:
                    vect.append(oov_index)
            yield vect

    def sequences_to_texts(self, sequences):
        """Turn index lists back into space-joined texts."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Generator version of :meth:`sequences_to_texts`."""
        num_words = self.num_words
        oov_word = None if self._oov_index() is None else str(self.oov_token)
        for pos, seq in enumerate(self._check_many(sequences, "sequences")):
            if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__"):
                raise ValueError(f"sequences_to_texts: sequence {pos} must be a list of "
                                 f"indices; received {type(seq).__name__}: {seq!r:.80}")
            words = []
            for num in seq:
                # looked up by value, as Keras does: 3, 3.0 and np.int64(3) are index 3;
                # anything else (inf, NaN, -1, 'a') is an unknown index
                try:
                    word = self.index_word.get(num)
                except TypeError:  # unhashable: a list or an array inside a sequence
                    raise ValueError(f"sequences_to_texts: sequence {pos} holds {num!r:.80}, "
                                     "not a word index") from None
                if word is not None and not (num_words and num >= num_words):
                    words.append(word)
                elif oov_word is not None:
                    words.append(oov_word)
            yield " ".join(words)

    # -- bag-of-words matrices -------------------------------------------------------
    def texts_to_matrix(self, texts, mode="binary"):
        """One row per text, one column per index: see :meth:`sequences_to_matrix`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Bag-of-words matrix of shape ``(len(sequences), num_words)`` (float64).

        ``mode``: ``'binary'`` (1 if present), ``'count'``, ``'freq'`` (count / length) or
        ``'tfidf'`` ((1 + log count) * log(1 + docs / (1 + docs containing the word))).
        """
        if mode not in _MATRIX_MODES:
            raise ValueError(f"`mode` must be one of {_MATRIX_MODES}; received {mode!r}")
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ValueError(
                "Specify a dimension (`num_words` argument), or fit on some text data first."
            )
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            if not len(seq):
                continue
            counts = defaultdict(int)
            for j in seq:
                if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or j < 0:
                    raise ValueError(f"sequences_to_matrix: sequence {row} holds {j!r:.80}, "
                                     "not a word index (an int >= 0)")
                if j < num_words:
                    counts[j] += 1
            for j, c in counts.items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:  # tfidf
                    tf = 1 + np.log(c)
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = tf * idf
        return x

    # -- saving ------------------------------------------------------------------------
    def get_config(self):
        """The settings and vocabulary; the tables are JSON strings as in Keras."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """A JSON string that :func:`tokenizer_from_json` turns back into a Tokenizer."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)


def tokenizer_from_json(json_string):
    """Rebuild a :class:`Tokenizer` from :meth:`Tokenizer.to_json` output."""
    try:
        config = dict(json.loads(json_string)["config"])
        tables = {k: json.loads(config.pop(k)) for k in
                  ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    except (TypeError, KeyError, ValueError) as e:
        raise ValueError(f"`json_string` is not a Tokenizer JSON config: {e}") from None
    tokenizer = Tokenizer(**config)
    # JSON object keys are strings; the integer-keyed tables get their ints back.
    tokenizer.word_counts = OrderedDict(tables["word_counts"])
    tokenizer.word_docs = defaultdict(int, tables["word_docs"])
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in tables["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in tables["index_word"].items()}
    tokenizer.word_index = tables["word_index"]
    return tokenizer


__all__ = ["Tokenizer", "tokenizer_from_json", "text_to_word_sequence", "one_hot",
           "hashing_trick", "DEFAULT_FILTERS"]
