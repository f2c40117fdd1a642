"""Keras's shape, array, product and lookup functions (saessak.ops.arrays, .products,
.segments' scatters, .creation, .searching): values against NumPy, dtypes as Keras gives
them, and every differentiable one's gradient against central differences."""

import numpy as np
import pytest

from saessak import Tensor, grad_check
from saessak.ops import arrays as A
from saessak.ops import creation as C
from saessak.ops import products as P
from saessak.ops import searching as F
from saessak.ops import segments as S

R = np.random.default_rng(11)


def rand(*shape, low=-2.0, high=2.0):
    return R.uniform(low, high, shape)


def same(result, expected, dtype=None):
    """``result`` is a Tensor equal to ``expected``, in ``expected``'s dtype unless told."""
    assert isinstance(result, Tensor), type(result)
    expected = np.asarray(expected)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6, atol=1e-12)
    assert result.shape == expected.shape
    assert result.dtype == np.dtype(dtype or expected.dtype), (result.dtype, dtype)


X2 = rand(3, 4).astype(np.float32)
Y2 = rand(3, 4).astype(np.float32)
X3 = rand(2, 3, 4).astype(np.float32)
V3 = rand(3).astype(np.float32)
V5 = rand(5).astype(np.float32)

# name: (saessak's call, NumPy's call)
VALUES = {
    "hstack_1d": (lambda: A.hstack([V3, V5]), lambda: np.hstack([V3, V5])),
    "hstack_2d": (lambda: A.hstack([X2, Y2[:, :1]]), lambda: np.hstack([X2, Y2[:, :1]])),
    "vstack_1d": (lambda: A.vstack([V3, V3 * 2]), lambda: np.vstack([V3, V3 * 2])),
    "vstack_2d": (lambda: A.vstack([X2, Y2[:1]]), lambda: np.vstack([X2, Y2[:1]])),
    "dstack_1d": (lambda: A.dstack([V3, V3]), lambda: np.dstack([V3, V3])),
    "dstack_2d": (lambda: A.dstack([X2, Y2]), lambda: np.dstack([X2, Y2])),
    "dstack_3d": (lambda: A.dstack([X3, X3[..., :1]]), lambda: np.dstack([X3, X3[..., :1]])),
    "append_flat": (lambda: A.append(X2, V3), lambda: np.append(X2, V3)),
    "append_axis": (lambda: A.append(X2, Y2[:2], axis=0), lambda: np.append(X2, Y2[:2], 0)),
    "roll_flat": (lambda: A.roll(X2, 5), lambda: np.roll(X2, 5)),
    "roll_axis": (lambda: A.roll(X2, -5, axis=1), lambda: np.roll(X2, -5, axis=1)),
    "roll_axes": (lambda: A.roll(X3, (1, -2), axis=(0, 2)), lambda: np.roll(X3, (1, -2), (0, 2))),
    "roll_shared_axis": (lambda: A.roll(X2, (1, 2), axis=-1), lambda: np.roll(X2, (1, 2), -1)),
    "fliplr": (lambda: A.fliplr(X3), lambda: np.fliplr(X3)),
    "flipud": (lambda: A.flipud(V5), lambda: np.flipud(V5)),
    "diag_build": (lambda: A.diag(V3), lambda: np.diag(V3)),
    "diag_build_above": (lambda: A.diag(V3, 2), lambda: np.diag(V3, 2)),
    "diag_build_below": (lambda: A.diag(V3, -1), lambda: np.diag(V3, -1)),
    "diag_take": (lambda: A.diag(X2), lambda: np.diag(X2)),
    "diag_take_above": (lambda: A.diag(X2, 1), lambda: np.diag(X2, 1)),
    "diag_take_below": (lambda: A.diag(X2, -2), lambda: np.diag(X2, -2)),
    "diag_take_outside": (lambda: A.diag(X2, 7), lambda: np.diag(X2, 7)),
    "diagonal_3d": (lambda: A.diagonal(X3, 1, 2, 1), lambda: np.diagonal(X3, 1, 2, 1)),
    "diagonal_negative_axes": (lambda: A.diagonal(X3, -1, -1, 0),
                               lambda: np.diagonal(X3, -1, -1, 0)),
    "diagflat": (lambda: A.diagflat(X2[:2, :2], 1), lambda: np.diagflat(X2[:2, :2], 1)),
    "trace": (lambda: A.trace(X2), lambda: np.trace(X2)),
    "trace_3d": (lambda: A.trace(X3, 1, 1, 2), lambda: np.trace(X3, 1, 1, 2)),
    "outer": (lambda: P.outer(V3, X2), lambda: np.outer(V3, X2)),
    "inner": (lambda: P.inner(X3, X2), lambda: np.inner(X3, X2)),
    "inner_scalar": (lambda: P.inner(np.float32(2), X2), lambda: np.inner(np.float32(2), X2)),
    "kron_2d": (lambda: P.kron(X2[:2, :3], Y2[:3, :2]), lambda: np.kron(X2[:2, :3], Y2[:3, :2])),
    "kron_ranks": (lambda: P.kron(V3, X3), lambda: np.kron(V3, X3)),
    "tensordot_2": (lambda: P.tensordot(X3, np.transpose(X3, (1, 2, 0))),
                    lambda: np.tensordot(X3, np.transpose(X3, (1, 2, 0)))),
    "tensordot_0": (lambda: P.tensordot(V3, V5, 0), lambda: np.tensordot(V3, V5, 0)),
    "tensordot_pairs": (lambda: P.tensordot(X3, X2, ([1, 2], [0, 1])),
                        lambda: np.tensordot(X3, X2, ([1, 2], [0, 1]))),
    "tensordot_pair_ints": (lambda: P.tensordot(X3, X2, (1, 0)),
                            lambda: np.tensordot(X3, X2, (1, 0))),
    "vdot": (lambda: P.vdot(X2, Y2), lambda: np.vdot(X2, Y2)),
    "cross_3": (lambda: P.cross(X2[:, :3], Y2[:, 1:]), lambda: np.cross(X2[:, :3], Y2[:, 1:])),
    "cross_broadcast": (lambda: P.cross(X2[:, :3], V3), lambda: np.cross(X2[:, :3], V3)),
    # 2-vectors as 3-vectors with z = 0 (NumPy 2 deprecates passing them as they are)
    "cross_2_3": (lambda: P.cross(X2[:, :2], Y2[:, :3]),
                  lambda: np.cross(np.pad(X2[:, :2], ((0, 0), (0, 1))), Y2[:, :3])),
    "cross_2_2": (lambda: P.cross(X2[:, :2], Y2[:, 2:]),
                  lambda: X2[:, 0] * Y2[:, 3] - X2[:, 1] * Y2[:, 2]),
    "cross_axes": (lambda: P.cross(X2[:, :3].T, Y2[:, :3], axisa=0, axisc=0),
                   lambda: np.cross(X2[:, :3].T, Y2[:, :3], axisa=0, axisc=0)),
    "cross_axis": (lambda: P.cross(X3[:, :, :3].transpose(2, 0, 1), X3[:, :, 1:].transpose(2, 0, 1),
                                   axis=0),
                   lambda: np.cross(X3[:, :, :3].transpose(2, 0, 1),
                                    X3[:, :, 1:].transpose(2, 0, 1), axis=0)),
    "slice": (lambda: A.slice(X3, [1, 1, 0], [1, 2, -1]), lambda: X3[1:2, 1:3, :]),
    "get_item": (lambda: A.get_item(X3, (Ellipsis, [0, 0, 3])), lambda: X3[..., [0, 0, 3]]),
    "copy": (lambda: A.copy(X2), lambda: X2),
    "diff": (lambda: A.diff(X2), lambda: np.diff(X2)),
    "diff_twice_axis1": (lambda: A.diff(X3, 2, axis=1), lambda: np.diff(X3, 2, axis=1)),
    "diff_bool": (lambda: A.diff(np.array([True, True, False])),
                  lambda: np.diff(np.array([True, True, False]))),
    "cumsum_flat": (lambda: A.cumsum(X2), lambda: np.cumsum(X2)),
    "cumsum_axis": (lambda: A.cumsum(X3, axis=1), lambda: np.cumsum(X3, axis=1)),
    "cumprod_axis": (lambda: A.cumprod(X3, axis=-1), lambda: np.cumprod(X3, axis=-1)),
    "trapezoid": (lambda: A.trapezoid(X2), lambda: np.trapezoid(X2)),
    "trapezoid_dx": (lambda: A.trapezoid(X2, dx=0.5, axis=0), lambda: np.trapezoid(X2, dx=0.5,
                                                                                    axis=0)),
    "trapezoid_x": (lambda: A.trapezoid(X2, np.float32([0, 1, 3, 7])),
                    lambda: np.trapezoid(X2, np.float32([0, 1, 3, 7]))),
    "trapezoid_x_full": (lambda: A.trapezoid(X2, Y2, axis=0), lambda: np.trapezoid(X2, Y2, axis=0)),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_against_numpy(name):
    ours, numpy_call = VALUES[name]
    same(ours(), numpy_call())


@pytest.mark.parametrize("n, m", [(5, 3), (5, 4), (4, 4), (3, 5), (4, 5), (2, 6), (1, 1)])
@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_correlate_against_numpy(n, m, mode):
    a, v = rand(n), rand(m)
    same(P.correlate(a, v, mode), np.correlate(a, v, mode))


@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 5])
@pytest.mark.parametrize("axes", [(0, 1), (1, 2), (2, 0), (-1, 1)])
def test_rot90_against_numpy(k, axes):
    same(A.rot90(X3, k, axes), np.rot90(X3, k, axes))


@pytest.mark.parametrize("parts", [3, [2, 5], [-2], [3, 10], [0, 0, 4], 7, 1])
def test_array_split_against_numpy(parts):
    x = np.arange(14.0).reshape(7, 2)
    ours, theirs = A.array_split(x, parts), np.array_split(x, parts)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        same(o, t)


def test_hsplit_vsplit_dsplit_against_numpy():
    x = rand(4, 6, 2)
    for ours, theirs in [(A.hsplit(x, 3), np.hsplit(x, 3)), (A.vsplit(x, [1, 3]),
                         np.vsplit(x, [1, 3])), (A.dsplit(x, 2), np.dsplit(x, 2)),
                         (A.hsplit(rand(6), 2), np.hsplit(rand(6), 2))]:
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert o.shape == t.shape
    np.testing.assert_array_equal(A.hsplit(x, 3)[1].numpy(), x[:, 2:4])
    with pytest.raises(ValueError, match="equal parts"):
        A.hsplit(x, 4)
    with pytest.raises(ValueError, match="rank 2"):
        A.vsplit(rand(4), 2)
    with pytest.raises(ValueError, match="rank 3"):
        A.dsplit(x[0], 2)
    with pytest.raises(ValueError, match="must not decrease"):
        A.array_split(x, [3, 1])


def test_unstack():
    parts = A.unstack(X3, axis=1)
    assert len(parts) == 3
    for i, p in enumerate(parts):
        same(p, X3[:, i])
    assert len(A.unstack(X3, num=2)) == 2
    with pytest.raises(ValueError, match="num=3"):
        A.unstack(X3, num=3)


def test_slice_update_values_and_checks():
    x = np.zeros((4, 5), np.float32)
    out = A.slice_update(x, [1, 2], np.ones((2, 3)))
    expected = x.copy()
    expected[1:3, 2:5] = 1
    same(out, expected)
    with pytest.raises(ValueError, match="do not fit"):
        A.slice_update(x, [3, 0], np.ones((2, 2)))


def test_copy_owns_its_memory():
    x = Tensor(np.arange(3.0))
    y = A.copy(x)
    y.data[0] = 9
    assert x.data[0] == 0


def test_dtypes_follow_keras():
    i32 = np.array([1, 2, 3], np.int32)
    assert A.hstack([i32, V3]).dtype == np.float32  # NumPy would give float64
    assert A.hstack([V3, V3.astype(np.float64)]).dtype == np.float64
    assert A.append([1, 2], [3]).dtype == np.int32  # Python ints are int32, as in Keras
    assert A.trace(np.eye(3, dtype=np.int32)).dtype == np.int32
    assert A.trace(np.eye(3, dtype=np.int8)).dtype == np.int32
    assert A.trace(np.eye(3, dtype=np.float64)).dtype == np.float64
    assert A.cumsum(i32).dtype == np.int32 and A.cumprod(i32).dtype == np.int32
    same(A.cumsum(np.array([True, False, True])), [1, 1, 2], np.int32)
    same(A.cumsum(i32, dtype="float32"), [1, 3, 6], np.float32)
    assert A.diag(i32).dtype == np.int32 and A.diff(i32).dtype == np.int32
    same(A.trapezoid(i32), 4.0, np.float32)
    same(P.correlate(i32, np.array([1, 0], np.int32)), [1, 2], np.float32)
    assert P.outer([1, 2], [3, 4]).dtype == np.int32
    assert P.kron(i32, V3).dtype == np.float32 and P.tensordot(i32, V3, 1).dtype == np.float32
    assert A.roll([1.0, 2.0], 1).dtype == np.float32
    # Python numbers never widen a tensor, as in Keras
    assert A.append(np.float16([1]), 2.5).dtype == np.float16
    assert P.inner(2, V3).dtype == np.float32 and P.outer(np.float64([1]), 3).dtype == np.float64


def test_cumprod_gradient_by_hand_with_zeros():
    x = Tensor([2.0, 0.0, 3.0, 0.0, 5.0], requires_grad=True)
    A.cumprod(x).sum().backward()
    # y = [2, 0, 0, 0, 0]: dy0/dx0 = 1; dy1..4 / dx0 = 0; d y1/dx1 = 2, dy2/dx1 = 6, the
    # rest cross the second zero; nothing after the first zero matters
    np.testing.assert_allclose(x.grad, [1.0, 8.0, 0.0, 0.0, 0.0])


def test_scatter_adds_duplicates():
    values = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = S.scatter([[0], [0], [2]], values, (4,))
    same(out, np.float32([3, 0, 3, 0]))
    weights = np.float32([1, 10, 100, 1000])
    (out * weights).sum().backward()
    np.testing.assert_allclose(values.grad, [1, 1, 100])
    same(S.scatter([[0, 1], [1, 1]], [1.0, 1.0], (2, 2)), np.float32([[0, 1], [0, 1]]))
    rows = S.scatter(np.array([[1], [1], [0]]), np.ones((3, 2), np.float32), (3, 2))
    same(rows, np.float32([[1, 1], [2, 2], [0, 0]]))
    same(S.scatter([[-1]], [5.0], (3,)), np.float32([0, 0, 5]))
    with pytest.raises(IndexError):
        S.scatter([[3]], [5.0], (3,))


def test_scatter_update_last_write_wins_and_so_does_its_gradient():
    inputs = Tensor(np.float32([1, 2, 3]), requires_grad=True)
    updates = Tensor(np.float32([5, 7]), requires_grad=True)
    out = S.scatter_update(inputs, [[1], [1]], updates)
    same(out, np.float32([1, 7, 3]))
    (out * np.float32([1, 10, 100])).sum().backward()
    np.testing.assert_allclose(inputs.grad, [1, 0, 100])
    np.testing.assert_allclose(updates.grad, [0, 10])


@pytest.mark.parametrize("reduction, ufunc", [(None, None), ("add", np.add),
                                              ("max", np.maximum), ("min", np.minimum),
                                              ("mul", np.multiply)])
def test_scatter_update_against_numpy(reduction, ufunc):
    inputs = rand(4, 3, 2).astype(np.float32)
    indices = np.array([[1, 2], [0, 0], [1, 2], [3, 1]])
    updates = rand(4, 2).astype(np.float32)
    expected = inputs.copy()
    if ufunc is None:
        expected[tuple(indices.T)] = updates
    else:
        ufunc.at(expected, tuple(indices.T), updates)
    same(S.scatter_update(inputs, indices, updates, reduction), expected)
    # lists of indices, and float64 updates cast to the inputs' float32
    same(S.scatter_update(inputs, indices.tolist(), updates.astype(np.float64), reduction),
         expected)
    with pytest.raises(ValueError, match="reduction"):
        S.scatter_update(inputs, indices, updates, "mean")


def test_get_item_and_slice_take_tensor_indices():
    same(A.get_item(X2, Tensor(np.array([2, 0]))), X2[[2, 0]])
    same(A.slice(X2, Tensor(np.array([1, 1])), (2, 2)), X2[1:3, 1:3])


# --- gradients ----------------------------------------------------------------------------------
def _separated(*shape, gap=0.05):
    """Random values at least ``gap`` apart: no ties anywhere near a probe."""
    n = int(np.prod(shape))
    return R.permutation(np.arange(n) * gap + R.uniform(0, gap / 4, n)).reshape(shape) - 1


GRADS = {
    "hstack": (lambda a, b: A.hstack([a, b, a]), rand(3, 2), rand(3, 4)),
    "vstack": (lambda a, b: A.vstack([a, b]), rand(4), rand(2, 4)),
    "dstack": (lambda a, b: A.dstack([a, b]), rand(3, 2), rand(3, 2, 2)),
    "append": (lambda a, b: A.append(a, b), rand(2, 3), rand(4)),
    "append_axis": (lambda a, b: A.append(a, b, axis=1), rand(2, 3), rand(2, 1)),
    "array_split": (lambda x: A.array_split(x, 3, axis=1)[0] * 2 + A.array_split(x, [1], 1)[1]
                    [:, :2], rand(2, 5)),
    "hsplit": (lambda x: A.hsplit(x, 2)[1] * A.hsplit(x, 2)[0], rand(3, 4)),
    "vsplit": (lambda x: A.vsplit(x, [1])[1] ** 2, rand(3, 2)),
    "dsplit": (lambda x: A.dsplit(x, 2)[0] - 3 * A.dsplit(x, 2)[1], rand(2, 2, 4)),
    "roll": (lambda x: A.roll(x, (1, -3), axis=(0, 1)), rand(3, 4)),
    "roll_flat": (lambda x: A.roll(x, 7), rand(3, 4)),
    "rot90": (lambda x: A.rot90(x, 1, (1, 2)) * A.rot90(x, 3, (2, 1)), rand(2, 3, 3)),
    "rot90_twice": (lambda x: A.rot90(x, 2), rand(3, 4)),
    "fliplr": (A.fliplr, rand(3, 4)),
    "flipud": (A.flipud, rand(3, 4)),
    "diag_build": (lambda x: A.diag(x, -1), rand(3)),
    "diag_take": (lambda x: A.diag(x, 1), rand(3, 4)),
    "diagonal": (lambda x: A.diagonal(x, -1, 2, 0), rand(3, 2, 4)),
    "diagflat": (lambda x: A.diagflat(x, 2), rand(2, 2)),
    "trace": (lambda x: A.trace(x, 1, 0, 2), rand(3, 2, 4)),
    "outer": (P.outer, rand(3), rand(2, 2)),
    "inner": (P.inner, rand(2, 3), rand(4, 3)),
    "kron": (P.kron, rand(2, 3), rand(3, 2)),
    "tensordot": (P.tensordot, rand(2, 3, 4), rand(3, 4, 2)),
    "tensordot_pairs": (lambda a, b: P.tensordot(a, b, ([0, 2], [2, 0])), rand(2, 3, 4),
                        rand(4, 5, 2)),
    "vdot": (P.vdot, rand(2, 3), rand(6)),
    "cross": (P.cross, rand(4, 3), rand(3)),
    "cross_2_3": (lambda a, b: P.cross(a, b, axisa=0), rand(2, 4), rand(4, 3)),
    "cross_2_2": (P.cross, rand(4, 2), rand(4, 2)),
    "unstack": (lambda x: A.unstack(x, axis=1)[2] * A.unstack(x, axis=1)[0], rand(2, 3, 2)),
    "slice": (lambda x: A.slice(x, [1, 0, 2], [2, -1, 2]), rand(3, 2, 4)),
    "slice_update": (lambda x, u: A.slice_update(x, [1, 2], u) ** 2, rand(4, 5), rand(2, 3)),
    "scatter": (lambda v: S.scatter([[0, 1], [2, 0], [0, 1]], v, (3, 2, 2)), rand(3, 2)),
    "scatter_update": (lambda x, u: S.scatter_update(x, [[1], [3], [1]], u), rand(4, 2),
                       rand(3, 2)),
    "scatter_update_add": (lambda x, u: S.scatter_update(x, [[1], [3], [1]], u, "add"),
                           rand(4, 2), rand(3, 2)),
    "scatter_update_max": (lambda x, u: S.scatter_update(x, [[1], [3], [1]], u, "max"),
                           _separated(4, 2), _separated(3, 2) + 0.01),
    "scatter_update_min": (lambda x, u: S.scatter_update(x, [[0], [0]], u, "min"),
                           _separated(2, 3), _separated(2, 3) + 0.01),
    "scatter_update_mul": (lambda x, u: S.scatter_update(x, [[2], [0], [2]], u, "mul"),
                           rand(3, 2), np.array([[0.0, 1.5], [-0.7, 0.0], [0.0, 2.0]])),
    "get_item": (lambda x: A.get_item(x, (Ellipsis, [1, 1, 0])), rand(2, 3)),
    "copy": (A.copy, rand(2, 3)),
    "diff": (lambda x: A.diff(x, 2, axis=0), rand(4, 3)),
    "cumsum": (lambda x: A.cumsum(x, axis=0), rand(4, 3)),
    "cumsum_flat": (A.cumsum, rand(2, 3)),
    "cumprod": (lambda x: A.cumprod(x, axis=1), rand(3, 4)),
    "cumprod_zeros": (lambda x: A.cumprod(x, axis=1),
                      np.array([[0.5, 0.0, 1.5, -2.0], [0.0, 1.2, 0.0, 0.7],
                                [1.1, -0.9, 1.3, 0.0]])),
    "trapezoid": (lambda y: A.trapezoid(y, dx=0.3, axis=0), rand(4, 3)),
    "trapezoid_x": (lambda y, x: A.trapezoid(y, x), rand(2, 4), rand(4)),
    "trapezoid_x_full": (lambda y, x: A.trapezoid(y, x, axis=0), rand(3, 2), rand(3, 2)),
    "correlate_valid": (P.correlate, rand(5), rand(3)),
    "correlate_same": (lambda a, v: P.correlate(a, v, "same"), rand(4), rand(5)),
    "correlate_full": (lambda a, v: P.correlate(a, v, "full"), rand(3), rand(4)),
}


def finite_outputs(fn, *inputs):
    """Whether ``fn`` gives finite values: an infinite or NaN output would make the finite
    differences NaN, which no tolerance catches."""
    out = fn(*(Tensor(np.asarray(x, np.float64)) for x in inputs))
    return all(np.isfinite(o.numpy()).all() for o in (out if isinstance(out, list) else [out]))


def finite_gradients(fn, *inputs):
    """Whether every gradient is finite: grad_check cannot rank a NaN error as the worst."""
    ts = [Tensor(np.asarray(x, np.float64), requires_grad=True) for x in inputs]
    out = fn(*ts)
    (out * np.random.default_rng(0).standard_normal(out.shape)).sum().backward()
    return all(t.grad is not None and np.isfinite(t.grad).all() for t in ts)


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients(name):
    fn, *inputs = GRADS[name]
    assert finite_outputs(fn, *inputs) and finite_gradients(fn, *inputs)
    result = grad_check(fn, *inputs)
    assert result.ok, result
    assert result.checked == sum(np.size(x) for x in inputs)


# --- without a graph ----------------------------------------------------------------------------
def test_creation_against_numpy():
    same(C.tri(3, 4, 1), np.tri(3, 4, 1, dtype=np.float32))
    same(C.tri(2, dtype="int32"), np.tri(2, dtype=np.int32))
    xs, ys = C.meshgrid([1, 2, 3], [4.0, 5.0])
    nx, ny = np.meshgrid(np.int32([1, 2, 3]), np.float32([4, 5]))
    same(xs, nx), same(ys, ny)
    for ours, theirs in zip(C.meshgrid(V3, V5, indexing="ij"), np.meshgrid(V3, V5,
                                                                          indexing="ij")):
        same(ours, theirs)
    same(C.logspace(0, 2, 5), np.logspace(0, 2, 5).astype(np.float32))
    same(C.logspace(0, 3, 4, base=2, endpoint=False), np.logspace(0, 3, 4, False, 2)
         .astype(np.float32))
    same(C.geomspace(1, 1000, 4), np.float32([1, 10, 100, 1000]))
    same(C.vander([1, 2, 3]), np.int32([[1, 1, 1], [4, 2, 1], [9, 3, 1]]))  # int32 kept
    same(C.vander(V3, 4, increasing=True), np.vander(V3, 4, increasing=True), np.float32)
    assert C.empty((2, 3)).shape == (2, 3) and C.empty((2,)).dtype == np.float32
    assert C.empty_like(np.int32([1, 2])).dtype == np.int32
    assert C.empty_like(V3, dtype="float64").dtype == np.float64


def test_array_is_a_copy_without_a_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = C.array(x)
    assert not y.requires_grad and y.is_leaf
    y.data[0] = 5
    assert x.data[0] == 1
    assert C.array([1, 2]).dtype == np.int32 and C.array([1.0]).dtype == np.float32
    assert C.array([1, 2], dtype="float64").dtype == np.float64


def test_saturate_cast_clips_before_casting():
    same(C.saturate_cast(np.array([-1.0, 256.0, 3.7]), "uint8"), np.uint8([0, 255, 3]))
    same(C.saturate_cast(np.float32([3e9, -3e9, np.inf]), "int32"),
         np.int32([2147483520, -2147483648, 2147483520]))  # float32 below 2**31 - 1
    same(C.saturate_cast(np.int32([300, -5]), "int8"), np.int8([127, -5]))
    same(C.saturate_cast(np.float64([1e300, -1e300]), "float32"),
         np.float32([3.4028235e38, -3.4028235e38]))


def test_searching_against_numpy():
    x = np.int32([[0, 3, 0], [4, 0, 5]])
    for ours, theirs in zip(F.nonzero(x), np.nonzero(x)):
        same(ours, theirs, np.int32)
    values = np.float32([5, 1, 4, 2, 3])
    part = F.argpartition(values, 2).numpy()
    assert part.dtype == np.int32 and values[part[2]] == 3
    assert set(values[part[:2]]) == {1, 2}
    rows, cols = F.unravel_index([5, 0, 3], (2, 3))
    same(rows, np.int32([1, 0, 1])), same(cols, np.int32([2, 0, 0]))
    assert F.unravel_index(np.int64([4]), (2, 3))[0].dtype == np.int64
    same(F.searchsorted([1.0, 2.0, 2.0, 3.0], [2.0, 0.5, 9.0]), np.int32([1, 0, 4]))
    same(F.searchsorted([1.0, 2.0, 2.0, 3.0], [2.0], side="right"), np.int32([3]))
    with pytest.raises(ValueError, match="1-D"):
        F.searchsorted(np.ones((2, 2)), [1.0])
    same(F.digitize([0.2, 6.4, 3.0, 1.6], [0.0, 1.0, 2.5, 4.0, 10.0]),
         np.int32([1, 4, 3, 2]))


def test_bincount():
    same(F.bincount([3, 1, 2, 1, 3, 2]), np.int32([0, 2, 2, 2]))
    same(F.bincount([1, 1], minlength=4), np.int32([0, 2, 0, 0]))
    same(F.bincount([0, 2, 2], weights=np.float32([0.5, 1, 2])), np.float32([0.5, 0, 3]))
    same(F.bincount([[0, 1], [3, 3]]), np.int32([[1, 1, 0, 0], [0, 0, 0, 2]]))
    same(F.bincount([[0, 1], [1, 1]], weights=np.float64([[1, 2], [3, 4]])),
         np.float64([[1, 2], [0, 7]]))
    with pytest.raises(ValueError, match="non-negative"):
        F.bincount([-1, 2])
    with pytest.raises(ValueError, match="sparse"):
        F.bincount([1], sparse=True)


def test_unique():
    x = [3, 1, 2, 1, 3, 2]
    same(F.unique(x), np.int32([1, 2, 3]))
    values, index, inverse, counts = F.unique(x, return_index=True, return_inverse=True,
                                              return_counts=True)
    same(values, np.int32([1, 2, 3])), same(index, np.int32([1, 2, 0]))
    same(inverse, np.int32([2, 0, 1, 0, 2, 1])), same(counts, np.int32([2, 2, 2]))
    assert np.array_equal(values.numpy()[inverse.numpy()], x)
    values, index, inverse = F.unique(x, sorted=False, return_index=True,
                                      return_inverse=True)
    same(values, np.int32([3, 1, 2])), same(index, np.int32([0, 1, 2]))
    assert np.array_equal(values.numpy()[inverse.numpy()], x)
    values, counts = F.unique([3, 1, 2, 1], size=5, fill_value=-1, return_counts=True)
    same(values, np.int32([1, 2, 3, -1, -1])), same(counts, np.int32([2, 1, 1, 0, 0]))
    same(F.unique([3, 1, 2, 1], size=2), np.int32([1, 2]))
    same(F.unique([[1, 0, 0], [0, 1, 0], [1, 0, 0]], axis=0), np.int32([[0, 1, 0], [1, 0, 0]]))
    same(F.unique(np.float32([[2, 1], [1, 2]])), np.float32([1, 2]))


def test_select_and_in_top_k():
    x = np.arange(6)
    same(F.select([x < 2, x > 3], [x, x ** 2], default=-1), np.select([x < 2, x > 3],
                                                                   [x, x ** 2], -1))
    targets = [2, 5, 3]
    predictions = [[0.1, 0.4, 0.6, 0.9, 0.5], [0.1, 0.7, 0.9, 0.8, 0.3],
                   [0.1, 0.6, 0.9, 0.9, 0.5]]
    same(F.in_top_k(targets, predictions, 3), [True, False, True])  # 5 is no class
    same(F.in_top_k([0, 1, 2], np.float32([[3, 1, 2], [3, 1, 2], [3, 1, 2]]), 1),
         [True, False, False])
    same(F.in_top_k([1, 2], np.float32([[1, 2, 2], [1, 2, 2]]), 1), [True, True])  # tie
    same(F.in_top_k([0], [[0.1, 0.2]], 5), [True])


def test_results_without_a_graph():
    x = Tensor(np.float32([0.0, 2.0, 1.0]), requires_grad=True)
    for out in [F.nonzero(x)[0], F.argpartition(x, 1), F.searchsorted(x, [1.0]),
                F.digitize(x, [1.0]), F.unique(x), C.saturate_cast(x, "uint8"),
                C.vander(x), C.empty_like(x), F.select([x.data > 0], [x])]:
        assert isinstance(out, Tensor) and not out.requires_grad and out.is_leaf


def test_differentiable_results_keep_the_graph():
    x = Tensor(rand(3, 3), requires_grad=True)
    for out in [A.hstack([x, x]), A.roll(x, 1), A.diag(x), A.trace(x), P.outer(x, x),
                A.cumprod(x), A.copy(x), P.cross(x, x), A.slice(x, [0, 0], [1, 1])]:
        assert out.requires_grad
