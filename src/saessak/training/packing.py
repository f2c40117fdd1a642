"""How one batch travels into ``train_step(data)``: packing, unpacking, and Keras's 1-D rule.

``fit`` hands each batch to ``train_step`` as one object ``data``, packed as Keras packs it:
``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``; a step written for Keras reads it back
with :func:`unpack_x_y_sample_weight` (or ``x, y = data``).

Before that, a 1-D array meets Keras's input rules (:func:`expand_1d`): tf.keras 2 turns a
1-D target into a column ``(n, 1)``, and a 1-D input too where the model expects a last
axis of 1, so ``model.fit([1, 2, 3], [2, 4, 6])`` trains ``Input(shape=(1,))``.
"""

from __future__ import annotations

import numpy as np


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from data given as ``x``, ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)``; missing parts are None. A list counts as a tuple, as in
    Keras (``keras.utils.unpack_x_y_sample_weight``)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(f"unpack_x_y_sample_weight: data must be x, (x,), (x, y) or "
                     f"(x, y, sample_weight); received a tuple of {len(data)} items")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of :func:`unpack_x_y_sample_weight`: ``x`` (or ``(x,)`` when ``x`` is
    itself a tuple or list, so that it is not read as ``(x, y)``), ``(x, y)`` or
    ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _column(a):
    return a[:, None] if isinstance(a, np.ndarray) and a.ndim == 1 else a


def _numeric(a) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind in "biuf"


def expand_1d(x, y, input_shapes):
    """``(x, y)`` with Keras's 1-D rule applied.

    ``y``: every 1-D target becomes ``(n, 1)``, as tf.keras 2 hands it to losses and
    metrics. ``x``: a 1-D input becomes ``(n, 1)`` when the model's input of that position
    expects a rank-2 shape with last axis 1 (``input_shapes`` lists them, batch axis
    included), or, for a model that does not know its inputs yet (None), when it is
    numeric (tf.keras 2 expanded every 1-D input).
    """
    if y is not None:
        y = _map(_column, y)
    if input_shapes is None:
        return _map(lambda a: _column(a) if _numeric(a) else a, x), y

    def fits(a, shape):
        return (isinstance(a, np.ndarray) and a.ndim == 1 and shape is not None
                and len(shape) == 2 and shape[-1] == 1)

    if isinstance(x, np.ndarray):
        return (_column(x) if fits(x, input_shapes[0]) else x), y
    if isinstance(x, (list, tuple)) and len(x) == len(input_shapes):
        return type(x)(_column(a) if fits(a, s) else a for a, s in zip(x, input_shapes)), y
    return x, y


def _map(fn, structure):
    if isinstance(structure, dict):
        return {k: _map(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map(fn, v) for v in structure)
    return fn(structure)
