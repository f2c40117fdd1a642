"""The elements of a Dataset: NumPy arrays, or tuples and dicts of them (nested).

A Python list counts as one array, as in TensorFlow; tuples and dicts make structure.
Iterating a Dataset yields :class:`EagerArray`s, which answer TensorFlow's ``.numpy()``.
"""

from __future__ import annotations

import operator

import numpy as np


class EagerArray(np.ndarray):
    """A NumPy array with TensorFlow's ``.numpy()``: what iterating a Dataset yields.

    A single value taken out of one (``batch[0]``, or a loop over a batch) is a 0-d
    EagerArray, so it keeps ``.numpy()``, which gives a NumPy scalar, or ``bytes`` for a
    string, as TensorFlow's eager tensors do.
    """

    def numpy(self):
        plain = self.view(np.ndarray)
        return plain[()] if plain.ndim == 0 else plain

    def __getitem__(self, index):
        out = super().__getitem__(index)
        return out if isinstance(out, np.ndarray) else eager(out)


# TensorFlow's tensors are immutable: ``x += noise`` in a mapped function binds a new tensor.
# An element shares memory with the arrays the Dataset was made from, so an in-place NumPy
# operator would add the noise to the training data itself, once more each epoch; and with a
# saessak Tensor on the right (``x += tf.random.uniform(...)``) NumPy refuses it outright.
def _rebinding(op):
    def inplace(self, other):
        return op(self, other)
    return inplace


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and",
              "or", "xor", "lshift", "rshift"):
    setattr(EagerArray, f"__i{_name}__", _rebinding(getattr(operator, f"__{_name}__")))
del _name


def eager(x):
    if isinstance(x, (np.ndarray, np.generic)):  # 0-d elements come as NumPy scalars
        return np.asarray(x).view(EagerArray)
    if isinstance(x, (bytes, str)):  # a string element is a 0-d string tensor in tf.data
        scalar = np.empty((), dtype=object)
        scalar[()] = x
        return scalar.view(EagerArray)
    return x


def is_struct(x):
    return isinstance(x, (tuple, dict))


def map_struct(fn, *structs):
    """Apply ``fn`` leaf by leaf to structures of the same shape."""
    first = structs[0]
    if isinstance(first, dict):
        return {k: map_struct(fn, *(s[k] for s in structs)) for k in first}
    if isinstance(first, tuple):
        return tuple(map_struct(fn, *parts) for parts in zip(*structs))
    return fn(*structs)


def leaves_of(struct):
    if isinstance(struct, dict):
        return [leaf for k in struct for leaf in leaves_of(struct[k])]
    if isinstance(struct, tuple):
        return [leaf for part in struct for leaf in leaves_of(part)]
    return [struct]


def to_numpy(x):
    if hasattr(x, "numpy") and callable(x.numpy):  # a saessak (or other framework) tensor
        x = x.numpy()
    return np.asarray(x)


def to_numpy_struct(struct):
    return map_struct(to_numpy, struct)


def call_spread(fn, element):
    """Tuples are spread over the function's arguments, as tf.data does."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


def check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}; received {value!r}")
    return int(value)
