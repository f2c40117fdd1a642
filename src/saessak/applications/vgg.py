"""VGG16 and VGG19 (Simonyan and Zisserman, 2015) with Keras's signatures and layer names.

Five blocks of 3x3 convolutions (``block1_conv1`` ... ``block5_conv4``), each ended by a
2x2 max pooling (``block1_pool`` ...); the top flattens and applies two Dense layers of
4096 units (``fc1``, ``fc2``) before ``predictions``. The names are Keras's, so Keras's
published weight files load::

    base = applications.VGG16(include_top=False, weights="imagenet")  # needs network once
"""

from __future__ import annotations

from .. import layers
from .application import check_arguments, finish, make_input, pool_or_top
from .imagenet_utils import decode_predictions  # noqa: F401 - Keras's name in every module
from .imagenet_utils import preprocess_input as _preprocess

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/"
# the filters and the number of convolutions of the five blocks
_VGG16 = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
_VGG19 = ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4))


def _top(classes, classifier_activation):
    def top(x):
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    return top


def _vgg(owner, blocks, include_top, weights, input_tensor, input_shape, pooling, classes,
         classifier_activation, name):
    args = check_arguments(owner, weights, include_top, classes, pooling, input_shape,
                           input_tensor, default_size=224, min_size=32)
    x = inputs = make_input(args)
    for block, (filters, convs) in enumerate(blocks, start=1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    x = pool_or_top(x, args, classifier_activation,
                    top=_top(classes, classifier_activation))
    model = owner.lower()
    file_name = (f"{model}_weights_tf_dim_ordering_tf_kernels"
                 f"{'' if include_top else '_notop'}.h5")
    return finish(inputs, x, args, name,
                  imagenet_file=(file_name, f"{BASE_WEIGHT_PATH}{model}/{file_name}"))


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """Keras's ``keras.applications.VGG16``: 13 convolutions and 3 Dense layers.

    Args:
        input_shape: ``(rows, cols, 3)``, at least 32x32; default ``(224, 224, 3)``.
        The other arguments (``include_top``, ``weights``, ``input_tensor``, ``pooling``,
        ``classes``, ``classifier_activation``, ``name``) are every application's:
        see :mod:`saessak.applications.application`.
    """
    return _vgg("VGG16", _VGG16, include_top, weights, input_tensor, input_shape, pooling,
                classes, classifier_activation, name)


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    """Keras's ``keras.applications.VGG19``: 16 convolutions and 3 Dense layers; the
    arguments are :func:`VGG16`'s."""
    return _vgg("VGG19", _VGG19, include_top, weights, input_tensor, input_shape, pooling,
                classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    """As VGG was trained ('caffe'): RGB to BGR, minus the ImageNet mean of each channel,
    no scaling."""
    return _preprocess(x, data_format=data_format, mode="caffe")
