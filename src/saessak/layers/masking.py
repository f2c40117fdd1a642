"""Masking: mark the time steps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

import numpy as np

from .. import backend
from ..ops import multiply
from .layer import Layer


class Masking(Layer):
    """Skip padded steps in the recurrent layers that follow.

    A step is masked when every feature equals ``mask_value``; the output is the input with
    masked steps set to zero, carrying the mask ``(batch, time)``.

    >>> x = np.array([[[1.0], [0.0]]])
    >>> Masking(0.0)(x)._keras_mask
    array([[ True, False]])
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def _keep(self, inputs):
        return np.any(inputs.data != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self._keep(inputs)
        return multiply(inputs, backend.asarray(keep[..., None].astype(inputs.dtype)))

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
