"""The optional compiled loops of convolution and pooling give the NumPy versions' numbers."""

import importlib

import numpy as np
import pytest

from saessak import Tensor
from saessak.ops import _conv_numba

conv = importlib.import_module("saessak.ops")
pooling = importlib.import_module("saessak.ops.pooling")

pytestmark = pytest.mark.skipif(not _conv_numba.ENABLED,
                                reason="numba (the 'fast' extra) not installed")


def both_ways(monkeypatch, fn, *names):
    """Run ``fn()`` with the compiled loops, then without; check the loops ran the first
    time only, and return both results."""
    calls = []
    for name in names:
        loop = getattr(_conv_numba, name)
        monkeypatch.setattr(_conv_numba, name,
                            lambda *a, _loop=loop: calls.append(1) or _loop(*a))
    out = []
    for enabled in (True, False):
        monkeypatch.setattr(_conv_numba, "ENABLED", enabled)
        before = len(calls)
        out.append(fn())
        assert (len(calls) > before) == enabled
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, kernel, strides, padding, dilation", [
    ((2, 9, 8, 3), (3, 3), (1, 1), "valid", (1, 1)),
    ((2, 9, 8, 3), (3, 2), (2, 3), "same", (1, 1)),
    ((2, 11, 10, 2), (3, 3), (1, 2), "valid", (2, 2)),
    ((3, 17, 4), (5,), (1,), "causal", (1,)),
    ((3, 17, 4), (3,), (2,), "same", (3,)),
])
def test_convolution_gradients_agree(monkeypatch, rng, dtype, shape, kernel, strides, padding,
                                     dilation):
    x0 = rng.standard_normal(shape).astype(dtype)
    w0 = rng.standard_normal(kernel + (shape[-1], 5)).astype(dtype)
    g = rng.standard_normal((1,)).astype(dtype)

    def run():
        x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
        y = conv.conv(x, w, strides=strides, padding=padding, dilation_rate=dilation)
        (y * Tensor(g)).sum().backward()
        return y.numpy(), x.grad, w.grad

    fast, reference = both_ways(monkeypatch, run, "col2im")
    for a, b in zip(fast, reference):
        np.testing.assert_allclose(a, b, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_transposed_convolution_agrees(monkeypatch, rng):
    x0 = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)
    w0 = rng.standard_normal((3, 3, 4, 3)).astype(np.float32)

    def run():
        x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
        y = conv.conv_transpose(x, w, strides=2, padding="same")
        (y * y).sum().backward()
        return y.numpy(), x.grad, w.grad

    fast, reference = both_ways(monkeypatch, run, "col2im")
    for a, b in zip(fast, reference):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, pool, strides, padding", [
    ((2, 8, 8, 3), (2, 2), None, "valid"),
    ((2, 9, 7, 3), (2, 2), None, "same"),
    ((2, 9, 9, 2), (3, 3), (2, 1), "valid"),  # overlapping windows: gradients add up
    ((2, 10, 5), (4,), None, "valid"),
    ((2, 11, 5), (3,), (2,), "same"),
])
def test_max_pooling_agrees_exactly(monkeypatch, rng, dtype, shape, pool, strides, padding):
    # few distinct values: many ties, which must go to the first position in both versions
    x0 = rng.integers(0, 4, shape).astype(dtype)

    def run():
        x = Tensor(x0, requires_grad=True)
        y = pooling.max_pool(x, pool, strides, padding)
        weights = Tensor(np.arange(y.data.size, dtype=dtype).reshape(y.shape))
        (y * weights).sum().backward()
        return y.numpy(), x.grad

    fast, reference = both_ways(monkeypatch, run, "max_pool", "max_pool_backward")
    for a, b in zip(fast, reference):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, pool, strides, padding", [
    ((2, 8, 8, 3), (2, 2), None, "valid"),
    ((2, 9, 7, 3), (2, 2), None, "same"),
    ((2, 9, 9, 2), (3, 3), (2, 1), "valid"),
    ((2, 11, 5), (3,), (2,), "same"),
])
def test_max_pooling_without_a_graph_gives_the_same_values(monkeypatch, rng, dtype, shape,
                                                           pool, strides, padding):
    """With nothing to record (inference), the compiled pass keeps no arg-max positions;
    the values, NaN included, are the reference's."""
    x0 = rng.integers(0, 4, shape).astype(dtype)
    x0.flat[::7] = np.nan

    def run():
        y = pooling.max_pool(Tensor(x0), pool, strides, padding)
        assert not hasattr(y, "_node") or y._node is None
        return y.numpy()

    fast, reference = both_ways(monkeypatch, run, "max_pool_values")
    np.testing.assert_array_equal(fast, reference)


def test_max_pooling_of_a_non_contiguous_gradient(monkeypatch, rng):
    """A gradient that arrives as a transposed view gives the same result."""
    x0 = rng.standard_normal((2, 6, 6, 3)).astype(np.float32)
    seed = rng.standard_normal((3, 3, 3, 2)).astype(np.float32).transpose(3, 0, 1, 2)
    assert not seed.flags.c_contiguous

    def run():
        x = Tensor(x0, requires_grad=True)
        pooling.max_pool(x, (2, 2)).backward(seed)
        return x.grad

    fast, reference = both_ways(monkeypatch, run, "max_pool_backward")
    np.testing.assert_array_equal(fast, reference)
