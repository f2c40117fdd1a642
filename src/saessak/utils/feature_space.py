"""FeatureSpace: one object that preprocesses and encodes a table of structured data
(``keras.utils.FeatureSpace``).

Each feature (a column, given as a dict entry) is preprocessed by its own layer, chosen by
a type name or a constructor: ``"float"`` (as is), ``"float_rescaled"`` (``Rescaling``),
``"float_normalized"`` (``Normalization``), ``"float_discretized"`` (``Discretization``),
``"integer_categorical"`` (``IntegerLookup``), ``"string_categorical"`` (``StringLookup``),
``"integer_hashed"`` / ``"string_hashed"`` (``Hashing``), or ``FeatureSpace.feature(dtype,
preprocessor, output_mode)`` with any layer. Crosses (``crosses=[("a", "b")]``) hash the
preprocessed values of several features together (``HashedCrossing``).

``adapt(dataset)`` learns what the layers learn (vocabularies, means, bin boundaries) from
a ``saessak.data.Dataset`` of dicts, one pass per adaptable feature, as Keras does. Then
``feature_space(data)`` maps a dict of values (batched, or one row of scalars) to one
float32 matrix (``output_mode="concat"``: the features in sorted name order, then the
crosses in sorted name order, categorical ones one-hot encoded), or to a dict of encoded
features (``"dict"``). ``get_inputs()`` and ``get_encoded_features()`` give the same
computation as symbolic tensors, for a functional model::

    feature_space.adapt(train_ds.map(lambda x, y: x))
    preprocessed_ds = train_ds.map(lambda x, y: (feature_space(x), y))
    inputs, encoded = feature_space.get_inputs(), feature_space.get_encoded_features()

The outputs are Keras 3.15's to float32 precision (the same columns in the same order).
Beyond Keras: a ``float_discretized`` feature given ``bin_boundaries`` (and
``num_bins=None``) needs no adapt and gets ``len(boundaries) + 1`` one-hot columns (Keras
insists on adapting it, which its Discretization refuses); data with unknown or missing
feature names is a ValueError naming them (a bare KeyError in Keras).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..data.dataset import Dataset
from ..layers.input_layer import Input, is_symbolic
from ..layers.layer import Layer
from ..layers.naming import unique_name
from ..layers.preprocessing.category_encoding import CategoryEncoding
from ..layers.preprocessing.data_layer import as_array, to_output
from ..layers.preprocessing.discretization import Discretization
from ..layers.preprocessing.hashed_crossing import HashedCrossing
from ..layers.preprocessing.hashing import Hashing
from ..layers.preprocessing.image_augmentation import Rescaling
from ..layers.preprocessing.index_lookup import IndexLookup
from ..layers.preprocessing.integer_lookup import IntegerLookup
from ..layers.preprocessing.normalization import Normalization
from ..layers.preprocessing.string_lookup import StringLookup
from ..layers.preprocessing.text_vectorization import TextVectorization
from .feature_space_parts import Cross, Feature, TFDConcat, TFDIdentity, from_spec

FEATURE_TYPES = ("float", "float_rescaled", "float_normalized", "float_discretized",
                 "integer_categorical", "string_categorical", "integer_hashed",
                 "string_hashed")
ADAPT_BATCH_SIZE = 32  # a dataset of single rows is batched so for adapt, as in Keras


class FeatureSpace(Layer):
    """Preprocess and encode a dict of features (see the module docstring).

    ``features``: ``{name: type name or Feature}``; ``output_mode``: ``"concat"`` or
    ``"dict"``; ``crosses``: tuples of feature names or ``FeatureSpace.cross(...)``;
    ``crossing_dim`` / ``hashing_dim`` / ``num_discretization_bins``: the sizes used for
    crosses given as tuples, for hashed features and for discretized features given by
    type name (32 each).
    """

    # --- feature constructors ------------------------------------------------------------
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or unique_name("float")
        return Feature("float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or unique_name("float_rescaled")
        return Feature("float32", Rescaling(scale=scale, offset=offset,
                                            name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or unique_name("float_normalized")
        return Feature("float32", Normalization(axis=-1, name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot",
                          name=None):
        name = name or unique_name("float_discretized")
        layer = Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                               name=f"{name}_preprocessor")
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None):
        name = name or unique_name("integer_categorical")
        layer = IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                              num_oov_indices=num_oov_indices)
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None):
        name = name or unique_name("string_categorical")
        layer = StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                             num_oov_indices=num_oov_indices)
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or unique_name("string_hashed")
        return Feature("string", Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or unique_name("integer_hashed")
        return Feature("int32", Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    # --- construction ----------------------------------------------------------------------
    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not features:
            raise ValueError("FeatureSpace: the `features` argument cannot be None or empty")
        if output_mode not in ("dict", "concat"):
            raise ValueError(f"FeatureSpace: output_mode must be 'dict' or 'concat', "
                             f"received {output_mode!r}")
        self.output_mode = output_mode
        self.crossing_dim, self.hashing_dim = crossing_dim, hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {name: self._standardize_feature(name, value)
                         for name, value in features.items()}
        self.crosses = [self._standardize_cross(c) for c in (crosses or [])]
        self.crosses_by_name = {c.name: c for c in self.crosses}
        self.inputs = {name: Input(shape=(1,), dtype=f.dtype, name=name)
                       for name, f in self.features.items()}
        self.preprocessors = {name: f.preprocessor for name, f in self.features.items()}
        self.crossers = {c.name: HashedCrossing(c.crossing_dim, name=c.name)
                         for c in self.crosses}
        for layer in list(self.preprocessors.values()) + list(self.crossers.values()):
            if isinstance(layer, Layer) and layer not in self._layers:
                self._layers.append(layer)  # their weights (Normalization's) are ours
        # a TextVectorization given its vocabulary is not adapted (as in Keras)
        self._fixed = {name for name, p in self.preprocessors.items()
                       if isinstance(p, TextVectorization)
                       and p.get_vocabulary(include_special_tokens=False)}
        self.one_hot_encoders = {}
        self._encoders_built = False
        self.encoded_features = None
        self.concat = None
        self._is_adapted = False
        self._sublayers_built = False
        self._names = sorted(self.features) + sorted(self.crosses_by_name)

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return from_spec(feature, Feature)
        if feature == "float_discretized":
            return self.float_discretized(name=name, num_bins=self.num_discretization_bins)
        if feature in ("integer_hashed", "string_hashed"):
            return getattr(self, feature)(self.hashing_dim, name=name)
        if isinstance(feature, str) and feature in FEATURE_TYPES:
            return getattr(self, feature)(name=name)
        raise ValueError(f"FeatureSpace: invalid type {feature!r} for feature {name!r}; "
                         f"expected one of {list(FEATURE_TYPES)} or a FeatureSpace.feature"
                         "(...)")

    def _standardize_cross(self, cross):
        if isinstance(cross, dict):
            cross = from_spec(cross, Cross)
        elif not isinstance(cross, Cross):
            if not self.crossing_dim:
                raise ValueError("FeatureSpace: crosses given as feature names need "
                                 "`crossing_dim` (the size of the crossing space)")
            cross = Cross(cross, crossing_dim=self.crossing_dim)
        unknown = [n for n in cross.feature_names if n not in self.features]
        if unknown:
            raise ValueError(f"FeatureSpace: the cross {cross.feature_names} names unknown "
                             f"feature(s) {unknown}; every feature in `crosses` must be in "
                             f"`features` ({list(self.features)})")
        return cross

    # --- adapting ---------------------------------------------------------------------------
    def _list_adaptable_preprocessors(self) -> list:
        names = []
        for name, p in self.preprocessors.items():
            if isinstance(p, Normalization) and p.input_mean is not None:
                continue  # mean and variance given
            if isinstance(p, Discretization) and p.num_bins is None:
                continue  # bin boundaries given
            if name in self._fixed:
                continue
            if hasattr(p, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Learn each adaptable preprocessor's state from ``dataset``: a Dataset whose
        elements are dicts of features (batched or not), or a dict of arrays."""
        if isinstance(dataset, dict):
            dataset = Dataset.from_tensor_slices(dataset)
        if not isinstance(dataset, Dataset):
            raise ValueError(f"FeatureSpace.adapt: expected a saessak.data.Dataset or a dict "
                             f"of arrays/lists, received {type(dataset).__name__}")
        names = self._list_adaptable_preprocessors()
        if names:
            first = next(iter(dataset), None)
            if not isinstance(first, dict):
                what = "no elements" if first is None else \
                    f"elements of type {type(first).__name__}"
                raise ValueError(f"FeatureSpace.adapt: expected a Dataset of dicts (feature "
                                 f"name -> values), received {what}. For a labelled dataset, "
                                 "map the labels away first: ds.map(lambda x, y: x)")
            missing = [n for n in names if n not in first]
            if missing:
                raise ValueError(f"FeatureSpace.adapt: the dataset has no feature(s) "
                                 f"{missing}; its elements have the keys {list(first)}")
        for name in names:
            column = dataset.map(lambda x, name=name: x[name])
            rank = np.ndim(next(iter(column)))
            if rank == 0:  # single rows: batch them
                column = column.batch(ADAPT_BATCH_SIZE)
            if rank in (0, 1):  # a batch of scalars: one column, as the Inputs have
                column = column.map(lambda x: np.expand_dims(x, -1))
            self.preprocessors[name].adapt(column)
        if self._encoders_built:  # adapted again: the one-hot sizes may have changed
            self.one_hot_encoders, self.concat, self.encoded_features = {}, None, None
            self._encoders_built = False
        self._is_adapted = True
        self.get_encoded_features()  # finish building: encoders and the symbolic graph
        self.built = True
        self._sublayers_built = True
        self._build_shapes = [(None, 1)] * len(self.features)

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("FeatureSpace: call `.adapt(dataset)` on the FeatureSpace "
                                 "before you can start using it (its preprocessors "
                                 f"{self._list_adaptable_preprocessors()} learn from data)")
            self._is_adapted = True

    def _check_if_built(self) -> None:
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True
            self.built = True

    # --- the symbolic graph ------------------------------------------------------------------
    def get_inputs(self) -> dict:
        """The ``Input`` of each feature (shape ``(None, 1)``), by name."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features as symbolic tensors, computed from :meth:`get_inputs`."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess(self.inputs)
            self.encoded_features = self._merge(preprocessed, self._cross(preprocessed))
        return self.encoded_features

    # --- computing ---------------------------------------------------------------------------
    def _preprocess(self, features):
        return {name: self.preprocessors[name](features[name]) for name in self.features}

    def _cross(self, features):
        return {c.name: self.crossers[c.name]([features[n] for n in c.feature_names])
                for c in self.crosses}

    def _spec(self, name):
        return self.features[name] if name in self.features else self.crosses_by_name[name]

    def _cardinality(self, name) -> int:
        """How many one-hot columns the feature or cross ``name`` gets."""
        layer = self.preprocessors.get(name) or self.crossers.get(name)
        if isinstance(layer, IndexLookup):
            return layer.vocabulary_size()
        if isinstance(layer, CategoryEncoding):
            return layer.num_tokens
        if isinstance(layer, Discretization):
            if layer.num_bins is not None:
                return layer.num_bins
            return len(layer.bin_boundaries) + 1
        if isinstance(layer, (Hashing, HashedCrossing)):
            return layer.num_bins
        raise ValueError(f"FeatureSpace: feature {name!r} has output_mode='one_hot', but its "
                         f"preprocessor ({type(layer).__name__}) is not a standard one, so "
                         "the size of its output space is unknown and it cannot be one-hot "
                         "encoded; use output_mode='int'")

    def _build_encoders(self) -> None:
        for name in self._names:
            spec = self._spec(name)
            if spec.output_mode == "one_hot":
                self.one_hot_encoders[name] = CategoryEncoding(
                    num_tokens=self._cardinality(name), output_mode="multi_hot",
                    name=unique_name(f"{name}_one_hot"))
            elif spec.output_mode == "int" and self.output_mode == "concat":
                raise ValueError(f"FeatureSpace: cannot concatenate the features because "
                                 f"feature {name!r} has output_mode='int' (integer indices, "
                                 "not encoded); use output_mode='one_hot' for it or "
                                 "FeatureSpace(output_mode='dict')")
        if self.output_mode == "concat":
            self.concat = TFDConcat(axis=-1, name=unique_name("feature_space_concat"))
        self._encoders_built = True

    def _merge(self, preprocessed, crossed):
        if not self._encoders_built:
            self._build_encoders()
        values = {**preprocessed, **crossed}
        encoded = {}
        for name in self._names:
            encoder = self.one_hot_encoders.get(name)
            encoded[name] = values[name] if encoder is None else encoder(values[name])
        if self.output_mode == "dict":
            return encoded
        parts = [encoded[name] for name in self._names]
        if is_symbolic(parts):
            return self.concat(parts)
        arrays = [as_array(p) for p in parts]
        for name, array in zip(self._names, arrays):
            if array.dtype.kind not in "f":
                raise ValueError(f"FeatureSpace: cannot concatenate the features because "
                                 f"feature {name!r} has not been encoded (it has dtype "
                                 f"{array.dtype}); use output_mode='dict'")
        return np.concatenate(arrays, axis=-1).astype(np.float32)

    def _standardize_data(self, data) -> tuple[dict, bool]:
        """The values of each feature as ``(rows, 1)`` arrays, and whether they were
        scalars (one unbatched row)."""
        if not isinstance(data, dict):
            raise ValueError(f"FeatureSpace: call it on a dict of features, received "
                             f"{type(data).__name__}")
        unknown = [k for k in data if k not in self.features]
        missing = [k for k in self.features if k not in data]
        if unknown or missing:
            parts = ([f"unknown feature(s) {unknown}"] if unknown else []) + \
                    ([f"missing feature(s) {missing}"] if missing else [])
            raise ValueError(f"FeatureSpace: the data has {' and '.join(parts)}; the "
                             f"features are {list(self.features)}")
        arrays, scalar = {}, False
        for name in self.features:
            x = as_array(data[name])
            if self.features[name].dtype == "float32" and x.dtype.kind in "fiub":
                x = x.astype(np.float32)  # as Keras's float layers cast their inputs
            if x.ndim == 0:
                x, scalar = x.reshape(1, 1), True
            elif x.ndim == 1:
                x = x[:, None]
            arrays[name] = x
        rows = {name: len(x) for name, x in arrays.items()}
        if len(set(rows.values())) > 1:
            raise ValueError(f"FeatureSpace: the features have different numbers of rows: "
                             f"{rows}")
        return arrays, scalar

    def __call__(self, data):
        self._check_if_built()
        data, scalar = self._standardize_data(data)
        preprocessed = {k: as_array(v) for k, v in self._preprocess(data).items()}
        crossed = {k: as_array(v) for k, v in self._cross(preprocessed).items()}
        merged = self._merge(preprocessed, crossed)
        if self.output_mode == "concat":
            return Tensor(merged[0] if scalar else merged)
        out = {}
        for name, value in merged.items():
            value = as_array(value)
            if scalar and value.ndim == 2 and value.shape[0] == 1:
                value = value[0]
            out[name] = to_output(value)
        return out

    # --- saving ------------------------------------------------------------------------------
    def get_config(self):
        return {"name": self.name,
                "features": {name: {"class_name": "Feature", "config": f.get_config()}
                             for name, f in self.features.items()},
                "output_mode": self.output_mode,
                "crosses": [{"class_name": "Cross", "config": c.get_config()}
                            for c in self.crosses],
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {name: f.preprocessor.get_build_config() for name, f in self.features.items()}

    def build_from_config(self, config) -> None:
        """Build the preprocessors as saved (then the space counts as adapted: their
        state comes from their configs and weights), as Keras does."""
        config = config or {}
        if "input_shape" in config and "input_shape" not in self.features:
            return self.build(config["input_shape"])  # saessak's form: the input shapes
        for name, build_config in config.items():
            if name not in self.features:
                raise ValueError(f"FeatureSpace.build_from_config: unknown feature {name!r}")
            layer = self.features[name].preprocessor
            if not layer.built and build_config:
                layer.build_from_config(build_config)
        self._is_adapted = True

    def build(self, input_shape=None) -> None:
        """Build every preprocessor for ``(None, 1)`` inputs (what ``load_model`` calls on
        a space saved after ``adapt``; their state comes from the file)."""
        for layer in self.preprocessors.values():
            if not layer.built:
                layer.build((None, 1))
                layer.built = True
        self._is_adapted = True
        self.built = True
        self._build_shapes = [(None, 1)] * len(self.features)

    def save(self, filepath, overwrite=True):
        """Write the space (configs, learned vocabularies, boundaries and statistics) to
        one file; ``saessak.models.load_model(filepath)`` reads it back."""
        from ..models.saving import save_model  # models import layers: import when used
        if not self.built:
            raise ValueError("FeatureSpace.save: call `.adapt(dataset)` first; there is "
                             "nothing learned to save yet")
        save_model(self, filepath, overwrite=overwrite, include_optimizer=False)

    def __repr__(self):
        return (f"<FeatureSpace {self.name!r} features={list(self.features)} "
                f"crosses={[c.name for c in self.crosses]} output_mode={self.output_mode!r}>")


__all__ = ["Cross", "Feature", "FeatureSpace", "TFDConcat", "TFDIdentity"]
