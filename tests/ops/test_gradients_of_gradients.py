"""Gradients of gradients (saessak.ops.gradients): each op's recorded backward is checked
with ``second_order_check``, which differentiates h(x) = <v, grad f(x)> and compares with
central differences of the first-order gradient (the NumPy backward, tested on its own
elsewhere), in float64."""

from __future__ import annotations

import numpy as np
import pytest

from saessak import ops
from saessak.autograd import Tensor
from saessak.autograd.tensor import Function
from saessak.ops.convolution import Conv, SequenceConv
from saessak.ops.gradients import gradients, second_order_check
from saessak.ops.transposed_convolution import ConvTranspose


def assert_second_order(fn, *arrays, tol=1e-5):
    result = second_order_check(fn, *arrays, tol=tol)
    assert result.ok, str(result)


def _r(*shape, seed=1, low=-1.0, high=1.0):
    return np.random.default_rng(seed + sum(shape)).uniform(low, high, shape)


UNARY = {
    "tanh": ops.tanh, "sigmoid": ops.sigmoid, "exp": ops.exp, "sin": ops.sin,
    "cos": ops.cos, "square": ops.square, "softplus": ops.softplus, "swish": ops.swish,
    "softsign": ops.softsign, "elu": ops.elu, "gelu": ops.gelu,
    "gelu_tanh": lambda x: ops.gelu(x, approximate=True), "erf": ops.erf,
    "pow3": lambda x: x ** 3, "neg_div": lambda x: -(x * x) / 3.0,
    "cube_by_product": lambda x: x * x * x, "sub": lambda x: 1.0 - x * x,
    "softmax": lambda x: ops.softmax(x) * x, "log_softmax": lambda x: ops.log_softmax(x) ** 2,
    "logsumexp": lambda x: ops.logsumexp(x * x, axis=-1),
    "relu_cubed": lambda x: ops.relu(x) ** 3, "leaky_relu": lambda x: ops.leaky_relu(x) * x,
    "max": lambda x: ops.max(x * x, axis=0), "clip": lambda x: ops.clip(x, -0.5, 0.5) * x,
    "abs": lambda x: ops.abs(x) * x, "maximum": lambda x: ops.maximum(x, x * x) * x,
    "mean": lambda x: ops.mean(x ** 3, axis=1, keepdims=True),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_second_derivative(name):
    assert_second_order(UNARY[name], _r(3, 4))


@pytest.mark.parametrize("f", [ops.log, ops.sqrt, ops.log1p, lambda x: 1.0 / x,
                               lambda x: x ** 2.5], ids=["log", "sqrt", "log1p", "inv", "pow"])
def test_positive_domain_ops_second_derivative(f):
    assert_second_order(f, _r(3, 4, low=0.5, high=2.0))


def test_tensor_power_second_derivative_in_both_arguments():
    assert_second_order(lambda a, b: a ** b, _r(2, 3, low=0.5, high=2.0), _r(2, 3))


def test_products_and_quotients_of_two_tensors():
    assert_second_order(lambda a, b: a * b * a / (1.5 + b * b), _r(2, 3), _r(3))


SHAPING = {
    "reshape_transpose": lambda x: ops.transpose(ops.reshape(x * x, (4, 3))) ** 2,
    "concat_split": lambda x: ops.concatenate([p * p * p for p in ops.split(
        ops.concatenate([x, x * x], axis=1), [2, 6], axis=1)], axis=1),
    "stack": lambda x: ops.stack([x, x * x], axis=1) ** 2,
    "pad": lambda x: ops.pad(x * x, ((1, 0), (0, 2))) * 2.0,
    "slice": lambda x: x[1:, ::2] ** 3,
    "fancy_index": lambda x: x[np.array([0, 2, 0])] ** 3,
    "where": lambda x: ops.where(x > 0, x * x, x ** 3),
    "broadcast": lambda x: ops.broadcast_to(x[:1] * x[:1], (3, 4)) * x,
    "sum_axis": lambda x: ops.sum(x * x, axis=0) ** 2,
    "cast": lambda x: ops.cast(x * x, "float64") * x,
}


@pytest.mark.parametrize("name", sorted(SHAPING))
def test_shaping_ops_pass_second_derivatives(name):
    assert_second_order(SHAPING[name], _r(3, 4))


def test_matmul_batched_and_broadcast():
    assert_second_order(lambda a, b: ops.tanh(ops.matmul(a, b)), _r(2, 3, 4), _r(4, 2))


def test_matmul_with_a_vector():
    assert_second_order(lambda a, b: ops.matmul(a, b) ** 2, _r(3, 4), _r(4))


@pytest.mark.parametrize("relu", [False, True])
def test_dense_linear_node_with_bias(relu):
    assert_second_order(lambda x, w, b: ops.tanh(ops.linear(x, w, b, relu=relu)) ** 2,
                       _r(5, 3), _r(3, 4), _r(4))


def test_einsum_second_derivative():
    assert_second_order(lambda a, b: ops.einsum("bij,jk->bik", a, b) ** 2, _r(2, 3, 4),
                       _r(4, 2))


@pytest.mark.parametrize("strides,padding,dilation,groups", [
    (1, "valid", 1, 1), (2, "same", 1, 1), (1, "same", 2, 1), (1, "valid", 1, 2)])
def test_convolution_second_derivative(strides, padding, dilation, groups):
    def f(x, w, b):
        op = Conv((strides,) * 2, padding, (dilation,) * 2, groups)
        return ops.tanh(op(x, w, b))
    assert_second_order(f, _r(2, 5, 5, 2), _r(3, 3, 2 // groups, 2), _r(2), tol=2e-5)


def test_sequence_convolution_second_derivative():
    assert_second_order(lambda x, w: ops.tanh(SequenceConv("causal", 1)(x, w)),
                       _r(2, 6, 3), _r(3, 3, 2))


def test_transposed_convolution_second_derivative():
    assert_second_order(lambda x, w, b: ops.tanh(ConvTranspose((2, 2), "same", (1, 1))(x, w, b)),
                       _r(1, 3, 3, 2), _r(3, 3, 2, 2), _r(2))


def test_third_derivative_through_a_bilinear_op():
    # f(x) = sum((x w)^3) for a 1x1 w: f''' = 6 w^3 per element of x
    x = Tensor(np.array([[0.5], [-1.0]]), requires_grad=True)
    w = Tensor(np.array([[1.5]]), requires_grad=True)
    y = ops.matmul(x, w) ** 3
    (g1,) = gradients([y], [None], [x])
    (g2,) = gradients([g1], [None], [x])
    (g3,) = gradients([g2], [None], [x])
    np.testing.assert_allclose(g1.numpy(), 3 * (x.numpy() * 1.5) ** 2 * 1.5)
    np.testing.assert_allclose(g2.numpy(), 6 * x.numpy() * 1.5 ** 3)
    np.testing.assert_allclose(g3.numpy(), np.full((2, 1), 6 * 1.5 ** 3))


def test_unconnected_and_constant_gradients():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    z = Tensor(np.array([3.0]), requires_grad=True)
    g_x, g_z = gradients([x * 4.0], [None], [x, z])
    assert g_z is None  # z is not on any path
    np.testing.assert_allclose(g_x.numpy(), [4.0, 4.0])
    assert not g_x.requires_grad  # the derivative of a linear function is a constant


@pytest.mark.parametrize("with_params", [False, True])
def test_layer_norm_second_derivative_by_its_composite(with_params):
    if with_params:
        assert_second_order(lambda x, g, b: ops.layer_norm(x, g, b, axis=-1) ** 3,
                           _r(3, 4), _r(4, low=0.5, high=1.5), _r(4))
    else:
        assert_second_order(lambda x: ops.layer_norm(x, axis=(1, 2)) ** 3, _r(2, 3, 4))


def test_rms_norm_second_derivative():
    assert_second_order(lambda x, g: ops.rms_norm(x, g) ** 3, _r(3, 4),
                       _r(4, low=0.5, high=1.5))


@pytest.mark.parametrize("masked", [False, True])
def test_batch_norm_training_second_derivative(masked):
    weights = np.array([1.0, 0.0, 1.0, 1.0]).reshape(4, 1) if masked else None
    assert_second_order(
        lambda x, g, b: ops.batch_norm_train(x, g, b, weights=weights)[0] ** 3,
        _r(4, 3), _r(3, low=0.5, high=1.5), _r(3))


def test_batch_norm_inference_second_derivative():
    def f(x, m, v, g):
        return ops.batch_normalization(x, m, v, None, g) ** 3
    assert_second_order(f, _r(4, 3), _r(3), _r(3, low=0.5, high=1.5), _r(3, low=0.5, high=1.5))


def test_a_plain_array_parameter_is_a_constant_in_the_composite():
    gamma = np.array([0.5, 1.5, 2.0, 1.0])
    assert_second_order(lambda x: ops.layer_norm(x, gamma, None) ** 3, _r(3, 4))


def test_the_check_catches_a_wrong_recorded_backward():
    class WrongSquare(Function):  # first derivative right, the recorded one off by 3/2
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return 2 * g * self.x

        def backward_ops(self, g):
            return 3 * g * self.inputs[0]

    result = second_order_check(lambda x: WrongSquare()(x), _r(2, 2))
    assert not result.ok and result.max_error > 0.1
