"""Windows of images: ``keras.ops.image.extract_patches``, ``crop_images`` and
``pad_images``. Each is built from slicing, padding, reshapes and (for overlapping
patches) a convolution, so gradients need nothing new.

Patches come out flattened in (patch row, patch column, channel) order, as Keras and
``tf.image.extract_patches`` lay them out: with ``size=(2, 2)`` on 3 channels, values 0-2
are the top-left pixel's channels, 3-5 the top-right pixel's, and so on.
"""

from __future__ import annotations

import numpy as np

from .data_format import check_data_format, from_channels_last, to_channels_last
from .keras_conv import conv
from .keras_names import convert_to_tensor
from .manipulation import pad, reshape, transpose


def _batched(images, data_format, owner):
    """Channels-last images with a batch axis, and how to undo both."""
    data_format = check_data_format(data_format, owner)
    x = convert_to_tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"{owner}: expected an image (rank 3) or a batch of images (rank 4), "
                         f"received shape {tuple(x.shape)}")
    single = x.ndim == 3
    if single:
        x = reshape(x, (1,) + tuple(x.shape))
    x = to_channels_last(x, data_format)

    def restore(y):
        y = from_channels_last(y, data_format)
        return reshape(y, tuple(y.shape[1:])) if single else y
    return x, restore


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Every ``size`` patch of the images, flattened into the channel axis:
    (batch, h, w, c) -> (batch, rows of patches, columns of patches, ph * pw * c)."""
    ph, pw = (size, size) if isinstance(size, int) else tuple(size)
    strides = (ph, pw) if strides is None else (
        (strides, strides) if isinstance(strides, int) else tuple(strides))
    x, restore = _batched(images, data_format, "extract_patches")
    n, h, w, c = x.shape
    if tuple(strides) == (ph, pw) and dilation_rate == 1 and padding == "valid":
        # side by side: cut the image into tiles by reshaping (no copy of each patch)
        rows, cols = h // ph, w // pw
        x = x[:, :rows * ph, :cols * pw]
        tiles = transpose(reshape(x, (n, rows, ph, cols, pw, c)), (0, 1, 3, 2, 4, 5))
        return restore(reshape(tiles, (n, rows, cols, ph * pw * c)))
    # overlapping: a convolution whose kernel copies each patch value to its own channel
    kernel = np.eye(ph * pw * c, dtype=x.dtype).reshape(ph, pw, c, ph * pw * c)
    return restore(conv(x, kernel, strides, padding, "channels_last", dilation_rate))


def _axis(first, second, target, n, grow, owner, names):
    """One axis of ``n`` pixels, given two of (first side, second side, target size): all
    three. The sides are cut off (``first + target + second = n``) or, with ``grow``, added
    (``target = first + n + second``)."""
    if [first, second, target].count(None) != 1:
        raise ValueError(f"{owner}: give exactly two of {', '.join(names)}; received "
                         f"{names[0]}={first}, {names[1]}={second}, {names[2]}={target}")
    for name, value in zip(names, (first, second, target)):
        if value is not None and value < 0:
            raise ValueError(f"{owner}: {name} must be >= 0, received {value}")
    if target is None:
        return first, second, n + first + second if grow else n - first - second
    sides = target - n if grow else n - target
    return (sides - second, second, target) if first is None else (first, sides - first,
                                                                    target)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None,
                data_format=None):
    """Cut rows off the top and bottom and columns off the left and right; on each axis
    give two of (first side, second side, target size)."""
    x, restore = _batched(images, data_format, "crop_images")
    h, w = x.shape[1], x.shape[2]
    top, bottom, height = _axis(top_cropping, bottom_cropping, target_height, h, False,
                                "crop_images",
                                ("top_cropping", "bottom_cropping", "target_height"))
    left, right, width = _axis(left_cropping, right_cropping, target_width, w, False,
                               "crop_images", ("left_cropping", "right_cropping", "target_width"))
    if min(top, bottom, left, right) < 0 or height <= 0 or width <= 0:
        raise ValueError(f"crop_images: cannot crop {height}x{width} at ({top}, {left}) out "
                         f"of images of {h}x{w}")
    return restore(x[:, top:top + height, left:left + width])


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Add rows of zeros above and below and columns left and right; on each axis give
    two of (first side, second side, target size)."""
    x, restore = _batched(images, data_format, "pad_images")
    h, w = x.shape[1], x.shape[2]
    top, bottom, height = _axis(top_padding, bottom_padding, target_height, h, True,
                                "pad_images", ("top_padding", "bottom_padding", "target_height"))
    left, right, width = _axis(left_padding, right_padding, target_width, w, True,
                               "pad_images", ("left_padding", "right_padding", "target_width"))
    if min(top, bottom, left, right) < 0:
        raise ValueError(f"pad_images: the target {height}x{width} is smaller than the "
                         f"images, {h}x{w}, with the given padding")
    return restore(pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))))
