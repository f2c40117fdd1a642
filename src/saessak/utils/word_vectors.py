"""Pre-trained word vectors (GloVe, word2vec) -> an ``Embedding`` weight matrix.

::

    matrix = load_word_vectors("glove.6B.100d.txt", tokenizer.word_index, 100,
                               num_words=10000)
    model.add(layers.Embedding(10000, 100, weights=[matrix], trainable=False))

Both text formats are read: GloVe's ``word v1 v2 ... vd`` lines, and word2vec's, which start
with a ``count dim`` header line. ``.gz`` files are read as they are. The file is streamed
line by line and only the vectors of words in ``word_index`` are kept, so a 5 GB file needs
no more memory than the matrix itself.
"""

from __future__ import annotations

import gzip
import os

import numpy as np


class Coverage:
    """How many of the wanted words had a vector (the matrix's rows left at zero did not)."""

    def __init__(self, found, wanted, vectors_read, missing_examples):
        self.found, self.wanted, self.vectors_read = found, wanted, vectors_read
        self.missing_examples = missing_examples

    @property
    def fraction(self):
        return self.found / self.wanted if self.wanted else 0.0

    def __str__(self):
        return (f"{self.found:,} of {self.wanted:,} words have a pre-trained vector "
                f"({100 * self.fraction:.1f}%), from {self.vectors_read:,} vectors read")


def _open_text(path):
    if os.fspath(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def load_word_vectors(path, word_index, dim, num_words=None, lower=False, verbose=1,
                      dtype="float32", return_coverage=False):
    """An embedding matrix whose row ``i`` is the vector of the word with index ``i``.

    Args:
        path: a GloVe or word2vec text file (optionally gzipped).
        word_index: ``{word: index}``, e.g. ``Tokenizer.word_index`` (indices from 1; row 0,
            the padding, stays zero).
        dim: the vectors' length; a line of another length is an error naming the line.
        num_words: keep words with index below this (as ``Tokenizer(num_words=...)``); the
            matrix has ``num_words`` rows. Default: ``max(index) + 1``.
        lower: look words up in lower case when the exact form is missing.
        verbose: print the coverage.
        return_coverage: return ``(matrix, Coverage)`` instead of the matrix.
    """
    if not isinstance(dim, int) or dim <= 0:
        raise ValueError(f"load_word_vectors: dim must be a positive integer, received {dim!r}")
    if not word_index:
        raise ValueError("load_word_vectors: word_index is empty")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_word_vectors: no such file {os.fspath(path)!r}")
    rows = num_words if num_words is not None else max(word_index.values()) + 1
    wanted = {w: i for w, i in word_index.items() if 0 < i < rows}
    lowered = {}
    if lower:
        for w, i in wanted.items():
            lowered.setdefault(w.lower(), []).append(i)
    matrix = np.zeros((rows, dim), dtype=dtype)
    filled = np.zeros(rows, dtype=bool)
    read = 0
    with _open_text(path) as f:
        for number, line in enumerate(f, 1):
            parts = line.rstrip("\n\r ").split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                if int(parts[1]) != dim:  # word2vec's "count dim" header
                    raise ValueError(f"load_word_vectors: {os.fspath(path)} holds vectors of "
                                     f"length {parts[1]}, but dim={dim}")
                continue
            if len(parts) < dim + 1:
                if not line.strip():
                    continue
                raise ValueError(f"load_word_vectors: line {number} of {os.fspath(path)} has "
                                 f"{len(parts) - 1} numbers, expected dim={dim}")
            read += 1
            # a few GloVe words contain spaces: the vector is always the last dim fields
            word = " ".join(parts[:-dim])
            # an exact match always wins; a lower-cased one only fills an empty row
            targets = [wanted[word]] if word in wanted else []
            targets += [i for i in lowered.get(word, []) if not filled[i] and i not in targets]
            if targets:
                vector = np.asarray(parts[-dim:], dtype=dtype)
                matrix[targets] = vector
                filled[targets] = True
    found = int(filled.sum())
    missing = [w for w, i in sorted(wanted.items(), key=lambda kv: kv[1]) if not filled[i]][:10]
    coverage = Coverage(found, len(wanted), read, missing)
    if verbose:
        print(f"load_word_vectors: {coverage}")
    return (matrix, coverage) if return_coverage else matrix
