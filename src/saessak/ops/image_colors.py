"""Colour spaces: ``keras.ops.image.rgb_to_grayscale``, ``rgb_to_hsv`` and ``hsv_to_rgb``.

Grayscale is the luma of ITU-R BT.601, y = 0.2989 r + 0.5870 g + 0.1140 b (the weights
``tf.image.rgb_to_grayscale`` uses), a linear map and so differentiable. HSV, for floats
in [0, 1]:

    v = max(r, g, b),  s = (v - min) / v,  h = the angle of the hue on the colour wheel / 360

computed with NumPy and returned without a graph (augmentation works on data).
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from .data_format import check_data_format
from .keras_names import convert_to_tensor
from .linalg import matmul
from .manipulation import expand_dims, transpose
from .math import cast

LUMA = (0.2989, 0.5870, 0.1140)


def _channel_axis(x, data_format, owner, channels=(3,)):
    data_format = check_data_format(data_format, owner)
    if x.ndim not in (3, 4):
        raise ValueError(f"{owner}: expected an image (rank 3) or a batch of images (rank 4), "
                         f"received shape {tuple(x.shape)}")
    axis = x.ndim - 1 if data_format == "channels_last" else x.ndim - 3
    if x.shape[axis] not in channels:
        raise ValueError(f"{owner}: expected {' or '.join(map(str, channels))} channels on "
                         f"axis {axis}, received shape {tuple(x.shape)}")
    return axis


def rgb_to_grayscale(images, data_format=None):
    """One channel of luma; a single-channel input is returned as it is."""
    x = convert_to_tensor(images)
    axis = _channel_axis(x, data_format, "rgb_to_grayscale", channels=(1, 3))
    if x.shape[axis] == 1:
        return x
    dtype = x.dtype
    compute = dtype if dtype.kind == "f" else np.dtype(backend.floatx())
    order = [i for i in range(x.ndim) if i != axis] + [axis]  # the channels last
    y = matmul(transpose(cast(x, compute), order), np.asarray(LUMA, dtype=compute))
    y = transpose(expand_dims(y, -1), tuple(int(i) for i in np.argsort(order)))
    return y if dtype == compute else cast(y, dtype)


def _hsv(rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    v = rgb.max(axis=-1)
    spread = v - rgb.min(axis=-1)
    s = np.where(v > 0, spread / np.where(v > 0, v, 1), 0)
    safe = np.where(spread > 0, spread, 1)
    h = np.where(v == r, (g - b) / safe, np.where(v == g, 2 + (b - r) / safe,
                                                   4 + (r - g) / safe))
    h = np.where(spread > 0, (h / 6) % 1.0, 0)
    return np.stack([h, s, v], axis=-1)


def _rgb(hsv):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    # each channel n in (5, 3, 1): v - v s max(0, min(k, 4 - k, 1)), k = (n + 6h) mod 6
    out = [v - v * s * np.clip(np.minimum((n + 6 * h) % 6, 4 - (n + 6 * h) % 6), 0, 1)
           for n in (5, 3, 1)]
    return np.stack(out, axis=-1)


def _convert(images, data_format, owner, fn):
    x = convert_to_tensor(images)
    if x.dtype.kind != "f":
        raise ValueError(f"{owner}: expected float images (values in [0, 1]), received "
                         f"dtype {x.dtype}")
    axis = _channel_axis(x, data_format, owner)
    out = np.moveaxis(fn(np.moveaxis(x.numpy(), axis, -1)), -1, axis)
    return Tensor(out.astype(x.dtype))


def rgb_to_hsv(images, data_format=None):
    """RGB floats in [0, 1] -> hue, saturation, value, each in [0, 1]."""
    return _convert(images, data_format, "rgb_to_hsv", _hsv)


def hsv_to_rgb(images, data_format=None):
    """Hue, saturation, value in [0, 1] -> RGB floats in [0, 1]."""
    return _convert(images, data_format, "hsv_to_rgb", _rgb)
