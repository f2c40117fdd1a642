"""DataLayer: the base of the preprocessing layers that map raw values (strings, ids,
numbers) to ids or encodings with NumPy, outside the autodiff graph.

Such a layer takes NumPy arrays, lists, Python scalars or saessak Tensors; nothing it
computes needs a gradient, and strings must not be cast to the layer's float dtype, so a
concrete call goes straight to ``call`` on a NumPy array. A call on symbolic inputs
(``keras.Input``) records a node in a functional model as usual.
"""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from ..input_layer import is_symbolic
from ..layer import Layer


def as_array(values) -> np.ndarray:
    """Values as a NumPy array; text stays text (an object array, never fixed-width)."""
    if isinstance(values, Tensor) or (hasattr(values, "numpy") and callable(values.numpy)):
        values = values.numpy()
    arr = np.asarray(values)
    if arr.dtype.kind in "USO":
        arr = np.asarray(values, dtype=object)
    return arr


def adapt_batches(data):
    """The batches of ``data`` for ``adapt``: one array, or each element of a Dataset or
    another iterable of batches (a list of arrays or of ``(x, y)`` pairs counts as one);
    from ``(x, y)`` pairs only ``x`` is kept."""
    batches = isinstance(data, list) and data and all(
        isinstance(item, (tuple, np.ndarray, Tensor)) for item in data)
    if not batches and isinstance(data, (np.ndarray, Tensor, list, tuple, str, bytes, int,
                                         float)):
        yield as_array(data)
        return
    items = data.as_numpy_iterator() if hasattr(data, "as_numpy_iterator") else data
    try:
        iterator = iter(items)
    except TypeError:
        raise TypeError(f"adapt: expected an array, a Dataset or an iterable of batches, "
                        f"received {type(data).__name__}") from None
    for batch in iterator:
        if isinstance(batch, tuple):
            batch = batch[0]
        yield as_array(batch)


class DataLayer(Layer):
    """A layer computed in NumPy on raw values (see the module docstring)."""

    def __call__(self, inputs, *args, **kwargs):
        if is_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        kwargs.pop("training", None)
        if not self.built:
            self.built = True
        return self.call(inputs, *args, **kwargs)


def to_output(arr: np.ndarray):
    """A result as a Tensor (its ``.numpy()`` gives the array back)."""
    return Tensor(np.asarray(arr))
