"""``batch``, ``padded_batch`` and ``unbatch``: stacking consecutive elements along a new
first axis, and splitting them again. Over index-addressable rows (sliced arrays, maybe
shuffled) a batch is one fancy-indexing gather per array."""

from __future__ import annotations

import itertools

import numpy as np

from .dataset import INFINITE, UNKNOWN
from .structure import is_struct, leaves_of, map_struct
from .transformations import Wrapper


class Batch(Wrapper):
    def __init__(self, parent, batch_size, drop_remainder):
        super().__init__(parent)
        self.batch_size, self.drop_remainder = batch_size, drop_remainder

    def cardinality(self):
        n = self.parent.cardinality()
        if n < 0:
            return n
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def _elements(self):
        bs = self.batch_size
        if self.parent._indexable():  # fast path: gather whole blocks of rows at once
            order = self.parent._order()
            for start in range(0, len(order), bs):
                idx = order[start:start + bs]
                if self.drop_remainder and len(idx) < bs:
                    break
                yield self.parent._gather(idx)
            return
        for chunk in _chunks(iter(self.parent), bs):
            if self.drop_remainder and len(chunk) < bs:
                break
            yield _stack(chunk)


def _chunks(iterator, size):
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


def _stack(elements):
    try:
        return map_struct(lambda *xs: np.stack(xs), *elements)
    except ValueError as e:
        raise ValueError(f"batch: elements have different shapes ({e}); use padded_batch "
                         "for variable-length elements") from None


class PaddedBatch(Batch):
    def __init__(self, parent, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(parent, batch_size, drop_remainder)
        self.padded_shapes, self.padding_values = padded_shapes, padding_values

    def _pad_leaf(self, xs, shape, value):
        xs = [np.asarray(x) for x in xs]
        ndim = xs[0].ndim
        if any(x.ndim != ndim for x in xs):
            raise ValueError("padded_batch: elements differ in rank")
        target = [max(x.shape[d] for x in xs) for d in range(ndim)]
        if shape is not None:
            shape = list(np.atleast_1d(shape)) if ndim else []
            if len(shape) != ndim:
                raise ValueError(f"`padded_shapes` {shape} does not match element rank {ndim}")
            for d, s in enumerate(shape):
                if s is not None and s != -1:
                    if s < target[d]:
                        raise ValueError(f"padded_batch: an element has size {target[d]} on "
                                         f"axis {d}, more than padded_shapes allows ({s})")
                    target[d] = int(s)
        fill = 0 if value is None else value
        out = np.full([len(xs), *target], fill, dtype=xs[0].dtype)
        for i, x in enumerate(xs):
            out[(i, *(slice(0, n) for n in x.shape))] = x
        return out

    def _elements(self):
        for chunk in _chunks(iter(self.parent), self.batch_size):
            if self.drop_remainder and len(chunk) < self.batch_size:
                break
            first = chunk[0]
            shapes = self.padded_shapes if self.padded_shapes is not None else map_struct(
                lambda _: None, first)
            values = self.padding_values if self.padding_values is not None else map_struct(
                lambda _: None, first)
            if not is_struct(first):
                yield self._pad_leaf(chunk, shapes, values)
            else:
                yield map_struct(lambda s, v, *xs: self._pad_leaf(xs, s, v),
                                  shapes, values, *chunk)


class Unbatch(Wrapper):
    def cardinality(self):
        return INFINITE if self.parent.cardinality() == INFINITE else UNKNOWN

    def _elements(self):
        for element in self.parent:
            leaves = leaves_of(element)
            if any(np.ndim(a) == 0 for a in leaves):
                raise ValueError("unbatch: elements must have a first (batch) axis")
            for i in range(len(leaves[0])):
                yield map_struct(lambda a, i=i: a[i], element)
