"""Keras's shape and array functions beyond the basics: stacking and splitting by NumPy's
rules, rolls and rotations, diagonals, slices and slice updates, differences and running
sums and products.

Almost all are built from the ops beside this module (concatenate, split, getitem,
gather, where, pad ...), so their gradients come with them; running sums and products are
Functions of their own. Every function takes Tensors, NumPy arrays, lists or numbers.
"""

from __future__ import annotations

import builtins

import numpy as np

from ..autograd.tensor import Function
from .dtypes import common_tensors, float_tensor
from .keras_names import _tensor, flip, moveaxis
from .manipulation import (
    _ints,
    concatenate,
    gather,
    getitem,
    pad,
    reshape,
    split,
    squeeze,
    transpose,
    where,
)
from .math import cast
from .reduction import sum

_slice = builtins.slice  # this module defines Keras's ``slice``


# --- dtypes ---------------------------------------------------------------------------------
def _accumulator(dtype):
    """The dtype Keras sums and multiplies ``dtype`` in: small integers and booleans widen
    to 32 bits, everything else keeps its dtype (NumPy would widen int32 to int64)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b" or dtype.name in ("int8", "int16"):
        return np.dtype(np.int32)
    if dtype.name in ("uint8", "uint16"):
        return np.dtype(np.uint32)
    return dtype


def _summed(x, axis=None, keepdims=False):
    """``sum`` in Keras's accumulator dtype."""
    acc = _accumulator(x.dtype)
    total = sum(x if x.dtype == acc else cast(x, acc), axis=axis, keepdims=keepdims)
    return total if total.dtype == acc else cast(total, acc)


def _along(ndim, axis, index):
    """An index tuple that applies ``index`` on ``axis`` and takes everything elsewhere."""
    return (_slice(None),) * (axis % ndim) + (index,)


# --- joining ----------------------------------------------------------------------------------
def _at_least(x, ndim, place):
    """``x`` with axes of size 1 added (NumPy's atleast_2d/3d), where ``place`` says."""
    return x if x.ndim >= ndim else reshape(x, place(x.shape))


def hstack(xs):
    """Join along the second axis (the first, for 1-D tensors)."""
    xs = [_at_least(x, 1, lambda s: (1,)) for x in common_tensors(xs)]
    return concatenate(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    """Join along the first axis, 1-D tensors as rows."""
    return concatenate([_at_least(x, 2, lambda s: (1,) + s + (1,) * (1 - len(s)))
                        for x in common_tensors(xs)], axis=0)


def dstack(xs):
    """Join along the third axis: (n,) becomes (1, n, 1), (m, n) becomes (m, n, 1)."""
    def place(s):
        return (1,) + s + (1,) * (2 - len(s)) if len(s) < 2 else s + (1,)
    return concatenate([_at_least(x, 3, place) for x in common_tensors(xs)], axis=2)


def append(x1, x2, axis=None):
    """``x2`` after ``x1`` along ``axis``; both flattened when ``axis`` is None."""
    a, b = common_tensors((x1, x2))
    if axis is None:
        return concatenate([reshape(a, (-1,)), reshape(b, (-1,))], axis=0)
    return concatenate([a, b], axis=axis)


# --- splitting --------------------------------------------------------------------------------
def _split(x, indices_or_sections, axis, equal):
    """NumPy's split: a number of parts (as equal as may be, or exactly equal when
    ``equal``), or the indices to cut at."""
    x = _tensor(x)
    n = x.shape[axis]
    if np.ndim(indices_or_sections) == 0:
        parts = int(indices_or_sections)
        if parts <= 0:
            raise ValueError(f"split: the number of sections must be positive, received "
                             f"{parts}")
        if equal and n % parts:
            raise ValueError(f"split: axis {axis} of size {n} does not divide into {parts} "
                             "equal parts (array_split allows unequal ones)")
        q, r = divmod(n, parts)
        sizes = [q + 1] * r + [q] * (parts - r)
    else:
        cuts = [builtins.min(builtins.max(c + n if c < 0 else c, 0), n)
                for c in _ints(indices_or_sections)]
        if any(b < a for a, b in zip(cuts, cuts[1:])):
            raise ValueError(f"split: the indices to cut at must not decrease, received "
                             f"{list(indices_or_sections)}")
        sizes = np.diff([0] + cuts + [n]).tolist()
    return split(x, sizes, axis=axis)


def array_split(x, indices_or_sections, axis=0):
    """Split into parts as equal as may be (the first ones longer), or at the given indices."""
    return _split(x, indices_or_sections, axis, equal=False)


def hsplit(x, indices_or_sections):
    """Split along the second axis (the first, for 1-D tensors) into equal parts."""
    x = _tensor(x)
    if x.ndim == 0:
        raise ValueError("hsplit: needs a tensor of rank 1 or more")
    return _split(x, indices_or_sections, 1 if x.ndim > 1 else 0, equal=True)


def vsplit(x, indices_or_sections):
    """Split along the first axis (rank 2 or more) into equal parts."""
    x = _tensor(x)
    if x.ndim < 2:
        raise ValueError(f"vsplit: needs a tensor of rank 2 or more, received {x.shape}")
    return _split(x, indices_or_sections, 0, equal=True)


def dsplit(x, indices_or_sections):
    """Split along the third axis (rank 3 or more) into equal parts."""
    x = _tensor(x)
    if x.ndim < 3:
        raise ValueError(f"dsplit: needs a tensor of rank 3 or more, received {x.shape}")
    return _split(x, indices_or_sections, 2, equal=True)


def unstack(x, num=None, axis=0):
    """The slices along ``axis``, as a list of tensors one rank lower."""
    x = _tensor(x)
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(f"unstack: num={num} but axis {axis} has size {n}")
    return [squeeze(part, axis) for part in split(x, n, axis=axis)] if n else []


# --- moving elements --------------------------------------------------------------------------
def roll(x, shift, axis=None):
    """Shift elements along ``axis`` cyclically (over the flattened tensor when None)."""
    x = _tensor(x)
    if axis is None:
        return reshape(roll(reshape(x, (-1,)), shift, 0), x.shape)
    for s, a in zip(*np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))):
        n = x.shape[a]
        if n:  # out[i] = x[(i - s) mod n]
            x = gather(x, (np.arange(n) - int(s)) % n, axis=int(a) % x.ndim)
    return x


def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times, from the first of ``axes`` towards the second."""
    x = _tensor(array)
    if x.ndim < 2:
        raise ValueError(f"rot90: needs a tensor of rank 2 or more, received {x.shape}")
    if len(axes) != 2 or int(axes[0]) % x.ndim == int(axes[1]) % x.ndim:
        raise ValueError(f"rot90: axes must be two different axes, received {axes}")
    a, b = (int(v) % x.ndim for v in axes)
    k %= 4
    if k == 0:
        return x
    if k == 2:
        return flip(x, (a, b))
    order = list(range(x.ndim))
    order[a], order[b] = b, a
    # a quarter turn is a flip of one axis and a swap of the two; three are the reverse
    return transpose(flip(x, b), order) if k == 1 else flip(transpose(x, order), b)


def fliplr(x):
    """Reverse the second axis (columns)."""
    x = _tensor(x)
    if x.ndim < 2:
        raise ValueError(f"fliplr: needs a tensor of rank 2 or more, received {x.shape}")
    return flip(x, 1)


def flipud(x):
    """Reverse the first axis (rows)."""
    x = _tensor(x)
    if x.ndim < 1:
        raise ValueError("flipud: needs a tensor of rank 1 or more")
    return flip(x, 0)


# --- diagonals --------------------------------------------------------------------------------
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonal of the planes (axis1, axis2), on a new last axis."""
    x = _tensor(x)
    a, b = axis1 % x.ndim, axis2 % x.ndim
    planes = moveaxis(x, [a, b], [-2, -1])
    row, col = builtins.max(-offset, 0), builtins.max(offset, 0)
    n = builtins.max(0, builtins.min(x.shape[a] - row, x.shape[b] - col))
    return getitem(planes, (Ellipsis, np.arange(row, row + n), np.arange(col, col + n)))


def diag(x, k=0):
    """The ``k`` diagonal of a matrix, or a matrix with a vector on its ``k`` diagonal."""
    x = _tensor(x)
    if x.ndim == 2:
        return diagonal(x, k)
    if x.ndim != 1:
        raise ValueError(f"diag: needs a tensor of rank 1 or 2, received {x.shape}")
    square = where(np.eye(x.shape[0], dtype=bool), x, np.zeros((), x.dtype))
    before, after = builtins.max(-k, 0), builtins.max(k, 0)
    return pad(square, ((before, after), (after, before)))


def diagflat(x, k=0):
    """A square matrix with the flattened ``x`` on its ``k`` diagonal."""
    return diag(reshape(_tensor(x), (-1,)), k)


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum of the ``offset`` diagonal of the planes (axis1, axis2)."""
    return _summed(diagonal(x, offset, axis1, axis2), axis=-1)


# --- slices -----------------------------------------------------------------------------------
def get_item(x, key):
    """``x[key]``."""
    return getitem(_tensor(x), key)


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras's name
    """The block of ``shape`` that starts at ``start_indices`` (-1 in ``shape``: to the end)."""
    x = _tensor(inputs)
    start, size = _ints(start_indices), _ints(shape)
    if len(start) != x.ndim or len(size) != x.ndim:
        raise ValueError(f"slice: start_indices {start} and shape {size} need one entry per "
                         f"axis of the input, of shape {x.shape}")
    return getitem(x, tuple(_slice(s, n if m == -1 else s + m)
                            for s, m, n in zip(start, size, x.shape)))


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    x = _tensor(inputs)
    u = _tensor(updates)
    u = u if u.dtype == x.dtype else cast(u, x.dtype)
    start = _ints(start_indices)
    if u.ndim != x.ndim or len(start) != x.ndim or any(
            s < 0 or s + m > n for s, m, n in zip(start, u.shape, x.shape)):
        raise ValueError(f"slice_update: updates of shape {u.shape} at {start} do not fit "
                         f"inside the input, of shape {x.shape}")
    inside = np.zeros(x.shape, dtype=bool)
    inside[tuple(_slice(s, s + m) for s, m in zip(start, u.shape))] = True
    widths = [(s, n - s - m) for s, m, n in zip(start, u.shape, x.shape)]
    return where(inside, pad(u, widths), x)


class Copy(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g

    backward_ops = backward


def copy(x):
    """A tensor with the same values in memory of its own."""
    return Copy()(_tensor(x))


# --- differences, running sums and products ----------------------------------------------------
def diff(a, n=1, axis=-1):
    """The ``n``-th difference along ``axis``: out[i] = a[i+1] - a[i], ``n`` times."""
    x = _tensor(a)
    if x.dtype.kind == "b":  # NumPy's difference of booleans is their exclusive or
        return _tensor(np.diff(x.data, n=n, axis=axis))
    for _ in range(n):
        x = getitem(x, _along(x.ndim, axis, _slice(1, None))) - getitem(
            x, _along(x.ndim, axis, _slice(None, -1)))
    return x


def _reverse_cumsum(g, axis):
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)


class Cumsum(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return np.cumsum(x, axis=self.axis, dtype=x.dtype)

    def backward(self, g):  # x_j reaches every y_i with i >= j
        return _reverse_cumsum(g, self.axis)

    def backward_ops(self, g):
        return ReverseCumsum(self.axis)(g)


class ReverseCumsum(Function):
    """Cumsum's backward as an op: running sums from the end. Each is the other's
    transpose, so each is the other's backward, and gradients of gradients pass."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, g):
        return _reverse_cumsum(g, self.axis)

    def backward(self, c):
        return np.cumsum(c, axis=self.axis, dtype=c.dtype)

    def backward_ops(self, c):
        return Cumsum(self.axis)(c)


class Cumprod(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        self.x, self.y = x, np.cumprod(x, axis=self.axis, dtype=x.dtype)
        return self.y

    def backward(self, g):
        # dy_i/dx_j = y_i / x_j for i >= j, right for every x_j before the first zero of its
        # row. At the first zero it is y_i with that zero read as 1; after it, 0.
        x, y = np.moveaxis(self.x, self.axis, -1), np.moveaxis(self.y, self.axis, -1)
        g = np.moveaxis(g, self.axis, -1)
        n = x.shape[-1]
        zero = x == 0
        first = np.where(zero.any(axis=-1), zero.argmax(axis=-1), n)[..., None]
        position = np.arange(n)
        before, at = position < first, position == first
        gx = np.where(before, _reverse_cumsum(g * y, -1) / np.where(before, x, 1), 0)
        if at.any():
            y_one = np.cumprod(np.where(at, 1, x), axis=-1)
            gx = np.where(at, _reverse_cumsum(g * y_one, -1), gx)
        return np.moveaxis(gx.astype(g.dtype, copy=False), -1, self.axis)

    def composite(self, x):
        # the running product by doubling steps, products only (exact with zeros too):
        # after the step with shift s, y_i holds x_(i-2s+1) ... x_i
        y, n, shift = x, x.shape[self.axis], 1
        while shift < n:
            head = getitem(y, _along(y.ndim, self.axis, _slice(None, shift)))
            later = getitem(y, _along(y.ndim, self.axis, _slice(shift, None)))
            earlier = getitem(y, _along(y.ndim, self.axis, _slice(None, n - shift)))
            y = concatenate([head, later * earlier], axis=self.axis)
            shift *= 2
        return y


def _running(fn, x, axis, dtype):
    x = _tensor(x)
    dtype = np.dtype(dtype) if dtype is not None else (
        np.dtype(np.int32) if x.dtype.kind == "b" else x.dtype)
    if x.dtype != dtype:
        x = cast(x, dtype)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return fn(axis % builtins.max(x.ndim, 1))(x)


def cumsum(x, axis=None, dtype=None):
    """Running sum along ``axis`` (over the flattened tensor when None)."""
    return _running(Cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    """Running product along ``axis`` (over the flattened tensor when None)."""
    return _running(Cumprod, x, axis, dtype)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The trapezoidal-rule integral of ``y`` along ``axis`` (points ``x`` or spacing ``dx``)."""
    y, x = common_tensors((y, x), floating=True) if x is not None else (float_tensor(y), None)
    axis %= y.ndim
    mid = (getitem(y, _along(y.ndim, axis, _slice(1, None)))
           + getitem(y, _along(y.ndim, axis, _slice(None, -1)))) * 0.5
    if x is None:
        return sum(mid * dx, axis=axis)
    step = diff(x, axis=-1 if x.ndim == 1 else axis)
    if x.ndim == 1:  # sample points shared along the axis
        step = reshape(step, [-1 if a == axis else 1 for a in range(y.ndim)])
    return sum(mid * step, axis=axis)
