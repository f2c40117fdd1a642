"""Models: Sequential, functional Model(inputs, outputs), subclassed Model; saving."""

import json

from ..layers.serialization import user_classes
from .model import Model
from .saving import deserialize_layer, load_model, save_model, serialize_layer
from .sequential import Sequential


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model of the same architecture with freshly initialised weights; your own
    layer classes in it are taken from the model itself."""
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("clone_model: input_tensors and clone_function are not "
                                  "supported; only plain clones")
    return deserialize_layer(serialize_layer(model), user_classes(model))


def model_from_config(config, custom_objects=None):
    """A model (new weights) from ``{'class_name', 'config'}``, as ``layers.serialize``
    gives it."""
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string, custom_objects=None):
    """A model (new weights) from ``model.to_json()``."""
    return deserialize_layer(json.loads(json_string), custom_objects)
