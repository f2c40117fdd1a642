"""Make ``tests/fixtures/keras/feature_space.npz`` with real Keras 3 (TensorFlow backend).

Run in an environment that has TensorFlow and Keras 3::

    /work/tfvenv/bin/python scripts/make_feature_space_fixture.py

It draws a synthetic table shaped like the heart-disease data of keras.io's "Structured
data classification with FeatureSpace" (60 training rows, 12 held-out rows with values the
training rows lack), adapts three FeatureSpaces on it as that example does (a labelled
dataset batched by 32, its labels mapped away), and stores what Keras computes. Entries:

- ``train__<column>``, ``test__<column>``: the tables (text as fixed-width unicode);
- ``<space>__spec``: JSON of the space (see ``SPACES``; the test builds the same one);
- ``<space>__<table>``: the ``'concat'`` output for a whole table, or
  ``<space>__<table>__<feature>`` for each output of a ``'dict'`` space;
- ``<space>__one``: the output for the first training row given as scalars (unbatched);
- ``hc__<case>__in<i>``, ``hc__<case>__call`` (JSON), ``hc__<case>__out``: HashedCrossing.

``tests/utils/test_feature_space.py`` and ``tests/layers/test_hashed_crossing.py`` read it
with NumPy alone.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras",
                   "feature_space.npz")
SEED = 1337
N_TRAIN, N_TEST = 60, 12

# A feature is a type name (FeatureSpace's defaults) or [constructor, keyword arguments].
# A cross is a list of names (the space's crossing_dim) or FeatureSpace.cross's arguments.
KERAS_IO_TYPES = {
    "sex": "integer_categorical", "cp": "integer_categorical",
    "fbs": "integer_categorical", "restecg": "integer_categorical",
    "exang": "integer_categorical", "ca": "integer_categorical",
    "thal": "string_categorical", "age": "float_discretized",
    "trestbps": "float_normalized", "chol": "float_normalized",
    "thalach": "float_normalized", "oldpeak": "float_normalized",
    "slope": "float_normalized",
}
CATEGORICAL_NO_OOV = ["integer_categorical", {"num_oov_indices": 0}]
SPACES = {
    # keras.io's first definition: type names only
    "shorthand": {
        "features": KERAS_IO_TYPES,
        "crosses": [["sex", "age"], ["thal", "ca"]],
        "options": {"crossing_dim": 32, "output_mode": "concat"},
    },
    # keras.io's second definition, plus hashed, rescaled and plain float columns
    "custom": {
        "features": {
            "sex": CATEGORICAL_NO_OOV, "cp": CATEGORICAL_NO_OOV, "fbs": CATEGORICAL_NO_OOV,
            "restecg": CATEGORICAL_NO_OOV, "exang": CATEGORICAL_NO_OOV,
            "ca": CATEGORICAL_NO_OOV,
            "thal": ["string_categorical", {"num_oov_indices": 0}],
            "age": ["float_discretized", {"num_bins": 30}],
            "trestbps": ["float_normalized", {}], "chol": ["float_normalized", {}],
            "thalach": ["float_normalized", {}], "oldpeak": ["float_normalized", {}],
            "slope": ["float_normalized", {}],
            "city": ["string_hashed", {"num_bins": 8}],
            "zip": ["integer_hashed", {"num_bins": 16}],
            "bmi": ["float_rescaled", {"scale": 0.1, "offset": -2.0}],
            "weight": ["float", {}],
        },
        "crosses": [{"feature_names": ["sex", "age"], "crossing_dim": 64},
                    {"feature_names": ["thal", "ca"], "crossing_dim": 16},
                    {"feature_names": ["city", "cp"], "crossing_dim": 8}],
        "options": {"output_mode": "concat"},
    },
    # integer outputs, returned one by one
    "dict_int": {
        "features": {
            "thal": ["string_categorical", {"output_mode": "int"}],
            "ca": ["integer_categorical", {"output_mode": "int"}],
            "age": ["float_discretized", {"num_bins": 5, "output_mode": "int"}],
            "city": ["string_hashed", {"num_bins": 8, "output_mode": "int"}],
            "zip": ["integer_hashed", {"num_bins": 16, "output_mode": "int"}],
            "chol": "float_normalized",
        },
        "crosses": [{"feature_names": ["thal", "ca"], "crossing_dim": 32,
                     "output_mode": "int"},
                    {"feature_names": ["age", "zip"], "crossing_dim": 4}],
        "options": {"output_mode": "dict"},
    },
}

# HashedCrossing: (case, num_bins, output_mode, inputs)
LONG = "x" * 70 + "é"
HASHED_CROSSING = [
    ("doc", 5, "int", [np.array(["A", "B", "A", "B", "A"]),
                       np.array([101, 101, 101, 102, 102])]),
    ("doc_one_hot", 5, "one_hot", [np.array(["A", "B", "A", "B", "A"]),
                                   np.array([101, 101, 101, 102, 102])]),
    ("strings_column", 64, "int", [np.array([["fixed"], ["normal"], [""], ["서울"], [LONG]]),
                                   np.array([["a"], ["b"], ["c"], ["d"], ["e"]])]),
    ("ints_negative", 1000, "int", [np.array([-1, 0, 1, -(2**40), 2**62], dtype=np.int64),
                                    np.array([7, 7, -7, 3, -(2**63)], dtype=np.int64)]),
    ("int32", 17, "int", [np.array([0, 1, 2, 3], dtype=np.int32),
                          np.array([5, 4, 3, 2], dtype=np.int32)]),
    ("three", 97, "int", [np.array(["x", "y", "z", "x"]), np.array([1, 2, 3, 4]),
                          np.array(["p", "q", "p", "q"])]),
    ("order_swapped", 97, "int", [np.array([1, 2, 3, 4]), np.array(["x", "y", "z", "x"])]),
    ("scalar", 11, "int", [np.array("A"), np.array(5)]),
    ("scalar_one_hot", 11, "one_hot", [np.array("A"), np.array(5)]),
    ("column_one_hot", 6, "one_hot", [np.array([[1], [2], [3]]), np.array([[4], [5], [6]])]),
    ("huge_bins", 2**62 + 7, "int", [np.array(["a", "bb", "ccc"]), np.array([1, 22, 333])]),
]


def make_table(rng, n, held_out=False):
    """Columns like heart.csv's (plus city, zip, bmi and weight); held-out rows bring
    values the training rows never have."""
    cols = {
        "age": rng.integers(29, 78, n).astype(np.int64),
        "sex": rng.integers(0, 2, n).astype(np.int64),
        "cp": rng.integers(0, 5, n).astype(np.int64),
        "trestbps": rng.integers(94, 201, n).astype(np.int64),
        "chol": rng.integers(126, 565, n).astype(np.int64),
        "fbs": rng.integers(0, 2, n).astype(np.int64),
        "restecg": rng.integers(0, 3, n).astype(np.int64),
        "thalach": rng.integers(71, 203, n).astype(np.int64),
        "exang": rng.integers(0, 2, n).astype(np.int64),
        "oldpeak": np.round(rng.uniform(0.0, 6.2, n), 1),
        "slope": rng.integers(1, 4, n).astype(np.int64),
        "ca": rng.integers(0, 4, n).astype(np.int64),
        "thal": rng.choice(np.array(["fixed", "normal", "reversible", "1", "2"]), n,
                           p=[0.3, 0.4, 0.26, 0.02, 0.02]),
        "city": rng.choice(np.array(["Seoul", "Busan", "Zürich", "서울", "", "Lyon"]), n),
        "zip": rng.integers(10000, 99999, n).astype(np.int64),
        "bmi": np.round(rng.uniform(16.0, 40.0, n), 2),
        "weight": np.round(rng.uniform(45.0, 120.0, n), 1),
    }
    if held_out:  # unseen categories: out-of-vocabulary indices
        cols["cp"][:3] = [7, 9, 0]
        cols["ca"][3:5] = [5, -1]
        cols["thal"][5:7] = ["weird", "Fixed"]
        cols["age"][7:9] = [5, 99]
    target = rng.integers(0, 2, n).astype(np.int64)
    return cols, target


def build_space(FeatureSpace, spec):
    def feature(name, value):
        if isinstance(value, str):
            return value
        constructor, kwargs = value
        return getattr(FeatureSpace, constructor)(name=name, **kwargs)

    features = {name: feature(name, value) for name, value in spec["features"].items()}
    crosses = [tuple(c) if isinstance(c, list) else
               FeatureSpace.cross(**{**c, "feature_names": tuple(c["feature_names"])})
               for c in spec["crosses"]]
    return FeatureSpace(features=features, crosses=crosses, **spec["options"])


def main():
    import keras
    import tensorflow as tf
    from keras.utils import FeatureSpace

    rng = np.random.default_rng(SEED)
    train, train_y = make_table(rng, N_TRAIN)
    test, _ = make_table(rng, N_TEST, held_out=True)
    data = {"keras_version": np.array(keras.__version__), "train__target": train_y}
    for prefix, table in (("train", train), ("test", test)):
        for name, column in table.items():
            data[f"{prefix}__{name}"] = column

    def as_tf(table):
        return {k: tf.constant(v) for k, v in table.items()}

    for space_name, spec in SPACES.items():
        data[f"{space_name}__spec"] = np.array(json.dumps(spec))
        columns = {name: train[name] for name in spec["features"]}
        labelled = tf.data.Dataset.from_tensor_slices((columns, train_y)).batch(32)
        feature_space = build_space(FeatureSpace, spec)
        feature_space.adapt(labelled.map(lambda x, _: x))
        tables = [("train", train), ("test", test)]
        if space_name == "custom":  # num_oov_indices=0: held-out categories are errors
            tables = tables[:1]
        for table_name, table in tables:
            out = feature_space(as_tf({k: table[k] for k in spec["features"]}))
            if isinstance(out, dict):
                for key, value in out.items():
                    data[f"{space_name}__{table_name}__{key}"] = np.asarray(value)
            else:
                data[f"{space_name}__{table_name}"] = np.asarray(out)
        one = feature_space({k: tf.constant(train[k][0]) for k in spec["features"]})
        if isinstance(one, dict):
            for key, value in one.items():
                data[f"{space_name}__one__{key}"] = np.asarray(value)
        else:
            data[f"{space_name}__one"] = np.asarray(one)

    for case, num_bins, mode, inputs in HASHED_CROSSING:
        layer = keras.layers.HashedCrossing(num_bins=num_bins, output_mode=mode)
        data[f"hc__{case}__call"] = np.array(json.dumps({"num_bins": num_bins,
                                                         "output_mode": mode}))
        for i, x in enumerate(inputs):
            data[f"hc__{case}__in{i}"] = x
        data[f"hc__{case}__out"] = np.asarray(layer(tuple(tf.constant(x) for x in inputs)))

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez(OUT, **data)
    print(f"wrote {os.path.normpath(OUT)}: {len(SPACES)} feature spaces, "
          f"{len(HASHED_CROSSING)} HashedCrossing cases, Keras {keras.__version__}")


if __name__ == "__main__":
    main()
