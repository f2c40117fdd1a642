"""An op called on the placeholders of a functional model, kept as a layer.

``keras.ops.mean(x, axis=1)``, ``x + y`` or ``tf.concat([a, b], 1)`` on ``keras.Input``
placeholders computes nothing yet: it becomes a layer that makes the call when data flows.
The layer keeps the call by the op's *name*, its constant arguments, and where each
placeholder stood (a slot), so a saved model comes back without code: a ``Lambda`` holds a
Python function, which saessak never loads from a file.

Keras 3 writes such a call as an operation (``keras.src.ops.numpy.Mean``) with its own
configuration; :mod:`saessak.models.keras_format` translates between the two.
"""

from __future__ import annotations

import importlib

import numpy as np

from .. import ops
from ..ops.symbolic import SYMBOLIC
from .layer import Layer


class Slot:
    """Where a placeholder stood among an op's arguments: the ``index``-th input."""

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"Slot({self.index})"


def function_name(fn) -> str:
    """How an OpLayer names a ``keras.ops`` function: ``'ops.mean'``."""
    public = getattr(ops, fn.__name__, None)
    if public is None or fn not in (public, getattr(public, "__wrapped_op__", None)):
        raise ValueError(f"OpLayer: {fn!r} is not a keras.ops function; name the op instead")
    return f"ops.{fn.__name__}"


def resolve(name: str):
    """The function an OpLayer names: ``'ops.<name>'`` (``keras.ops``, also
    ``'ops.image.<name>'``) or ``'tf.<name>'`` (saessak's TensorFlow names). Only saessak's
    own functions are ever looked up, never code from a file."""
    root, _, path = name.partition(".")
    if root == "ops":
        found = ops
    elif root == "tf":
        found = importlib.import_module("saessak.compat")  # above layers: looked up late
    else:
        found = None
    for part in path.split(".") if found is not None else ():
        found = getattr(found, part, None) if not part.startswith("_") else None
    if not callable(found):
        raise ValueError(f"OpLayer: unknown op {name!r} (expected 'ops.<keras.ops name>' or "
                         f"'tf.<TensorFlow name>')")
    return found


def make_template(args, kwargs):
    """``(args, kwargs, placeholders)``: the call with each placeholder replaced by a Slot."""
    placeholder = SYMBOLIC["type"]
    placeholders = []

    def mark(value):
        if type(value) is placeholder:
            placeholders.append(value)
            return Slot(len(placeholders) - 1)
        if type(value) in (list, tuple):
            return type(value)(mark(v) for v in value)
        if type(value) is dict:
            return {k: mark(v) for k, v in value.items()}
        return value

    return tuple(mark(a) for a in args), {k: mark(v) for k, v in kwargs.items()}, placeholders


def fill(value, inputs):
    """The template ``value`` with each Slot replaced by its input."""
    if isinstance(value, Slot):
        return inputs[value.index]
    if type(value) in (list, tuple):
        return type(value)(fill(v, inputs) for v in value)
    if type(value) is dict:
        return {k: fill(v, inputs) for k, v in value.items()}
    return value


class OpLayer(Layer):
    """``function(*args, **kwargs)`` with the model's inputs in the argument slots.

    Made by saessak when an op meets placeholders; ``args`` and ``kwargs`` hold
    :class:`Slot` s where the placeholders stood. Made from a Keras 3 file with
    ``args=None``, the first call supplies the arguments (placeholders anywhere), and
    ``kwargs`` holds the operation's own configuration (``axis`` for ``Mean``).
    """

    def __init__(self, function, args=None, kwargs=None, **layer_kwargs):
        super().__init__(**layer_kwargs)
        self.function = function if isinstance(function, str) else function_name(function)
        self._fn = resolve(self.function)
        self.args = None if args is None else tuple(args)
        self.kwargs = dict(kwargs or {})
        self.built = True

    def __call__(self, *args, **kwargs):
        if self.args is None:  # the call itself, placeholders anywhere in its arguments
            call_args, call_kwargs, placeholders = make_template(args, {**self.kwargs,
                                                                         **kwargs})
            if not placeholders:
                return self._fn(*call_args, **call_kwargs)
            self.args, self.kwargs = call_args, call_kwargs
            return super().__call__(placeholders if len(placeholders) > 1 else placeholders[0])
        return super().__call__(*args, **kwargs)

    def call(self, inputs):
        # one placeholder comes as itself, several as a list (the call's slots, in order)
        values = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        return self._fn(*fill(self.args, values), **fill(self.kwargs, values))

    def compute_output_shape(self, input_shape):
        raise NotImplementedError  # found by a trial run

    def get_config(self):
        return {**super().get_config(), "function": self.function,
                "args": None if self.args is None else [_to_json(a, self) for a in self.args],
                "kwargs": {k: _to_json(v, self) for k, v in self.kwargs.items()}}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        args = config.pop("args", None)
        return cls(args=None if args is None else [_from_json(a) for a in args],
                   kwargs={k: _from_json(v) for k, v in (config.pop("kwargs", None)
                                                         or {}).items()}, **config)


def _to_json(value, layer):
    """A constant argument as JSON; slots, slices, tuples and arrays as tagged objects."""
    if isinstance(value, Slot):
        return {"__slot__": value.index}
    if isinstance(value, slice):
        return {"__slice__": [_to_json(v, layer) for v in (value.start, value.stop,
                                                            value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, tuple):
        return {"__tuple__": [_to_json(v, layer) for v in value]}
    if isinstance(value, list):
        return [_to_json(v, layer) for v in value]
    if isinstance(value, dict):
        return {"__dict__": {str(k): _to_json(v, layer) for k, v in value.items()}}
    if isinstance(value, np.ndarray) or (hasattr(value, "numpy") and hasattr(value, "shape")):
        array = np.asarray(value)
        return {"__array__": array.tolist(), "dtype": array.dtype.name}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.dtype, type)):
        return np.dtype(value).name
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"OpLayer {layer.name!r} ({layer.function}): cannot save an argument of "
                     f"type {type(value).__name__} ({value!r})")


def _from_json(value):
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__slot__" in value:
        return Slot(value["__slot__"])
    if "__slice__" in value:
        return slice(*(_from_json(v) for v in value["__slice__"]))
    if "__ellipsis__" in value:
        return Ellipsis
    if "__tuple__" in value:
        return tuple(_from_json(v) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _from_json(v) for k, v in value["__dict__"].items()}
    if "__array__" in value:
        return np.asarray(value["__array__"], dtype=value["dtype"])
    return {k: _from_json(v) for k, v in value.items()}
