"""saessak.ops.control_flow: scan, associative_scan, map, switch, vectorize, custom_gradient,
isin and cdist. Values against NumPy loops and Keras's documented examples, nested
structures, dtypes, errors, and gradients through every loop against central finite
differences (float64)."""

import numpy as np
import pytest

from saessak import Tensor, grad_check, ops
from saessak.ops import control_flow as cf

R = np.random.default_rng(23)


def f64(a):
    return Tensor(np.asarray(a, np.float64))


# --- scan --------------------------------------------------------------------------------------
def test_scan_running_sum_keras_example():
    carry, ys = cf.scan(lambda c, x: (c + x, c + x), 0, np.array([1, 2, 3, 4, 5]))
    assert int(carry.numpy()) == 15
    np.testing.assert_array_equal(ys.numpy(), [1, 3, 6, 10, 15])


def test_scan_reverse_keeps_positions():
    xs = np.array([1.0, 2.0, 3.0, 4.0])
    carry, ys = cf.scan(lambda c, x: (c * 10 + x, c), f64(0.0), xs, reverse=True)
    # runs 4, 3, 2, 1: carries 0, 4, 43, 432 -> 4321; y at i is the carry before step i
    assert float(carry.numpy()) == 4321.0
    np.testing.assert_array_equal(ys.numpy(), [432.0, 43.0, 4.0, 0.0])


def test_scan_length_without_xs():
    carry, ys = cf.scan(lambda c, x: (c * 2, c), f64(1.0), length=4)
    assert float(carry.numpy()) == 16.0
    np.testing.assert_array_equal(ys.numpy(), [1.0, 2.0, 4.0, 8.0])


def test_scan_nested_carry_inputs_and_outputs():
    xs = {"a": np.arange(6.0).reshape(3, 2), "b": (np.arange(3.0), np.ones((3, 2, 2)))}

    def step(carry, x):
        total, count = carry
        total = total + x["a"] * x["b"][0] + ops.sum(x["b"][1], axis=0)
        return (total, count + 1), {"total": total, "pair": [count, x["b"][0]]}

    (total, count), ys = cf.scan(step, (np.zeros(2), 0), xs)
    a, b0 = xs["a"], xs["b"][0]
    running = np.cumsum(a * b0[:, None] + 2.0, axis=0)
    np.testing.assert_allclose(total.numpy(), running[-1])
    assert int(count.numpy()) == 3
    np.testing.assert_allclose(ys["total"].numpy(), running)
    np.testing.assert_array_equal(ys["pair"][0].numpy(), [0, 1, 2])
    np.testing.assert_array_equal(ys["pair"][1].numpy(), b0)


def test_scan_without_outputs_gives_none():
    carry, ys = cf.scan(lambda c, x: (c + x, None), f64(0.0), np.arange(4.0))
    assert ys is None and float(carry.numpy()) == 6.0


def test_scan_errors():
    with pytest.raises(ValueError, match="length"):
        cf.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(ValueError, match="unroll"):
        cf.scan(lambda c, x: (c, x), 0.0, np.ones(3), unroll=0)
    with pytest.raises(ValueError, match="length=2"):
        cf.scan(lambda c, x: (c, x), 0.0, np.ones(3), length=2)
    with pytest.raises(ValueError, match="same length"):
        cf.scan(lambda c, x: (c, x), 0.0, (np.ones(3), np.ones(4)))
    with pytest.raises(TypeError, match="callable"):
        cf.scan(None, 0.0, np.ones(3))


def test_scan_gradient_through_the_loop():
    def rnn(h0, xs, w):
        def step(h, x):
            h = ops.tanh(ops.matmul(h, w) + x)
            return h, h * h
        h, ys = cf.scan(step, h0, xs)
        return h, ys

    result = grad_check(rnn, R.normal(size=3), R.normal(size=(5, 3)), R.normal(size=(3, 3)) / 2)
    assert result.ok, result


def test_scan_gradient_reverse_and_nested():
    def fn(a, xs):
        def step(carry, x):
            s, p = carry["s"], carry["p"]
            return {"s": s + x[0], "p": p * x[1]}, (s * p,)
        carry, (ys,) = cf.scan(step, {"s": a, "p": a}, (xs, xs * 0.5 + 1.0), reverse=True)
        return carry["s"], carry["p"], ys

    result = grad_check(fn, R.normal(size=2), R.normal(size=(4, 2)))
    assert result.ok, result


# --- map ----------------------------------------------------------------------------------------
def test_map_keras_example_nested_outputs():
    ys = cf.map(lambda x: {"y1": x**2, "y2": x * 10}, np.arange(10))
    np.testing.assert_array_equal(ys["y1"].numpy(), np.arange(10) ** 2)
    np.testing.assert_array_equal(ys["y2"].numpy(), np.arange(10) * 10)


def test_map_nested_inputs_values_and_gradient():
    xs = (R.normal(size=(4, 3)), R.normal(size=(4, 3, 2)))
    ys = cf.map(lambda x: ops.matmul(x[0], x[1]), xs)
    np.testing.assert_allclose(ys.numpy(), np.einsum("bi,bij->bj", *xs))
    result = grad_check(lambda a, b: cf.map(lambda x: ops.sin(x[0]) @ x[1], (a, b)), *xs)
    assert result.ok, result


# --- associative_scan ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8, 9, 17])
@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_sums_against_cumsum(n, reverse):
    x = R.normal(size=(2, n, 3))
    y = cf.associative_scan(lambda a, b: a + b, x, reverse=reverse, axis=1)
    expected = np.flip(np.cumsum(np.flip(x, 1), 1), 1) if reverse else np.cumsum(x, 1)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12)


def test_associative_scan_keras_examples():
    np.testing.assert_array_equal(
        cf.associative_scan(lambda a, b: a + b, np.arange(5)).numpy(), [0, 1, 3, 6, 10])
    ys = cf.associative_scan(lambda x, y: [x[0] + y[0], x[1] + y[1], x[2] + y[2]],
                             [np.array([1, 2]) for _ in range(3)])
    assert isinstance(ys, list) and len(ys) == 3
    for y in ys:
        np.testing.assert_array_equal(y.numpy(), [1, 3])


def _chain(mats):
    out = [mats[0]]
    for m in mats[1:]:
        out.append(out[-1] @ m)
    return np.stack(out)


@pytest.mark.parametrize("n", [6, 7])
def test_associative_scan_keeps_the_order_of_a_non_commutative_op(n):
    mats = R.normal(size=(n, 2, 2))
    y = cf.associative_scan(ops.matmul, mats)
    np.testing.assert_allclose(y.numpy(), _chain(list(mats)), rtol=1e-10, atol=1e-12)
    # reverse: the scan of the flipped elements, flipped back
    y = cf.associative_scan(ops.matmul, mats, reverse=True)
    np.testing.assert_allclose(y.numpy(), _chain(list(mats[::-1]))[::-1], rtol=1e-10,
                               atol=1e-12)


def test_associative_scan_negative_axis_and_dict():
    x = R.normal(size=(3, 5))
    out = cf.associative_scan(lambda a, b: {"m": ops.maximum(a["m"], b["m"]),
                                            "s": a["s"] + b["s"]}, {"m": x, "s": x}, axis=-1)
    np.testing.assert_allclose(out["m"].numpy(), np.maximum.accumulate(x, axis=-1))
    np.testing.assert_allclose(out["s"].numpy(), np.cumsum(x, axis=-1), rtol=1e-12)


def test_associative_scan_errors():
    with pytest.raises(ValueError, match="same length"):
        cf.associative_scan(lambda a, b: a, [np.ones(3), np.ones(4)])
    with pytest.raises(TypeError, match="callable"):
        cf.associative_scan(3, np.ones(3))


@pytest.mark.parametrize("n,reverse", [(5, False), (6, True), (9, False)])
def test_associative_scan_gradient(n, reverse):
    result = grad_check(lambda m: cf.associative_scan(ops.matmul, m, reverse=reverse),
                        R.normal(size=(n, 2, 2)))
    assert result.ok, result


def test_associative_scan_gradient_of_products_along_axis():
    # linear recurrence h_t = a_t h_{t-1} + b_t as pairs (a, b): (a1, b1) o (a2, b2) =
    # (a1 a2, a2 b1 + b2), the classic use of an associative scan
    def fn(a, b):
        return cf.associative_scan(lambda p, q: (p[0] * q[0], q[0] * p[1] + q[1]), (a, b),
                                   axis=1)[1]

    a, b = R.uniform(0.5, 1.0, size=(2, 7)), R.normal(size=(2, 7))
    h, expected = np.zeros(2), []
    for t in range(7):
        h = a[:, t] * h + b[:, t]
        expected.append(h)
    np.testing.assert_allclose(fn(f64(a), f64(b)).numpy(), np.stack(expected, 1), rtol=1e-12)
    result = grad_check(fn, a, b)
    assert result.ok, result


# --- switch ---------------------------------------------------------------------------------------
def test_switch_keras_example_and_clamping():
    branches = [lambda x, y: x + y, lambda x, y: x - y]
    x, y = f64(2.0), f64(0.5)
    assert float(cf.switch(0, branches, x, y).numpy()) == 2.5
    assert float(cf.switch(1, branches, x, y).numpy()) == 1.5
    assert float(cf.switch(7, branches, x, y).numpy()) == 1.5  # clamped to the last
    assert float(cf.switch(Tensor(np.int32(-3)), branches, x, y).numpy()) == 2.5
    with pytest.raises(ValueError, match="empty"):
        cf.switch(0, [], x)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_switch_gradient_through_the_chosen_branch(index):
    branches = [lambda a, b: a * b, lambda a, b: ops.sin(a) + b, lambda a, b: a / (b * b + 1)]
    result = grad_check(lambda a, b: cf.switch(index, branches, a, b),
                        R.normal(size=3), R.normal(size=3))
    assert result.ok, result


# --- custom_gradient ------------------------------------------------------------------------------
@cf.custom_gradient
def log1pexp(x):
    e = ops.exp(x)

    def grad(*args, upstream=None):
        if upstream is None:
            (upstream,) = args
        return upstream * (1.0 - 1.0 / (1 + e))

    return ops.log(1 + e), grad


def test_custom_gradient_values_and_gradient():
    x = Tensor(np.array([0.0, 2.0, 100.0]), requires_grad=True)
    y = log1pexp(x)
    np.testing.assert_allclose(y.numpy(), np.log1p(np.exp([0.0, 2.0, 100.0])))
    y.sum().backward()
    # the custom gradient is finite at 100, where exp/(1+exp) through the ops is too
    np.testing.assert_allclose(x.grad, [0.5, 1 - 1 / (1 + np.e**2), 1.0])
    result = grad_check(log1pexp, R.normal(size=(2, 3)))
    assert result.ok, result


def test_custom_gradient_replaces_the_ops_gradient():
    @cf.custom_gradient
    def identity_times_three_backward(x):
        return x * 1.0, lambda upstream: upstream * 3.0  # TF/JAX-style grad(upstream)

    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    (identity_times_three_backward(x) * np.array([1.0, 2.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])


def test_custom_gradient_pytorch_style_grad_gets_the_arguments():
    seen = {}

    @cf.custom_gradient
    def square(x):
        def grad(*args, upstream):
            seen["args"] = args
            return 2 * args[0] * upstream
        return x * x, grad

    x = Tensor(np.array([1.5, -0.5]), requires_grad=True)
    square(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, -1.0])
    np.testing.assert_array_equal(seen["args"][0].numpy(), [1.5, -0.5])


def test_custom_gradient_several_inputs_and_outputs():
    @cf.custom_gradient
    def sum_and_product(a, scale, b):
        def grad(g_sum, g_prod):
            return g_sum + g_prod * b, None, g_sum + g_prod * a
        return (a + b, a * b * scale), grad

    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 5.0]), requires_grad=True)
    s, p = sum_and_product(a, 1.0, b)
    np.testing.assert_array_equal(p.numpy(), [3.0, 10.0])
    (s * 2.0 + p).sum().backward()
    np.testing.assert_array_equal(a.grad, [2 + 3.0, 2 + 5.0])
    np.testing.assert_array_equal(b.grad, [2 + 1.0, 2 + 2.0])
    result = grad_check(lambda u, v: sum_and_product(u, 1.0, v), R.normal(size=3),
                        R.normal(size=3))
    assert result.ok, result


def test_custom_gradient_inside_a_scan_and_count_mismatch():
    result = grad_check(lambda xs: cf.scan(lambda c, x: (c + log1pexp(x), c), np.zeros(2), xs)[1],
                        R.normal(size=(4, 2)))
    assert result.ok, result

    @cf.custom_gradient
    def bad(x, y):
        return x * y, lambda g: g  # one gradient for two arguments

    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="1 gradients for 2 arguments"):
        bad(x, Tensor(np.ones(2))).sum().backward()


# --- vectorize ------------------------------------------------------------------------------------
def test_vectorize_scalars_broadcast():
    vfunc = cf.vectorize(lambda a, b: a + b)
    np.testing.assert_array_equal(vfunc([1, 2, 3, 4], 2).numpy(), [3, 4, 5, 6])
    calls = []
    out = cf.vectorize(lambda a, b: calls.append(a.shape) or a * b)(
        np.arange(3.0)[:, None], np.arange(4.0))
    np.testing.assert_array_equal(out.numpy(), np.arange(3.0)[:, None] * np.arange(4.0))
    assert len(calls) == 12 and calls[0] == ()


def test_vectorize_signature_matches_numpy():
    m, v = R.normal(size=(2, 3, 4, 5)), R.normal(size=(3, 5))
    ours = cf.vectorize(ops.matmul, signature="(m,n),(n)->(m)")(m, v)
    theirs = np.vectorize(np.matmul, signature="(m,n),(n)->(m)")(m, v)
    assert ours.shape == theirs.shape == (2, 3, 4)
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-12)


def test_vectorize_several_outputs_excluded_and_keywords():
    def stats(x, power, *, shift):
        return ops.sum(x**power) + shift, ops.max(x)

    vfunc = cf.vectorize(stats, excluded={1}, signature="(n)->(),()")
    x = R.normal(size=(3, 4))
    total, top = vfunc(x, 2, shift=1.0)
    np.testing.assert_allclose(total.numpy(), np.sum(x**2, axis=1) + 1.0)
    np.testing.assert_allclose(top.numpy(), np.max(x, axis=1))


def test_vectorize_errors():
    with pytest.raises(ValueError, match="callable"):
        cf.vectorize(3)
    with pytest.raises(ValueError, match="signature"):
        cf.vectorize(ops.matmul, signature="(m,n)(n)->(m)")
    mv = cf.vectorize(ops.matmul, signature="(m,n),(n)->(m)")
    with pytest.raises(ValueError, match="core dimension 'n'"):
        mv(np.ones((2, 3)), np.ones(4))
    with pytest.raises(TypeError, match="takes 2 arguments"):
        mv(np.ones((2, 3)))
    with pytest.raises(TypeError, match="gives 2 outputs"):
        cf.vectorize(lambda x: x, signature="()->(),()")(np.ones(3))


def test_vectorize_gradient():
    vfunc = cf.vectorize(lambda m, v: ops.tanh(ops.matmul(m, v)), signature="(m,n),(n)->(m)")
    result = grad_check(vfunc, R.normal(size=(2, 3, 4)), R.normal(size=(1, 4)))
    assert result.ok, result
    result = grad_check(cf.vectorize(lambda a, b: a * ops.sin(b)), R.normal(size=(2, 3)),
                        R.normal(size=3))
    assert result.ok, result


# --- isin -----------------------------------------------------------------------------------------
def test_isin_against_numpy():
    out = cf.isin(np.array([0, 1, 2, 5]), np.array([0, 2]))
    assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), [True, False, True, False])
    x1, x2 = R.integers(0, 10, size=(3, 4)), R.integers(0, 10, size=5)
    np.testing.assert_array_equal(cf.isin(Tensor(x1), x2, invert=True).numpy(),
                                  np.isin(x1, x2, invert=True))
    np.testing.assert_array_equal(cf.isin([1.5, 2.0], 2).numpy(), [False, True])


# --- cdist ----------------------------------------------------------------------------------------
def cdist_reference(x, y, p):
    d = np.abs(x[..., :, None, :] - y[..., None, :, :])
    if p == np.inf:
        return d.max(-1)
    if p == 0:
        return (d != 0).sum(-1).astype(float)
    return (d**p).sum(-1) ** (1 / p)


def test_cdist_keras_example_and_dtypes():
    out = cf.cdist([[0.0, 0.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [[1.0, 1.0], [1.0, 1.0]])
    out = cf.cdist(np.array([[0, 0], [3, 4]]), np.array([[0, 0]]))
    assert out.dtype == np.float32  # integers give floatx
    np.testing.assert_array_equal(out.numpy(), [[0.0], [5.0]])
    assert cf.cdist(np.zeros((2, 3)), np.ones((1, 3), np.float32)).dtype == np.float64


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, np.inf, 0.0])
def test_cdist_values_with_batch_broadcasting(p):
    x, y = R.normal(size=(2, 1, 4, 3)), R.normal(size=(3, 5, 3))
    x[0, 0, 0, 1] = y[1, 2, 1]  # one coordinate equal: p = 0 counts it out
    np.testing.assert_allclose(cf.cdist(x, y, p=p).numpy(), cdist_reference(x, y, p),
                               rtol=1e-12)
    assert cf.cdist(x, y, p=p).shape == (2, 3, 4, 5)


def test_cdist_errors():
    with pytest.raises(ValueError, match="rank 2"):
        cf.cdist(np.ones(3), np.ones((2, 3)))
    with pytest.raises(ValueError, match="last axes"):
        cf.cdist(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="p must be"):
        cf.cdist(np.ones((2, 3)), np.ones((2, 3)), p=-1)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.7, np.inf])
def test_cdist_gradient(p):
    rng = np.random.default_rng(21)  # a draw whose |d| are away from 0 and whose two
    x, y = rng.normal(size=(2, 4, 3)), rng.normal(size=(5, 3))  # largest |d| differ
    d = np.sort(np.abs(x[..., :, None, :] - y), axis=-1)
    assert d.min() > 0.02 and np.min(d[..., -1] - d[..., -2]) > 0.02  # smooth at each probe
    result = grad_check(lambda a, b: cf.cdist(a, b, p=p), x, y)
    assert result.ok, result


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, 3.0, np.inf])
def test_cdist_gradient_at_zero_distance_is_zero_not_nan(p):
    x = Tensor(np.array([[1.0, 2.0], [0.0, 0.0]]), requires_grad=True)
    y = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    cf.cdist(x, y, p=p).sum().backward()
    assert np.all(np.isfinite(x.grad)) and np.all(np.isfinite(y.grad))
    np.testing.assert_array_equal(x.grad[0], [0.0, 0.0])  # the coinciding pair adds nothing
    np.testing.assert_allclose(x.grad[1], -y.grad[0])
    # the other pair pulls x[1] toward y (for p = inf, along the largest difference only)
    assert np.all(x.grad[1] <= 0) and x.grad[1, 1] < 0


def test_cdist_p0_has_no_gradient():
    x = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    cf.cdist(x, np.array([[1.0, 3.0]]), p=0).sum().backward()
    assert x.grad is None
