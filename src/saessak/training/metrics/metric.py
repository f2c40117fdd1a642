"""The ``Metric`` base class, and how every metric reads its inputs.

A metric is stateful. ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch,
``result()`` reads the value over every batch so far, ``reset_state()`` starts again (``fit``
resets at the start of each epoch). Metrics work on NumPy arrays, outside the autodiff graph.
"""

from __future__ import annotations

import numpy as np

from ... import backend
from ...layers.layer import snake_case


def _array(x, dtype=None):
    """NumPy values of a Tensor, a backend array or anything array-like."""
    a = backend.to_numpy(getattr(x, "data", x))
    return a if dtype is None else a.astype(dtype, copy=False)


def _weights_like(sample_weight, values):
    """Sample weights broadcast to ``values``: one weight per sample applies to every value
    of that sample."""
    if sample_weight is None:
        return None
    w = _array(sample_weight, np.float64)
    if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
        w = w[..., 0]
    while w.ndim < values.ndim:
        w = w[..., None]
    return np.broadcast_to(w, values.shape)


def _same_rank(y_true, y_pred):
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.dtype.kind != "f" or y_pred.dtype.kind != "f":
        y_true, y_pred = y_true.astype(np.float64), y_pred.astype(np.float64)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]  # a column of targets against one value per sample
    return y_true, y_pred


class Metric:
    """Base class: subclasses write ``update_state``, ``result`` and ``reset_state``.

    ``_direction`` says whether bigger is better (``'up'``) or worse (``'down'``); callbacks
    with ``mode='auto'`` read it.
    """

    _direction = "up"

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or backend.floatx()
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):  # pragma: no cover
        raise NotImplementedError

    def result(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def reset_state(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def reset_states(self) -> None:
        """tf.keras 2's name of :meth:`reset_state` (the subclass's own)."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """Update with one batch and return the result so far."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"
