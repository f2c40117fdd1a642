"""MobileNetV2 (Sandler et al., 2018) with Keras's signature and layer names.

The layer names are Keras's (``Conv1``, ``bn_Conv1``, ``block_3_expand``, ``block_3_pad``,
``predictions`` ...), so Keras's published weight files load by name::

    base = applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False,
                                    weights="imagenet")           # needs network once
    model = applications.MobileNetV2(weights="my_keras_mobilenet.h5")

Every block is the inverted residual: a 1x1 convolution widens the channels by
``expansion``, a 3x3 depthwise convolution filters each channel, a 1x1 convolution
projects back down (no activation: the "linear bottleneck"), and when the shapes allow,
the block's input is added back.
"""

from __future__ import annotations

import warnings

from .. import layers
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import (
    correct_pad,
    decode_predictions,  # noqa: F401 - Keras's name in every module
)
from .imagenet_utils import preprocess_input as _preprocess

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
_SIZES = (96, 128, 160, 192, 224)


def _make_divisible(v, divisor=8, min_value=None):
    """Round ``v`` to a multiple of ``divisor``, never more than 10% down."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _bn(x, name):
    return layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=name)(x)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    in_channels = inputs.shape[-1]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=f"{prefix}expand")(x)
        x = _bn(x, f"{prefix}expand_BN")
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _bn(x, f"{prefix}depthwise_BN")
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=f"{prefix}project")(x)
    x = _bn(x, f"{prefix}project_BN")
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


# (filters, stride of the first block, expansion, repeats) for the 17 blocks
_STAGES = [(16, 1, 1, 1), (24, 2, 6, 2), (32, 2, 6, 3), (64, 2, 6, 4), (96, 1, 6, 3),
           (160, 2, 6, 3), (320, 1, 6, 1)]


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name=None):
    """Keras's ``keras.applications.MobileNetV2``.

    Args:
        input_shape: ``(rows, cols, 3)``; default ``(224, 224, 3)``.
        alpha: width multiplier of every layer's channels (0.35 ... 1.4 for ImageNet weights).
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.
    """
    args = check_arguments("MobileNetV2", weights, include_top, classes, pooling, input_shape,
                           input_tensor, fixed_top_size=False)
    input_shape = args.input_shape
    rows = input_shape[0]
    if weights == "imagenet":
        if alpha not in _ALPHAS:
            raise ValueError(f"MobileNetV2: ImageNet weights exist for alpha in {_ALPHAS}; "
                             f"received alpha={alpha}")
        if rows != input_shape[1] or rows not in _SIZES:
            warnings.warn("MobileNetV2: input_shape is undefined, non-square or not in "
                          f"{_SIZES}; the weights for 224x224 are loaded", stacklevel=2)
            rows = 224

    img_input = make_input(args)
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = _bn(x, "bn_Conv1")
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    block_id = 0
    for filters, stride, expansion, repeats in _STAGES:
        for i in range(repeats):
            x = _inverted_res_block(x, expansion=expansion, stride=stride if i == 0 else 1,
                                    alpha=alpha, filters=filters, block_id=block_id)
            block_id += 1
    last_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = _bn(x, "Conv_1_bn")
    x = layers.ReLU(6.0, name="out_relu")(x)
    x = pool_or_top(x, args, classifier_activation, top=lambda x: layers.Dense(
        classes, activation=classifier_activation, name="predictions")(
        layers.GlobalAveragePooling2D()(x)))
    top = "" if include_top else "_no_top"
    file_name = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}{top}.h5"
    return finish(img_input, x, args, name or f"mobilenetv2_{alpha:0.2f}_{rows}",
                  imagenet_file=(file_name, BASE_WEIGHT_PATH + file_name))


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1], as MobileNetV2 was trained."""
    return _preprocess(x, data_format=data_format, mode="tf")
