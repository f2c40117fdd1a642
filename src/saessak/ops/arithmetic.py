"""The four rules of arithmetic, powers, and the operators that make ``a + b`` work on Tensors."""

from __future__ import annotations

import numpy as np  # NumPy ufuncs also dispatch to CuPy arrays

from ..autograd.tensor import Function, Tensor
from .math import log


class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, g):  # d(a+b) = da + db; broadcasting is undone by the engine
        return g, g

    backward_ops = backward  # the same rule on Tensors


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, -g

    backward_ops = backward


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):  # d(ab) = b da + a db
        return g * self.b, g * self.a

    def backward_ops(self, g):
        return g * self.input_or_saved(1, self.b), g * self.input_or_saved(0, self.a)


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):  # d(a/b) = da / b - a db / b^2
        gb = g / self.b
        return gb, -gb * self.a / self.b

    def backward_ops(self, g):
        a, b = self.input_or_saved(0, self.a), self.input_or_saved(1, self.b)
        gb = g / b
        return gb, -gb * a / b


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return -g

    backward_ops = backward


class Pow(Function):
    """``a ** p`` for a tensor ``a`` and a constant exponent ``p``."""

    def __init__(self, p):
        self.p = p

    def forward(self, a):
        self.a = a
        return a**self.p

    def backward(self, g):  # d(a^p) = p a^(p-1) da
        return g * self.p * self.a ** (self.p - 1)

    def backward_ops(self, g):
        return g * self.p * self.input_or_saved(0, self.a) ** (self.p - 1)


class PowTensor(Function):
    """``a ** b`` where the exponent is a tensor too (``a`` must be positive there)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a**b
        return self.y

    def backward(self, g):  # d(a^b) = b a^(b-1) da + a^b ln(a) db
        return g * self.b * self.a ** (self.b - 1), g * self.y * np.log(self.a)

    def backward_ops(self, g):
        a, b = self.input_or_saved(0, self.a), self.input_or_saved(1, self.b)
        return g * b * a ** (b - 1), g * a ** b * log(a)


def add(a, b):
    return Add()(a, b)


def subtract(a, b):
    return Sub()(a, b)


def multiply(a, b):
    return Mul()(a, b)


def divide(a, b):
    return Div()(a, b)


def negative(a):
    return Neg()(a)


def power(a, p):
    if isinstance(p, Tensor):
        return PowTensor()(a, p)
    return Pow(p)(a)
