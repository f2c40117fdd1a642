"""``tf.Variable``: saessak's Variable (what ``Layer.add_weight`` makes) with TensorFlow's
constructor, so a subclassed layer may hold ``self.w = tf.Variable(...)`` as its weight."""

from __future__ import annotations

import numpy as np

from .. import backend, initializers
from ..autograd import variable as _autograd_variable
from .tensors import convert_to_tensor


class Variable(_autograd_variable.Variable):
    """A mutable tensor: ``assign``, ``assign_add``, ``assign_sub``, ``numpy()``.

    ``trainable`` (default True) decides whether ``GradientTape`` watches it and whether a
    layer lists it in ``trainable_weights``. Integer variables never require gradients.

    >>> v = tf.Variable(1.0)
    >>> v.assign_add(2.0).numpy()
    array(3., dtype=float32)
    """

    __slots__ = ()

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None, synchronization=None, aggregation=None,
                 shape=None, **kwargs):
        initial_value = kwargs.pop("initializer", initial_value)  # Keras 3's keras.Variable
        if kwargs:
            raise TypeError(f"Variable: unexpected keyword argument(s) {sorted(kwargs)}")
        if initial_value is None:
            raise ValueError("Variable: initial_value (or initializer) must be given")
        if isinstance(initial_value, str):  # keras.Variable(initializer="zeros", shape=...)
            initial_value = initializers.get(initial_value)
        if callable(initial_value):  # tf.Variable(lambda: ...), Keras initializer objects
            initial_value = initial_value() if shape is None else initial_value(
                tuple(shape), dtype=dtype or backend.floatx())
        value = np.array(convert_to_tensor(initial_value, dtype=dtype).numpy(), order="C")
        trainable = True if trainable is None else bool(trainable)
        super().__init__(value, trainable=trainable and value.dtype.kind == "f", name=name,
                         constraint=constraint)
        self.declared_trainable = trainable

    def __repr__(self):
        return (f"<tf.Variable {self.name or 'Variable'!r} shape={self.shape} "
                f"dtype={self.dtype}, numpy={self.numpy()!r}>")


class Module:
    """``tf.Module``: finds the Variables held in its attributes (also in lists, dicts,
    sub-Modules and Keras layers), as ``variables`` and ``trainable_variables``."""

    def __init__(self, name=None):
        self.name = name or type(self).__name__.lower()

    @property
    def variables(self) -> list:
        found, seen = [], set()
        _collect(self, found, seen, set())
        return found

    @property
    def trainable_variables(self) -> list:
        return [v for v in self.variables if v.trainable]

    @property
    def submodules(self) -> list:
        return [v for v in _members(self) if isinstance(v, Module)]

    def name_scope(self):
        return _NullScope()


class _NullScope:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _members(obj):
    values = []
    for value in vars(obj).values():
        if isinstance(value, dict):
            values.extend(value.values())
        elif isinstance(value, (list, tuple)):
            values.extend(value)
        else:
            values.append(value)
    return values


def _collect(obj, found, seen, visited):
    if id(obj) in visited:
        return
    visited.add(id(obj))
    for value in _members(obj):
        if isinstance(value, _autograd_variable.Variable):
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif isinstance(value, Module):
            _collect(value, found, seen, visited)
        elif hasattr(value, "weights") and hasattr(value, "trainable_weights"):  # a layer
            for w in value.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    found.append(w)
