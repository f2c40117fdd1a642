"""The fused loss nodes of ``saessak.ops.losses``, called directly: their written-out backward
against central differences, for both inputs where the targets may carry a gradient."""

import inspect

import numpy as np
import pytest

import saessak
from saessak import Tensor
from saessak.autograd.tensor import Function
from saessak.ops import losses as loss_ops

rng = np.random.default_rng(7)


def uniform(low, high, shape):
    return rng.uniform(low, high, shape)


def check(fn, *inputs):
    result = saessak.grad_check(fn, *inputs)
    assert result.ok, result


# (Function, constructor arguments, targets, predictions): targets and predictions both get
# a gradient (soft targets may come from another network, as in distillation)
DENSE = [
    (loss_ops.MeanSquaredErrorFn, (), uniform(-1, 1, (3, 4)), uniform(-1, 1, (3, 4))),
    (loss_ops.MeanSquaredErrorFn, (), uniform(-1, 1, (2, 3, 5)), uniform(-1, 1, (2, 3, 5))),
    (loss_ops.MeanAbsoluteErrorFn, (), uniform(-1, 0, (3, 4)), uniform(0.1, 1, (3, 4))),
    (loss_ops.BinaryCrossentropyFn, (-1,), uniform(0, 1, (3, 4)), uniform(0.05, 0.95, (3, 4))),
    (loss_ops.BinaryCrossentropyFn, (0,), uniform(0, 1, (3, 4)), uniform(0.05, 0.95, (3, 4))),
    (loss_ops.BinaryCrossentropyWithLogitsFn, (-1,), uniform(0, 1, (2, 3, 4)),
     uniform(-4, 4, (2, 3, 4))),
    (loss_ops.BinaryCrossentropyWithLogitsFn, (1,), uniform(0, 1, (2, 3, 4)),
     uniform(-4, 4, (2, 3, 4))),
    (loss_ops.CategoricalCrossentropyFn, (-1,), uniform(0, 1, (3, 4)), uniform(0.1, 1, (3, 4))),
    (loss_ops.CategoricalCrossentropyFn, (0,), uniform(0, 1, (3, 4)), uniform(0.1, 1, (3, 4))),
    (loss_ops.CategoricalCrossentropyWithLogitsFn, (-1,), uniform(0, 1, (2, 3, 4)),
     uniform(-4, 4, (2, 3, 4))),
    (loss_ops.CategoricalCrossentropyWithLogitsFn, (0,), uniform(0, 1, (3, 4)),
     uniform(-4, 4, (3, 4))),
]


@pytest.mark.parametrize("fn,args,t,p", DENSE,
                         ids=[f"{c[0].__name__}{c[1]}{c[3].shape}" for c in DENSE])
def test_dense_loss_nodes_match_finite_differences(fn, args, t, p):
    check(lambda t, p: fn(*args)(t, p), t, p)


# (Function, from_logits): integer labels carry no gradient
SPARSE = [(loss_ops.SparseCategoricalCrossentropyFn, False),
          (loss_ops.SparseCategoricalCrossentropyWithLogitsFn, True)]


@pytest.mark.parametrize("fn,from_logits", SPARSE, ids=[c[0].__name__ for c in SPARSE])
@pytest.mark.parametrize("ignore_class", [None, 2])
def test_sparse_loss_nodes_match_finite_differences(fn, from_logits, ignore_class):
    labels = np.array([[0, 2, 3], [1, 1, 2]])
    p = uniform(-3, 3, (2, 3, 4)) if from_logits else uniform(0.1, 1, (2, 3, 4))
    check(lambda p: fn(ignore_class)(p, labels), p)
    if ignore_class is not None:  # the ignored entries give 0 and pass back nothing
        z = Tensor(p, requires_grad=True)
        out = fn(ignore_class)(z, labels)
        ignored = labels == ignore_class
        np.testing.assert_array_equal(out.data[ignored], 0.0)
        out.sum().backward()
        np.testing.assert_array_equal(z.grad[ignored], 0.0)
        assert np.all(z.grad[~ignored] != 0)


def test_probabilities_outside_the_clip_pass_back_no_gradient():
    """Where p is clipped to [eps, 1 - eps] the loss is flat in p, so its gradient is 0."""
    t = np.array([[1.0, 0.0, 1.0]])
    p = Tensor(np.array([[1.5, 0.3, -0.2]]), requires_grad=True)
    loss_ops.BinaryCrossentropyFn()(Tensor(t), p).sum().backward()
    np.testing.assert_array_equal(p.grad[0, [0, 2]], 0.0)
    assert p.grad[0, 1] != 0


def test_every_loss_node_is_checked_here():
    """A new Function in ops/losses.py needs its own case above."""
    nodes = {obj for _, obj in inspect.getmembers(loss_ops, inspect.isclass)
             if issubclass(obj, Function) and obj.__module__ == loss_ops.__name__}
    checked = {c[0] for c in DENSE} | {c[0] for c in SPARSE}
    assert nodes == checked, sorted(n.__name__ for n in nodes ^ checked)


def test_out_of_range_axis_names_the_function_and_the_rank():
    with pytest.raises(ValueError, match="axis 2 is out of range.*rank 2"):
        loss_ops.BinaryCrossentropyFn(axis=2)(Tensor(np.ones((2, 3))),
                                              Tensor(np.full((2, 3), 0.5)))
