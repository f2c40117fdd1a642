"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

import numbers

import numpy as np

from .optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent: ``w -= lr * g``.

    With ``momentum`` m in (0, 1], a velocity v remembers past steps:
    ``v = m v - lr g``, ``w += v``. With ``nesterov=True`` the step looks ahead along the
    velocity: ``w += m v - lr g``.

    >>> SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
    <SGD learning_rate=0.01>
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="SGD", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        if not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
            raise ValueError(f"SGD: momentum must be a number in [0, 1], received {momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()

    def _update(self, w, g, slots, lr):
        step = self._scratch(w)
        np.multiply(g, lr, out=step)  # lr g
        if not self.momentum:
            w -= step
            return
        (v,) = slots
        v *= self.momentum
        v -= step  # v = m v - lr g
        if self.nesterov:
            w -= step
            np.multiply(v, self.momentum, out=step)
            w += step  # w += m v - lr g
        else:
            w += v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
