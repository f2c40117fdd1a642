"""Activation layers: an activation function as a layer of its own.

``Activation('relu')`` applies any named activation; ``ReLU``, ``LeakyReLU``, ``PReLU``,
``ELU`` and ``Softmax`` are Keras's dedicated layers with their own arguments (a clipped
or leaky ReLU, a learned negative slope, a softmax that skips masked positions).
"""

from __future__ import annotations

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..autograd import Tensor
from ..ops import elu, logsumexp, relu, softmax
from ..ops import exp as _exp
from .layer import Layer


def _check_number(layer: str, name: str, value, minimum=None):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{layer}: {name} must be a number, received {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{layer}: {name} must be >= {minimum}, received {name}={value}")


class Activation(Layer):
    """``Activation('relu')`` computes ``relu(inputs)``; the shape does not change.

    >>> Activation("softmax")(np.array([[0.0, 0.0]])).numpy()
    array([[0.5, 0.5]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        # None is the identity, as in Keras (keras.applications' tops pass
        # classifier_activation=None for logits)
        self.activation = activations.get("linear" if activation is None else activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class _Elementwise(Layer):
    """An activation layer: same shape out as in, masks pass through."""

    supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_Elementwise):
    """Rectified linear unit with Keras's options::

        f(x) = max_value                          for x >= max_value
             = x                                  for threshold < x < max_value
             = negative_slope * (x - threshold)   otherwise
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None:
            _check_number("ReLU", "max_value", max_value, minimum=0)
        _check_number("ReLU", "negative_slope", negative_slope, minimum=0)
        _check_number("ReLU", "threshold", threshold)
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)

    def call(self, inputs):
        return relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                    threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``f(x) = x`` for x >= 0, ``negative_slope * x`` below: Keras 3 names the slope
    ``negative_slope``, tf.keras 2 named it ``alpha``; both are accepted (default 0.3)."""

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        if alpha is not None:
            negative_slope = alpha
        _check_number("LeakyReLU", "negative_slope", negative_slope, minimum=0)
        self.negative_slope = float(negative_slope)

    @property
    def alpha(self) -> float:
        return self.negative_slope

    def call(self, inputs):
        return relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ThresholdedReLU(_Elementwise):
    """tf.keras 2's ``f(x) = x`` for x > theta, 0 otherwise (default theta 1.0)."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        _check_number("ThresholdedReLU", "theta", theta, minimum=0)
        self.theta = float(theta)

    def call(self, inputs):
        return relu(inputs, threshold=self.theta)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


class ELU(_Elementwise):
    """Exponential linear unit: ``x`` for x > 0, ``alpha * (exp(x) - 1)`` below."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        _check_number("ELU", "alpha", alpha)
        self.alpha = float(alpha)

    def call(self, inputs):
        return elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """Parametric ReLU: ``f(x) = max(x, 0) + alpha * min(x, 0)`` with ``alpha`` a learned
    weight of shape ``input_shape[1:]``; ``shared_axes`` lists axes (batch axis = 0) along
    which one alpha is shared, e.g. ``shared_axes=[1, 2]`` for one slope per channel of an
    image."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, int):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)
        for axis in self.shared_axes or ():
            if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or axis < 1:
                raise ValueError(f"PReLU: shared_axes must hold axes >= 1 (0 is the batch "
                                 f"axis), received shared_axes={shared_axes!r}")

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if axis > len(shape):
                raise ValueError(f"PReLU {self.name!r}: shared axis {axis} is out of range for "
                                 f"inputs of rank {len(input_shape)}")
            shape[axis - 1] = 1
        if any(n is None for n in shape):
            raise ValueError(f"PReLU {self.name!r}: every axis that is not shared needs a "
                             f"known size, received input shape {tuple(input_shape)}")
        self.alpha = self.add_weight(name="alpha", shape=shape,
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        # relu(x) - alpha * relu(-x): the gradient wrt alpha is min(x, 0), summed over the
        # batch and the shared axes by the broadcast's backward.
        return relu(inputs) - self.alpha * relu(-inputs)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or a tuple of axes). ``mask`` (True = keep, broadcast
    against the inputs) gives the masked positions zero weight; a row masked entirely comes
    out as zeros (Keras adds -1e9 to masked scores, then multiplies by the mask)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis

    def call(self, inputs, mask=None):
        keep = None
        if mask is not None:
            keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
            large = -3e4 if inputs.dtype == np.float16 else -1e9
            inputs = inputs + Tensor(np.where(keep, 0.0, large).astype(inputs.dtype))
        if isinstance(self.axis, tuple) and len(self.axis) > 1:
            outputs = _exp(inputs - logsumexp(inputs, axis=self.axis, keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, tuple) else self.axis
            outputs = softmax(inputs, axis=axis)
        if keep is not None:
            outputs = outputs * Tensor(keep.astype(outputs.dtype))
        return outputs

    def get_config(self):
        axis = list(self.axis) if isinstance(self.axis, tuple) else self.axis
        return {**super().get_config(), "axis": axis}
