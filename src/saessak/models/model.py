"""Model: a layer that can be trained. Three ways to make one, as in Keras.

1. Functional: ``Model(inputs, outputs)`` on symbolic tensors from ``Input``.
2. Subclassing: ``class MyModel(Model)`` with layers made in ``__init__`` and a ``call``.
3. ``Sequential``: a plain stack of layers (``saessak.models.sequential``).

Training (``compile``, ``fit``, ``evaluate``, ``predict``) comes from
:class:`saessak.training.Trainer`; the table of ``summary()`` from ``models.summary``;
``save`` and ``load_model`` from ``models.saving``.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from ..autograd import no_grad
from ..layers.input_layer import KerasTensor, flatten, map_shapes
from ..layers.layer import Layer, _structure_changed, learning_phase
from ..ops import expand_dims
from ..training import Trainer
from .functional import Graph, traced_shapes
from .summary import print_summary


class Model(Trainer, Layer):
    """A trainable stack or graph of layers.

    >>> inputs = Input(shape=(10,))
    >>> hidden = Dense(64, activation="relu")(inputs)
    >>> model = Model(inputs, Dense(1, activation="sigmoid")(hidden))
    >>> model.count_params()
    769
    """

    def __init__(self, *args, **kwargs):
        if args and args[0] is self:  # `super().__init__(self)`, as the TF text-generation
            args = args[1:]           # tutorial writes it: Keras ignores the extra self
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if len(args) > 2:
            raise TypeError(f"Model: expected at most 2 positional arguments (inputs, "
                            f"outputs), received {len(args)}")
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)
        self._graph = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("Model: a functional model needs both inputs= and outputs=")
            self._init_graph(inputs, outputs)

    # --- the functional graph -----------------------------------------------------------------
    def _init_graph(self, inputs, outputs):
        graph = Graph(inputs, outputs)
        self._graph = graph
        self._layers = list(graph.layers)  # tracked sublayers, in Keras's order
        _structure_changed()
        self.built = True

    @property
    def inputs(self):
        return None if self._graph is None else list(self._graph.inputs)

    @property
    def outputs(self):
        return None if self._graph is None else list(self._graph.output_list)

    @property
    def input(self):
        if self._graph is None:
            return Layer.input.fget(self)
        inputs = self._graph.inputs
        return inputs[0] if len(inputs) == 1 else list(inputs)

    @property
    def output(self):
        if self._graph is None:
            return Layer.output.fget(self)
        outputs = self._graph.output_list
        return outputs[0] if len(outputs) == 1 else list(outputs)

    @property
    def input_names(self):
        return [t.node.layer.name for t in self._graph.inputs] if self._graph else []

    @property
    def output_names(self):
        if self._graph is None:
            return []
        # a layer that gives several outputs names them "rnn", "rnn_1", ... (tf.keras 2)
        names, counts = [], {}
        for t in self._graph.output_list:
            base = proposal = t._keras_history[0].name
            while proposal in names:
                counts[base] = counts.get(base, 1)
                proposal = f"{base}_{counts[base]}"
                counts[base] += 1
            names.append(proposal)
        return names

    @property
    def input_shape(self):
        if self._graph is None:
            return Layer.input_shape.fget(self)
        shapes = [t.shape for t in self._graph.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        if self._graph is None:
            return Layer.output_shape.fget(self)
        shapes = [t.shape for t in self._graph.output_list]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def layers(self):
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """A layer by its name or by its position in ``model.layers``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"get_layer: index {index} is out of range; the model has "
                                 f"{len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"get_layer: no layer named {name!r}; the layers are "
                         f"{[layer.name for layer in self.layers]}")

    def reset_states(self):
        """Reset the carried states of every stateful layer inside the model (recurrent
        layers made with ``stateful=True``); other layers are left alone, as in Keras."""
        stack, seen = list(reversed(self._layers)), {id(self)}
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()
            else:
                stack.extend(reversed(layer._layers))

    # --- calling --------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        if self._graph is None:
            raise NotImplementedError(
                f"{type(self).__name__}: a subclassed Model must define call(self, inputs)")
        with learning_phase(training):
            return self._graph.run(self._input_list(inputs))

    def _input_list(self, inputs):
        """The model's inputs as a list in ``self.inputs`` order, shapes checked."""
        expected = self._graph.inputs
        if isinstance(inputs, dict):
            names = [t.node.layer.name for t in expected]
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Model {self.name!r}: the input dict lacks {missing}; it "
                                 f"has keys {sorted(inputs)}")
            values = [inputs[n] for n in names]
        elif isinstance(inputs, (list, tuple)) and len(expected) > 1:
            values = list(inputs)
        elif isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            values = list(inputs)
        else:
            values = [inputs]
        if len(values) != len(expected):
            raise ValueError(f"Model {self.name!r} expects {len(expected)} input(s) "
                             f"({[t.name for t in expected]}), received {len(values)}")
        values = [_add_last_axis(v, t.shape) for v, t in zip(values, expected)]
        traced = traced_shapes(self)
        if isinstance(traced, dict):
            traced = [traced.get(t.node.layer.name) for t in expected]
        check_input_shapes(self.name, expected, values, traced)
        return values

    def compute_output_shape(self, input_shape):
        if self._graph is None:
            raise NotImplementedError
        batch = flatten(input_shape)[0] if not isinstance(input_shape, tuple) or (
            input_shape and isinstance(input_shape[0], tuple)) else input_shape[0]

        def with_batch(t):
            return (batch,) + tuple(t.shape[1:])

        outs = self._graph.outputs
        if isinstance(outs, KerasTensor):
            return with_batch(outs)
        return [with_batch(t) for t in flatten(outs)]

    def build(self, input_shape=None):
        """Create the weights of a subclassed model by calling it once on zeros."""
        if self._graph is not None or input_shape is None:
            self.built = True
            return
        if not self.built:
            zeros = map_shapes(lambda s: np.zeros(tuple(1 if n is None else n for n in s),
                                                  dtype="float32"), input_shape)
            self.built = True
            with no_grad():
                self(zeros)
        self._build_shapes = input_shape
        self.built = True

    # --- summary, config, saving -----------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print the Keras table of layers, output shapes and parameter counts."""
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def get_config(self):
        from .saving import functional_config  # cycle: saving imports model
        if self._graph is None:
            config = Layer.get_config(self)
            return config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .saving import functional_from_config  # cycle: saving imports model
        if "layers" in config and "input_layers" in config:
            return functional_from_config(config, custom_objects, cls=cls)
        return cls(**config)

    def to_json(self, **kwargs) -> str:
        from .saving import serialize_layer  # cycle: saving imports model
        return json.dumps(serialize_layer(self), **kwargs)

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        """Save architecture, weights, optimizer state and compile settings in one file."""
        from .saving import save_model  # cycle: saving imports model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer,
                   **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Write the weights; the format follows the file name (see :mod:`.saving`).
        tf.keras 2's ``options`` has nothing to set here; ``save_format`` and Keras 3's
        ``max_shard_size`` are ignored with a warning."""
        from .saving import save_weights  # cycle: saving imports model
        _ignored_arguments("save_weights", kwargs, {
            "save_format": "the format follows the file name (.weights.h5/.h5: Keras's HDF5, "
                           "any other: saessak's archive)",
            "max_shard_size": "the weights go into one file"})
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, **kwargs):
        from .saving import load_weights  # cycle: saving imports model
        _ignored_arguments("load_weights", kwargs, {}, error=ValueError)  # as Keras 3
        load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def _write_backup(self, path, next_epoch):
        """``callbacks.BackupAndRestore``'s backup of this run (:mod:`.backup`)."""
        from .backup import write_backup  # cycle: backup -> saving -> model
        write_backup(path, self, next_epoch)

    def _read_backup(self, path) -> int:
        """Restore a backup of :meth:`_write_backup`; returns the epoch to start from."""
        from .backup import read_backup  # cycle: backup -> saving -> model
        return read_backup(path, self)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


def _ignored_arguments(method, kwargs, ignored, error=TypeError):
    """Keras arguments of ``method`` saessak has no use for: tf.keras 2's ``options`` passes
    silently (it changes nothing), those in ``ignored`` warn with what saessak does instead,
    and any other raises ``error``."""
    kwargs = {k: v for k, v in kwargs.items() if k != "options"}
    for name, instead in ignored.items():
        if kwargs.pop(name, None) is not None:
            warnings.warn(f"Model.{method}: {name}= is ignored; {instead}", stacklevel=3)
    if kwargs:
        raise error(f"Model.{method}: unexpected argument(s) {sorted(kwargs)}")


def _add_last_axis(value, shape):
    """Keras's functional rule, on every call: data one axis short of an Input whose last
    axis is 1 (a batch of scalars from a Dataset of feature columns) gets that axis."""
    ndim = getattr(value, "ndim", None)
    if ndim is None or ndim != len(shape) - 1 or shape[-1] != 1:
        return value
    if isinstance(value, np.ndarray):
        return value[..., None]
    return expand_dims(value, -1)


def check_input_shapes(model_name, expected, values, traced=None):
    """Compare data with the Input placeholders: same number of axes, same known sizes.

    ``traced``: when the model runs as a node of an outer graph, the shapes that node's
    symbolic inputs had; an axis unknown there (None) is not checked, as a TensorFlow graph
    checks a nested model only against the shapes it was traced with."""
    if traced is None or len(traced) != len(expected):
        traced = [None] * len(expected)
    for t, v, seen in zip(expected, values, traced):
        shape = getattr(v, "shape", None)
        if shape is None:
            continue
        known = t.shape if seen is None or len(seen) != len(t.shape) else tuple(
            e if s is not None else None for e, s in zip(t.shape, seen))
        if len(shape) != len(t.shape) or any(
                e is not None and e != r for e, r in zip(known[1:], shape[1:])):
            raise ValueError(
                f"Input {t.name!r} of model {model_name!r} is incompatible with the data: "
                f"expected shape {t.shape}, received shape {tuple(shape)}")
