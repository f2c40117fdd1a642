"""``tf.Variable``: saessak's Variable (what ``Layer.add_weight`` makes) with TensorFlow's
constructor, so a subclassed layer may hold ``self.w = tf.Variable(...)`` as its weight."""

from __future__ import annotations

import numpy as np

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
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given")
        if callable(initial_value):  # tf.Variable(lambda: ...) and initializer objects
            initial_value = initial_value()
        value = np.array(convert_to_tensor(initial_value, dtype=dtype).numpy(), order="C")
        trainable = True if trainable is None else bool(trainable)
        super().__init__(value, trainable=trainable and value.dtype.kind == "f", name=name,
                         constraint=constraint)
        self.declared_trainable = trainable

    def __repr__(self):
        return (f"<tf.Variable {self.name or 'Variable'!r} shape={self.shape} "
                f"dtype={self.dtype}, numpy={self.numpy()!r}>")
