"""Adam and its relatives: moving averages of the gradient (m) and of its square (v).

Adam's step is ``lr * m_hat / (sqrt(v_hat) + eps)``, where m_hat and v_hat undo the bias of
averages that start at zero. Keras folds both corrections into the learning rate:
``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`` and ``w -= alpha m / (sqrt(v) + eps)``,
with t = iterations + 1.
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from . import _adam_numba
from .adagrad import _check
from .optimizer import Optimizer


class _Moments(Optimizer):
    """The arguments and the (m, v) averages shared by the Adam family."""

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                 clipvalue, global_clipnorm, name, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        cls = type(self).__name__
        self.beta_1 = _check(cls, "beta_1", beta_1, 0.0, 1.0)
        self.beta_2 = _check(cls, "beta_2", beta_2, 0.0, 1.0)
        self.epsilon = backend.epsilon() if epsilon is None else _check(cls, "epsilon", epsilon)
        self.slot_names = ("momentum", "velocity")

    def _moments(self, m, v, g, tmp):
        """m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2)."""
        np.subtract(g, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta_2
        v += tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Adam(_Moments):
    """Adam (Kingma & Ba). With ``amsgrad`` the step divides by the largest v seen so far
    (v_hat = max(v_hat, v)), so the effective learning rate never grows."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                         clipvalue, global_clipnorm, name, **kwargs)
        self.amsgrad = bool(amsgrad)
        if self.amsgrad:
            self.slot_names = ("momentum", "velocity", "velocity_hat")

    def _prepare_step(self, lr):
        t = self.iterations + 1
        self._alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)

    def _update(self, w, g, slots, lr):
        m, v = slots[0], slots[1]
        if not self.amsgrad and _adam_numba.usable(w, g, m, v):  # one compiled pass
            c = w.dtype.type  # the constants in the weights' dtype, as NumPy would use them
            _adam_numba.adam_update(w.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
                                    c(1 - self.beta_1), c(1 - self.beta_2), c(self._alpha),
                                    c(self.epsilon))
            return
        step = self._scratch(w)
        self._moments(m, v, g, step)
        if self.amsgrad:
            np.maximum(slots[2], v, out=slots[2])
            v = slots[2]
        np.sqrt(v, out=step)
        step += self.epsilon
        np.divide(m, step, out=step)
        step *= self._alpha
        w -= step  # w -= alpha m / (sqrt(v) + eps)

    def get_config(self):
        return {**super().get_config(), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): before each Adam step the
    weights shrink by ``w -= lr * weight_decay * w``, apart from the gradient."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number, received None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, name, **kwargs)


class Adamax(_Moments):
    """Adamax: Adam with the infinity norm, u = max(beta_2 u, |g|), in place of sqrt(v):
    ``w -= lr m / ((1 - beta_1^t)(u + eps))``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamax", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                         clipvalue, global_clipnorm, name, **kwargs)
        self.slot_names = ("momentum", "norm")

    def _prepare_step(self, lr):
        self._alpha = lr / (1 - self.beta_1 ** (self.iterations + 1))

    def _update(self, w, g, slots, lr):
        m, u = slots
        step = self._scratch(w)
        np.subtract(g, m, out=step)
        step *= 1 - self.beta_1
        m += step
        np.abs(g, out=step)
        u *= self.beta_2
        np.maximum(u, step, out=u)
        np.add(u, self.epsilon, out=step)
        np.divide(m, step, out=step)
        step *= self._alpha
        w -= step


class Nadam(_Moments):
    """Nadam: Adam with Nesterov momentum (Dozat), and the momentum schedule
    u_t = beta_1 (1 - 0.5 * 0.96^t).

    m_hat = u_{t+1} m / (1 - prod_{i<=t+1} u_i) + (1 - u_t) g / (1 - prod_{i<=t} u_i),
    v_hat = v / (1 - beta_2^t), and ``w -= lr m_hat / (sqrt(v_hat) + eps)``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="nadam", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, clipnorm,
                         clipvalue, global_clipnorm, name, **kwargs)
        self.u_product = 1.0  # prod of u_i over the steps done so far

    def _prepare_step(self, lr):
        t = self.iterations + 1
        u_t = self.beta_1 * (1 - 0.5 * 0.96**t)
        u_next = self.beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        self.u_product *= u_t
        self._c_m = u_next / (1 - self.u_product * u_next)  # weight of m in m_hat
        self._c_g = (1 - u_t) / (1 - self.u_product)  # weight of g in m_hat
        self._c_v = 1 / (1 - self.beta_2**t)  # v_hat = c_v v

    def _update(self, w, g, slots, lr):
        m, v = slots
        a, b = self._scratch(w, 0), self._scratch(w, 1)
        self._moments(m, v, g, a)
        np.multiply(v, self._c_v, out=a)
        np.sqrt(a, out=a)
        a += self.epsilon  # sqrt(v_hat) + eps
        np.divide(m, a, out=b)
        b *= lr * self._c_m
        w -= b  # the m part of lr m_hat / (...)
        np.divide(g, a, out=b)
        b *= lr * self._c_g
        w -= b  # and the g part

    def _extra_state(self):
        return {"u_product": np.array(self.u_product)}

    def _load_extra_state(self, state):
        if "u_product" in state:
            self.u_product = float(np.asarray(state.pop("u_product")))
