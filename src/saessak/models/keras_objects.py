"""``keras.utils.serialize_keras_object`` / ``deserialize_keras_object``: any Keras object
(layer, optimizer, loss, metric, initializer, regularizer, constraint, activation) as a
JSON-able description and back, as Keras 3 writes them (``{"module", "class_name",
"config", "registered_name"}``). Plain values (strings, numbers, lists, dicts) pass as they
are, as in Keras 3: ``deserialize_keras_object("SGD")`` is the string ``"SGD"``."""

from __future__ import annotations

from .. import (
    activations,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
)

# (Keras module, saessak module, base class or None): tried in this order
_KINDS = [("keras.layers", layers, layers.Layer),
          ("keras.optimizers", optimizers, optimizers.Optimizer),
          ("keras.losses", losses, losses.Loss),
          ("keras.metrics", metrics, metrics.Metric),
          ("keras.initializers", initializers, initializers.Initializer),
          ("keras.regularizers", regularizers, regularizers.Regularizer),
          ("keras.constraints", constraints, constraints.Constraint)]


def serialize_keras_object(obj):
    """A JSON-able description of ``obj``."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    for module_name, module, base in _KINDS:
        if isinstance(obj, base):
            spec = dict(module.serialize(obj))
            spec.setdefault("registered_name", None)
            return {"module": module_name, **spec}
    if callable(obj):  # an activation (or another function known by name)
        return activations.serialize(obj)
    raise TypeError(f"serialize_keras_object: cannot describe an object of type "
                    f"{type(obj).__name__}")


def deserialize_keras_object(config, custom_objects=None, module_objects=None,
                             safe_mode=True, **kwargs):
    """The object that :func:`serialize_keras_object` described; plain values unchanged."""
    if isinstance(config, list):
        return [deserialize_keras_object(v, custom_objects) for v in config]
    if not isinstance(config, dict) or "class_name" not in config:
        if isinstance(config, dict):
            return {k: deserialize_keras_object(v, custom_objects) for k, v in config.items()}
        return config
    module_name = config.get("module") or ""
    kinds = [k for k in _KINDS if k[0] == module_name] or _KINDS
    spec = {k: v for k, v in config.items() if k != "module"}
    errors = []
    for _, module, _ in kinds:
        try:
            return module.deserialize(spec, custom_objects=custom_objects)
        except (ValueError, KeyError, TypeError) as error:
            errors.append(str(error))
    raise ValueError(f"deserialize_keras_object: no Keras object is called "
                     f"{config['class_name']!r} ({'; '.join(errors[:2])})")
