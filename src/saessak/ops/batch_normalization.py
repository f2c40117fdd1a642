"""Batch normalization, fused: forward and backward each in a few array expressions.

In training, every channel is standardized with the mean and variance of the batch
(over every axis but the channel axis), then scaled and shifted:

    xhat = (x - mean) / sqrt(var + eps)          y = gamma * xhat + beta

Because mean and var depend on every x, the input gradient has two extra terms
(``m`` values per channel, ``dxhat = dy * gamma``, sums over the reduced axes):

    dx = (dxhat - sum(dxhat)/m - xhat * sum(dxhat * xhat)/m) / sqrt(var + eps)

At inference the stored moving averages replace the batch's statistics and the op is a
plain affine map per channel.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Function
from .manipulation import reshape
from .math import sqrt
from .reduction import mean
from .reduction import sum as sum_


def _layout(ndim, axis):
    """Reduced axes and the broadcast shape of per-channel parameters."""
    axis = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axis = tuple(sorted(a % ndim for a in axis))
    reduce = tuple(a for a in range(ndim) if a not in axis)
    return axis, reduce


class BatchNormTrain(Function):
    """Normalize with the batch's statistics. ``weights`` (optional; broadcastable to x,
    size 1 on the channel axes, e.g. a sequence mask) choose which positions count toward
    the mean and variance. Saves ``mean`` and ``var`` (per channel) for moving averages.
    The inputs are ``x`` then gamma and beta, each only where the flags say it is given."""

    def __init__(self, axis=-1, epsilon=1e-3, weights=None, has_gamma=True, has_beta=True):
        self.axis, self.epsilon, self.weights = axis, epsilon, weights
        self.has_gamma, self.has_beta = has_gamma, has_beta

    def statistics(self, x, axis, reduce, shape, w):
        """``(count, mean, x - mean, var)`` per channel (keepdims) over the positions that
        ``w`` counts; a subclass may take them over more than this batch."""
        if w is None:
            count = x.size // int(np.prod(shape))
            mean = x.mean(axis=reduce, keepdims=True)
            centered = x - mean
            return count, mean, centered, (centered * centered).mean(axis=reduce, keepdims=True)
        full = tuple(1 if a in axis else n for a, n in enumerate(x.shape))
        count = np.broadcast_to(w, full).sum(axis=reduce, keepdims=True)
        mean = (x * w).sum(axis=reduce, keepdims=True) / count
        centered = x - mean
        return count, mean, centered, (centered * centered * w).sum(axis=reduce,
                                                                    keepdims=True) / count

    def forward(self, x, *params):
        axis, reduce = _layout(x.ndim, self.axis)
        shape = tuple(x.shape[a] if a in axis else 1 for a in range(x.ndim))
        w = self.weights
        if w is not None:
            w = np.asarray(w, dtype=x.dtype) if not hasattr(w, "dtype") else w.astype(x.dtype)
        count, mean, centered, var = self.statistics(x, axis, reduce, shape, w)
        inv = 1.0 / np.sqrt(var + self.epsilon)
        xhat = centered * inv
        self.xhat, self.inv, self.count, self.reduce, self.w = xhat, inv, count, reduce, w
        params = list(params)
        self.params, self.shape = params.copy(), shape  # references, for the composite
        self.gamma = params.pop(0).reshape(shape) if self.has_gamma else None
        self.mean, self.var = mean.reshape(-1), var.reshape(-1)
        y = xhat if self.gamma is None else xhat * self.gamma
        return y + params.pop(0).reshape(shape) if self.has_beta else y

    def composite(self, x, *params):
        """The same normalisation in recorded ops, for gradients of gradients."""
        reduce, w = self.reduce, self.w
        if w is None:
            mu = mean(x, reduce, keepdims=True)
            xc = x - mu
            var = mean(xc * xc, reduce, keepdims=True)
        else:
            mu = sum_(x * w, reduce, keepdims=True) / self.count
            xc = x - mu
            var = sum_(xc * xc * w, reduce, keepdims=True) / self.count
        y = xc / sqrt(var + self.epsilon)
        return _scale_and_shift(self, y, params)

    def backward(self, g):
        xhat, inv, reduce = self.xhat, self.inv, self.reduce
        dgamma = (g * xhat).sum(axis=reduce, keepdims=True)  # sum(dy * xhat)
        if self.gamma is None:
            dxhat, s2 = g, dgamma
        else:
            dxhat, s2 = g * self.gamma, dgamma * self.gamma  # s2 = sum(dxhat * xhat)
        s1 = dxhat.sum(axis=reduce, keepdims=True)  # sum(dxhat)
        share = inv / self.count if self.w is None else self.w * inv / self.count
        grads = [dxhat * inv - share * (s1 + xhat * s2)]
        if self.has_gamma:
            grads.append(dgamma.reshape(-1))
        if self.has_beta:
            grads.append(g.sum(axis=reduce).reshape(-1))
        return tuple(grads)


class BatchNormInference(Function):
    """``y = (x - mean) / sqrt(var + eps) * gamma + beta`` with given (moving) statistics.
    Inputs: x, mean, var, then gamma and beta where the flags say they are given."""

    def __init__(self, axis=-1, epsilon=1e-3, has_gamma=True, has_beta=True):
        self.axis, self.epsilon = axis, epsilon
        self.has_gamma, self.has_beta = has_gamma, has_beta

    def forward(self, x, mean, var, *params):
        axis, reduce = _layout(x.ndim, self.axis)
        shape = tuple(x.shape[a] if a in axis else 1 for a in range(x.ndim))
        params = list(params)
        self.params, self.shape, self.var = params.copy(), shape, var
        inv = 1.0 / np.sqrt(var.reshape(shape) + self.epsilon)
        scale = inv * params.pop(0).reshape(shape) if self.has_gamma else inv
        self.x, self.mean, self.inv, self.scale, self.reduce = (x, mean.reshape(shape), inv,
                                                                scale, reduce)
        y = (x - self.mean) * scale
        return y + params.pop(0).reshape(shape) if self.has_beta else y

    def composite(self, x, mean_, var, *params):
        mean_ = self.input_or_saved(1, self.mean)
        var = self.input_or_saved(2, self.var)
        y = (x - reshape(mean_, self.shape)) / sqrt(reshape(var, self.shape) + self.epsilon)
        return _scale_and_shift(self, y, params)

    def backward(self, g):
        reduce = self.reduce
        gs = (g * (self.x - self.mean)).sum(axis=reduce, keepdims=True)  # sum(dy (x - mean))
        grads = [g * self.scale,  # dx
                 -(g.sum(axis=reduce, keepdims=True) * self.scale).reshape(-1),  # dmean
                 (-0.5 * gs * self.scale * self.inv * self.inv).reshape(-1)]  # dvar
        if self.has_gamma:
            grads.append((gs * self.inv).reshape(-1))
        if self.has_beta:
            grads.append(g.sum(axis=reduce).reshape(-1))
        return tuple(grads)


def _scale_and_shift(node, y, params):
    """``y * gamma + beta`` with the node's parameters (recorded, or the arrays it saved)."""
    params, saved = list(params), list(node.params)
    if node.has_gamma:
        gamma, array = params.pop(0), saved.pop(0)
        y = y * reshape(array if gamma is None else gamma, node.shape)
    if node.has_beta:
        beta, array = params.pop(0), saved.pop(0)
        y = y + reshape(array if beta is None else beta, node.shape)
    return y


def batch_norm_train(x, gamma=None, beta=None, axis=-1, epsilon=1e-3, weights=None):
    """Batch-normalize ``x`` with its own statistics over every axis but ``axis``.

    Returns ``(y, mean, var)``: the output Tensor and the per-channel batch mean and
    (biased) variance as arrays, for the caller's moving averages.
    """
    fn = BatchNormTrain(axis, epsilon, weights, gamma is not None, beta is not None)
    y = fn(x, *[p for p in (gamma, beta) if p is not None])
    return y, fn.mean, fn.var


def batch_normalization(x, mean, variance, offset=None, scale=None, variance_epsilon=1e-3,
                        axis=-1):
    """``tf.nn.batch_normalization``-style inference: normalize with the given statistics."""
    fn = BatchNormInference(axis, variance_epsilon, scale is not None, offset is not None)
    return fn(x, mean, variance, *[p for p in (scale, offset) if p is not None])
