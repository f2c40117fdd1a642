"""Saving and loading models: one file, no pickle, checked on the way back in.

``model.save('model.keras')`` writes a zip archive with:

- ``metadata.json``: the format name and version, and what the file holds;
- ``config.json``: the architecture (every layer's ``get_config``, and for functional models
  the connections between them), as JSON;
- ``compile.json``: the optimizer, loss, metrics and loss weights given to ``compile``;
- ``weights/0000.npy`` ...: one NumPy ``.npy`` entry per weight, in ``get_weights`` order;
- ``optimizer/<key>.npy``: the optimizer's state (step count, moments), so training resumes
  exactly where it stopped;
- ``manifest.json``: the SHA-256 of every other entry.

Loading reads arrays with ``allow_pickle=False`` and checks every checksum, so a truncated or
edited file fails with a ValueError naming the file and the entry. Code is never loaded from
a file: ``Lambda`` functions and custom classes come only from ``custom_objects``. Files are
written atomically (a temporary file in the same directory, fsync, then ``os.replace``), so a
crash during ``save`` leaves the previous file whole.

``save_weights``/``load_weights`` use the same container with only the weights (any file
name is accepted, ``.weights.h5`` included; no HDF5 library is needed).
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
import zipfile

import numpy as np

from .. import backend
from ..layers.input_layer import InputLayer, KerasTensor, flatten
from ..layers.layer import Layer
from ..training.atomic import atomic_write_bytes
from .keras_format import (
    is_keras_file,
    load_keras_model,
    load_keras_weights,
    save_keras_model,
    wants_keras_format,
)

FORMAT = "saessak-model"
VERSION = 1


# --- layers <-> JSON ---------------------------------------------------------------------------


def _registry():
    from .. import layers as layers_module
    from .model import Model
    from .sequential import Sequential
    table = {name: obj for name, obj in vars(layers_module).items()
             if isinstance(obj, type) and issubclass(obj, Layer)}
    table.update({"Model": Model, "Functional": Model, "Sequential": Sequential,
                  "InputLayer": InputLayer})
    return table


def serialize_layer(layer) -> dict:
    name = type(layer).__name__
    if name == "Model" and getattr(layer, "_graph", None) is not None:
        name = "Functional"
    return {"class_name": name, "config": layer.get_config()}


def deserialize_layer(spec, custom_objects=None):
    """A new layer from ``{'class_name', 'config'}``; classes come from saessak or from
    ``custom_objects``, never from the file."""
    if not isinstance(spec, dict) or "class_name" not in spec:
        raise ValueError(f"expected a layer description {{'class_name', 'config'}}, "
                         f"received {spec!r}")
    name = spec["class_name"]
    cls = (custom_objects or {}).get(name) or _registry().get(name)
    if cls is None:
        raise ValueError(f"unknown layer class {name!r}; if it is your own class, pass it: "
                         f"load_model(path, custom_objects={{{name!r}: {name}}})")
    config = dict(spec.get("config") or {})
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=custom_objects)
    return cls.from_config(config)


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
    from .model import Model
    cls = cls or Model
    layers, pending = {}, []
    made: dict[tuple, KerasTensor] = {}
    for spec in config["layers"]:
        layer = deserialize_layer(spec, custom_objects)
        layers[spec["name"]] = layer
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
            index = local_count[layer.name]
            local_count[layer.name] += 1
            for i, t in enumerate(flatten(outputs)):
                made[(layer.name, index, i)] = t
            pending.remove(item)
            progress = True
        if not progress:
            names = sorted({layer.name for layer, _ in pending})
            raise ValueError(f"the model config cannot be rebuilt: the calls of {names} "
                             "refer to inputs that no layer produces")
    inputs = [lookup(*r) for r in config["input_layers"]]
    outputs = _decode(config["output_layers"], lookup)
    return cls(inputs=inputs if len(inputs) > 1 else inputs[0], outputs=outputs,
               name=config.get("name"), trainable=config.get("trainable", True))


# --- the container ------------------------------------------------------------------------------


def _npy_bytes(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(backend.to_numpy(array)), allow_pickle=False)
    return buf.getvalue()


def _write_archive(path, entries: dict, overwrite: bool) -> None:
    path = os.fspath(path)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in entries.items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())


class _Archive:
    """A saved file opened for reading, every entry checked against the manifest."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"no such model file: {self.path}")
        try:
            with zipfile.ZipFile(self.path) as archive:
                self.entries = {name: archive.read(name) for name in archive.namelist()}
        except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as err:
            raise ValueError(f"{self.path}: not a readable saessak file; it is truncated or "
                             f"corrupted ({err})") from None
        except Exception as err:  # zlib and struct errors on damaged archives
            raise ValueError(f"{self.path}: the archive is damaged ({err})") from None
        if "manifest.json" not in self.entries:
            raise ValueError(f"{self.path}: no manifest.json; this is not a file written by "
                             "saessak's save()")
        manifest = self._json("manifest.json", checked=False)
        for name, digest in manifest.items():
            data = self.entries.get(name)
            if data is None:
                raise ValueError(f"{self.path}: the entry {name!r} listed in the manifest is "
                                 "missing (truncated file?)")
            if hashlib.sha256(data).hexdigest() != digest:
                raise ValueError(f"{self.path}: the checksum of {name!r} does not match; the "
                                 "file was modified or damaged after it was saved")
        extra = set(self.entries) - set(manifest) - {"manifest.json"}
        if extra:
            raise ValueError(f"{self.path}: entries not covered by the manifest: "
                             f"{sorted(extra)}")
        meta = self._json("metadata.json")
        if meta.get("format") != FORMAT:
            raise ValueError(f"{self.path}: format {meta.get('format')!r} is not "
                             f"{FORMAT!r}")
        if int(meta.get("version", 0)) > VERSION:
            raise ValueError(f"{self.path}: written by a newer saessak (format version "
                             f"{meta.get('version')}); this one reads up to {VERSION}")
        self.meta = meta

    def _json(self, name, checked=True):
        try:
            return json.loads(self.entries[name].decode("utf-8"))
        except KeyError:
            raise ValueError(f"{self.path}: the entry {name!r} is missing") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"{self.path}: {name} is not valid JSON ({err})") from None

    def has(self, name) -> bool:
        return name in self.entries

    def array(self, name):
        try:
            return np.load(io.BytesIO(self.entries[name]), allow_pickle=False)
        except KeyError:
            raise ValueError(f"{self.path}: the entry {name!r} is missing") from None
        except ValueError as err:
            raise ValueError(f"{self.path}: {name} is not a plain NumPy array ({err})") \
                from None

    def arrays(self, prefix) -> dict:
        names = sorted(n for n in self.entries if n.startswith(prefix) and n.endswith(".npy"))
        return {n[len(prefix):-4]: self.array(n) for n in names}


def _weight_entries(model) -> tuple[dict, list]:
    entries, table = {}, []
    for i, w in enumerate(model.weights):
        name = f"weights/{i:04d}.npy"
        entries[name] = _npy_bytes(w.data)
        table.append({"entry": name, "path": w.path, "shape": list(w.shape),
                      "dtype": str(w.dtype)})
    return entries, table


def _load_weight_arrays(model, archive):
    table = archive._json("weights.json")
    weights = model.weights
    if len(table) != len(weights):
        raise ValueError(f"{archive.path}: the file holds {len(table)} weights, the model has "
                         f"{len(weights)} ({[w.path for w in weights]}); is it the same "
                         "architecture?")
    arrays = []
    for row, w in zip(table, weights):
        a = archive.array(row["entry"])
        if tuple(a.shape) != tuple(w.shape):
            raise ValueError(f"{archive.path}: weight {row['path']!r} has shape "
                             f"{tuple(a.shape)} in the file, but the model's {w.path!r} has "
                             f"{tuple(w.shape)}")
        arrays.append(a)
    model.set_weights(arrays)


# --- compile settings -----------------------------------------------------------------------------


def _compile_config(model):
    from .. import losses, optimizers
    from ..training import metrics as metrics_module

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
    from .. import losses, optimizers
    from ..training import metrics as metrics_module

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
    if wants_keras_format(filepath):  # .h5: a tf.keras 2 HDF5 file (keras_format)
        return save_keras_model(model, filepath, wants_keras_format(filepath), overwrite)
    if not model.built:
        raise ValueError(f"save: model {model.name!r} is not built yet (its weights do not "
                         "exist); call it on data or give it an input shape first")
    from .. import __version__
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
            entries[f"optimizer/{key}.npy"] = _npy_bytes(value)
    meta = {"format": FORMAT, "version": VERSION, "kind": "model",
            "saessak_version": __version__,
            "build_input_shape": _jsonable_shape(build_shape),
            "compiled": compile_config is not None}
    entries = {"metadata.json": json.dumps(meta).encode(), **entries}
    _write_archive(filepath, entries, overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a model written by ``save``. Custom layers, losses and ``Lambda`` functions
    must be passed in ``custom_objects`` (by the name they were saved under)."""
    if is_keras_file(filepath):  # written by Keras: .h5 or a Keras 3 .keras archive
        return load_keras_model(filepath, custom_objects, compile)
    archive = _Archive(filepath)
    if archive.meta.get("kind") != "model":
        raise ValueError(f"{archive.path} holds only weights (save_weights); build the model "
                         "in code and call model.load_weights(path)")
    spec = archive._json("config.json")
    try:
        model = deserialize_layer(spec, custom_objects)
        if not model.built:
            shape = archive.meta.get("build_input_shape")
            if shape is None:
                raise ValueError("the saved model was never built and has no input shape")
            model.build(_tuple_shape(shape))
    except (ValueError, TypeError, KeyError) as err:
        raise ValueError(f"{archive.path}: cannot rebuild the model from its config: "
                         f"{err}") from err
    _load_weight_arrays(model, archive)
    if compile and archive.has("compile.json"):
        _compile_from_config(model, archive._json("compile.json"), custom_objects)
        state = archive.arrays("optimizer/")
        if state:
            model.optimizer.set_state(state)
    return model


def save_weights(model, filepath, overwrite=True):
    """Write only the weights (in ``get_weights`` order) to ``filepath``."""
    weight_entries, table = _weight_entries(model)
    meta = {"format": FORMAT, "version": VERSION, "kind": "weights"}
    entries = {"metadata.json": json.dumps(meta).encode(), **weight_entries,
               "weights.json": json.dumps(table, indent=1).encode()}
    _write_archive(filepath, entries, overwrite)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Load weights written by ``save_weights`` (or ``save``) into ``model``; Keras's HDF5
    weight files go to ``keras_format`` (``by_name`` and ``skip_mismatch`` apply there)."""
    if is_keras_file(filepath):
        return load_keras_weights(model, filepath, by_name, skip_mismatch)
    archive = _Archive(filepath)
    _load_weight_arrays(model, archive)


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
