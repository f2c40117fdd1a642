"""Every differentiable op against central finite differences (float64), on broadcast shapes."""

import numpy as np
import pytest

from saessak import grad_check, ops

R = np.random.default_rng(7)


def rand(*shape, low=-2.0, high=2.0):
    return R.uniform(low, high, shape)


def away_from_zero(*shape):
    """Values with |x| >= 0.3, so kinks (relu, abs, max ties) sit far from every probe."""
    x = rand(*shape)
    return np.where(np.abs(x) < 0.3, np.sign(x + 1e-12) * 0.3 + x, x)


BINARY = {
    "add": (ops.add, rand(3, 4), rand(4)),
    "subtract": (ops.subtract, rand(3, 1), rand(1, 4)),
    "multiply": (ops.multiply, rand(2, 3, 4), rand(3, 1)),
    "divide": (ops.divide, rand(3, 4), rand(4, low=0.5, high=2)),
    "maximum": (ops.maximum, rand(3, 4), rand(3, 4) + 5),
    "minimum": (ops.minimum, rand(3, 4), rand(4) + 5),
    "power_tensor": (lambda a, b: a ** b, rand(3, 4, low=0.5, high=2), rand(4)),
    "matmul_2d": (ops.matmul, rand(3, 4), rand(4, 5)),
    "matmul_batched_broadcast": (ops.matmul, rand(2, 3, 4), rand(4, 5)),
    "matmul_batch_both": (ops.matmul, rand(2, 1, 3, 4), rand(3, 4, 2)),
    "matmul_vector_left": (ops.matmul, rand(4), rand(2, 4, 3)),
    "matmul_vector_right": (ops.matmul, rand(2, 3, 4), rand(4)),
    "linear_3d": (lambda x, w: ops.linear(x, w), rand(2, 3, 4), rand(4, 5)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops(name):
    fn, a, b = BINARY[name]
    result = grad_check(fn, a, b)
    assert result.ok, result


UNARY = {
    "negative": (ops.negative, rand(3, 4)),
    "power": (lambda x: x**3, rand(3, 4)),
    "exp": (ops.exp, rand(3, 4)),
    "log": (ops.log, rand(3, 4, low=0.1, high=3)),
    "log1p": (ops.log1p, rand(3, 4, low=0.1, high=3)),
    "sqrt": (ops.sqrt, rand(3, 4, low=0.1, high=3)),
    "square": (ops.square, rand(3, 4)),
    "abs": (ops.abs, away_from_zero(3, 4)),
    "sin": (ops.sin, rand(3, 4)),
    "cos": (ops.cos, rand(3, 4)),
    "erf": (ops.erf, rand(3, 4)),
    "clip": (lambda x: ops.clip(x, -1.0, 1.0), away_from_zero(4, 5) * 1.3),
    "sum_all": (ops.sum, rand(3, 4)),
    "sum_axis": (lambda x: ops.sum(x, axis=1), rand(2, 3, 4)),
    "sum_axes_keepdims": (lambda x: ops.sum(x, axis=(0, 2), keepdims=True), rand(2, 3, 4)),
    "mean_axis": (lambda x: ops.mean(x, axis=-1), rand(2, 3, 4)),
    "max_axis": (lambda x: ops.max(x, axis=1), rand(3, 5)),
    "min_all": (ops.min, rand(3, 5)),
    "logsumexp": (lambda x: ops.logsumexp(x, axis=-1), rand(3, 5)),
    "var": (lambda x: ops.var(x, axis=0), rand(4, 3)),
    "std": (lambda x: ops.std(x, axis=0), rand(4, 3)),
    "norm": (lambda x: ops.norm(x, axis=1), rand(4, 3)),
    "reshape": (lambda x: ops.reshape(x, (4, 3)), rand(3, 4)),
    "transpose": (lambda x: ops.transpose(x, (2, 0, 1)), rand(2, 3, 4)),
    "swapaxes": (lambda x: ops.swapaxes(x, 0, 2), rand(2, 3, 4)),
    "expand_squeeze": (lambda x: ops.squeeze(ops.expand_dims(x, 1), 1) * 2, rand(3, 4)),
    "broadcast_to": (lambda x: ops.broadcast_to(x, (2, 3, 4)), rand(3, 1)),
    "concatenate": (lambda x: ops.concatenate([x, x * 2, x[:, :1]], axis=1), rand(3, 4)),
    "stack": (lambda x: ops.stack([x, x * x], axis=1), rand(3, 4)),
    "split": (lambda x: ops.split(x, [1, 2, 1], axis=1)[1] * ops.split(x, 2, axis=1)[0],
              rand(4, 4)),
    "pad": (lambda x: ops.pad(x, ((1, 0), (2, 1))), rand(3, 4)),
    "where": (lambda x: ops.where(x.data > 0, x * 2, x * x), away_from_zero(3, 4)),
    "getitem_slice": (lambda x: x[1:, ::2], rand(3, 4)),
    "getitem_fancy": (lambda x: x[np.array([0, 2, 0]), 1:], rand(3, 4)),
    "gather": (lambda x: ops.gather(x, np.array([[0, 2], [2, 2]]), axis=0), rand(3, 4)),
    "gather_axis1": (lambda x: ops.gather(x, np.array([3, 0, 3]), axis=1), rand(2, 4, 2)),
    "repeat": (lambda x: ops.repeat(x, 3, axis=1), rand(2, 3)),
    "tile": (lambda x: ops.tile(x, (2, 3)), rand(2, 3)),
    "flatten": (ops.flatten, rand(2, 3, 4)),
    "cast_roundtrip": (lambda x: ops.cast(ops.cast(x, "float32"), "float64"), rand(3)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops(name):
    fn, x = UNARY[name]
    if name == "cast_roundtrip":  # float32 in the middle loses precision by design
        result = grad_check(fn, x, tol=1e-2, eps=1e-3)
    else:
        result = grad_check(fn, x)
    assert result.ok, result


ACTIVATIONS = {
    "sigmoid": ops.sigmoid,
    "hard_sigmoid": ops.hard_sigmoid,
    "tanh": ops.tanh,
    "relu": ops.relu,
    "relu_keras_args": lambda x: ops.relu(x, negative_slope=0.1, max_value=1.5, threshold=0.5),
    "relu6": ops.relu6,
    "leaky_relu": ops.leaky_relu,
    "elu": ops.elu,
    "selu": ops.selu,
    "gelu": ops.gelu,
    "gelu_tanh": lambda x: ops.gelu(x, approximate=True),
    "swish": ops.swish,
    "softplus": ops.softplus,
    "softsign": ops.softsign,
    "mish": ops.mish,
    "softmax": ops.softmax,
    "softmax_axis0": lambda x: ops.softmax(x, axis=0),
    "log_softmax": ops.log_softmax,
    "exponential": ops.exponential,
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients(name):
    x = away_from_zero(3, 5) * 2.5
    if name == "hard_sigmoid":
        x = np.where(np.abs(np.abs(x) - 3) < 0.3, x + 0.7, x)  # keep clear of the +-3 corners
    if name == "relu_keras_args":
        x = np.where(np.abs(x - 1.5) < 0.2, x + 0.5, x)
        x = np.where(np.abs(x - 0.5) < 0.2, x + 0.5, x)
    result = grad_check(ACTIVATIONS[name], x)
    assert result.ok, result


def test_grad_check_catches_a_wrong_gradient():
    from saessak import Function

    class WrongSquare(Function):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return g * 3 * self.x  # should be 2x

    result = grad_check(lambda x: WrongSquare()(x), rand(5))
    assert not result.ok
    assert "FAILED" in str(result) and result.position is not None


def test_grad_check_covers_closed_over_weights():
    import saessak

    w = saessak.Tensor(rand(4, 2), requires_grad=True)
    result = grad_check(lambda x: ops.tanh(x @ w), rand(3, 4), wrt=[w])
    assert result.ok and result.checked == 12 + 8


def test_grad_check_perturbs_non_contiguous_inputs_in_place():
    import saessak

    w = saessak.Tensor(rand(3, 4).T, requires_grad=True)  # a transposed, non-contiguous view
    assert not w.data.flags.c_contiguous
    result = grad_check(lambda x: x @ w, rand(2, 4), wrt=[w])
    assert result.ok, result


def test_grad_check_refuses_an_empty_wrt():
    with pytest.raises(ValueError, match="wrt= was given but is empty"):
        grad_check(lambda x: x * 2, rand(3), wrt=[])
