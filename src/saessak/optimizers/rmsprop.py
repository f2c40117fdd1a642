"""RMSprop: divide each step by a running root-mean-square of the gradient."""

from __future__ import annotations

import numpy as np

from .. import backend
from .adagrad import _check
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop.

    ``v = rho v + (1 - rho) g^2``; step = ``lr g / sqrt(v + eps)``. With ``centered`` the
    variance is used instead of the raw second moment: with ``a = rho a + (1 - rho) g``,
    step = ``lr g / sqrt(v - a^2 + eps)``. With ``momentum`` m the steps are smoothed:
    ``u = m u + step``, ``w -= u``; otherwise ``w -= step``.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="rmsprop", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.rho = _check("RMSprop", "rho", rho, 0.0, 1.0)
        self.momentum = _check("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = backend.epsilon() if epsilon is None else _check("RMSprop", "epsilon",
                                                                        epsilon)
        self.centered = bool(centered)
        self.slot_names = (("velocity",) + (("momentum",) if self.momentum else ())
                           + (("average_gradient",) if self.centered else ()))

    def _update(self, w, g, slots, lr):
        rho = self.rho
        v = slots[0]
        step = self._scratch(w)
        np.multiply(g, g, out=step)
        step *= 1 - rho
        v *= rho
        v += step  # v = rho v + (1 - rho) g^2
        if self.centered:
            a = slots[-1]
            np.multiply(g, 1 - rho, out=step)
            a *= rho
            a += step  # a = rho a + (1 - rho) g
            np.multiply(a, a, out=step)
            np.subtract(v, step, out=step)
            step += self.epsilon  # v - a^2 + eps
        else:
            np.add(v, self.epsilon, out=step)
        np.sqrt(step, out=step)
        np.divide(g, step, out=step)
        step *= lr  # lr g / sqrt(...)
        if self.momentum:
            u = slots[1]
            u *= self.momentum
            u += step
            w -= u
        else:
            w -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
