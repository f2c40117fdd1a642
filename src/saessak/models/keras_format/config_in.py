"""Keras model configs (tf.keras 2 and Keras 3 JSON) -> saessak layer descriptions.

A Keras config names each layer's class and its constructor arguments. saessak's layers take
Keras's argument names, so the translation is mostly cleaning:

- Keras 3 wraps values in ``{'module', 'class_name', 'config', 'registered_name'}``; dtype
  policies become their dtype name; initializers, regularizers and constraints are kept in
  the ``{'class_name', 'config'}`` form saessak reads;
- arguments saessak does not take (``unroll``, ``quantization_config``, ...) are dropped,
  with a warning when their value would change what the layer computes;
- the functional graph: tf.keras 2 lists ``[layer, node, tensor, kwargs]`` per input, Keras 3
  writes ``{'args', 'kwargs'}`` with ``__keras_tensor__`` placeholders; both become
  saessak's ``{'tensor': [layer, node, index]}``. ``mask=`` and ``training=`` arguments are
  dropped (saessak propagates masks itself), and so are the ops Keras 3 traced only to make
  those masks (``NotEqual``).

A layer class saessak lacks raises a ValueError that names the layer and its class.
"""

from __future__ import annotations

import inspect
import re
import warnings

from ... import constraints, initializers, regularizers
from ...layers.serialization import LAYERS
from .container import user_defines
from .operations import (
    TF_OP_CLASSES,
    is_operation,
    op_layer_spec,
    saessak_call,
    tf_op_call,
    tf_op_layer_spec,
)

# Keras arguments that never change what a loaded layer computes: always dropped.
_IGNORED = {"module", "registered_name", "build_config", "compile_config", "shared_object_id",
            "quantization_config", "lora_rank", "lora_alpha", "unroll", "ragged", "optional",
            "implementation", "autocast", "dynamic", "synchronized", "flash_attention",
            "query_shape", "key_shape", "value_shape", "virtual_batch_size", "adjustment",
            "vocabulary_size"}  # a count for the reader; the vocabulary itself is loaded
# Keras arguments dropped when they hold Keras's default (saessak has no such option).
_DEFAULTS = {"groups": 1, "rms_scaling": False, "attention_axes": None, "renorm": False,
             "renorm_clipping": None, "renorm_momentum": 0.99, "time_major": False,
             "sparse": False, "fused": None, "seed": None, "encoding": "utf-8",
             "oov_method": "floormod"}
# call arguments that saessak works out for itself
_DROPPED_CALL_KWARGS = {"mask", "training"}
# layer classes that Keras 3 traces for masks and that saessak does not need
_MASK_OPS = {"NotEqual", "Equal", "Any", "Cast"}
_CLASS_ALIASES = {"Model": "Functional", "LSTMV1": "LSTM", "GRUV1": "GRU",
                  "CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}


def _unwrap(value):
    """Keras 3's ``{'module', 'class_name', 'config', 'registered_name'}`` -> the
    ``{'class_name', 'config'}`` saessak reads, recursively."""
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()
                if k not in ("module", "registered_name", "shared_object_id")}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _dtype_name(value):
    if isinstance(value, dict):  # DTypePolicy / Policy
        value = (value.get("config") or {}).get("name", "float32")
    if isinstance(value, str) and value.startswith("mixed_"):
        return "float32"
    return value


def _getter_for(key):
    if key.endswith("_initializer"):
        return initializers.get
    if key.endswith("_regularizer"):
        return regularizers.get
    if key.endswith("_constraint"):
        return constraints.get
    return None


def _accepted(cls) -> set | None:
    """The argument names ``cls(**config)`` takes (following ``**kwargs`` up the classes);
    None when the chain ends in ``**kwargs`` that anything may enter."""
    names = set()
    layer_base = next((k for k in cls.__mro__ if k.__name__ == "Layer"), object)
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or not issubclass(klass, layer_base):
            continue  # a model's training mixins take no layer arguments
        params = inspect.signature(init).parameters.values()
        names |= {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            return names - {"self"}
        if klass.__name__ == "Layer":
            return (names | {"input_shape", "batch_input_shape", "batch_size", "input_dim",
                             "input_length"}) - {"self"}
    return None


def layer_spec(spec, where="", custom_objects=None) -> dict:
    """A Keras layer description -> saessak's ``{'class_name', 'config'}``."""
    if is_operation(spec):  # a keras.ops call on the placeholders
        return op_layer_spec(spec, where)
    if spec.get("class_name") in TF_OP_CLASSES:  # tf.keras 2: a tf.* call on them
        return tf_op_layer_spec(spec, where)
    class_name = _CLASS_ALIASES.get(spec.get("class_name"), spec.get("class_name"))
    config = dict(spec.get("config") or {})
    name = config.get("name") or spec.get("name") or "?"
    if class_name in ("Functional", "Sequential"):
        return model_spec({**spec, "class_name": class_name}, where, custom_objects)
    cls = LAYERS.lookup(class_name, custom_objects)
    if cls is not None and cls is LAYERS.own(class_name) and _users_class(spec):
        raise ValueError(f"{where}: layer {name!r} is your own class {class_name!r} (module "
                         f"{spec.get('module')!r}), not saessak's layer of that name: pass it "
                         f"in custom_objects={{{class_name!r}: ...}}")
    if cls is None:
        raise ValueError(f"{where}: layer {name!r} is a Keras {class_name!r}, which saessak "
                         "does not have; rebuild the model without it, or pass an equivalent "
                         f"class in custom_objects={{{class_name!r}: ...}}")
    config = _layer_config(cls, config, name, where, custom_objects)
    out = {"class_name": class_name, "config": _constructible(cls, config)}
    if spec.get("build_config") and user_defines(cls, "build_from_config"):
        out["build_config"] = spec["build_config"]
    return out


def _users_class(spec) -> bool:
    """Whether a Keras 3 description names a user's unregistered class, as Keras 3 and
    saessak write those: a module outside Keras and saessak (or none) and a bare
    ``registered_name``. A package's registered layer (``'keras_hub>Name'``) is not one."""
    if "module" not in spec:
        return False
    module, registered = spec.get("module"), spec.get("registered_name")
    if isinstance(registered, str) and ">" in registered:
        return False
    return not (isinstance(module, str) and module.split(".")[0] in (
        "keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras", "tensorflow", "saessak"))


def _constructible(cls, config):
    """Drop Keras arguments that a saessak subclass sets itself (tf.keras 2's SeparableConv
    stores ``kernel_initializer`` that saessak's passes on from ``depthwise_initializer``):
    Python names them in 'got multiple values for argument'."""
    for _ in range(len(config)):
        try:
            cls.from_config(dict(config))
            return config
        except ValueError:  # a Lambda's function: the real build, with custom_objects, says
            return config
        except TypeError as err:
            found = re.search(r"multiple values for (?:keyword )?argument '(\w+)'", str(err))
            if not found or found.group(1) not in config:
                raise
            config = {k: v for k, v in config.items() if k != found.group(1)}
    return config


def _layer_config(cls, config, name, where, custom_objects=None):
    accepted = _accepted(cls)
    out, dropped = {}, []
    for key, value in config.items():
        if key in _IGNORED or (key in _DEFAULTS and value == _DEFAULTS[key]):
            continue
        if accepted is not None and key not in accepted:
            if value not in (None, False, 0, "", [], {}):
                dropped.append(f"{key}={value!r}")
            continue
        if key == "dtype":
            value = _dtype_name(value)
        elif key in ("layer", "backward_layer", "cell") and isinstance(value, dict):
            value = layer_spec(value, where, custom_objects)
        elif key == "cells" and isinstance(value, list):
            value = [layer_spec(v, where, custom_objects) for v in value]
        elif key == "batch_shape":
            key = "batch_input_shape"
        elif _getter_for(key) is not None and value is not None:
            value = _unwrap(value)
            try:
                _getter_for(key)(value)
            except (ValueError, TypeError, KeyError) as err:
                if key.endswith("_initializer"):
                    continue  # only used to make weights the file then overwrites
                raise ValueError(f"{where}: layer {name!r}: cannot read {key}={value!r} "
                                 f"({err})") from None
        elif isinstance(value, dict):
            value = _unwrap(value)
            if "class_name" in value and key == "activation":
                value = value["class_name"]
        out[key] = value
    if dropped:
        warnings.warn(f"{where}: layer {name!r} ({cls.__name__}): saessak ignores "
                      f"{', '.join(dropped)}", stacklevel=3)
    return out


# --- functional and sequential models ---------------------------------------------------------


def _tensor_ref(value):
    """A Keras input reference -> ``[layer, node, index]``, or None when it is not one."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return list(value["config"]["keras_history"])
    return None


def _k3_value(value):
    ref = _tensor_ref(value)
    if ref is not None:
        return {"tensor": ref}
    if isinstance(value, list):
        return [_k3_value(v) for v in value]
    if isinstance(value, dict):
        return {"dict": {k: _k3_value(v) for k, v in value.items()}}
    return value


def _is_k2_ref(value):
    return (isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


def _k2_value(value):
    if _is_k2_ref(value):
        return {"tensor": value[:3]}
    if isinstance(value, list):
        return [_k2_value(v) for v in value]
    if isinstance(value, dict):
        return {"dict": {k: _k2_value(v) for k, v in value.items()}}
    return value


def _nodes(layer_cfg):
    """A layer's calls as saessak nodes ``{'args', 'kwargs'}``."""
    nodes = []
    for node in layer_cfg.get("inbound_nodes") or []:
        if isinstance(node, dict) and is_operation(layer_cfg):  # saessak's op, called so
            node = saessak_call(layer_cfg, node)
        if isinstance(node, dict):  # Keras 3
            args = _k3_value(node.get("args", []))
            kwargs = {k: _k3_value(v) for k, v in (node.get("kwargs") or {}).items()
                      if k not in _DROPPED_CALL_KWARGS}
        else:  # tf.keras 2: [[layer, node, tensor, kwargs], ...]
            if node and isinstance(node[0], str):  # a TFOpLambda's one entry, not in a list
                node = [node]
            refs = [{"tensor": entry[:3]} for entry in node]
            kwargs = {}
            for entry in node:
                if len(entry) > 3 and isinstance(entry[3], dict):
                    kwargs.update({k: _k2_value(v) for k, v in entry[3].items()
                                   if k not in _DROPPED_CALL_KWARGS})
            args = [refs[0] if len(refs) == 1 else refs]
            if layer_cfg.get("class_name") in TF_OP_CLASSES:
                args, kwargs = tf_op_call(layer_cfg, args, kwargs)
        nodes.append({"args": args, "kwargs": {"dict": kwargs}})
    return nodes


def _refs_in(value, out):
    if isinstance(value, dict):
        if "tensor" in value:
            out.add(value["tensor"][0])
        for v in value.values():
            _refs_in(v, out)
    elif isinstance(value, list):
        for v in value:
            _refs_in(v, out)
    return out


def _output_refs(value):
    """Keras's ``output_layers``: one ``[name, node, index]`` or a list (or dict) of them."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return {"tensor": value[:3]}
    if isinstance(value, dict):
        return {"dict": {k: _output_refs(v) for k, v in value.items()}}
    return [_output_refs(v) for v in value]


def model_spec(spec, where="", custom_objects=None) -> dict:
    """A Keras ``Functional``/``Model``/``Sequential`` description -> saessak's."""
    class_name = _CLASS_ALIASES.get(spec["class_name"], spec["class_name"])
    config = spec.get("config") or {}
    if class_name == "Sequential":
        layers = config["layers"] if isinstance(config, dict) else config
        out = {"name": config.get("name") if isinstance(config, dict) else None,
               "trainable": config.get("trainable", True) if isinstance(config, dict) else True,
               "layers": [layer_spec(s, where, custom_objects) for s in layers]}
        shape = config.get("build_input_shape") if isinstance(config, dict) else None
        if shape is None and spec.get("build_config"):
            shape = spec["build_config"].get("input_shape")
        first = out["layers"][0] if out["layers"] else None
        if first is not None and first["class_name"] == "InputLayer":
            # the input becomes the build shape, so the model comes back built
            out["layers"].pop(0)
            shape = first["config"].get("batch_input_shape") or shape
            out["input_dtype"] = first["config"].get("dtype")
        if shape is not None:
            out["build_input_shape"] = shape
        return {"class_name": "Sequential", "config": out}
    layers = []
    for cfg in config["layers"]:
        layers.append({"name": cfg.get("name") or cfg["config"]["name"], "spec": cfg,
                       "nodes": _nodes(cfg)})
    used = set()
    for item in layers:
        _refs_in(item["nodes"], used)
    _refs_in(_output_refs(config["output_layers"]), used)
    out_layers = []
    for item in layers:
        cls_name = item["spec"].get("class_name")
        if cls_name in _MASK_OPS and item["name"] not in used:
            continue  # a mask Keras 3 traced; saessak's layers carry masks themselves
        out_layers.append({**layer_spec(item["spec"], where, custom_objects),
                           "name": item["name"],
                           "inbound_nodes": item["nodes"]})
    inputs, outputs = config["input_layers"], config["output_layers"]
    if inputs and isinstance(inputs[0], str):
        inputs = [inputs]
    if isinstance(outputs, list) and len(outputs) == 1 and isinstance(outputs[0], list):
        outputs = outputs[0]  # tf.keras 2 lists even a single output
    return {"class_name": "Functional",
            "config": {"name": config.get("name"), "trainable": config.get("trainable", True),
                       "layers": out_layers, "input_layers": [r[:3] for r in inputs],
                       "output_layers": _output_refs(outputs)}}
