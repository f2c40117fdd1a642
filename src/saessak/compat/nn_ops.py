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


_FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


def _conv_sizes(owner, value, what, rank, channels_last):
    """TensorFlow's strides/dilations: one int, one per spatial axis, or one per axis of the
    input with 1 for the batch and the channels."""
    if value is None:
        return (1,) * rank
    sizes = [int(v) for v in np.ravel(_plain(value))]
    if len(sizes) == 1:
        return tuple(sizes) * rank
    if len(sizes) == rank:
        return tuple(sizes)
    if len(sizes) == rank + 2:
        outer, inner = ((sizes[0], sizes[-1]), sizes[1:-1]) if channels_last else (
            (sizes[0], sizes[1]), sizes[2:])
        if outer == (1, 1):
            return tuple(inner)
    raise ValueError(f"{owner}: {what} must be an int, {rank} ints or {rank + 2} ints with 1 "
                     f"for the batch and channel axes; received {value!r}")


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None, owner="tf.nn.convolution"):
    """N-d convolution of ``input`` (batch, *spatial, channels) with ``filters``
    (*kernel, channels / groups, out): TensorFlow's arguments ('VALID' or 'SAME' padding,
    'NHWC'-style formats), differentiable in both."""
    x = _t(input)
    rank = x.ndim - 2
    if rank not in _FORMATS:
        raise ValueError(f"{owner}: expected an input of rank 3, 4 or 5 (batch, spatial..., "
                         f"channels), received shape {tuple(x.shape)}")
    formats = _FORMATS[rank]
    if data_format is not None and data_format not in formats:
        raise ValueError(f"{owner}: data_format must be one of {formats} for an input of "
                         f"rank {x.ndim}, received {data_format!r}")
    channels_last = data_format in (None, formats[0])
    if not isinstance(padding, str) or padding.upper() not in ("VALID", "SAME"):
        raise ValueError(f"{owner}: padding must be 'VALID' or 'SAME' (explicit paddings are "
                         f"not supported), received {padding!r}")
    return ops.conv(x, _t(filters), strides=_conv_sizes(owner, strides, "strides", rank,
                                                        channels_last),
                    padding=padding.lower(),
                    data_format="channels_last" if channels_last else "channels_first",
                    dilation_rate=_conv_sizes(owner, dilations, "dilations", rank,
                                              channels_last))


def _conv_nd(rank):
    default = _FORMATS[rank][0]

    def conv_nd(input, filters, strides, padding, data_format=default,  # noqa: A002
                dilations=None, name=None):
        x = _t(input)
        if x.ndim != rank + 2:
            raise ValueError(f"tf.nn.conv{rank}d: expected an input of rank {rank + 2}, "
                             f"received shape {tuple(x.shape)}")
        return convolution(x, filters, strides, padding, data_format, dilations,
                           owner=f"tf.nn.conv{rank}d")
    conv_nd.__name__ = f"conv{rank}d"
    conv_nd.__doc__ = f"``tf.nn.conv{rank}d``: :func:`convolution` on rank-{rank + 2} inputs."
    return conv_nd


conv2d, conv3d = _conv_nd(2), _conv_nd(3)
_conv1d = _conv_nd(1)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """``tf.nn.conv1d`` (its step is called ``stride``): :func:`convolution` on rank-3
    inputs."""
    return _conv1d(input, filters, stride, padding, data_format, dilations)


nn = Namespace(
    "tf.nn", "tf.nn: activations, cross-entropies on logits, embedding lookup, dropout, "
    "convolutions",
    relu=relu, relu6=relu6, leaky_relu=leaky_relu, elu=elu, selu=selu, gelu=gelu, silu=silu,
    swish=silu, sigmoid=lambda x, name=None: ops.sigmoid(_t(x)),
    tanh=lambda x, name=None: ops.tanh(_t(x)), softmax=softmax, log_softmax=log_softmax,
    softplus=softplus, l2_normalize=l2_normalize, l2_loss=l2_loss, moments=moments,
    bias_add=bias_add, dropout=dropout, embedding_lookup=embedding_lookup,
    convolution=convolution, conv1d=conv1d, conv2d=conv2d, conv3d=conv3d,
    sigmoid_cross_entropy_with_logits=sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits=softmax_cross_entropy_with_logits,
    sparse_softmax_cross_entropy_with_logits=sparse_softmax_cross_entropy_with_logits)
