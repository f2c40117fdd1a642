"""MobileNet (v1; Howard et al., 2017) with Keras's signature, layer names and order.

After one full 3x3 convolution (``conv1``), thirteen blocks each filter every channel on its
own (a 3x3 depthwise convolution, ``conv_dw_<i>``) and then mix the channels (a 1x1
convolution, ``conv_pw_<i>``), each followed by batch normalization and ReLU6. ``alpha``
scales every layer's channels; ``depth_multiplier`` gives each channel that many depthwise
filters. Keras publishes ImageNet weights for alpha 0.25, 0.5, 0.75 and 1.0 at 128, 160,
192 and 224 pixels::

    model = applications.MobileNet(input_shape=(160, 160, 3), alpha=0.5)  # network once
    x = applications.mobilenet.preprocess_input(images)                  # to [-1, 1]

The top is a 1x1 convolution (``conv_preds``) on the pooled features, not a Dense layer.
"""

from __future__ import annotations

import warnings

from .. import layers
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import decode_predictions  # noqa: F401 - Keras's name in every module
from .imagenet_utils import preprocess_input as _preprocess

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_ALPHAS = (0.25, 0.50, 0.75, 1.0)
_SIZES = (128, 160, 192, 224)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}

# (pointwise filters, stride) of the thirteen depthwise-separable blocks
_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


def _linear_if_none(activation):
    """Keras's ``Activation(None)`` is the identity; saessak's Activation wants a name."""
    return "linear" if activation is None else activation


def _bn(x, name):
    return layers.BatchNormalization(axis=-1, name=name)(x)


def _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides, block_id):
    if strides != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == 1 else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = _bn(x, f"conv_dw_{block_id}_bn")
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(filters * alpha), (1, 1), padding="same", use_bias=False,
                      strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = _bn(x, f"conv_pw_{block_id}_bn")
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3,
              include_top=True, weights="imagenet", input_tensor=None, pooling=None,
              classes=1000, classifier_activation="softmax", name=None):
    """Keras's ``keras.applications.MobileNet``.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32; default ``(224, 224, 3)``. A
            square input of 128, 160, 192 or 224 pixels picks the ImageNet weights of that
            size (other inputs get the 224-pixel weights, with a warning).
        alpha: width multiplier of every layer's channels (0.25, 0.5, 0.75 or 1.0 for
            ImageNet weights).
        depth_multiplier: depthwise filters per channel (1 for ImageNet weights).
        dropout: dropout rate before the top's convolution.
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.
    """
    shape = input_shape
    if shape is None and input_tensor is not None:
        shape = tuple(input_tensor.shape[1:])
    default_size = 224
    if shape is not None and len(shape) == 3 and shape[0] == shape[1] and shape[0] in _SIZES:
        default_size = shape[0]
    if input_shape is None and input_tensor is None and not include_top:
        input_shape = (None, None, 3)  # as Keras: any size without the top
    args = check_arguments("MobileNet", weights, include_top, classes, pooling, input_shape,
                           input_tensor, default_size=default_size, min_size=32)
    rows, cols = args.input_shape[:2]
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("MobileNet: with weights='imagenet' depth_multiplier must be 1; "
                             f"received depth_multiplier={depth_multiplier}")
        if alpha not in _ALPHAS:
            raise ValueError(f"MobileNet: ImageNet weights exist for alpha in {_ALPHAS}; "
                             f"received alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            warnings.warn("MobileNet: input_shape is undefined, non-square or not in "
                          f"{_SIZES}; the weights for 224x224 are loaded", stacklevel=2)
            rows = 224

    img_input = make_input(args)
    x = layers.Conv2D(int(32 * alpha), (3, 3), padding="same", use_bias=False, strides=(2, 2),
                      name="conv1")(img_input)
    x = _bn(x, "conv1_bn")
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, strides) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides, block_id)

    def top(x):
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        return layers.Activation(_linear_if_none(classifier_activation), name="predictions")(x)

    x = pool_or_top(x, args, classifier_activation, top=top)
    suffix = "tf" if include_top else "tf_no_top"
    file_name = f"mobilenet_{_ALPHA_TEXT.get(alpha, '2_5')}_{rows}_{suffix}.h5"
    return finish(img_input, x, args, name or f"mobilenet_{alpha:0.2f}_{rows}",
                  imagenet_file=(file_name, BASE_WEIGHT_PATH + file_name))


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1], as MobileNet was trained ('tf' mode)."""
    return _preprocess(x, data_format=data_format, mode="tf")
