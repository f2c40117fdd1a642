"""Max and average pooling over 1, 2 or 3 spatial axes, channels last.

Pooling reads the same patches as a convolution (``conv.windows``) and reduces each one
instead of multiplying it by a kernel. The backward pass builds each patch's gradient and
adds the patches back with ``conv.col2im``:

- max:     the whole gradient goes to the patch's largest element (its arg-max);
- average: every element of the patch gets ``g / count``, where ``count`` is the number of
           real (not padding) elements in it, as Keras averages with padding='same'.
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd.tensor import Function
from .conv import (
    col2im,
    conv_output_length,
    conv_padding,
    interior,
    normalize_tuple,
    pad_spatial,
    windows,
)


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


class MaxPool(Function):
    """``y = max over each window``; the gradient flows to the first arg-max of each window."""

    def __init__(self, pool_size, strides, padding):
        self.pool, self.strides, self.padding = pool_size, strides, padding

    def forward(self, x):
        pads, out = _geometry(x.shape, self.pool, self.strides, self.padding)
        low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp_ = pad_spatial(x, pads, low)  # padding never wins a max
        ones = (1,) * len(self.pool)
        patches = windows(xp_, out, self.pool, self.strides, ones)
        patches = patches.reshape(patches.shape[:1 + len(out)] + (-1, x.shape[-1]))
        self.arg = patches.argmax(axis=-2)[..., None, :]  # (batch, *out, 1, C)
        self.x_shape, self.pads, self.padded_shape = x.shape, pads, xp_.shape
        return np.take_along_axis(patches, self.arg, axis=-2)[..., 0, :]

    def backward(self, g):
        xp = backend.get_array_module(g)
        n_pool = math.prod(self.pool)
        dpatches = xp.zeros(g.shape[:-1] + (n_pool, g.shape[-1]), dtype=g.dtype)
        xp.put_along_axis(dpatches, self.arg, g[..., None, :], axis=-2)
        dpatches = dpatches.reshape(g.shape[:-1] + tuple(self.pool) + (g.shape[-1],))
        dx = col2im(dpatches, self.padded_shape, self.strides, (1,) * len(self.pool))
        return dx[interior(self.x_shape, self.pads)]


class AvgPool(Function):
    """``y = mean over each window``, counting only real elements (never the padding)."""

    def __init__(self, pool_size, strides, padding):
        self.pool, self.strides, self.padding = pool_size, strides, padding

    def forward(self, x):
        pads, out = _geometry(x.shape, self.pool, self.strides, self.padding)
        ones = (1,) * len(self.pool)
        xp_ = pad_spatial(x, pads)
        patches = windows(xp_, out, self.pool, self.strides, ones)
        axes = tuple(range(1 + len(out), 1 + 2 * len(out)))
        # How many real elements each window holds: pool a one-channel image of ones.
        xp = backend.get_array_module(x)
        real = pad_spatial(xp.ones((1,) + x.shape[1:-1] + (1,), dtype=x.dtype), pads)
        self.count = windows(real, out, self.pool, self.strides, ones).sum(axis=axes)
        self.x_shape, self.pads, self.padded_shape = x.shape, pads, xp_.shape
        return patches.sum(axis=axes) / self.count

    def backward(self, g):
        nd = len(self.pool)
        share = (g / self.count)[(Ellipsis,) + (None,) * nd + (slice(None),)]
        xp = backend.get_array_module(g)
        dpatches = xp.broadcast_to(share, g.shape[:-1] + tuple(self.pool) + (g.shape[-1],))
        dx = col2im(dpatches, self.padded_shape, self.strides, (1,) * nd)
        return dx[interior(self.x_shape, self.pads)]


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
