"""Weight regularizers: penalties added to the loss that keep weights small.

A regularizer is called on a weight Tensor and returns a scalar Tensor that the model adds
to its loss, so the gradient of the penalty flows into the weight like any other:

- L1: ``l1 * sum(|w|)``, whose gradient ``l1 * sign(w)`` pushes weights to exactly zero
  (sparse weights);
- L2: ``l2 * sum(w^2)``, whose gradient ``2 * l2 * w`` shrinks every weight in
  proportion to its size ("weight decay"). Keras puts no 1/2 in front.

Example: ``layers.Dense(64, kernel_regularizer=regularizers.l2(0.001))``.
"""

from __future__ import annotations

import numbers

from . import ops
from ._registry import Configurable, Registry
from .autograd.tensor import Tensor


def _factor(cls_name, arg, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{cls_name}: {arg} must be a non-negative number, "
                         f"received {value!r}")
    return float(value)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


class Regularizer(Configurable):
    """Base class: ``__call__(weight) -> scalar Tensor`` and ``get_config()``."""

    def __call__(self, x):  # pragma: no cover - abstract
        raise NotImplementedError


class L1(Regularizer):
    """``l1 * sum(|w|)``."""

    def __init__(self, l1=0.01):
        self.l1 = _factor("L1", "l1", l1)

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(_tensor(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(w^2)``."""

    def __init__(self, l2=0.01):
        self.l2 = _factor("L2", "l2", l2)

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(_tensor(x)))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w^2)`` (both factors default to 0, as in Keras)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor("L1L2", "l1", l1)
        self.l2 = _factor("L1L2", "l2", l2)

    def __call__(self, x):
        x = _tensor(x)
        penalty = None
        if self.l1:
            penalty = self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            term = self.l2 * ops.sum(ops.square(x))
            penalty = term if penalty is None else penalty + term
        if penalty is None:  # both factors zero: a zero that still depends on x
            penalty = 0.0 * ops.sum(x)
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


l1 = L1
l2 = L2


def l1_l2(l1=0.01, l2=0.01):
    """An :class:`L1L2` regularizer; unlike the class, both factors default to 0.01."""
    return L1L2(l1=l1, l2=l2)


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}
_NAMES = {"l1": L1, "l2": L2, "l1_l2": l1_l2, **_CLASSES}


_registry = Registry("regularizer", Regularizer, {**_CLASSES, **_NAMES})
get = _registry.get
serialize = _registry.serialize
deserialize = _registry.deserialize
