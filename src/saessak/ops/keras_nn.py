"""The rest of Keras 3's ``keras.ops.nn``: more activations (shrinkage, sparse and gated
ones), sparsemax, RMS normalization, PSNR, pixel (un)shuffles, and Keras's layout for
attention (the convolutions and pools are in :mod:`.keras_conv`).

Each takes Tensors, arrays or numbers; integer inputs give floatx (float32), as in Keras.
Where an op is a composition of saessak's ops its gradient comes with them; the others are
small Functions, with their derivative beside them.
"""

from __future__ import annotations

import math as _math

import numpy as np

from .. import backend
from ..autograd.tensor import Function
from .activations import _sigmoid, elu, hard_sigmoid, sigmoid, tanh
from .attention import masked_softmax, scaled_dot_product_attention
from .data_format import check_data_format
from .dtypes import floating
from .layer_normalization import rms_norm
from .linalg import matmul
from .manipulation import repeat, reshape, split, swapaxes, transpose
from .math import clip, log, sqrt, square
from .reduction import mean
from .reduction import sum as _sum


# --- elementwise ------------------------------------------------------------------------------
class KeepWhere(Function):
    """x where ``test(x)`` holds, else the constant ``fill``: slope 1 there, 0 elsewhere."""

    def __init__(self, test, fill):
        self.test, self.fill = test, fill

    def forward(self, x):
        self.mask = self.test(x)
        return np.where(self.mask, x, np.asarray(self.fill, x.dtype))

    def backward(self, g):
        return g * self.mask

    backward_ops = backward  # the mask is a constant


class LogSigmoid(Function):
    def forward(self, x):  # log s(x) = min(x, 0) - log(1 + e^-|x|): no overflow for any x
        self.x = x
        return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)

    def backward(self, g):  # (log s)' = 1 - s(x) = s(-x)
        return g * _sigmoid(-self.x)

    def backward_ops(self, g):
        return g * sigmoid(-self.inputs[0])


class SparsePlus(Function):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""

    def forward(self, x):
        self.x = x
        return np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)).astype(x.dtype)

    def backward(self, g):  # the slope is sparse_sigmoid(x) = clip((x + 1) / 2, 0, 1)
        return g * np.clip((self.x + 1) / 2, 0, 1)

    def backward_ops(self, g):
        return g * clip((self.inputs[0] + 1) * 0.5, 0.0, 1.0)


class Squareplus(Function):
    """(x + sqrt(x^2 + b)) / 2, a smooth relu."""

    def __init__(self, b):
        self.b = b

    def forward(self, x):
        self.x, self.root = x, np.sqrt(x * x + x.dtype.type(self.b))
        return (x + self.root) / 2

    def backward(self, g):  # (1 + x / sqrt(x^2 + b)) / 2
        return g * (1 + self.x / self.root) / 2

    def backward_ops(self, g):
        x = self.inputs[0]
        return g * (1 + x / sqrt(x * x + self.b)) / 2


class TanhShrink(Function):
    def forward(self, x):
        self.t = np.tanh(x)
        return x - self.t

    def backward(self, g):  # (x - tanh x)' = tanh^2 x (1 - (1 - t^2) would lose digits near 0)
        return g * self.t * self.t

    def backward_ops(self, g):
        t = tanh(self.inputs[0])
        return g * t * t


class Sparsemax(Function):
    """The Euclidean projection of x onto the probability simplex along ``axis``:
    y = max(x - tau, 0), with the threshold tau that makes y sum to 1."""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        ax = self.axis
        z = np.flip(np.sort(x, axis=ax), axis=ax)  # descending
        shape = [1] * x.ndim
        shape[ax] = -1
        rank = np.arange(1, x.shape[ax] + 1, dtype=x.dtype).reshape(shape)
        total = np.cumsum(z, axis=ax)
        # the support: the k largest, for the largest k with 1 + k z_k > z_1 + ... + z_k
        size = np.sum(1 + rank * z > total, axis=ax, keepdims=True)
        tau = (np.take_along_axis(total, size - 1, axis=ax) - 1) / size.astype(x.dtype)
        self.y = np.maximum(x - tau, 0)
        return self.y

    def backward(self, g):  # on the support S: dx = g - mean_S(g); zero off it
        s = self.y > 0
        mean_s = (g * s).sum(self.axis, keepdims=True) / s.sum(self.axis, keepdims=True,
                                                               dtype=g.dtype)
        return s * (g - mean_s)

    def backward_ops(self, g):  # linear in g; the support S is a constant
        s = (self.y > 0).astype(g.dtype)
        mean_s = _sum(g * s, self.axis, keepdims=True) / s.sum(self.axis, keepdims=True)
        return (g - mean_s) * s


def celu(x, alpha=1.0):
    """x for x >= 0, alpha (e^(x/alpha) - 1) below: alpha * elu(x / alpha)."""
    return elu(floating(x) / alpha) * alpha


def glu(x, axis=-1):
    """The gated linear unit a * sigmoid(b), a and b the two halves of x along ``axis``."""
    x = floating(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even size, received shape "
                         f"{tuple(x.shape)}")
    a, b = split(x, 2, axis=axis)
    return a * sigmoid(b)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return KeepWhere(lambda v: np.abs(v) > threshold, 0)(floating(x))


def hard_tanh(x):
    """clip(x, -1, 1)."""
    return clip(floating(x), -1.0, 1.0)


def hard_silu(x):
    """x * hard_sigmoid(x) = x * clip(x / 6 + 1/2, 0, 1), also called hard swish."""
    x = floating(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def log_sigmoid(x):
    """log(1 / (1 + e^-x)) = -softplus(-x), finite for any x."""
    return LogSigmoid()(floating(x))


def soft_shrink(x, threshold=0.5):
    """x - threshold above threshold, x + threshold below -threshold, else 0:
    x - clip(x, -threshold, threshold)."""
    x = floating(x)
    return x - clip(x, -threshold, threshold)


def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""
    return SparsePlus()(floating(x))


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2."""
    return Squareplus(b)(floating(x))


def tanh_shrink(x):
    """x - tanh(x)."""
    return TanhShrink()(floating(x))


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value."""
    return KeepWhere(lambda v: v > threshold, default_value)(floating(x))


def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1: clip((x + 1) / 2, 0, 1)."""
    return clip((floating(x) + 1) * 0.5, 0.0, 1.0)


def sparsemax(x, axis=-1):
    """max(x - tau, 0) along ``axis``, tau such that the result sums to 1 (often with zeros)."""
    return Sparsemax(axis)(floating(x))


# --- normalization and measures -----------------------------------------------------------------
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x^2 over axis) + epsilon) * scale; epsilon defaults to
    backend.epsilon(). Keras's name for :func:`.layer_normalization.rms_norm`."""
    x = floating(x)
    if scale is not None:
        scale = floating(scale)
    return rms_norm(x, scale, axis, backend.epsilon() if epsilon is None else epsilon)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in decibels, over all elements:
    20 log10(max_val) - 10 log10(mean((x1 - x2)^2))."""
    x1, x2 = floating(x1), floating(x2)
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(f"psnr: x1 and x2 must have the same shape, received "
                         f"{tuple(x1.shape)} and {tuple(x2.shape)}")
    peak = 20 * np.log10(np.asarray(getattr(max_val, "data", max_val), np.float64))
    return log(mean(square(x1 - x2))) * (-10 / _math.log(10)) + peak


# --- pixel shuffles ---------------------------------------------------------------------------
def _check_block(x, block_size, owner):
    if len(x.shape) != 4:
        raise ValueError(f"{owner}: expected a 4-d input, received shape {tuple(x.shape)}")
    if block_size < 2:
        raise ValueError(f"{owner}: block_size must be at least 2, received {block_size}")


def depth_to_space(x, block_size, data_format="channels_last"):
    """Pixel shuffle: (N, H, W, C r^2) -> (N, H r, W r, C), r = block_size. Channels last,
    input channel (i r + j) C + c lands on pixel (i, j) of its block, channel c; channels
    first (N, C r^2, H, W) -> (N, C, H r, W r), channel c r^2 + i r + j does."""
    x, r = floating(x), int(block_size)
    _check_block(x, r, "depth_to_space")
    if check_data_format(data_format, "depth_to_space") == "channels_last":
        n, h, w, c = x.shape
        if c % (r * r):
            raise ValueError(f"depth_to_space: {c} channels do not divide by {r * r}")
        y = transpose(reshape(x, (n, h, w, r, r, c // (r * r))), (0, 1, 3, 2, 4, 5))
        return reshape(y, (n, h * r, w * r, c // (r * r)))
    n, c, h, w = x.shape
    if c % (r * r):
        raise ValueError(f"depth_to_space: {c} channels do not divide by {r * r}")
    y = transpose(reshape(x, (n, c // (r * r), r, r, h, w)), (0, 1, 4, 2, 5, 3))
    return reshape(y, (n, c // (r * r), h * r, w * r))


def space_to_depth(x, block_size, data_format="channels_last"):
    """The inverse of :func:`depth_to_space`: (N, H r, W r, C) -> (N, H, W, C r^2)."""
    x, r = floating(x), int(block_size)
    _check_block(x, r, "space_to_depth")
    first = check_data_format(data_format, "space_to_depth") == "channels_first"
    n, c, h, w = x.shape if first else (x.shape[0], x.shape[3], x.shape[1], x.shape[2])
    if h % r or w % r:
        raise ValueError(f"space_to_depth: height {h} and width {w} must divide by {r}")
    if not first:
        y = transpose(reshape(x, (n, h // r, r, w // r, r, c)), (0, 1, 3, 2, 4, 5))
        return reshape(y, (n, h // r, w // r, c * r * r))
    y = transpose(reshape(x, (n, c, h // r, r, w // r, r)), (0, 1, 3, 5, 2, 4))
    return reshape(y, (n, c * r * r, h // r, w // r))


# --- Keras's layout for attention ---------------------------------------------------------------
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """softmax(scale Q K^T + bias, masked) V for query (B, T, N, H), key and value
    (B, S, K, H): Keras's layout, heads on axis 2; N a multiple of K (grouped queries).
    ``bias`` and ``mask`` (True: may attend) broadcast to (B, N, T, S); ``scale`` defaults
    to 1/sqrt(H). Runs :func:`.attention.scaled_dot_product_attention` on (B, N, T, H)."""
    if flash_attention:
        raise ValueError("dot_product_attention: flash attention is not supported in saessak")
    if attn_logits_soft_cap is not None:
        raise ValueError("dot_product_attention: attn_logits_soft_cap is not supported in "
                         "saessak (Keras supports it on JAX with TPUs only)")
    query, key, value = (floating(t) for t in (query, key, value))
    if any(len(t.shape) != 4 for t in (query, key, value)):
        raise ValueError(f"dot_product_attention: expected 4-d query, key and value (batch, "
                         f"length, heads, size), received shapes {tuple(query.shape)}, "
                         f"{tuple(key.shape)}, {tuple(value.shape)}")
    heads, kv_heads = query.shape[2], key.shape[2]
    if heads != kv_heads:  # grouped queries: key head h serves query heads h G ... h G + G - 1
        if heads % kv_heads:
            raise ValueError(f"dot_product_attention: {heads} query heads are not a multiple "
                             f"of {kv_heads} key heads")
        key, value = (repeat(t, heads // kv_heads, axis=2) for t in (key, value))
    q, k, v = (transpose(t, (0, 2, 1, 3)) for t in (query, key, value))
    if mask is not None:  # at least (T, S), as the attention kernels read it
        mask = np.asarray(getattr(mask, "data", mask)).astype(bool)
        mask = mask.reshape((1,) * (2 - mask.ndim) + mask.shape)
    scale = 1.0 / _math.sqrt(query.shape[-1]) if scale is None else float(scale)
    if bias is None:
        out, _ = scaled_dot_product_attention(q, k, v, mask=mask, causal=is_causal,
                                              scale=scale, need_weights=False)
    else:
        scores = matmul(q, swapaxes(k, -1, -2)) * scale + floating(bias)
        out = matmul(masked_softmax(scores, mask, is_causal), v)
    return transpose(out, (0, 2, 1, 3))
