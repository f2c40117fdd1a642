"""How one batch travels into ``train_step(data)``: packing, unpacking, and Keras's 1-D rule.

``fit`` hands each batch to ``train_step`` as one object ``data``, packed as Keras packs it:
``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``; a step written for Keras reads it back
with :func:`unpack_x_y_sample_weight` (or ``x, y = data``).

Before that, the arrays meet Keras's rank rules (:func:`expand_1d`): tf.keras 2 turns a
1-D target into a column ``(n, 1)``, and an input one axis short gains a last axis of 1
where the model expects one, so ``model.fit([1, 2, 3], [2, 4, 6])`` trains
``Input(shape=(1,))``; an extra last axis of 1 is dropped (Keras 3).
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
    """``(x, y)`` with Keras's rank rules applied.

    ``y``: every 1-D target becomes ``(n, 1)``, as tf.keras 2 hands it to losses and
    metrics. ``x``, against the model's inputs (``input_shapes``, batch axis included):
    an input one axis short gains a last axis where the model expects a last axis of 1,
    and an input with one axis too many loses a last axis of 1 (Keras 3's rule, so
    ``Flatten(input_shape=(28, 28))`` takes tfds's ``(28, 28, 1)`` images). A model that
    does not know its inputs yet (None) gets every numeric 1-D input as a column, as in
    tf.keras 2.
    """
    if y is not None:
        y = map_structure(_column, y)
    if input_shapes is None:
        return map_structure(lambda a: _column(a) if _numeric(a) else a, x), y
    if isinstance(x, np.ndarray):
        return _fit_rank(x, input_shapes[0]), y
    if isinstance(x, (list, tuple)) and len(x) == len(input_shapes):
        return type(x)(_fit_rank(a, s) for a, s in zip(x, input_shapes)), y
    return x, y


def _fit_rank(a, shape):
    if not isinstance(a, np.ndarray) or shape is None:
        return a
    if a.ndim == len(shape) - 1 and shape[-1] == 1:
        return a[..., None]
    if a.ndim == len(shape) + 1 and a.shape[-1] == 1:
        return a[..., 0]
    return a


def map_structure(fn, structure):
    """``fn`` applied to every leaf of nested dicts, lists and tuples, keeping the nesting.
    None is an absent value, not a leaf: it stays None (``y=[y1, None]`` gives the second
    output no target)."""
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)
