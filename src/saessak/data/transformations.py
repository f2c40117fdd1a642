"""The steps a Dataset's methods chain onto it, except batching (:mod:`.batching`): each wraps
its parent Dataset and changes the stream of elements (``map``, ``filter``, ``shuffle``,
``enumerate``, ``repeat``, ``take``, ``skip``, ``cache``), or combines Datasets (``zip``,
``concatenate``). Those that keep the parent's rows addressable by index (``shuffle`` over
sliced arrays) pass ``_order``/``_gather`` through, so batching stays one gather per array.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import backend
from .dataset import INFINITE, UNKNOWN, Dataset
from .structure import call_spread, leaves_of, map_struct, to_numpy, to_numpy_struct


def _buffer_shuffle(items, buffer_size, rng):
    """tf.data's shuffle: keep ``buffer_size`` items, emit a random one, refill."""
    buf = []
    uniforms = iter(())
    for item in items:
        if len(buf) < buffer_size:
            buf.append(item)
            continue
        u = next(uniforms, None)
        if u is None:
            uniforms = iter(rng.random(4096).tolist())
            u = next(uniforms)
        j = int(u * len(buf))
        yield buf[j]
        buf[j] = item
    order = rng.permutation(len(buf))
    for j in order:
        yield buf[j]


class Wrapper(Dataset):
    def __init__(self, parent):
        self.parent = parent

    def cardinality(self):
        return self.parent.cardinality()


class Map(Wrapper):
    def __init__(self, parent, fn):
        super().__init__(parent)
        self.fn = fn

    def _elements(self):
        for element in self.parent:
            out = call_spread(self.fn, element)
            if isinstance(out, list):  # tf.data reads a returned list as a tuple of parts
                out = tuple(out)
            yield to_numpy_struct(out)


class Filter(Wrapper):
    def __init__(self, parent, predicate):
        super().__init__(parent)
        self.predicate = predicate

    def cardinality(self):
        return INFINITE if self.parent.cardinality() == INFINITE else UNKNOWN

    def _elements(self):
        for element in self.parent:
            keep = to_numpy(call_spread(self.predicate, element))
            if keep.shape != ():
                raise ValueError(f"`predicate` must return one boolean; it returned shape "
                                 f"{keep.shape}")
            if bool(keep):
                yield element


class Shuffle(Wrapper):
    def __init__(self, parent, buffer_size, seed, reshuffle):
        super().__init__(parent)
        self.buffer_size, self.reshuffle = buffer_size, reshuffle
        self.seed = seed if seed is not None else int(backend.make_rng().integers(2**63))
        self._rng = np.random.default_rng(self.seed)

    def _epoch_rng(self):
        # reshuffling advances one generator; otherwise every pass starts from the seed
        return self._rng if self.reshuffle else np.random.default_rng(self.seed)

    def _indexable(self):
        return self.parent._indexable()

    def _order(self):
        order = self.parent._order()
        rng = self._epoch_rng()
        if self.buffer_size == -1 or self.buffer_size >= len(order):
            return order[rng.permutation(len(order))]
        return np.fromiter(_buffer_shuffle(order.tolist(), self.buffer_size, rng),
                           dtype=order.dtype, count=len(order))

    def _gather(self, idx):
        return self.parent._gather(idx)

    def _elements(self):
        if self._indexable():
            for i in self._order():
                yield self.parent._gather(i)
            return
        size = self.buffer_size if self.buffer_size != -1 else float("inf")
        yield from _buffer_shuffle(iter(self.parent), size, self._epoch_rng())


class Enumerate(Wrapper):
    def __init__(self, parent, start):
        super().__init__(parent)
        self.start = start

    def _elements(self):
        for i, element in enumerate(self.parent, self.start):
            yield np.int64(i), element


class Repeat(Wrapper):
    def __init__(self, parent, count):
        super().__init__(parent)
        self.count = count

    def cardinality(self):
        n = self.parent.cardinality()
        if self.count is None:
            return 0 if n == 0 else INFINITE
        return n * self.count if n >= 0 else n

    def _elements(self):
        passes = itertools.count() if self.count is None else range(self.count)
        for _ in passes:
            empty = True
            for element in self.parent:
                empty = False
                yield element
            if empty:  # repeating nothing forever would hang
                return


class Take(Wrapper):
    def __init__(self, parent, count):
        super().__init__(parent)
        self.count = count

    def cardinality(self):
        n = self.parent.cardinality()
        if self.count == -1:
            return n
        if n == INFINITE:
            return self.count
        return min(n, self.count) if n >= 0 else UNKNOWN

    def _elements(self):
        if self.count == -1:
            return iter(self.parent)
        return itertools.islice(iter(self.parent), self.count)


class Skip(Take):
    def cardinality(self):
        n = self.parent.cardinality()
        if self.count == -1:
            return 0 if n != INFINITE else INFINITE
        return max(0, n - self.count) if n >= 0 else n

    def _elements(self):
        if self.count == -1:
            return iter(())
        return itertools.islice(iter(self.parent), self.count, None)


class Cache(Wrapper):
    def __init__(self, parent):
        super().__init__(parent)
        self._cached = None

    def _elements(self):
        if self._cached is not None:
            yield from self._cached
            return
        seen = []
        for element in self.parent:
            seen.append(element)
            yield element
        self._cached = seen  # only a complete pass is kept


class Zip(Dataset):
    def __init__(self, datasets):
        self.datasets = datasets

    def cardinality(self):
        ns = [d.cardinality() for d in leaves_of(self.datasets)]
        finite = [n for n in ns if n >= 0]
        if finite:
            return min(finite) if UNKNOWN not in ns else UNKNOWN
        return UNKNOWN if UNKNOWN in ns else INFINITE

    def _elements(self):
        structure = self.datasets
        iterators = [iter(d) for d in leaves_of(structure)]
        for items in zip(*iterators):
            it = iter(items)
            yield map_struct(lambda _d, it=it: next(it), structure)


class Concatenate(Dataset):
    def __init__(self, first, second):
        self.first, self.second = first, second

    def cardinality(self):
        a, b = self.first.cardinality(), self.second.cardinality()
        if INFINITE in (a, b):
            return INFINITE
        return a + b if a >= 0 and b >= 0 else UNKNOWN

    def _elements(self):
        yield from self.first
        yield from self.second
