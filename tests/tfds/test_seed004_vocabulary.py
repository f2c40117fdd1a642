"""Seed 004 (Python Machine Learning, 3rd ed., 16.3) prints a vocabulary of 87,007 tokens
and encodes 'This is an example!' as [232, 9, 270, 1123]. Both are reproduced here from
the raw aclImdb reviews, in the book's own steps:

1. movie_data.csv (chapter 8): the 50,000 reviews read folder by folder (test, train; pos,
   neg; files in sorted order), then reordered by ``np.random.seed(0)`` permutation;
2. ``tf.random.set_seed(1)`` and ``shuffle(50000, reshuffle_each_iteration=False)``, then
   ``skip(25000).take(20000)`` for training. TensorFlow's shuffle order cannot be computed
   without TensorFlow, so it is read from ``tests/fixtures/tf`` (see its README);
3. ``tfds.deprecated.text.Tokenizer`` over ``example[0].numpy()[0]`` into a Counter, and a
   ``TokenTextEncoder`` built from it.
"""

import os
import re
import tarfile
from collections import Counter

import numpy as np
import pytest

import saessak as tf
import saessak.tfds as tfds

ROOT = os.environ.get("SAESSAK_DATA")
ORDER = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf",
                     "seed004_tf_shuffle_train.npy")
REVIEW = re.compile(r"aclImdb/(train|test)/(pos|neg)/([^/]+\.txt)$")


def movie_data_rows(archive):
    """The rows of chapter 8's movie_data.csv: (review, sentiment), in the book's order."""
    reviews = {}
    with tarfile.open(archive, "r|*") as tar:
        for member in tar:
            m = REVIEW.search(member.name)
            if m and member.isfile():
                reviews[m.groups()] = tar.extractfile(member).read().decode("utf-8")
    rows = []
    for split in ("test", "train"):
        for folder, label in (("pos", 1), ("neg", 0)):
            names = sorted(name for s, f, name in reviews if s == split and f == folder)
            rows += [(reviews[(split, folder, name)], label) for name in names]
    np.random.seed(0)
    return [rows[i] for i in np.random.permutation(len(rows))]


def test_seed004_vocabulary_has_the_books_87007_tokens():
    archive = ROOT and os.path.join(ROOT, "imdb", "aclImdb_labeled.tar.gz")
    if not archive or not os.path.exists(archive):
        pytest.skip("$SAESSAK_DATA/imdb/aclImdb_labeled.tar.gz is not there (point "
                    "SAESSAK_DATA at ../shared/data)")
    rows = movie_data_rows(archive)
    reviews = np.array([[r] for r, _ in rows], dtype=object)  # df.values: one column
    target = np.array([s for _, s in rows])
    ds_raw = tf.data.Dataset.from_tensor_slices((reviews, target))
    firsts = [(ex[0].numpy()[0][:50], int(ex[1].numpy())) for ex in ds_raw.take(3)]
    assert firsts == [("In 1974, the teenager Martha Moxley (Maggie Grace)", 1),
                      ("OK... so... I really like Kris Kristofferson and h", 0),
                      ("***SPOILER*** Do not read this, if you think about", 0)]

    train_rows = np.load(ORDER).astype(np.int64)  # TensorFlow's shuffle, skip(25000).take(20000)
    ds_raw_train = tf.data.Dataset.from_tensor_slices((reviews[train_rows],
                                                       target[train_rows]))
    tokenizer = tfds.deprecated.text.Tokenizer()
    token_counts = Counter()
    for example in ds_raw_train:
        tokens = tokenizer.tokenize(example[0].numpy()[0])
        token_counts.update(tokens)
    assert len(token_counts) == 87007

    encoder = tfds.deprecated.text.TokenTextEncoder(token_counts)
    assert encoder.encode("This is an example!") == [232, 9, 270, 1123]
    assert encoder.encode("zzzunseenzzz") == [87008]  # q + 1, as the book says
