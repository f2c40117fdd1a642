"""The pieces a ``FeatureSpace`` is made of (``saessak.utils.feature_space``): ``Feature``
(a column's dtype, preprocessing layer and encoding), ``Cross`` (features hashed together),
and the two small layers Keras names ``TFDIdentity`` (a ``"float"`` feature's preprocessor)
and ``TFDConcat`` (the join of the encoded features), under Keras's names so that configs
keep them.
"""

from __future__ import annotations

import numpy as np

from ..layers.preprocessing.data_layer import DataLayer, as_array, to_output
from ..layers.serialization import deserialize, serialize


def from_spec(value, cls):
    """A Feature or Cross from its ``get_config`` form (saessak's ``{'class_name',
    'config'}`` or Keras's serialized object, which has the same two keys)."""
    if isinstance(value, cls):
        return value
    if isinstance(value, dict) and value.get("class_name") == cls.__name__:
        return cls.from_config(dict(value.get("config") or {}))
    raise ValueError(f"FeatureSpace: expected a {cls.__name__} or its config, received "
                     f"{value!r}")


def _names(value) -> tuple:
    """Feature names, as a tuple (Keras files write a tuple as ``{'class_name':
    '__tuple__', 'config': {'value': [...]}}``)."""
    if isinstance(value, dict) and value.get("class_name") == "__tuple__":
        value = value["config"]["value"]
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"FeatureSpace.cross: feature_names must be a list or tuple of "
                         f"feature names, received {value!r}")
    return tuple(value)


class Cross:
    """Features crossed by hashing (``FeatureSpace.cross``); its name is the features'
    names joined by ``_X_``."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"FeatureSpace.cross: output_mode must be 'int' or 'one_hot', "
                             f"received {output_mode!r}")
        self.feature_names = _names(feature_names)
        if len(self.feature_names) < 2:
            raise ValueError(f"FeatureSpace.cross: a cross needs at least two features, "
                             f"received {self.feature_names}")
        self.crossing_dim, self.output_mode = crossing_dim, output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": list(self.feature_names), "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<Cross {self.name} crossing_dim={self.crossing_dim} {self.output_mode}>"


class Feature:
    """One feature: the dtype of its ``Input``, its preprocessing layer and how its output
    is encoded (``'int'``, ``'one_hot'`` or ``'float'``)."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError(f"FeatureSpace.feature: output_mode must be 'int', 'one_hot' or "
                             f"'float', received {output_mode!r}")
        if isinstance(preprocessor, dict):
            preprocessor = deserialize(preprocessor)
        if not callable(preprocessor):
            raise ValueError(f"FeatureSpace.feature: preprocessor must be a layer, received "
                             f"{preprocessor!r}")
        self.dtype, self.preprocessor, self.output_mode = dtype, preprocessor, output_mode

    def get_config(self):
        return {"dtype": self.dtype, "preprocessor": serialize(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return (f"<Feature {type(self.preprocessor).__name__} dtype={self.dtype} "
                f"{self.output_mode}>")


class TFDIdentity(DataLayer):
    """The preprocessor of a ``"float"`` feature: the values as float32 (Keras's name)."""

    def call(self, inputs):
        return to_output(as_array(inputs).astype(self.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class TFDConcat(DataLayer):
    """Joins the encoded features along ``axis`` (Keras's name)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return to_output(np.concatenate([as_array(x) for x in inputs], axis=self.axis))

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        widths = [s[self.axis] for s in shapes]
        width = None if None in widths else sum(widths)
        out = list(shapes[0])
        out[self.axis] = width
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


__all__ = ["Cross", "Feature", "TFDConcat", "TFDIdentity", "from_spec"]
