"""Identity: a layer that returns its input unchanged (a placeholder in a model)."""

from __future__ import annotations

from .layer import Layer


class Identity(Layer):
    """Returns its input as it is, mask included."""

    supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
