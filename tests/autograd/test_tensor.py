import gc
import sys
import weakref

import numpy as np
import pytest

import saessak
from saessak import Tensor, no_grad, ops


def test_defaults_to_float32_and_keeps_explicit_float64():
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor(np.zeros(3)).dtype == np.float64
    assert Tensor(np.zeros(3), dtype="float32").dtype == np.float32
    assert Tensor([1, 2]).dtype.kind == "i"


def test_chain_rule_on_a_small_expression():
    x = Tensor(2.0, requires_grad=True)
    y = Tensor(3.0, requires_grad=True)
    z = x * y + x**2  # dz/dx = y + 2x = 7, dz/dy = x = 2
    z.backward()
    assert x.grad == pytest.approx(7.0)
    assert y.grad == pytest.approx(2.0)


def test_gradients_accumulate_across_backward_calls_and_uses():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()  # 3 + 2x
    np.testing.assert_allclose(x.grad, [5.0, 7.0])
    x.zero_grad()
    assert x.grad is None
    y = x + x + x  # the same tensor used three times
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 3.0])


def test_broadcasting_is_undone_in_backward():
    a = Tensor(np.ones((4, 3)), requires_grad=True)
    b = Tensor(np.ones((3,)), requires_grad=True)
    c = Tensor(np.ones((4, 1)), requires_grad=True)
    (a * b + c).sum().backward()
    assert b.grad.shape == (3,) and np.all(b.grad == 4)
    assert c.grad.shape == (4, 1) and np.all(c.grad == 3)


def test_deep_chain_of_10000_ops_needs_no_recursion():
    limit = sys.getrecursionlimit()
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert sys.getrecursionlimit() == limit
    assert float(x.grad) == pytest.approx(1.0001**10_000, rel=1e-3)


def test_no_grad_records_nothing():
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2
    assert not y.requires_grad and y.is_leaf


def test_detach_cuts_the_graph():
    x = Tensor([3.0], requires_grad=True)
    y = (x * x).detach() * x  # d/dx = x^2 treated as a constant = 9
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [9.0])


def test_graph_is_freed_after_backward_unless_retained():
    x = Tensor(np.ones(3), requires_grad=True)
    y = (x * 2).sum()
    y.backward(retain_graph=True)
    y.backward()  # allowed once more because the first call retained the graph
    np.testing.assert_allclose(x.grad, [4.0, 4.0, 4.0])
    with pytest.raises(RuntimeError, match="freed"):
        y.backward()


def test_a_new_graph_through_a_freed_op_says_so():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * x
    y.sum().backward()  # frees y's Mul
    z = (y * 2).sum()  # a new graph that goes back through it
    with pytest.raises(RuntimeError, match="Mul, part of this graph, was already freed"):
        z.backward()


def test_saved_buffers_are_released_by_backward():
    x = Tensor(np.ones(1000), requires_grad=True)
    h = ops.exp(x)  # Exp saves its output for backward
    node = h._node
    assert node.y is not None
    h.sum().backward()
    assert "y" not in vars(node) and node.inputs == ()


def test_no_reference_to_intermediates_survives_backward():
    x = Tensor(np.ones(1000), requires_grad=True)

    def loss_and_probe():
        hidden = ops.tanh(x * 2)
        return (hidden * hidden).sum(), weakref.ref(hidden)

    loss, probe = loss_and_probe()
    loss.backward()
    gc.collect()
    assert probe() is None  # the loss no longer keeps the graph (and its buffers) alive


def test_backward_on_non_scalar_needs_a_gradient():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\)"):
        (x * 2).backward()
    (x * 2).backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"expected grad of shape \(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_mixing_float32_and_float64_tensors_is_an_error():
    a = Tensor(np.ones(2, np.float32))
    b = Tensor(np.ones(2, np.float64))
    with pytest.raises(TypeError, match="float32 and float64"):
        _ = a + b
    # plain arrays and numbers join the tensor's dtype instead
    assert (a + np.ones(2)).dtype == np.float32
    assert (a * 2.5).dtype == np.float32


def test_numpy_array_on_the_left_defers_to_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


def test_getitem_scatters_gradients_back():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x[0, 1:].sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 1, 1], [0, 0, 0]])
    x.zero_grad()
    x[np.array([1, 1, 0])].sum().backward()  # repeated rows add up
    np.testing.assert_allclose(x.grad, [[1, 1, 1], [2, 2, 2]])


def test_tensor_factory_and_repr():
    t = saessak.tensor([1.0, 2.0], requires_grad=True)
    assert "requires_grad=True" in repr(t)
    assert t.numpy().tolist() == [1.0, 2.0]


def test_keras_alias_module():
    import saessak.keras as k

    assert k is saessak
    assert saessak.keras.ops is saessak.ops


def test_numpy_of_a_scalar_tensor_is_a_hashable_numpy_scalar():
    value = Tensor(np.array(3, np.int32)).numpy()
    assert isinstance(value, np.int32) and {value: "three"}[3] == "three"  # as TensorFlow
    assert isinstance(Tensor([1.0, 2.0]).numpy(), np.ndarray)


def test_numpy_reductions_accept_a_tensor():
    t = Tensor(np.array([[1.0, 5.0], [3.0, 2.0]], np.float32))
    assert float(np.min(t)) == 1.0 and float(np.max(t)) == 5.0
    np.testing.assert_array_equal(np.max(t, axis=0).numpy(), [3.0, 5.0])
    assert float(np.sum(t)) == 11.0 and float(np.mean(t)) == 2.75
    assert t.sum(1, True).shape == (2, 1)  # positional keepdims, as before
    with pytest.raises(TypeError, match="out="):
        np.sum(t, out=np.zeros(()))
