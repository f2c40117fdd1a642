"""Gradients of gradients through pooling, gather and embedding lookups, attention, adaptive
pooling, unfold/fold, Fourier transforms, frames and warps: each op's recorded backward is
checked with ``second_order_check`` in float64, around a non-linear function so that the
second derivative is not zero. The linear maps (a pool's routing, a scatter, an adjoint
transform) are pairs of ops, each the other's backward, so third derivatives pass too."""

from __future__ import annotations

import numpy as np
import pytest

from saessak import ops
from saessak.autograd import Tensor
from saessak.ops import attention, spectral, windows
from saessak.ops.embedding import embedding_lookup
from saessak.ops.gradients import gradients, second_order_check
from saessak.ops.image import warp
from saessak.ops.manipulation import gather
from saessak.ops.pooling import avg_pool, max_pool


def check(fn, *arrays, tol=1e-5):
    result = second_order_check(fn, *arrays, tol=tol)
    assert result.ok, str(result)


def rand(*shape, seed=3):
    return np.random.default_rng(seed + sum(shape)).uniform(-1.0, 1.0, shape)


def third_order(fn, x):
    """A check of the third derivative: the recorded gradient <v, grad fn(x)> as the function
    whose second derivative ``second_order_check`` checks."""
    v = np.random.default_rng(7).standard_normal(x.shape)

    def h(x):
        (g,) = gradients([fn(x)], [None], [x])
        return ops.sum(g * v)
    check(h, x)


# --- pooling --------------------------------------------------------------------------------
POOLS = {
    "max_2x2": lambda x: max_pool(ops.tanh(x), (2, 2)) ** 3,
    "max_3x3_stride2_same": lambda x: max_pool(ops.tanh(x), (3, 3), (2, 2), "same") ** 3,
    "max_3x3_stride1_valid": lambda x: max_pool(ops.tanh(x), (3, 3), (1, 1)) ** 3,
    "avg_2x2": lambda x: ops.tanh(avg_pool(x * x, (2, 2))),
    "avg_3x3_stride2_same": lambda x: avg_pool(x, (3, 3), (2, 2), "same") ** 3,  # counts 4..9
    "avg_2x2_stride1_same": lambda x: ops.tanh(avg_pool(x, (2, 2), (1, 1), "same")) * x,
}


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pooling_2d(name):
    check(POOLS[name], rand(2, 5, 5, 2))


@pytest.mark.parametrize("pool", [max_pool, avg_pool], ids=["max", "avg"])
@pytest.mark.parametrize("size,strides,padding", [(2, None, "valid"), (3, 2, "same")])
def test_pooling_1d(pool, size, strides, padding):
    check(lambda x: ops.tanh(pool(x * x, (size,), strides and (strides,), padding)) ** 3,
          rand(2, 7, 3))


@pytest.mark.parametrize("pool", [max_pool, avg_pool], ids=["max", "avg"])
def test_pooling_third_derivative(pool):
    third_order(lambda x: pool(ops.tanh(x), (3, 3), (2, 2), "same") ** 3, Tensor(
        rand(1, 4, 4, 2), requires_grad=True))


@pytest.mark.parametrize("pool", [max_pool, avg_pool], ids=["max", "avg"])
def test_pooling_float32_keeps_dtype(pool):
    # float32 takes max pooling's compiled path (where numba is there)
    x64 = rand(2, 6, 6, 4)
    v = np.random.default_rng(0).standard_normal(x64.shape)
    grads = []
    for dtype in (np.float32, np.float64):
        x = Tensor(x64.astype(dtype), requires_grad=True)
        (g,) = gradients([pool(ops.tanh(x), (2, 2)) ** 3], [None], [x])
        ops.sum(g * v.astype(dtype)).backward()
        assert g.dtype == dtype and x.grad.dtype == dtype
        grads.append((g.numpy(), x.grad))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# --- gather and embedding lookups ----------------------------------------------------------
@pytest.mark.parametrize("axis,indices", [
    (0, [2, 0, 2, 1]), (1, [[0, 3], [3, 3]]), (-1, [1, -1, 1]), (1, 2)])
def test_gather(axis, indices):
    check(lambda x: gather(ops.tanh(x), np.array(indices), axis=axis) ** 3, rand(3, 4, 2))


def test_gather_third_derivative():
    third_order(lambda x: gather(x, np.array([1, 1, 0]), axis=0) ** 4,
                Tensor(rand(2, 3), requires_grad=True))


def test_embedding_lookup_with_repeated_ids():
    ids = np.array([[0, 3, 3], [1, 0, 4]])
    check(lambda table: ops.tanh(embedding_lookup(table * table, ids)) ** 2, rand(5, 3))


def test_extract_sequences():
    check(lambda x: windows.extract_sequences(ops.tanh(x), 3, 2) ** 3, rand(2, 8))


# --- attention ------------------------------------------------------------------------------
@pytest.mark.parametrize("mask,causal", [(None, False), (None, True), ("mask", False)])
def test_scaled_dot_product_attention(mask, causal):
    if mask == "mask":
        mask = np.array([[True, True, False, True], [False, True, True, True],
                         [False, False, False, False]])  # the last query sees nothing

    def f(q, k, v):
        out, weights = attention.scaled_dot_product_attention(q, k, v, mask=mask,
                                                              causal=causal)
        return ops.sum(ops.tanh(out)) + ops.sum(weights * weights)
    check(f, rand(2, 3, 2), rand(2, 4, 2), rand(2, 4, 3))


def test_attention_with_dropout_and_a_constant_input():
    v = rand(1, 4, 3)  # a plain array: a constant inside the composite

    def f(q, k):
        out, _ = attention.scaled_dot_product_attention(
            q, k, v, dropout=0.5, training=True, seed=1, need_weights=False)
        return out ** 3
    check(f, rand(1, 3, 2), rand(1, 4, 2))


@pytest.mark.parametrize("need_weights", [True, False])
def test_packed_self_attention(need_weights):
    def f(qkv):
        out, weights = attention.packed_self_attention(qkv, 2, 2, 1, causal=True,
                                                       need_weights=need_weights)
        return ops.sum(out ** 3) + (ops.sum(weights * weights) if need_weights else 0.0)
    check(f, rand(2, 3, 10))


def test_masked_softmax():
    mask = np.array([[True, False, True], [False, False, False]])
    check(lambda s: attention.masked_softmax(s * s, mask) * s, rand(2, 2, 3))


def test_attention_dropout():
    check(lambda x: attention.attention_dropout(x * x, 0.4, training=True, seed=2) * x,
          rand(3, 4))


def test_attention_third_derivative():
    k = rand(1, 3, 2, seed=5)
    third_order(lambda q: attention.scaled_dot_product_attention(q, k, k, causal=True)[0] ** 2,
                Tensor(rand(1, 3, 2), requires_grad=True))


def test_attention_float32_keeps_dtype():
    # float32 takes the compiled softmax kernels (where numba is there); the composite the ops
    mask = np.array([[True, False, True, True]])  # key 1 is hidden from every query
    qkv64, v = rand(2, 4, 12), np.random.default_rng(0).standard_normal((2, 4, 12))
    grads = []
    for dtype in (np.float32, np.float64):
        qkv = Tensor(qkv64.astype(dtype), requires_grad=True)
        out, weights = attention.packed_self_attention(qkv, 2, 2, mask=mask)
        (g,) = gradients([ops.tanh(out), weights * weights], [None, None], [qkv])
        ops.sum(g * v.astype(dtype)).backward()
        assert g.dtype == dtype and qkv.grad.dtype == dtype
        grads.append((g.numpy(), qkv.grad))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# --- adaptive pooling, unfold and fold -------------------------------------------------------
@pytest.mark.parametrize("pool", [windows.adaptive_average_pool, windows.adaptive_max_pool],
                         ids=["average", "max"])
@pytest.mark.parametrize("shape,size", [((2, 7, 2), 3), ((1, 5, 7, 2), (2, 3))])
def test_adaptive_pool(pool, shape, size):
    check(lambda x: pool(ops.tanh(x), size, data_format="channels_last") ** 3, rand(*shape))


@pytest.mark.parametrize("pool", [windows.adaptive_average_pool, windows.adaptive_max_pool],
                         ids=["average", "max"])
def test_adaptive_pool_third_derivative(pool):
    third_order(lambda x: pool(x, 2, data_format="channels_last") ** 4,
                Tensor(rand(1, 5, 2), requires_grad=True))


def test_unfold():
    check(lambda x: ops.tanh(windows.unfold(x * x, 2, padding=1, stride=2)) * 3.0,
          rand(1, 2, 4, 3))


def test_fold():
    check(lambda c: windows.fold(ops.tanh(c), (4, 4), 3, padding=1) ** 3, rand(1, 2 * 9, 16))


def test_unfold_fold_third_derivative():
    third_order(lambda x: windows.fold(windows.unfold(x, 2) ** 2, (3, 3), 2) ** 2,
                Tensor(rand(1, 1, 3, 3), requires_grad=True))


# --- Fourier transforms and frames -----------------------------------------------------------
def _complex_fn(transform):
    def f(re, im):
        y_re, y_im = transform((ops.tanh(re), im * im))
        return y_re ** 3 + y_im * y_re
    return f


@pytest.mark.parametrize("transform", [spectral.fft, spectral.fft2, spectral.ifft2],
                         ids=["fft", "fft2", "ifft2"])
def test_complex_transforms(transform):
    check(_complex_fn(transform), rand(2, 3, 4), rand(2, 3, 4, seed=4))


@pytest.mark.parametrize("fft_length", [None, 4, 9])
def test_rfft(fft_length):
    def f(x):
        re, im = spectral.rfft(ops.tanh(x), fft_length)
        return re * im + im ** 3
    check(f, rand(2, 6))


@pytest.mark.parametrize("fft_length", [None, 7, 4])
def test_irfft(fft_length):
    check(lambda re, im: spectral.irfft((re * re, ops.tanh(im)), fft_length) ** 3,
          rand(2, 5), rand(2, 5, seed=4))


def test_fft_third_derivative():
    third_order(lambda x: spectral.fft((x, x * 0.5))[0] ** 4,
                Tensor(rand(2, 4), requires_grad=True))


def test_rfft_irfft_third_derivative():
    third_order(lambda x: spectral.irfft(spectral.rfft(x ** 2), 7) ** 2,
                Tensor(rand(1, 7), requires_grad=True))


@pytest.mark.parametrize("center", [True, False])
def test_stft(center):
    def f(x):
        re, im = spectral.stft(ops.tanh(x), 6, 3, 8, center=center)
        return re * re * im
    check(f, rand(2, 13))


def test_istft():
    def f(re, im):
        return spectral.istft((ops.tanh(re), im), 6, 3, 8) ** 3
    check(f, rand(1, 4, 5), rand(1, 4, 5, seed=4))


# --- warps ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fill_mode", ["constant", "reflect"])
def test_warp(fill_mode):
    angle = 0.3
    matrix = np.array([[np.cos(angle), -np.sin(angle), 0.7],
                       [np.sin(angle), np.cos(angle), -0.4], [0, 0, 1]])
    check(lambda x: ops.tanh(warp(x * x, matrix, fill_mode=fill_mode, fill_value=0.5)) * x,
          rand(2, 4, 5, 2))
