"""The schema of the JSON entries in saessak's files, checked before anything is built.

An edited file must fail with one ValueError that names the file, the entry and the field,
never with whatever a list-instead-of-dict happens to raise deep in the loader
(``'list' object has no attribute 'get'``, ``'int' object is not subscriptable`` ...).
Each function takes the parsed JSON and ``where`` (``"path: entry"``) and returns the
value, checked (and for the manifest, normalised).
"""

from __future__ import annotations

import re

MAX_DEPTH = 64  # models nested in models; far deeper than any real architecture
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _fail(where, field, expected, received):
    shown = repr(received)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return ValueError(f"{where}: field {field!r} must be {expected}, received {shown}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dict(value, where, field):
    if not isinstance(value, dict):
        raise _fail(where, field, "a JSON object", value)
    return value


def _list(value, where, field):
    if not isinstance(value, list):
        raise _fail(where, field, "a JSON list", value)
    return value


def _str(value, where, field):
    if not isinstance(value, str):
        raise _fail(where, field, "a string", value)
    return value


def shape(value, where, field):
    """A shape: a list of non-negative ints or nulls."""
    if not isinstance(value, list) or not all(
            v is None or (_is_int(v) and v >= 0) for v in value):
        raise _fail(where, field, "a shape (a list of non-negative integers or null)", value)
    return value


# --- manifest.json and metadata.json -----------------------------------------------------------


def manifest(value, where) -> dict:
    """name -> (sha256, size or None); older files give the digest alone."""
    out = {}
    for name, entry in _dict(value, where, "(the manifest)").items():
        if isinstance(entry, str):
            digest, size = entry, None
        else:
            entry = _dict(entry, where, name)
            digest, size = entry.get("sha256"), entry.get("size")
            if not _is_int(size) or size < 0:
                raise _fail(where, f"{name}.size", "a non-negative integer", size)
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise _fail(where, f"{name}.sha256", "a SHA-256 in hex", digest)
        out[name] = (digest, size)
    return out


def metadata(value, where, format_name, version, kinds) -> dict:
    meta = _dict(value, where, "(metadata)")
    if meta.get("format") != format_name:
        raise _fail(where, "format", repr(format_name), meta.get("format"))
    v = meta.get("version")
    if not _is_int(v) or v < 1:
        raise _fail(where, "version", "a positive integer", v)
    if v > version:
        raise ValueError(f"{where}: written by a newer saessak (format version {v}); this "
                         f"one reads up to {version}")
    if meta.get("kind") not in kinds:
        raise _fail(where, "kind", " or ".join(repr(k) for k in kinds), meta.get("kind"))
    build = meta.get("build_input_shape")
    if build is not None:
        shapes = build if build and isinstance(build[0], list) else [build]
        for s in _list(shapes, where, "build_input_shape"):
            shape(s, where, "build_input_shape")
    if not isinstance(meta.get("compiled", False), bool):
        raise _fail(where, "compiled", "true or false", meta.get("compiled"))
    return meta


# --- weights.json -------------------------------------------------------------------------------


def weights_table(value, where, entries) -> list:
    """One row per weight: the entry holding it (present in the archive), its path, shape
    and dtype."""
    rows = _list(value, where, "(the weight table)")
    for i, row in enumerate(rows):
        row = _dict(row, where, f"[{i}]")
        if row.get("entry") not in entries or not str(row["entry"]).endswith(".npy"):
            raise _fail(where, f"[{i}].entry", "the name of a .npy entry in the file",
                        row.get("entry"))
        _str(row.get("path"), where, f"[{i}].path")
        shape(row.get("shape"), where, f"[{i}].shape")
    return rows


# --- config.json --------------------------------------------------------------------------------


def layer_spec(value, where, field="(the model)", depth=0):
    """``{'class_name': str, 'config': dict}``, and inside a model's config its layers,
    recursively (a Sequential's list of layers; a functional model's layers with names,
    calls and the input/output references)."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{where}: {field}: models nested more than {MAX_DEPTH} deep")
    spec = _dict(value, where, field)
    _str(spec.get("class_name"), where, f"{field}.class_name")
    config = spec.get("config", {})
    if config is None:
        config = {}
    _dict(config, where, f"{field}.config")
    layers = config.get("layers")
    if layers is None:
        return spec
    for i, sub in enumerate(_list(layers, where, f"{field}.config.layers")):
        sub_field = f"{field}.config.layers[{i}]"
        layer_spec(sub, where, sub_field, depth + 1)
        if "inbound_nodes" in sub:
            _str(sub.get("name"), where, f"{sub_field}.name")
            for j, node in enumerate(_list(sub["inbound_nodes"], where,
                                           f"{sub_field}.inbound_nodes")):
                node = _dict(node, where, f"{sub_field}.inbound_nodes[{j}]")
                _list(node.get("args"), where, f"{sub_field}.inbound_nodes[{j}].args")
                _dict(node.get("kwargs"), where, f"{sub_field}.inbound_nodes[{j}].kwargs")
    if "input_layers" in config:
        for i, ref in enumerate(_list(config["input_layers"], where,
                                      f"{field}.config.input_layers")):
            tensor_ref(ref, where, f"{field}.config.input_layers[{i}]")
    return spec


def tensor_ref(value, where, field):
    """``[layer name, node index, tensor index]``."""
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and _is_int(value[1]) and _is_int(value[2]) and value[1] >= 0 and value[2] >= 0):
        raise _fail(where, field, "[layer name, node index, tensor index]", value)
    return value


# --- compile.json -------------------------------------------------------------------------------


def compile_config(value, where) -> dict:
    config = _dict(value, where, "(compile settings)")
    optimizer = _dict(config.get("optimizer"), where, "optimizer")
    _str(optimizer.get("class_name"), where, "optimizer.class_name")
    _dict(optimizer.get("config", {}), where, "optimizer.config")
    weights = config.get("loss_weights")
    if weights is not None and not isinstance(weights, (list, dict, int, float)):
        raise _fail(where, "loss_weights", "a list, a dict or null", weights)
    return config


# --- training_state.json (BackupAndRestore) --------------------------------------------------


def training_state(value, where) -> dict:
    state = _dict(value, where, "(training state)")
    epoch = state.get("epoch")
    if not _is_int(epoch) or epoch < 0:
        raise _fail(where, "epoch", "a non-negative integer", epoch)
    rng = _dict(state.get("random"), where, "random")
    for key in ("saessak", "layers", "numpy_legacy", "python"):
        _dict(rng.get(key), where, f"random.{key}")
    for key, sub in rng["layers"].items():
        _dict(sub, where, f"random.layers.{key}")
    lr = state.get("learning_rate")
    if lr is not None and (not isinstance(lr, (int, float)) or isinstance(lr, bool)):
        raise _fail(where, "learning_rate", "a number or null", lr)
    return state
