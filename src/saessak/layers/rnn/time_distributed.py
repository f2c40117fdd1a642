"""TimeDistributed: apply one layer to every time step of a sequence, with shared weights."""

from __future__ import annotations

from ... import ops
from ..layer import Layer
from ..serialization import deserialize, serialize


class TimeDistributed(Layer):
    """``TimeDistributed(Dense(8))`` on (batch, time, features) applies the same Dense at
    every step. The steps are folded into the batch axis, (batch * time, ...), so the inner
    layer runs once; masks pass through.

    >>> layer = TimeDistributed(Dense(8))
    >>> layer(np.zeros((2, 5, 3))).shape
    (2, 5, 8)
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: layer must be a Layer instance, received "
                             f"{layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def _inner_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r}: expected inputs of shape "
                             f"(batch, time, ...), received {shape}")
        batch, steps = shape[0], shape[1]
        folded = None if batch is None or steps is None else batch * steps
        return (folded,) + shape[2:]

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(self._inner_shape(input_shape))
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        folded = ops.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        y = self.layer(folded, training=training)
        return ops.reshape(y, (batch, steps) + tuple(y.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._inner_shape(input_shape))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    def get_config(self):
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects)
        return cls(**config)
