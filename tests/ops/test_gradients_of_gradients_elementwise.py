"""Gradients of gradients of the elementwise, Keras-nn, running, segment, loss, distance
and linear-algebra ops: each recorded backward (``backward_ops`` or ``composite``) is
checked with ``second_order_check``, in float64, on a domain where the op is smooth."""

from __future__ import annotations

import numpy as np
import pytest

from saessak import ops
from saessak.autograd import Tensor, no_grad
from saessak.autograd.tensor import Function
from saessak.ops import losses as fused
from saessak.ops.gradients import gradients, second_order_check


def assert_second_order(fn, *arrays, tol=1e-5):
    result = second_order_check(fn, *arrays, tol=tol)
    assert result.ok, str(result)


def _r(*shape, seed=2, low=-1.0, high=1.0):
    return np.random.default_rng(seed + sum(shape)).uniform(low, high, shape)


def _away_from_zero(*shape, low=0.3, high=2.0):
    """Values with |x| in [low, high], of both signs."""
    signs = np.where(_r(*shape, seed=7) > 0, 1.0, -1.0)
    return signs * _r(*shape, low=low, high=high)


# --- one input: (function under test, input) --------------------------------------------------
UNARY = {
    "tan": (lambda x: ops.tan(x) ** 3, _r(3, 4)),
    "arcsin": (lambda x: ops.arcsin(x) ** 3, _r(3, 4, low=-0.8, high=0.8)),
    "arccos": (lambda x: ops.arccos(x) ** 3, _r(3, 4, low=-0.8, high=0.8)),
    "arctan": (lambda x: ops.arctan(x) ** 3, _r(3, 4, low=-2, high=2)),
    "sinh": (lambda x: ops.sinh(x) ** 3, _r(3, 4)),
    "cosh": (lambda x: ops.cosh(x) ** 3, _r(3, 4)),
    "arcsinh": (lambda x: ops.arcsinh(x) ** 3, _r(3, 4, low=-2, high=2)),
    "arccosh": (lambda x: ops.arccosh(x) ** 3, _r(3, 4, low=1.2, high=2.5)),
    "arctanh": (lambda x: ops.arctanh(x) ** 3, _r(3, 4, low=-0.8, high=0.8)),
    "exp2": (lambda x: ops.tanh(ops.exp2(x)), _r(3, 4)),
    "expm1": (lambda x: ops.expm1(x) ** 3, _r(3, 4)),
    "log2": (lambda x: ops.log2(x) ** 3, _r(3, 4, low=0.5, high=2)),
    "log10": (lambda x: ops.log10(x) ** 3, _r(3, 4, low=0.5, high=2)),
    "cbrt": (lambda x: ops.cbrt(x) ** 2, _away_from_zero(3, 4)),
    "deg2rad": (lambda x: ops.deg2rad(x) ** 3, _r(3, 4)),
    "rad2deg": (lambda x: ops.tanh(ops.rad2deg(x) / 90), _r(3, 4)),
    "sinc": (lambda x: ops.sinc(x) ** 3, _r(3, 4, low=-1.5, high=1.5)),
    "sinc_near_0": (lambda x: ops.sinc(x) ** 3,
                    np.array([0.0, 5e-4, -7e-4, 0.3, -1.2, 2e-3])),
    "erfc": (lambda x: ops.erfc(x) ** 3, _r(3, 4)),
    "erfinv": (lambda x: ops.erfinv(x) ** 3, _r(3, 4, low=-0.8, high=0.8)),
    "fabs": (lambda x: ops.fabs(x) ** 3, _away_from_zero(3, 4)),
    "nan_to_num": (lambda x: ops.nan_to_num(x) ** 3, _r(3, 4)),
    "i0": (lambda x: ops.i0(x) ** 3, np.array([0.0, 0.4, -1.3, 2.5, -3.0, 1e-3])),
    "hard_shrink": (lambda x: ops.hard_shrink(x) ** 3, _away_from_zero(3, 4, low=0.6)),
    "threshold": (lambda x: ops.threshold(x, 0.1, -2.0) * x, _away_from_zero(3, 4)),
    "log_sigmoid": (lambda x: ops.log_sigmoid(x) ** 3, _r(3, 4, low=-3, high=3)),
    "sparse_plus": (lambda x: ops.sparse_plus(x) ** 3,
                    np.array([-2.5, -0.7, -0.1, 0.4, 0.9, 1.6])),
    "squareplus": (lambda x: ops.squareplus(x, 2.0) ** 3, _r(3, 4, low=-2, high=2)),
    "tanh_shrink": (lambda x: ops.tanh_shrink(x) ** 3, _r(3, 4, low=-2, high=2)),
    "sparsemax": (lambda x: ops.sparsemax(x) ** 3, _r(3, 4, low=-0.5, high=0.5)),
    "copy": (lambda x: ops.copy(x) ** 3, _r(3, 4)),
    "cumsum": (lambda x: ops.cumsum(x, axis=1) ** 3, _r(3, 4)),
    "cumsum_flat": (lambda x: ops.tanh(ops.cumsum(x * x)), _r(3, 4)),
    "cumprod": (lambda x: ops.cumprod(x * 1.5, axis=1) ** 2, _r(3, 5)),
    "cumprod_axis0": (lambda x: ops.tanh(ops.cumprod(x * 1.5, axis=0)), _r(4, 3)),
    "prod": (lambda x: ops.prod(x * 1.5, axis=1) ** 2, _r(3, 5)),
    "prod_all": (lambda x: ops.tanh(ops.prod(x * 1.5)), _r(2, 3)),
    "prod_keepdims": (lambda x: ops.prod(x * 1.5, axis=(0, 2), keepdims=True) ** 2,
                      _r(2, 3, 3)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_second_derivative(name):
    fn, x = UNARY[name]
    assert_second_order(fn, x)


def _with_zeros(x):
    x = x.copy()
    x.reshape(-1)[[1, 6]] = 0.0  # zeros: the running and whole products' awkward case
    return x


@pytest.mark.parametrize("fn", [
    lambda x: ops.cumprod(x * 1.5, axis=1) ** 2, lambda x: ops.prod(x * 1.5, axis=1) ** 2,
    lambda x: ops.segment_prod(x * 1.5, np.array([0, 1, 0])) ** 2],
    ids=["cumprod", "prod", "segment_prod"])
def test_products_with_zeros(fn):
    assert_second_order(fn, _with_zeros(_r(3, 4)))


# --- two inputs -------------------------------------------------------------------------------
BINARY = {
    "arctan2": (lambda a, b: ops.arctan2(a, b) ** 3, _r(3, 4), _r(4, low=0.2, high=1.0)),
    "hypot": (lambda a, b: ops.hypot(a, b) ** 3, _r(3, 4), _away_from_zero(3, 1)),
    "logaddexp": (lambda a, b: ops.logaddexp(a, b) ** 3, _r(3, 4), _r(4)),
    "logaddexp2": (lambda a, b: ops.logaddexp2(a, b) ** 3, _r(3, 4), _r(3, 4, seed=5)),
    "fmod": (lambda a, b: ops.fmod(a, b) ** 3, _r(3, 4, low=-3, high=3),
             _r(3, 4, low=0.7, high=1.3)),
    "mod": (lambda a, b: ops.mod(a, b) ** 3, _r(3, 4, low=-3, high=3),
            _r(3, 4, low=0.7, high=1.3)),
    "divide_no_nan": (lambda a, b: ops.divide_no_nan(a, b) ** 3, _r(3, 4),
                      _away_from_zero(4)),
    "fmax": (lambda a, b: ops.fmax(a, b) ** 3, _r(3, 4), _r(3, 4, seed=5)),
    "fmin": (lambda a, b: ops.fmin(a, b) ** 3, _r(3, 4), _r(3, 4, seed=5)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_second_derivative(name):
    fn, a, b = BINARY[name]
    assert_second_order(fn, a, b)


def _recorded_and_first_order(fn, *arrays):
    """(recorded gradients, NumPy-backward gradients) of sum(fn) at ``arrays``."""
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    recorded = [g.numpy() for g in gradients([fn(*xs)], [None], xs)]
    ys = [Tensor(a, requires_grad=True) for a in arrays]
    fn(*ys).sum().backward()
    return recorded, [y.grad for y in ys]


@pytest.mark.parametrize("op", [ops.divide_no_nan, ops.arctan2, ops.hypot])
def test_zero_denominators_give_zero_gradients_twice(op):
    # where b = 0 (and a = 0: arctan2 and hypot at the origin) the gradient is taken as 0;
    # the recorded one must agree, and its own derivative must stay finite
    a, b = np.array([0.0, 0.5, 0.0]), np.array([0.0, 2.0, 0.0])
    recorded, first = _recorded_and_first_order(lambda a, b: op(a, b) * 2.0, a, b)
    for r, f in zip(recorded, first):
        np.testing.assert_allclose(r, f)
    xs = [Tensor(v, requires_grad=True) for v in (a, b)]
    g = gradients([op(*xs) ** 3], [None], xs)
    (g[0] + g[1]).sum().backward()
    assert all(np.isfinite(x.grad).all() for x in xs)


# --- segments ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sum", "max", "min", "prod"])
def test_segment_reductions_second_derivative(kind):
    ids = np.array([0, 2, 0, -1, 2, 1])  # a dropped row (-1); prod and sum: an empty segment
    n = 4 if kind in ("sum", "prod") else 3
    fn = getattr(ops, f"segment_{kind}")
    assert_second_order(lambda x: fn(x * 1.5, ids, num_segments=n) ** 3, _r(6, 2))


# --- losses -----------------------------------------------------------------------------------
def _probabilities(*shape):
    return _r(*shape, low=0.15, high=0.85)


LOSSES = {
    "mse": (lambda t, p: fused.MeanSquaredErrorFn()(t, p) ** 2, _r(3, 4), _r(3, 4, seed=5)),
    "mae": (lambda t, p: fused.MeanAbsoluteErrorFn()(t, p) ** 3, _r(3, 4), _r(3, 4, seed=5)),
    "bce": (lambda t, p: fused.BinaryCrossentropyFn()(t, p) ** 2, _probabilities(3, 4),
            _probabilities(3, 4) * 0.9),
    "bce_axis0": (lambda t, p: fused.BinaryCrossentropyFn(axis=0)(t, p) ** 2,
                  _probabilities(3, 4), _probabilities(3, 4) * 0.9),
    "bce_logits": (lambda t, z: fused.BinaryCrossentropyWithLogitsFn()(t, z) ** 2,
                   _probabilities(3, 4), _r(3, 4, low=-3, high=3)),
    "cce": (lambda t, p: fused.CategoricalCrossentropyFn()(t, p) ** 2, _probabilities(3, 4),
            _probabilities(3, 4) * 0.9),
    "cce_logits": (lambda t, z: fused.CategoricalCrossentropyWithLogitsFn(axis=0)(t, z) ** 2,
                   _probabilities(3, 4), _r(3, 4, low=-2, high=2)),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_nodes_second_derivative_in_targets_and_predictions(name):
    fn, t, p = LOSSES[name]
    assert_second_order(fn, t, p)


@pytest.mark.parametrize("name", ["mse", "bce", "bce_logits", "cce_logits"])
def test_loss_nodes_with_plain_array_targets(name):
    fn, t, p = LOSSES[name]  # t a plain array: None among the node's inputs
    assert_second_order(lambda p: fn(t, p), p)


@pytest.mark.parametrize("ignore_class", [None, 1])
@pytest.mark.parametrize("logits", [False, True])
def test_sparse_categorical_crossentropy_second_derivative(logits, ignore_class):
    labels = np.array([[0, 2], [1, 2], [1, 0]])  # (3, 2) labels, (3, 2, 3) predictions
    fn = (fused.SparseCategoricalCrossentropyWithLogitsFn if logits
          else fused.SparseCategoricalCrossentropyFn)
    x = _r(3, 2, 3, low=-2, high=2) if logits else _probabilities(3, 2, 3)
    assert_second_order(lambda p: fn(ignore_class)(p, labels) ** 2, x)


# --- distances --------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2.0, 1.0, 1.5, 3.0, np.inf])
def test_cdist_second_derivative(p):
    assert_second_order(lambda x, y: ops.cdist(x, y, p=p) ** 3, _r(2, 3, 2), _r(4, 2))


def test_cdist_of_a_set_with_itself():
    # the diagonal distances are 0, where the gradient is taken as 0; they stay 0 nearby
    assert_second_order(lambda x: ops.cdist(x, x) ** 3, _r(4, 3))


# --- linear algebra ---------------------------------------------------------------------------
def _well_conditioned(*shape):
    return _r(*shape) * 0.4 + 2 * np.eye(shape[-1])


LINALG = {
    "inv": (lambda a: ops.inv(a) ** 3, _well_conditioned(3, 3)),
    "inv_batched": (lambda a: ops.tanh(ops.inv(a)), _well_conditioned(2, 3, 3)),
    "det": (lambda a: ops.det(a) ** 2, _well_conditioned(2, 3, 3)),
    "slogdet": (lambda a: ops.slogdet(a)[1] ** 3, _well_conditioned(3, 3) - 3 * np.eye(3)),
    "pinv": (lambda a: ops.pinv(a) ** 3, _r(4, 3) + np.eye(4, 3)),
    # cholesky reads one triangle but splits its gradient over both: a symmetric input
    "cholesky": (lambda a: ops.cholesky((a + ops.swapaxes(a, -1, -2)) * 0.5) ** 3,
                 _well_conditioned(2, 3, 3)),
    "cholesky_upper": (lambda a: ops.cholesky((a + ops.swapaxes(a, -1, -2)) * 0.5,
                                              upper=True) ** 3, _well_conditioned(3, 3)),
}


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linear_algebra_second_derivative(name):
    fn, a = LINALG[name]
    assert_second_order(fn, a)


@pytest.mark.parametrize("vector", [False, True])
@pytest.mark.parametrize("solver", ["solve", "lower", "upper"])
def test_solves_second_derivative(solver, vector):
    b = _r(2, 3) if vector else _r(2, 3, 2)
    if solver == "solve":
        def fn(a, b):
            return ops.solve(a, b) ** 3
    else:
        def fn(a, b):
            return ops.solve_triangular(a, b, lower=solver == "lower") ** 3
    assert_second_order(fn, _well_conditioned(2, 3, 3), b)


CASES = {**{k: (fn, (x,)) for k, (fn, x) in UNARY.items()},
         **{k: (fn, (a, b)) for k, (fn, a, b) in BINARY.items()},
         **{k: (fn, (t, p)) for k, (fn, t, p) in LOSSES.items()},
         **{k: (fn, (a,)) for k, (fn, a) in LINALG.items()}}


@pytest.mark.parametrize("name", sorted(CASES))
def test_recorded_first_derivatives_equal_the_numpy_backward(name):
    fn, arrays = CASES[name]  # the second-order check alone would miss a constant offset
    recorded, first = _recorded_and_first_order(fn, *arrays)
    for r, f in zip(recorded, first):
        np.testing.assert_allclose(r, f, rtol=1e-10, atol=1e-12)


# --- dtype, higher orders, and an op left first-order-only ------------------------------------
FLOAT32 = {
    "sinc": lambda x: ops.sinc(x) ** 3, "i0": lambda x: ops.i0(x) ** 3,
    "arctan2": lambda x: ops.arctan2(x, x * x + 1.0) ** 3,
    "divide_no_nan": lambda x: ops.divide_no_nan(x, x * x + 1.0) ** 3,
    "cdist": lambda x: ops.cdist(x, x * 2.0) ** 3, "inv": lambda x: ops.inv(x + 3.0) ** 3,
    "cumprod": lambda x: ops.cumprod(x, axis=1) ** 2,
    "segment_prod": lambda x: ops.segment_prod(x, np.array([0, 1, 0])) ** 2,
    "sparse_cce": lambda x: fused.SparseCategoricalCrossentropyFn(1)(
        ops.sigmoid(x), np.array([0, 1, 2])) ** 2,
}


@pytest.mark.parametrize("name", sorted(FLOAT32))
def test_float32_stays_float32_through_two_derivatives(name):
    x = Tensor(_r(3, 3).astype(np.float32), requires_grad=True)
    (g,) = gradients([FLOAT32[name](x)], [None], [x])
    (gg,) = gradients([g], [None], [x])
    assert g.dtype == np.float32 and gg.dtype == np.float32
    assert np.isfinite(gg.numpy()).all()


def test_third_derivatives_of_i0_and_cumsum():
    # I0''' = I1'' (I0 and I1 recorded in turn); (cumsum y)^3 has a constant third
    x = Tensor(np.array([0.3, -1.1, 2.0]), requires_grad=True)
    (g1,) = gradients([ops.i0(x)], [None], [x])
    (g2,) = gradients([g1], [None], [x])
    (g3,) = gradients([g2], [None], [x])

    def i0_second(v):
        y = Tensor(v, requires_grad=True)
        (a,) = gradients([ops.i0(y)], [None], [y])
        return gradients([a], [None], [y])[0].numpy()

    step = 1e-5
    numeric = (i0_second(x.numpy() + step) - i0_second(x.numpy() - step)) / (2 * step)
    np.testing.assert_allclose(g3.numpy(), numeric, rtol=1e-6)

    y = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    (h1,) = gradients([ops.cumsum(y) ** 3], [None], [y])
    (h2,) = gradients([h1], [None], [y])
    (h3,) = gradients([h2], [None], [y])
    # c = (y0, y0 + y1), each pass differentiating the sum of the last:
    # g1 summed = 3 c0^2 + 6 c1^2, g2 summed = 6 c0 + 24 c1, g3 = (30, 24)
    np.testing.assert_allclose(h3.numpy(), [30.0, 24.0])


class _CubeFirstOrderOnly(Function):
    """x^3 with a NumPy backward only: no backward_ops, no composite."""

    def forward(self, x):
        self.x = x
        return x ** 3

    def backward(self, g):
        return 3 * g * self.x ** 2


def test_an_op_without_a_recorded_backward_raises_only_when_differentiated_twice():
    x = Tensor(np.array([[0.2, -0.4, 0.9]]), requires_grad=True)
    y = _CubeFirstOrderOnly()(x * x)
    assert type(y._node).backward_ops is None and type(y._node).composite is None
    (g,) = gradients([y], [None], [x])
    with no_grad():
        expected = 6 * x.numpy() ** 5
    np.testing.assert_allclose(g.numpy(), expected)  # the first derivative is exact
    with pytest.raises(NotImplementedError, match=type(y._node).__name__):
        g.sum().backward()
