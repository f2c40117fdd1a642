"""IMDB movie-review sentiment: 25,000 training and 25,000 test reviews, labels 0/1.

``load_data`` returns what ``keras.datasets.imdb.load_data`` returns. It reads Keras's
``imdb.npz`` when a copy is found. Otherwise it builds the same kind of data from the raw
reviews (``aclImdb_labeled.tar.gz`` or the original ``aclImdb_v1.tar.gz``) and Keras's
``imdb_word_index.json``, tokenising as Keras's file was made: only ASCII letters are
lower-cased (the index was built with Python 2 byte strings, so it holds ``'Åmål'``), the
Keras filter characters split words, and ``<br />`` becomes the word ``br`` (rank 7).
Words are mapped to their ranks; words absent from the index are dropped.

This *approximates* Keras's file: the same words and ranks, but the order of reviews before
the seeded shuffle is ours (by folder, then review id). Keras's index was built from the
training reviews only, so every training token is found in it (``imdb.coverage``, 100.00%
on the real data) while test-only words are missing and skipped, as they are in Keras's
file (``imdb.test_coverage``, about 98.9%). Both are logged. The parsed reviews are cached
as integer arrays in the cache folder, so later loads take about a second.

If neither form is present, ``imdb.npz`` is downloaded from Keras's URL.
"""

import hashlib
import json
import logging
import os
import re
import tarfile

import numpy as np

from ..preprocessing.text import text_to_word_sequence
from ..utils.safe_npz import load_npz
from . import _keras_index as K
from ._files import cache_dir, fetch, find_local, not_found, split_path_arg

log = logging.getLogger(__name__)

DATASET = "imdb"
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json"
WORD_INDEX_SHA256 = "027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6"
RAW_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
RAW_NAMES = ("aclImdb_labeled.tar.gz", "aclImdb_v1.tar.gz")

_REVIEW = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
_CACHE_VERSION = 2
MAX_REVIEW_BYTES = 1 << 20  # the longest review is ~14 KB; a larger member is not a review

#: Share of training-review tokens found in the word index at the last raw build (None:
#: the data came from imdb.npz). ``test_coverage`` is the same for the test reviews.
coverage = None
test_coverage = None

# Python 2's str.lower() on bytes: only A-Z change.
_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})


# -- the raw reviews ----------------------------------------------------------------------
def _iter_reviews(tar_path):
    """Yield ``(split, label, review id, text)`` for every labelled review in the archive."""
    try:
        with tarfile.open(tar_path, "r|*") as tar:  # a stream: one pass, no index
            for member in tar:
                m = _REVIEW.search(member.name)
                if not m or not member.isfile():
                    continue
                if member.size > MAX_REVIEW_BYTES:  # refused before it is inflated
                    raise ValueError(f"{tar_path}: {member.name} declares {member.size:,} "
                                     f"bytes; no review is longer than {MAX_REVIEW_BYTES:,}")
                raw = tar.extractfile(member).read()
                text = raw.decode("utf-8", errors="replace")
                yield m.group(1), int(m.group(2) == "pos"), int(m.group(3)), text
    except (tarfile.TarError, EOFError, OSError) as e:
        raise ValueError(f"{tar_path}: not a readable IMDB review archive: {e}") from None


def _sorted_reviews(tar_path):
    splits = {"train": [], "test": []}
    for split, label, rid, text in _iter_reviews(tar_path):
        splits[split].append((label, rid, text))
    for split, items in splits.items():
        if not items:
            raise ValueError(f"{tar_path}: no aclImdb/{split}/(pos|neg)/*.txt reviews found")
        items.sort(key=lambda t: (t[0], t[1]))  # negatives first, then by review id
    return splits


def load_raw(path=None):
    """The raw review texts: ``(texts_train, y_train), (texts_test, y_test)``, in folder
    order (negatives first, then by id); texts are str, labels int64 (1 = positive)."""
    location, _ = split_path_arg(path, RAW_NAMES[0])
    if location and os.path.isfile(location):
        tar_path = location
    else:
        tar_path = _find_raw(location)
    if tar_path is None:
        raise not_found(DATASET, RAW_NAMES, RAW_URL, location)
    out = []
    for items in _sorted_reviews(tar_path).values():
        out.append(([t for _, _, t in items], np.array([lab for lab, _, _ in items])))
    return tuple(out)


def _find_raw(path):
    for name in RAW_NAMES:
        found = find_local(DATASET, name, path)
        if found:
            return found
    return None


def _encode(texts, word_index):
    """Texts -> (flat ranks, lengths, tokens seen, tokens found)."""
    seqs, total, known = [], 0, 0
    for text in texts:
        words = text_to_word_sequence(text.translate(_ASCII_LOWER), lower=False)
        ranks = [word_index.get(w, 0) for w in words]
        total += len(ranks)
        ranks = [r for r in ranks if r > 0]
        known += len(ranks)
        seqs.append(ranks)
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    flat = np.fromiter((r for s in seqs for r in s), dtype=np.int32, count=int(lengths.sum()))
    return flat, lengths, total, known


def _raw_cache_file(tar_path, index_path):
    key = hashlib.sha1()
    for p in (tar_path, index_path):
        st = os.stat(p)
        key.update(f"{os.path.abspath(p)}|{st.st_size}|{st.st_mtime_ns}|".encode())
    key.update(str(_CACHE_VERSION).encode())
    return os.path.join(cache_dir(), f"imdb_raw_{key.hexdigest()[:16]}.npz")


def _load_from_raw(tar_path, path):
    """Ranks for both splits from the raw archive (cached as an npz of int arrays)."""
    global coverage, test_coverage
    index_path = fetch(DATASET, "imdb_word_index.json", WORD_INDEX_URL, WORD_INDEX_SHA256,
                       _index_dir(path))
    cache = _raw_cache_file(tar_path, index_path)
    if os.path.isfile(cache):
        with np.load(cache, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    else:
        with open(index_path, encoding="utf-8") as f:
            word_index = json.load(f)
        arrays = {}
        for split, items in _sorted_reviews(tar_path).items():
            flat, lengths, total, known = _encode([t for _, _, t in items], word_index)
            arrays[f"{split}_flat"], arrays[f"{split}_lengths"] = flat, lengths
            arrays[f"{split}_labels"] = np.array([lab for lab, _, _ in items], dtype=np.int64)
            arrays[f"{split}_tokens"] = np.array([total, known], dtype=np.int64)
        tmp = cache + ".part.npz"
        np.savez(tmp, **arrays)
        os.replace(tmp, cache)
    shares = []
    for split in ("train", "test"):
        total, known = arrays[f"{split}_tokens"].tolist()
        shares.append(known / total if total else 1.0)
    coverage, test_coverage = shares
    log.info("IMDB built from %s: %.4f%% of training and %.4f%% of test tokens are in the "
             "word index", tar_path, 100 * coverage, 100 * test_coverage)
    out = []
    for split in ("train", "test"):
        flat, lengths = arrays[f"{split}_flat"].astype(np.int64), arrays[f"{split}_lengths"]
        seqs = np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []
        out.append((list(seqs), arrays[f"{split}_labels"]))
    return out


def _index_dir(location):
    # with an explicit folder or file, the word index is looked for beside it too
    if location and os.path.isdir(location):
        return location
    if location:
        return os.path.dirname(location) or None
    return None


# -- the Keras loader ---------------------------------------------------------------------
def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Load IMDB as Keras does: ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: ``imdb.npz``, a raw archive, or a folder holding either (plus
            ``imdb_word_index.json`` for the raw form); a bare name is the cache file name.
        num_words, skip_top, maxlen, start_char, oov_char, index_from: as in Keras, see
            :mod:`saessak.datasets._keras_index`.
        seed: ``np.random.RandomState`` seed; train and test are shuffled one after the
            other with the same generator.

    Returns object arrays of int lists (each starting with ``start_char``) and int64 labels.
    """
    global coverage, test_coverage
    if "nb_words" in kwargs:
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    K.check_args(num_words, skip_top, maxlen, start_char, oov_char, index_from)

    location, fname = split_path_arg(path, "imdb.npz")
    if location and os.path.isfile(location) and location.endswith((".tar.gz", ".tgz", ".tar")):
        tar_path, npz_path = location, None
    else:
        npz_path = find_local(DATASET, fname, location, SHA256)
        tar_path = None if npz_path else _find_raw(location)

    if tar_path:
        (x_train, y_train), (x_test, y_test) = _load_from_raw(tar_path, location)
    else:
        if npz_path is None:  # nothing local: download Keras's file
            npz_path = fetch(DATASET, fname, URL, SHA256, location, extra_names=RAW_NAMES)
        arrays = load_npz(npz_path)
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(arrays)
        if missing:
            raise ValueError(f"{npz_path}: missing arrays {sorted(missing)}")
        x_train, y_train = K.as_int_arrays(arrays["x_train"]), arrays["y_train"]
        x_test, y_test = K.as_int_arrays(arrays["x_test"]), arrays["y_test"]
        coverage = test_coverage = None

    rng = np.random.RandomState(seed)
    x_train, y_train = K.shuffled(rng, x_train, y_train)
    x_test, y_test = K.shuffled(rng, x_test, y_test)
    x_train = K.add_offsets(x_train, start_char, index_from)
    x_test = K.add_offsets(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = K.remove_long(maxlen, x_train, y_train)
        x_test, y_test = K.remove_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
    # the vocabulary limit looks at train and test together, as in Keras
    flat, lengths = K.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    x = K.to_object_array(flat, lengths)
    n_train = len(x_train)
    return (x[:n_train], y_train), (x[n_train:], y_test)


def get_word_index(path="imdb_word_index.json"):
    """The word -> rank dictionary (``br`` is rank 7); add ``index_from`` to match
    ``load_data`` sequences."""
    location, fname = split_path_arg(path, "imdb_word_index.json")
    found = fetch(DATASET, fname, WORD_INDEX_URL, WORD_INDEX_SHA256, location)
    try:
        with open(found, encoding="utf-8") as f:
            index = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"{found}: not a JSON word index ({type(e).__name__}: {e})") from None
    if not isinstance(index, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in index.values()):
        raise ValueError(f"{found}: expected a JSON object mapping words to integer ranks")
    return index
