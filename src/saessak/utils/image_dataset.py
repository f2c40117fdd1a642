"""``image_dataset_from_directory``: a labelled image Dataset from a ``class/*.jpg`` tree.

    main_directory/
        cats/  a.jpg  b.png ...
        dogs/  c.jpg ...

gives batches of ``(images, labels)``: float32 images of ``image_size`` with values 0..255
(as Keras gives them: rescale in the model), labels as the class folders' positions in
``class_names``. The files are read when the batches are drawn, not all at once, so a
folder larger than memory works. Reading needs Pillow (the ``image`` extra).
"""

from __future__ import annotations

import numpy as np

from ..preprocessing.image import img_to_array, load_img, resolve_data_format
from .dataset_utils import (
    check_arguments,
    class_count,
    encode_labels,
    index_directory,
    labelled_dataset,
    split,
)

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


def _pad_to_aspect_ratio(path, color_mode, image_size, interpolation):
    """The whole image scaled to fit ``image_size`` and centred on black (no stretching)."""
    img = load_img(path, color_mode=color_mode)
    height, width = image_size
    scale = min(height / img.height, width / img.width)
    inner = (max(1, round(img.height * scale)), max(1, round(img.width * scale)))
    small = img_to_array(load_img(path, color_mode, inner, interpolation), dtype="float32")
    out = np.zeros((height, width, small.shape[-1]), "float32")
    top, left = (height - inner[0]) // 2, (width - inner[1]) // 2
    out[top:top + inner[0], left:left + inner[1]] = small
    return out


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    """Read the images (.bmp .gif .jpeg .jpg .png) under ``directory`` into a Dataset.

    Args follow Keras: ``labels`` ('inferred', None, or one integer per file in sorted path
    order), ``label_mode`` ('int', 'categorical', 'binary' or None), ``class_names``,
    ``color_mode`` ('grayscale', 'rgb', 'rgba'), ``batch_size`` (None: single images),
    ``image_size`` (height, width) every image is resized to with ``interpolation``,
    ``shuffle``/``seed``, ``validation_split`` with ``subset`` ('training', 'validation' or
    'both'), ``crop_to_aspect_ratio`` (crop the centre to the target's proportions first)
    or ``pad_to_aspect_ratio`` (fit the whole image and pad), ``data_format``.

    The returned Dataset has a ``class_names`` attribute.
    """
    where = "image_dataset_from_directory"
    check_arguments(where, directory, label_mode, validation_split, subset)
    if color_mode not in _CHANNELS:
        raise ValueError(f"{where}: `color_mode` must be one of {tuple(_CHANNELS)}; received "
                         f"{color_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{where}: `crop_to_aspect_ratio` and `pad_to_aspect_ratio` cannot "
                         "both be True")
    if len(image_size) != 2 or min(image_size) < 1:
        raise ValueError(f"{where}: `image_size` must be (height, width), received "
                         f"{image_size!r}")
    channels_first = resolve_data_format(data_format, where) == "channels_first"
    if shuffle and seed is None:
        seed = np.random.randint(1_000_000)
    paths, label_array, class_names = index_directory(
        directory, labels, IMAGE_EXTENSIONS, class_names, shuffle, seed, follow_links,
        "image files", verbose)
    if label_array is None:
        label_mode = None
    n_classes = class_count(class_names, label_array)
    if label_mode == "binary" and n_classes != 2:
        raise ValueError(f"{where}: `label_mode='binary'` needs exactly 2 classes; found "
                         f"{n_classes}")
    size = tuple(int(n) for n in image_size)

    def read(path, *label):
        if pad_to_aspect_ratio:
            x = _pad_to_aspect_ratio(str(path), color_mode, size, interpolation)
        else:
            x = img_to_array(load_img(str(path), color_mode, size, interpolation,
                                      keep_aspect_ratio=crop_to_aspect_ratio), dtype="float32")
        x = x.transpose(2, 0, 1) if channels_first else x
        return (x, *label) if label else x

    def build(sel):
        targets = None if label_mode is None else encode_labels(label_array[sel], label_mode,
                                                                n_classes)
        return labelled_dataset(paths[sel], targets, shuffle, batch_size, seed, class_names,
                                read)

    built = [build(sel) for sel in split(len(paths), validation_split, subset)]
    return built[0] if len(built) == 1 else tuple(built)


__all__ = ["image_dataset_from_directory"]
