"""Reductions: sums, means, extremes and log-sum-exp over chosen axes."""

from __future__ import annotations

import builtins
import math

import numpy as np

from ..autograd.tensor import Function, Tensor
from .math import sqrt


def _axes(axis, ndim):
    """The reduced axes, sorted and non-negative; None (NumPy's "all of them") for None."""
    if axis is None:
        return None
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axis:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor of rank {ndim}")
    return tuple(sorted(a % ndim for a in axis)) if ndim else ()


def _kept_shape(shape, axes):
    """The shape with each reduced axis kept as size 1 (what keepdims=True would give)."""
    if axes is None or len(axes) == len(shape):  # everything (the usual loss): all ones
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g, kept_shape, shape):
    """A gradient that arrived for the reduced tensor, copied to every reduced position."""
    out = np.empty(shape, g.dtype)
    out[...] = g.reshape(kept_shape)
    return out


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        axes, self.shape = _axes(self.axis, x.ndim), x.shape
        self.kept = _kept_shape(x.shape, axes)
        return x.sum(axis=axes, keepdims=self.keepdims)

    def backward(self, g):  # every summed element gets the same gradient
        return _spread(g, self.kept, self.shape)


class Mean(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        axes, self.shape = _axes(self.axis, x.ndim), x.shape
        self.kept = _kept_shape(x.shape, axes)
        self.n = x.size // builtins.max(math.prod(self.kept), 1) if x.size else 1
        if not x.size or x.dtype.kind != "f" or x.itemsize < 4:
            return x.mean(axis=axes, keepdims=self.keepdims)  # NaN, or NumPy's wider sum
        # the sum over n, as ndarray.mean computes it for float32/64, without its Python
        # wrapper (5 us of a 6 us mean of 1,000 numbers)
        return x.sum(axis=axes, keepdims=self.keepdims) / self.n

    def backward(self, g):  # each of the n averaged elements gets g / n
        return _spread(g / self.n, self.kept, self.shape)


class Max(Function):
    """The largest element; ties share the gradient equally (so it stays a true subgradient)."""

    def __init__(self, axis=None, keepdims=False, sign=1):
        self.axis, self.keepdims, self.sign = axis, keepdims, sign

    def forward(self, x):
        self.axes = _axes(self.axis, x.ndim)
        y = (x if self.sign > 0 else -x).max(axis=self.axes, keepdims=True) * self.sign
        self.hits = x == y
        return y if self.keepdims else y.squeeze(self.axes)

    def backward(self, g):
        hits = self.hits
        count = hits.sum(axis=self.axes, keepdims=True)
        return g.reshape(count.shape) * hits / count


class LogSumExp(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axes = _axes(self.axis, x.ndim)
        m = x.max(axis=self.axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        y = np.log(np.exp(x - m).sum(axis=self.axes, keepdims=True)) + m  # shift: no overflow
        self.x, self.y = x, y
        return y if self.keepdims else y.squeeze(self.axes)

    def backward(self, g):  # d lse / dx = softmax(x)
        return g.reshape(self.y.shape) * np.exp(self.x - self.y)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - the NumPy/Keras name
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    return Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return Max(axis, keepdims, 1)(x)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return Max(axis, keepdims, -1)(x)


def logsumexp(x, axis=None, keepdims=False):
    return LogSumExp(axis, keepdims)(x)


def var(x, axis=None, keepdims=False):
    mu = mean(x, axis, keepdims=True)
    d = x - mu
    return mean(d * d, axis, keepdims)


def std(x, axis=None, keepdims=False):
    return sqrt(var(x, axis, keepdims))


def argmax(x, axis=None, keepdims=False):
    """Not differentiable: an integer tensor without a graph (flattened when axis is None,
    as in Keras)."""
    return Tensor(np.argmax(getattr(x, "data", x), axis=axis, keepdims=keepdims))


def argmin(x, axis=None, keepdims=False):
    return Tensor(np.argmin(getattr(x, "data", x), axis=axis, keepdims=keepdims))


def norm(x, axis=None, keepdims=False):
    """The Euclidean (L2) norm."""
    return sqrt(sum(x * x, axis, keepdims))
