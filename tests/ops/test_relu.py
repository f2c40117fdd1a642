"""One ReLU Function serves ``relu`` in all its Keras forms (plain, leaky, capped, shifted)."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check, ops
from saessak.ops.activations import ReLU

X = np.array([-2.0, -0.5, 0.3, 0.7, 1.2, 7.0])


def _reference(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's relu, written out: slope below the threshold, identity above, capped."""
    y = np.where(x > threshold, x, negative_slope * (x - threshold))
    return y if max_value is None else np.minimum(y, max_value)


@pytest.mark.parametrize("kwargs", [
    {}, {"negative_slope": 0.1}, {"max_value": 6.0}, {"threshold": 0.5},
    {"negative_slope": 0.1, "max_value": 1.0, "threshold": 0.5},
])
def test_every_form_is_the_one_relu_node_with_keras_values_and_gradients(kwargs):
    out = ops.relu(Tensor(X, requires_grad=True), **kwargs)
    assert type(out._node) is ReLU
    np.testing.assert_allclose(out.numpy(), _reference(X, **kwargs))
    result = grad_check(lambda x: ops.relu(x, **kwargs), X)
    assert result, result


def test_relu6_and_leaky_relu_are_forms_of_it():
    x = Tensor(X)
    np.testing.assert_allclose(ops.relu6(x).numpy(), _reference(X, max_value=6.0))
    np.testing.assert_allclose(ops.leaky_relu(x).numpy(), _reference(X, negative_slope=0.2))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_plain_form_keeps_its_output_not_a_slope_map(dtype):
    with backend.floatx_scope(dtype):
        x = Tensor(X, requires_grad=True)
        y = ops.relu(x)
    node = y._node
    assert node.plain and node.y is y.data and not hasattr(node, "slope_map")
    (y * Tensor(np.arange(6.0))).sum().backward()
    np.testing.assert_allclose(x.grad, np.arange(6.0) * (X > 0))
