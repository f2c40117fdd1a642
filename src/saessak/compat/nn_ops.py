"""``tf.nn``: activations, the cross-entropies on logits, embedding lookup and dropout,
all differentiable (built from ``saessak.ops``)."""

from __future__ import annotations

import numpy as np

from .. import ops
from ._namespace import Namespace
from .math_ops import l2_normalize, log_softmax, softmax, softplus
from .random_ops import dropout as _dropout
from .tensors import _plain, _t


def relu(features, name=None):
    return ops.relu(_t(features))


def relu6(features, name=None):
    return ops.relu6(_t(features))


def leaky_relu(features, alpha=0.2, name=None):
    return ops.leaky_relu(_t(features), negative_slope=alpha)


def elu(features, name=None):
    return ops.elu(_t(features))


def selu(features, name=None):
    return ops.selu(_t(features))


def gelu(features, approximate=False, name=None):
    return ops.gelu(_t(features), approximate=approximate)


def silu(features, beta=1.0, name=None):
    return ops.swish(_t(features))


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Elementwise -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)), written stably as
    max(x, 0) - x z + log(1 + exp(-|x|))."""
    x = _t(logits)
    z = np.asarray(_plain(labels), dtype=x.dtype)
    if z.shape != x.shape:
        raise ValueError(f"sigmoid_cross_entropy_with_logits: labels and logits must have the "
                         f"same shape, received {z.shape} and {x.shape}")
    return ops.relu(x) - x * z + ops.log1p(ops.exp(-ops.abs(x)))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits)) along ``axis`` (labels are probabilities)."""
    x = _t(logits)
    return -ops.sum(_t(labels).astype(x.dtype) * ops.log_softmax(x, axis=axis), axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """-log_softmax(logits)[label] per row; labels are class indices (shape = logits' less
    the last axis)."""
    x = _t(logits)
    idx = np.asarray(_plain(labels)).astype(np.int64)
    if idx.shape != x.shape[:-1]:
        raise ValueError(f"sparse_softmax_cross_entropy_with_logits: labels must have shape "
                         f"{x.shape[:-1]} (logits' without the class axis), received "
                         f"{idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[-1]):
        raise ValueError(f"sparse_softmax_cross_entropy_with_logits: labels must lie in "
                         f"[0, {x.shape[-1]}), received values from {idx.min()} to "
                         f"{idx.max()}")
    picked = ops.one_hot(idx, x.shape[-1], dtype=x.dtype)
    return -ops.sum(ops.log_softmax(x, axis=-1) * picked, axis=-1)


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows ``ids`` of ``params`` (gradients add up into the rows that were picked)."""
    return ops.gather(_t(params), np.asarray(_plain(ids)), axis=0)


def dropout(x, rate=None, noise_shape=None, seed=None, name=None, keep_prob=None):
    """Zero each element with probability ``rate`` and scale the rest by 1/(1 - rate)."""
    if rate is None:
        rate = 1 - keep_prob if keep_prob is not None else None
    if rate is None:
        raise ValueError("dropout: rate must be given")
    return _dropout(x, rate, noise_shape, seed)


def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    t = _t(t)
    return ops.sum(t * t) / 2


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) over ``axes``."""
    x = _t(x)
    axes = tuple(int(a) for a in np.ravel(_plain(axes)))
    return ops.mean(x, axis=axes, keepdims=keepdims), ops.var(x, axis=axes, keepdims=keepdims)


def bias_add(value, bias, data_format=None, name=None):
    return _t(value) + _t(bias)


nn = Namespace(
    "tf.nn", "tf.nn: activations, cross-entropies on logits, embedding lookup, dropout",
    relu=relu, relu6=relu6, leaky_relu=leaky_relu, elu=elu, selu=selu, gelu=gelu, silu=silu,
    swish=silu, sigmoid=lambda x, name=None: ops.sigmoid(_t(x)),
    tanh=lambda x, name=None: ops.tanh(_t(x)), softmax=softmax, log_softmax=log_softmax,
    softplus=softplus, l2_normalize=l2_normalize, l2_loss=l2_loss, moments=moments,
    bias_add=bias_add, dropout=dropout, embedding_lookup=embedding_lookup,
    sigmoid_cross_entropy_with_logits=sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits=softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits=sparse_softmax_cross_entropy_with_logits)
