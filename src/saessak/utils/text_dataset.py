"""``text_dataset_from_directory``: a labelled text Dataset from a ``class/*.txt`` tree.

    main_directory/
        neg/  a.txt  b.txt ...
        pos/  c.txt ...

gives batches of ``(texts, labels)`` where texts are str arrays and the labels are the
class folders' positions in ``class_names`` (sorted alphanumerically), as in Keras.
"""

import numpy as np

from .dataset_utils import (
    check_arguments,
    class_count,
    encode_labels,
    index_directory,
    labelled_dataset,
    split,
)


def _read(path, max_length):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    return text[:max_length] if max_length is not None else text


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False):
    """Read every ``.txt`` file under ``directory`` into a :class:`saessak.data.Dataset`.

    Args:
        labels: ``'inferred'`` (from sub-folder names), None (texts only) or a list/tuple
            of integer labels, one per file in sorted path order.
        label_mode: ``'int'``, ``'categorical'`` (one-hot float32), ``'binary'`` (float32 of
            shape (n, 1)) or None.
        class_names: the sub-folders to use, in label order (default: all, sorted).
        batch_size: texts per batch (None: single texts).
        max_length: cut each text to this many characters.
        shuffle, seed: shuffle the files (seeded like Keras: ``RandomState(seed)``).
        validation_split, subset: keep a fraction for ``'validation'``, the rest for
            ``'training'``; ``'both'`` returns the two datasets.

    The returned Dataset has a ``class_names`` attribute. Files are read as UTF-8 (bad
    bytes become U+FFFD).
    """
    check_arguments("text_dataset_from_directory", directory, label_mode, validation_split,
                    subset)
    if shuffle and seed is None:
        seed = np.random.randint(1_000_000)
    paths, label_array, class_names = index_directory(
        directory, labels, (".txt",), class_names, shuffle, seed, follow_links, ".txt files")
    if label_array is None:
        label_mode = None
    n_classes = class_count(class_names, label_array)
    if label_mode == "binary" and n_classes != 2:
        raise ValueError(f"`label_mode='binary'` needs exactly 2 classes; found {n_classes}")

    def build(sel):
        texts = np.asarray([_read(p, max_length) for p in paths[sel]], dtype=str)
        targets = None if label_mode is None else encode_labels(label_array[sel], label_mode,
                                                                n_classes)
        return labelled_dataset(texts, targets, shuffle, batch_size, seed, class_names)

    built = [build(sel) for sel in split(len(paths), validation_split, subset)]
    return built[0] if len(built) == 1 else tuple(built)


__all__ = ["text_dataset_from_directory"]
