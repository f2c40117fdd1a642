"""Tensor's operators and methods, installed from the one table in ``ops/__init__.py``.

Each entry is checked for its value against NumPy and, where it is differentiable, for its
gradient against central differences. A guard test keeps the table and these cases in step.
"""

import numpy as np
import pytest

from saessak import Tensor, grad_check, ops

RNG = np.random.default_rng(0)
A = RNG.uniform(0.5, 2.0, (2, 3))  # positive, so x ** y and log are defined
B = RNG.uniform(0.5, 2.0, (2, 3))
SQUARE = RNG.uniform(-1.0, 1.0, (3, 3))

# name -> (function of Tensors, the same on ndarrays, inputs)
DIFFERENTIABLE = {
    "__add__": (lambda x, y: x + y, np.add, (A, B)),
    "__radd__": (lambda x: 2.0 + x, lambda x: 2.0 + x, (A,)),
    "__sub__": (lambda x, y: x - y, np.subtract, (A, B)),
    "__rsub__": (lambda x: 2.0 - x, lambda x: 2.0 - x, (A,)),
    "__mul__": (lambda x, y: x * y, np.multiply, (A, B)),
    "__rmul__": (lambda x: 3.0 * x, lambda x: 3.0 * x, (A,)),
    "__truediv__": (lambda x, y: x / y, np.divide, (A, B)),
    "__rtruediv__": (lambda x: 1.0 / x, lambda x: 1.0 / x, (A,)),
    "__pow__": (lambda x, y: x ** y, np.power, (A, B)),
    "__rpow__": (lambda x: 2.0 ** x, lambda x: 2.0 ** x, (A,)),
    "__matmul__": (lambda x, y: x @ y, np.matmul, (SQUARE, SQUARE.T.copy())),
    "__rmatmul__": (lambda x: SQUARE @ x, lambda x: SQUARE @ x, (SQUARE.T.copy(),)),
    "__neg__": (lambda x: -x, np.negative, (A,)),
    "__pos__": (lambda x: +x, lambda x: x, (A,)),
    "__abs__": (lambda x: abs(x), np.abs, (SQUARE,)),
    "__getitem__": (lambda x: x[1, ::2], lambda x: x[1, ::2], (A,)),
    "reshape": (lambda x: x.reshape(3, 2) * x.reshape((3, 2)), lambda x: x.reshape(3, 2) ** 2,
                (A,)),
    "transpose": (lambda x: x.transpose(1, 0), lambda x: x.transpose(1, 0), (A,)),
    "T": (lambda x: x.T, lambda x: x.T, (A,)),
    "flatten": (lambda x: x.flatten(), lambda x: x.flatten(), (A,)),
    "exp": (lambda x: x.exp(), np.exp, (A,)),
    "log": (lambda x: x.log(), np.log, (A,)),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, (A,)),
    "sum": (lambda x: x.sum(axis=0), lambda x: x.sum(axis=0), (A,)),
    "mean": (lambda x: x.mean(axis=1), lambda x: x.mean(axis=1), (A,)),
    "max": (lambda x: x.max(axis=1), lambda x: x.max(axis=1), (A,)),
    "min": (lambda x: x.min(), lambda x: x.min(), (A,)),
}

# comparisons give booleans (no gradient); astype changes the dtype
COMPARISONS = {
    "__lt__": (lambda x, y: x < y, np.less),
    "__le__": (lambda x, y: x <= y, np.less_equal),
    "__gt__": (lambda x, y: x > y, np.greater),
    "__ge__": (lambda x, y: x >= y, np.greater_equal),
}


def _table_names():
    """The names the table installs, read back from a bare class."""

    class Probe:
        pass

    ops._install_tensor_methods(Probe)
    return set(vars(Probe)) - set(vars(type("Bare", (), {})))


def test_every_installed_method_has_a_case_here():
    names = set(_table_names())
    covered = set(DIFFERENTIABLE) | set(COMPARISONS) | {"astype"}
    assert names == covered, (names - covered, covered - names)


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_operator_value_and_gradient(name):
    fn, reference, inputs = DIFFERENTIABLE[name]
    value = fn(*(Tensor(x) for x in inputs))
    np.testing.assert_allclose(np.asarray(value), reference(*inputs), rtol=1e-12)
    result = grad_check(fn, *inputs)
    assert result, result


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparison_operators_compare_values(name):
    fn, reference = COMPARISONS[name]
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([2.0, 2.0, 2.0])
    out = fn(Tensor(a), Tensor(b))
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(np.asarray(out), reference(a, b))
    np.testing.assert_array_equal(np.asarray(fn(Tensor(a), 2.0)), reference(a, 2.0))


def test_astype_casts_and_passes_the_gradient_back_in_the_source_dtype():
    x = Tensor(np.array([1.5, -2.0], np.float32), requires_grad=True)
    y = x.astype("float64")
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [3.0, -4.0])


def test_equality_stays_identity_so_tensors_can_be_dict_keys():
    a, b = Tensor(np.ones(2)), Tensor(np.ones(2))
    assert (a == a) is True and (a == b) is False
    assert len({a: 1, b: 2}) == 2


def test_reflected_operators_are_taken_when_ndarray_is_on_the_left():
    x = Tensor(A, requires_grad=True)
    out = B - x
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, -np.ones_like(A))
