"""Pipeline (Keras 3): a plain layer that applies a list of layers in order, typically an
image augmentation chain.

>>> augment = Pipeline([RandomFlip("horizontal"), RandomRotation(0.1), RandomGrayscale(0.2)])
>>> augment(images, training=True)

Unlike a ``Sequential`` model it is not a model: no ``fit``, no inputs of its own, and it
passes whatever it is given (an image batch or a dict ``{"images", "labels"}``) from one
layer to the next. ``training`` reaches every layer that takes it; left out, each layer
reads the enclosing phase (inference outside ``fit``), as any saessak layer does.
(Keras 3.15 has no ``RandomApply`` layer; none is defined here.)
"""

from __future__ import annotations

from ..layer import Layer
from ..serialization import deserialize, serialize


class Pipeline(Layer):
    def __init__(self, layers, name=None, **kwargs):
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer)
                                                             for x in layers):
            raise ValueError(f"Pipeline: layers must be a list of Layer instances, received "
                             f"{layers!r}")
        super().__init__(name=name, **kwargs)
        self._pipeline_layers = list(layers)

    @property
    def layers(self):
        return list(self._pipeline_layers)

    def call(self, inputs, training=None):
        for layer in self._pipeline_layers:
            if training is not None and "training" in layer._call_takes:
                inputs = layer(inputs, training=training)
            else:
                inputs = layer(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "layers": [serialize(layer) for layer in self._pipeline_layers]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(f"Pipeline: the config needs a list of layer configs under "
                             f"'layers', received {layers!r}")
        return cls(**{**config, "layers": [deserialize(x, custom_objects) for x in layers]})
