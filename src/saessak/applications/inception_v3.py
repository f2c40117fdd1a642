"""Inception v3 (Szegedy et al., 2016) with Keras's signature and layer names.

Keras names only the concatenations (``mixed0`` ... ``mixed10``, ``mixed9_0``, ``mixed9_1``)
and the top (``avg_pool``, ``predictions``); every convolution, batch normalization and
activation keeps its automatic name (``conv2d``, ``conv2d_1``, ``batch_normalization_5``
...), handed out in the same order as Keras does, so Keras's published weight files
(matched by the order of the layers) load::

    base = applications.InceptionV3(include_top=False, weights="imagenet")  # network once
    model = applications.InceptionV3(weights="my_keras_inception_v3.h5")

Each "conv" below is a convolution without bias, a batch normalization without scale and a
ReLU. After a stem of five convolutions and two max pools come three modules of parallel
1x1, 5x5 and double 3x3 branches (35x35 at the default size), a reduction, four modules
whose 7x7 filters are factorized into 1x7 and 7x1 (17x17), a second reduction, and two
modules whose 3x3 branches split into parallel 1x3 and 3x1 convolutions (8x8).
"""

from __future__ import annotations

from .. import layers
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import decode_predictions  # noqa: F401 - Keras's name in every module
from .imagenet_utils import preprocess_input as _preprocess

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"


def _conv(x, filters, rows, cols, padding="same", strides=(1, 1)):
    """Convolution (no bias), batch normalization (no scale) and ReLU, unnamed as in Keras."""
    x = layers.Conv2D(filters, (rows, cols), strides=strides, padding=padding,
                      use_bias=False)(x)
    x = layers.BatchNormalization(axis=3, scale=False)(x)
    return layers.Activation("relu")(x)


def _chain(x, *convs):
    """``_conv`` after ``_conv``: each of ``convs`` is ``(filters, rows, cols)`` or
    ``(filters, rows, cols, padding, strides)``."""
    for spec in convs:
        x = _conv(x, *spec)
    return x


def _avg_branch(x, filters):
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return _conv(x, filters, 1, 1)


def _concat(branches, name=None):
    return layers.concatenate(branches, axis=3, name=name)


def _module_35(x, pool_filters, name):
    """1x1 | 1x1 then 5x5 | 1x1 then two 3x3 | 3x3 average pool then 1x1."""
    b1 = _conv(x, 64, 1, 1)
    b5 = _chain(x, (48, 1, 1), (64, 5, 5))
    b3 = _chain(x, (64, 1, 1), (96, 3, 3), (96, 3, 3))
    return _concat([b1, b5, b3, _avg_branch(x, pool_filters)], name)


def _module_17(x, width, name):
    """1x1 | a 7x7 factorized once | a 7x7 factorized twice | average pool then 1x1;
    ``width`` is the number of channels inside the factorized branches."""
    b1 = _conv(x, 192, 1, 1)
    b7 = _chain(x, (width, 1, 1), (width, 1, 7), (192, 7, 1))
    b7dbl = _chain(x, (width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1),
                   (192, 1, 7))
    return _concat([b1, b7, b7dbl, _avg_branch(x, 192)], name)


def _module_8(x, i):
    """1x1 | 1x1 then (1x3 and 3x1) | 1x1, 3x3 then (1x3 and 3x1) | average pool then 1x1."""
    b1 = _conv(x, 320, 1, 1)
    b3 = _conv(x, 384, 1, 1)
    b3 = _concat([_conv(b3, 384, 1, 3), _conv(b3, 384, 3, 1)], f"mixed9_{i}")
    b3dbl = _chain(x, (448, 1, 1), (384, 3, 3))
    b3dbl = _concat([_conv(b3dbl, 384, 1, 3), _conv(b3dbl, 384, 3, 1)])
    return _concat([b1, b3, b3dbl, _avg_branch(x, 192)], f"mixed{9 + i}")


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="inception_v3"):
    """Keras's ``keras.applications.InceptionV3``.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 75x75; default ``(299, 299, 3)`` (the only
            size for ImageNet weights with the top).
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.

    Scale the images to [-1, 1] with :func:`preprocess_input` first.
    """
    args = check_arguments("InceptionV3", weights, include_top, classes, pooling, input_shape,
                           input_tensor, default_size=299, min_size=75)
    img_input = make_input(args)
    x = _chain(img_input, (32, 3, 3, "valid", (2, 2)), (32, 3, 3, "valid"), (64, 3, 3))
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _chain(x, (80, 1, 1, "valid"), (192, 3, 3, "valid"))
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    for i, pool_filters in enumerate((32, 64, 64)):
        x = _module_35(x, pool_filters, f"mixed{i}")
    b3 = _conv(x, 384, 3, 3, "valid", (2, 2))
    b3dbl = _chain(x, (64, 1, 1), (96, 3, 3), (96, 3, 3, "valid", (2, 2)))
    x = _concat([b3, b3dbl, layers.MaxPooling2D((3, 3), strides=(2, 2))(x)], "mixed3")

    for i, width in enumerate((128, 160, 160, 192)):
        x = _module_17(x, width, f"mixed{4 + i}")
    b3 = _chain(x, (192, 1, 1), (320, 3, 3, "valid", (2, 2)))
    b7x3 = _chain(x, (192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3, "valid", (2, 2)))
    x = _concat([b3, b7x3, layers.MaxPooling2D((3, 3), strides=(2, 2))(x)], "mixed8")

    for i in range(2):
        x = _module_8(x, i)
    x = pool_or_top(x, args, classifier_activation)
    top = "" if include_top else "_notop"
    file_name = f"inception_v3_weights_tf_dim_ordering_tf_kernels{top}.h5"
    return finish(img_input, x, args, name,
                  imagenet_file=(file_name, BASE_WEIGHTS_PATH + file_name))


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1] ('tf' mode), as Inception v3 was trained."""
    return _preprocess(x, data_format=data_format, mode="tf")
