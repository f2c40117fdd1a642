"""Pooling ops: values against a plain loop, gradients against finite differences.

Inputs are permutations of distinct values, so no window holds a tie and the max is
differentiable at every probe.
"""

import itertools

import numpy as np
import pytest

from saessak import Tensor, grad_check, ops
from saessak.ops.conv_utils import conv_padding

R = np.random.default_rng(5)


def distinct(*shape):
    return R.permutation(int(np.prod(shape))).reshape(shape) / 7.0 - 3.0


def reference_pool(x, pool, strides, padding, reduce):
    """Loop over output pixels; windows clipped to the image (padding never counts)."""
    pads = [conv_padding(n, p, s, padding) for n, p, s in zip(x.shape[1:-1], pool, strides)]
    out = [-(-n // s) if padding == "same" else (n - p) // s + 1
           for n, p, s in zip(x.shape[1:-1], pool, strides)]
    y = np.zeros((x.shape[0], *out, x.shape[-1]))
    for pos in np.ndindex(*out):
        index = tuple(slice(max(q * s - lo, 0), q * s - lo + p)
                      for q, s, (lo, _), p in zip(pos, strides, pads, pool))
        window = x[(slice(None),) + index]
        axes = tuple(range(1, 1 + len(pool)))
        y[(slice(None),) + pos] = reduce(window, axis=axes)
    return y


@pytest.mark.parametrize("padding,pool,stride", list(itertools.product(["valid", "same"], [2, 3],
                                                                       [1, 2, 3])))
def test_pool2d_values(padding, pool, stride):
    x = distinct(2, 7, 6, 3)
    p, s = (pool, pool), (stride, stride)
    np.testing.assert_allclose(ops.max_pool2d(Tensor(x), p, s, padding).numpy(),
                               reference_pool(x, p, s, padding, np.max))
    np.testing.assert_allclose(ops.avg_pool2d(Tensor(x), p, s, padding).numpy(),
                               reference_pool(x, p, s, padding, np.mean))


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pool1d_values(padding):
    x = distinct(2, 11, 3)
    np.testing.assert_allclose(ops.max_pool1d(Tensor(x), 4, None, padding).numpy(),
                               reference_pool(x, (4,), (4,), padding, np.max))
    np.testing.assert_allclose(ops.avg_pool1d(Tensor(x), 3, 2, padding).numpy(),
                               reference_pool(x, (3,), (2,), padding, np.mean))


def test_max_pool_by_hand_and_odd_sizes_round_down():
    x = np.array([[1, 2, 5, 0, 9],
                  [3, 4, 6, 7, 9],
                  [0, 1, 2, 3, 9],
                  [8, 0, 1, 1, 9],
                  [9, 9, 9, 9, 9]], dtype=np.float64)[None, :, :, None]
    y = ops.max_pool2d(Tensor(x), (2, 2), (2, 2)).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(y, [[4, 7], [8, 3]])  # 5 -> 2, as the seed says


def test_max_pool_gradient_goes_to_the_argmax():
    x = Tensor(np.array([[1., 5.], [3., 2.]])[None, :, :, None], requires_grad=True)
    ops.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad[0, :, :, 0], [[0, 1], [0, 0]])


def test_max_pool_ties_give_the_gradient_to_the_first_maximum():
    """As TensorFlow and PyTorch do: a window of equal values (a flat background) passes its
    gradient to one element, the first in row-major order, never to all of them."""
    x = Tensor(np.zeros((1, 4, 4, 1)), requires_grad=True)
    ops.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad[0, :, :, 0], expected)
    x = Tensor(np.array([[[1.0], [3.0], [3.0], [0.0], [3.0]]]), requires_grad=True)
    ops.max_pool1d(x, 3, 1).sum().backward()  # windows x[0:3], x[1:4], x[2:5]
    np.testing.assert_array_equal(x.grad[0, :, 0], [0, 2, 1, 0, 0])  # firsts: 1, 1, 2


def test_average_pool_same_excludes_padding():
    x = np.ones((1, 3, 3, 1))
    y = ops.avg_pool2d(Tensor(x), 2, 1, "same").numpy()
    np.testing.assert_array_equal(y, np.ones((1, 3, 3, 1)))


@pytest.mark.parametrize("padding,pool,stride", list(itertools.product(["valid", "same"], [2, 3],
                                                                       [1, 2])))
def test_pool2d_gradients(padding, pool, stride):
    x = distinct(2, 5, 6, 2)
    for fn in (ops.max_pool2d, ops.avg_pool2d):
        result = grad_check(lambda x, fn=fn: fn(x, pool, stride, padding), x, eps=1e-4)
        assert result.ok, f"{fn.__name__}: {result}"


@pytest.mark.parametrize("padding,stride", list(itertools.product(["valid", "same"], [None, 1, 2])))
def test_pool1d_gradients(padding, stride):
    x = distinct(2, 9, 3)
    for fn in (ops.max_pool1d, ops.avg_pool1d):
        result = grad_check(lambda x, fn=fn: fn(x, 3, stride, padding), x, eps=1e-4)
        assert result.ok, f"{fn.__name__}: {result}"


def test_pool_errors():
    with pytest.raises(ValueError, match="padding"):
        ops.max_pool2d(Tensor(np.zeros((1, 4, 4, 1))), 2, padding="causal")
    with pytest.raises(ValueError, match="rank"):
        ops.max_pool2d(Tensor(np.zeros((4, 4, 1))), 2)
    with pytest.raises(ValueError, match="pool_size"):
        ops.max_pool2d(Tensor(np.zeros((1, 4, 4, 1))), (2, 0))
