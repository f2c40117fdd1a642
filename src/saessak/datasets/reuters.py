"""Reuters newswire topics: 11,228 newswires as word-rank sequences, 46 topics.

Reads Keras's ``reuters.npz`` (pickle-safely, see :mod:`saessak.utils.safe_npz`) and
returns exactly what ``keras.datasets.reuters.load_data`` returns::

    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=1000, test_split=0.2)
    # 8,982 / 2,246 newswires; x_train[0][:10] == [1, 2, 2, 8, 43, 10, 447, 5, 25, 207]
"""

import json

import numpy as np

from ..utils.safe_npz import load_npz
from . import _keras_index as K
from ._files import fetch, split_path_arg

DATASET = "reuters"
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz"
SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters_word_index.json"
WORD_INDEX_SHA256 = "9b56000edc4b34a32e89fd5a23b2605594682c74efcf7d8f4e2a5514b771e633"

# The 46 topics, in label order (as keras.datasets.reuters.get_label_names gives them).
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Load the Reuters topics set, split into train and test.

    Args:
        path: a local ``reuters.npz`` (or its folder); a bare name is the cache file name.
        num_words: keep the ``num_words`` most frequent words (by index); rarer ones become
            ``oov_char``.
        skip_top: also replace the ``skip_top`` most frequent words by ``oov_char``.
        maxlen: drop newswires whose length (start mark included) is ``>= maxlen``.
        test_split: fraction for the test set (the last part after shuffling).
        seed: ``np.random.RandomState`` seed for the shuffle.
        start_char, oov_char, index_from: see :mod:`saessak.datasets._keras_index`.

    Returns ``(x_train, y_train), (x_test, y_test)``: object arrays of int lists and int64
    topic labels 0..45. Newswires and labels are shuffled together, then split.
    """
    if "nb_words" in kwargs:
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    K.check_args(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    if not 0 <= test_split <= 1:
        raise ValueError(f"`test_split` must be in [0, 1]; received {test_split!r}")

    location, fname = split_path_arg(path, "reuters.npz")
    arrays = load_npz(fetch(DATASET, fname, URL, SHA256, location))
    if "x" not in arrays or "y" not in arrays:
        raise ValueError(f"reuters.npz must hold arrays 'x' and 'y'; found {sorted(arrays)}")
    xs, labels = K.as_int_arrays(arrays["x"]), arrays["y"]
    if len(xs) != len(labels):
        raise ValueError(f"reuters.npz: {len(xs)} newswires but {len(labels)} labels")

    xs, labels = K.shuffled(np.random.RandomState(seed), xs, labels)
    xs = K.add_offsets(xs, start_char, index_from)
    if maxlen:
        xs, labels = K.remove_long(maxlen, xs, labels)
    flat, lengths = K.limit_vocabulary(xs, num_words, skip_top, oov_char)
    x = K.to_object_array(flat, lengths)

    split = int(len(x) * (1 - test_split))
    return (x[:split], labels[:split]), (x[split:], labels[split:])


def get_word_index(path="reuters_word_index.json"):
    """The word -> rank dictionary (rank 1 = most frequent; add ``index_from`` to match
    ``load_data`` sequences)."""
    location, fname = split_path_arg(path, "reuters_word_index.json")
    with open(fetch(DATASET, fname, WORD_INDEX_URL, WORD_INDEX_SHA256, location),
              encoding="utf-8") as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed by label."""
    return LABEL_NAMES
