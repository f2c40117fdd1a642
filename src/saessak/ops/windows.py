"""Windows: NumPy's window functions (``keras.ops.bartlett`` ... ``kaiser``), frames of a
signal (``extract_sequences``), adaptive pooling and sliding blocks of an image
(``keras.ops.nn.adaptive_average_pool``, ``adaptive_max_pool``, ``unfold``, ``fold``).

- adaptive pooling splits each spatial axis of length n into m bins, bin i covering
  [floor(i n / m), ceil((i + 1) n / m)) as PyTorch does (neighbouring bins may share an
  element). A box's max or mean is the max or mean along one axis after another, so the
  pools run one axis at a time, each a small Function;
- unfold is im2col on a channels-first image, (N, C, H, W) -> (N, C kh kw, L), rows in
  (channel, kernel row, kernel column) order as in PyTorch; fold is its adjoint (col2im),
  adding overlapping blocks. Each is the other's backward.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np

from .. import backend
from ..autograd.tensor import Function, Tensor
from .conv_utils import normalize_tuple
from .data_format import check_data_format
from .dtypes import float_tensor
from .gradients import LinearMap, adjoint_op
from .im2col import col2im, interior, pad_spatial, windows
from .keras_names import convert_to_numpy, convert_to_tensor
from .manipulation import gather


# --- window functions (no gradient) -----------------------------------------------------------
def _window(numpy_window, x, *args):
    """NumPy's window of length ``x`` (a number or a one-element tensor) in floatx."""
    length = int(np.asarray(convert_to_numpy(x)).item())
    return Tensor(numpy_window(length, *args).astype(backend.floatx()))


def bartlett(x):
    """The triangular window: 1 - |2n / (N - 1) - 1|."""
    return _window(np.bartlett, x)


def blackman(x):
    """0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _window(np.blackman, x)


def hamming(x):
    """0.54 - 0.46 cos(2 pi n / (N - 1))."""
    return _window(np.hamming, x)


def hanning(x):
    """0.5 - 0.5 cos(2 pi n / (N - 1))."""
    return _window(np.hanning, x)


def kaiser(x, beta):
    """I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)."""
    return _window(np.kaiser, x, float(beta))


# --- frames --------------------------------------------------------------------------------
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of the last axis: (..., n) -> (..., frames, sequence_length), frame f holding
    x[..., f * stride : f * stride + sequence_length], with frames = 1 + (n - length) //
    stride. A gather, so the gradient adds back onto every element a frame read."""
    x = convert_to_tensor(x)
    if x.ndim < 1:
        raise ValueError("extract_sequences: x needs rank 1 or more, received a scalar")
    length, stride = int(sequence_length), int(sequence_stride)
    if length < 1 or stride < 1:
        raise ValueError(f"extract_sequences: sequence_length and sequence_stride must be "
                         f"positive, received {sequence_length} and {sequence_stride}")
    frames = max(0, 1 + (x.shape[-1] - length) // stride)
    index = np.arange(frames)[:, None] * stride + np.arange(length)
    return gather(x, index, axis=x.ndim - 1)


# --- adaptive pooling ----------------------------------------------------------------------
def _bins(n, m):
    """(start, end) of each of the m bins over n elements."""
    return [((i * n) // m, -((-(i + 1) * n) // m)) for i in range(m)]


class AdaptivePool(Function):
    """Adaptive pooling along one axis into ``size`` bins:

    - average: y_i = mean of bin i; each of its elements gets g_i / len(bin i);
    - max:     y_i = max of bin i; g_i goes to its first largest element."""

    def __init__(self, axis, size, mode):
        self.axis, self.size, self.mode = axis, size, mode

    def forward(self, x):
        xs = np.moveaxis(x, self.axis, -1)  # bins along the last axis
        self.bins, self.shape = _bins(xs.shape[-1], self.size), xs.shape
        windows_ = [xs[..., start:end] for start, end in self.bins]
        if self.mode == "average":
            y = np.stack([w.mean(axis=-1) for w in windows_], axis=-1)
        else:
            self.args = [w.argmax(axis=-1)[..., None] for w in windows_]
            y = np.stack([w.max(axis=-1) for w in windows_], axis=-1)
        return np.moveaxis(y, -1, self.axis)

    def backward(self, g):
        g = np.moveaxis(g, self.axis, -1)
        xp = backend.get_array_module(g)
        dx = xp.zeros(self.shape, dtype=g.dtype)
        for i, (start, end) in enumerate(self.bins):
            share = g[..., i:i + 1]
            if self.mode == "average":
                dx[..., start:end] += share / (end - start)
            else:
                dx[..., start:end] += share * (xp.arange(end - start) == self.args[i])
        return np.moveaxis(dx, -1, self.axis)

    def backward_ops(self, g):  # linear in g (max: its arg-max positions held fixed)
        if self.mode == "average":
            return adjoint_op(self)(g)  # the transpose of spreading g / len is the mean again
        pool = copy.copy(self)
        return LinearMap(pool.backward, pool._at_args)(g)

    def _at_args(self, c):
        """``c`` (shaped like x) read at each bin's arg-max: the transpose of max's backward."""
        cs = np.moveaxis(c, self.axis, -1)
        y = [np.take_along_axis(cs[..., start:end], arg, axis=-1)[..., 0]
             for (start, end), arg in zip(self.bins, self.args)]
        return np.moveaxis(np.stack(y, axis=-1), -1, self.axis)


def _adaptive_pool(inputs, output_size, data_format, mode, owner):
    data_format = check_data_format(data_format, owner)
    x = float_tensor(inputs) if mode == "average" else convert_to_tensor(inputs)
    nd = x.ndim - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"{owner}: expected inputs of rank 3, 4 or 5 (batch, 1 to 3 spatial "
                         f"axes, channels), received shape {tuple(x.shape)}")
    sizes = normalize_tuple(output_size, nd, "output_size", owner)
    first = 1 if data_format == "channels_last" else 2  # the first spatial axis
    for k, size in enumerate(sizes):
        x = AdaptivePool(first + k, size, mode)(x)
    return x


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average each adaptive bin: the spatial axes of ``inputs`` (1 to 3 of them) become
    ``output_size`` (an int for all, or one per axis), whatever their length."""
    return _adaptive_pool(inputs, output_size, data_format, "average", "adaptive_average_pool")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """The largest value of each adaptive bin (see :func:`adaptive_average_pool`)."""
    return _adaptive_pool(inputs, output_size, data_format, "max", "adaptive_max_pool")


# --- sliding blocks: unfold (im2col) and fold (col2im) ------------------------------------------
class _Blocks(NamedTuple):
    """Where the blocks of an (H, W) image lie: per-axis kernel size, dilation, padding,
    stride, and how many blocks fit along each axis."""

    kernel: tuple
    dilation: tuple
    padding: tuple
    stride: tuple
    out: tuple


def _blocks(image_size, kernel_size, dilation, padding, stride, owner):
    kernel = normalize_tuple(kernel_size, 2, "kernel_size", owner)
    dilation = normalize_tuple(dilation, 2, "dilation", owner)
    stride = normalize_tuple(stride, 2, "stride", owner)
    padding = (int(padding),) * 2 if np.ndim(padding) == 0 else tuple(int(p) for p in padding)
    if len(padding) != 2 or min(padding) < 0:
        raise ValueError(f"{owner}: padding must be an int or two ints >= 0, "
                         f"received {padding!r}")
    out = tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                for n, k, d, p, s in zip(image_size, kernel, dilation, padding, stride))
    if min(out) <= 0:
        raise ValueError(f"{owner}: no {kernel} block fits in an image of size "
                         f"{tuple(image_size)} with padding {padding} and dilation {dilation}")
    return _Blocks(kernel, dilation, padding, stride, out)


def _unfold_array(x, b):
    """(N, C, H, W) -> (N, C kh kw, oh ow): block (r, c) of channel ch, kernel offset
    (i, j), sits at row ch kh kw + i kw + j, column r ow + c."""
    n, c = x.shape[:2]
    image = pad_spatial(x.transpose(0, 2, 3, 1), [(p, p) for p in b.padding])
    patches = windows(image, b.out, b.kernel, b.stride, b.dilation)  # (N, oh, ow, kh, kw, C)
    cols = backend.get_array_module(x).empty(
        (n, c * b.kernel[0] * b.kernel[1], b.out[0] * b.out[1]), dtype=x.dtype)
    cols.reshape(n, c, *b.kernel, *b.out)[...] = patches.transpose(0, 5, 3, 4, 1, 2)
    return cols


def _fold_array(cols, b, image_size):
    """The adjoint of :func:`_unfold_array`: (N, C kh kw, L) -> (N, C, H, W), each block's
    values added onto the pixels it covers (padding dropped)."""
    n = cols.shape[0]
    c = cols.shape[1] // (b.kernel[0] * b.kernel[1])
    blocks = cols.reshape(n, c, *b.kernel, *b.out).transpose(0, 4, 5, 2, 3, 1)
    padded = (n, *(s + 2 * p for s, p in zip(image_size, b.padding)), c)
    image = col2im(blocks.reshape(-1, b.kernel[0] * b.kernel[1] * c), padded, b.out,
                   b.kernel, b.stride, b.dilation)
    image = image[interior((n, *image_size, c), [(p, p) for p in b.padding])]
    return image.transpose(0, 3, 1, 2)


class Unfold(Function):
    """cols = im2col(x); the backward folds the gradient back: dx = col2im(g)."""

    def __init__(self, blocks):
        self.blocks = blocks

    def forward(self, x):
        self.image_size = x.shape[2:]
        return _unfold_array(x, self.blocks)

    def backward(self, g):
        return _fold_array(g, self.blocks, self.image_size)

    def backward_ops(self, g):
        return Fold(self.blocks, self.image_size)(g)


class Fold(Function):
    """y = col2im(cols); its adjoint gathers the gradient's blocks: dcols = im2col(g)."""

    def __init__(self, blocks, image_size):
        self.blocks, self.image_size = blocks, image_size

    def forward(self, cols):
        return _fold_array(cols, self.blocks, self.image_size)

    def backward(self, g):
        return _unfold_array(g, self.blocks)

    def backward_ops(self, g):
        return Unfold(self.blocks)(g)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a channels-first image batch as columns (PyTorch's
    ``nn.functional.unfold``): (N, C, H, W) -> (N, C kh kw, L), L the number of blocks."""
    x = convert_to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"unfold: expected a 4-d input (N, C, H, W), received shape "
                         f"{tuple(x.shape)}")
    return Unfold(_blocks(x.shape[2:], kernel_size, dilation, padding, stride, "unfold"))(x)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Blocks (N, C kh kw, L) added back into a channels-first image (N, C, *output_size),
    overlaps summed: the adjoint of :func:`unfold` (PyTorch's ``nn.functional.fold``)."""
    x = convert_to_tensor(x)
    if x.ndim != 3:
        raise ValueError(f"fold: expected a 3-d input (N, C * kh * kw, L), received shape "
                         f"{tuple(x.shape)}")
    image_size = normalize_tuple(output_size, 2, "output_size", "fold")
    b = _blocks(image_size, kernel_size, dilation, padding, stride, "fold")
    kernel_area = b.kernel[0] * b.kernel[1]
    if x.shape[1] % kernel_area or x.shape[2] != b.out[0] * b.out[1]:
        raise ValueError(f"fold: input of shape {tuple(x.shape)} does not hold "
                         f"{kernel_area}-element blocks for {b.out[0]} x {b.out[1]} "
                         f"positions")
    return Fold(b, image_size)(x)
