"""Reductions: sums, means, extremes and log-sum-exp over chosen axes."""

from __future__ import annotations

import builtins
import math

import numpy as np

from ..autograd.tensor import Function, Tensor
from .manipulation import broadcast_to, reshape, transpose
from .math import abs, exp, sqrt  # noqa: A004 - Keras's name


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

    def backward_ops(self, g):
        return broadcast_to(reshape(g, self.kept), self.shape)


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

    def backward_ops(self, g):
        return broadcast_to(reshape(g / self.n, self.kept), self.shape)


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

    def backward_ops(self, g):  # the share each maximum gets is a constant
        count = self.hits.sum(axis=self.axes, keepdims=True)
        return reshape(g, count.shape) * (self.hits / count).astype(g.dtype)


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

    def backward_ops(self, g):
        x = self.inputs[0]
        return reshape(g, self.y.shape) * exp(x - logsumexp(x, self.axis, keepdims=True))


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


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's argument name
    """Keras's (and NumPy's) vector and matrix norms.

    A vector norm when ``axis`` is one axis (or x is 1-D): ord None or 2 is sqrt(sum x^2),
    a number p gives (sum |x|^p)^(1/p), inf / -inf the largest / smallest |x|, 0 the count
    of non-zeros (no gradient). A matrix norm when ``axis`` is a pair (or x is 2-D): None
    or 'fro' is sqrt(sum x^2), 1 / -1 the largest / smallest column sum of |x|, inf / -inf
    the same over rows, 'nuc' / 2 / -2 the sum / largest / smallest singular value. With
    ord None and no axis, the norm of all elements, whatever the rank (as Keras).
    """
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, np.float32)
                                               if not hasattr(x, "dtype") else x)
    if ord is None and axis is None:
        return sqrt(sum(x * x, None, keepdims))
    axes = tuple(range(x.ndim)) if axis is None else (axis,) if isinstance(axis, int) else \
        tuple(axis)
    _axes(axes, x.ndim)  # checks the range
    axes = tuple(a % x.ndim for a in axes)  # in the order given: (rows, columns)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: axis must name one axis (a vector norm) or two (a matrix "
                     f"norm); received {axis!r} for a tensor of rank {x.ndim}")


def _vector_norm(x, ord, axis, keepdims):  # noqa: A002
    if ord is None or ord == 2:
        return sqrt(sum(x * x, axis, keepdims))
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; a vector norm takes None, a "
                         f"number, inf or -inf")
    size = abs(x)
    if ord == np.inf:
        return max(size, axis, keepdims)
    if ord == -np.inf:
        return min(size, axis, keepdims)
    if ord == 0:
        return Tensor((x.data != 0).sum(axis=axis, keepdims=keepdims).astype(x.dtype))
    if ord == 1:
        return sum(size, axis, keepdims)
    return sum(size ** ord, axis, keepdims) ** (1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):  # noqa: A002
    rows, cols = axes
    if ord is None or ord == "fro":
        return sqrt(sum(x * x, axes, keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        lines = sum(abs(x), summed, keepdims=True)  # column sums for 1, row sums for inf
        pick = max if ord > 0 else min
        return reshape(pick(lines, other, keepdims=True),
                       _reduced_shape(x.shape, axes, keepdims))
    if ord in ("nuc", 2, -2):
        from .decompositions import svd  # here: decompositions imports this module
        order = [i for i in range(x.ndim) if i not in axes] + list(axes)
        s = svd(transpose(x, order), compute_uv=False)  # batched over the other axes
        value = sum(s, -1) if ord == "nuc" else (max(s, -1) if ord == 2 else min(s, -1))
        return reshape(value, _reduced_shape(x.shape, axes, keepdims))
    raise ValueError(f"norm: ord={ord!r} is not a matrix norm; use None, 'fro', 'nuc', "
                     f"1, -1, 2, -2, inf or -inf")


def _reduced_shape(shape, axes, keepdims):
    return tuple(1 if i in axes else n for i, n in enumerate(shape)) if keepdims else \
        tuple(n for i, n in enumerate(shape) if i not in axes)
