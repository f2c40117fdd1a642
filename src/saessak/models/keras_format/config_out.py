"""saessak model configs -> Keras's JSON (Keras 3 ``config.json``, tf.keras 2 ``model_config``).

saessak's ``get_config`` already uses Keras's argument names; what changes is the wrapping
(Keras 3's ``module``/``registered_name``, its ``__keras_tensor__`` placeholders, tf.keras 2's
``[layer, node, tensor, kwargs]`` lists) and a few arguments one Keras version does not take.
Layers Keras does not have are written as Keras writes custom objects: your own classes
under their names (Keras, like saessak, then needs them in ``custom_objects``), and layers
that exist only in saessak (``TransformerEncoder``, ...) with ``registered_name``
``'saessak>Name'``, so that Keras reports them as unknown instead of mistaking one for its
own class of the same name (``TextVectorization``, ``Lambda``). A ``Lambda`` is written with
its function's name, never its code. Subclassed models go into ``.keras`` files (class name
and ``get_config``, as Keras 3 does); tf.keras 2's ``.h5`` has no place for them.
"""

from __future__ import annotations

import inspect

from ...layers.input_layer import InputLayer, flatten
from ...layers.op_layer import OpLayer
from ...layers.serialization import LAYERS
from .container import user_defines
from .operations import operation_spec

KERAS2_VERSION = "2.15.0"
KERAS3_VERSION = "3.5.0"

# saessak layers without a Keras counterpart (or whose Keras form holds code)
_SAESSAK_ONLY = {"SequenceAttention", "TransformerEncoder", "TransformerDecoder",
                 "PositionalEmbedding", "TokenAndPositionEmbedding", "SinePositionEncoding",
                 "Lambda", "HeadDense", "RMSNormalization", "OpLayer"}
# arguments a Keras version refuses, dropped when they hold the default saessak writes
_NOT_IN_KERAS3 = {"time_major": False, "input_length": None, "batch_input_shape": None,
                  "implementation": 2}
_NOT_IN_KERAS2 = {"seed": None, "time_major": False, "rms_scaling": False}
# classes whose Keras 3 config names them otherwise than their Python class (Keras's
# GroupedQueryAttention is exported, and serialized, as GroupQueryAttention)
_KERAS3_CLASS_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}
# Keras 3 layers whose constructor takes no ``trainable`` (nor other base arguments)
_NO_TRAINABLE_IN_KERAS3 = {"Discretization", "SpatialDropout1D", "SpatialDropout2D",
                           "SpatialDropout3D"}


def check_exportable(model, where, keras3):
    """Raise when ``model`` cannot be described in the chosen Keras dialect."""
    if not keras3 and _is_subclassed(model):
        raise ValueError(f"{where}: model {model.name!r} is a subclassed model "
                         f"({type(model).__name__}); tf.keras 2's .h5 holds only Sequential "
                         "and functional models: save it as .keras, or save_weights")


def _is_subclassed(model) -> bool:
    return type(model).__name__ not in ("Model", "Sequential") \
        or (type(model).__name__ == "Model" and getattr(model, "_graph", None) is None)


def _keras_names(class_name, layer_class=None):
    """``(module, registered_name)`` as Keras 3 writes them for a layer class. A user's
    class that shares a name with one of saessak's (``TokenAndPositionEmbedding``, as the
    Keras text-classification example defines its own) is the user's, not saessak's."""
    cls = LAYERS.own(class_name)
    if layer_class is not None and cls is not layer_class:
        cls = None
    if cls is None or not cls.__module__.startswith("saessak."):
        return None, class_name  # the user's own class (found again through custom_objects)
    if class_name in _SAESSAK_ONLY:
        return "saessak.layers", f"saessak>{class_name}"
    return "keras.layers", None


def _jsonable(shape):
    if isinstance(shape, (list, tuple)):
        return [_jsonable(s) for s in shape]
    return shape


def _keras_dtype(dtype) -> str:
    """Keras's name for a dtype: saessak's text arrays (``object``) are Keras's 'string'."""
    return "string" if str(dtype) == "object" else str(dtype)


def _clean(config, drop):
    return {k: v for k, v in config.items() if not (k in drop and v == drop[k])}


def _is_model(layer):
    return type(layer).__name__ in ("Model", "Sequential")


def _layer_config(layer, keras3):
    """One layer's Keras description; a nested model is described in Keras's form too."""
    from ..saving import serialize_layer
    if _is_model(layer):
        return model_config(layer, keras3)
    spec = _wrap(_spec_config(serialize_layer(layer), keras3), keras3, type(layer))
    if keras3 and user_defines(type(layer), "get_build_config"):  # a layer with build arguments
        spec["build_config"] = layer.get_build_config()
    return spec


def _spec_config(spec, keras3):
    """Clean one ``{'class_name', 'config'}`` (recursively for wrapped layers)."""
    drop = _NOT_IN_KERAS3 if keras3 else _NOT_IN_KERAS2
    config = _clean(dict(spec["config"]), drop)
    if not keras3:  # tf.keras 2 calls its own hard sigmoid (0.2 x + 0.5) 'hard_sigmoid'
        config = {k: "hard_sigmoid" if v == "hard_sigmoid_keras2" else v
                  for k, v in config.items()}
    for key in ("layer", "backward_layer", "cell"):
        if isinstance(config.get(key), dict) and "class_name" in config[key]:
            config[key] = _wrap(_spec_config(config[key], keras3), keras3)
    if spec["class_name"] == "InputLayer" and keras3:
        config["batch_shape"] = config.pop("batch_input_shape")
    if keras3 and spec["class_name"] != "InputLayer":
        config.pop("batch_input_shape", None)
    if keras3 and spec["class_name"] in _NO_TRAINABLE_IN_KERAS3:
        config.pop("trainable", None)
    if config.get("dtype") == "object":  # saessak's text arrays
        config["dtype"] = "string"
    name = _KERAS3_CLASS_NAMES.get(spec["class_name"], spec["class_name"]) if keras3 \
        else spec["class_name"]
    return {"class_name": name, "config": config}


def _wrap(spec, keras3, layer_class=None):
    if not keras3:
        return spec
    module, registered = _keras_names(spec["class_name"], layer_class)
    return {"module": module, "class_name": spec["class_name"], "config": spec["config"],
            "registered_name": registered}


# --- the graph ------------------------------------------------------------------------------


def _tensor_lookup(model):
    """``[layer, node, index]`` (node counted within this model) -> the KerasTensor."""
    in_model = {id(n) for n in model._graph.nodes}
    table = {}
    for layer in model._graph.layers:
        own = [n for n in layer._inbound_nodes if id(n) in in_model]
        for i, node in enumerate(own):
            for j, t in enumerate(flatten(node.outputs)):
                table[(layer.name, i, j)] = t
    return lambda ref: table[tuple(ref)]


def _k3_args(value, lookup):
    """saessak's encoded call arguments -> Keras 3's, with ``__keras_tensor__``
    placeholders (which carry the tensor's shape and dtype)."""
    if isinstance(value, dict):
        if "tensor" in value:
            t = lookup(value["tensor"])
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(t.shape), "dtype": _keras_dtype(t.dtype),
                               "keras_history": list(value["tensor"])}}
        if "tuple" in value:
            return [_k3_args(v, lookup) for v in value["tuple"]]
        if "dict" in value:
            return {k: _k3_args(v, lookup) for k, v in value["dict"].items()}
    if isinstance(value, list):
        return [_k3_args(v, lookup) for v in value]
    return value


def _k2_node(layer, node):
    """saessak's ``{'args', 'kwargs'}`` -> tf.keras 2's ``[[layer, node, tensor, kwargs]]``:
    the first argument is the input (a list of them for merge layers); later positional
    arguments become keyword arguments, named from ``call``'s signature."""
    args = list(node["args"])
    while args and args[-1] is None:
        args.pop()
    kwargs = {k: v for k, v in node["kwargs"].get("dict", {}).items() if v is not None}
    names = [p for p in inspect.signature(layer.call).parameters if p != "self"]
    for name, value in zip(names[1:], args[1:]):
        if value is not None:
            kwargs[name] = value

    def k2(value):
        if isinstance(value, dict):
            if "tensor" in value:
                return list(value["tensor"])
            if "tuple" in value:
                return [k2(v) for v in value["tuple"]]
            if "dict" in value:
                return {k: k2(v) for k, v in value["dict"].items()}
        if isinstance(value, list):
            return [k2(v) for v in value]
        return value

    first = args[0]
    inputs = first if isinstance(first, list) else [first]
    entries = [list(t["tensor"]) + [{}] for t in inputs]
    entries[0][3] = {k: k2(v) for k, v in kwargs.items()}
    return entries


def model_config(model, keras3: bool) -> dict:
    """The whole model as Keras JSON (``keras3`` picks the dialect)."""
    from ..sequential import Sequential
    if _is_subclassed(model):  # Keras 3 writes the class and its get_config
        spec = {"class_name": type(model).__name__, "config": model.get_config()}
        if keras3:
            shape = getattr(model, "_build_shapes", None)
            module, registered = _keras_names(type(model).__name__, type(model))
            spec.update(module=module, registered_name=registered or type(model).__name__,
                        build_config={"input_shape": _jsonable(shape)})
        return spec
    if isinstance(model, Sequential):
        layers = [_layer_config(layer, keras3) for layer in model.layers]
        shape = list(model._graph.inputs[0].shape)
        first = {"class_name": "InputLayer",
                 "config": {"batch_shape" if keras3 else "batch_input_shape": shape,
                            "dtype": _keras_dtype(model._graph.inputs[0].dtype),
                            "sparse": False,
                            "name": model._graph.inputs[0].name or "input"}}
        config = {"name": model.name, "trainable": model.trainable,
                  "layers": [_wrap(first, keras3)] + layers}
        spec = {"class_name": "Sequential", "config": config}
        if keras3:
            spec.update(module="keras", registered_name=None,
                        build_config={"input_shape": shape})
        return spec
    from ..saving import functional_config
    raw = functional_config(model)
    by_name = {layer.name: layer for layer in model._graph.layers}
    lookup = _tensor_lookup(model)
    layers = []
    for entry in raw["layers"]:
        layer = by_name[entry["name"]]
        spec = (model_config(layer, keras3) if _is_model(layer) else
                _wrap(_spec_config({"class_name": entry["class_name"],
                                    "config": entry["config"]}, keras3), keras3, type(layer)))
        if not keras3 and entry["class_name"] == "MultiHeadAttention":
            # tf.keras 2 builds the projections in from_config, from these shapes
            q, v, k = layer._dims
            spec["config"].update(query_shape=[None, None, q], value_shape=[None, None, v],
                                  key_shape=[None, None, k])
        if keras3 and isinstance(layer, OpLayer):  # as Keras 3 saves a keras.ops call
            made = operation_spec(layer, entry["inbound_nodes"][0],
                                  lambda ref: _k3_args(ref, lookup))
            if made is not None:
                layers.append({**made[0], "name": entry["name"], "inbound_nodes": [made[1]]})
                continue
        if isinstance(layer, InputLayer):
            nodes = []
        elif keras3:
            nodes = []
            for n in entry["inbound_nodes"]:
                args = list(n["args"])
                while args and args[-1] is None:
                    args.pop()
                nodes.append({"args": _k3_args(args, lookup),
                              "kwargs": _k3_args(n["kwargs"], lookup)})
        else:
            nodes = [_k2_node(layer, n) for n in entry["inbound_nodes"]]
        layers.append({**spec, "name": entry["name"], "inbound_nodes": nodes})
    outputs = raw["output_layers"]
    outs = [o["tensor"] for o in (outputs if isinstance(outputs, list) else [outputs])]
    config = {"name": model.name, "trainable": model.trainable, "layers": layers,
              "input_layers": [list(r) for r in raw["input_layers"]],
              "output_layers": [list(r) for r in outs]}
    if keras3:  # Keras 3 writes a single input or output as one reference, not a list
        for key in ("input_layers", "output_layers"):
            if len(config[key]) == 1:
                config[key] = config[key][0]
    spec = {"class_name": "Functional", "config": config}
    if keras3:
        spec.update(module="keras.src.models.functional", registered_name="Functional")
    return spec
