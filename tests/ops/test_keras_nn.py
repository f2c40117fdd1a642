"""saessak.ops.activations_more, the rest of keras.ops.nn: values against NumPy formulas,
loops and Keras's documented examples, dtypes, errors, and every gradient against central
finite differences (float64)."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.ops import keras_conv
from saessak.ops import keras_nn as nn
from saessak.ops.pooling import avg_pool

R = np.random.default_rng(11)


def f64(*arrays):
    return [Tensor(np.asarray(a, np.float64)) for a in arrays]


def away_from(x, kinks, gap=0.05):
    """``x`` with every value within ``gap`` of a kink pushed to 2 gap from it."""
    for k in kinks:
        near = np.abs(x - k) < gap
        x = np.where(near, k + 2 * gap * np.where(x >= k, 1.0, -1.0), x)
    return x


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


GRID = np.linspace(-4, 4, 41)

ELEMENTWISE = {  # name: (function, NumPy reference, kinks to keep gradient probes away from)
    "celu": (lambda x: nn.celu(x, 0.7), lambda x: np.where(x >= 0, x, 0.7 * np.expm1(x / 0.7)),
             [0]),
    "hard_shrink": (nn.hard_shrink, lambda x: np.where(np.abs(x) > 0.5, x, 0), [-0.5, 0.5]),
    "hard_tanh": (nn.hard_tanh, lambda x: np.clip(x, -1, 1), [-1, 1]),
    "hard_silu": (nn.hard_silu, lambda x: x * np.minimum(np.maximum(x + 3, 0), 6) / 6, [-3, 3]),
    "log_sigmoid": (nn.log_sigmoid, lambda x: -np.logaddexp(0, -x), []),
    "soft_shrink": (lambda x: nn.soft_shrink(x, 0.3),
                    lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.3, 0), [-0.3, 0.3]),
    "sparse_plus": (nn.sparse_plus,
                    lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)), [-1, 1]),
    "squareplus": (lambda x: nn.squareplus(x, 2), lambda x: (x + np.sqrt(x * x + 2)) / 2, []),
    "tanh_shrink": (nn.tanh_shrink, lambda x: x - np.tanh(x), []),
    "threshold": (lambda x: nn.threshold(x, 0.25, -2.0), lambda x: np.where(x > 0.25, x, -2.0),
                  [0.25]),
    "sparse_sigmoid": (nn.sparse_sigmoid, lambda x: np.clip((x + 1) / 2, 0, 1), [-1, 1]),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_values_and_dtypes(name):
    fn, reference, _ = ELEMENTWISE[name]
    y = fn(GRID.astype(np.float32))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), reference(GRID), rtol=1e-6, atol=1e-6)
    assert fn(Tensor(GRID)).dtype == np.float64  # float64 tensors stay float64
    ints = fn(np.array([-3, -1, 0, 2, 5]))
    assert ints.dtype == np.float32  # integers give floatx, as in Keras
    np.testing.assert_allclose(ints.numpy(), reference(np.array([-3.0, -1, 0, 2, 5])), atol=1e-6)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_gradients(name):
    fn, _, kinks = ELEMENTWISE[name]
    x = away_from(R.uniform(-4, 4, (3, 7)), kinks)
    result = grad_check(fn, x)
    assert result.ok, result


@pytest.mark.parametrize("fn, x, expected", [  # the examples in Keras's docstrings
    (nn.sparse_sigmoid, [-6.0, 1.0, 0.0, 1.0, 6.0], [0.0, 1.0, 0.5, 1.0, 1.0]),
    (nn.soft_shrink, [-1.0, 0.0, 1.0], [-0.5, 0.0, 0.5]),
    (nn.sparse_plus, [-1.0, 0.0, 1.0], [0.0, 0.25, 1.0]),
    (nn.squareplus, [-1.0, 0.0, 1.0], [0.6180340, 1.0, 1.6180340]),
    (nn.log_sigmoid, [-0.541391, 0.0, 0.50, 5.0], [-1.0000418, -0.6931472, -0.474077, -0.00671535]),
    (nn.hard_silu, [-3.0, -1.0, 0.0, 1.0, 3.0], [0.0, -0.3333333, 0.0, 0.6666667, 3.0]),
    (nn.celu, [-1.0, 0.0, 1.0], [-0.63212056, 0.0, 1.0]),
    (nn.glu, [-1.0, 0.0, 1.0, 1.0], [-0.73105858, 0.0]),
    (nn.tanh_shrink, [-1.0, 0.0, 1.0], [-0.23840584, 0.0, 0.23840584]),
    (nn.hard_tanh, [-2.0, -1.0, 0.0, 1.0, 2.0], [-1.0, -1.0, 0.0, 1.0, 1.0]),
    (nn.hard_shrink, [-0.5, 0.0, 1.0], [0.0, 0.0, 1.0]),
    (lambda x: nn.threshold(x, 1, 0), [-1.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.0, 2.0]),
    (nn.sparsemax, [-1.0, 0.0, 1.0], [0.0, 0.0, 1.0]),
])
def test_keras_documented_examples(fn, x, expected):
    np.testing.assert_allclose(fn(x).numpy(), expected, rtol=1e-6, atol=1e-7)


def test_hard_swish_is_hard_silu():
    assert nn.hard_swish is nn.hard_silu


def test_log_sigmoid_is_finite_far_out():
    x = Tensor(np.array([-1000.0, -40.0, 40.0, 1000.0], np.float32), requires_grad=True)
    y = nn.log_sigmoid(x)
    np.testing.assert_allclose(y.numpy(), [-1000.0, -40.0, -np.exp(-40.0), 0.0], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 1.0, np.exp(-40.0), 0.0], rtol=1e-6)


def test_tanh_shrink_gradient_keeps_its_digits_near_zero():
    # tanh^2 x, not 1 - (1 - tanh^2 x): in float32 the difference cancels to nothing
    x = Tensor(np.array([1e-3, -2e-3], np.float32), requires_grad=True)
    nn.tanh_shrink(x).sum().backward()
    np.testing.assert_allclose(x.grad, np.tanh([1e-3, -2e-3]) ** 2, rtol=1e-5)


# --- gated and sparse maps ------------------------------------------------------------------------
def test_glu_halves_along_the_axis():
    x = R.standard_normal((4, 3))
    y = nn.glu(Tensor(x), axis=0).numpy()
    np.testing.assert_allclose(y, x[:2] * sigmoid_np(x[2:]), rtol=1e-12)
    with pytest.raises(ValueError, match="even"):
        nn.glu(np.ones((2, 3)))
    result = grad_check(lambda t: nn.glu(t, axis=0), x)
    assert result.ok, result


def sparsemax_reference(row):
    """The projection onto the simplex, by its definition: the largest k whose k largest
    values all stay above the threshold (sum of them - 1) / k."""
    z = np.sort(row)[::-1]
    k = max(j for j in range(1, len(z) + 1) if z[j - 1] > (z[:j].sum() - 1) / j)
    return np.maximum(row - (z[:k].sum() - 1) / k, 0)


def test_sparsemax_against_the_definition():
    x = R.standard_normal((6, 5)) * 0.7
    y = nn.sparsemax(Tensor(x)).numpy()
    np.testing.assert_allclose(y, np.stack([sparsemax_reference(r) for r in x]), atol=1e-12)
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-12)  # a probability distribution
    assert (y >= 0).all() and (y == 0).any()  # sparse: some exact zeros
    np.testing.assert_allclose(nn.sparsemax(Tensor(x.T), axis=0).numpy(), y.T, atol=1e-12)
    # two values close together share the mass: (0.55, 0.45), not (0.3, 0.2) (Keras 3.15's
    # sum over the support's partial sums, a bug: the result does not sum to 1)
    np.testing.assert_allclose(nn.sparsemax([0.5, 0.4]).numpy(), [0.55, 0.45], rtol=1e-6)
    assert nn.sparsemax(np.array([[1, 0]])).dtype == np.float32


def test_sparsemax_gradient():
    x = R.standard_normal((4, 6))
    result = grad_check(lambda t: nn.sparsemax(t, axis=-1), x)
    assert result.ok, result
    result = grad_check(lambda t: nn.sparsemax(t, axis=0), x)
    assert result.ok, result
    t = Tensor(x, requires_grad=True)
    y = nn.sparsemax(t)
    y.sum().backward()  # the outputs always sum to 1: nothing to gain anywhere
    np.testing.assert_allclose(t.grad, 0, atol=1e-12)


# --- normalization and PSNR -----------------------------------------------------------------------
def test_rms_normalization():
    x = R.standard_normal((3, 4, 5))
    scale = R.standard_normal(5)
    expected = x / np.sqrt((x * x).mean(-1, keepdims=True) + backend.epsilon()) * scale
    np.testing.assert_allclose(nn.rms_normalization(Tensor(x), scale).numpy(), expected,
                               rtol=1e-10)
    plain = x / np.sqrt((x * x).mean((1, 2), keepdims=True) + 0.1)
    np.testing.assert_allclose(nn.rms_normalization(Tensor(x), axis=(1, 2), epsilon=0.1).numpy(),
                               plain, rtol=1e-10)
    np.testing.assert_allclose(nn.rms_normalization(Tensor(x), 2.0, epsilon=0.1).numpy(),
                               2 * x / np.sqrt((x * x).mean(-1, keepdims=True) + 0.1), rtol=1e-10)
    result = grad_check(lambda t, s: nn.rms_normalization(t, s), x, scale)
    assert result.ok, result


def test_psnr():
    x1, x2 = R.uniform(0, 1, (2, 4, 4, 3)), R.uniform(0, 1, (2, 4, 4, 3))
    expected = 20 * np.log10(2.0) - 10 * np.log10(np.mean((x1 - x2) ** 2))
    y = nn.psnr(x1.astype(np.float32), x2.astype(np.float32), 2.0)
    assert y.shape == () and y.dtype == np.float32
    np.testing.assert_allclose(float(y), expected, rtol=1e-5)
    np.testing.assert_allclose(float(nn.psnr(Tensor(x1), Tensor(x2), 2.0)), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="same shape"):
        nn.psnr(np.ones((2, 3)), np.ones((3, 2)), 1.0)
    result = grad_check(lambda a, b: nn.psnr(a, b, 2.0), x1, x2)
    assert result.ok, result


# --- pixel shuffles ---------------------------------------------------------------------------
def depth_to_space_loops(x, r, channels_first):
    """Element by element: channels last, input channel (i r + j) C + c goes to pixel (i, j)
    of the block, channel c; channels first, channel c r^2 + i r + j does."""
    if channels_first:
        n, c_in, h, w = x.shape
    else:
        n, h, w, c_in = x.shape
    c = c_in // (r * r)
    out = np.zeros((n, c, h * r, w * r) if channels_first else (n, h * r, w * r, c))
    for b, y, z, i, j, ch in np.ndindex(n, h, w, r, r, c):
        if channels_first:
            out[b, ch, y * r + i, z * r + j] = x[b, ch * r * r + i * r + j, y, z]
        else:
            out[b, y * r + i, z * r + j, ch] = x[b, y, z, (i * r + j) * c + ch]
    return out


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depth_to_space_and_back(data_format):
    first = data_format == "channels_first"
    x = R.standard_normal((2, 18, 2, 3) if first else (2, 2, 3, 18))
    y = nn.depth_to_space(Tensor(x), 3, data_format=data_format).numpy()
    np.testing.assert_array_equal(y, depth_to_space_loops(x, 3, first))
    back = nn.space_to_depth(Tensor(y), 3, data_format=data_format).numpy()
    np.testing.assert_array_equal(back, x)
    result = grad_check(lambda t: nn.depth_to_space(t, 3, data_format) * t[:1, :1, :1, :1], x)
    assert result.ok, result
    result = grad_check(lambda t: nn.space_to_depth(t, 3, data_format), y)
    assert result.ok, result


def test_pixel_shuffle_shapes_and_errors():
    x = np.arange(1 * 2 * 2 * 12).reshape(1, 2, 2, 12)
    y = nn.depth_to_space(x, block_size=2)
    assert y.shape == (1, 4, 4, 3) and y.dtype == np.float32
    assert nn.depth_to_space(x.reshape(1, 12, 2, 2), 2, "channels_first").shape == (1, 3, 4, 4)
    assert nn.space_to_depth(np.zeros((1, 4, 4, 3)), 2).shape == (1, 2, 2, 12)
    assert nn.space_to_depth(np.zeros((1, 3, 4, 4)), 2, "channels_first").shape == (1, 12, 2, 2)
    with pytest.raises(ValueError, match="4-d"):
        nn.depth_to_space(np.zeros((2, 4, 8)), 2)
    with pytest.raises(ValueError, match="at least 2"):
        nn.space_to_depth(np.zeros((1, 4, 4, 1)), 1)
    with pytest.raises(ValueError, match="divide"):
        nn.depth_to_space(np.zeros((1, 2, 2, 6)), 2)
    with pytest.raises(ValueError, match="divide"):
        nn.space_to_depth(np.zeros((1, 5, 4, 1)), 2)
    with pytest.raises(ValueError, match="data_format"):
        nn.depth_to_space(np.zeros((1, 2, 2, 4)), 2, "nhwc")


# --- attention, pooling and separable convolution in Keras's layouts ------------------------------
def attention_reference(q, k, v, bias=None, allowed=None, causal=False, scale=None):
    """Keras's (B, T, N, H) layout, one query at a time; K key heads serve N / K query heads
    each, key head h the query heads h G ... h G + G - 1."""
    b, t, n, h = q.shape
    s_len, groups = k.shape[1], n // k.shape[2]
    scale = 1 / np.sqrt(h) if scale is None else scale
    out = np.zeros(q.shape)
    for i, j, head in np.ndindex(b, t, n):
        logits = k[i, :, head // groups] @ q[i, j, head] * scale
        if bias is not None:
            logits = logits + np.broadcast_to(bias, (b, n, t, s_len))[i, head, j]
        keep = np.ones(s_len, bool)
        if allowed is not None:
            keep &= np.broadcast_to(allowed, (b, n, t, s_len))[i, head, j]
        if causal:
            keep &= np.arange(s_len) <= j
        logits = np.where(keep, logits, -1e9)
        w = np.exp(logits - logits.max())
        out[i, j, head] = (w / w.sum()) @ v[i, :, head // groups]
    return out


def test_dot_product_attention_values():
    q, k, v = R.standard_normal((2, 3, 4, 5)), R.standard_normal((2, 6, 2, 5)), \
        R.standard_normal((2, 6, 2, 5))
    bias, allowed = R.standard_normal((1, 4, 3, 6)), R.random((2, 1, 3, 6)) > 0.3
    got = nn.dot_product_attention(*f64(q, k, v), bias=bias, mask=allowed, is_causal=True)
    np.testing.assert_allclose(got.numpy(), attention_reference(q, k, v, bias, allowed, True),
                               rtol=1e-10, atol=1e-12)
    got = nn.dot_product_attention(*f64(q, k, v), scale=0.3)
    np.testing.assert_allclose(got.numpy(), attention_reference(q, k, v, scale=0.3), rtol=1e-10)
    keys = np.array([True, False, True, True, False, True])  # a mask of one axis broadcasts
    got = nn.dot_product_attention(*f64(q, k, v), mask=keys)
    np.testing.assert_allclose(got.numpy(), attention_reference(q, k, v, allowed=keys),
                               rtol=1e-10)
    got32 = nn.dot_product_attention(*(a.astype(np.float32) for a in (q, k, v)))
    assert got32.dtype == np.float32 and got32.shape == q.shape


def test_dot_product_attention_gradients():
    q, k, v = R.standard_normal((2, 3, 2, 3)), R.standard_normal((2, 4, 1, 3)), \
        R.standard_normal((2, 4, 1, 3))
    bias = R.standard_normal((1, 2, 3, 4))
    result = grad_check(lambda a, b, c, d: nn.dot_product_attention(a, b, c, bias=d,
                                                                    is_causal=True), q, k, v, bias)
    assert result.ok, result
    allowed = R.random((2, 2, 3, 4)) > 0.3
    result = grad_check(lambda a, b, c: nn.dot_product_attention(a, b, c, mask=allowed), q, k, v)
    assert result.ok, result


def test_dot_product_attention_refuses_what_it_lacks():
    q = np.zeros((1, 2, 2, 4), np.float32)
    with pytest.raises(ValueError, match="flash"):
        nn.dot_product_attention(q, q, q, flash_attention=True)
    with pytest.raises(ValueError, match="soft_cap"):
        nn.dot_product_attention(q, q, q, attn_logits_soft_cap=20.0)
    with pytest.raises(ValueError, match="4-d"):
        nn.dot_product_attention(q[0], q[0], q[0])
    with pytest.raises(ValueError, match="multiple"):
        nn.dot_product_attention(np.zeros((1, 2, 3, 4)), q, q)


def test_average_pool():
    x = R.standard_normal((2, 6, 4, 3))
    valid = keras_conv.average_pool(Tensor(x), 2).numpy()  # strides default to the pool
    np.testing.assert_allclose(valid, x.reshape(2, 3, 2, 2, 2, 3).mean((2, 4)), rtol=1e-12)
    same = keras_conv.average_pool(Tensor(x), (3, 2), (2, 1), "same", "channels_last").numpy()
    np.testing.assert_array_equal(same, avg_pool(Tensor(x), (3, 2), (2, 1), "same").numpy())
    first = keras_conv.average_pool(Tensor(x.transpose(0, 3, 1, 2)), (3, 2), (2, 1), "same",
                            "channels_first").numpy()
    np.testing.assert_array_equal(first, same.transpose(0, 3, 1, 2))
    steps = keras_conv.average_pool(Tensor(x[:, :, 0]), 3, 1).numpy()  # 1-d
    np.testing.assert_allclose(steps[:, 1], x[:, 1:4, 0].mean(1), rtol=1e-12)
    result = grad_check(lambda t: keras_conv.average_pool(t, (3, 2), (2, 1), "same",
                                                          "channels_first"),
                        x.transpose(0, 3, 1, 2))
    assert result.ok, result


def separable_reference(x, depthwise, pointwise, stride, dilation):
    """'valid' separable convolution, channels last, by loops over the kernel taps."""
    kh, kw, c, m = depthwise.shape
    n, h, w, _ = x.shape
    oh = (h - (kh - 1) * dilation - 1) // stride + 1
    ow = (w - (kw - 1) * dilation - 1) // stride + 1
    mid = np.zeros((n, oh, ow, c, m))
    for a, b in np.ndindex(kh, kw):
        patch = x[:, a * dilation::stride, b * dilation::stride][:, :oh, :ow]
        mid += patch[..., None] * depthwise[a, b]
    return mid.reshape(n, oh, ow, c * m) @ pointwise[0, 0]


def test_separable_conv():
    x = R.standard_normal((2, 7, 8, 3))
    dk, pk = R.standard_normal((3, 2, 3, 2)), R.standard_normal((1, 1, 6, 4))
    for stride, dilation in ((1, 1), (2, 1), (1, 2)):
        got = keras_conv.separable_conv(*f64(x, dk, pk), strides=stride, dilation_rate=dilation)
        np.testing.assert_allclose(got.numpy(), separable_reference(x, dk, pk, stride, dilation),
                                   rtol=1e-10)
    last = keras_conv.separable_conv(*f64(x, dk, pk), padding="same").numpy()
    assert last.shape == (2, 7, 8, 4)
    first = keras_conv.separable_conv(*f64(x.transpose(0, 3, 1, 2), dk, pk), padding="same",
                              data_format="channels_first").numpy()
    np.testing.assert_allclose(first, last.transpose(0, 3, 1, 2), rtol=1e-12)
    result = grad_check(lambda a, b, c: keras_conv.separable_conv(a, b, c, padding="same",
                                                          data_format="channels_first"),
                        x[:1, :4, :5].transpose(0, 3, 1, 2), dk, pk)
    assert result.ok, result
