"""Forward values, numerical stability and error messages of the core ops."""

import math

import numpy as np
import pytest

import saessak
from saessak import Tensor, ops

BIG = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], np.float32)


@pytest.mark.parametrize("fn", [ops.sigmoid, ops.tanh, ops.softplus, ops.softsign, ops.swish,
                                ops.elu, ops.selu, ops.gelu, ops.hard_sigmoid, ops.mish,
                                ops.softmax, ops.log_softmax])
def test_activations_stay_finite_at_plus_minus_1000(fn):
    x = Tensor(BIG, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        y = fn(x)
        (y * 1.0).sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))


def test_activation_values_from_their_definitions():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    t = Tensor(x)
    np.testing.assert_allclose(ops.sigmoid(t).data, 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(ops.relu(t).data, [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(ops.leaky_relu(t, 0.1).data, [-0.2, -0.05, 0, 0.5, 2])
    np.testing.assert_allclose(ops.elu(t).data, np.where(x > 0, x, np.expm1(x)))
    np.testing.assert_allclose(ops.softplus(t).data, np.log1p(np.exp(x)))
    np.testing.assert_allclose(ops.softsign(t).data, x / (1 + np.abs(x)))
    np.testing.assert_allclose(ops.hard_sigmoid(t).data, np.clip(x / 6 + 0.5, 0, 1))
    erf = np.array([math.erf(v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(ops.gelu(t).data, 0.5 * x * (1 + erf), rtol=1e-6)
    np.testing.assert_allclose(ops.step(t).data, [0, 0, 0, 1, 1])
    sm = ops.softmax(Tensor([[1.0, 2.0, 3.0]])).data
    np.testing.assert_allclose(sm[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-6)
    np.testing.assert_allclose(ops.selu(Tensor([1.0])).data, [1.0507009873554805], rtol=1e-6)


def test_step_function_has_no_graph():
    x = Tensor([1.0, -1.0], requires_grad=True)
    assert not ops.step(x).requires_grad


def test_logsumexp_matches_the_definition_and_is_stable():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    out = ops.logsumexp(Tensor(x), axis=1).data
    assert out[0] == pytest.approx(math.log(math.exp(1) + math.exp(2) + math.exp(3)))
    assert out[1] == pytest.approx(1000 + math.log(2))


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        ops.matmul(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5))))


def test_reshape_error_names_the_shapes():
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*into shape \(4, 2\)"):
        ops.reshape(Tensor(np.ones((2, 3))), (4, 2))


def test_one_hot_and_gather_bounds():
    oh = ops.one_hot(np.array([0, 2, 5]), 3).data
    np.testing.assert_array_equal(oh, [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    with pytest.raises(IndexError, match=r"\[0, 3\).*7"):
        ops.gather(Tensor(np.ones((3, 2))), np.array([0, 7]))


def test_split_and_concatenate_are_inverse():
    x = Tensor(np.arange(12.0).reshape(3, 4))
    parts = ops.split(x, [1, 3], axis=1)
    assert [p.shape for p in parts] == [(3, 1), (3, 3)]
    np.testing.assert_array_equal(ops.concatenate(parts, axis=1).data, x.data)
    with pytest.raises(ValueError, match="do not divide|does not divide"):
        ops.split(x, 3, axis=1)


def test_multi_output_op_with_an_unused_output():
    x = Tensor(np.arange(6.0), requires_grad=True)
    a, b = ops.split(x, 2, axis=0)
    (a * 2).sum().backward()  # b never reaches the loss: its gradient counts as zero
    np.testing.assert_allclose(x.grad, [2, 2, 2, 0, 0, 0])


def test_reductions_reject_bad_axes():
    with pytest.raises(ValueError, match="axis 3 is out of range for a tensor of rank 2"):
        ops.sum(Tensor(np.ones((2, 2))), axis=3)


def test_saessak_top_level_api():
    assert saessak.Tensor is Tensor
    assert callable(saessak.grad_check) and callable(saessak.no_grad)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
@pytest.mark.parametrize("shape,axis,keepdims", [((64, 16), None, False), ((64, 16), 0, True),
                                                 ((3, 4, 5), (0, 2), False), ((7,), -1, True),
                                                 ((), None, False)])
def test_mean_and_sum_are_numpys_bit_for_bit(shape, axis, keepdims, dtype):
    """ops.mean computes sum / n itself for float32/64: the same numbers as ndarray.mean
    (float16 and integers keep NumPy's wider accumulation)."""
    x = (np.random.default_rng(0).standard_normal(shape) * 10).astype(dtype)
    for op, ref in [(ops.mean, x.mean), (ops.sum, x.sum)]:
        got = op(Tensor(x), axis=axis, keepdims=keepdims).numpy()
        want = np.asarray(ref(axis=axis, keepdims=keepdims))
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_mean_spreads_one_over_n_back_in_every_float_dtype(dtype):
    """float16 takes NumPy's mean forward (its wider sum); its gradient is still 1/n."""
    x = Tensor(np.ones((4, 5), dtype), requires_grad=True)
    ops.mean(x, axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((4, 5), 0.2, dtype))
