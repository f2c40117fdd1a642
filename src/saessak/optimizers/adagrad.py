"""Adagrad and Adadelta: a learning rate per coordinate, from the squared gradients seen."""

from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from .optimizer import Optimizer


def _check(cls, arg, value, low=0.0, high=None):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        where = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{cls}: {arg} must be a number {where}, received {value!r}")
    return float(value)


class Adagrad(Optimizer):
    """Adagrad: coordinates with large past gradients take smaller steps.

    ``a += g^2``, ``w -= lr g / sqrt(a + eps)``, the accumulator ``a`` starting at
    ``initial_accumulator_value``. The steps only ever shrink, so Adagrad suits convex
    problems and sparse features better than long deep-network training.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adagrad", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.initial_accumulator_value = _check("Adagrad", "initial_accumulator_value",
                                                initial_accumulator_value)
        self.epsilon = backend.epsilon() if epsilon is None else _check("Adagrad", "epsilon",
                                                                        epsilon)
        self.slot_names = ("accumulator",)

    def _make_slot(self, name, w):
        return backend.get_array_module(w).full_like(w, self.initial_accumulator_value)

    def _update(self, w, g, slots, lr):
        (a,) = slots
        step = self._scratch(w)
        np.multiply(g, g, out=step)
        a += step  # a += g^2
        np.add(a, self.epsilon, out=step)
        np.sqrt(step, out=step)
        np.divide(g, step, out=step)
        step *= lr
        w -= step  # w -= lr g / sqrt(a + eps)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta: Adagrad with decaying averages, and steps in the units of the weights.

    ``G = rho G + (1 - rho) g^2``; ``d = -sqrt(D + eps) / sqrt(G + eps) * g``;
    ``D = rho D + (1 - rho) d^2``; ``w += lr d``.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adadelta",
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.rho = _check("Adadelta", "rho", rho, 0.0, 1.0)
        self.epsilon = backend.epsilon() if epsilon is None else _check("Adadelta", "epsilon",
                                                                        epsilon)
        self.slot_names = ("accumulated_grad", "accumulated_delta_var")

    def _update(self, w, g, slots, lr):
        acc_g, acc_d = slots
        rho, eps = self.rho, self.epsilon
        a, b = self._scratch(w, 0), self._scratch(w, 1)
        np.multiply(g, g, out=a)
        a *= 1 - rho
        acc_g *= rho
        acc_g += a  # G = rho G + (1 - rho) g^2
        np.add(acc_d, eps, out=a)
        np.sqrt(a, out=a)
        np.add(acc_g, eps, out=b)
        np.sqrt(b, out=b)
        np.divide(a, b, out=a)
        a *= g  # a = -d = rms(D) / rms(G) * g
        np.multiply(a, a, out=b)
        b *= 1 - rho
        acc_d *= rho
        acc_d += b  # D = rho D + (1 - rho) d^2
        a *= lr
        w -= a  # w += lr d

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
