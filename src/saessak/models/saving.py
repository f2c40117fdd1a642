"""Saving and loading models: one file, no pickle, checked on the way back in.

``model.save`` picks the format from the extension, as Keras does: ``.keras`` writes Keras 3's
archive and ``.h5`` tf.keras 2's HDF5 file (both through :mod:`.keras_format`, which needs
h5py: ``saessak[h5]``); any other name (``model.saessak``, say), or
``save_format='saessak'``, writes saessak's own archive, which needs only NumPy:

- ``metadata.json``: the format name and version, and what the file holds;
- ``config.json``: the architecture (every layer's ``get_config``, and for functional models
  the connections between them), as JSON;
- ``compile.json``: the optimizer, loss, metrics and loss weights given to ``compile``;
- ``weights/0000.npy`` ...: one NumPy ``.npy`` entry per weight, in ``get_weights`` order;
- ``optimizer/<key>.npy``: the optimizer's state (step count, moments), so training resumes
  exactly where it stopped;
- ``manifest.json``: the size and SHA-256 of every other entry.

The container (:mod:`.archive`) checks the zip directory, the manifest, every checksum and
every array header before anything is read whole, and the JSON entries are checked against
their schema (:mod:`.file_schema`), so a truncated, edited or hostile file fails with one
ValueError naming the file and the entry. Arrays are never unpickled, and code is never
loaded from a file: ``Lambda`` functions and custom classes come only from
``custom_objects``. Files are written atomically (a temporary file in the same directory,
fsync, then ``os.replace``), so a crash during ``save`` leaves the previous file whole.
``load_model`` tells the formats apart by their contents, not their names.

``save_weights``/``load_weights``: ``.weights.h5`` is Keras 3's weights file and another
``.h5`` tf.keras 2's (h5py again); any other name uses saessak's container with only the
weights.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from .. import losses, optimizers
from .._registry import custom_object_scope
from .._version import __version__
from ..layers import serialization
from ..layers.input_layer import InputLayer, KerasTensor, flatten
from ..training import metrics as metrics_module
from . import file_schema
from .archive import FORMAT, VERSION, Archive, npy_bytes, write_archive
from .keras_format import (
    is_keras_file,
    load_keras_model,
    load_keras_weights,
    save_keras_model,
    save_keras_weights,
    wants_keras_format,
    wants_keras_weights,
)
from .model import Model

__all__ = ["FORMAT", "VERSION", "load_model", "load_weights", "save_model", "save_weights"]


# --- layers <-> JSON ---------------------------------------------------------------------------


# Keras's class name of a model built from inputs to outputs
serialization.LAYERS.register(Model, "Functional")


def serialize_layer(layer) -> dict:
    """``layers.serialize``, with a functional ``Model`` named ``'Functional'`` as in Keras."""
    spec = serialization.serialize(layer)
    if type(layer) is Model and getattr(layer, "_graph", None) is not None:
        spec["class_name"] = "Functional"
    return spec


def deserialize_layer(spec, custom_objects=None):
    """A new layer from ``{'class_name', 'config'}``: ``layers.deserialize``. Classes come
    from saessak or from the user (``custom_objects``, a scope, or registered), never from
    the file."""
    return serialization.deserialize(spec, custom_objects)


def _encode(value, ref):
    """Call arguments as JSON: placeholders become ``{'tensor': [layer, node, index]}``."""
    if isinstance(value, KerasTensor):
        return {"tensor": ref(value)}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, ref) for v in value]}
    if isinstance(value, list):
        return [_encode(v, ref) for v in value]
    if isinstance(value, dict):
        return {"dict": {k: _encode(v, ref) for k, v in value.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    raise ValueError(f"cannot save a call argument of type {type(value).__name__} in a "
                     "model config")


def _decode(value, lookup):
    if isinstance(value, dict):
        if "tensor" in value:
            return lookup(*value["tensor"])
        if "tuple" in value:
            return tuple(_decode(v, lookup) for v in value["tuple"])
        if "dict" in value:
            return {k: _decode(v, lookup) for k, v in value["dict"].items()}
        raise ValueError(f"unexpected entry in a node's arguments: {value!r}")
    if isinstance(value, list):
        return [_decode(v, lookup) for v in value]
    return value


def functional_config(model) -> dict:
    """Layers, and for each the calls (nodes) that belong to this model, in Keras's spirit:
    a node refers to its inputs as ``[layer name, node index, output index]``, where the
    node index counts only this model's nodes of that layer."""
    graph = model._graph
    in_model = {id(n) for n in graph.nodes}
    local_index = {}
    for layer in graph.layers:
        own = [n for n in layer._inbound_nodes if id(n) in in_model]
        for i, node in enumerate(own):
            local_index[id(node)] = i

    def ref(t):
        layer, node_index, tensor_index = t._keras_history
        return [layer.name, local_index[id(layer._inbound_nodes[node_index])], tensor_index]

    layer_configs = []
    for layer in graph.layers:
        nodes = [n for n in layer._inbound_nodes if id(n) in in_model and not n.is_input]
        layer_configs.append({
            **serialize_layer(layer), "name": layer.name,
            "inbound_nodes": [{"args": _encode(list(n.call_args), ref),
                               "kwargs": _encode(n.call_kwargs, ref)} for n in nodes]})
    outputs = graph.outputs
    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": [ref(t) for t in graph.inputs],
            "output_layers": _encode(outputs if isinstance(outputs, (list, tuple, dict))
                                     else outputs, ref)}


def functional_from_config(config, custom_objects=None, cls=None):
    """Rebuild a functional model: make every layer, then replay the calls in an order where
    each call's inputs already exist."""
    cls = cls or Model
    layers, pending = {}, []
    made: dict[tuple, KerasTensor] = {}
    saved_name = {}
    for spec in config["layers"]:
        layer = deserialize_layer(spec, custom_objects)
        layers[spec["name"]] = layer
        saved_name[id(layer)] = spec["name"]
        if isinstance(layer, InputLayer):
            made[(spec["name"], 0, 0)] = layer._inbound_nodes[0].outputs[0]
        for node in spec.get("inbound_nodes", []):
            pending.append((layer, node))
    local_count = {name: (1 if isinstance(layer, InputLayer) else 0)
                   for name, layer in layers.items()}

    def lookup(name, node_index, tensor_index):
        return made[(name, node_index, tensor_index)]

    while pending:
        progress = False
        for item in list(pending):
            layer, node = item
            try:
                args = _decode(node["args"], lookup)
                kwargs = _decode(node["kwargs"], lookup)
            except KeyError:
                continue  # an input of this call is not made yet
            outputs = layer(*args, **kwargs)
            name = saved_name[id(layer)]  # a layer without a name argument got a new one
            index = local_count[name]
            local_count[name] += 1
            for i, t in enumerate(flatten(outputs)):
                made[(name, index, i)] = t
            pending.remove(item)
            progress = True
        if not progress:
            names = sorted({saved_name[id(layer)] for layer, _ in pending})
            raise ValueError(f"the model config cannot be rebuilt: the calls of {names} "
                             "refer to inputs that no layer produces")
    inputs = [lookup(*r) for r in config["input_layers"]]
    outputs = _decode(config["output_layers"], lookup)
    return cls(inputs=inputs if len(inputs) > 1 else inputs[0], outputs=outputs,
               name=config.get("name"), trainable=config.get("trainable", True))


# --- weights -------------------------------------------------------------------------------------


def _weight_entries(model) -> tuple[dict, list]:
    entries, table = {}, []
    for i, w in enumerate(model.weights):
        name = f"weights/{i:04d}.npy"
        entries[name] = npy_bytes(w.data)
        table.append({"entry": name, "path": w.path, "shape": list(w.shape),
                      "dtype": str(w.dtype)})
    return entries, table


def _load_weight_arrays(model, archive, by_name=False, skip_mismatch=False):
    """Set ``model``'s weights from the archive, in order; with ``by_name``, each from the
    entry of the same path ("layer/weight"), where the file has one (the others keep their
    values). With ``skip_mismatch``, a weight whose shape differs keeps its value too."""
    table = file_schema.weights_table(archive.json("weights.json"),
                                      archive.where("weights.json"), archive.manifest)
    weights = model.weights
    if by_name:
        by_path = {row["path"]: row for row in table}
        table = [by_path.get(w.path) for w in weights]
    elif len(table) != len(weights):
        raise ValueError(f"{archive.path}: the file holds {len(table)} weights, the model has "
                         f"{len(weights)} ({[w.path for w in weights]}); is it the same "
                         "architecture? (by_name=True loads the weights whose paths match)")
    arrays = []
    for row, w in zip(table, weights):
        a = w.data if row is None else archive.array(row["entry"])
        if tuple(a.shape) != tuple(w.shape):
            problem = (f"{archive.path}: weight {row['path']!r} has shape {tuple(a.shape)} in "
                       f"the file, but the model's {w.path!r} has {tuple(w.shape)}")
            if not skip_mismatch:
                raise ValueError(problem)
            warnings.warn(f"load_weights(skip_mismatch=True): {problem}; it keeps its value",
                          stacklevel=4)  # the caller of Model.load_weights
            a = w.data
        arrays.append(a)
    model.set_weights(arrays)


# --- compile settings -----------------------------------------------------------------------------


def _compile_config(model):

    args = getattr(model, "_compile_args", None)
    if not getattr(model, "compiled", False) or args is None:
        return None

    def loss_spec(loss):
        if isinstance(loss, dict):
            return {"dict": {k: loss_spec(v) for k, v in loss.items()}}
        if isinstance(loss, (list, tuple)):
            return [loss_spec(v) for v in loss]
        return losses.serialize(loss)

    def metric_spec(m):
        if isinstance(m, dict):
            return {"dict": {k: metric_spec(v) for k, v in m.items()}}
        if isinstance(m, (list, tuple)):
            return [metric_spec(v) for v in m]
        if m is None or isinstance(m, str):
            return m
        if isinstance(m, metrics_module.Metric):
            return metrics_module.serialize(m)
        return getattr(m, "__name__", str(m))

    return {"optimizer": optimizers.serialize(model.optimizer),
            "loss": loss_spec(args["loss"]), "metrics": metric_spec(args["metrics"]),
            "weighted_metrics": metric_spec(args["weighted_metrics"]),
            "loss_weights": args["loss_weights"]}


def _compile_from_config(model, config, custom_objects):

    def loss_of(spec):
        if isinstance(spec, dict) and "dict" in spec:
            return {k: loss_of(v) for k, v in spec["dict"].items()}
        if isinstance(spec, list):
            return [loss_of(v) for v in spec]
        return None if spec is None else losses.deserialize(spec, custom_objects)

    def metric_of(spec):
        if isinstance(spec, dict) and "dict" in spec:
            return {k: metric_of(v) for k, v in spec["dict"].items()}
        if isinstance(spec, list):
            return [metric_of(v) for v in spec]
        if isinstance(spec, dict):
            return metrics_module.deserialize(spec, custom_objects)
        if isinstance(spec, str) and custom_objects and spec in custom_objects:
            return custom_objects[spec]
        return spec

    model.compile(optimizer=optimizers.deserialize(config["optimizer"], custom_objects),
                  loss=loss_of(config["loss"]), metrics=metric_of(config["metrics"]),
                  weighted_metrics=metric_of(config.get("weighted_metrics")),
                  loss_weights=config.get("loss_weights"))


# --- public functions -----------------------------------------------------------------------------


def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Write ``model`` (architecture, weights, compile settings, optimizer state) to one
    file. See the module docstring for the format."""
    if not model.built:
        raise ValueError(f"save: model {model.name!r} is not built yet (its weights do not "
                         "exist); call it on data or give it an input shape first")
    keras_format = wants_keras_format(filepath, kwargs.get("save_format"))
    if keras_format:  # .keras, .h5 or save_format='h5'/'keras': a file Keras loads
        return save_keras_model(model, filepath, keras_format, overwrite, include_optimizer)
    entries = {}
    entries["config.json"] = json.dumps(serialize_layer(model)).encode()
    build_shape = getattr(model, "_build_shapes", None)
    compile_config = _compile_config(model) if include_optimizer else None
    weight_entries, table = _weight_entries(model)
    entries.update(weight_entries)
    entries["weights.json"] = json.dumps(table, indent=1).encode()
    if compile_config is not None:
        entries["compile.json"] = json.dumps(compile_config).encode()
        for key, value in model.optimizer.get_state().items():
            entries[f"optimizer/{key}.npy"] = npy_bytes(value)
    meta = {"format": FORMAT, "version": VERSION, "kind": "model",
            "saessak_version": __version__,
            "build_input_shape": _jsonable_shape(build_shape),
            "compiled": compile_config is not None}
    entries = {"metadata.json": json.dumps(meta).encode(), **entries}
    write_archive(filepath, entries, overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a model written by ``save``. Your own layers, losses and ``Lambda`` functions
    come from ``custom_objects`` (by the name they were saved under), from an enclosing
    ``custom_object_scope``, or from ``register_keras_serializable``."""
    with custom_object_scope(custom_objects):  # so every nested from_config sees them
        return _load_model(filepath, custom_objects, compile)


def _load_model(filepath, custom_objects, compile):
    if is_keras_file(filepath):  # written by Keras: .h5 or a Keras 3 .keras archive
        return load_keras_model(filepath, custom_objects, compile)
    archive = Archive(filepath)
    if archive.meta["kind"] != "model":
        raise ValueError(f"{archive.path} holds only weights (save_weights); build the model "
                         "in code and call model.load_weights(path)")
    spec = file_schema.layer_spec(archive.json("config.json"), archive.where("config.json"))
    with _file_errors(archive, "config.json", "cannot rebuild the model from its config"):
        model = deserialize_layer(spec, custom_objects)
        if not model.built:
            shape = archive.meta.get("build_input_shape")
            if shape is None:
                raise ValueError("the saved model was never built and has no input shape")
            model.build(_tuple_shape(shape))
    _load_weight_arrays(model, archive)
    if compile and archive.has("compile.json"):
        config = file_schema.compile_config(archive.json("compile.json"),
                                            archive.where("compile.json"))
        with _file_errors(archive, "compile.json", "cannot compile the model as saved"):
            _compile_from_config(model, config, custom_objects)
        state = archive.arrays("optimizer/")
        if state:
            with _file_errors(archive, "optimizer/", "cannot restore the optimizer state"):
                model.optimizer.set_state(state)
    return model


class _file_errors:
    """Whatever a config that passed the schema still makes a constructor raise becomes
    one ValueError naming the file and the entry (a layer's own ValueError included)."""

    CAUGHT = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
              OverflowError, MemoryError)

    def __init__(self, archive, entry, what):
        self.where, self.what = archive.where(entry), what

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if kind is not None and issubclass(kind, self.CAUGHT):
            raise ValueError(f"{self.where}: {self.what}: {type(err).__name__}: {err}") \
                from err
        return False


def save_weights(model, filepath, overwrite=True):
    """Write only the weights: in Keras's layout for ``.weights.h5``/``.h5`` names, else in
    saessak's container (in ``get_weights`` order)."""
    keras_format = wants_keras_weights(filepath)
    if keras_format:
        return save_keras_weights(model, filepath, keras_format, overwrite)
    weight_entries, table = _weight_entries(model)
    meta = {"format": FORMAT, "version": VERSION, "kind": "weights"}
    entries = {"metadata.json": json.dumps(meta).encode(), **weight_entries,
               "weights.json": json.dumps(table, indent=1).encode()}
    write_archive(filepath, entries, overwrite)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Load weights written by ``save_weights`` (or ``save``) into ``model``; Keras's HDF5
    weight files go to ``keras_format``. ``by_name`` matches weights by their paths
    ("layer/weight") instead of their order; ``skip_mismatch`` leaves a weight whose shape
    differs as it is, with a warning."""
    if is_keras_file(filepath):
        return load_keras_weights(model, filepath, by_name, skip_mismatch)
    archive = Archive(filepath)
    _load_weight_arrays(model, archive, by_name, skip_mismatch)


def _jsonable_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_jsonable_shape(s) for s in shape]
    return list(shape)


def _tuple_shape(shape):
    if shape and isinstance(shape[0], list):
        return [tuple(s) for s in shape]
    return tuple(shape)
