"""Weight constraints: projections applied to a weight after each optimizer update.

A constraint is called on the weight's array and returns the array to store instead, e.g.
``MaxNorm(3)`` rescales any column whose norm grew past 3. The optimizer applies
``var.constraint`` to ``var.data`` in place after its step. Norms are taken along
``axis`` (0 by default: for a Dense kernel ``(in, out)`` that is the incoming weight
vector of each unit; for a Conv2D kernel use ``axis=[0, 1, 2]``).
"""

from __future__ import annotations

import numpy as np

from . import backend
from ._registry import Configurable, Registry
from .autograd.tensor import Tensor


class Constraint(Configurable):
    """Base class: ``__call__(array) -> array`` and ``get_config()``."""

    def __call__(self, w):  # pragma: no cover - abstract
        raise NotImplementedError


def _array(w):
    return w.data if isinstance(w, Tensor) else np.asarray(w)


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _norms(w, axis):
    return np.sqrt(np.sum(w * w, axis=_axis(axis), keepdims=True))


class MaxNorm(Constraint):
    """Rescale each weight vector whose L2 norm exceeds ``max_value`` back to that norm."""

    def __init__(self, max_value=2, axis=0):
        if not max_value > 0:
            raise ValueError(f"MaxNorm: max_value must be positive, received {max_value!r}")
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (backend.epsilon() + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        w = _array(w)
        return w * (w >= 0)


class UnitNorm(Constraint):
    """Scale each weight vector to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        return (w / (backend.epsilon() + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep each weight vector's norm in ``[min_value, max_value]``.

    ``rate`` < 1 moves the norm only part of the way: new = rate * clipped + (1 - rate) * old.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        if min_value > max_value:
            raise ValueError(f"MinMaxNorm: min_value must not exceed max_value, received "
                             f"min_value={min_value!r}, max_value={max_value!r}")
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * np.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return (w * (desired / (backend.epsilon() + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_CLASSES = {c.__name__: c for c in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}
_NAMES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
          "min_max_norm": MinMaxNorm, **_CLASSES}


_registry = Registry("constraint", Constraint, {**_CLASSES, **_NAMES})
get = _registry.get
serialize = _registry.serialize
deserialize = _registry.deserialize
