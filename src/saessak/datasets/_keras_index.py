"""Keras's index arithmetic for its integer-encoded text datasets (IMDB, Reuters).

The stored sequences hold word ranks (1 = most frequent). ``load_data`` then, in order:

1. shuffles with ``np.random.RandomState(seed)`` (see each loader for what is shuffled);
2. shifts every rank by ``index_from`` and puts ``start_char`` in front, so 0 (padding),
   1 (start) and 2 (out-of-vocabulary) stay free;
3. with ``maxlen``, drops sequences whose length (start mark included) is ``>= maxlen``;
4. replaces every value outside ``[skip_top, num_words)`` by ``oov_char`` (or drops it
   when ``oov_char`` is None). Without ``num_words`` the largest value is used as the
   bound, so -- as in Keras -- that one value becomes ``oov_char`` too.

Here the steps run on NumPy arrays; the result is Keras's: an object array of int lists.
"""

import numpy as np


def check_args(num_words, skip_top, maxlen, start_char, oov_char, index_from):
    for name, value in (("num_words", num_words), ("maxlen", maxlen)):
        if value is not None and (isinstance(value, bool) or value < 0):
            raise ValueError(f"`{name}` must be None or an int >= 0; received {value!r}")
    for name, value in (("skip_top", skip_top), ("index_from", index_from)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"`{name}` must be an int >= 0; received {value!r}")
    for name, value in (("start_char", start_char), ("oov_char", oov_char)):
        if value is not None and (isinstance(value, bool) or value < 0):
            raise ValueError(f"`{name}` must be None or an int >= 0; received {value!r}")


def shuffled(rng, seqs, labels):
    """Apply one ``rng.shuffle`` permutation to both sequences and labels."""
    order = np.arange(len(seqs))
    rng.shuffle(order)
    return [seqs[i] for i in order], np.asarray(labels)[order]


def add_offsets(seqs, start_char, index_from):
    if start_char is not None:
        head = np.array([start_char], dtype=np.int64)
        return [np.concatenate((head, s + index_from)) for s in seqs]
    if index_from:
        return [s + index_from for s in seqs]
    return seqs


def remove_long(maxlen, seqs, labels):
    keep = [i for i, s in enumerate(seqs) if len(s) < maxlen]
    return [seqs[i] for i in keep], np.asarray(labels)[keep]


def limit_vocabulary(seqs, num_words, skip_top, oov_char):
    """Step 4; returns ``(flat values, lengths)``."""
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    flat = np.concatenate(seqs) if seqs else np.zeros(0, dtype=np.int64)
    if not num_words:
        if flat.size == 0:
            raise ValueError("every sequence is empty; cannot infer `num_words`")
        num_words = int(flat.max())
    keep = (flat >= skip_top) & (flat < num_words)
    if oov_char is not None:
        return np.where(keep, flat, oov_char), lengths
    owner = np.repeat(np.arange(len(seqs)), lengths)
    return flat[keep], np.bincount(owner[keep], minlength=len(seqs))


def to_object_array(flat, lengths):
    """Keras's format: a 1-D object array whose items are Python lists of ints."""
    out = np.empty(len(lengths), dtype=object)
    pieces = np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []
    for i, piece in enumerate(pieces):
        out[i] = piece.tolist()
    return out


def as_int_arrays(object_array):
    """Keras's object array of lists -> list of int64 arrays (for the steps above)."""
    return [np.asarray(s, dtype=np.int64) for s in object_array]
