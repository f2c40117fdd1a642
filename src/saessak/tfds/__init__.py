"""``saessak.tfds``: the part of ``tensorflow_datasets`` that the seeds' programs use.

    import saessak.tfds as tfds            # was: import tensorflow_datasets as tfds
    train, info = tfds.load("imdb_reviews", split="train", as_supervised=True,
                            with_info=True)
    for text, label in train.take(1):
        print(text.numpy()[:40], label.numpy())     # b'...' 0 or 1
    info.splits["train"].num_examples              # 25000

Provided: ``imdb_reviews``, ``mnist`` and ``fashion_mnist`` (see ``tfds.core``), and
``tfds.deprecated.text.Tokenizer`` / ``TokenTextEncoder``. Other names raise
:class:`DatasetNotFoundError` listing what is provided.
"""

from . import deprecated
from .core import (
    DatasetBuilder,
    DatasetInfo,
    DatasetNotFoundError,
    as_numpy,
    builder,
    list_builders,
    load,
)

__all__ = ["DatasetBuilder", "DatasetInfo", "DatasetNotFoundError", "as_numpy", "builder",
           "deprecated", "list_builders", "load"]
