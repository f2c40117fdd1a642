"""``tf.image``: the few image functions that input pipelines call (``Dataset.map``)."""

from __future__ import annotations

import numpy as np

from .. import ops
from ..ops import image as _image
from ..ops import image_colors as _colors
from ._namespace import Namespace
from .tensors import _t, as_dtype


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


def _dtype_max(dtype):
    return np.iinfo(dtype).max if dtype.kind in "iu" else np.finfo(dtype).max


def _image_dtype(dtype, owner, role):
    if dtype.kind not in "iuf":
        raise ValueError(f"{owner}: {role} must be an integer or float dtype; received "
                         f"{dtype}")
    return dtype


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """TensorFlow's scaling between image dtypes: integers span [0, MAX] of their dtype and
    floats [0, 1]. uint8 -> float32 divides by 255; float -> uint8 multiplies by 255.5 and
    truncates (clipped to the dtype's range first with ``saturate=True``); between
    integer dtypes the values are shifted to the other range. Float to float is a cast."""
    image = _t(image)
    source = _image_dtype(image.dtype, "tf.image.convert_image_dtype", "the image's dtype")
    target = _image_dtype(as_dtype(dtype), "tf.image.convert_image_dtype", "`dtype`")
    if source == target:
        return image

    def cast(x):
        if saturate and target.kind in "iu":
            info = np.iinfo(target)
            x = ops.clip(x, max(info.min, -_dtype_max(x.dtype)), min(info.max,
                                                                     _dtype_max(x.dtype)))
        return ops.cast(x, target)

    if source.kind in "iu" and target.kind in "iu":
        scale_in, scale_out = int(_dtype_max(source)), int(_dtype_max(target))
        if scale_in > scale_out:
            return cast(ops.floor_divide(image, (scale_in + 1) // (scale_out + 1)))
        return ops.multiply(cast(image), np.asarray((scale_out + 1) // (scale_in + 1),
                                                   dtype=target))
    if source.kind == "f" and target.kind == "f":
        return ops.cast(image, target)
    if source.kind in "iu":  # integers to [0, 1]
        return ops.multiply(ops.cast(image, target),
                            np.asarray(1.0 / _dtype_max(source), dtype=target))
    return cast(ops.multiply(image, np.asarray(_dtype_max(target) + 0.5, dtype=source)))


def rgb_to_grayscale(images, name=None):
    """The luma (0.2989 r + 0.5870 g + 0.1140 b) of RGB images, channels last, as one channel;
    integer images are converted to floats and back as TensorFlow does."""
    images = _t(images)
    if images.ndim < 1 or images.shape[-1] != 3:
        raise ValueError(f"tf.image.rgb_to_grayscale: expected 3 channels on the last axis, "
                         f"received shape {tuple(images.shape)}")
    dtype = images.dtype
    flt = convert_image_dtype(images, "float32") if dtype.kind != "f" else images
    gray = ops.sum(ops.multiply(flt, np.asarray(_colors.LUMA, dtype=flt.dtype)), axis=-1,
                   keepdims=True)
    return gray if dtype.kind == "f" else convert_image_dtype(gray, dtype)


image = Namespace("tf.image", "tf.image: dtype conversion, grayscale, resizing and flips for "
                  "input pipelines",
                  resize=resize, flip_left_right=flip_left_right, flip_up_down=flip_up_down,
                  convert_image_dtype=convert_image_dtype, rgb_to_grayscale=rgb_to_grayscale)
