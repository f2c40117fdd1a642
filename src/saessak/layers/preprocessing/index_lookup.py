"""IndexLookup: the vocabulary lookup behind ``StringLookup`` and ``IntegerLookup``.

A vocabulary (given, or learned by ``adapt`` from the most frequent values) maps each value
to an index. Keras's index layout, for ``output_mode='int'``::

    [mask_token]   index 0, only when mask_token is set
    [OOV] * n      the next num_oov_indices indices
    tokens...      the vocabulary, most frequent first

A value not in the vocabulary gets the OOV index; with several OOV indices a string goes to
``fingerprint64(value) % n`` of them (as ``tf.strings.to_hash_bucket_fast``), an integer
to ``value mod n``. In the other output modes the mask token has no index and mask values
are dropped. ``invert=True`` maps indices back to values (unknown indices give the OOV
token). ``'one_hot'``, ``'multi_hot'``, ``'count'`` and ``'tf_idf'`` encode the indices as
``CategoryEncoding`` does; tf-idf weights are ``ln(1 + documents / (1 + document
frequency))``, the OOV weight their mean.
"""

from __future__ import annotations

import math
import os
from collections import Counter

import numpy as np

from .category_encoding import MODES, encode_categorical, encoded_shape
from .data_layer import DataLayer, adapt_batches, as_array, to_output
from .hashing import as_bytes, hash_to_buckets


def read_vocabulary_file(path) -> list[str]:
    """A vocabulary file's tokens, one a line (Keras's reading: trailing empty lines
    dropped; a leading empty line is the padding token ``''``)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    while lines and lines[-1] == "":
        lines.pop()
    return lines


class VocabularyInFiles:
    """How Keras 3's ``.keras`` files keep a vocabulary learned by ``adapt`` (one given in
    the config needs neither): the tokens, special ones first, as ``vocabulary.txt`` among
    the layer's assets, and tf-idf weights (one per index) as its variable
    ``idf_weights``. Saessak writes the vocabulary into the config, which Keras 3 reads
    too, and the tf-idf weights where Keras 3 looks for them."""

    def save_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = self.idf_weights

    def load_own_variables(self, store) -> None:
        self._stored_idf = np.asarray(store["idf_weights"]) if "idf_weights" in store else None
        if self._stored_idf is not None and self.get_vocabulary(include_special_tokens=False):
            self.set_vocabulary(self.get_vocabulary(), self._stored_idf)

    def load_assets(self, dir_path) -> None:
        path = os.path.join(dir_path, "vocabulary.txt")
        if os.path.isfile(path) and not self.get_vocabulary(include_special_tokens=False):
            tokens = [self._token_from_text(t) for t in read_vocabulary_file(path)]
            self.set_vocabulary(tokens, getattr(self, "_stored_idf", None))

    def _token_from_text(self, line):
        """A token as a vocabulary file spells it (IntegerLookup's are numbers)."""
        return line


class IndexLookup(VocabularyInFiles, DataLayer):
    """Shared machinery; use ``StringLookup`` or ``IntegerLookup``."""

    _kind = "IndexLookup"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(**kwargs)
        kind = self._kind
        # tf.keras 2.4-2.5 names: 'binary' is 'multi_hot', 'tf-idf' is 'tf_idf'
        output_mode = {"tf-idf": "tf_idf", "binary": "multi_hot"}.get(output_mode, output_mode)
        if output_mode not in ("int",) + MODES:
            raise ValueError(f"{kind}: output_mode must be one of {('int',) + MODES}, "
                             f"received {output_mode!r}")
        if max_tokens is not None and (isinstance(max_tokens, bool) or max_tokens <= 1):
            raise ValueError(f"{kind}: max_tokens must be None or an int > 1, received "
                             f"{max_tokens!r}")
        if isinstance(num_oov_indices, bool) or not isinstance(
                num_oov_indices, (int, np.integer)) or num_oov_indices < 0:
            raise ValueError(f"{kind}: num_oov_indices must be an int >= 0, received "
                             f"{num_oov_indices!r}")
        if invert and output_mode != "int":
            raise ValueError(f"{kind}: invert=True needs output_mode='int', received "
                             f"output_mode={output_mode!r}")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{kind}: idf_weights is only used with output_mode='tf_idf', "
                             f"received output_mode={output_mode!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{kind}: pad_to_max_tokens=True needs max_tokens")
        if sparse:
            raise ValueError(f"{kind}: sparse=True is not supported by saessak")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token = None if mask_token is None else self._key(mask_token)
        self.oov_token = self._key(oov_token)
        self.invert, self.output_mode = bool(invert), output_mode
        self.pad_to_max_tokens, self.sparse = bool(pad_to_max_tokens), False
        self._tokens: list = []
        self._index: dict = {}
        self._idf = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif output_mode == "tf_idf" and idf_weights is not None:
            raise ValueError(f"{kind}: idf_weights needs a vocabulary")

    # --- subclasses say what a key is --------------------------------------------------------
    def _key(self, value):
        raise NotImplementedError

    # --- the index layout ----------------------------------------------------------------------
    def _oov_start(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def _specials(self) -> list:
        mask = [self.mask_token] if self._oov_start() else []
        return mask + [self.oov_token] * self.num_oov_indices

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The tokens by index (with the mask and OOV tokens first, unless told not to)."""
        tokens = list(self._tokens)
        return self._specials() + tokens if include_special_tokens else tokens

    def vocabulary_size(self) -> int:
        """How many indices there are, mask and OOV indices included."""
        return self._token_start() + len(self._tokens)

    @property
    def idf_weights(self):
        return None if self._idf is None else self._idf.astype(np.float32)

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    # --- setting and learning the vocabulary -----------------------------------------------
    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use ``vocabulary`` (a list, an array or the path of a text file, one token a
        line). Special tokens may lead it in the layout order; elsewhere they are refused."""
        kind = f"{self._kind} {self.name!r}"
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = [self._token_from_text(t) for t in read_vocabulary_file(vocabulary)]
        tokens = [self._key(t) for t in np.ravel(as_array(vocabulary)).tolist()]
        specials = self._specials()
        found = bool(specials) and tokens[:len(specials)] == specials
        if found:
            tokens = tokens[len(specials):]
        repeated = sorted({str(t) for t, n in Counter(tokens).items() if n > 1})
        if repeated:
            raise ValueError(f"{kind}: the vocabulary has repeated terms: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{kind}: the mask token {self.mask_token!r} may only lead the "
                             f"vocabulary (before the OOV tokens), found it among the terms")
        if self.invert and self.oov_token in tokens:
            raise ValueError(f"{kind}: the OOV token {self.oov_token!r} may only lead the "
                             f"vocabulary, found it among the terms")
        if self.max_tokens is not None and len(tokens) + self._token_start() > self.max_tokens:
            raise ValueError(f"{kind}: the vocabulary has {len(tokens)} terms plus "
                             f"{self._token_start()} special indices, more than "
                             f"max_tokens={self.max_tokens}")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{kind}: output_mode='tf_idf' needs idf_weights with the "
                                 "vocabulary")
            idf = np.asarray(idf_weights, dtype=np.float64).ravel()
            if found or len(idf) == len(tokens) + self._token_start():
                idf = idf[-len(tokens):] if tokens else idf[:0]
            if len(idf) != len(tokens):
                raise ValueError(f"{kind}: idf_weights needs one weight per term "
                                 f"({len(tokens)}), received {len(idf)}")
            oov = idf.mean() if idf.size else 0.0
            self._idf = np.concatenate([np.full(self._token_start(), oov), idf])
        self._tokens = tokens
        self._index = {t: i + self._token_start() for i, t in enumerate(tokens)}
        self.built = True

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary: the most frequent values first (ties: the larger value
        first, as Keras sorts), at most ``max_tokens`` indices in all."""
        if self.invert:
            raise ValueError(f"{self._kind} {self.name!r}: an inverted lookup cannot adapt; "
                             "adapt a forward lookup and pass its vocabulary")
        counts, doc_counts, documents = Counter(), Counter(), 0
        for step, batch in enumerate(adapt_batches(data)):
            if steps is not None and step >= steps:
                break
            rows = batch.reshape(len(batch), -1) if batch.ndim >= 2 else batch.reshape(-1, 1)
            for row in rows.tolist():
                keys = [self._key(v) for v in row]
                counts.update(keys)
                doc_counts.update(set(keys))
            documents += len(rows)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ranked = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - self._token_start()]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + documents / (1 + doc_counts[t])) for t in ranked]
        self.set_vocabulary(ranked, idf)

    # --- calling ------------------------------------------------------------------------------
    def _keys(self, values: np.ndarray) -> list:
        return [self._key(v) for v in values.ravel().tolist()]

    def _oov_indices(self, keys: list) -> np.ndarray:
        """The OOV index of each key (used where the lookup missed)."""
        n = self.num_oov_indices
        if n == 1:
            return np.full(len(keys), self._oov_start(), dtype=np.int64)
        if isinstance(self.oov_token, str):
            buckets = hash_to_buckets([as_bytes(k) for k in keys], n)
        else:
            buckets = np.asarray(keys, dtype=np.int64) % n  # floor mod, as tf.math.floormod
        return buckets + self._oov_start()

    def _lookup(self, values: np.ndarray) -> np.ndarray:
        keys = self._keys(values)
        ids = np.fromiter((self._index.get(k, -1) for k in keys), dtype=np.int64,
                          count=len(keys))
        is_mask = np.fromiter((k == self.mask_token for k in keys), dtype=bool,
                              count=len(keys)) if self.mask_token is not None else None
        missing = ids < 0 if is_mask is None else (ids < 0) & ~is_mask
        if missing.any():
            if self.num_oov_indices == 0:
                unknown = sorted({str(k) for k, m in zip(keys, missing) if m})[:10]
                raise ValueError(f"{self._kind} {self.name!r}: with num_oov_indices=0 every "
                                 f"input must be in the vocabulary, found {unknown}; set "
                                 "num_oov_indices=1")
            where = np.flatnonzero(missing)
            ids[where] = self._oov_indices([keys[i] for i in where])
        if is_mask is not None:  # index 0 in 'int' mode; dropped by the encoders
            ids[is_mask] = 0 if self.output_mode == "int" else -1
        return ids.reshape(values.shape)

    def _invert(self, values: np.ndarray) -> np.ndarray:
        if values.dtype.kind not in "iu":
            raise ValueError(f"{self._kind} {self.name!r}: invert=True expects integer "
                             f"indices, received dtype {values.dtype}")
        table = self.get_vocabulary()
        size = len(table)
        flat = [table[i] if 0 <= i < size else self.oov_token for i in values.ravel().tolist()]
        return self._values_out(flat).reshape(values.shape)

    def _values_out(self, flat: list) -> np.ndarray:
        raise NotImplementedError

    def call(self, inputs):
        values = as_array(inputs)
        if self.invert:
            return to_output(self._invert(values))
        ids = self._lookup(values)
        if self.output_mode == "int":
            return to_output(ids)
        dtype = self.dtype if self.output_mode == "tf_idf" else np.int64
        return to_output(encode_categorical(
            ids, self._depth(), self.output_mode, dtype,
            idf_weights=None if self._idf is None else _pad(self._idf, self._depth()),
            caller=f"{self._kind} {self.name!r}"))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self._depth() if (self._tokens or self.pad_to_max_tokens) else self.max_tokens
        return encoded_shape(input_shape, depth, self.output_mode)

    def get_config(self):
        config = {**super().get_config(), "max_tokens": self.max_tokens,
                  "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                  "oov_token": self.oov_token, "invert": self.invert,
                  "output_mode": self.output_mode, "pad_to_max_tokens": self.pad_to_max_tokens,
                  "sparse": self.sparse,
                  "vocabulary": self.get_vocabulary(include_special_tokens=False) or None}
        if self._idf is not None:
            config["idf_weights"] = self._idf[self._token_start():].tolist()
        return config


def _pad(idf: np.ndarray, depth: int) -> np.ndarray:
    """Weights for ``depth`` indices: those past the vocabulary (pad_to_max_tokens) get 0."""
    return np.concatenate([idf, np.zeros(max(depth - len(idf), 0))])[:depth]
