"""Layers <-> ``{'class_name', 'config'}``: ``saessak.layers.serialize`` and ``deserialize``.

Every layer class of saessak registers itself in :data:`~.layer.LAYERS` when it is defined
(``Layer.__init_subclass__``); a user's class is found through ``custom_objects``, a
``custom_object_scope`` or ``register_keras_serializable``, never from the file. Wrappers
(``TimeDistributed``, ``Bidirectional``, ``RNN``) and a user's layer that holds another one
rebuild their inner layers with :func:`deserialize`, so the user's classes reach them too.
"""

from __future__ import annotations

from .._registry import get_registered_name
from .layer import LAYERS

__all__ = ["LAYERS", "deserialize", "serialize", "user_classes"]


def serialize(layer) -> dict:
    """``{'class_name', 'config'}`` (and ``'registered_name'`` for a registered class)."""
    if not hasattr(layer, "get_config") or isinstance(layer, type):
        raise ValueError(f"layers.serialize: expected a layer (an object with get_config), "
                         f"received {layer!r}")
    return LAYERS.serialize(layer)


def deserialize(config, custom_objects=None):
    """A new layer from ``{'class_name', 'config'}``; ``custom_objects`` maps the names of
    your own classes (and of ``Lambda`` functions) to them, for every layer inside too."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"layers.deserialize: expected a layer description "
                         f"{{'class_name', 'config'}}, received {config!r}")
    layer = LAYERS.deserialize(config, custom_objects)
    if config.get("build_config"):  # Keras 3: a layer that builds from its own build_config
        layer.build_from_config(config["build_config"])
    return layer


def user_classes(layer) -> dict:
    """The user's classes in ``layer`` (itself and every layer inside), by the name they
    are saved under: what a copy of it made through its config needs in ``custom_objects``."""
    found = {}
    if not type(layer).__module__.startswith("saessak."):
        found[get_registered_name(type(layer))] = type(layer)
    for sub in getattr(layer, "_layers", ()):
        found.update(user_classes(sub))
    return found
