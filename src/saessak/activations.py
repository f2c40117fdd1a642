"""Activation functions by name, as ``Dense(10, activation='softmax')`` asks for them.

The functions themselves (forward and backward) live in :mod:`saessak.ops.activations`;
this module is the Keras-level registry: :func:`get` turns a name into the function,
:func:`serialize` turns the function back into its name.
"""

from __future__ import annotations

from .ops.activations import (
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    leaky_relu,
    linear,
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

_BY_NAME = {
    "elu": elu, "exponential": exponential, "gelu": gelu, "hard_sigmoid": hard_sigmoid,
    "leaky_relu": leaky_relu, "linear": linear, "log_softmax": log_softmax, "mish": mish,
    "relu": relu, "relu6": relu6, "selu": selu, "sigmoid": sigmoid, "silu": silu,
    "softmax": softmax, "softplus": softplus, "softsign": softsign, "swish": swish,
    "tanh": tanh,
}
# swish and silu are one function; serialize gives the Keras 3 name
_NAME_OF = {fn: name for name, fn in _BY_NAME.items() if name != "swish"}

__all__ = sorted(_BY_NAME) + ["step", "get", "serialize", "deserialize"]


def get(identifier):
    """The activation function for a name, a callable (returned as is) or ``None`` (linear).

    >>> get('relu') is relu
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise ValueError(f"activations.get: unknown activation {identifier!r}; valid "
                             f"names: {sorted(_BY_NAME)}")
        return fn
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"activations.get: expected a name, a callable or None, received "
                     f"{identifier!r}")


def serialize(activation) -> str:
    """The registered name of an activation function (``relu -> 'relu'``).

    A function of the user's own serializes to its ``__name__``; ``deserialize`` can only
    turn that back into the function through ``custom_objects``.
    """
    if activation is None:
        return "linear"
    if isinstance(activation, str):
        get(activation)  # check it
        return activation
    name = _NAME_OF.get(activation)
    if name is not None:
        return name
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"activations.serialize: expected an activation function, "
                         f"received {activation!r}")
    return name


def deserialize(name, custom_objects=None):
    """The activation function called ``name`` (looked up in ``custom_objects`` first)."""
    if isinstance(name, dict):  # {'class_name': 'relu', ...} as some configs write it
        name = name.get("config", {}).get("name", name.get("class_name"))
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return get(name)
