"""DenseNet-121, -169 and -201 (Huang et al., 2017) with Keras's signatures and layer names.

The layer names are Keras's (``conv1_conv``, ``conv2_block1_0_bn``, ``conv3_block4_concat``,
``pool2_conv``, ``bn``, ``predictions`` ...), so Keras's published weight files load::

    base = applications.DenseNet121(include_top=False, weights="imagenet")  # network once
    model = applications.DenseNet169(weights="my_keras_densenet169.h5")

Inside a dense block every layer reads the concatenation of all the feature maps before it
and adds ``growth_rate`` (32) channels of its own: batch normalization, ReLU, a 1x1
convolution to 128 channels, batch normalization, ReLU, a 3x3 convolution to 32. Between
blocks a transition halves the channels (1x1 convolution) and the size (2x2 average
pooling). The three variants differ only in how many layers each of the four blocks has.
"""

from __future__ import annotations

from .. import layers
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import decode_predictions  # noqa: F401 - Keras's name in every module
from .imagenet_utils import preprocess_input as _preprocess

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
_GROWTH_RATE = 32
_EPSILON = 1.001e-5


def _bn_relu(x, name):
    """Batch normalization (``<name>_bn``) then ReLU (``<name>_relu``)."""
    x = layers.BatchNormalization(axis=-1, epsilon=_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def _conv_block(x, name):
    """One layer of a dense block: its ``growth_rate`` new channels appended to ``x``."""
    y = _bn_relu(x, f"{name}_0")
    y = layers.Conv2D(4 * _GROWTH_RATE, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn_relu(y, f"{name}_1")
    y = layers.Conv2D(_GROWTH_RATE, 3, padding="same", use_bias=False,
                      name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=-1, name=f"{name}_concat")([x, y])


def _dense_block(x, blocks, name):
    for i in range(1, blocks + 1):
        x = _conv_block(x, f"{name}_block{i}")
    return x


def _transition_block(x, name, reduction=0.5):
    """Halve the channels (1x1 convolution) and the spatial size (2x2 average pooling)."""
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(x.shape[-1] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _densenet(blocks, depth, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation, name):
    owner = f"DenseNet{depth}"
    args = check_arguments(owner, weights, include_top, classes, pooling, input_shape,
                           input_tensor, default_size=224, min_size=32)
    img_input = make_input(args)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = _dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = _transition_block(x, name=f"pool{stage}")
    x = layers.BatchNormalization(axis=-1, epsilon=_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top or pooling is None:
        x = pool_or_top(x, args, classifier_activation)
    elif pooling == "avg":  # DenseNet, unlike most, names its pooling without the top
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    else:
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    top = "" if include_top else "_notop"
    file_name = f"densenet{depth}_weights_tf_dim_ordering_tf_kernels{top}.h5"
    return finish(img_input, x, args, name,
                  imagenet_file=(file_name, BASE_WEIGHTS_PATH + file_name))


_DOC = """Keras's ``keras.applications.DenseNet{depth}``: dense blocks of {blocks} layers.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32; default ``(224, 224, 3)`` (the only
            size for ImageNet weights with the top).
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.

    Scale the images with :func:`preprocess_input` ('torch' mode) first.
    """


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet121"):
    return _densenet((6, 12, 24, 16), 121, include_top, weights, input_tensor, input_shape,
                     pooling, classes, classifier_activation, name)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet169"):
    return _densenet((6, 12, 32, 32), 169, include_top, weights, input_tensor, input_shape,
                     pooling, classes, classifier_activation, name)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet201"):
    return _densenet((6, 12, 48, 32), 201, include_top, weights, input_tensor, input_shape,
                     pooling, classes, classifier_activation, name)


DenseNet121.__doc__ = _DOC.format(depth=121, blocks="6, 12, 24 and 16")
DenseNet169.__doc__ = _DOC.format(depth=169, blocks="6, 12, 32 and 32")
DenseNet201.__doc__ = _DOC.format(depth=201, blocks="6, 12, 48 and 32")


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [0, 1], then normalize each channel by ImageNet's mean
    and standard deviation ('torch' mode), as DenseNet was trained."""
    return _preprocess(x, data_format=data_format, mode="torch")
