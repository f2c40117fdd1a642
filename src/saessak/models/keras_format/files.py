"""Opening and writing Keras files: which format a path holds, and the public entry points
that ``models.saving`` dispatches to. Reading goes through :mod:`.container`'s checks."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile

from . import config_in, optimizer_state, weights_in, writer
from .compile_settings import compile_from_keras
from .container import (
    damage,
    h5py_module,
    parse_json,
    read_attr,
    read_keras3,
    user_defines,
)

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


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
    """The Keras format a save asks for, as Keras decides it: ``save_format='h5'`` or
    ``'keras'`` (tf.keras 2's argument), else the extension: ``'keras'`` for ``.keras``
    (Keras 3's archive), ``'h5'`` for ``.h5``/``.hdf5`` (tf.keras 2's HDF5 file). Any other
    extension (or ``save_format='saessak'``) gets None: saessak's own archive, which needs
    only NumPy."""
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "keras"):
            return fmt
        if fmt in ("saessak", "tf"):
            return None
        raise ValueError(f"save: save_format must be 'h5', 'keras' or 'saessak', received "
                         f"{save_format!r}")
    name = os.fspath(path).lower()
    if name.endswith(".keras"):
        return "keras"
    if name.endswith((".h5", ".hdf5")):
        return "h5"
    return None


def wants_keras_weights(path) -> str | None:
    """The Keras layout ``save_weights`` writes: ``'keras'`` for ``.weights.h5`` (Keras 3),
    ``'h5'`` for another ``.h5``/``.hdf5`` (tf.keras 2), None for saessak's own container."""
    name = os.fspath(path).lower()
    if name.endswith(".weights.h5"):
        return "keras"
    if name.endswith((".h5", ".hdf5")):
        return "h5"
    return None


# --- reading ------------------------------------------------------------------------------


_BUILD_ERRORS = (TypeError, KeyError, AttributeError, IndexError, RecursionError,
                 OverflowError)


def keras2_activation_names(value):
    """A tf.keras 2 (Keras 2) config with its 'hard_sigmoid' named as saessak names that
    function: tf.keras 2's is clip(0.2 x + 0.5), Keras 3's (saessak's 'hard_sigmoid')
    clip(x / 6 + 0.5)."""
    if isinstance(value, list):
        return [keras2_activation_names(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: "hard_sigmoid_keras2" if k.endswith("activation") and v == "hard_sigmoid"
            else keras2_activation_names(v) for k, v in value.items()}


def _build(spec, custom_objects, where):
    from ..saving import deserialize_layer
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: the model config must be a JSON object, received "
                         f"{type(spec).__name__}")
    try:
        if spec.get("class_name") in ("Functional", "Model", "Sequential"):
            model = deserialize_layer(config_in.model_spec(spec, where, custom_objects),
                                      custom_objects)
        else:
            model = deserialize_layer(config_in.layer_spec(spec, where, custom_objects),
                                      custom_objects)
        shape = (spec.get("build_config") or {}).get("input_shape")
        if not model.built and shape is not None:  # a subclassed model: built as Keras 3 does
            model.build(tuple(shape) if shape and not isinstance(shape[0], list)
                        else [tuple(s) for s in shape])
        return model
    except _BUILD_ERRORS as err:
        raise ValueError(f"{where}: cannot rebuild the Keras model from its config: "
                         f"{type(err).__name__}: {err}") from err


def _restore_optimizer(model, group, where, keras3):
    """The optimizer's variables (``optimizer/vars`` or ``optimizer_weights``), in order."""
    if keras3:
        vars_group = group.get("optimizer/vars") if "optimizer" in group else None
        if vars_group is None:
            return
        arrays = [vars_group[str(i)] for i in range(len(vars_group))]
    else:
        names = read_attr(group, "weight_names", where, default=[])
        arrays = [group[weights_in.decode(n)] for n in names]
    optimizer_state.restore(model, arrays, where, keras3)


def _load_assets(model, assets):
    """Call ``load_assets`` of each layer that reads files, with its folder of the archive's
    ``assets/`` (unpacked into a temporary folder; Keras 3 passes an empty folder to a
    layer that saved none)."""
    readers = [(path, layer) for path, layer in weights_in.keras3_tree(model)
               if weights_in.overrides(layer, "load_assets")]
    if not readers:
        return
    with tempfile.TemporaryDirectory() as root:
        for name, data in assets.items():  # names were checked plain and relative
            target = os.path.join(root, *name.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
        for path, layer in readers:
            folder = os.path.join(root, *path.split("/")) if path else root
            os.makedirs(folder, exist_ok=True)
            layer.load_assets(folder)


def load_keras_model(filepath, custom_objects=None, compile=True):
    """A saessak model from a tf.keras 2 ``.h5`` model file or a Keras 3 ``.keras`` archive;
    with ``compile=True``, compiled as the file says, with its optimizer's state."""
    h5py = h5py_module()
    where = os.fspath(filepath)
    if is_hdf5(where):
        with damage(where), h5py.File(where, "r") as f:
            config = read_attr(f, "model_config", where)
            if config is None:
                raise ValueError(f"{where} holds only weights (no model_config); build the "
                                 "model in code and call model.load_weights(path)")
            spec = parse_json(config, f"{where}: model_config")
            if str(read_attr(f, "keras_version", where, default="2")).startswith("2"):
                spec = keras2_activation_names(spec)
            model = _build(spec, custom_objects, where)
            if "model_weights" not in f:
                raise ValueError(f"{where}: 'model_weights' is missing")
            weights_in.load_into(model, f["model_weights"], where)
            training = read_attr(f, "training_config", where)
            if compile and training is not None:
                settings = parse_json(training, f"{where}: training_config")
                if compile_from_keras(model, settings, where, custom_objects) \
                        and "optimizer_weights" in f:
                    _restore_optimizer(model, f["optimizer_weights"],
                                       f"{where}: optimizer_weights", keras3=False)
        return model
    spec, weights, assets = read_keras3(where)
    model = _build(spec, custom_objects, f"{where}: config.json")
    inner = f"{where}: model.weights.h5"
    with damage(inner), h5py.File(io.BytesIO(weights), "r") as f:
        weights_in.load_into(model, f, inner)
        _load_assets(model, assets)
        if compile and spec.get("compile_config") and user_defines(type(model),
                                                                   "compile_from_config"):
            model.compile_from_config(spec["compile_config"])  # the model's own hook
        elif compile and compile_from_keras(model, spec.get("compile_config"), where,
                                            custom_objects):
            _restore_optimizer(model, f, inner, keras3=True)
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
        _, data, _ = read_keras3(where)
        inner = f"{where}: model.weights.h5"
        with damage(inner), h5py.File(io.BytesIO(data), "r") as f:
            return weights_in.load_into(model, f, inner, by_name, skip_mismatch)
    with damage(where), h5py.File(where, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        return weights_in.load_into(model, root, where, by_name, skip_mismatch)


# --- writing ------------------------------------------------------------------------------


def save_keras_model(model, filepath, fmt, overwrite=True, include_optimizer=True):
    """Write ``model`` as a Keras file: ``fmt='h5'`` (tf.keras 2) or ``'keras'`` (Keras 3)."""
    if fmt == "h5":
        return writer.save_h5(model, filepath, overwrite, include_optimizer)
    if fmt == "keras":
        return writer.save_keras3(model, filepath, overwrite, include_optimizer)
    raise ValueError(f"save: unknown Keras format {fmt!r}; expected 'h5' or 'keras'")


def save_keras_weights(model, filepath, fmt, overwrite=True):
    """``save_weights`` in Keras's layout ``fmt`` (see :func:`wants_keras_weights`)."""
    return writer.save_weights(model, filepath, fmt, overwrite)
