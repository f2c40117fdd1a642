"""The elementwise functions of saessak.ops.elementwise(_more): values against NumPy, SciPy and
numbers worked out by hand, Keras's dtype rules, broadcasting, and every gradient against
central finite differences."""

import math

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.ops import elementwise as E
from saessak.ops import elementwise_more as M

sp = pytest.importorskip("scipy.special", reason="the reference values come from SciPy "
                                                "(saessak[fast])")

R = np.random.default_rng(11)


def rand(*shape, low=-2.0, high=2.0):
    return R.uniform(low, high, shape)


def away_from_zero(*shape, gap=0.3):
    x = rand(*shape)
    return np.where(np.abs(x) < gap, np.sign(x + 1e-12) * gap + x, x)


# --- values ---------------------------------------------------------------------------------
UNARY_VALUES = {  # name: (saessak function, reference, inputs inside the domain)
    "tan": (E.tan, np.tan, rand(3, 4, low=-1.4, high=1.4)),
    "arcsin": (E.arcsin, np.arcsin, rand(3, 4, low=-1, high=1)),
    "arccos": (E.arccos, np.arccos, rand(3, 4, low=-1, high=1)),
    "arctan": (E.arctan, np.arctan, rand(3, 4, low=-5, high=5)),
    "sinh": (E.sinh, np.sinh, rand(3, 4)),
    "cosh": (E.cosh, np.cosh, rand(3, 4)),
    "arcsinh": (E.arcsinh, np.arcsinh, rand(3, 4, low=-5, high=5)),
    "arccosh": (E.arccosh, np.arccosh, rand(3, 4, low=1, high=5)),
    "arctanh": (E.arctanh, np.arctanh, rand(3, 4, low=-0.99, high=0.99)),
    "exp2": (E.exp2, np.exp2, rand(3, 4, low=-5, high=5)),
    "expm1": (E.expm1, np.expm1, np.array([1e-10, -1e-8, 0.5, -3.0])),
    "log2": (E.log2, np.log2, rand(3, 4, low=0.01, high=9)),
    "log10": (E.log10, np.log10, rand(3, 4, low=0.01, high=9)),
    "cbrt": (E.cbrt, np.cbrt, rand(3, 4, low=-9, high=9)),
    "deg2rad": (E.deg2rad, np.deg2rad, rand(3, 4, low=-360, high=360)),
    "rad2deg": (E.rad2deg, np.rad2deg, rand(3, 4, low=-7, high=7)),
    "sinc": (E.sinc, np.sinc, np.array([0.0, 1e-5, 0.5, -1.0, 2.5])),
    "erfc": (E.erfc, sp.erfc, rand(3, 4, low=-4, high=4)),
    "erfinv": (E.erfinv, sp.erfinv, rand(3, 4, low=-1, high=1)),
    "fabs": (E.fabs, np.fabs, rand(3, 4)),
    "i0": (E.i0, np.i0, rand(3, 4, low=-6, high=6)),
    "nan_to_num": (E.nan_to_num, np.nan_to_num, rand(3, 4)),
}


@pytest.mark.parametrize("name", sorted(UNARY_VALUES))
def test_unary_values_match_the_reference_in_float64(name):
    fn, ref, x = UNARY_VALUES[name]
    out = fn(Tensor(x))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", sorted(UNARY_VALUES))
def test_unary_float32_stays_float32(name):
    fn, ref, x = UNARY_VALUES[name]
    x32 = x.astype(np.float32)
    out = fn(Tensor(x32))
    assert out.dtype == np.float32
    # float32 rounding, relative to the value and, near zeros of sinc, absolute
    np.testing.assert_allclose(out.numpy(), ref(x32.astype(np.float64)), rtol=2e-6, atol=1e-7)
    assert fn(x[:1]).dtype == np.float64  # a float64 array keeps its precision
    number = fn(float(x.flat[0]))  # a Python float is floatx
    assert number.dtype == np.float32 and number.shape == ()
    np.testing.assert_allclose(float(number), ref(x.flat[0]), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(set(UNARY_VALUES) - {"nan_to_num"}))
def test_unary_integers_and_bools_become_floatx(name):
    fn, ref, _ = UNARY_VALUES[name]
    ints = np.array([1, 2, 3], np.int32)
    with np.errstate(invalid="ignore", divide="ignore"):  # some are outside the domain
        for value in (Tensor(ints), ints, [1, 2, 3], np.array([True, False]), 1,
                      np.array([1, 2], np.int64), np.array([1], np.uint8)):
            out = fn(value)
            assert out.dtype == np.float32, value
            np.testing.assert_allclose(out.numpy(), ref(np.asarray(value, np.float64)),
                                       rtol=2e-6, atol=1e-7)
        with backend.floatx_scope("float64"):
            assert fn(ints).dtype == np.float64  # floatx, not a fixed float32


def test_hand_worked_values():
    pi = math.pi
    checks = [
        (E.tan(pi / 4), 1.0), (E.arcsin(1.0), pi / 2), (E.arccos(0.0), pi / 2),
        (E.arctan(1.0), pi / 4), (E.sinh(math.log(2.0)), 0.75), (E.cosh(math.log(2.0)), 1.25),
        (E.arcsinh(0.75), math.log(2.0)), (E.arccosh(1.25), math.log(2.0)),
        (E.arctanh(0.6), math.log(2.0)), (E.exp2(10), 1024.0), (E.log2(1024), 10.0),
        (E.log10(1000), 3.0), (E.cbrt(-27.0), -3.0), (E.deg2rad(180), pi),
        (E.rad2deg(pi), 180.0), (E.sinc(0.5), 2 / pi), (E.sinc(0.0), 1.0), (E.sinc(3.0), 0.0),
        (E.erfc(0.0), 1.0), (E.erfinv(0.0), 0.0), (E.fabs(-3), 3.0),
        (E.i0(0.0), 1.0), (E.i0(1.0), 1.2660658777520082),  # I0(1) = sum 1/(4^k k!^2)
        (M.arctan2(1.0, -1.0), 3 * pi / 4), (M.hypot(3, 4), 5.0),
        (M.logaddexp(0.0, 0.0), math.log(2.0)), (M.logaddexp2(3.0, 3.0), 4.0),
    ]
    for got, want in checks:
        assert got.dtype == np.float32
        np.testing.assert_allclose(float(got), want, rtol=2e-7, atol=2e-7)
    np.testing.assert_allclose(float(E.erfinv(np.float64(0.5))), 0.4769362762044699, rtol=1e-15)
    assert float(E.erfinv(1.0)) == np.inf and float(E.erfinv(-1.0)) == -np.inf


def test_expm1_is_accurate_for_tiny_inputs():
    assert float(E.expm1(np.float64(1e-10))) == pytest.approx(1e-10 + 5e-21, rel=1e-15)


BINARY_VALUES = {
    "arctan2": (M.arctan2, np.arctan2, rand(3, 1), rand(4)),
    "hypot": (M.hypot, np.hypot, rand(3, 1), rand(4)),
    "logaddexp": (M.logaddexp, np.logaddexp, rand(3, 1, low=-40, high=40), rand(4)),
    "logaddexp2": (M.logaddexp2, np.logaddexp2, rand(3, 1), rand(4, low=-40, high=40)),
    "fmod": (M.fmod, np.fmod, rand(3, 1, low=-9, high=9), away_from_zero(4)),
    "mod": (M.mod, np.mod, rand(3, 1, low=-9, high=9), away_from_zero(4)),
    "true_divide": (M.true_divide, np.true_divide, rand(3, 1), away_from_zero(4)),
    "divide_no_nan": (M.divide_no_nan, np.divide, rand(3, 1), away_from_zero(4)),
    "fmax": (M.fmax, np.fmax, rand(3, 1), rand(4)),
    "fmin": (M.fmin, np.fmin, rand(3, 1), rand(4)),
}


@pytest.mark.parametrize("name", sorted(BINARY_VALUES))
def test_binary_values_broadcast(name):
    fn, ref, a, b = BINARY_VALUES[name]
    out = fn(Tensor(a), Tensor(b))
    assert out.shape == (3, 4) and out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), ref(a, b), rtol=1e-14, atol=0)
    out = fn(a.astype(np.float32), b[None].astype(np.float32))
    assert out.shape == (3, 4) and out.dtype == np.float32


@pytest.mark.parametrize("name", ["arctan2", "hypot", "logaddexp", "logaddexp2",
                                  "divide_no_nan"])
def test_binary_float_functions_promote_like_keras(name):
    fn = BINARY_VALUES[name][0]
    f32, f64 = np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0])
    assert fn(Tensor(f32), f64).dtype == np.float64  # the wider float wins
    assert fn(Tensor(f32), Tensor(f64)).dtype == np.float64  # even two Tensors
    assert fn(Tensor(f32), 2.0).dtype == np.float32  # a Python number does not widen
    assert fn(np.array([1, 2], np.int32), np.array([3, 4], np.int8)).dtype == np.float32
    assert fn(np.array([1, 2], np.int64), f32).dtype == np.float32
    assert fn(1, 2).dtype == np.float32 and fn([1, 2], [3.0, 4.0]).dtype == np.float32


def test_mod_fmod_fmax_fmin_keep_integers():
    a, b = np.array([7, -7, 5], np.int32), np.array([3, 3, -2], np.int32)
    for fn, ref in [(M.mod, np.mod), (M.fmod, np.fmod), (M.fmax, np.fmax), (M.fmin, np.fmin)]:
        out = fn(a, b)
        assert out.dtype == np.int32
        np.testing.assert_array_equal(out.numpy(), ref(a, b))
    assert M.mod(np.array([5], np.int8), 3).dtype == np.int8  # a Python int is weak
    assert M.mod(np.array([5], np.int32), 2.5).dtype == np.float32  # NumPy would say float64
    np.testing.assert_array_equal(M.mod([5, -5], 3).numpy(), [2, 1])
    np.testing.assert_array_equal(M.fmod([5, -5], 3).numpy(), [2, -2])
    out = M.mod(np.array([True, True]), np.array([True, True]))
    assert out.dtype == np.int32 and out.tolist() == [0, 0]


def test_true_divide_is_divide():
    out = M.true_divide(Tensor([1.0, 3.0]), 2.0)
    assert out.dtype == np.float32 and out.tolist() == [0.5, 1.5]


# --- gradients ------------------------------------------------------------------------------
UNARY_GRADS = {
    "tan": (E.tan, rand(3, 4, low=-1.2, high=1.2)),
    "arcsin": (E.arcsin, rand(3, 4, low=-0.8, high=0.8)),
    "arccos": (E.arccos, rand(3, 4, low=-0.8, high=0.8)),
    "arctan": (E.arctan, rand(3, 4, low=-3, high=3)),
    "sinh": (E.sinh, rand(3, 4)),
    "cosh": (E.cosh, rand(3, 4)),
    "arcsinh": (E.arcsinh, rand(3, 4, low=-3, high=3)),
    "arccosh": (E.arccosh, rand(3, 4, low=1.2, high=4)),
    "arctanh": (E.arctanh, rand(3, 4, low=-0.8, high=0.8)),
    "exp2": (E.exp2, rand(3, 4)),
    "expm1": (E.expm1, rand(3, 4)),
    "log2": (E.log2, rand(3, 4, low=0.2, high=4)),
    "log10": (E.log10, rand(3, 4, low=0.2, high=4)),
    "cbrt": (E.cbrt, away_from_zero(3, 4)),
    "deg2rad": (E.deg2rad, rand(3, 4)),
    "rad2deg": (E.rad2deg, rand(3, 4)),
    "sinc": (E.sinc, np.array([0.0, 2e-4, -7e-4, 0.3, -1.7, 2.5, 1e-2])),
    "erfc": (E.erfc, rand(3, 4)),
    "erfinv": (E.erfinv, rand(3, 4, low=-0.9, high=0.9)),
    "fabs": (E.fabs, away_from_zero(3, 4)),
    "i0": (E.i0, rand(3, 4, low=-4, high=4)),
    "nan_to_num": (lambda x: E.nan_to_num(x) * x, rand(3, 4)),
}


@pytest.mark.parametrize("name", sorted(UNARY_GRADS))
def test_unary_gradients(name):
    fn, x = UNARY_GRADS[name]
    result = grad_check(fn, x)
    assert result.ok, result


def _fractional_multiples(b, shape, low=0.2, high=0.8):
    """Values a with a / b an integer plus a fraction in [low, high]: far from every jump of
    mod and fmod."""
    k = R.integers(-3, 4, shape)
    return b * (k + R.uniform(low, high, shape))


def _apart(b, shape):
    """Values at least 0.3 away from b, on either side: fmax/fmin ties are far off."""
    return b + R.choice([-1, 1], shape) * R.uniform(0.3, 1.0, shape)


B4 = R.uniform(1.2, 2.5, 4) * R.choice([-1, 1], 4)
BINARY_GRADS = {
    "arctan2": (M.arctan2, away_from_zero(3, 4), rand(4)),
    "arctan2_broadcast_first": (M.arctan2, rand(3, 1), away_from_zero(3, 4)),
    "hypot": (M.hypot, rand(3, 4), away_from_zero(4)),
    "logaddexp": (M.logaddexp, rand(3, 4), rand(1, 4)),
    "logaddexp2": (M.logaddexp2, rand(2, 3, 1), rand(4)),
    "fmod": (M.fmod, _fractional_multiples(B4, (3, 4)), B4),
    "mod": (M.mod, _fractional_multiples(B4, (3, 4)), B4),
    "mod_negative_fractions": (M.mod, _fractional_multiples(-B4, (3, 4)), -B4),
    "true_divide": (M.true_divide, rand(3, 4), away_from_zero(4)),
    "divide_no_nan": (M.divide_no_nan, rand(3, 1), away_from_zero(3, 4)),
    "fmax": (M.fmax, _apart(B4, (3, 4)), B4),
    "fmin": (M.fmin, B4, _apart(B4, (2, 3, 4))),
}


@pytest.mark.parametrize("name", sorted(BINARY_GRADS))
def test_binary_gradients_reduce_to_each_input_shape(name):
    fn, a, b = BINARY_GRADS[name]
    result = grad_check(fn, a, b)
    assert result.ok, result


def test_fmod_and_mod_gradients_by_hand():
    a, b = Tensor([7.5, -7.5], requires_grad=True), Tensor([2.0, 2.0], requires_grad=True)
    M.mod(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-3.0, 4.0]  # -floor(a/b)
    a.grad = b.grad = None
    M.fmod(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-3.0, 3.0]  # -trunc(a/b)


def test_gradient_reaches_a_float32_input_through_the_promotion():
    a = Tensor(np.array([0.5, -1.0], np.float32), requires_grad=True)
    b = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    out = M.arctan2(a, b)
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    r2 = np.array([4.25, 10.0])
    np.testing.assert_allclose(a.grad, [2.0 / 4.25, 3.0 / 10.0], rtol=1e-7)
    np.testing.assert_allclose(b.grad, -np.array([0.5, -1.0]) / r2, rtol=1e-7)


def test_integer_inputs_record_no_graph():
    x = Tensor(np.array([1, 2], np.int32))
    assert not E.log2(x).requires_grad and not M.mod(x, 2).requires_grad


# --- special values -------------------------------------------------------------------------
def test_divide_no_nan_is_zero_with_zero_gradient_where_the_divisor_is_zero():
    a = Tensor([1.0, -2.0, 0.0, np.inf, 3.0], requires_grad=True)
    b = Tensor([0.0, 0.0, 0.0, 0.0, 2.0], requires_grad=True)
    with np.errstate(all="raise"):  # no division by zero happens, even internally
        out = M.divide_no_nan(a, b)
        out.sum().backward()
    assert out.tolist() == [0.0, 0.0, 0.0, 0.0, 1.5]
    assert a.grad.tolist() == [0.0, 0.0, 0.0, 0.0, 0.5]
    assert b.grad.tolist() == [0.0, 0.0, 0.0, 0.0, -0.75]
    ints = M.divide_no_nan(np.array([3, 4], np.int32), np.array([0, 8], np.int32))
    assert ints.dtype == np.float32 and ints.tolist() == [0.0, 0.5]


def test_nan_to_num_values_and_gradient():
    x = Tensor(np.array([np.nan, np.inf, -np.inf, 2.5], np.float32), requires_grad=True)
    out = E.nan_to_num(x)
    big = np.finfo(np.float32).max
    assert out.dtype == np.float32 and out.tolist() == [0.0, big, -big, 2.5]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0]
    custom = E.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0)
    assert custom.tolist() == [1.0, 2.0, -3.0, 2.5]
    assert E.nan_to_num(np.array([1, 2], np.int32)).dtype == np.int32


def test_fmax_fmin_ignore_nan_and_send_the_gradient_to_the_number():
    nan = np.nan
    a = Tensor([nan, 1.0, 5.0, nan], requires_grad=True)
    b = Tensor([2.0, nan, 3.0, nan], requires_grad=True)
    out = M.fmax(a, b)
    np.testing.assert_array_equal(out.numpy(), [2.0, 1.0, 5.0, nan])
    (out * np.array([1.0, 1.0, 1.0, 0.0])).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 1.0, 0.0] and b.grad.tolist() == [1.0, 0.0, 0.0, 0.0]
    a.grad = b.grad = None
    out = M.fmin(a, b)
    np.testing.assert_array_equal(out.numpy(), [2.0, 1.0, 3.0, nan])
    (out * np.array([1.0, 1.0, 1.0, 0.0])).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 0.0, 0.0] and b.grad.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_hypot_and_arctan2_gradients_at_the_origin_are_zero():
    a, b = Tensor([0.0, 3.0], requires_grad=True), Tensor([0.0, 4.0], requires_grad=True)
    (M.hypot(a, b) + M.arctan2(a, b)).sum().backward()
    np.testing.assert_allclose(a.grad, [0.0, 0.6 + 4 / 25], rtol=1e-7)
    np.testing.assert_allclose(b.grad, [0.0, 0.8 - 3 / 25], rtol=1e-7)


# --- the fallbacks used without SciPy -------------------------------------------------------
def test_erfinv_fallback_matches_scipy():
    v = np.array([1e-300, 1e-12, 1e-5, 0.1, 0.3, 0.5, 0.5000001, 0.51, 0.9, 0.999999,
                  1 - 1e-12, 1 - 2**-52])
    v = np.concatenate([v, -v, [0.0]])
    got = np.array([E._erfinv_scalar(t) for t in v])
    np.testing.assert_allclose(got, sp.erfinv(v), rtol=1e-15, atol=0)
    assert E._erfinv_scalar(1.0) == np.inf and E._erfinv_scalar(-1.0) == -np.inf
    assert math.isnan(E._erfinv_scalar(1.5)) and math.isnan(E._erfinv_scalar(math.nan))


def test_i1_series_matches_scipy():
    x = np.concatenate([np.linspace(-40, 40, 161), [0.0, 1e-8, 700.0]])
    np.testing.assert_allclose(E._i1_series(x), sp.i1(x), rtol=5e-15, atol=0)


def test_fallbacks_carry_the_gradients(monkeypatch):
    monkeypatch.setattr(E, "_erfinv", np.vectorize(E._erfinv_scalar, otypes=[np.float64]))
    monkeypatch.setattr(E, "_erfc", np.vectorize(math.erfc, otypes=[np.float64]))
    monkeypatch.setattr(E, "_i1", E._i1_series)
    x = rand(3, 4, low=-0.9, high=0.9)
    for fn in (E.erfinv, E.erfc, E.i0):
        result = grad_check(fn, x)
        assert result.ok, (fn.__name__, result)
    assert E.erfinv(np.array([0.5], np.float32)).dtype == np.float32


# --- without a gradient ---------------------------------------------------------------------
def test_trunc_has_no_graph_and_keeps_integers():
    x = Tensor([1.7, -1.7, 0.2, -0.0], requires_grad=True)
    out = E.trunc(x)
    assert not out.requires_grad and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [1.0, -1.0, 0.0, -0.0])
    ints = np.array([3, -4], np.int32)
    assert E.trunc(ints).dtype == np.int32 and E.trunc(ints).tolist() == [3, -4]


def test_heaviside():
    out = M.heaviside(np.array([-1, 0, 2], np.int32), 0.5)
    assert out.dtype == np.float32 and out.tolist() == [0.0, 0.5, 1.0]
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    out = M.heaviside(x, np.array([0.25, 0.75, 0.5], np.float32))
    assert not out.requires_grad and out.tolist() == [0.0, 0.75, 1.0]


def test_isclose_and_allclose():
    a, b = [1.0, 2.0, np.nan], [1.0 + 1e-6, 2.1, np.nan]
    assert M.isclose(a, b).tolist() == [True, False, False]
    assert M.isclose(a, b, equal_nan=True).tolist() == [True, False, True]
    assert M.isclose(a, b, rtol=0.1).tolist() == [True, True, False]
    assert M.isclose(Tensor([[1.0], [2.0]]), [1.0, 2.0]).shape == (2, 2)
    yes = M.allclose([1.0, 2.0], [1.0, 2.0 + 1e-6])
    assert isinstance(yes, Tensor) and yes.dtype == bool and yes.shape == () and bool(yes)
    assert not bool(M.allclose([1.0, 2.0], [1.0, 2.1]))
    assert bool(M.allclose([np.nan], [np.nan], equal_nan=True))


def test_tests_on_floats():
    x = np.array([-np.inf, -1.0, -0.0, 0.0, 2.0, np.inf, np.nan], np.float32)
    np.testing.assert_array_equal(M.isneginf(x).numpy(), np.isneginf(x))
    np.testing.assert_array_equal(M.isposinf(Tensor(x)).numpy(), np.isposinf(x))
    assert M.signbit(x).tolist() == [True, True, True, False, False, False, False]
    assert M.isreal(np.array([1 + 0j, 1 + 2j])).tolist() == [True, False]
    assert M.isreal([1.0, 2.0]).tolist() == [True, True]


def test_nextafter_and_ldexp():
    up = M.nextafter(np.array([1.0], np.float32), 2.0)
    assert up.dtype == np.float32
    assert up.numpy()[0] == np.float32(1) + np.finfo(np.float32).eps
    assert float(M.nextafter(np.float64(1.0), 0.0)) == 1.0 - 2**-53
    out = M.ldexp(np.array([1.0, 3.0, -0.5], np.float32), np.array([3, -1, 2], np.int32))
    assert out.dtype == np.float32 and out.tolist() == [8.0, 1.5, -2.0]
    assert M.ldexp([1, 2], 2).dtype == np.float32 and M.ldexp([1, 2], 2).tolist() == [4.0, 8.0]
    with pytest.raises(TypeError, match="integer"):
        M.ldexp([1.0], [2.0])


def test_integer_functions():
    a, b = np.array([12, -18, 0, 7], np.int32), np.array([18, 12, 0, 3], np.int32)
    assert M.gcd(a, b).tolist() == [6, 6, 0, 1] and M.gcd(a, b).dtype == np.int32
    assert M.lcm(a, b).tolist() == [36, 36, 0, 21]
    assert M.gcd(np.array([12], np.int16), np.array([18], np.int32)).dtype == np.int32
    assert M.floor_divide(a[:2], 5).tolist() == [2, -4]
    fd = M.floor_divide(Tensor([7.5, -7.5], requires_grad=True), 2.0)
    assert fd.dtype == np.float32 and fd.tolist() == [3.0, -4.0] and not fd.requires_grad


def test_bitwise_functions():
    x, y = np.array([12, 10, -1], np.int32), np.array([10, 6, 5], np.int32)
    assert M.bitwise_and(x, y).tolist() == [8, 2, 5]
    assert M.bitwise_or(x, y).tolist() == [14, 14, -1]
    assert M.bitwise_xor(x, y).tolist() == [6, 12, -6]
    assert M.bitwise_not(x).tolist() == [-13, -11, 0] == M.bitwise_invert(x).tolist()
    assert M.bitwise_and([True, True], [True, False]).tolist() == [True, False]
    assert M.bitwise_invert(np.array([True, False])).tolist() == [False, True]
    shifted = M.bitwise_left_shift(np.array([1, 3], np.int8), 2)
    assert shifted.dtype == np.int8 and shifted.tolist() == [4, 12]  # the int 2 is weak
    assert M.left_shift(np.array([1, 3], np.int8), np.array([1, 2], np.int32)).dtype == np.int32
    assert M.bitwise_right_shift([16, -16], [2, 3]).tolist() == [4, -2]
    assert M.right_shift(Tensor(np.array([16], np.int32)), 4).tolist() == [1]
    with pytest.raises(TypeError):
        M.bitwise_and([1.0], [2.0])


def test_complex_parts():
    z = np.array([1 + 2j, -3 - 4j, -1 + 0j], np.complex64)
    assert M.real(z).dtype == np.float32 and M.real(z).tolist() == [1.0, -3.0, -1.0]
    assert M.imag(z).tolist() == [2.0, -4.0, 0.0]
    np.testing.assert_array_equal(M.conj(z).numpy(), np.conj(z))
    np.testing.assert_array_equal(M.conjugate(z).numpy(), np.conj(z))
    np.testing.assert_allclose(M.angle(z).numpy(), np.angle(z), rtol=1e-7)
    assert M.angle(z).dtype == np.float32
    real = Tensor([1.5, -2.0], requires_grad=True)
    assert M.real(real).tolist() == [1.5, -2.0] and M.imag(real).tolist() == [0.0, 0.0]
    assert M.conj(real).tolist() == [1.5, -2.0] and not M.real(real).requires_grad
    M.real(real).data[0] = 9.0  # a copy: the input is untouched
    assert real.tolist() == [1.5, -2.0]
    angle = M.angle(np.array([-2, 3], np.int32))
    assert angle.dtype == np.float32 and angle.tolist() == [np.float32(np.pi), 0.0]
