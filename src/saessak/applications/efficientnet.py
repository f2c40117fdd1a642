"""EfficientNet B0 ... B7 (Tan and Le, 2019) with Keras's signatures, layer names and order.

One network, scaled: B0 is the base, and each later model widens every layer
(``width``), repeats its blocks more often (``depth``) and expects larger images
(``size``)::

    model = applications.EfficientNetB0(weights=None, input_shape=(64, 64, 3), classes=10)
    base = applications.EfficientNetB3(include_top=False, weights="imagenet")  # network once

The model takes pixels in [0, 255]: it scales them to [0, 1] (a ``Rescaling`` layer) and
standardizes each colour with a ``Normalization`` layer whose mean and variance are weights
(Keras's ImageNet files hold them), so :func:`preprocess_input` does nothing. With
``weights='imagenet'`` one more layer divides by the square root of ImageNet's standard
deviation: Keras's published files store the squared deviation as the variance (see
tensorflow/tensorflow#49930); tf.keras 2 names that layer ``tf.math.multiply``, as here.

Every block is an inverted residual (``block1a_`` ... ``block7a_``): a 1x1 convolution
widens the channels (``expand_conv``), a depthwise convolution filters each one (``dwconv``),
squeeze-and-excitation reweights them (``se_squeeze`` ... ``se_excite``), a 1x1 convolution
projects back (``project_conv``), and where the shapes allow the input is added back after a
dropout of whole samples (``drop``, the "drop connect" that grows along the network).
"""

from __future__ import annotations

import math

from .. import layers
from ..layers.naming import unique_name
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import (
    correct_pad,
    decode_predictions,  # noqa: F401 - Keras's name in every module
)

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)

# (kernel size, repeats, filters in, filters out, expansion, stride of the first block) for
# the seven stages of B0; every block has squeeze-and-excitation of ratio 0.25
_STAGES = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1)]
_SE_RATIO = 0.25

# Keras's initializers: He-like for the convolutions, a narrow uniform for the classifier
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}

# variant -> (width, depth, default input size, dropout before the classifier)
_VARIANTS = {"b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2),
             "b2": (1.1, 1.2, 260, 0.3), "b3": (1.2, 1.4, 300, 0.3),
             "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
             "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}


def _round_filters(filters, width, divisor=8):
    """``filters * width`` to a multiple of ``divisor``, never more than 10% down."""
    filters *= width
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    return int(new + divisor if new < 0.9 * filters else new)


def _round_repeats(repeats, depth):
    return int(math.ceil(depth * repeats))


def _conv(filters, kernel_size, name, **kwargs):
    return layers.Conv2D(filters, kernel_size, padding=kwargs.pop("padding", "same"),
                         kernel_initializer=CONV_KERNEL_INITIALIZER, name=name, **kwargs)


def _block(inputs, activation, drop_rate, name, filters_in, filters_out, kernel_size,
           strides, expand_ratio):
    """One inverted-residual block with squeeze-and-excitation (Keras's ``block``)."""
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, 1, f"{name}expand_conv", use_bias=False)(x)
        x = layers.BatchNormalization(axis=-1, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size),
                                 name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                               padding="valid" if strides == 2 else "same", use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=-1, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)

    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((1, 1, filters), name=f"{name}se_reshape")(se)
    se = _conv(max(1, int(filters_in * _SE_RATIO)), 1, f"{name}se_reduce",
               activation=activation)(se)
    se = _conv(filters, 1, f"{name}se_expand", activation="sigmoid")(se)
    x = layers.multiply([x, se], name=f"{name}se_excite")

    x = _conv(filters_out, 1, f"{name}project_conv", use_bias=False)(x)
    x = layers.BatchNormalization(axis=-1, name=f"{name}project_bn")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def _efficientnet(variant, include_top, weights, input_tensor, input_shape, pooling, classes,
                  classifier_activation, name, drop_connect_rate=0.2, activation="swish"):
    width, depth, default_size, dropout_rate = _VARIANTS[variant]
    owner = f"EfficientNet{variant.upper()}"
    if input_shape is None and input_tensor is None and not include_top:
        input_shape = (None, None, 3)  # as Keras: any size without the top
    args = check_arguments(owner, weights, include_top, classes, pooling, input_shape,
                           input_tensor, default_size=default_size, min_size=32)
    img_input = make_input(args)

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=-1)(x)
    if weights == "imagenet":
        # tf.keras 2's ``tf.math.multiply`` by a constant: a weightless layer of that name
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB],
                             name=unique_name("tf.math.multiply"))(x)
    x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name="stem_conv_pad")(x)
    x = _conv(_round_filters(32, width), 3, "stem_conv", strides=2, padding="valid",
              use_bias=False)(x)
    x = layers.BatchNormalization(axis=-1, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    total = float(sum(_round_repeats(stage[1], depth) for stage in _STAGES))
    b = 0
    for i, (kernel_size, repeats, f_in, f_out, expand, stride) in enumerate(_STAGES):
        f_in, f_out = _round_filters(f_in, width), _round_filters(f_out, width)
        for j in range(_round_repeats(repeats, depth)):
            x = _block(x, activation, drop_connect_rate * b / total, f"block{i + 1}{chr(j + 97)}_",
                       f_in if j == 0 else f_out, f_out, kernel_size, stride if j == 0 else 1,
                       expand)
            b += 1

    x = _conv(_round_filters(1280, width), 1, "top_conv", use_bias=False)(x)
    x = layers.BatchNormalization(axis=-1, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top or pooling is None:
        x = pool_or_top(x, args, classifier_activation,
                        top=lambda x: _top(x, classes, dropout_rate, classifier_activation))
    else:  # Keras names the pooling here
        pool = layers.GlobalAveragePooling2D if pooling == "avg" else layers.GlobalMaxPooling2D
        x = pool(name=f"{pooling}_pool")(x)
    file_name = f"efficientnet{variant}{'' if include_top else '_notop'}.h5"
    return finish(img_input, x, args, name,
                  imagenet_file=(file_name, BASE_WEIGHTS_PATH + file_name))


def _top(x, classes, dropout_rate, classifier_activation):
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name="top_dropout")(x)
    return layers.Dense(classes, activation=classifier_activation,
                        kernel_initializer=DENSE_KERNEL_INITIALIZER, name="predictions")(x)


_DOC = """Keras's ``keras.applications.EfficientNet{v}`` (default input {size}x{size}).

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32; default ``({size}, {size}, 3)``,
            which ImageNet weights with the top require.
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.

    The model takes pixels in [0, 255] (see the module docstring).
    """


def _make(variant):
    v = variant.upper()

    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000, classifier_activation="softmax",
                    name=f"efficientnet{variant}"):
        return _efficientnet(variant, include_top, weights, input_tensor, input_shape,
                             pooling, classes, classifier_activation, name)

    constructor.__name__ = constructor.__qualname__ = f"EfficientNet{v}"
    _, _, size, dropout = _VARIANTS[variant]
    constructor.__doc__ = _DOC.format(v=v, low=variant, size=size, dropout=dropout)
    return constructor


EfficientNetB0 = _make("b0")
EfficientNetB1 = _make("b1")
EfficientNetB2 = _make("b2")
EfficientNetB3 = _make("b3")
EfficientNetB4 = _make("b4")
EfficientNetB5 = _make("b5")
EfficientNetB6 = _make("b6")
EfficientNetB7 = _make("b7")


def preprocess_input(x, data_format=None):
    """Returns ``x`` unchanged: EfficientNet scales and standardizes the pixels itself (its
    ``Rescaling`` and ``Normalization`` layers); kept for Keras's API."""
    return x
