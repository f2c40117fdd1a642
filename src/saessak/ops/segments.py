"""Reductions over segments (rows grouped by an id) and the scatters built on them.

``segment_sum(data, ids)`` adds up the rows of ``data`` that share an id, one result row
per id; max, min and prod likewise. ``scatter`` is a segment sum whose ids are the
positions the indices point at, and ``scatter_update`` with a reduction is the same
segment reduction over the input's own entries and the updates together.

One Function, SegmentReduce, does the work; its backward sends each result's gradient to
the rows that made it: all of them for a sum, the largest (ties sharing equally) for a
max, and for a product each row times the product of the others (right with zeros).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.tensor import Function
from .gradients import gradients
from .keras_names import _data, _tensor
from .manipulation import GetItem, ScatterAdd, _ints, concatenate, getitem, reshape, where
from .math import cast
from .statistics import Prod

_UFUNCS = {"sum": np.add, "max": np.maximum, "min": np.minimum, "prod": np.multiply}


def _empty_value(kind, dtype):
    """What a segment without rows holds: 0, 1, or the far end of the dtype's range
    (-inf for a float max, as NumPy's and JAX's Keras do; TF's gives the lowest finite)."""
    if kind in ("sum", "prod"):
        return 0 if kind == "sum" else 1
    if dtype.kind == "f":
        return -np.inf if kind == "max" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    low, high = (info.min, info.max) if info is not None else (False, True)
    return low if kind == "max" else high


def _product_of_others(values, ids, n):
    """For each row, the product of the other rows of its segment, without dividing by a
    zero: from each segment's count of zeros and the product of its nonzero entries."""
    zero = values == 0
    zeros = np.zeros((n,) + values.shape[1:], np.int64)
    np.add.at(zeros, ids, zero)
    nonzero_product = np.ones((n,) + values.shape[1:], values.dtype)
    np.multiply.at(nonzero_product, ids, np.where(zero, 1, values))
    count, product = zeros[ids], nonzero_product[ids]
    # a zero row: the others' product if it is its segment's only zero; a nonzero row:
    # the product over itself when its segment has no zero at all
    return np.where(zero, np.where(count == 1, product, 0),
                    np.where(count == 0, product / np.where(zero, 1, values), 0))


class SegmentReduce(Function):
    """Row i of the result reduces the rows of ``data`` whose id is i; rows with an id
    outside [0, n) (such as Keras's -1) are left out."""

    def __init__(self, kind, ids, n):
        self.kind, self.ids, self.n = kind, ids, n

    def forward(self, data):
        kept = (self.ids >= 0) & (self.ids < self.n)
        self.rows, self.kept_ids = np.flatnonzero(kept), self.ids[kept]
        self.shape = data.shape
        values = data[self.rows]
        out = np.full((self.n,) + data.shape[1:], _empty_value(self.kind, data.dtype),
                      data.dtype)
        _UFUNCS[self.kind].at(out, self.kept_ids, values)
        if self.kind != "sum":
            self.values, self.out = values, out
        return out

    def backward(self, g):
        ids = self.kept_ids
        if self.kind == "sum":  # d out_s / d row = 1 for each of its rows
            part = g[ids]
        elif self.kind == "prod":  # d out_s / d row = the product of the others
            part = g[ids] * _product_of_others(self.values, ids, self.n)
        else:  # the rows equal to the extreme share its gradient
            hits = self.values == self.out[ids]
            count = np.zeros(self.out.shape, g.dtype)
            np.add.at(count, ids, hits)
            part = (g / np.maximum(count, 1))[ids] * hits
        gx = np.zeros(self.shape, g.dtype)
        gx[self.rows] = part
        return gx

    def backward_ops(self, g):  # the same routing, as GetItem and ScatterAdd
        x, ids = self.inputs[0], self.kept_ids
        if self.kind == "prod":  # the product again in recorded ops, differentiated
            return gradients([self._product(x)], [g], [x])[0]
        part = GetItem(ids)(g)
        if self.kind != "sum":  # the extremes' shares are constants
            hits = self.values == self.out[ids]
            count = np.zeros(self.out.shape, g.dtype)
            np.add.at(count, ids, hits)
            part = part * (hits / np.maximum(count, 1)[ids]).astype(g.dtype)
        return ScatterAdd(self.shape, self.rows)(part)

    def _product(self, x):
        """The segment products, recorded: each segment's rows laid in a grid (n, m),
        m rows per segment padded with ones, and Prod along m."""
        ids, n, tail = self.kept_ids, self.n, self.shape[1:]
        counts = np.bincount(ids, minlength=n)
        m = max(int(counts.max(initial=0)), 1)
        order = np.argsort(ids, kind="stable")
        rank = np.empty_like(ids)  # each row's place among its segment's rows
        rank[order] = np.arange(ids.size) - (np.cumsum(counts) - counts)[ids[order]]
        slots = ids * m + rank
        padding = np.ones((n * m,) + (1,) * len(tail), x.dtype)
        padding[slots] = 0
        grid = ScatterAdd((n * m,) + tail, slots)(GetItem(self.rows)(x)) + padding
        return Prod(axis=1)(reshape(grid, (n, m) + tail))


def _segment(kind, data, segment_ids, num_segments):
    data = _tensor(data)
    ids = np.asarray(_data(segment_ids)).astype(np.int64)
    if ids.ndim == 0 or ids.shape != data.shape[:ids.ndim]:
        raise ValueError(f"segment_{kind}: segment_ids of shape {ids.shape} must match the "
                         f"leading axes of data, of shape {data.shape}")
    n = (int(ids.max()) + 1 if ids.size else 0) if num_segments is None else int(num_segments)
    if ids.ndim > 1:  # ids for the leading axes: those axes become one axis of rows
        data = reshape(data, (-1,) + data.shape[ids.ndim:])
    return SegmentReduce(kind, ids.reshape(-1), n)(data)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """The sum of the rows of ``data`` in each segment (0 for an empty one)."""
    return _segment("sum", data, segment_ids, num_segments)


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """The largest row entry of each segment (-inf, or the dtype's lowest, when empty)."""
    return _segment("max", data, segment_ids, num_segments)


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """The smallest row entry of each segment (+inf, or the dtype's highest, when empty)."""
    return _segment("min", data, segment_ids, num_segments)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """The product of the rows of ``data`` in each segment (1 for an empty one)."""
    return _segment("prod", data, segment_ids, num_segments)


# --- scatters -------------------------------------------------------------------------------
def _positions(indices, shape):
    """Indices of shape (..., k) into the first k axes of ``shape``, as flat positions."""
    idx = np.asarray(_data(indices)).astype(np.int64)
    idx = idx.reshape(-1, idx.shape[-1]) if idx.ndim else idx.reshape(1, 1)
    k = idx.shape[1]
    dims = np.asarray(shape[:k], np.int64)
    if len(dims) < k or ((idx < -dims) | (idx >= dims)).any():
        raise IndexError(f"scatter: indices must lie inside the leading {k} axes of shape "
                         f"{tuple(shape)}")
    return np.ravel_multi_index(tuple((idx % dims).T), tuple(shape[:k])), k


def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices`` (repeated indices add up)."""
    shape = _ints(shape)
    flat, k = _positions(indices, shape)
    values = reshape(_tensor(values), (-1,) + shape[k:])
    out = SegmentReduce("sum", flat, math.prod(shape[:k]))(values)
    return reshape(out, shape)


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with ``updates`` written at ``indices``, or combined by ``reduction``."""
    kinds = {None: None, "add": "sum", "max": "max", "min": "min", "mul": "prod"}
    reduction = reduction.lower() if isinstance(reduction, str) else reduction
    if reduction not in kinds:
        raise ValueError(f"scatter_update: reduction must be None, 'add', 'max', 'min' or "
                         f"'mul', received {reduction!r}")
    x = _tensor(inputs)
    flat, k = _positions(indices, x.shape)
    u = _tensor(updates)
    u = reshape(u if u.dtype == x.dtype else cast(u, x.dtype), (-1,) + x.shape[k:])
    n = math.prod(x.shape[:k])
    rows = reshape(x, (n,) + x.shape[k:])
    if reduction is None:  # of several updates at one place, the last written stays
        winner = np.full(n, -1)
        winner[flat] = np.arange(flat.size)  # which update lands at each position, if any
        written = np.flatnonzero(winner >= 0)
        placed = SegmentReduce("sum", written, n)(getitem(u, winner[written]))
        out = where((winner >= 0).reshape((n,) + (1,) * (x.ndim - k)), placed, rows)
    else:  # each position's own entry and every update aimed at it, reduced together
        ids = np.concatenate([np.arange(n), flat])
        out = SegmentReduce(kinds[reduction], ids, n)(concatenate([rows, u], axis=0))
    return reshape(out, x.shape)
