"""ResNet50, ResNet101 and ResNet152 (He et al., 2015) with Keras's signatures and layer
names, and the stem and end that the ResNetV2 models (``resnet_v2``) share with them.

A ResNet is a 7x7 stride-2 convolution (``conv1_conv``), a 3x3 stride-2 max pooling
(``pool1_pool``), four stacks of bottleneck blocks (``conv2`` ... ``conv5``; block
``conv3_block2`` has layers ``conv3_block2_1_conv`` ... ``conv3_block2_out``) and global
average pooling. A bottleneck block narrows the channels with a 1x1 convolution, filters
with a 3x3 one, widens to 4x with a 1x1 one and adds the block's input back (through a 1x1
convolution, ``_0_conv``, where the shape changes). The names are Keras's, so Keras's
published weight files load::

    base = applications.ResNet50(include_top=False, weights="imagenet")  # needs network once
"""

from __future__ import annotations

from .. import layers
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import decode_predictions  # noqa: F401 - Keras's name in every module
from .imagenet_utils import preprocess_input as _preprocess

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
EPSILON = 1.001e-5  # of every batch normalization


def batch_norm(x, name):
    return layers.BatchNormalization(axis=-1, epsilon=EPSILON, name=name)(x)


def build(owner, stacks, preact, include_top, weights, input_tensor, input_shape, pooling,
          classes, classifier_activation, name, weights_name):
    """The model around ``stacks(x)``: the stem, then (with ``preact``, ResNetV2) the final
    batch normalization and ReLU, then the top or the pooling; ``weights_name`` names
    Keras's weight files (``resnet50``, ``resnet50v2`` ...)."""
    args = check_arguments(owner, weights, include_top, classes, pooling, input_shape,
                           input_tensor, default_size=224, min_size=32)
    x = inputs = make_input(args)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(x)
    x = layers.Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    if not preact:
        x = batch_norm(x, "conv1_bn")
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stacks(x)
    if preact:
        x = batch_norm(x, "post_bn")
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top or pooling is None:
        x = pool_or_top(x, args, classifier_activation)
    elif pooling == "avg":  # Keras names these poolings too, unlike other applications
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    else:
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    file_name = (f"{weights_name}_weights_tf_dim_ordering_tf_kernels"
                 f"{'' if include_top else '_notop'}.h5")
    return finish(inputs, x, args, name,
                  imagenet_file=(file_name, BASE_WEIGHTS_PATH + file_name))


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """The bottleneck block of ResNet (v1): convolution, batch normalization, ReLU; the
    ReLU after the addition."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = batch_norm(shortcut, f"{name}_0_bn")
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = batch_norm(x, f"{name}_1_bn")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="same", name=f"{name}_2_conv")(x)
    x = batch_norm(x, f"{name}_2_bn")
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = batch_norm(x, f"{name}_3_bn")
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """``blocks`` blocks; the first one strides by ``stride1`` and has the 1x1 shortcut."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def _stacks_v1(blocks):
    """The four stacks (64, 128, 256, 512 filters) with ``blocks`` blocks each."""
    def stacks(x):
        for i, (filters, n) in enumerate(zip((64, 128, 256, 512), blocks)):
            x = stack_residual_blocks_v1(x, filters, n, stride1=1 if i == 0 else 2,
                                         name=f"conv{i + 2}")
        return x
    return stacks


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="resnet50"):
    """Keras's ``keras.applications.ResNet50``: 3, 4, 6 and 3 bottleneck blocks.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32; default ``(224, 224, 3)``.
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.
    """
    return build("ResNet50", _stacks_v1((3, 4, 6, 3)), False, include_top, weights,
                 input_tensor, input_shape, pooling, classes, classifier_activation, name,
                 "resnet50")


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name="resnet101"):
    """Keras's ``keras.applications.ResNet101``: 3, 4, 23 and 3 bottleneck blocks; the
    arguments are :func:`ResNet50`'s."""
    return build("ResNet101", _stacks_v1((3, 4, 23, 3)), False, include_top, weights,
                 input_tensor, input_shape, pooling, classes, classifier_activation, name,
                 "resnet101")


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name="resnet152"):
    """Keras's ``keras.applications.ResNet152``: 3, 8, 36 and 3 bottleneck blocks; the
    arguments are :func:`ResNet50`'s."""
    return build("ResNet152", _stacks_v1((3, 8, 36, 3)), False, include_top, weights,
                 input_tensor, input_shape, pooling, classes, classifier_activation, name,
                 "resnet152")


def preprocess_input(x, data_format=None):
    """As ResNet was trained ('caffe'): RGB to BGR, minus the ImageNet mean of each
    channel, no scaling."""
    return _preprocess(x, data_format=data_format, mode="caffe")
