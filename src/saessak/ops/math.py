"""Elementwise functions of one or two tensors, each with its derivative beside it."""

from __future__ import annotations

import math as _math

import numpy as np  # NumPy's ufuncs dispatch to CuPy arrays too (__array_ufunc__)

from ..autograd.tensor import Function, Tensor


class Exp(Function):
    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, g):  # (e^x)' = e^x
        return g * self.y

    def backward_ops(self, g):
        return g * exp(self.inputs[0])


class Log(Function):
    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, g):  # (ln x)' = 1/x
        return g / self.x

    def backward_ops(self, g):
        return g / self.inputs[0]


class Sqrt(Function):
    def forward(self, x):
        self.y = np.sqrt(x)
        return self.y

    def backward(self, g):  # (sqrt x)' = 1 / (2 sqrt x)
        return g / (2 * self.y)

    def backward_ops(self, g):
        return g / (2 * sqrt(self.inputs[0]))


class Square(Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return g * 2 * self.x

    def backward_ops(self, g):
        return g * 2 * self.inputs[0]


class Abs(Function):
    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, g):  # |x|' = sign(x), taken as 0 at 0
        return g * np.sign(self.x)

    def backward_ops(self, g):  # sign(x) is a constant (its derivative is 0)
        return g * np.sign(self.x)


class Sin(Function):
    def forward(self, x):
        self.x = x
        return np.sin(x)

    def backward(self, g):
        return g * np.cos(self.x)

    def backward_ops(self, g):
        return g * cos(self.inputs[0])


class Cos(Function):
    def forward(self, x):
        self.x = x
        return np.cos(x)

    def backward(self, g):
        return -g * np.sin(self.x)

    def backward_ops(self, g):
        return -g * sin(self.inputs[0])


class Log1p(Function):
    def forward(self, x):
        self.x = x
        return np.log1p(x)

    def backward(self, g):
        return g / (1 + self.x)

    def backward_ops(self, g):
        return g / (1 + self.inputs[0])


class Maximum(Function):
    def forward(self, a, b):
        self.a_wins = a >= b  # ties send the gradient to the first argument
        return np.maximum(a, b)

    def backward(self, g):
        return g * self.a_wins, g * ~self.a_wins

    backward_ops = backward  # the masks are constants


class Minimum(Function):
    def forward(self, a, b):
        self.a_wins = a <= b
        return np.minimum(a, b)

    def backward(self, g):
        return g * self.a_wins, g * ~self.a_wins

    backward_ops = backward  # the masks are constants


class Clip(Function):
    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.inside = (x >= self.low) & (x <= self.high)
        return np.clip(x, self.low, self.high)

    def backward(self, g):  # flat outside [low, high]
        return g * self.inside

    backward_ops = backward


class Cast(Function):
    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return g.astype(self.in_dtype) if self.in_dtype.kind == "f" else None

    def backward_ops(self, g):
        return cast(g, self.in_dtype) if self.in_dtype.kind == "f" else None


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)


def log1p(x):
    return Log1p()(x)


def sqrt(x):
    return Sqrt()(x)


def square(x):
    return Square()(x)


def abs(x):  # noqa: A001 - the Keras/NumPy name
    return Abs()(x)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def maximum(a, b):
    return Maximum()(a, b)


def minimum(a, b):
    return Minimum()(a, b)


def clip(x, low, high):
    return Clip(low, high)(x)


def cast(x, dtype):
    if not isinstance(x, Tensor):  # a number, list or array: a constant, nothing to track
        return Tensor(np.asarray(x), dtype=np.dtype(dtype))
    return Cast(np.dtype(dtype))(x)


def sign(x):
    """Not differentiable: the result carries no graph."""
    return Tensor(np.sign(_data(x)))


def _data(x):
    return x.data if isinstance(x, Tensor) else x


try:  # SciPy's erf is exact and fast; without SciPy fall back to math.erf, element by element
    from scipy.special import erf as _erf
except Exception:  # pragma: no cover - depends on the machine
    _erf = np.vectorize(_math.erf, otypes=[np.float64])


def erf(x):
    return Erf()(x)


class Erf(Function):
    def forward(self, x):
        self.x = x
        return _erf(x).astype(x.dtype, copy=False)

    def backward(self, g):  # erf'(x) = 2/sqrt(pi) e^(-x^2)
        return g * (2 / _math.sqrt(_math.pi)) * np.exp(-self.x * self.x)

    def backward_ops(self, g):
        x = self.inputs[0]
        return g * (2 / _math.sqrt(_math.pi)) * exp(-x * x)
