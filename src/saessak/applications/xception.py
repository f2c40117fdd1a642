"""Xception (Chollet, 2017) with Keras's signature and layer names.

The layer names are Keras's (``block1_conv1``, ``block2_sepconv1_bn``, ``block5_sepconv3``,
``block14_sepconv2_act``, ``predictions`` ...; the shortcut convolutions, their batch
normalizations and the additions keep Keras's automatic names ``conv2d``, ``add`` ...), so
Keras's published weight files load::

    base = applications.Xception(include_top=False, weights="imagenet")  # network once
    model = applications.Xception(weights="my_keras_xception.h5")

The network is built of depthwise separable convolutions (a 3x3 filter on each channel, then
a 1x1 convolution across channels): an entry flow of two plain convolutions and three
blocks that each halve the size with a strided 1x1 shortcut beside them, a middle flow of
eight residual blocks of three separable convolutions at 728 channels, and an exit flow
that ends at 2048 channels.
"""

from __future__ import annotations

from .. import layers
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import decode_predictions  # noqa: F401 - Keras's name in every module
from .imagenet_utils import preprocess_input as _preprocess

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"


def _bn(x, name=None):
    return layers.BatchNormalization(axis=-1, name=name)(x)


def _relu(x, name):
    return layers.Activation("relu", name=name)(x)


def _sepconv_bn(x, filters, name):
    """``<name>`` (a 3x3 separable convolution, no bias) and ``<name>_bn``."""
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return _bn(x, f"{name}_bn")


def _shortcut(x, filters):
    """The strided 1x1 convolution beside a downsampling block (Keras leaves it unnamed)."""
    x = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return _bn(x)


def _downsampling_block(x, filters, block, relu_first=True):
    """Two separable convolutions (``filters`` = their two widths), a strided 3x3 max pool
    and the shortcut added back."""
    residual = _shortcut(x, filters[1])
    if relu_first:
        x = _relu(x, f"block{block}_sepconv1_act")
    x = _sepconv_bn(x, filters[0], f"block{block}_sepconv1")
    x = _relu(x, f"block{block}_sepconv2_act")
    x = _sepconv_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same",
                            name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    """Keras's ``keras.applications.Xception``.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 71x71; default ``(299, 299, 3)`` (the only
            size for ImageNet weights with the top).
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.

    Scale the images to [-1, 1] with :func:`preprocess_input` first.
    """
    args = check_arguments("Xception", weights, include_top, classes, pooling, input_shape,
                           input_tensor, default_size=299, min_size=71)
    img_input = make_input(args)
    # entry flow
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(
        img_input)
    x = _relu(_bn(x, "block1_conv1_bn"), "block1_conv1_act")
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = _relu(_bn(x, "block1_conv2_bn"), "block1_conv2_act")
    x = _downsampling_block(x, (128, 128), 2, relu_first=False)
    x = _downsampling_block(x, (256, 256), 3)
    x = _downsampling_block(x, (728, 728), 4)
    # middle flow
    for block in range(5, 13):
        residual = x
        for i in (1, 2, 3):
            x = _relu(x, f"block{block}_sepconv{i}_act")
            x = _sepconv_bn(x, 728, f"block{block}_sepconv{i}")
        x = layers.add([x, residual])
    # exit flow
    x = _downsampling_block(x, (728, 1024), 13)
    x = _sepconv_bn(x, 1536, "block14_sepconv1")
    x = _relu(x, "block14_sepconv1_act")
    x = _sepconv_bn(x, 2048, "block14_sepconv2")
    x = _relu(x, "block14_sepconv2_act")
    x = pool_or_top(x, args, classifier_activation)
    top = "" if include_top else "_notop"
    file_name = f"xception_weights_tf_dim_ordering_tf_kernels{top}.h5"
    return finish(img_input, x, args, name,
                  imagenet_file=(file_name, BASE_WEIGHTS_PATH + file_name))


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1] ('tf' mode), as Xception was trained."""
    return _preprocess(x, data_format=data_format, mode="tf")
