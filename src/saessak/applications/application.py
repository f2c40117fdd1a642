"""What every ``keras.applications`` constructor does around its own layers: check the
arguments Keras checks, make the input, finish with the classifier top or a pooling, and
load the weights (Keras's published ImageNet file, fetched once, or a file of one's own).

Every constructor takes these arguments, as Keras's do:

- ``include_top``: end with the classifier (global average pooling and the
  ``predictions`` Dense layer, for most models);
- ``weights``: None (random), ``'imagenet'`` (Keras's published file, fetched once
  through ``get_file`` by its canonical URL), or the path of a Keras weights file
  (``.h5``/``.weights.h5``);
- ``input_tensor``: a ``keras.Input`` to build on;
- ``pooling``: without the top, ``None`` (4-D output), ``'avg'`` or ``'max'``;
- ``classes``: the classes of the top (1000 for ImageNet weights);
- ``classifier_activation``: the top's activation (with pre-trained weights, ``'softmax'``
  or None for logits);
- ``name``: the model's name.

An architecture module writes only its body::

    def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
        args = check_arguments("VGG16", weights, include_top, classes, pooling, input_shape,
                               input_tensor, default_size=224, min_size=32)
        x = inputs = make_input(args)
        ...                                    # the convolutional body, Keras's layer names
        x = pool_or_top(x, args, classifier_activation)
        return finish(inputs, x, args, name,
                      imagenet_file=("vgg16_weights_tf_dim_ordering_tf_kernels.h5", URL))
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .. import layers
from ..models.model import Model
from .imagenet_utils import fetch_weights


@dataclass
class Arguments:
    """The checked arguments of an application constructor."""

    weights: object
    include_top: bool
    classes: int
    pooling: str | None
    input_shape: tuple
    input_tensor: object
    owner: str = "application"


def check_arguments(owner, weights, include_top, classes, pooling, input_shape, input_tensor,
                    default_size=224, min_size=32, channels=3, fixed_top_size=True):
    """Keras's checks, with errors that name ``owner`` and the argument; the input shape
    defaults to ``(default_size, default_size, channels)`` with the top and to ``(None,
    None, channels)`` without. With ``fixed_top_size`` (most models) ImageNet weights with
    the top need exactly the default size."""
    if not (weights in {"imagenet", None} or isinstance(weights, (str, os.PathLike))):
        raise ValueError(f"{owner}: weights must be None, 'imagenet' or a file path; "
                         f"received {weights!r}")
    if weights not in ("imagenet", None) and not os.path.exists(weights):
        raise ValueError(f"{owner}: weights file {os.fspath(weights)!r} does not exist")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(f"{owner}: with weights='imagenet' and include_top=True, classes "
                         f"must be 1000; received classes={classes}")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{owner}: pooling must be None, 'avg' or 'max'; received "
                         f"{pooling!r}")
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    if input_shape is None:  # Keras's defaults: the weights' size with the top, else any
        input_shape = ((default_size, default_size, channels) if include_top
                       else (None, None, channels))
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or (weights == "imagenet" and input_shape[-1] != channels):
        raise ValueError(f"{owner}: input_shape must be (rows, cols, {channels}), received "
                         f"{input_shape}")
    rows, cols = input_shape[:2]
    if fixed_top_size and include_top and weights == "imagenet" and (rows, cols) != (
            default_size, default_size):
        raise ValueError(f"{owner}: with weights='imagenet' and include_top=True the input "
                         f"must be {default_size}x{default_size}; received {input_shape}")
    if include_top and (rows is None or cols is None):
        raise ValueError(f"{owner}: with include_top=True the input size must be known; "
                         f"received input_shape={input_shape}")
    if rows is not None and cols is not None and (rows < min_size or cols < min_size):
        raise ValueError(f"{owner}: input size must be at least {min_size}x{min_size}; "
                         f"received input_shape={input_shape}")
    return Arguments(weights, include_top, classes, pooling, input_shape, input_tensor, owner)


def make_input(args):
    """The model's input: the given ``input_tensor``, or a new ``Input``."""
    if args.input_tensor is not None:
        return args.input_tensor
    return layers.Input(shape=args.input_shape)


def pool_or_top(x, args, classifier_activation, top=None):
    """The end of the network: with ``include_top``, ``top(x)`` (by default global average
    pooling and the ``predictions`` Dense layer); else the chosen ``pooling``, if any."""
    if args.include_top:
        if args.weights is not None and classifier_activation not in (None, "softmax"):
            raise ValueError(f"{args.owner}: with pre-trained weights the top's "
                             "classifier_activation must be None or 'softmax'; received "
                             f"{classifier_activation!r}")
        if top is not None:
            return top(x)
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        return layers.Dense(args.classes, activation=classifier_activation,
                            name="predictions")(x)
    if args.pooling == "avg":
        return layers.GlobalAveragePooling2D()(x)
    if args.pooling == "max":
        return layers.GlobalMaxPooling2D()(x)
    return x


def finish(inputs, outputs, args, name, imagenet_file=None):
    """The model, with its weights: ``imagenet_file`` is ``(file name, url)`` of Keras's
    published ImageNet weights for these arguments."""
    model = Model(inputs, outputs, name=name)
    if args.weights == "imagenet":
        file_name, url = imagenet_file
        model.load_weights(fetch_weights(file_name, url))
    elif args.weights is not None:
        model.load_weights(args.weights)
    return model
