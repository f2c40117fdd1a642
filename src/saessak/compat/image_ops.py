"""``tf.image``: the few image functions that input pipelines call (``Dataset.map``)."""

from __future__ import annotations

from .. import ops
from ..ops import image as _image
from ._namespace import Namespace
from .tensors import _t


def resize(images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False,
           name=None):
    """Images (batch, h, w, c) or one image (h, w, c) resized to ``size`` = (height, width),
    with half-pixel centers as TensorFlow ('bilinear' or 'nearest')."""
    return _image.resize(_t(images), size, method=method, antialias=antialias,
                         preserve_aspect_ratio=preserve_aspect_ratio)


def flip_left_right(image):
    """The columns in reverse order (the width axis, second from last)."""
    return ops.flip(_t(image), axis=-2)


def flip_up_down(image):
    """The rows in reverse order (the height axis, third from last)."""
    return ops.flip(_t(image), axis=-3)


image = Namespace("tf.image", "tf.image: resizing and flips for input pipelines",
                  resize=resize, flip_left_right=flip_left_right, flip_up_down=flip_up_down)
