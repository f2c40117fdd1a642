"""Activation functions by name, as ``Dense(10, activation='softmax')`` asks for them.

The functions themselves (forward and backward) live in :mod:`saessak.ops.activations`;
this module is the Keras-level registry: :func:`get` turns a name into the function,
:func:`serialize` turns the function back into its name.
"""

from __future__ import annotations

from ._registry import Registry

# the public ops (they record themselves as layers on functional-model placeholders, so
# keras.activations.relu(x) works there as in Keras), and the two that are not Keras ops
from .ops import (
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    leaky_relu,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    step,
    swish,
    tanh,
)
from .ops.activations import hard_sigmoid_keras2, linear

_BY_NAME = {
    "elu": elu, "exponential": exponential, "gelu": gelu, "hard_sigmoid": hard_sigmoid,
    "hard_sigmoid_keras2": hard_sigmoid_keras2,
    "leaky_relu": leaky_relu, "linear": linear, "log_softmax": log_softmax, "mish": mish,
    "relu": relu, "relu6": relu6, "selu": selu, "sigmoid": sigmoid, "silu": silu,
    "softmax": softmax, "softplus": softplus, "softsign": softsign, "swish": swish,
    "tanh": tanh,
}
# A name gives the function itself (make=); swish and silu are one function, registered
# as 'silu' first, so serialize gives the Keras 3 name.
_registry = Registry("activation", None, _BY_NAME, make=lambda fn, name: fn)

__all__ = sorted(_BY_NAME) + ["step", "get", "serialize", "deserialize"]


def get(identifier):
    """The activation function for a name (saessak's, or your own made known by
    ``custom_object_scope``/``register_keras_serializable``), a config dict, a callable
    (returned as is) or ``None`` (linear).

    >>> get('relu') is relu
    True
    """
    if identifier is None:
        return linear
    if not isinstance(identifier, (str, dict)) and not callable(identifier):
        raise ValueError(f"activations.get: expected a name, a callable or None, received "
                         f"{identifier!r}")
    return _registry.get(identifier)


def serialize(activation):
    """The name of an activation function (``relu -> 'relu'``); a function of your own
    serializes to its registered name or ``__name__``, which ``deserialize`` turns back
    into the function only through ``custom_objects`` (or a scope, or registration)."""
    if activation is None:
        return "linear"
    return _registry.serialize(activation)


def deserialize(name, custom_objects=None):
    """The activation function called ``name`` (looked up in ``custom_objects`` first)."""
    if isinstance(name, dict) and isinstance(name.get("config"), dict):
        name = name["config"].get("name", name.get("class_name"))  # {'class_name': 'relu'}
    return _registry.deserialize(name, custom_objects)
