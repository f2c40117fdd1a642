"""Elementwise functions of two tensors, and the elementwise functions without a gradient
(tests, bit operations, integer arithmetic, complex parts), by Keras 3's names.

The two inputs broadcast against each other and are first brought to one dtype, as Keras
does (see :mod:`.elementwise`). A backward may return gradients of the broadcast shape: the
engine sums each back to its input's shape (``autograd.tensor.sum_to_shape``), as it does
for ``add`` and ``multiply``. The functions without a gradient give Tensors without a graph.
"""

from __future__ import annotations

import numpy as np  # NumPy's ufuncs dispatch to CuPy arrays too (__array_ufunc__)

from ..autograd.tensor import Function, Tensor
from .arithmetic import divide
from .dtypes import common_arrays, common_tensors, result_dtype
from .elementwise import exp2, safe_div
from .manipulation import where
from .math import cast, exp


# --- differentiable -------------------------------------------------------------------------
class Arctan2(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.arctan2(a, b)

    def backward(self, g):  # d atan2(a, b) = (b da - a db) / (a^2 + b^2), taken as 0 at 0
        r2 = self.a * self.a + self.b * self.b
        return safe_div(g * self.b, r2), safe_div(-g * self.a, r2)

    def backward_ops(self, g):
        a, b = self.input_or_saved(0, self.a), self.input_or_saved(1, self.b)
        nonzero = (self.a != 0) | (self.b != 0)  # where a = b = 0 both numerators are 0
        r2 = where(nonzero, a * a + b * b, 1.0)
        return g * b / r2, -g * a / r2


class Hypot(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        self.h = np.hypot(a, b)
        return self.h

    def backward(self, g):  # d sqrt(a^2 + b^2) = (a da + b db) / h, taken as 0 at 0
        return safe_div(g * self.a, self.h), safe_div(g * self.b, self.h)

    def backward_ops(self, g):
        a, b = self.input_or_saved(0, self.a), self.input_or_saved(1, self.b)
        h = where(self.h != 0, Hypot()(a, b), 1.0)  # a = b = 0 there: 0 / 1
        return g * a / h, g * b / h


class Logaddexp(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = np.logaddexp(a, b)
        return self.y

    def backward(self, g):  # d ln(e^a + e^b) = (e^a da + e^b db) / e^y
        return g * np.exp(self.a - self.y), g * np.exp(self.b - self.y)

    def backward_ops(self, g):
        a, b = self.input_or_saved(0, self.a), self.input_or_saved(1, self.b)
        y = Logaddexp()(a, b)
        return g * exp(a - y), g * exp(b - y)


class Logaddexp2(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = np.logaddexp2(a, b)
        return self.y

    def backward(self, g):  # d log2(2^a + 2^b) = (2^a da + 2^b db) / 2^y
        return g * np.exp2(self.a - self.y), g * np.exp2(self.b - self.y)

    def backward_ops(self, g):
        a, b = self.input_or_saved(0, self.a), self.input_or_saved(1, self.b)
        y = Logaddexp2()(a, b)
        return g * exp2(a - y), g * exp2(b - y)


class Fmod(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.fmod(a, b)

    def backward(self, g):  # fmod(a, b) = a - b trunc(a/b): da = 1, db = -trunc(a/b)
        return g, -g * np.trunc(self.a / self.b)

    backward_ops = backward  # trunc(a/b) is piecewise constant


class Mod(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.mod(a, b)

    def backward(self, g):  # mod(a, b) = a - b floor(a/b): da = 1, db = -floor(a/b)
        return g, -g * np.floor(self.a / self.b)

    backward_ops = backward  # floor(a/b) is piecewise constant


class DivideNoNan(Function):
    def forward(self, a, b):
        self.a = a
        self.nonzero = b != 0
        self.b = np.where(self.nonzero, b, 1)  # 1 where b is 0, so nothing divides by 0
        return np.where(self.nonzero, a / self.b, 0)

    def backward(self, g):  # d(a/b) = da / b - a db / b^2 where b != 0; 0 where b == 0
        gb = g / self.b
        return (np.where(self.nonzero, gb, 0),
                np.where(self.nonzero, -gb * self.a / self.b, 0))

    def backward_ops(self, g):
        a = self.input_or_saved(0, self.a)
        b = where(self.nonzero, self.input_or_saved(1, self.b), 1.0)
        gb = g / b * self.nonzero
        return gb, -gb * a / b


class Fmax(Function):
    def forward(self, a, b):
        self.a_wins = (a >= b) | np.isnan(b)  # NaN loses; ties go to the first argument
        return np.fmax(a, b)

    def backward(self, g):  # the gradient goes to the chosen input
        return g * self.a_wins, g * ~self.a_wins

    backward_ops = backward  # the masks are constants


class Fmin(Function):
    def forward(self, a, b):
        self.a_wins = (a <= b) | np.isnan(b)
        return np.fmin(a, b)

    def backward(self, g):
        return g * self.a_wins, g * ~self.a_wins

    backward_ops = backward


def arctan2(x1, x2):
    """The angle of the point (x2, x1), arctan(x1 / x2) placed in the right quadrant."""
    return Arctan2()(*common_tensors((x1, x2), floating=True))


def hypot(x1, x2):
    """sqrt(x1^2 + x2^2), without overflow in the squares."""
    return Hypot()(*common_tensors((x1, x2), floating=True))


def logaddexp(x1, x2):
    """ln(e^x1 + e^x2), computed stably."""
    return Logaddexp()(*common_tensors((x1, x2), floating=True))


def logaddexp2(x1, x2):
    """log2(2^x1 + 2^x2), computed stably."""
    return Logaddexp2()(*common_tensors((x1, x2), floating=True))


def fmod(x1, x2):
    """Remainder of x1 / x2 with the sign of x1 (C's fmod: x1 - x2 trunc(x1 / x2))."""
    return Fmod()(*_int_or_float(x1, x2))


def mod(x1, x2):
    """Remainder of x1 / x2 with the sign of x2 (Python's %: x1 - x2 floor(x1 / x2))."""
    return Mod()(*_int_or_float(x1, x2))


def true_divide(x1, x2):
    """x1 / x2 (the same as ``divide``)."""
    return divide(x1, x2)


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 (with a zero gradient) wherever x2 is 0."""
    return DivideNoNan()(*common_tensors((x1, x2), floating=True))


def fmax(x1, x2):
    """Elementwise maximum that ignores NaN: NaN only where both are NaN."""
    return Fmax()(*common_tensors((x1, x2)))


def fmin(x1, x2):
    """Elementwise minimum that ignores NaN: NaN only where both are NaN."""
    return Fmin()(*common_tensors((x1, x2)))


def _int_or_float(x1, x2):
    """Common-dtype Tensors, with two bools made int32 (NumPy has no bool remainder)."""
    x1, x2 = common_tensors((x1, x2))
    return (cast(x1, "int32"), cast(x2, "int32")) if x1.dtype == bool else (x1, x2)


# --- without a gradient ---------------------------------------------------------------------
def heaviside(x1, x2):
    """Step function: 0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0 (no gradient)."""
    a, b = common_arrays((x1, x2), floating=True)
    return Tensor(np.heaviside(a, b))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether |x1 - x2| <= atol + rtol |x2|, elementwise."""
    a, b = common_arrays((x1, x2))
    return Tensor(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether ``isclose`` holds everywhere: a bool scalar Tensor."""
    a, b = common_arrays((x1, x2))
    return Tensor(np.asarray(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def isneginf(x):
    """Whether each element is -inf."""
    return Tensor(np.isneginf(common_arrays((x,))[0]))


def isposinf(x):
    """Whether each element is +inf."""
    return Tensor(np.isposinf(common_arrays((x,))[0]))


def isreal(x):
    """Whether each element has a zero imaginary part (always, for real dtypes)."""
    return Tensor(np.isreal(common_arrays((x,))[0]))


def signbit(x):
    """Whether the sign bit is set (true for -0.0 as well as negative numbers)."""
    return Tensor(np.signbit(common_arrays((x,))[0]))


def nextafter(x1, x2):
    """The next representable float after x1 in the direction of x2."""
    return Tensor(np.nextafter(*common_arrays((x1, x2), floating=True)))


def ldexp(x1, x2):
    """x1 * 2^x2, for an integer exponent x2."""
    dtype = result_dtype((x1, x2), floating=True)
    exponent = common_arrays((x2,))[0]
    if exponent.dtype.kind not in "iu":
        raise TypeError(f"ldexp: the exponent x2 must be an integer, received {exponent.dtype}")
    mantissa = common_arrays((x1,), dtype=dtype)[0]
    return Tensor(np.ldexp(mantissa, exponent.astype(np.int64)).astype(dtype, copy=False))


def gcd(x1, x2):
    """Greatest common divisor of integers, elementwise (gcd(0, 0) = 0)."""
    return Tensor(np.gcd(*common_arrays((x1, x2))))


def lcm(x1, x2):
    """Least common multiple of integers, elementwise (0 if either is 0)."""
    return Tensor(np.lcm(*common_arrays((x1, x2))))


def floor_divide(x1, x2):
    """floor(x1 / x2), Python's //, in the inputs' common dtype (no gradient)."""
    return Tensor(np.floor_divide(*common_arrays((x1, x2))))


def bitwise_and(x, y):
    """Bitwise AND of integers (logical AND of bools)."""
    return Tensor(np.bitwise_and(*common_arrays((x, y))))


def bitwise_or(x, y):
    """Bitwise OR of integers (logical OR of bools)."""
    return Tensor(np.bitwise_or(*common_arrays((x, y))))


def bitwise_xor(x, y):
    """Bitwise exclusive OR of integers (logical XOR of bools)."""
    return Tensor(np.bitwise_xor(*common_arrays((x, y))))


def bitwise_invert(x):
    """Bitwise NOT: ~x, which is -x - 1 for signed integers (logical NOT of bools)."""
    return Tensor(np.invert(common_arrays((x,))[0]))


def bitwise_not(x):
    """Bitwise NOT (the same as ``bitwise_invert``)."""
    return bitwise_invert(x)


def bitwise_left_shift(x, y):
    """x << y: the bits of the integers x moved y places left (x * 2^y)."""
    return Tensor(np.left_shift(*common_arrays((x, y))))


def bitwise_right_shift(x, y):
    """x >> y: the bits of the integers x moved y places right (floor(x / 2^y))."""
    return Tensor(np.right_shift(*common_arrays((x, y))))


def left_shift(x, y):
    """x << y (the same as ``bitwise_left_shift``)."""
    return bitwise_left_shift(x, y)


def right_shift(x, y):
    """x >> y (the same as ``bitwise_right_shift``)."""
    return bitwise_right_shift(x, y)


def real(x):
    """The real part (x itself, copied, for real dtypes)."""
    return Tensor(np.real(common_arrays((x,))[0]).copy())


def imag(x):
    """The imaginary part (zeros for real dtypes)."""
    return Tensor(np.imag(common_arrays((x,))[0]).copy())


def conjugate(x):
    """The complex conjugate, a - bi (x itself for real dtypes)."""
    return Tensor(np.conjugate(common_arrays((x,))[0]))


def conj(x):
    """The complex conjugate (the same as ``conjugate``)."""
    return conjugate(x)


def angle(x):
    """The argument of a complex number, atan2(imag, real): 0 or pi for real numbers."""
    z = common_arrays((x,), floating=True)[0]
    return Tensor(np.angle(z).astype(z.real.dtype, copy=False))
