"""Layer normalization and RMS normalization, each one fused node with its backward.

Layer norm standardises every sample over its feature axes (not over the batch, as batch
norm does), then rescales:

    mu = mean(x),  var = mean((x - mu)^2),  xhat = (x - mu) / sqrt(var + eps)
    y  = gamma * xhat + beta

Its backward, with N features, g = dL/dy and gx = g * gamma:

    dx = (gx - mean(gx) - xhat * mean(gx * xhat)) / sqrt(var + eps)
    dgamma = sum over samples of g * xhat,   dbeta = sum over samples of g

RMS norm drops the centring:  y = gamma * x / sqrt(mean(x^2) + eps),  and
    dx = (gx - xhat * mean(gx * xhat)) / sqrt(mean(x^2) + eps),   xhat = x / rms.

Written as one node, these take two passes over the data instead of a dozen small ops.
For float32 with numba, layer norm over trailing axes runs as one compiled pass per row
each way (:mod:`._fused_numba`), dgamma and dbeta included.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.tensor import Function
from . import _fused_numba as fused
from .manipulation import reshape
from .math import sqrt
from .reduction import mean


def _norm_axes(axis, ndim):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"normalization: axis {a} is out of range for a tensor of rank "
                             f"{ndim}")
        out.append(a % ndim)
    return tuple(sorted(set(out)))


def _param_grad(g, shape):
    """Sum a per-element gradient over every axis that the parameter is broadcast along."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=axes).reshape(shape) if axes else g


def _trailing(x, axes):
    """The (rows, features) 2-D view of ``x`` when ``axes`` are its last axes, else None."""
    n = len(axes)
    if axes != tuple(range(x.ndim - n, x.ndim)):
        return None
    return x.reshape(-1, math.prod(x.shape[x.ndim - n:]))


def _mean(a, axes):
    """``a.mean(axes, keepdims=True)``; over trailing axes as a matrix-vector product, which
    NumPy runs several times faster than a reduction along a short last axis."""
    a2 = _trailing(a, axes)
    if a2 is None:
        return a.mean(axis=axes, keepdims=True)
    ones = np.full(a2.shape[1], 1.0 / a2.shape[1], a.dtype)
    return (a2 @ ones).reshape(a.shape[:a.ndim - len(axes)] + (1,) * len(axes))


def _mean_of_product(a, b, axes):
    """``(a * b).mean(axes, keepdims=True)`` without the temporary, for trailing axes."""
    a2, b2 = _trailing(a, axes), _trailing(b, axes)
    if a2 is None or b2 is None:
        return np.mean(a * b, axis=axes, keepdims=True)
    total = np.einsum("ij,ij->i", a2, b2)
    total *= a.dtype.type(1.0 / a2.shape[1])
    return total.reshape(a.shape[:a.ndim - len(axes)] + (1,) * len(axes))


def _row_param(p, x, axes):
    """A parameter as a (features,) vector, as the compiled kernels take it, when it spans
    exactly the trailing ``axes`` of ``x``; else None."""
    n_axes = len(axes)
    if p.shape[max(p.ndim - n_axes, 0):] != x.shape[x.ndim - n_axes:]:
        return None
    if any(n != 1 for n in p.shape[:p.ndim - n_axes]):
        return None
    return p.reshape(-1)


class LayerNorm(Function):
    """``gamma * (x - mean) / sqrt(var + eps) + beta`` over ``axes``. ``gamma`` and ``beta``
    (either may be None) must broadcast against ``x``."""

    def __init__(self, axes, epsilon, has_gamma, has_beta):
        self.axes, self.eps = axes, epsilon
        self.has_gamma, self.has_beta = has_gamma, has_beta

    def forward(self, x, *params):
        gamma = params[0] if self.has_gamma else None
        beta = params[-1] if self.has_beta else None
        self.gamma, self.beta_shape = gamma, None if beta is None else beta.shape
        self.params = params  # references, for the composite
        self.compiled = self._compiled_forward(x, gamma, beta)
        if self.compiled is not None:
            return self.compiled
        xc = x - _mean(x, self.axes)
        var = _mean_of_product(xc, xc, self.axes)
        self.rstd = 1.0 / np.sqrt(var + x.dtype.type(self.eps))
        xc *= self.rstd
        self.xhat = xc
        y = xc * gamma if gamma is not None else xc.copy()
        if beta is not None:
            y += beta
        return y

    def composite(self, x, *params):
        """The same normalisation in recorded ops, for gradients of gradients."""
        gamma, beta = _given(params, self.params, (self.has_gamma, self.has_beta))
        xc = x - mean(x, self.axes, keepdims=True)
        y = xc / sqrt(mean(xc * xc, self.axes, keepdims=True) + self.eps)
        y = y * gamma if gamma is not None else y
        return y + beta if beta is not None else y

    def _compiled_forward(self, x, gamma, beta):
        """y from the compiled kernel, when it applies (float32, trailing axes, parameters
        of the normalised shape), else None."""
        x2 = _trailing(x, self.axes) if fused.usable(x, gamma, beta) else None
        if x2 is None:
            return None
        n = x2.shape[1]
        vectors = [np.ones(n, x.dtype) if p is None and fill == 1 else
                   np.zeros(n, x.dtype) if p is None else _row_param(p, x, self.axes)
                   for p, fill in ((gamma, 1), (beta, 0))]
        if any(v is None for v in vectors):
            return None
        self.gamma_row = vectors[0]
        x2 = np.ascontiguousarray(x2)
        y, self.xhat = np.empty_like(x2), np.empty_like(x2)
        self.rstd = np.empty(x2.shape[0], x.dtype)
        fused.layer_norm_rows(x2, *vectors, np.float32(self.eps), y, self.xhat, self.rstd)
        return y.reshape(x.shape)

    def backward(self, g):
        if self.compiled is not None:
            return self._compiled_backward(g)
        xhat, gamma = self.xhat, self.gamma
        gx = g * gamma if gamma is not None else g
        dx = gx - _mean(gx, self.axes)
        dx -= xhat * _mean_of_product(gx, xhat, self.axes)
        dx *= self.rstd
        grads = [dx]
        if self.has_gamma:
            grads.append(_param_grad(g * xhat, gamma.shape))
        if self.has_beta:
            grads.append(_param_grad(g, self.beta_shape))
        return tuple(grads)

    def _compiled_backward(self, g):
        g2 = np.ascontiguousarray(g.reshape(self.xhat.shape))
        dx = np.empty_like(g2)
        dgamma, dbeta = np.empty(g2.shape[1]), np.empty(g2.shape[1])  # float64 sums
        fused.layer_norm_rows_backward(g2, self.xhat, self.rstd, self.gamma_row, dx,
                                       dgamma, dbeta)
        grads = [dx.reshape(g.shape)]
        if self.has_gamma:
            grads.append(dgamma.astype(g.dtype).reshape(self.gamma.shape))
        if self.has_beta:
            grads.append(dbeta.astype(g.dtype).reshape(self.beta_shape))
        return tuple(grads)


class RMSNorm(Function):
    """``gamma * x / sqrt(mean(x^2) + eps)`` over ``axes`` (``gamma`` may be None)."""

    def __init__(self, axes, epsilon, has_gamma):
        self.axes, self.eps, self.has_gamma = axes, epsilon, has_gamma

    def forward(self, x, *params):
        gamma = params[0] if self.has_gamma else None
        ms = _mean_of_product(x, x, self.axes)
        self.rrms = 1.0 / np.sqrt(ms + x.dtype.type(self.eps))
        self.xhat, self.gamma = x * self.rrms, gamma
        return self.xhat * gamma if gamma is not None else self.xhat

    def composite(self, x, *params):
        (gamma,) = _given(params, (self.gamma,), (self.has_gamma,))
        y = x / sqrt(mean(x * x, self.axes, keepdims=True) + self.eps)
        return y * gamma if gamma is not None else y

    def backward(self, g):
        xhat, gamma = self.xhat, self.gamma
        gx = g * gamma if gamma is not None else g
        dx = gx - xhat * _mean_of_product(gx, xhat, self.axes)
        dx *= self.rrms
        if self.has_gamma:
            return dx, _param_grad(g * xhat, gamma.shape)
        return dx


def _given(inputs, saved, flags):
    """The parameters for a composite, one per flag: the recorded input, or the array saved
    where a plain array came in (the node keeps no Tensor for it); None where not given."""
    inputs, saved = iter(inputs), iter(saved)
    out = []
    for given in flags:
        x, array = (next(inputs), next(saved)) if given else (None, None)
        out.append(array if x is None else x)
    return out


def layer_norm(x, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    """Normalise ``x`` over ``axis`` (an int or a tuple), then ``* gamma + beta``.

    ``gamma`` and ``beta`` have the shape of the normalised axes (or any shape that
    broadcasts against ``x``). The default epsilon, 1e-3, is Keras's.
    """
    axes = _norm_axes(axis, x.ndim)
    gamma, beta = (_broadcastable(p, x.ndim, axes) for p in (gamma, beta))
    params = [p for p in (gamma, beta) if p is not None]
    return LayerNorm(axes, epsilon, gamma is not None, beta is not None)(x, *params)


def rms_norm(x, gamma=None, axis=-1, epsilon=1e-6):
    """``x / sqrt(mean(x^2) + epsilon) * gamma`` over ``axis`` (an int or a tuple)."""
    axes = _norm_axes(axis, x.ndim)
    gamma = _broadcastable(gamma, x.ndim, axes)
    if gamma is None:
        return RMSNorm(axes, epsilon, False)(x)
    return RMSNorm(axes, epsilon, True)(x, gamma)


def _broadcastable(p, ndim, axes):
    """A parameter with one entry per position of the normalised axes, reshaped (as a graph
    op, so gradients flow) to line up with those axes of the input."""
    if p is None:
        return None
    shape = tuple(p.shape)
    target = [a for a in range(ndim) if a in axes]
    if len(shape) == len(target) and target == list(range(ndim - len(target), ndim)):
        return p  # trailing axes: broadcasting already lines them up
    if len(shape) != len(target):
        return p  # the caller gave a broadcastable shape already
    full = [1] * ndim
    for a, n in zip(target, shape):
        full[a] = n
    return reshape(p, full)
