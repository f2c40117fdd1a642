"""More elementwise functions of one tensor, by Keras 3's names (``keras.ops.tan`` ...).

Each differentiable one is a small Function with its derivative beside it. Inputs may be
Tensors, arrays, lists or numbers; they are brought to one dtype first, as Keras does: a
float keeps its precision, and an integer or bool input to a float function becomes floatx
(float32). The two-input functions live in :mod:`.elementwise_more`; like every op, their
gradients may come back broadcast, and the engine sums them to each input's shape.
"""

from __future__ import annotations

import math as _math
from statistics import NormalDist as _NormalDist

import numpy as np  # NumPy's ufuncs dispatch to CuPy arrays too (__array_ufunc__)

from ..autograd.tensor import Function, Tensor
from .dtypes import common_arrays, common_tensors, float_tensor
from .manipulation import where
from .math import cos, exp, sqrt

_LN2, _LN10 = _math.log(2.0), _math.log(10.0)
_TWO_OVER_SQRT_PI = 2 / _math.sqrt(_math.pi)


def safe_div(a, b):
    """a / b, and 0 where b is 0."""
    nonzero = b != 0
    return np.where(nonzero, a / np.where(nonzero, b, 1), 0)


# --- special functions: SciPy when it is there, else the standard library -----------------
def _erfinv_scalar(v):
    """erfinv of one float, from the normal quantile (exact to a few ulps)."""
    if not -1 < v < 1:  # +-1 give +-inf; beyond them, and NaN, give NaN
        return _math.copysign(_math.inf, v) if abs(v) == 1 else _math.nan
    if abs(v) > 0.5:  # the tail: 1 - |v| is exact here, (v + 1) / 2 would round
        return _math.copysign(_NormalDist().inv_cdf((1 - abs(v)) / 2), v) / _math.sqrt(2)
    y = _NormalDist().inv_cdf((v + 1) / 2) / _math.sqrt(2)
    for _ in range(2):  # Newton on erf(y) = v restores the digits lost in (v + 1) / 2
        y -= (_math.erf(y) - v) / (_TWO_OVER_SQRT_PI * _math.exp(-y * y))
    return y


def _i1_series(x):
    """I1(x) = sum_k (x/2)^(2k+1) / (k! (k+1)!), summed until the terms stop counting."""
    half = np.asarray(x, np.float64) / 2
    term = half.copy()
    total = term.copy()
    k = 0
    while np.any(np.abs(term) > 1e-17 * np.abs(total)):
        k += 1
        term = term * half * half / (k * (k + 1))
        total = total + term
    return total


try:
    from scipy.special import erfc as _erfc
    from scipy.special import erfinv as _erfinv
    from scipy.special import i1 as _i1
except Exception:  # pragma: no cover - depends on the machine
    _erfc = np.vectorize(_math.erfc, otypes=[np.float64])
    _erfinv = np.vectorize(_erfinv_scalar, otypes=[np.float64])
    _i1 = _i1_series


# --- differentiable -------------------------------------------------------------------------
class Tan(Function):
    def forward(self, x):
        self.y = np.tan(x)
        return self.y

    def backward(self, g):  # (tan x)' = 1 + tan^2 x
        return g * (1 + self.y * self.y)

    def backward_ops(self, g):
        t = Tan()(self.inputs[0])
        return g * (1 + t * t)


class Arcsin(Function):
    def forward(self, x):
        self.x = x
        return np.arcsin(x)

    def backward(self, g):  # (arcsin x)' = 1 / sqrt(1 - x^2)
        return g / np.sqrt(1 - self.x * self.x)

    def backward_ops(self, g):
        x = self.inputs[0]
        return g / sqrt(1 - x * x)


class Arccos(Function):
    def forward(self, x):
        self.x = x
        return np.arccos(x)

    def backward(self, g):  # (arccos x)' = -1 / sqrt(1 - x^2)
        return -g / np.sqrt(1 - self.x * self.x)

    def backward_ops(self, g):
        x = self.inputs[0]
        return -g / sqrt(1 - x * x)


class Arctan(Function):
    def forward(self, x):
        self.x = x
        return np.arctan(x)

    def backward(self, g):  # (arctan x)' = 1 / (1 + x^2)
        return g / (1 + self.x * self.x)

    def backward_ops(self, g):
        x = self.inputs[0]
        return g / (1 + x * x)


class Sinh(Function):
    def forward(self, x):
        self.x = x
        return np.sinh(x)

    def backward(self, g):  # (sinh x)' = cosh x
        return g * np.cosh(self.x)

    def backward_ops(self, g):
        return g * Cosh()(self.inputs[0])


class Cosh(Function):
    def forward(self, x):
        self.x = x
        return np.cosh(x)

    def backward(self, g):  # (cosh x)' = sinh x
        return g * np.sinh(self.x)

    def backward_ops(self, g):
        return g * Sinh()(self.inputs[0])


class Arcsinh(Function):
    def forward(self, x):
        self.x = x
        return np.arcsinh(x)

    def backward(self, g):  # (arcsinh x)' = 1 / sqrt(x^2 + 1)
        return g / np.sqrt(self.x * self.x + 1)

    def backward_ops(self, g):
        x = self.inputs[0]
        return g / sqrt(x * x + 1)


class Arccosh(Function):
    def forward(self, x):
        self.x = x
        return np.arccosh(x)

    def backward(self, g):  # (arccosh x)' = 1 / sqrt(x^2 - 1), for x > 1
        return g / np.sqrt(self.x * self.x - 1)

    def backward_ops(self, g):
        x = self.inputs[0]
        return g / sqrt(x * x - 1)


class Arctanh(Function):
    def forward(self, x):
        self.x = x
        return np.arctanh(x)

    def backward(self, g):  # (arctanh x)' = 1 / (1 - x^2)
        return g / (1 - self.x * self.x)

    def backward_ops(self, g):
        x = self.inputs[0]
        return g / (1 - x * x)


class Exp2(Function):
    def forward(self, x):
        self.y = np.exp2(x)
        return self.y

    def backward(self, g):  # (2^x)' = 2^x ln 2
        return g * self.y * _LN2

    def backward_ops(self, g):
        return g * Exp2()(self.inputs[0]) * _LN2


class Expm1(Function):
    def forward(self, x):
        self.y = np.expm1(x)
        return self.y

    def backward(self, g):  # (e^x - 1)' = e^x = y + 1
        return g * (self.y + 1)

    def backward_ops(self, g):
        return g * exp(self.inputs[0])


class Log2(Function):
    def forward(self, x):
        self.x = x
        return np.log2(x)

    def backward(self, g):  # (log2 x)' = 1 / (x ln 2)
        return g / (self.x * _LN2)

    def backward_ops(self, g):
        return g / (self.inputs[0] * _LN2)


class Log10(Function):
    def forward(self, x):
        self.x = x
        return np.log10(x)

    def backward(self, g):  # (log10 x)' = 1 / (x ln 10)
        return g / (self.x * _LN10)

    def backward_ops(self, g):
        return g / (self.inputs[0] * _LN10)


class Cbrt(Function):
    def forward(self, x):
        self.y = np.cbrt(x)
        return self.y

    def backward(self, g):  # (x^(1/3))' = 1 / (3 x^(2/3)), infinite at 0
        return g / (3 * self.y * self.y)

    def backward_ops(self, g):
        y = Cbrt()(self.inputs[0])
        return g / (3 * y * y)


class Deg2rad(Function):
    def forward(self, x):
        return np.deg2rad(x)

    def backward(self, g):  # d(x pi/180) = pi/180
        return g * (_math.pi / 180)

    backward_ops = backward  # a constant slope


class Rad2deg(Function):
    def forward(self, x):
        return np.rad2deg(x)

    def backward(self, g):  # d(x 180/pi) = 180/pi
        return g * (180 / _math.pi)

    backward_ops = backward


class Sinc(Function):
    def forward(self, x):
        self.x = x
        self.y = np.sinc(x)
        return self.y

    def backward(self, g):
        # sinc x = sin(pi x) / (pi x), so sinc'(x) = (cos(pi x) - sinc x) / x; near 0 that
        # difference cancels, and its series -(pi^2 x / 3)(1 - pi^2 x^2 / 10) is used instead
        x = self.x
        series = -(_math.pi**2 / 3) * x * (1 - (_math.pi**2 / 10) * x * x)
        exact = safe_div(np.cos(_math.pi * x) - self.y, x)
        return g * np.where(np.abs(x) < 1e-3, series, exact)

    def backward_ops(self, g):  # the same two branches; which one applies is a constant
        x = self.inputs[0]
        small = np.abs(self.x) < 1e-3
        series = -(_math.pi**2 / 3) * x * (1 - (_math.pi**2 / 10) * x * x)
        exact = (cos(_math.pi * x) - Sinc()(x)) / where(self.x != 0, x, 1.0)
        return g * where(small, series, exact)


class Erfc(Function):
    def forward(self, x):
        self.x = x
        return _erfc(x).astype(x.dtype, copy=False)

    def backward(self, g):  # erfc'(x) = -2/sqrt(pi) e^(-x^2)
        return -g * _TWO_OVER_SQRT_PI * np.exp(-self.x * self.x)

    def backward_ops(self, g):
        x = self.inputs[0]
        return -g * _TWO_OVER_SQRT_PI * exp(-x * x)


class Erfinv(Function):
    def forward(self, x):
        self.y = _erfinv(x).astype(x.dtype, copy=False)
        return self.y

    def backward(self, g):  # erfinv'(x) = 1 / erf'(y) = sqrt(pi)/2 e^(y^2)
        return g / _TWO_OVER_SQRT_PI * np.exp(self.y * self.y)

    def backward_ops(self, g):
        y = Erfinv()(self.inputs[0])
        return g / _TWO_OVER_SQRT_PI * exp(y * y)


class Fabs(Function):
    def forward(self, x):
        self.x = x
        return np.fabs(x)

    def backward(self, g):  # |x|' = sign(x), taken as 0 at 0
        return g * np.sign(self.x)

    backward_ops = backward  # sign(x) is a constant


class NanToNum(Function):
    def __init__(self, nan, posinf, neginf):
        self.nan, self.posinf, self.neginf = nan, posinf, neginf

    def forward(self, x):
        self.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=self.nan, posinf=self.posinf, neginf=self.neginf)

    def backward(self, g):  # the identity where x is finite; constants replace the rest
        return g * self.finite

    backward_ops = backward  # the mask is a constant


class I0(Function):
    def forward(self, x):
        self.x = x
        return np.i0(x).astype(x.dtype, copy=False)

    def backward(self, g):  # I0'(x) = I1(x)
        return g * _i1(self.x).astype(self.x.dtype, copy=False)

    def backward_ops(self, g):
        return g * I1()(self.inputs[0])

class I1(Function):
    """I0's derivative as an op of its own, so that I0 has a second derivative."""

    def forward(self, x):
        self.x = x
        return _i1(x).astype(x.dtype, copy=False)

    def backward(self, g):  # I1'(x) = I0(x) - I1(x) / x, and 1/2 at 0
        x = self.x
        return g * np.where(x == 0, 0.5, np.i0(x) - safe_div(_i1(x), x)).astype(x.dtype)

    def backward_ops(self, g):
        x, zero = self.inputs[0], self.x == 0
        return g * where(zero, 0.5, I0()(x) - I1()(x) / where(zero, 1.0, x))



def tan(x):
    """Tangent, elementwise."""
    return Tan()(float_tensor(x))


def arcsin(x):
    """Inverse sine, in [-pi/2, pi/2]."""
    return Arcsin()(float_tensor(x))


def arccos(x):
    """Inverse cosine, in [0, pi]."""
    return Arccos()(float_tensor(x))


def arctan(x):
    """Inverse tangent, in (-pi/2, pi/2)."""
    return Arctan()(float_tensor(x))


def sinh(x):
    """Hyperbolic sine, (e^x - e^-x) / 2."""
    return Sinh()(float_tensor(x))


def cosh(x):
    """Hyperbolic cosine, (e^x + e^-x) / 2."""
    return Cosh()(float_tensor(x))


def arcsinh(x):
    """Inverse hyperbolic sine, ln(x + sqrt(x^2 + 1))."""
    return Arcsinh()(float_tensor(x))


def arccosh(x):
    """Inverse hyperbolic cosine, ln(x + sqrt(x^2 - 1)), for x >= 1."""
    return Arccosh()(float_tensor(x))


def arctanh(x):
    """Inverse hyperbolic tangent, ln((1 + x) / (1 - x)) / 2, for |x| < 1."""
    return Arctanh()(float_tensor(x))


def exp2(x):
    """2 to the power x."""
    return Exp2()(float_tensor(x))


def expm1(x):
    """e^x - 1, accurate for small x."""
    return Expm1()(float_tensor(x))


def log2(x):
    """Base-2 logarithm."""
    return Log2()(float_tensor(x))


def log10(x):
    """Base-10 logarithm."""
    return Log10()(float_tensor(x))


def cbrt(x):
    """Real cube root (negative for negative x)."""
    return Cbrt()(float_tensor(x))


def deg2rad(x):
    """Degrees to radians, x pi / 180."""
    return Deg2rad()(float_tensor(x))


def rad2deg(x):
    """Radians to degrees, x 180 / pi."""
    return Rad2deg()(float_tensor(x))


def sinc(x):
    """Normalised sinc, sin(pi x) / (pi x), and 1 at 0."""
    return Sinc()(float_tensor(x))


def erfc(x):
    """Complementary error function, 1 - erf(x)."""
    return Erfc()(float_tensor(x))


def erfinv(x):
    """Inverse error function: the y with erf(y) = x, for -1 <= x <= 1."""
    return Erfinv()(float_tensor(x))


def fabs(x):
    """Absolute value, always as a float."""
    return Fabs()(float_tensor(x))


def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    return I0()(float_tensor(x))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and
    the dtype's largest and smallest finite values); the gradient is 0 where they were."""
    return NanToNum(nan, posinf, neginf)(common_tensors((x,))[0])


def trunc(x):
    """x rounded toward zero (no gradient, like floor and ceil); integers stay as they are."""
    data = common_arrays((x,))[0]
    return Tensor(data.copy() if data.dtype.kind in "biu" else np.trunc(data))
