"""Ops that move elements around without arithmetic: reshape, transpose, join, split, index."""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.tensor import Function, Tensor


class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} "
                             f"({x.size} elements) into shape {self.shape}") from None

    def backward(self, g):
        return g.reshape(self.in_shape)

    def backward_ops(self, g):
        return Reshape(self.in_shape)(g)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        self.axes = tuple(reversed(range(x.ndim))) if self.axes is None else tuple(self.axes)
        return x.transpose(self.axes)

    def backward(self, g):
        return g.transpose(np.argsort(self.axes))

    def backward_ops(self, g):
        return Transpose(tuple(int(i) for i in np.argsort(self.axes)))(g)


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, g):
        return g  # the engine sums it back to the input's shape

    backward_ops = backward


class Concatenate(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        try:
            y = np.concatenate(xs, axis=self.axis)
        except ValueError:
            shapes = [x.shape for x in xs]
            raise ValueError(f"concatenate: along axis {self.axis} every other axis must "
                             f"match; received shapes {shapes}") from None
        self.splits = np.cumsum([x.shape[self.axis] for x in xs])[:-1]
        return y

    def backward(self, g):
        return tuple(np.split(g, self.splits, axis=self.axis))

    def backward_ops(self, g):
        parts = Split([int(i) for i in self.splits], self.axis)(g)
        return parts if isinstance(parts, tuple) else (parts,)


class Stack(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        if len({x.shape for x in xs}) > 1:
            raise ValueError(f"stack: every tensor needs the same shape; received "
                             f"{[x.shape for x in xs]}")
        return np.stack(xs, axis=self.axis)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.axis, 0))

    def backward_ops(self, g):
        axis = self.axis % g.ndim
        return tuple(GetItem((slice(None),) * axis + (i,))(g) for i in range(g.shape[axis]))


class Split(Function):
    def __init__(self, sections, axis):
        self.sections, self.axis = sections, axis

    def forward(self, x):
        parts = np.split(x, self.sections, axis=self.axis)
        self.n_outputs = len(parts)
        return tuple(parts) if len(parts) > 1 else parts[0]

    def backward(self, *gs):
        return np.concatenate(gs, axis=self.axis)

    def backward_ops(self, *gs):
        return Concatenate(self.axis)(*gs)


class Pad(Function):
    def __init__(self, pad_width, value):
        self.pad_width, self.value = pad_width, value

    def forward(self, x):
        width = np.broadcast_to(np.asarray(self.pad_width), (x.ndim, 2))
        self.crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(width, x.shape))
        return np.pad(x, width, constant_values=self.value)

    def backward(self, g):
        return g[self.crop]

    def backward_ops(self, g):
        return GetItem(self.crop)(g)


class Where(Function):
    def forward(self, cond, a, b):
        self.cond = cond.astype(bool)
        return np.where(self.cond, a, b)

    def backward(self, g):
        zero = np.zeros((), g.dtype)
        return None, np.where(self.cond, g, zero), np.where(self.cond, zero, g)

    def backward_ops(self, g):
        zero = np.zeros((), g.dtype)
        return None, Where()(self.cond, g, zero), Where()(self.cond, zero, g)


class GetItem(Function):
    """``x[index]``; the backward scatters (adds) the gradient back into place."""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return x[self.index]

    def backward(self, g):
        return _scatter_add(self.shape, self.index, g)

    def backward_ops(self, g):
        return ScatterAdd(self.shape, self.index)(g)


def _scatter_add(shape, index, g):
    """Zeros of ``shape`` with ``g`` added at ``index``: the transpose of ``x[index]``."""
    gx = np.zeros(shape, g.dtype)
    if _is_basic_index(index):
        gx[index] = g  # slices select each element at most once
    else:
        np.add.at(gx, index, g)  # repeated indices must add up
    return gx


class ScatterAdd(Function):
    """``x[index]``'s backward as an op: zeros with ``g`` added at ``index``. It is linear, and
    its own gradient is ``c[index]``, so gradients of gradients pass through indexing."""

    def __init__(self, shape, index):
        self.shape, self.index = shape, index

    def forward(self, g):
        return _scatter_add(self.shape, self.index, g)

    def backward(self, c):
        return c[self.index]

    def backward_ops(self, c):
        return GetItem(self.index)(c)


class Gather(Function):
    """``tf.gather``: rows ``indices`` of ``x`` along ``axis`` (an embedding lookup on axis 0)."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x, indices):
        n = x.shape[self.axis]
        if indices.size and (indices.min() < -n or indices.max() >= n):
            raise IndexError(f"gather: indices must lie in [0, {n}) along axis {self.axis}; "
                             f"received values from {indices.min()} to {indices.max()}")
        self.shape, self.indices = x.shape, indices
        return np.take(x, indices, axis=self.axis)

    def backward(self, g):
        gx = np.zeros(self.shape, g.dtype)
        g = np.moveaxis(g, list(range(self.axis, self.axis + self.indices.ndim)),
                        list(range(self.indices.ndim)))
        moved = np.moveaxis(gx, self.axis, 0)  # a view: writes land in gx
        np.add.at(moved, self.indices, g)
        return gx, None

    def backward_ops(self, g):  # the same scatter as x[:, ..., indices]'s: ScatterAdd
        index = (slice(None),) * (self.axis % len(self.shape)) + (self.indices,)
        return ScatterAdd(self.shape, index)(g), None


def _is_basic_index(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
               for i in items)


def reshape(x, shape):
    return Reshape(tuple(shape) if not isinstance(shape, int) else (shape,))(x)


def transpose(x, axes=None):
    return Transpose(axes)(x)


def swapaxes(x, a, b):
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return Transpose(axes)(x)


def _shaped(x):
    """``x`` if it has a shape (a Tensor or an array), else as an array (a Python number or
    list), as Keras's ops take them."""
    return x if hasattr(x, "shape") else np.asarray(x)


def _ints(values):
    """A tuple of Python ints from ints, an array or a Tensor of them (``reps``, a shape)."""
    return tuple(int(v) for v in np.ravel(np.asarray(getattr(values, "data", values))))


def expand_dims(x, axis):
    x = _shaped(x)
    shape = np.expand_dims(np.empty(x.shape, dtype=bool), axis).shape
    return Reshape(shape)(x)


def squeeze(x, axis=None):
    shape = np.squeeze(np.empty(x.shape, dtype=bool), axis).shape
    return Reshape(shape)(x)


def flatten(x):
    """Keep the batch axis, flatten the rest: ``(n, a, b) -> (n, a*b)``."""
    return Reshape((x.shape[0], -1))(x)


def broadcast_to(x, shape):
    return BroadcastTo(shape)(x)


def concatenate(tensors, axis=0):  # Keras 3 ops default axis
    return Concatenate(axis)(*tensors)


concat = concatenate


def stack(tensors, axis=0):
    return Stack(axis)(*tensors)


def split(x, num_or_size_splits, axis=0):  # Keras 3 ops default axis
    """Like ``tf.split``: a number of equal parts, or a list of part sizes."""
    if isinstance(num_or_size_splits, int):
        n = x.shape[axis]
        if n % num_or_size_splits:
            raise ValueError(f"split: axis {axis} of size {n} does not divide into "
                             f"{num_or_size_splits} equal parts")
        sections = num_or_size_splits
    else:
        sizes = list(num_or_size_splits)
        if sum(sizes) != x.shape[axis]:
            raise ValueError(f"split: sizes {sizes} add up to {sum(sizes)}, but axis {axis} "
                             f"has size {x.shape[axis]}")
        sections = np.cumsum(sizes)[:-1].tolist()
    parts = Split(sections, axis)(x)
    return list(parts) if isinstance(parts, tuple) else [parts]


def pad(x, pad_width, constant_values=0):
    return Pad(pad_width, constant_values)(x)


def where(condition, a, b):
    return Where()(condition, a, b)


def gather(x, indices, axis=0):
    return Gather(axis)(x, np.asarray(getattr(indices, "data", indices)))


def getitem(x, index):
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return GetItem(index)(x)


def one_hot(indices, depth=None, dtype=None, num_classes=None, axis=-1):
    """Not differentiable: rows of the identity matrix picked by ``indices`` (``depth`` is
    Keras's ``num_classes``)."""
    depth = num_classes if depth is None else depth
    idx = np.asarray(getattr(indices, "data", indices)).astype(np.int64)
    out = np.zeros(idx.shape + (depth,), dtype=dtype or backend.floatx())
    valid = (idx >= 0) & (idx < depth)  # out-of-range indices give all-zero rows, as in TF
    np.put_along_axis(out, np.where(valid, idx, 0)[..., None], valid[..., None], axis=-1)
    return Tensor(out if axis in (-1, out.ndim - 1) else np.moveaxis(out, -1, axis))


def repeat(x, repeats, axis):
    """Repeat each element ``repeats`` times along ``axis`` (a broadcast then a reshape)."""
    x = expand_dims(x, axis + 1 if axis >= 0 else axis)
    shape = list(x.shape)
    ax = axis + 1 if axis >= 0 else axis
    shape[ax] = repeats
    x = broadcast_to(x, shape)
    out = list(x.shape)
    merged = axis if axis >= 0 else axis - 1
    out[merged] = out[merged] * repeats
    del out[ax]
    return reshape(x, out)


def tile(x, reps):
    x, reps = _shaped(x), _ints(reps)
    reps = (1,) * (x.ndim - len(reps)) + reps
    expanded = reshape(x, sum(((1, n) for n in x.shape), ()))
    target = sum(((r, n) for r, n in zip(reps, x.shape)), ())
    return reshape(broadcast_to(expanded, target), [r * n for r, n in zip(reps, x.shape)])
