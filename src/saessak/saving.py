"""``keras.saving``: saving and loading models, and making your own objects known to them.

>>> @saessak.saving.register_keras_serializable(package="my_package")
... class Scale(saessak.layers.Layer): ...
>>> model = saessak.saving.load_model("model.keras")   # finds my_package>Scale
"""

from ._registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from .models import load_model, save_model

__all__ = ["CustomObjectScope", "custom_object_scope", "get_custom_objects",
           "get_registered_name", "get_registered_object", "load_model",
           "register_keras_serializable", "save_model"]
