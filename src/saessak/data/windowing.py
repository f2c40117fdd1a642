"""``Dataset.window`` and ``Dataset.flat_map``: sliding windows over a stream of elements,
as time-series pipelines use them::

    ds = Dataset.from_tensor_slices(series).window(31, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(31))        # each window as one (31,) array
    ds = ds.map(lambda w: (w[:-1], w[-1]))         # 30 steps in, the next one out

A window is itself a (finite) Dataset of ``size`` consecutive elements, one starting every
``shift`` elements; with ``stride`` it takes every stride-th element. For elements with
structure (a tuple ``(x, y)``) a window is the same structure of Datasets, as in tf.data.
"""

from __future__ import annotations

from collections import deque

from .dataset import Dataset
from .sources import FromList
from .structure import call_spread, is_struct, leaves_of, map_struct
from .transformations import Wrapper


class Window(Wrapper):
    def __init__(self, parent, size, shift, stride, drop_remainder):
        super().__init__(parent)
        self.size, self.shift, self.stride = size, shift, stride
        self.drop_remainder = drop_remainder

    def cardinality(self):
        n = self.parent.cardinality()
        if n < 0:
            return n
        span = (self.size - 1) * self.stride + 1  # elements one full window covers
        if self.drop_remainder:
            return 0 if n < span else (n - span) // self.shift + 1
        return -(-n // self.shift)  # every start inside the data opens a window

    def _window(self, elements):
        picked = list(elements)[::self.stride][:self.size]
        if not picked:
            return None
        if is_struct(picked[0]):  # a structure of Datasets, one per part
            return map_struct(lambda *parts: FromList(list(parts)), *picked)
        return FromList(picked)

    def _elements(self):
        span = (self.size - 1) * self.stride + 1
        buffer = deque()
        iterator = iter(self.parent._elements())
        exhausted = False
        while True:
            while not exhausted and len(buffer) < span:  # fill up to one window's span
                try:
                    buffer.append(next(iterator))
                except StopIteration:
                    exhausted = True
            if not buffer or (self.drop_remainder and len(buffer) < span):
                return
            yield self._window(buffer)
            for _ in range(self.shift):  # slide on; skipped elements are read and dropped
                if buffer:
                    buffer.popleft()
                elif exhausted:
                    return
                else:
                    try:
                        next(iterator)
                    except StopIteration:
                        return


class FlatMap(Wrapper):
    def __init__(self, parent, fn):
        super().__init__(parent)
        self.fn = fn

    def cardinality(self):
        return -2  # UNKNOWN: each element gives a dataset of its own length

    def _elements(self):
        for element in self.parent._elements():
            out = call_spread(self.fn, element)
            for d in leaves_of(out):
                if not isinstance(d, Dataset):
                    raise ValueError("flat_map: map_func must return a Dataset; received "
                                     f"{type(d).__name__}")
            yield from out._elements()
