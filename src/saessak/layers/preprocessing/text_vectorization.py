"""TextVectorization: strings in, token ids (or bag-of-words vectors) out, inside a model.

The pipeline is Keras's: standardize (lower-case, strip punctuation) -> split (on
whitespace) -> optional n-grams -> look each token up in a vocabulary learned by
``adapt``. In ``'int'`` mode index 0 is the padding token ``''`` and index 1 the unknown
token ``'[UNK]'``; the bag modes (``multi_hot``, ``count``, ``tf_idf``) have no padding
token, so ``'[UNK]'`` is index 0.

>>> vectorize = TextVectorization(max_tokens=10, output_sequence_length=4)
>>> vectorize.adapt(["the cat sat", "the dog sat down"])
>>> vectorize(["the cat ran"]).numpy()
array([[2, 6, 1, 0]])
"""

from __future__ import annotations

import itertools
import os
import re
from collections import Counter

import numpy as np

from ...autograd import Tensor
from ..input_layer import is_symbolic
from ..layer import Layer
from .data_layer import adapt_batches
from .index_lookup import VocabularyInFiles, read_vocabulary_file

PAD, OOV = "", "[UNK]"
PUNCTUATION = re.compile(r"[!\"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~']")
_STANDARDIZE = {
    "lower_and_strip_punctuation": lambda s: PUNCTUATION.sub("", s.lower()),
    "lower": str.lower,
    "strip_punctuation": lambda s: PUNCTUATION.sub("", s),
    None: lambda s: s,
}
_SPLIT = {"whitespace": str.split, "character": list, None: lambda s: [s]}
_MODES = ("int", "multi_hot", "count", "tf_idf")


class TextVectorization(VocabularyInFiles, Layer):
    """Map raw strings to token ids or to fixed-width vectors, as Keras's layer does."""

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, vocabulary=None, idf_weights=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in _MODES:
            raise ValueError(f"TextVectorization: output_mode must be one of {_MODES}, "
                             f"received {output_mode!r}")
        if not (callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(f"TextVectorization: standardize must be one of "
                             f"{list(_STANDARDIZE)} or a callable, received {standardize!r}")
        if not (callable(split) or split in _SPLIT):
            raise ValueError(f"TextVectorization: split must be one of {list(_SPLIT)} or a "
                             f"callable, received {split!r}")
        if max_tokens is not None and max_tokens < (3 if output_mode == "int" else 2):
            raise ValueError(f"TextVectorization: max_tokens must leave room for the special "
                             f"tokens and one word, received {max_tokens}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("TextVectorization: output_sequence_length only applies to "
                             f"output_mode='int', received output_mode={output_mode!r}")
        self.max_tokens, self.output_mode = max_tokens, output_mode
        self.standardize, self.split = standardize, split
        self.ngrams = (tuple(range(1, ngrams + 1)) if isinstance(ngrams, int)
                       else tuple(ngrams) if ngrams else (1,))
        self.output_sequence_length = output_sequence_length
        self._vocabulary: list[str] = []
        self._index: dict[str, int] = {}
        self._idf = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # --- text -> tokens --------------------------------------------------------------------
    def _tokens(self, text) -> list[str]:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise ValueError(f"TextVectorization {self.name!r}: expected strings, received "
                             f"{type(text).__name__} {text!r}")
        std = self.standardize if callable(self.standardize) else _STANDARDIZE[self.standardize]
        words = (self.split if callable(self.split) else _SPLIT[self.split])(std(text))
        out = []
        for n in self.ngrams:  # n-grams of each size, joined by a space as in Keras
            out.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
        return out

    @staticmethod
    def _texts(data) -> list:
        if isinstance(data, Tensor):
            data = data.numpy()
        if hasattr(data, "as_numpy_iterator"):  # a saessak.data.Dataset of strings
            data = [t for batch in data.as_numpy_iterator() for t in np.ravel(batch)]
        if isinstance(data, str):
            raise ValueError("TextVectorization: expected a list or array of strings, "
                             "received a single string; wrap it in a list")
        return list(np.ravel(np.asarray(data, dtype=object)))

    # --- vocabulary --------------------------------------------------------------------------
    def _specials(self) -> list[str]:
        return [PAD, OOV] if self.output_mode == "int" else [OOV]

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary (and document frequencies for tf_idf) from ``data``: strings,
        or a Dataset (or another iterable) of batches of them, of which only the first
        ``steps`` when given."""
        counts, doc_counts, documents = Counter(), Counter(), 0
        one_batch = isinstance(data, (str, list, tuple, np.ndarray, Tensor))
        for batch in itertools.islice([data] if one_batch else adapt_batches(data), steps):
            texts = self._texts(batch)
            for text in texts:
                tokens = self._tokens(text)
                counts.update(tokens)
                doc_counts.update(set(tokens))
            documents += len(texts)
        # most frequent first; ties broken by the tokens' sort order, high to low (Keras)
        ranked = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        ranked = [t for t in ranked if t not in (PAD, OOV)]
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - len(self._specials())]
        idf = None
        if self.output_mode == "tf_idf":  # idf = ln(1 + N / (1 + document frequency))
            idf = [np.log(1 + documents / (1 + doc_counts[t])) for t in ranked]
        self.set_vocabulary(ranked, idf)

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use ``vocabulary`` (a list of tokens, or the path of a file with one a line);
        tf-idf weights come one per token, or one per index (the OOV index's first)."""
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = read_vocabulary_file(vocabulary)
        words = [t for t in vocabulary if t not in (PAD, OOV)]
        if len(set(words)) != len(words):
            raise ValueError(f"TextVectorization {self.name!r}: the vocabulary has repeated "
                             "tokens")
        self._vocabulary = self._specials() + words
        self._index = {t: i for i, t in enumerate(self._vocabulary)}
        if self.output_mode == "tf_idf":
            idf = None if idf_weights is None else np.asarray(idf_weights, np.float64).ravel()
            if idf is None or len(idf) not in (len(words), len(words) + 1):
                raise ValueError(f"TextVectorization {self.name!r}: tf_idf needs one idf "
                                 f"weight per token ({len(words)}), received "
                                 f"{None if idf is None else len(idf)}")
            if len(idf) == len(words):  # the OOV index's weight is their mean
                idf = np.concatenate([[idf.mean() if idf.size else 0.0], idf])
            self._idf = idf
        self.built = True

    def keras3_inner_variables(self) -> dict:
        """Keras 3's TextVectorization holds a lookup layer, ``_lookup_layer``, whose own
        group in a ``.keras`` file holds the tf-idf weights too: its variables, by path."""
        store = {}
        self.save_own_variables(store)
        return {"_lookup_layer": store}

    @property
    def idf_weights(self):
        """The tf-idf weight of each index (the OOV index's first), or None."""
        return None if self._idf is None else self._idf.astype(np.float32)

    def get_vocabulary(self, include_special_tokens=True) -> list[str]:
        if include_special_tokens:
            return list(self._vocabulary)
        return self._vocabulary[len(self._specials()):]

    def vocabulary_size(self) -> int:
        return len(self._vocabulary)

    # --- calling -------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if is_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        return self.call(inputs)  # strings never become float tensors

    def call(self, inputs):
        if not self._vocabulary:
            raise ValueError(f"TextVectorization {self.name!r}: no vocabulary yet; call "
                             "adapt(texts) or pass vocabulary=")
        oov = self._index[OOV]
        ids = [[self._index.get(t, oov) for t in self._tokens(text)]
               for text in self._texts(inputs)]
        if self.output_mode == "int":
            length = self.output_sequence_length or max((len(s) for s in ids), default=0)
            out = np.zeros((len(ids), length), dtype=np.int64)  # pad and cut at the end
            for row, seq in zip(out, ids):
                row[:min(len(seq), length)] = seq[:length]
            return Tensor(out)
        width = len(self._vocabulary)
        counts = np.zeros((len(ids), width), dtype=self.dtype)
        for row, seq in zip(counts, ids):
            np.add.at(row, seq, 1)
        if self.output_mode == "multi_hot":
            counts = np.minimum(counts, 1)
        elif self.output_mode == "tf_idf":
            counts = (counts * self._idf).astype(self.dtype)
        return Tensor(counts)

    def compute_output_shape(self, input_shape):
        batch = input_shape[0] if input_shape else None
        if self.output_mode == "int":
            return (batch, self.output_sequence_length)
        return (batch, len(self._vocabulary) or self.max_tokens)

    def get_config(self):
        if callable(self.standardize) or callable(self.split):
            raise ValueError(f"TextVectorization {self.name!r}: a callable standardize or "
                             "split cannot be saved in a config")
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "standardize": self.standardize, "split": self.split,
                "ngrams": list(self.ngrams), "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "vocabulary": self.get_vocabulary(include_special_tokens=False),
                "idf_weights": None if self._idf is None else self._idf[1:].tolist()}
