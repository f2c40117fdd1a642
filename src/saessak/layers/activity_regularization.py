"""ActivityRegularization: pass the input through, and add a penalty on it to the loss."""

from __future__ import annotations

from .. import regularizers
from .layer import Layer


class ActivityRegularization(Layer):
    """The identity, with ``l1 * sum|x| + l2 * sum x^2`` added to the model's loss (per
    sample: divided by the batch size, as tf.keras 2 does for every activity penalty)."""

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("l1", l1), ("l2", l2)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"ActivityRegularization: {name} must be a number >= 0, "
                                 f"received {value!r}")
        self.l1, self.l2 = float(l1), float(l2)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
