"""Adam and its relatives: moving averages of the gradient (m) and of its square (v).

Adam's step is ``lr * m_hat / (sqrt(v_hat) + eps)``, where m_hat and v_hat undo the bias of
averages that start at zero. Keras folds both corrections into the learning rate:
``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`` and ``w -= alpha m / (sqrt(v) + eps)``,
with t = iterations + 1 (so eps sits beside sqrt(v), not sqrt(v_hat)).

:func:`adam_reference` is that update in three lines of NumPy; :func:`adam_compiled` is the
same arithmetic in one compiled pass (numba, the ``fast`` extra), and :meth:`Adam._update`
is the one place that picks.
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from .._numba import ENABLED, jit, numba, plain_arrays
from .adagrad import _check
from .optimizer import Optimizer


def adam_reference(w, g, m, v, v_max, beta_1, beta_2, alpha, epsilon):
    """One Adam step in plain NumPy, in place on ``w``, ``m``, ``v`` (and ``v_max``, the
    largest v so far, with AMSGrad; else None). ``alpha`` holds lr and both corrections."""
    m += (g - m) * (1 - beta_1)  # m = beta_1 m + (1 - beta_1) g
    v += (g * g - v) * (1 - beta_2)  # v = beta_2 v + (1 - beta_2) g^2
    if v_max is not None:  # AMSGrad: the step divides by the largest v seen so far
        np.maximum(v_max, v, out=v_max)
        v = v_max
    w -= m / (np.sqrt(v) + epsilon) * alpha  # w -= alpha m / (sqrt(v) + eps)


def adam_compiled(w, g, m, v, v_max, beta_1, beta_2, alpha, epsilon):
    """:func:`adam_reference` in one compiled pass: each element is read once, updated in
    registers and written once, where NumPy makes about ten whole-array passes. The
    constants arrive in the weights' dtype (as NumPy casts a Python float) and the
    arithmetic runs in the reference's order, so both give the same bits."""
    c = w.dtype.type
    v = v.reshape(-1)
    amsgrad = v_max is not None
    _adam_loop(w.reshape(-1), g.reshape(-1), m.reshape(-1), v,
               v_max.reshape(-1) if amsgrad else v, amsgrad,
               c(1 - beta_1), c(1 - beta_2), c(alpha), c(epsilon))


if numba is not None:

    @jit
    def _adam_loop(w, g, m, v, v_max, amsgrad, one_minus_beta_1, one_minus_beta_2, alpha,
                   epsilon):
        for i in range(w.shape[0]):
            gi = g[i]
            m[i] += (gi - m[i]) * one_minus_beta_1
            v[i] += (gi * gi - v[i]) * one_minus_beta_2
            vi = v[i]
            if amsgrad:  # (np.maximum, as the reference: NaN wins)
                vi = v_max[i] = np.maximum(v_max[i], vi)
            w[i] -= m[i] / (np.sqrt(vi) + epsilon) * alpha


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
        v_max = slots[2] if self.amsgrad else None
        # The one place that picks: the compiled step where numba can take the arrays
        # (contiguous NumPy floats), else the reference. Both give the same bits.
        compiled = ENABLED and plain_arrays((w, g, *slots), contiguous=True)
        step = adam_compiled if compiled else adam_reference
        step(w, g, slots[0], slots[1], v_max, self.beta_1, self.beta_2, self._alpha,
             self.epsilon)

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
