"""Opening and writing Keras files: which format a path holds, and the public entry points
that ``models.saving`` dispatches to."""

from __future__ import annotations

import io
import json
import os
import zipfile

from . import config_in, weights_in
from .compile_in import compile_from_keras

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def h5py_module():
    """h5py, or an ImportError that says how to get it."""
    try:
        import h5py
    except ImportError:
        raise ImportError("reading and writing Keras .h5/.keras files needs h5py: "
                          "pip install 'saessak[h5]' (or pip install h5py)") from None
    return h5py


# --- what is this file? ---------------------------------------------------------------------------


def is_hdf5(path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(8) == HDF5_SIGNATURE
    except OSError:
        return False


def is_keras3_archive(path) -> bool:
    """A Keras 3 ``.keras`` zip (saessak's own archives carry a ``manifest.json``)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
    return "config.json" in names and "model.weights.h5" in names \
        and "manifest.json" not in names


def is_keras_file(path) -> bool:
    path = os.fspath(path)
    return os.path.isfile(path) and (is_hdf5(path) or is_keras3_archive(path))


def wants_keras_format(path, save_format=None) -> str | None:
    """The Keras format a save asks for: ``save_format='h5'`` or ``'keras'`` (tf.keras 2's
    argument), else ``'h5'`` for a ``.h5``/``.hdf5`` path (but not ``.weights.h5``, the usual
    name of saessak's weights container). ``.keras`` paths keep saessak's own archive by
    default: it also holds the optimizer state, custom layers and checksums, which Keras 3's
    layout has no place for; pass ``save_format='keras'`` for a file Keras 3 loads."""
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "keras"):
            return fmt
        if fmt in ("saessak", "tf"):
            return None
        raise ValueError(f"save: save_format must be 'h5', 'keras' or 'saessak', received "
                         f"{save_format!r}")
    name = os.fspath(path).lower()
    if name.endswith((".h5", ".hdf5")) and not name.endswith(".weights.h5"):
        return "h5"
    return None


# --- reading ------------------------------------------------------------------------------


def _json_attr(value, where, what):
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    try:
        return json.loads(value)
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where}: {what} is not valid JSON ({err})") from None


def _build(spec, custom_objects, where):
    from ..saving import deserialize_layer
    try:
        if spec.get("class_name") in ("Functional", "Model", "Sequential"):
            return deserialize_layer(config_in.model_spec(spec, where, custom_objects),
                                     custom_objects)
        return deserialize_layer(config_in.layer_spec(spec, where, custom_objects),
                                 custom_objects)
    except (TypeError, KeyError) as err:
        raise ValueError(f"{where}: cannot rebuild the Keras model from its config: "
                         f"{type(err).__name__}: {err}") from err


def load_keras_model(filepath, custom_objects=None, compile=True):
    """A saessak model from a tf.keras 2 ``.h5`` model file or a Keras 3 ``.keras`` archive;
    with ``compile=True``, compiled as the file says (optimizer settings, loss, metrics;
    not the optimizer's moments)."""
    h5py = h5py_module()
    where = os.fspath(filepath)
    if is_hdf5(where):
        with h5py.File(where, "r") as f:
            if "model_config" not in f.attrs:
                raise ValueError(f"{where} holds only weights (no model_config); build the "
                                 "model in code and call model.load_weights(path)")
            spec = _json_attr(f.attrs["model_config"], where, "model_config")
            model = _build(spec, custom_objects, where)
            weights_in.load_into(model, f["model_weights"], where)
            if compile and "training_config" in f.attrs:
                compile_from_keras(model, _json_attr(f.attrs["training_config"], where,
                                                     "training_config"), where)
        return model
    with zipfile.ZipFile(where) as archive:
        spec = _json_attr(archive.read("config.json"), where, "config.json")
        weights = archive.read("model.weights.h5")
    model = _build(spec, custom_objects, where)
    with h5py.File(io.BytesIO(weights), "r") as f:
        weights_in.load_into(model, f, where)
    if compile:
        compile_from_keras(model, spec.get("compile_config"), where)
    return model


def load_keras_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Load a Keras weights file (tf.keras 2 ``.h5`` or Keras 3 ``.weights.h5``; a full model
    file works too) into ``model``, which must already be built."""
    h5py = h5py_module()
    where = os.fspath(filepath)
    if not model.built:
        raise ValueError(f"load_weights: model {model.name!r} is not built yet; call it on "
                         "data or give it an input shape first")
    if is_keras3_archive(where):
        with zipfile.ZipFile(where) as archive:
            data = archive.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as f:
            return weights_in.load_into(model, f, where, by_name, skip_mismatch)
    with h5py.File(where, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        return weights_in.load_into(model, root, where, by_name, skip_mismatch)


# --- writing ------------------------------------------------------------------------------


def save_keras_model(model, filepath, fmt, overwrite=True):
    """Write ``model`` as a Keras file: ``fmt='h5'`` (tf.keras 2) or ``'keras'`` (Keras 3)."""
    from . import writer
    if fmt == "h5":
        return writer.save_h5(model, filepath, overwrite)
    if fmt == "keras":
        return writer.save_keras3(model, filepath, overwrite)
    raise ValueError(f"save: unknown Keras format {fmt!r}; expected 'h5' or 'keras'")
