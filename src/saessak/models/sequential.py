"""Sequential: a plain stack of layers, each feeding the next.

>>> model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(1)])
>>> model.count_params()     # (4*8 + 8) + (8*1 + 1)
49

With an input shape (``input_shape=`` on the first layer, or an ``Input`` first) the model
is built at once and ``summary()`` works; without one it is built on the first batch it
sees (``fit``, ``predict`` or a call).
"""

from __future__ import annotations

from ..layers.input_layer import InputLayer, KerasTensor
from ..layers.layer import Layer, _structure_changed, learning_phase
from .functional import Graph
from .model import Model, check_input_shapes
from .saving import deserialize_layer, serialize_layer


class Sequential(Model):
    """A model that applies its layers one after another."""

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._input_layer = None
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential: layers must be a list of layers, received "
                            f"{type(layers).__name__}")
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build()

    # --- editing the stack ----------------------------------------------------------------------
    def add(self, layer, rebuild=True):
        """Put ``layer`` on top of the stack (an ``Input(...)`` may come first)."""
        if isinstance(layer, KerasTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer, received "
                            f"{type(layer).__name__}: {layer!r}")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("Sequential.add: an Input/InputLayer can only come first")
            # not a tracked sublayer: as in Keras, ``model.layers`` lists only the layers
            # after the input (Layer.__setattr__ would track it)
            object.__setattr__(self, "_input_layer", layer)
        else:
            if any(other.name == layer.name for other in self._layers):
                raise ValueError(f"Sequential.add: every layer needs a unique name; "
                                 f"{layer.name!r} is already in the model")
            self._layers.append(layer)
            _structure_changed()
        if rebuild and self._graph is not None and not isinstance(layer, InputLayer):
            # already built: only the new layer needs a symbolic call
            self._graph = Graph(self._graph.inputs[0], layer(self._graph.output_list[0]))
            return
        self._graph = None
        self.built = False
        if rebuild:
            self._maybe_build()

    def pop(self):
        """Remove the top layer and return it."""
        if not self._layers:
            raise TypeError("Sequential.pop: there are no layers in the model")
        layer = self._layers.pop()
        _structure_changed()
        self._graph = None
        self.built = False
        self._maybe_build()
        return layer

    # --- building -------------------------------------------------------------------------------
    def _declared_input(self):
        """(batch shape, dtype) when the model knows its input shape, else None."""
        if self._input_layer is not None:
            return self._input_layer._batch_input_shape, self._input_layer.dtype
        if self._layers and self._layers[0]._batch_input_shape is not None:
            first = self._layers[0]
            return first._batch_input_shape, getattr(first, "input_dtype", None)
        return None

    def _maybe_build(self):
        declared = self._declared_input()
        if declared is not None and self._layers:
            self._build_graph(*declared)

    def _build_graph(self, batch_shape, dtype=None):
        """Call every layer on a placeholder of ``batch_shape``: builds the weights and
        records the output shapes that ``summary()`` prints."""
        input_layer = self._input_layer
        if input_layer is None or tuple(input_layer._batch_input_shape) != tuple(batch_shape):
            first = self._layers[0].name if self._layers else self.name
            input_layer = InputLayer(batch_input_shape=tuple(batch_shape), dtype=dtype,
                                     name=f"{first}_input")
        x = inputs = input_layer._inbound_nodes[0].outputs[0]
        for layer in self._layers:
            x = layer(x)
        self._graph = Graph(inputs, x)
        self._build_shapes = tuple(batch_shape)
        self.built = True

    def build(self, input_shape=None):
        if input_shape is None:
            declared = self._declared_input()
            if declared is None:
                raise ValueError(f"Sequential {self.name!r}.build: the model does not know "
                                 "its input shape; pass it, e.g. model.build((None, 10))")
            input_shape = declared[0]
        self._build_graph(tuple(input_shape))

    def _build_from(self, inputs) -> None:
        shape = (None,) + tuple(inputs.shape[1:])
        self._build_graph(shape, dtype=inputs.dtype)
        # built from the first data it saw, not from a declared Input: later data may have
        # other sizes on the axes its layers do not fix (a sequence's length), as in Keras
        self._shape_from_data = True

    # --- calling --------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        if isinstance(inputs, dict):
            inputs = self._the_one_input(inputs)
        if self._graph is not None and not getattr(self, "_shape_from_data", False):
            check_input_shapes(self.name, self._graph.inputs, [inputs])
        with learning_phase(training):
            x = inputs
            for layer in self._layers:
                x = layer(x)
        return x

    def _the_one_input(self, inputs: dict):
        """A Sequential model has one input: a dict may give it under the input's name."""
        name = self._graph.inputs[0].name if self._graph is not None else None
        if len(inputs) == 1 and (name is None or name in inputs):
            return next(iter(inputs.values()))
        raise ValueError(f"Sequential model {self.name!r} has one input"
                         + (f" (named {name!r})" if name else "") + ", received a dict with "
                         f"keys {sorted(map(str, inputs))}; pass the array itself")

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def input_shape(self):
        if self._graph is None:
            raise AttributeError(f"Sequential {self.name!r} is not built yet, so its input "
                                 "shape is unknown")
        return self._graph.inputs[0].shape

    @property
    def output_shape(self):
        if self._graph is None:
            raise AttributeError(f"Sequential {self.name!r} is not built yet, so its output "
                                 "shape is unknown")
        return self._graph.output_list[0].shape

    @property
    def input_names(self):
        return [self._graph.inputs[0].node.layer.name] if self._graph else []

    # --- config ---------------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable,
                  "layers": [serialize_layer(layer) for layer in self._layers]}
        if self._graph is not None:
            config["build_input_shape"] = list(self._graph.inputs[0].shape)
            config["input_dtype"] = self._graph.inputs[0].dtype
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config.get("layers", []):
            model.add(deserialize_layer(layer_config, custom_objects), rebuild=False)
        shape = config.get("build_input_shape")
        if shape is not None and model._layers:
            model._build_graph(tuple(shape), dtype=config.get("input_dtype"))
        return model
