"""Max and average pooling over 1, 2 or 3 spatial axes, channels last.

Pooling reads the same windows as a convolution, and reduces each one instead of
multiplying it by a kernel. Both passes loop over the few positions inside a window (4 for
2x2), each step touching the pixel at that position for every window at once
(``conv.window_slice``); never a loop over pixels.

- max:     y = the largest of the window's values; the gradient goes to that element
           (the first one, if several tie), remembered as its position ``arg``;
- average: y = sum / count, where ``count`` is the number of real (not padding) elements
           in the window, as Keras averages with padding='same'; each gets ``g / count``.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from .. import backend
from ..autograd.tensor import Function
from . import _conv_numba
from .conv_utils import conv_output_length, conv_padding, normalize_tuple
from .gradients import LinearMap, adjoint_op
from .im2col import as_image, compiled, image_geometry, interior, pad_spatial, window_slice


def _geometry(x_shape, pool, strides, padding):
    """Front/back padding per spatial axis and the output sizes."""
    if len(x_shape) != len(pool) + 2:
        raise ValueError(f"pool: a {len(pool)}-d pool needs inputs of rank {len(pool) + 2} "
                         f"(batch, *spatial, channels), received shape {tuple(x_shape)}")
    pads = [conv_padding(n, p, s, padding) for n, p, s in zip(x_shape[1:-1], pool, strides)]
    out = tuple(conv_output_length(n, p, s, padding)
                for n, p, s in zip(x_shape[1:-1], pool, strides))
    if min(out) <= 0:
        raise ValueError(f"pool: inputs of shape {tuple(x_shape)} are smaller than the pool "
                         f"{tuple(pool)} with padding 'valid': no output remains")
    return pads, out


class _Pool(Function):
    def __init__(self, pool_size, strides, padding):
        self.pool, self.strides, self.padding = pool_size, strides, padding

    def _positions(self):
        """(index, slice) for every position inside the window."""
        ones = (1,) * len(self.pool)
        for k, offset in enumerate(np.ndindex(*self.pool)):
            yield k, window_slice(offset, self.out, self.strides, ones)

    def _tiles(self):
        """Whether the windows tile the input exactly (stride = pool, nothing left over, the
        usual 2x2 case): then every pixel gets its gradient from one window only, so dx
        needs no zero-fill and no adding."""
        return tuple(self.strides) == tuple(self.pool) and all(
            o * p == n for o, p, n in zip(self.out, self.pool, self.padded_shape[1:-1]))

    def _scatter(self, part_of_g, like):
        """dx: put ``part_of_g(k)`` onto the pixels at window position k, for every k."""
        xp = backend.get_array_module(like)
        tiles = self._tiles()
        dx = (xp.empty if tiles else xp.zeros)(self.padded_shape, dtype=like.dtype)
        for k, where in self._positions():
            if tiles:
                dx[where] = part_of_g(k)
            else:
                dx[where] += part_of_g(k)
        return dx[interior(self.x_shape, self.pads)]


class MaxPool(_Pool):
    """``y = max over each window``; the gradient flows to the first arg-max of each window."""

    def forward(self, x):
        self.pads, self.out = _geometry(x.shape, self.pool, self.strides, self.padding)
        low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp_ = pad_spatial(x, self.pads, low)  # padding never wins a max
        xp = backend.get_array_module(x)
        index = np.uint8 if math.prod(self.pool) < 256 else np.int32
        self.x_shape, self.padded_shape = x.shape, xp_.shape
        nd = len(self.pool)
        if compiled(xp_, nd=nd):  # one compiled pass over the image (see _conv_numba)
            y = np.empty((x.shape[0], *self.out, x.shape[-1]), x.dtype)
            geometry = image_geometry(self.out, self.pool, self.strides)
            if not self.recording:  # no backward to come: the values alone
                _conv_numba.max_pool_values(as_image(xp_, nd), *geometry, as_image(y, nd))
                return y
            # int32 positions: beside float32 values the channel loop runs as SIMD code;
            # with uint8 it did not, and the pass took 3x as long (still 4x less memory
            # than the int64 indices PyTorch keeps)
            self.arg = np.empty(y.shape, np.int32)
            _conv_numba.max_pool(as_image(xp_, nd), *geometry, as_image(y, nd),
                                 as_image(self.arg, nd))
            return y
        y = arg = None
        for k, where in self._positions():
            candidate = xp_[where]
            if y is None:
                y, arg = candidate.copy(), xp.zeros(candidate.shape, dtype=index)
                continue
            better = candidate > y  # strictly: a tie keeps the earlier position
            xp.maximum(y, candidate, out=y)
            # positions come in increasing k, so k beats every arg stored so far
            xp.maximum(arg, better * index(k), out=arg)
        self.arg = arg
        return y

    def backward(self, g):
        nd = len(self.pool)
        if compiled(g, nd=nd):
            g = np.ascontiguousarray(g)
            tiles = self._tiles()
            dx = (np.empty if tiles else np.zeros)(self.padded_shape, g.dtype)
            _conv_numba.max_pool_backward(as_image(g, nd), as_image(self.arg, nd),
                                          *image_geometry(self.pool, self.strides),
                                          as_image(dx, nd), not tiles)
            return dx[interior(self.x_shape, self.pads)]
        return self._scatter(lambda k: g * (self.arg == k), g)

    def backward_ops(self, g):  # routing by the saved arg-max: linear in g, with a constant map
        pool = copy.copy(self)
        return LinearMap(pool.backward, pool._at_args)(g)

    def _at_args(self, c):
        """``c`` (shaped like x) read at each window's arg-max: the transpose of backward."""
        c = pad_spatial(c, self.pads)
        y = None
        for k, where in self._positions():
            part = c[where] * (self.arg == k)
            y = part if y is None else y + part
        return y


class AvgPool(_Pool):
    """``y = mean over each window``, counting only real elements (never the padding)."""

    def forward(self, x):
        self.pads, self.out = _geometry(x.shape, self.pool, self.strides, self.padding)
        xp_ = pad_spatial(x, self.pads)
        xp = backend.get_array_module(x)
        # How many real elements each window holds: pool a one-channel image of ones.
        real = pad_spatial(xp.ones((1,) + x.shape[1:-1] + (1,), dtype=x.dtype), self.pads)
        total = count = None
        for _, where in self._positions():
            if total is None:
                total, count = xp_[where].copy(), real[where].copy()
            else:
                total += xp_[where]
                count += real[where]
        self.count, self.x_shape, self.padded_shape = count, x.shape, xp_.shape
        return total / count

    def backward(self, g):
        share = g / self.count
        return self._scatter(lambda k: share, g)

    def backward_ops(self, g):  # spreading g / count is linear; its transpose is this pool
        return adjoint_op(self)(g)


def _pool_args(pool_size, strides, padding, nd, owner):
    pool_size = normalize_tuple(pool_size, nd, "pool_size", owner)
    strides = pool_size if strides is None else normalize_tuple(strides, nd, "strides", owner)
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{owner}: padding must be 'valid' or 'same', received {padding!r}")
    return pool_size, strides, padding


def max_pool(x, pool_size, strides=None, padding="valid"):
    """Max pooling over the spatial axes of ``x`` (batch, *spatial, channels). ``strides``
    defaults to ``pool_size`` (non-overlapping windows), as in Keras."""
    nd = len(x.shape) - 2
    return MaxPool(*_pool_args(pool_size, strides, padding, nd, "max_pool"))(x)


def avg_pool(x, pool_size, strides=None, padding="valid"):
    """Average pooling over the spatial axes of ``x`` (batch, *spatial, channels)."""
    nd = len(x.shape) - 2
    return AvgPool(*_pool_args(pool_size, strides, padding, nd, "avg_pool"))(x)


def _check_rank(x, nd, owner):
    if len(x.shape) != nd + 2:
        raise ValueError(f"{owner}: expected inputs of rank {nd + 2} (batch, "
                         f"{'steps' if nd == 1 else 'height, width'}, channels), received "
                         f"shape {tuple(x.shape)}")
    return x


def max_pool1d(x, pool_size=2, strides=None, padding="valid"):
    return max_pool(_check_rank(x, 1, "max_pool1d"), pool_size, strides, padding)


def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    return max_pool(_check_rank(x, 2, "max_pool2d"), pool_size, strides, padding)


def avg_pool1d(x, pool_size=2, strides=None, padding="valid"):
    return avg_pool(_check_rank(x, 1, "avg_pool1d"), pool_size, strides, padding)


def avg_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    return avg_pool(_check_rank(x, 2, "avg_pool2d"), pool_size, strides, padding)
