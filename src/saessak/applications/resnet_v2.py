"""ResNet50V2, ResNet101V2 and ResNet152V2 (He et al., 2016, "Identity Mappings in Deep
Residual Networks") with Keras's signatures and layer names.

The stem and the end are ResNet's (:mod:`.resnet`); the blocks are "pre-activation": batch
normalization and ReLU come before each convolution (``conv2_block1_preact_bn``), the
addition is the block's output (``conv2_block1_out``), and a stack strides in its last
block rather than its first (the identity shortcut then through a 1x1 max pooling). The
whole network ends with ``post_bn`` and ``post_relu``. The names are Keras's, so Keras's
published weight files load::

    base = applications.ResNet50V2(include_top=False, weights="imagenet")  # network once
"""

from __future__ import annotations

from .. import layers
from .imagenet_utils import decode_predictions  # noqa: F401 - Keras's name in every module
from .imagenet_utils import preprocess_input as _preprocess
from .resnet import batch_norm, build


def residual_block_v2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """The pre-activation bottleneck block; the strided convolution is the 3x3 one."""
    preact = batch_norm(x, f"{name}_preact_bn")
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = batch_norm(x, f"{name}_1_bn")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=f"{name}_2_conv")(x)
    x = batch_norm(x, f"{name}_2_bn")
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """``blocks`` blocks: the first with the 1x1 shortcut, the last striding by
    ``stride1``."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _stacks_v2(blocks):
    """The four stacks (64, 128, 256, 512 filters); all but the last stride by 2."""
    def stacks(x):
        for i, (filters, n) in enumerate(zip((64, 128, 256, 512), blocks)):
            x = stack_residual_blocks_v2(x, filters, n, stride1=1 if i == 3 else 2,
                                         name=f"conv{i + 2}")
        return x
    return stacks


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
               pooling=None, classes=1000, classifier_activation="softmax",
               name="resnet50v2"):
    """Keras's ``keras.applications.ResNet50V2``: 3, 4, 6 and 3 pre-activation blocks.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32; default ``(224, 224, 3)``.
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.
    """
    return build("ResNet50V2", _stacks_v2((3, 4, 6, 3)), True, include_top, weights,
                 input_tensor, input_shape, pooling, classes, classifier_activation, name,
                 "resnet50v2")


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="resnet101v2"):
    """Keras's ``keras.applications.ResNet101V2``: 3, 4, 23 and 3 pre-activation blocks;
    the arguments are :func:`ResNet50V2`'s."""
    return build("ResNet101V2", _stacks_v2((3, 4, 23, 3)), True, include_top, weights,
                 input_tensor, input_shape, pooling, classes, classifier_activation, name,
                 "resnet101v2")


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="resnet152v2"):
    """Keras's ``keras.applications.ResNet152V2``: 3, 8, 36 and 3 pre-activation blocks;
    the arguments are :func:`ResNet50V2`'s."""
    return build("ResNet152V2", _stacks_v2((3, 8, 36, 3)), True, include_top, weights,
                 input_tensor, input_shape, pooling, classes, classifier_activation, name,
                 "resnet152v2")


def preprocess_input(x, data_format=None):
    """As ResNetV2 was trained ('tf'): pixels from [0, 255] to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")
