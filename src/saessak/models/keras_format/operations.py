"""``keras.ops`` calls in Keras 3 files: saessak's OpLayer <-> Keras 3's operations.

Keras 3 saves ``keras.ops.mean(x, axis=1)`` on a placeholder as an operation object, class
``Mean`` of ``keras.src.ops.numpy``, whose configuration holds the constructor's arguments
(``axis``, ``keepdims``) and whose node holds the call's (``x``); constants in a node are
tagged (``__slice__``, ``__ellipsis__``, ``__numpy__``). saessak keeps the same call as an
:class:`~saessak.layers.op_layer.OpLayer` naming ``ops.mean``. The table
``keras_ops.json`` (written by ``scripts/make_keras_ops_table.py`` from Keras 3 itself) says,
for every function, the class, its module and which arguments go where.
"""

from __future__ import annotations

import functools
import inspect
import json
import os

import numpy as np

from ... import ops
from ...layers.op_layer import fill, resolve

TABLE = os.path.join(os.path.dirname(__file__), "keras_ops.json")


@functools.cache
def keras_ops() -> dict:
    with open(TABLE, encoding="utf-8") as f:
        return json.load(f)["ops"]


@functools.cache
def _by_class() -> dict:
    return {(entry["module"], entry["class"]): name for name, entry in keras_ops().items()}


def is_operation(spec) -> bool:
    """Whether a Keras 3 layer description is a ``keras.ops`` call."""
    return str(spec.get("module") or "").startswith("keras.src.ops.")


def _keras_name(function: str):
    """The ``keras.ops`` name of an OpLayer's op (through saessak's aliases), or None."""
    if not function.startswith("ops.") or "." in function[4:]:
        return None
    if function[4:] in keras_ops():
        return function[4:]
    fn = resolve(function)
    return next((name for name in keras_ops() if getattr(ops, name, None) is fn), None)


# --- saessak -> Keras 3 ------------------------------------------------------------------------


def operation_spec(layer, node, tensor_json):
    """The Keras 3 description of an OpLayer and its one call, or None where Keras has no
    such operation (a ``tf.*`` function): then it is written as saessak's own layer.

    ``node`` is saessak's encoded call (its args: the placeholders), ``tensor_json`` turns
    one ``{'tensor': ref}`` into Keras's ``__keras_tensor__``."""
    name = _keras_name(layer.function)
    if name is None or layer.args is None:
        return None
    entry = keras_ops()[name]
    first = node["args"][0]
    placeholders = first if isinstance(first, list) else [first]
    tensors = [tensor_json(p) for p in placeholders]
    bound = _keras_arguments(name, fill(layer.args, tensors), fill(layer.kwargs, tensors))
    if bound is None:
        return None
    call = [p for p in entry["call"] if p in bound]
    positional = []
    for p in entry["call"]:  # call arguments by position while none is missing
        if p not in bound:
            break
        positional.append(p)
    spec = {"module": entry["module"], "class_name": entry["class"],
            "config": {"name": layer.name, **{k: _to_keras(bound[k]) for k in entry["init"]
                                               if k in bound}},
            "registered_name": entry["class"]}
    node = {"args": [_to_keras(bound[p]) for p in positional],
            "kwargs": {p: _to_keras(bound[p]) for p in call if p not in positional}}
    return spec, node


def _keras_arguments(name, args, kwargs):
    """saessak's call of op ``name`` as ``{Keras's argument name: value}`` (the inverse of
    :func:`saessak_call`), or None where it does not map."""
    entry, fn = keras_ops()[name], _saessak_function(name)
    params = list(inspect.signature(fn).parameters.values())
    if params and params[0].kind is params[0].VAR_POSITIONAL:  # def equal(*args)
        return dict(zip(entry["signature"], args)) if len(args) <= len(
            entry["signature"]) and not kwargs else None
    if any(p.kind is p.VAR_POSITIONAL for p in params):  # einsum's operands: not mapped
        return None
    try:
        given = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
    except TypeError:
        return None
    renamed = {v: k for k, v in _RENAMED.get(name, {}).items()}
    position = {p.name: i for i, p in enumerate(params)}
    bound = {}
    for key, value in given.items():
        target = key if key in entry["signature"] else renamed.get(key) or (
            entry["signature"][position[key]] if position[key] < len(entry["signature"])
            else None)
        if target is None:
            return None
        bound[target] = value
    return bound


def _to_keras(value):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return value
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {
            "start": _to_keras(value.start), "stop": _to_keras(value.stop),
            "step": _to_keras(value.step)}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, (list, tuple)):
        return [_to_keras(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_keras(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(),
                                                      "dtype": value.dtype.name}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.dtype, type)):
        return np.dtype(value).name
    return value


# --- Keras 3 -> saessak ------------------------------------------------------------------------


def op_layer_spec(spec, where) -> dict:
    """A Keras 3 operation -> an OpLayer description; its node supplies the whole call
    (:func:`saessak_call`)."""
    name = _by_class().get((spec.get("module"), spec.get("class_name")))
    layer_name = (spec.get("config") or {}).get("name") or spec.get("name")
    if name is None or _saessak_function(name) is None:
        raise ValueError(f"{where}: layer {layer_name!r} is the Keras operation "
                         f"{spec.get('module')}.{spec.get('class_name')}, which saessak does "
                         f"not have")
    prefix = "ops.image." if keras_ops()[name]["module"].endswith(".image") else "ops."
    return {"class_name": "OpLayer", "config": {"name": layer_name,
                                                "function": prefix + name, "args": None}}


def _saessak_function(name):
    if keras_ops()[name]["module"].endswith(".image"):
        return getattr(ops.image, name, None)
    return getattr(ops, name, None)


# Keras arguments saessak's function names otherwise (the rest match by name or position)
_RENAMED = {"batch_normalization": {"epsilon": "variance_epsilon"},
            "einsum": {"subscripts": "equation"}}
# Keras arguments that saessak's functions do not take, at the value that changes nothing
_NO_OP = {"initial": None, "sparse": False, "retstep": False, "ragged": False,
          "mode": "constant", "variable": None}


def saessak_call(spec, node) -> dict:
    """A Keras 3 operation's node (its call's arguments) and configuration (its
    constructor's) -> the call of saessak's function: ``{'args', 'kwargs'}``. Arguments go
    by name where saessak's parameter has Keras's name, else by position in the signature
    (``add(x1, x2)`` is saessak's ``add(a, b)``)."""
    name = _by_class()[(spec.get("module"), spec.get("class_name"))]
    entry, fn = keras_ops()[name], _saessak_function(name)
    config = {k: from_keras(v) for k, v in (spec.get("config") or {}).items() if k != "name"}
    args = from_keras(node.get("args", []))
    bound = {**dict(zip(entry["call"], args)), **from_keras(node.get("kwargs") or {}),
             **config}
    extra = args[len(entry["call"]):]  # einsum's operands, after its equation
    if name == "get_item" and isinstance(bound.get("key"), list):
        bound["key"] = tuple(bound["key"])  # Keras writes the key's tuple as a list
    params = list(inspect.signature(fn).parameters.values())
    if any(p.kind is p.VAR_POSITIONAL for p in params[:1]):  # def equal(*args)
        return {"args": [bound[k] for k in entry["signature"] if k in bound] + extra,
                "kwargs": {}}
    named = {p.name for p in params}
    keywords = {}
    for i, key in enumerate(entry["signature"]):
        if key not in bound:
            continue
        value = bound[key]
        if key in _NO_OP and key not in named:
            if value != _NO_OP[key]:
                raise ValueError(f"{spec.get('class_name')}: saessak's {name} has no "
                                 f"{key}={value!r}")
            continue
        target = _RENAMED.get(name, {}).get(key) or (key if key in named else (
            params[i].name if i < len(params) else None))
        if target is None:
            raise ValueError(f"{spec.get('class_name')}: saessak's {name} takes no {key!r}")
        keywords[target] = value
    if extra:  # operands after the named arguments: all by position
        positional = [keywords.pop(p.name) for p in params if p.name in keywords]
        return {"args": positional + extra, "kwargs": keywords}
    return {"args": [], "kwargs": keywords}


def from_keras(value):
    """Keras 3's tagged constants (``__slice__`` ...) as Python values."""
    if isinstance(value, dict):
        tag = value.get("class_name")
        if tag == "__slice__":
            c = value["config"]
            return slice(from_keras(c.get("start")), from_keras(c.get("stop")),
                         from_keras(c.get("step")))
        if tag == "__ellipsis__":
            return Ellipsis
        if tag == "__numpy__":
            return np.asarray(value["config"]["value"], dtype=value["config"].get("dtype"))
        if tag == "__tuple__":
            return tuple(from_keras(v) for v in value["config"]["value"])
        return {k: from_keras(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_keras(v) for v in value]
    return value


# --- tf.keras 2's TFOpLambda -> saessak ----------------------------------------------------

TF_OP_CLASSES = ("TFOpLambda", "SlicingOpLambda")
# TensorFlow's Python operators, as tf.keras 2 names them, and the keras.ops doing the same
_OPERATORS = {"__operators__.add": "ops.add", "__operators__.getitem": "ops.get_item",
              "__operators__.ne": "ops.not_equal", "__operators__.eq": "ops.equal"}


def tf_op_layer_spec(spec, where) -> dict:
    """tf.keras 2's record of a TensorFlow function on placeholders (``tf.math.reduce_mean``
    as a ``TFOpLambda`` layer) -> an OpLayer description naming saessak's function."""
    config = spec.get("config") or {}
    function = config.get("function", "").removeprefix("compat.v1.")  # tf.transpose's name
    name = _OPERATORS.get(function) or f"tf.{function}"
    try:
        resolve(name)
    except ValueError:
        raise ValueError(f"{where}: layer {config.get('name')!r} calls tf.{function}, which "
                         f"saessak does not have") from None
    return {"class_name": "OpLayer", "config": {"name": config.get("name"),
                                                "function": name, "args": None}}


def tf_op_call(spec, args, kwargs) -> tuple:
    """A TFOpLambda node's arguments (the first tensor, then keyword arguments) as the call
    of saessak's function: an operator's ``y`` comes second, a slice spec is the key."""
    function = (spec.get("config") or {}).get("function", "")
    kwargs = {k: v for k, v in kwargs.items()  # names, and defaults saessak has no option for
              if k != "name" and not (k == "conjugate" and v is False)}
    if function == "__operators__.getitem":
        key = kwargs.pop("slice_spec")
        key = [_tf_slice(k) for k in (key if isinstance(key, list) else [key])]
        return [args[0], tuple(key)], kwargs
    if function in _OPERATORS and "y" in kwargs:
        return [args[0], kwargs.pop("y")], kwargs
    return args, kwargs


def _tf_slice(value):
    """One entry of a tf.keras 2 slice spec: ``{'start', 'stop', 'step'}`` is a slice."""
    value = value.get("dict", value) if isinstance(value, dict) else value
    if isinstance(value, dict) and "start" in value:
        return slice(value["start"], value["stop"], value["step"])
    if isinstance(value, dict) and value.get("class_name") == "__ellipsis__":
        return Ellipsis
    return value
