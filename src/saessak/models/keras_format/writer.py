"""Writing Keras files: tf.keras 2 ``.h5`` and Keras 3 ``.keras``.

Both are built in memory and written atomically (``utils.atomic``), so a failure leaves
no half-written file. The weight layouts are the ones ``weights_in`` reads (see there).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile

import numpy as np

from ... import backend
from ...layers.input_layer import InputLayer
from ...utils.atomic import atomic_write_bytes
from . import config_out
from .files import h5py_module
from .weights_in import keras3_container_names


def _check(model, filepath, overwrite):
    where = os.fspath(filepath)
    if not model.built:
        raise ValueError(f"save: model {model.name!r} is not built yet (its weights do not "
                         "exist); call it on data or give it an input shape first")
    if not overwrite and os.path.exists(where):
        raise FileExistsError(f"{where} exists; pass overwrite=True to replace it")
    config_out.check_exportable(model, where)
    return where


def _array(var):
    return np.asarray(backend.to_numpy(var.data))


def _in_memory_h5(write):
    h5py = h5py_module()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        write(f)
    return buf.getvalue()


# --- tf.keras 2 -------------------------------------------------------------------------------


def _tf2_weights(layer):
    """A layer's weights as tf.keras 2 lists them (trainable first, then the rest) with
    unique names ``layer/.../name:0``."""
    ordered = ([w for w in layer.weights if getattr(w, "declared_trainable", True)]
               + [w for w in layer.weights if not getattr(w, "declared_trainable", True)])
    names, seen = [], set()
    for w in ordered:
        name = w.path if w.path.startswith(layer.name + "/") else f"{layer.name}/{w.path}"
        base, n = name, 1
        while name in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name)
        names.append(f"{name}:0")
    return list(zip(names, ordered))


def _write_tf2_weights(group, model):
    layers = model.layers
    group.attrs["layer_names"] = np.array([layer.name.encode() for layer in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = config_out.KERAS2_VERSION.encode()
    for layer in layers:
        g = group.create_group(layer.name)
        pairs = _tf2_weights(layer)
        g.attrs["weight_names"] = np.array([n.encode() for n, _ in pairs])
        for name, var in pairs:
            g.create_dataset(name, data=_array(var))


def save_h5(model, filepath, overwrite=True):
    """``model.save('m.h5')``: tf.keras 2's HDF5 model file."""
    where = _check(model, filepath, overwrite)
    config = json.dumps(config_out.model_config(model, keras3=False))

    def write(f):
        f.attrs["model_config"] = config.encode()
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = config_out.KERAS2_VERSION.encode()
        _write_tf2_weights(f.create_group("model_weights"), model)

    atomic_write_bytes(where, _in_memory_h5(write))


# --- Keras 3 ------------------------------------------------------------------------------------


def _write_k3_layer(group, layer):
    own = group.create_group("vars")
    for i, var in enumerate(layer._own_weights):
        own.create_dataset(str(i), data=_array(var))
    children = [c for c in layer._layers]
    if not children:
        return
    if getattr(layer, "_graph", None) is not None or type(layer).__name__ == "Sequential":
        names = keras3_container_names(children)
        container = group.create_group("layers")
        for child in children:
            _write_k3_layer(container.create_group(names[id(child)]), child)
        return
    for attr, value in vars(layer).items():
        if any(value is c for c in children) and attr not in group:
            _write_k3_layer(group.create_group(attr), value)


def keras3_weights_bytes(model) -> bytes:
    """Keras 3's ``model.weights.h5`` for ``model``."""
    def write(f):
        _write_k3_layer(f, model)
    return _in_memory_h5(write)


def save_keras3(model, filepath, overwrite=True):
    """``model.save('m.keras')`` in Keras 3's zip layout."""
    where = _check(model, filepath, overwrite)
    config = config_out.model_config(model, keras3=True)
    if any(isinstance(layer, InputLayer) for layer in model.layers):
        config.setdefault("build_config", {"input_shape": None})
    meta = {"keras_version": config_out.KERAS3_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "written_by": "saessak"}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps(meta))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", keras3_weights_bytes(model))
    atomic_write_bytes(where, buf.getvalue())
