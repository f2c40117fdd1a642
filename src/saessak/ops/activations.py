"""Activation functions, written in forms that stay finite for any input (|x| = 1000 too)."""

from __future__ import annotations

import math as _math

import numpy as np

from ..autograd.tensor import Function, Tensor
from . import _fused_numba as fused
from .manipulation import where
from .math import _erf, erf, exp, minimum
from .math import abs as magnitude


def _sigmoid(x):
    # 1/(1+e^-x) overflows for very negative x; e^-|x| never does.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Sigmoid(Function):
    def forward(self, x):
        self.y = _sigmoid(x)
        return self.y

    def backward(self, g):  # s' = s (1 - s)
        return g * self.y * (1 - self.y)

    def backward_ops(self, g):
        s = sigmoid(self.inputs[0])
        return g * s * (1 - s)


class HardSigmoid(Function):
    """A piecewise-linear sigmoid: Keras 3's ``relu6(x + 3) / 6`` = clip(x / 6 + 1/2, 0, 1),
    or with ``keras2`` tf.keras 2's (and Keras 2's) clip(0.2 x + 1/2, 0, 1)."""

    def __init__(self, keras2=False):
        self.keras2 = keras2

    def forward(self, x):
        edge = 2.5 if self.keras2 else 3
        self.inside = (x > -edge) & (x < edge)
        return np.clip(x * x.dtype.type(0.2) + 0.5 if self.keras2 else x / 6 + 0.5, 0, 1)

    def backward(self, g):
        return g * self.inside * 0.2 if self.keras2 else g * self.inside / 6

    backward_ops = backward  # a constant slope


class Tanh(Function):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, g):  # tanh' = 1 - tanh^2
        return g * (1 - self.y * self.y)

    def backward_ops(self, g):
        t = tanh(self.inputs[0])
        return g * (1 - t * t)


class ReLU(Function):
    """Keras's relu: ``max(0, x)``, with an optional ``negative_slope``, ``max_value`` and
    ``threshold``.

    The plain form, by far the most used, keeps its output y rather than a slope map
    (y > 0 exactly where x > 0): y stays alive anyway as the next layer's input, a map
    would be one more array to write."""

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.slope, self.max_value, self.threshold = negative_slope, max_value, threshold
        self.plain = negative_slope == 0.0 and max_value is None and threshold == 0.0

    def forward(self, x):
        if self.plain:
            self.y = np.maximum(x, 0)
            return self.y
        above = x > self.threshold
        y = np.where(above, x, self.slope * (x - self.threshold) if self.slope else 0)
        slope = np.where(above, 1.0, self.slope)
        if self.max_value is not None:
            slope = np.where(x >= self.max_value, 0.0, slope)
            y = np.minimum(y, self.max_value)
        self.slope_map = slope.astype(x.dtype, copy=False)
        return y.astype(x.dtype, copy=False)

    def backward(self, g):
        if not self.plain:
            return g * self.slope_map
        if fused.usable(g, self.y) and g.flags.c_contiguous and self.y.flags.c_contiguous:
            return fused.relu_backward(g, self.y, np.empty_like(g))  # one pass, no mask
        return g * (self.y > 0)

    def backward_ops(self, g):  # the slopes are constants: the second derivative is 0
        return g * (self.slope_map if not self.plain else (self.y > 0).astype(g.dtype))


class Elu(Function):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        self.x = x
        self.neg = self.alpha * np.expm1(np.minimum(x, 0))
        return np.where(x > 0, x, self.neg)

    def backward(self, g):  # for x <= 0: d/dx a(e^x - 1) = a e^x = elu(x) + a
        return g * np.where(self.x > 0, 1, self.neg + self.alpha)

    def backward_ops(self, g):
        return where(self.x > 0, g, g * self.alpha * exp(minimum(self.inputs[0], 0.0)))


SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


class Softplus(Function):
    def forward(self, x):
        self.x = x
        return np.logaddexp(0, x).astype(x.dtype, copy=False)  # log(1 + e^x) without overflow

    def backward(self, g):
        return g * _sigmoid(self.x)

    def backward_ops(self, g):
        return g * sigmoid(self.inputs[0])


class Softsign(Function):
    def forward(self, x):
        self.d = 1 + np.abs(x)
        return x / self.d

    def backward(self, g):  # (x / (1+|x|))' = 1 / (1+|x|)^2
        return g / (self.d * self.d)

    def backward_ops(self, g):
        d = 1 + magnitude(self.inputs[0])
        return g / (d * d)


class Swish(Function):
    """x * sigmoid(x), also called SiLU."""

    def forward(self, x):
        self.x, self.s = x, _sigmoid(x)
        return x * self.s

    def backward(self, g):  # (x s)' = s + x s (1 - s)
        s = self.s
        return g * (s + self.x * s * (1 - s))

    def backward_ops(self, g):
        x = self.inputs[0]
        s = sigmoid(x)
        return g * (s + x * s * (1 - s))


class Gelu(Function):
    def __init__(self, approximate=False):
        self.approximate = approximate

    def forward(self, x):
        self.x = x
        if self.approximate:  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            self.t = np.tanh(_math.sqrt(2 / _math.pi) * (x + 0.044715 * x**3))
            return 0.5 * x * (1 + self.t)
        self.cdf = 0.5 * (1 + _erf(x / _math.sqrt(2))).astype(x.dtype, copy=False)
        return x * self.cdf  # x Phi(x)

    def backward(self, g):
        x = self.x
        if self.approximate:
            c = _math.sqrt(2 / _math.pi)
            dt = (1 - self.t**2) * c * (1 + 3 * 0.044715 * x**2)
            return g * (0.5 * (1 + self.t) + 0.5 * x * dt)
        pdf = np.exp(-0.5 * x * x) / _math.sqrt(2 * _math.pi)
        return g * (self.cdf + x * pdf)  # (x Phi)' = Phi + x phi

    def backward_ops(self, g):
        x = self.inputs[0]
        if self.approximate:
            c = _math.sqrt(2 / _math.pi)
            t = tanh(c * (x + 0.044715 * x**3))
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x))
        cdf = 0.5 * (1 + erf(x / _math.sqrt(2)))
        return g * (cdf + x * exp(-0.5 * x * x) / _math.sqrt(2 * _math.pi))


class Softmax(Function):
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))  # shift: no overflow
        self.y = e / e.sum(axis=self.axis, keepdims=True)
        return self.y

    def backward(self, g):  # dx = y * (g - sum(g * y))
        y = self.y
        return y * (g - (g * y).sum(axis=self.axis, keepdims=True))

    def backward_ops(self, g):
        y = softmax(self.inputs[0], self.axis)
        return y * (g - (g * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        shifted = x - x.max(axis=self.axis, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.y = y
        return y

    def backward(self, g):  # dx = g - softmax * sum(g)
        return g - np.exp(self.y) * g.sum(axis=self.axis, keepdims=True)

    def backward_ops(self, g):
        return g - softmax(self.inputs[0], self.axis) * g.sum(axis=self.axis, keepdims=True)


def sigmoid(x):
    return Sigmoid()(x)


def hard_sigmoid(x):
    return HardSigmoid()(x)


def hard_sigmoid_keras2(x):
    """tf.keras 2's hard_sigmoid, clip(0.2 x + 0.5, 0, 1): files saved by tf.keras 2 that say
    'hard_sigmoid' (old LSTMs, ConvLSTM2D's default) are read with this one."""
    return HardSigmoid(keras2=True)(x)


def tanh(x):
    return Tanh()(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=None):
    if alpha is not None:  # the tf.keras 2 name of negative_slope
        negative_slope = alpha
    return ReLU(negative_slope, max_value, threshold)(x)


def relu6(x):
    return ReLU(max_value=6.0)(x)


def leaky_relu(x, negative_slope=0.2, alpha=None):
    return ReLU(negative_slope if alpha is None else alpha)(x)


def elu(x, alpha=1.0):
    return Elu(alpha)(x)


def selu(x):
    return Elu(SELU_ALPHA)(x) * SELU_SCALE


def softplus(x):
    return Softplus()(x)


def softsign(x):
    return Softsign()(x)


def swish(x):
    return Swish()(x)


silu = swish


def gelu(x, approximate=False):
    return Gelu(approximate)(x)


def softmax(x, axis=-1):
    return Softmax(axis)(x)


def log_softmax(x, axis=-1):
    return LogSoftmax(axis)(x)


def linear(x):
    return x


def exponential(x):
    return exp(x)


def mish(x):
    """x * tanh(softplus(x))."""
    return x * tanh(softplus(x))


def step(x):
    """The perceptron's step function: 1 where x > 0, else 0. Forward only: its derivative
    is zero almost everywhere, which is exactly why networks moved to smooth activations."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor((data > 0).astype(data.dtype if data.dtype.kind == "f" else np.float32))
