"""MobileNetV3 Small and Large (Howard et al., 2019) with tf.keras 2's layer names and order.

The blocks are MobileNetV2's inverted residuals (``expanded_conv_<i>/expand``,
``.../depthwise``, ``.../project``, each with its ``/BatchNorm``), some with
squeeze-and-excitation (``.../squeeze_excite/Conv`` ...), with ReLU or hard-swish,
``x * relu6(x + 3) / 6``. ``minimalistic=True`` drops squeeze-and-excitation, hard-swish
and the 5x5 kernels. Keras publishes ImageNet weights for alpha 0.75 and 1.0 (1.0 only
when minimalistic), trained at 224 pixels; the model takes any size of at least 32::

    model = applications.MobileNetV3Small(input_shape=(224, 224, 3))   # network once
    base = applications.MobileNetV3Large(include_top=False, weights=None, alpha=0.75)

The model takes pixels in [0, 255]: its first layer scales them to [-1, 1] (a
``Rescaling`` layer; ``include_preprocessing=False`` leaves it out), so
:func:`preprocess_input` does nothing.

The names are tf.keras 2's, which the programs here were written against (Keras 3 renamed
``Conv/BatchNorm`` to ``conv_bn`` and so on); Keras's weight files are read by the order of
the layers, so they load the same. tf.keras 2 builds hard-swish from operators on tensors,
which it records as layers named ``tf.__operators__.add`` and ``tf.math.multiply``; here
those are ``Rescaling`` layers of the same names (the same arithmetic, and a model that
saves and loads like any other).
"""

from __future__ import annotations

import warnings

from .. import layers
from ..layers.naming import unique_name
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import (
    correct_pad,
    decode_predictions,  # noqa: F401 - Keras's name in every module
)

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                    "mobilenet_v3/")

# (expansion, filters, kernel size or None for the model's, stride, squeeze-excite, uses
# the model's activation rather than ReLU) of each block
_SMALL = [(1, 16, 3, 2, True, False), (72 / 16, 24, 3, 2, False, False),
          (88 / 24, 24, 3, 1, False, False), (4, 40, None, 2, True, True),
          (6, 40, None, 1, True, True), (6, 40, None, 1, True, True),
          (3, 48, None, 1, True, True), (3, 48, None, 1, True, True),
          (6, 96, None, 2, True, True), (6, 96, None, 1, True, True),
          (6, 96, None, 1, True, True)]
_LARGE = [(1, 16, 3, 1, False, False), (4, 24, 3, 2, False, False),
          (3, 24, 3, 1, False, False), (3, 40, None, 2, True, False),
          (3, 40, None, 1, True, False), (3, 40, None, 1, True, False),
          (6, 80, 3, 2, False, True), (2.5, 80, 3, 1, False, True),
          (2.3, 80, 3, 1, False, True), (2.3, 80, 3, 1, False, True),
          (6, 112, 3, 1, True, True), (6, 112, 3, 1, True, True),
          (6, 160, None, 2, True, True), (6, 160, None, 1, True, True),
          (6, 160, None, 1, True, True)]


def _depth(v, divisor=8, min_value=None):
    """Round ``v`` to a multiple of ``divisor``, never more than 10% down."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _linear_if_none(activation):
    """Keras's ``Activation(None)`` is the identity; saessak's Activation wants a name."""
    return "linear" if activation is None else activation


def _bn(x, name):
    return layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=name)(x)


def _relu(x):
    return layers.ReLU()(x)


def _hard_sigmoid(x):
    """``relu6(x + 3) / 6``, in tf.keras 2's three layers."""
    x = layers.ReLU(6.0)(
        layers.Rescaling(1.0, offset=3.0, name=unique_name("tf.__operators__.add"))(x))
    return layers.Rescaling(1.0 / 6.0, name=unique_name("tf.math.multiply"))(x)


def _hard_swish(x):
    return layers.Multiply()([x, _hard_sigmoid(x)])


def _se_block(inputs, filters, se_ratio, prefix):
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite/AvgPool")(
        inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite/Conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite/Relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite/Conv_1")(x)
    x = _hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite/Mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation,
                        block_id):
    shortcut = x
    in_filters = x.shape[-1]
    prefix = "expanded_conv/"
    if block_id:
        prefix = f"expanded_conv_{block_id}/"
        x = layers.Conv2D(_depth(in_filters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = _bn(x, f"{prefix}expand/BatchNorm")
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise/pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = _bn(x, f"{prefix}depthwise/BatchNorm")
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(in_filters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _bn(x, f"{prefix}project/BatchNorm")
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=f"{prefix}Add")([shortcut, x])
    return x


def _mobilenet_v3(model_type, input_shape, alpha, minimalistic, include_top, weights,
                  input_tensor, classes, pooling, dropout_rate, classifier_activation,
                  include_preprocessing, name):
    owner = f"MobileNetV3{model_type.capitalize()}"
    shape = input_shape
    if shape is None:
        shape = (None, None, 3) if input_tensor is None else tuple(input_tensor.shape[1:])
    shape = tuple(shape)
    # Keras leaves the size open even with the top (which pools globally): the checks see
    # 224 where it is open, and the model keeps it open
    checked = shape if len(shape) != 3 else tuple(
        224 if n is None and i < 2 else n for i, n in enumerate(shape))
    args = check_arguments(owner, weights, include_top, classes, pooling, checked,
                           input_tensor, min_size=32, fixed_top_size=False)
    args.input_shape = shape
    if weights == "imagenet":
        if (alpha not in (0.75, 1.0)) if not minimalistic else alpha != 1.0:
            raise ValueError(f"{owner}: ImageNet weights exist for alpha 0.75 or 1.0 (only 1.0 "
                             f"when minimalistic); received alpha={alpha}, "
                             f"minimalistic={minimalistic}")
        if shape[0] != shape[1] or shape[0] != 224:
            warnings.warn(f"{owner}: input_shape is undefined, non-square or not 224x224; "
                          "the weights for 224x224 are loaded", stacklevel=3)

    if minimalistic:
        kernel, activation, se_ratio = 3, _relu, None
    else:
        kernel, activation, se_ratio = 5, _hard_swish, 0.25
    img_input = make_input(args)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="Conv")(x)
    x = _bn(x, "Conv/BatchNorm")
    x = activation(x)
    blocks = _SMALL if model_type == "small" else _LARGE
    for block_id, (expansion, filters, size, stride, se, own) in enumerate(blocks):
        x = _inverted_res_block(x, expansion, _depth(filters * alpha), size or kernel, stride,
                                se_ratio if se else None, activation if own else _relu,
                                block_id)
    last_point_ch = 1024 if model_type == "small" else 1280
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(_depth(x.shape[-1] * 6), kernel_size=1, padding="same", use_bias=False,
                      name="Conv_1")(x)
    x = _bn(x, "Conv_1/BatchNorm")
    x = activation(x)

    def top(x):
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="Conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="Logits")(x)
        x = layers.Flatten()(x)
        return layers.Activation(_linear_if_none(classifier_activation), name="Predictions")(x)

    if include_top or pooling is None:
        x = pool_or_top(x, args, classifier_activation, top=top)
    else:  # Keras names the pooling here
        pool = layers.GlobalAveragePooling2D if pooling == "avg" else layers.GlobalMaxPooling2D
        x = pool(name=f"{pooling}_pool")(x)
    weights_name = (f"{model_type}{'_minimalistic' if minimalistic else ''}_224_"
                    f"{float(alpha)}_float")
    file_name = f"weights_mobilenet_v3_{weights_name}{'' if include_top else '_no_top_v2'}.h5"
    return finish(img_input, x, args, name or f"MobilenetV3{model_type}",
                  imagenet_file=(file_name, BASE_WEIGHT_PATH + file_name))


_DOC = """Keras's ``keras.applications.MobileNetV3{kind}``.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32 where known; default
            ``(None, None, 3)``, any size (ImageNet weights were trained at 224x224).
        alpha: width multiplier of the blocks' channels (0.75 or 1.0 for ImageNet weights;
            1.0 when minimalistic).
        minimalistic: without squeeze-and-excitation, hard-swish and 5x5 kernels.
        dropout_rate: dropout before the ``Logits`` layer.
        include_preprocessing: start with the ``Rescaling`` of [0, 255] to [-1, 1].
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.
    """


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name=None):
    return _mobilenet_v3("small", input_shape, alpha, minimalistic, include_top, weights,
                         input_tensor, classes, pooling, dropout_rate, classifier_activation,
                         include_preprocessing, name)


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name=None):
    return _mobilenet_v3("large", input_shape, alpha, minimalistic, include_top, weights,
                         input_tensor, classes, pooling, dropout_rate, classifier_activation,
                         include_preprocessing, name)


MobileNetV3Small.__doc__ = _DOC.format(kind="Small", low="small")
MobileNetV3Large.__doc__ = _DOC.format(kind="Large", low="large")


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: MobileNetV3 scales the pixels itself (its first
    ``Rescaling`` layer); kept for Keras's API."""
    return x
