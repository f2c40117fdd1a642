"""Image filters: ``keras.ops.image.gaussian_blur`` and ``sobel_edges``, each a depthwise
convolution (one small kernel per channel), so differentiable.

- Gaussian blur: the kernel is the outer product of two 1-D Gaussians,
  ``g(t) = exp(-t^2 / (2 sigma^2))`` normalized to sum 1, over zero-padded images.
- Sobel: ``[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]`` (the change down the rows) and its
  transpose (across the columns), over images mirrored at the edges (``d c b | a b c d``),
  as TensorFlow's ``tf.image.sobel_edges``; the two go in a last axis of 2.
"""

from __future__ import annotations

import numpy as np

from .data_format import check_data_format, to_channels_last
from .image_windows import _batched
from .keras_conv import depthwise_conv
from .keras_names import convert_to_tensor
from .manipulation import concatenate, reshape, transpose


def _gaussian(size, sigma, dtype):
    t = np.arange(size, dtype=np.float64) - (size - 1) / 2
    g = np.exp(-0.5 * (t / sigma) ** 2)
    return (g / g.sum()).astype(dtype)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a ``kernel_size`` Gaussian of standard deviations ``sigma``,
    both (across the columns, down the rows) as Keras orders them; zero padding, the
    output the input's size."""
    x, restore = _batched(images, data_format, "gaussian_blur")
    kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else kernel_size
    sh, sw = (sigma, sigma) if np.ndim(sigma) == 0 else sigma
    if min(kh, kw) < 1 or min(sh, sw) <= 0:
        raise ValueError(f"gaussian_blur: kernel_size must be positive and sigma above 0, "
                         f"received kernel_size={kernel_size}, sigma={sigma}")
    # as Keras: kernel_size and sigma are (x, y), so the rows take the second of each
    kernel = np.outer(_gaussian(int(kw), sw, x.dtype), _gaussian(int(kh), sh, x.dtype))
    channels = x.shape[-1]
    kernel = np.repeat(kernel[:, :, None, None], channels, axis=2)
    return restore(depthwise_conv(x, kernel, padding="same"))


def _mirror(x, axis):
    """One pixel of mirror padding on each side of ``axis``: b | a b c d | c."""
    n = x.shape[axis]
    index = [slice(None)] * x.ndim

    def at(i):
        index[axis] = slice(i, i + 1)
        return x[tuple(index)]

    return concatenate([at(1), x, at(n - 2)], axis=axis)


_SOBEL_ROWS = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64)


def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel: (batch, h, w, c) -> (batch, h, w, c, 2) (channels
    first: (batch, c, h, w, 2)), the change down the rows then across the columns."""
    data_format = check_data_format(data_format, "sobel_edges")
    x = convert_to_tensor(images)
    if x.ndim not in (3, 4):
        raise ValueError(f"sobel_edges: expected an image (rank 3) or a batch of images "
                         f"(rank 4), received shape {tuple(x.shape)}")
    single = x.ndim == 3
    x = to_channels_last(reshape(x, (1,) + tuple(x.shape)) if single else x, data_format)
    if min(x.shape[1:3]) < 2:
        raise ValueError(f"sobel_edges: images need at least 2 rows and 2 columns, received "
                         f"{tuple(x.shape)}")
    n, h, w, channels = x.shape
    kernel = np.stack([_SOBEL_ROWS, _SOBEL_ROWS.T], axis=-1).astype(x.dtype)  # (3, 3, 2)
    kernel = np.repeat(kernel[:, :, None, :], channels, axis=2)  # (3, 3, c, 2)
    edges = depthwise_conv(_mirror(_mirror(x, 1), 2), kernel)  # channel c: 2c and 2c + 1
    out = reshape(edges, (n, h, w, channels, 2))
    if data_format == "channels_first":
        out = transpose(out, (0, 3, 1, 2, 4))
    return reshape(out, tuple(out.shape[1:])) if single else out
