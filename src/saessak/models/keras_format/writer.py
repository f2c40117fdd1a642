"""Writing Keras files: tf.keras 2 ``.h5`` and Keras 3 ``.keras``, whole models or weights.

Both are built in memory and written atomically (``utils.atomic``), so a failure leaves
no half-written file. The weight layouts are the ones ``weights_in`` reads (see there); a
compiled model also gets its compile settings (:mod:`.compile_settings`) and its
optimizer's state (:mod:`.optimizer_state`), where Keras keeps them: Keras 3's
``optimizer/vars`` group beside the layers, tf.keras 2's ``optimizer_weights`` group.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from ... import backend
from ...autograd import Tensor
from ...layers.input_layer import InputLayer
from ...utils.atomic import atomic_write_bytes, refuse_to_overwrite
from ..keras_objects import serialize_keras_object
from . import config_out, optimizer_state
from .compile_settings import compile_settings
from .container import h5py_module, user_defines
from .weights_in import keras3_children, keras3_tree, overrides


def _check(model, filepath, overwrite, keras3):
    """The checks before a Keras file is written (``saving.save_model`` has checked that the
    model is built)."""
    where = os.fspath(filepath)
    refuse_to_overwrite(where, overwrite)
    config_out.check_exportable(model, where, keras3)
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
    # groups made in name order, as tf.keras 2 makes them: a name with '/' in it
    # ("expanded_conv/depthwise/pad") would otherwise create another layer's group first
    for layer in sorted(layers, key=lambda layer: layer.name):
        g = group.require_group(layer.name)
        pairs = _tf2_weights(layer)
        g.attrs["weight_names"] = np.array([n.encode() for n, _ in pairs])
        for name, var in pairs:
            g.create_dataset(name, data=_array(var))


def _write_tf2_optimizer(f, model):
    """tf.keras 2's ``optimizer_weights``: ``weight_names`` gives the order it loads them."""
    group = f.create_group("optimizer_weights")
    prefix = type(model.optimizer).__name__
    names = []
    for name, value in optimizer_state.optimizer_arrays(model, keras3=False):
        name = f"{name}:0" if name == "iteration" else f"{prefix}/{name}:0"
        group.create_dataset(name, data=value)
        names.append(name.encode())
    group.attrs["weight_names"] = np.array(names)


def save_h5(model, filepath, overwrite=True, include_optimizer=True):
    """``model.save('m.h5')``: tf.keras 2's HDF5 model file."""
    where = _check(model, filepath, overwrite, keras3=False)
    config = json.dumps(config_out.model_config(model, keras3=False))
    settings = compile_settings(model, keras3=False) if include_optimizer else None

    def write(f):
        f.attrs["model_config"] = config.encode()
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = config_out.KERAS2_VERSION.encode()
        _write_tf2_weights(f.create_group("model_weights"), model)
        if settings is not None:
            f.attrs["training_config"] = json.dumps(settings).encode()
            _write_tf2_optimizer(f, model)

    atomic_write_bytes(where, _in_memory_h5(write))


# --- Keras 3 ------------------------------------------------------------------------------------


def _stored(layer, key, value):
    """One entry of a layer's ``save_own_variables`` store as the array HDF5 keeps."""
    array = np.asarray(backend.to_numpy(value.data if isinstance(value, Tensor) else value))
    if array.dtype.kind not in "biuf":
        raise ValueError(f"save: layer {layer.name!r} stored {key!r} as {array.dtype} in "
                         "save_own_variables; a .keras file's variables are numbers (put "
                         "text in save_assets)")
    return array


def _write_vars(group, layer, store):
    own = group.create_group("vars")
    for key, value in store.items():
        own.create_dataset(str(key), data=_stored(layer, key, value))


def _write_k3_layer(group, layer):
    store = {}
    layer.save_own_variables(store)
    _write_vars(group, layer, store)
    for path, child in keras3_children(layer):
        _write_k3_layer(group.create_group(path), child)
    # groups of inner layers that Keras 3's form of the layer has and saessak's has not
    for path, inner in getattr(layer, "keras3_inner_variables", dict)().items():
        _write_vars(group.create_group(path), layer, inner)


def _assets(model) -> dict:
    """``{archive name: bytes}`` of the files that layers write in ``save_assets``, each
    under ``assets/<the layer's path in the weights file>/``."""
    out = {}
    for path, layer in keras3_tree(model):
        if not overrides(layer, "save_assets"):
            continue
        with tempfile.TemporaryDirectory() as folder:
            layer.save_assets(folder)
            for root, _, names in os.walk(folder):
                for name in sorted(names):
                    full = os.path.join(root, name)
                    inner = os.path.relpath(full, folder).replace(os.sep, "/")
                    with open(full, "rb") as f:
                        out["/".join(p for p in ("assets", path, inner) if p)] = f.read()
    return out


def keras3_weights_bytes(model, include_optimizer=False) -> bytes:
    """Keras 3's ``model.weights.h5`` for ``model`` (with ``optimizer/vars`` when asked and
    the model is compiled)."""
    def write(f):
        _write_k3_layer(f, model)
        if include_optimizer and getattr(model, "compiled", False):
            group = f.create_group("optimizer").create_group("vars")
            arrays = optimizer_state.optimizer_arrays(model, keras3=True)
            for i, (_, value) in enumerate(arrays):
                group.create_dataset(str(i), data=value)
    return _in_memory_h5(write)


def save_keras3(model, filepath, overwrite=True, include_optimizer=True):
    """``model.save('m.keras')`` in Keras 3's zip layout."""
    where = _check(model, filepath, overwrite, keras3=True)
    config = config_out.model_config(model, keras3=True)
    if any(isinstance(layer, InputLayer) for layer in model.layers):
        config.setdefault("build_config", {"input_shape": None})
    settings = compile_settings(model, keras3=True) if include_optimizer else None
    if include_optimizer and user_defines(type(model), "get_compile_config"):
        settings = None  # the model's own compile arguments, not compile()'s
        config["compile_config"] = serialize_keras_object(model.get_compile_config())
    if settings is not None:
        config["compile_config"] = settings
    meta = {"keras_version": config_out.KERAS3_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "written_by": "saessak"}
    weights = keras3_weights_bytes(model, include_optimizer=settings is not None)
    assets = _assets(model)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps(meta))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", weights)
        for name, data in assets.items():
            archive.writestr(name, data)
    atomic_write_bytes(where, buf.getvalue())


# --- weights alone ------------------------------------------------------------------------------


def save_weights(model, filepath, fmt, overwrite=True):
    """``save_weights``: Keras 3's ``.weights.h5`` layout (``fmt='keras'``) or tf.keras 2's
    ``.h5`` (``fmt='h5'``), which ``load_weights(by_name=True)`` can match by layer name."""
    where = os.fspath(filepath)
    if not model.built:
        raise ValueError(f"save_weights: model {model.name!r} is not built yet (its weights "
                         "do not exist); call it on data or give it an input shape first")
    refuse_to_overwrite(where, overwrite)
    if fmt == "keras":
        data = keras3_weights_bytes(model)
    else:
        data = _in_memory_h5(lambda f: _write_tf2_weights(f, model))
    atomic_write_bytes(where, data)
