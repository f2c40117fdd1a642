"""Keras's functions that find or count positions: nonzero entries, partitions, sorted
insertion points, bins, unique values, top-k membership, and the choice among arrays by
conditions.

None is differentiable: each gives Tensors without a graph; indices are int32, as in
Keras.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from .keras_names import _data, _tensor
from .manipulation import _ints


def _int32(values):
    return Tensor(np.asarray(values).astype(np.int32))


def nonzero(x):
    """The indices of the nonzero elements, one int32 Tensor per axis."""
    return tuple(_int32(i) for i in np.nonzero(_data(x)))


def argpartition(x, kth, axis=-1):
    """Indices that put the ``kth`` element in its sorted place along ``axis``."""
    return _int32(np.argpartition(_data(x), kth, axis=axis))


def unravel_index(indices, shape):
    """Flat indices as a tuple of coordinate arrays into ``shape``."""
    flat = _tensor(indices).data
    return tuple(Tensor(c.astype(flat.dtype)) for c in np.unravel_index(flat, _ints(shape)))


def searchsorted(sorted_sequence, values, side="left"):
    """Where each value would go in the sorted 1-D sequence to keep it sorted."""
    sequence = _data(sorted_sequence)
    if np.ndim(sequence) != 1:
        raise ValueError(f"searchsorted: the sorted sequence must be 1-D, received shape "
                         f"{np.shape(sequence)}")
    return _int32(np.searchsorted(sequence, _data(values), side=side))


def digitize(x, bins):
    """The index of the bin each element falls in (bins[i-1] <= x < bins[i])."""
    return _int32(np.digitize(_data(x), _data(bins)))


def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each non-negative integer occurs (weights summed; 2-D: by rows)."""
    if sparse:
        raise ValueError("bincount: sparse=True is not supported in saessak")
    values = np.asarray(_data(x)).astype(np.int64)
    if values.ndim not in (1, 2):
        raise ValueError(f"bincount: x must be 1-D or 2-D, received shape {values.shape}")
    if values.size and values.min() < 0:
        raise ValueError("bincount: x must hold non-negative integers")
    # one length for every row of a 2-D x: the largest value + 1, or minlength
    length = max(int(minlength), int(values.max()) + 1 if values.size else 0)
    if weights is None:
        w, dtype = None, np.dtype(np.int32)
    else:
        w = _tensor(weights).data
        dtype = w.dtype if w.dtype.kind == "f" else np.result_type(w.dtype, np.int32)
        w = np.broadcast_to(w, values.shape)
    if values.ndim == 1:
        counts = np.bincount(values, w, minlength=length)
    else:
        counts = np.stack([np.bincount(row, None if w is None else w[i], minlength=length)
                           for i, row in enumerate(values)])
    return Tensor(counts.astype(dtype))


def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):
    """The distinct values (or slices along ``axis``), as Keras's ``unique`` gives them."""
    data = _tensor(x).data
    values, first, inverse, counts = np.unique(
        data, return_index=True, return_inverse=True, return_counts=True, axis=axis)
    along = 0 if axis is None else axis % data.ndim
    if not sorted:  # order of first appearance, as tf.unique gives it
        order = np.argsort(first, kind="stable")
        values, first, counts = np.take(values, order, axis=along), first[order], counts[order]
        inverse = np.argsort(order)[inverse]
    if size is not None:  # a fixed count: cut, or padded with fill_value
        found = values.shape[along]
        keep = np.arange(min(found, size))
        values = np.take(values, keep, axis=along)
        first, counts = first[keep], counts[keep]
        if found < size:
            widths = [(0, 0)] * values.ndim
            widths[along] = (0, size - found)
            fill = 0 if fill_value is None else fill_value
            values = np.pad(values, widths, constant_values=fill)
            # padded counts are 0; padded first indices 1, as Keras's backends give them
            first = np.pad(first, (0, size - found), constant_values=1)
            counts = np.pad(counts, (0, size - found))
    extras = [_int32(a) for a, wanted in ((first, return_index), (inverse, return_inverse),
                                          (counts, return_counts)) if wanted]
    return (Tensor(values), *extras) if extras else Tensor(values)


def select(condlist, choicelist, default=0):
    """Element by element, the choice of the first condition that holds, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions but {len(choicelist)} choices")
    conditions = [np.asarray(_data(c)).astype(bool) for c in condlist]
    return Tensor(np.select(conditions, [_tensor(c).data for c in choicelist], default))


def in_top_k(targets, predictions, k):
    """Whether each row's target is among its ``k`` highest predictions (ties count)."""
    scores = np.asarray(_data(predictions))
    target = np.asarray(_data(targets)).astype(np.int64)
    if scores.ndim != 2 or target.shape != scores.shape[:1]:
        raise ValueError(f"in_top_k: needs predictions (batch, classes) and targets "
                         f"(batch,), received {scores.shape} and {target.shape}")
    classes = scores.shape[1]
    valid = (target >= 0) & (target < classes)
    if k <= 0 or not classes:
        return Tensor(np.zeros(target.shape, bool))
    score = scores[np.arange(len(target)), np.where(valid, target, 0)]
    kth = np.sort(scores, axis=1)[:, -min(k, classes)]
    return Tensor(valid & (score >= kth))
