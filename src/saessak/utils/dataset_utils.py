"""What ``text_dataset_from_directory`` and ``image_dataset_from_directory`` share: a labelled
file list from a ``class/file`` tree, shuffled and split as Keras does.

    main_directory/
        class_a/  a.txt  b.txt ...      (or a.jpg, b.png ...)
        class_b/  c.txt ...

The labels are the class folders' positions in ``class_names`` (sorted alphanumerically).
"""

from __future__ import annotations

import os

import numpy as np

from ..data import Dataset

LABEL_MODES = ("int", "categorical", "binary", None)


def check_arguments(where, directory, label_mode, validation_split, subset):
    """The argument checks both readers make, naming the reader."""
    if not os.path.isdir(directory):
        raise ValueError(f"{where}: `directory` must be an existing folder; received "
                         f"{directory!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{where}: `label_mode` must be one of {LABEL_MODES}; received "
                         f"{label_mode!r}")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"{where}: `validation_split` must be in (0, 1); received "
                         f"{validation_split!r}")
    if (validation_split is None) != (subset is None):
        raise ValueError(f"{where}: `validation_split` and `subset` must be given together; "
                         f"received validation_split={validation_split!r}, subset={subset!r}")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(f"{where}: `subset` must be 'training', 'validation', 'both' or None; "
                         f"received {subset!r}")


def _list_files(directory, class_names, follow_links, extensions):
    paths, labels = [], []
    for label, name in enumerate(class_names):
        found = []
        for dirpath, _dirs, files in os.walk(os.path.join(directory, name),
                                             followlinks=follow_links):
            found += [os.path.join(dirpath, f) for f in files
                      if f.lower().endswith(extensions)]
        found.sort()
        paths += found
        labels += [label] * len(found)
    return paths, np.asarray(labels, dtype="int32")


def index_directory(directory, labels, extensions, class_names=None, shuffle=True, seed=None,
                    follow_links=False, kind="files", verbose=True):
    """(paths, labels or None, class_names or None) of the files under ``directory`` whose
    names end with one of ``extensions``; ``labels``: 'inferred' (from the sub-folders),
    None, or a list of integer labels, one per file in sorted path order. Shuffled with
    ``RandomState(seed)`` as Keras does. With ``verbose``, prints what it found, as Keras
    does."""
    found_classes = sorted(d for d in os.listdir(directory)
                           if os.path.isdir(os.path.join(directory, d)))
    if labels == "inferred":
        class_names = found_classes if class_names is None else list(class_names)
        missing = set(class_names) - set(found_classes)
        if missing:
            raise ValueError(f"`class_names` {sorted(missing)} are not sub-folders of "
                             f"{directory}; found {found_classes}")
        paths, label_array = _list_files(directory, class_names, follow_links, extensions)
    else:
        class_names = None
        paths, _ = _list_files(directory, [""], follow_links, extensions)
        if labels is None:
            label_array = None
        elif isinstance(labels, (list, tuple, np.ndarray)):
            if len(labels) != len(paths):
                raise ValueError(f"`labels` has {len(labels)} entries but {len(paths)} {kind} "
                                 f"were found in {directory}")
            label_array = np.asarray(labels, dtype="int32")
        else:
            raise ValueError("`labels` must be 'inferred', None or a list of ints; "
                             f"received {labels!r}")
    if not paths:
        raise ValueError(f"No {kind} found in {directory} (allowed endings: {extensions}; "
                         f"classes: {class_names})")
    if verbose:
        print(f"Found {len(paths)} files" + (f" belonging to {len(class_names)} classes."
                                             if class_names else "."))
    paths = np.asarray(paths)
    if shuffle:
        order = np.arange(len(paths))
        np.random.RandomState(seed).shuffle(order)
        paths = paths[order]
        label_array = label_array[order] if label_array is not None else None
    return paths, label_array, class_names


def class_count(class_names, label_array):
    return len(class_names) if class_names else (
        int(label_array.max()) + 1 if label_array is not None else 0)


def encode_labels(y, label_mode, n_classes):
    """Integer labels as ``label_mode`` asks: int, one-hot float32, or float32 (n, 1)."""
    if label_mode == "categorical":
        return np.eye(n_classes, dtype="float32")[y]
    if label_mode == "binary":
        return y.astype("float32")[:, None]
    return y


def labelled_dataset(inputs, targets, shuffle, batch_size, seed, class_names, read=None):
    """The Dataset both readers return: (input, target) pairs (inputs alone when
    ``targets`` is None), shuffled through a buffer of 8 batches, ``read`` mapped over them
    (the image reader loads its files there), batched, with ``class_names`` attached."""
    ds = Dataset.from_tensor_slices(inputs if targets is None else (inputs, targets))
    if shuffle and batch_size is not None:
        ds = ds.shuffle(batch_size * 8, seed=seed)
    if read is not None:
        ds = ds.map(read)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    ds.class_names = class_names
    return ds


def split(count, validation_split, subset):
    """The slices of the (already shuffled) files each requested subset takes: training
    first, validation the last ``validation_split`` of them, as Keras splits."""
    if validation_split is None:
        return [slice(None)]
    n_val = int(validation_split * count)
    train, val = slice(0, count - n_val), slice(count - n_val, None)
    return {"training": [train], "validation": [val], "both": [train, val]}[subset]
