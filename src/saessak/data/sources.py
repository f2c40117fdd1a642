"""Where a Dataset's elements come from: arrays sliced row by row
(``Dataset.from_tensor_slices``, ``range``), a fixed list (``from_tensors``) or a Python
generator called anew on every pass (``from_generator``)."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .structure import is_struct, leaves_of, map_struct, to_numpy, to_numpy_struct


class TensorSlices(Dataset):
    def __init__(self, tensors):
        def convert(x):
            try:
                a = to_numpy(x)
            except ValueError as e:
                raise ValueError(f"from_tensor_slices: cannot make an array of {e}") from None
            if a.ndim == 0:
                raise ValueError("from_tensor_slices needs arrays with at least one axis; "
                                 f"received a scalar {a!r}")
            return a

        self.tensors = map_struct(convert, tensors)
        sizes = {len(a) for a in leaves_of(self.tensors)}
        if len(sizes) > 1:
            raise ValueError("from_tensor_slices: all arrays need the same number of rows; "
                             f"received {sorted(sizes)}")
        self.n = sizes.pop() if sizes else 0

    def cardinality(self):
        return self.n

    def _indexable(self):
        return True

    def _order(self):
        return np.arange(self.n)

    def _gather(self, idx):
        return map_struct(lambda a: a[idx], self.tensors)

    def _elements(self):
        tensors = self.tensors
        for i in range(self.n):
            yield map_struct(lambda a, i=i: a[i], tensors)


class FromList(Dataset):
    def __init__(self, items):
        self.items = items

    def cardinality(self):
        return len(self.items)

    def _elements(self):
        return iter(self.items)


class FromGenerator(Dataset):
    def __init__(self, generator, args, output_types):
        self.generator, self.args, self.output_types = generator, args, output_types

    def _elements(self):
        for item in self.generator(*self.args):
            if self.output_types is None:
                yield to_numpy_struct(item)
            elif is_struct(self.output_types):
                yield map_struct(lambda x, t: np.asarray(to_numpy(x), dtype=_dtype(t)),
                                  item, self.output_types)
            else:
                yield np.asarray(to_numpy(item), dtype=_dtype(self.output_types))


def _dtype(t):
    """Accept NumPy dtypes, strings, and tf-style objects with a ``name`` or ``as_numpy_dtype``."""
    if hasattr(t, "as_numpy_dtype"):
        return t.as_numpy_dtype
    if not isinstance(t, (str, type, np.dtype)) and hasattr(t, "name"):
        return t.name
    return t
