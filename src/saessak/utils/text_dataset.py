"""``text_dataset_from_directory``: a labelled text Dataset from a ``class/*.txt`` tree.

    main_directory/
        neg/  a.txt  b.txt ...
        pos/  c.txt ...

gives batches of ``(texts, labels)`` where texts are str arrays and the labels are the
class folders' positions in ``class_names`` (sorted alphanumerically), as in Keras.
"""

import os

import numpy as np

from ..data import Dataset

_LABEL_MODES = ("int", "categorical", "binary", None)


def _list_files(directory, class_names, follow_links):
    paths, labels = [], []
    for label, name in enumerate(class_names):
        root = os.path.join(directory, name)
        found = []
        for dirpath, _dirs, files in os.walk(root, followlinks=follow_links):
            found += [os.path.join(dirpath, f) for f in files if f.lower().endswith(".txt")]
        found.sort()
        paths += found
        labels += [label] * len(found)
    return paths, np.asarray(labels, dtype="int32")


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
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` must be an existing folder; received {directory!r}")
    if label_mode not in _LABEL_MODES:
        raise ValueError(f"`label_mode` must be one of {_LABEL_MODES}; received {label_mode!r}")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be in (0, 1); received {validation_split!r}")
    if (validation_split is None) != (subset is None):
        raise ValueError("`validation_split` and `subset` must be given together; received "
                         f"validation_split={validation_split!r}, subset={subset!r}")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError("`subset` must be 'training', 'validation', 'both' or None; "
                         f"received {subset!r}")

    found_classes = sorted(d for d in os.listdir(directory)
                           if os.path.isdir(os.path.join(directory, d)))
    if labels == "inferred":
        if class_names is None:
            class_names = found_classes
        missing = set(class_names) - set(found_classes)
        if missing:
            raise ValueError(f"`class_names` {sorted(missing)} are not sub-folders of "
                             f"{directory}; found {found_classes}")
        paths, label_array = _list_files(directory, class_names, follow_links)
    else:
        class_names = None
        paths, _ = _list_files(directory, [""], follow_links)
        if labels is None:
            label_mode = None
            label_array = None
        elif isinstance(labels, (list, tuple, np.ndarray)):
            if len(labels) != len(paths):
                raise ValueError(f"`labels` has {len(labels)} entries but {len(paths)} .txt "
                                 f"files were found in {directory}")
            label_array = np.asarray(labels, dtype="int32")
        else:
            raise ValueError("`labels` must be 'inferred', None or a list of ints; "
                             f"received {labels!r}")
    if not paths:
        raise ValueError(f"No .txt files found in {directory} (classes: {class_names})")
    n_classes = len(class_names) if class_names else (
        int(label_array.max()) + 1 if label_array is not None else 0)
    if label_mode == "binary" and n_classes != 2:
        raise ValueError(f"`label_mode='binary'` needs exactly 2 classes; found {n_classes}")
    print(f"Found {len(paths)} files" + (f" belonging to {n_classes} classes."
                                         if class_names else "."))

    paths = np.asarray(paths)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1_000_000)
        order = np.arange(len(paths))
        np.random.RandomState(seed).shuffle(order)
        paths = paths[order]
        label_array = label_array[order] if label_array is not None else None

    def build(sel):
        texts = np.asarray([_read(p, max_length) for p in paths[sel]], dtype=str)
        if label_mode is None or label_array is None:
            ds = Dataset.from_tensor_slices(texts)
        else:
            y = label_array[sel]
            if label_mode == "categorical":
                y = np.eye(n_classes, dtype="float32")[y]
            elif label_mode == "binary":
                y = y.astype("float32")[:, None]
            ds = Dataset.from_tensor_slices((texts, y))
        if shuffle and batch_size is not None:
            ds = ds.shuffle(batch_size * 8, seed=seed)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds.class_names = class_names
        return ds

    if validation_split is None:
        return build(slice(None))
    n_val = int(validation_split * len(paths))
    train, val = slice(0, len(paths) - n_val), slice(len(paths) - n_val, None)
    if subset == "training":
        return build(train)
    if subset == "validation":
        return build(val)
    return build(train), build(val)


__all__ = ["text_dataset_from_directory"]
