"""ONNX for saessak's feed-forward layers: Dense, activations, convolutions, pooling,
normalization, Embedding, merging, reshaping, MultiHeadAttention.

Each converter takes the builder, the layer, its inputs' value names and masks, and returns
``(outputs, mask)``. Keras keeps channels last; ONNX's Conv and pooling want channels
first, so those are wrapped in two Transposes. Inference only: Dropout and noise layers
are the identity, BatchNormalization uses its moving statistics.
"""

from __future__ import annotations

import math

import numpy as np

from .. import activations, backend
from ..ops.conv_utils import deconv_output_length


def weight(layer_var):
    return np.asarray(backend.to_numpy(layer_var.data), dtype=np.float32)


def activation(g, x, fn, where):
    """Keras's activation ``fn`` applied to ``x``."""
    name = activations.serialize(fn) if callable(fn) else fn
    simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus",
              "softsign": "Softsign", "elu": "Elu", "selu": "Selu", "exponential": "Exp"}
    if name in (None, "linear"):
        return x
    if name in simple:
        return g.op(simple[name], x)
    if name == "softmax":
        return g.op("Softmax", x, axis=-1)
    if name == "relu6":
        return g.op("Clip", x, g.const(np.float32(0)), g.const(np.float32(6)))
    if name in ("swish", "silu"):
        return g.op("Mul", x, g.op("Sigmoid", x))
    if name == "gelu":  # exact: x * (1 + erf(x / sqrt 2)) / 2
        erf = g.op("Erf", g.op("Mul", x, g.const(np.float32(1 / math.sqrt(2)))))
        return g.op("Mul", g.op("Mul", x, g.const(np.float32(0.5))),
                    g.op("Add", erf, g.const(np.float32(1))))
    if name == "leaky_relu":
        return g.op("LeakyRelu", x, alpha=0.2)
    if name == "log_softmax":
        return g.op("LogSoftmax", x, axis=-1)
    raise ValueError(f"ONNX export: {where}: activation {name!r} is not supported")


def _keep_mask(layer, masks):
    return masks[0] if getattr(layer, "supports_masking", False) else None


def dense(g, layer, xs, masks):
    y = g.op("MatMul", xs[0], g.const(weight(layer.kernel)))
    if layer.bias is not None:
        y = g.op("Add", y, g.const(weight(layer.bias)))
    return [activation(g, y, layer.activation, layer.name)], masks[0]


def activation_layer(g, layer, xs, masks):
    kind = type(layer).__name__
    x = xs[0]
    if kind == "Activation":
        return [activation(g, x, layer.activation, layer.name)], masks[0]
    if kind == "Softmax":
        return [g.op("Softmax", x, axis=int(getattr(layer, "axis", -1)))], masks[0]
    if kind == "LeakyReLU":
        slope = getattr(layer, "negative_slope", getattr(layer, "alpha", 0.3))
        return [g.op("LeakyRelu", x, alpha=float(slope))], masks[0]
    if kind == "ReLU":
        if layer.threshold != 0:
            raise ValueError(f"ONNX export: ReLU {layer.name!r}: threshold is not supported")
        y = g.op("LeakyRelu", x, alpha=layer.negative_slope) if layer.negative_slope \
            else g.op("Relu", x)
        if layer.max_value is not None:
            y = g.op("Min", y, g.const(np.float32(layer.max_value)))
        return [y], masks[0]
    raise ValueError(f"ONNX export: layer {layer.name!r} ({kind}) is not supported")


def identity(g, layer, xs, masks):
    return [g.op("Identity", xs[0])], _keep_mask(layer, masks)


# --- convolutions and pooling (channels last outside, channels first inside) -------------------


def _nchw(g, x, rank):
    return g.op("Transpose", x, perm=[0, rank + 1] + list(range(1, rank + 1)))


def _nhwc(g, x, rank):
    return g.op("Transpose", x, perm=[0] + list(range(2, rank + 2)) + [1])


def _spatial_rank(layer):
    rank = getattr(layer, "rank", None)  # convolutions say; pooling layers by their name
    return rank if isinstance(rank, int) else 1 if type(layer).__name__.endswith("1D") else 2


def _check_channels_last(layer):
    if getattr(layer, "data_format", "channels_last") not in (None, "channels_last"):
        raise ValueError(f"ONNX export: {layer.name!r}: only data_format='channels_last'")


def _padding(g, x, layer, kernel, rank):
    """ONNX attributes for Keras's padding; 'causal' becomes an explicit front Pad."""
    dilation = tuple(getattr(layer, "dilation_rate", (1,) * rank))
    if layer.padding == "same":
        return x, {"auto_pad": "SAME_UPPER"}
    if layer.padding == "causal":
        front = (kernel[0] - 1) * dilation[0]
        x = g.op("Pad", x, g.ints([0, 0, front, 0, 0, 0]))
    return x, {"auto_pad": "VALID"}


def conv(g, layer, xs, masks):
    _check_channels_last(layer)
    rank = _spatial_rank(layer)
    kind = type(layer).__name__
    x = _nchw(g, xs[0], rank)
    if kind.startswith("Depthwise"):
        k = weight(layer.depthwise_kernel)  # (*kernel, in, multiplier)
        channels, mult = k.shape[-2], k.shape[-1]
        w = np.moveaxis(k, (-2, -1), (0, 1)).reshape((channels * mult, 1) + k.shape[:-2])
        group = channels
    elif kind.startswith("Separable"):  # depthwise, then a 1x1 convolution
        k = weight(layer.depthwise_kernel)
        channels, mult = k.shape[-2], k.shape[-1]
        w = np.moveaxis(k, (-2, -1), (0, 1)).reshape((channels * mult, 1) + k.shape[:-2])
        x, pad = _padding(g, x, layer, w.shape[2:], rank)
        x = g.op("Conv", x, g.const(w), kernel_shape=list(w.shape[2:]),
                 strides=list(layer.strides), group=channels,
                 dilations=list(getattr(layer, "dilation_rate", (1,) * rank)), **pad)
        point = weight(layer.pointwise_kernel)  # (1.., in*mult, out)
        inputs = [x, g.const(np.moveaxis(point, (-1, -2), (0, 1)))]
        if layer.bias is not None:
            inputs.append(g.const(weight(layer.bias)))
        y = _nhwc(g, g.op("Conv", *inputs, kernel_shape=[1] * rank), rank)
        return [activation(g, y, layer.activation, layer.name)], None
    else:
        k = weight(layer.kernel)  # (*kernel, in, out)
        w = np.moveaxis(k, (-1, -2), (0, 1))
        group = 1
    kernel = w.shape[2:]
    x, pad = _padding(g, x, layer, kernel, rank)
    inputs = [x, g.const(w)]
    if layer.bias is not None:
        inputs.append(g.const(weight(layer.bias)))
    y = g.op("Conv", *inputs, kernel_shape=list(kernel), strides=list(layer.strides),
             dilations=list(getattr(layer, "dilation_rate", (1,) * rank)), group=group, **pad)
    y = _nhwc(g, y, rank)
    return [activation(g, y, layer.activation, layer.name)], None


def conv_transpose(g, layer, xs, masks):
    """Keras's transposed convolution as ONNX's ConvTranspose, with explicit pads: the full
    output ``(n - 1) * stride + span`` is cropped to Keras's length (``same``: the smaller
    half in front, as TensorFlow does) or, where Keras's is longer, extended at the end."""
    _check_channels_last(layer)
    rank = layer.rank
    k = weight(layer.kernel)  # (*kernel, filters, channels) -> (channels, filters, *kernel)
    w = np.moveaxis(k, (-1, -2), (0, 1))
    padding = layer.output_padding or (None,) * rank
    begin, end, extra = [], [], []
    for n, k_, s, d, p in zip(layer._build_shapes[1:-1], layer.kernel_size, layer.strides,
                              layer.dilation_rate, padding):
        total = (n - 1) * s + (k_ - 1) * d + 1 - deconv_output_length(n, k_, s, layer.padding,
                                                                      d, p)
        begin.append(max(total, 0) // 2)
        end.append(max(total, 0) - max(total, 0) // 2)
        extra.append(max(-total, 0))
    inputs = [_nchw(g, xs[0], rank), g.const(w)]
    if layer.bias is not None:
        inputs.append(g.const(weight(layer.bias)))
    y = g.op("ConvTranspose", *inputs, kernel_shape=list(layer.kernel_size),
             strides=list(layer.strides), dilations=list(layer.dilation_rate),
             pads=begin + end, output_padding=extra)
    return [activation(g, _nhwc(g, y, rank), layer.activation, layer.name)], None


def pooling(g, layer, xs, masks):
    _check_channels_last(layer)
    kind = type(layer).__name__
    rank = _spatial_rank(layer)
    x = xs[0]
    if kind.startswith("Global"):
        axes = list(range(1, rank + 1))
        keep = int(bool(getattr(layer, "keepdims", False)))
        if "Average" in kind or "Avg" in kind:
            if masks[0] is not None and rank == 1:  # the mean over unmasked steps
                m = g.op("Unsqueeze", g.op("Cast", masks[0], to=1), g.ints([-1]))
                total = g.op("ReduceSum", g.op("Mul", x, m), g.ints([1]), keepdims=keep)
                count = g.op("ReduceSum", m, g.ints([1]), keepdims=keep)
                return [g.op("Div", total, count)], None
            return [g.op("ReduceMean", x, axes=axes, keepdims=keep)], None
        return [g.op("ReduceMax", x, axes=axes, keepdims=keep)], None
    x = _nchw(g, x, rank)
    pad = {"auto_pad": "SAME_UPPER" if layer.padding == "same" else "VALID"}
    op = "MaxPool" if "Max" in kind else "AveragePool"
    y = g.op(op, x, kernel_shape=list(layer.pool_size), strides=list(layer.strides), **pad)
    return [_nhwc(g, y, rank)], None


# --- normalization, embedding, shapes, merging --------------------------------------------------


def batch_normalization(g, layer, xs, masks):
    rank_axis = layer.axis if isinstance(layer.axis, int) else layer.axis[0]
    mean, var = weight(layer.moving_mean), weight(layer.moving_variance)
    gamma = weight(layer.gamma) if layer.gamma is not None else np.ones_like(mean)
    beta = weight(layer.beta) if layer.beta is not None else np.zeros_like(mean)
    scale = gamma / np.sqrt(var + layer.epsilon)  # y = x * scale + (beta - mean * scale)
    shift = beta - mean * scale
    if rank_axis not in (-1, len(layer._build_shapes) - 1 if layer._build_shapes else -1):
        raise ValueError(f"ONNX export: BatchNormalization {layer.name!r}: only axis=-1")
    y = g.op("Add", g.op("Mul", xs[0], g.const(scale)), g.const(shift))
    return [y], masks[0]


def layer_normalization(g, layer, xs, masks):
    axes = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    if list(axes) not in ([-1], [len(layer._build_shapes) - 1] if layer._build_shapes else [-1]):
        raise ValueError(f"ONNX export: LayerNormalization {layer.name!r}: only axis=-1")
    size = layer.gamma.shape[-1] if layer.gamma is not None else layer.beta.shape[-1]
    gamma = weight(layer.gamma) if layer.gamma is not None else np.ones(size, np.float32)
    beta = weight(layer.beta) if layer.beta is not None else np.zeros(size, np.float32)
    y = g.op("LayerNormalization", xs[0], g.const(gamma), g.const(beta), axis=-1,
             epsilon=float(layer.epsilon))
    return [y], masks[0]


def embedding(g, layer, xs, masks):
    ids = g.op("Cast", xs[0], to=7)  # int64
    y = g.op("Gather", g.const(weight(layer.embeddings)), ids, axis=0)
    mask = g.op("Not", g.op("Equal", ids, g.ints(0))) if layer.mask_zero else None
    return [y], mask


def masking(g, layer, xs, masks):
    keep = g.op("Not", g.op("Equal", xs[0], g.const(np.float32(layer.mask_value))))
    any_kept = g.op("ReduceMax", g.op("Cast", keep, to=1), axes=[-1], keepdims=1)
    y = g.op("Mul", xs[0], any_kept)
    return [y], g.op("Cast", g.op("Squeeze", any_kept, g.ints([-1])), to=9)


def zero_padding(g, layer, xs, masks):
    (top, bottom), (left, right) = layer.padding
    return [g.op("Pad", xs[0], g.ints([0, top, left, 0, 0, bottom, right, 0]))], None


def flatten(g, layer, xs, masks):
    return [g.op("Flatten", xs[0], axis=1)], None


def reshape(g, layer, xs, masks):
    return [g.op("Reshape", xs[0], g.ints([0] + list(layer.target_shape)))], None


def merge(g, layer, xs, masks):
    kind = type(layer).__name__
    if kind == "Concatenate":
        y = g.op("Concat", *xs, axis=int(layer.axis))
    elif kind == "Subtract":
        y = g.op("Sub", xs[0], xs[1])
    else:
        op = {"Add": "Sum", "Average": "Mean", "Maximum": "Max", "Minimum": "Min"}.get(kind)
        if kind == "Multiply":
            y = xs[0]
            for x in xs[1:]:
                y = g.op("Mul", y, x)
        elif op is None:
            raise ValueError(f"ONNX export: layer {layer.name!r} ({kind}) is not supported")
        else:
            y = g.op(op, *xs)
    present = [m for m in masks if m is not None]
    mask = present[0] if present else None
    for m in present[1:]:
        mask = g.op("And", mask, m)
    return [y], mask


# --- MultiHeadAttention -------------------------------------------------------------------------


def _project(g, x, head_dense, heads, depth):
    """x (B, T, d) @ kernel (d, h, k) + bias -> (B, h, T, k)."""
    k = weight(head_dense.kernel)
    y = g.op("MatMul", x, g.const(k.reshape(k.shape[0], -1)))
    if head_dense.bias is not None:
        y = g.op("Add", y, g.const(weight(head_dense.bias).reshape(-1)))
    y = g.op("Reshape", y, g.ints([0, 0, heads, depth]))
    return g.op("Transpose", y, perm=[0, 2, 1, 3])


def multi_head_attention(g, layer, xs, masks, kwargs):
    if layer.attention_axes not in (None, (1,)):
        raise ValueError(f"ONNX export: MultiHeadAttention {layer.name!r}: attention_axes")
    if kwargs.get("attention_mask") is not None or kwargs.get("return_attention_scores"):
        raise ValueError(f"ONNX export: MultiHeadAttention {layer.name!r}: attention_mask "
                         "and return_attention_scores are not supported")
    query, value = xs[0], xs[1]
    key = xs[2] if len(xs) > 2 and xs[2] is not None else value
    h, dk, dv = layer.num_heads, layer.key_dim, layer.value_dim
    q = _project(g, query, layer.query_dense, h, dk)
    k = _project(g, key, layer.key_dense, h, dk)
    v = _project(g, value, layer.value_dense, h, dv)
    q = g.op("Mul", q, g.const(np.float32(1.0 / math.sqrt(dk))))
    scores = g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2]))  # (B, h, Tq, Tv)
    allowed = None
    qmask, vmask = masks[0], masks[1] if len(masks) > 1 else None
    if qmask is not None:
        allowed = g.op("Unsqueeze", qmask, g.ints([1, 3]))
    if vmask is not None:
        vm = g.op("Unsqueeze", vmask, g.ints([1, 2]))
        allowed = vm if allowed is None else g.op("And", allowed, vm)
    if kwargs.get("use_causal_mask"):
        causal = _causal(g, query, value)
        allowed = causal if allowed is None else g.op("And", allowed, causal)
    if allowed is not None:  # blocked scores become -1e9, as in Keras
        scores = g.op("Where", allowed, scores, g.const(np.float32(-1e9)))
    weights = g.op("Softmax", scores, axis=-1)
    out = g.op("MatMul", weights, v)                                     # (B, h, Tq, dv)
    out = g.op("Reshape", g.op("Transpose", out, perm=[0, 2, 1, 3]), g.ints([0, 0, h * dv]))
    w = weight(layer.output_dense.kernel)
    y = g.op("MatMul", out, g.const(w.reshape(h * dv, -1)))
    if layer.output_dense.bias is not None:
        y = g.op("Add", y, g.const(weight(layer.output_dense.bias)))
    return [y], qmask


def dot_attention(g, layer, xs, masks, kwargs):
    """Keras's ``Attention`` (Luong, dot scores): softmax(q k^T [* scale]) v."""
    if layer.score_mode != "dot" or kwargs.get("return_attention_scores"):
        raise ValueError(f"ONNX export: Attention {layer.name!r}: only score_mode='dot' "
                         "without return_attention_scores")
    q, v = xs[0], xs[1]
    k = xs[2] if len(xs) > 2 else v
    scores = g.op("MatMul", q, g.op("Transpose", k, perm=[0, 2, 1]))
    if layer.use_scale:
        scores = g.op("Mul", scores, g.const(weight(layer.scale)))
    allowed = None
    if len(masks) > 1 and masks[1] is not None:
        allowed = g.op("Unsqueeze", masks[1], g.ints([1]))
    if kwargs.get("use_causal_mask"):
        causal = g.op("Squeeze", _causal(g, q, v), g.ints([0]))
        allowed = causal if allowed is None else g.op("And", allowed, causal)
    if allowed is not None:
        scores = g.op("Where", allowed, scores, g.const(np.float32(-1e9)))
    y = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    if masks[0] is not None:  # masked queries give zeros, as in Keras
        y = g.op("Mul", y, g.op("Unsqueeze", g.op("Cast", masks[0], to=1), g.ints([-1])))
    return [y], masks[0]


def _causal(g, query, value):
    """(1, 1, Tq, Tv) booleans: query i may attend to keys j <= i."""
    tq = g.op("Gather", g.op("Shape", query), g.ints(1), axis=0)
    tv = g.op("Gather", g.op("Shape", value), g.ints(1), axis=0)
    one = g.ints(1)
    rows = g.op("Unsqueeze", g.op("Range", g.ints(0), tq, one), g.ints([1]))
    cols = g.op("Unsqueeze", g.op("Range", g.ints(0), tv, one), g.ints([0]))
    return g.op("Unsqueeze", g.op("LessOrEqual", cols, rows), g.ints([0, 1]))
