"""Activation: apply an activation function as a layer of its own."""

from __future__ import annotations

from .. import activations
from .layer import Layer


class Activation(Layer):
    """``Activation('relu')`` computes ``relu(inputs)``; the shape does not change.

    >>> Activation("softmax")(np.array([[0.0, 0.0]])).numpy()
    array([[0.5, 0.5]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        if activation is None:
            raise ValueError("Activation: the activation argument is required, e.g. "
                             "Activation('relu'); received None")
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
