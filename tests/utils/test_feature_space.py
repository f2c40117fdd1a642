"""FeatureSpace: Keras 3.15's encoded outputs, and keras.io's "Structured data
classification with FeatureSpace" program.

The expected outputs come from real Keras 3.15 through
``tests/fixtures/keras/feature_space.npz`` (``scripts/make_feature_space_fixture.py``): a
synthetic heart-disease table, three FeatureSpaces (keras.io's two definitions, with hashed,
rescaled and plain float columns added, and one of integer outputs in ``'dict'`` mode),
adapted as keras.io does, on a labelled dataset batched by 32 with its labels mapped away.
"""

import json
import os

import numpy as np
import pytest

import saessak as keras
from saessak import layers
from saessak.data import AUTOTUNE, Dataset
from saessak.layers.preprocessing.hashed_crossing import HashedCrossing
from saessak.utils.feature_space import Cross, Feature, FeatureSpace

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras",
                       "feature_space.npz")
DATA = dict(np.load(FIXTURE))
# Keras adapts Normalization in float32 (saessak in float64): a normalized value may differ
# by a few float32 steps of a number of size 1
TOL = {"rtol": 1e-6, "atol": 1e-6}
HEART = ["age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang",
         "oldpeak", "slope", "ca", "thal"]


def _table(prefix):
    return {k.split("__")[1]: DATA[k] for k in DATA
            if k.startswith(prefix + "__") and k != "train__target"}


TRAIN, TEST, TARGET = _table("train"), _table("test"), DATA["train__target"]


def _spec(space):
    return json.loads(str(DATA[f"{space}__spec"]))


def _build(spec):
    """The space the fixture script built, through the same constructors."""
    def feature(name, value):
        if isinstance(value, str):
            return value
        constructor, kwargs = value
        return getattr(FeatureSpace, constructor)(name=name, **kwargs)

    features = {name: feature(name, value) for name, value in spec["features"].items()}
    crosses = [tuple(c) if isinstance(c, list) else FeatureSpace.cross(**c)
               for c in spec["crosses"]]
    return FeatureSpace(features=features, crosses=crosses, **spec["options"])


def _adapted(space):
    spec = _spec(space)
    feature_space = _build(spec)
    columns = {name: TRAIN[name] for name in spec["features"]}
    labelled = Dataset.from_tensor_slices((columns, TARGET)).batch(32)
    feature_space.adapt(labelled.map(lambda x, _: x))
    return feature_space, spec


def _assert_encoded_equal(got, expected):
    """One-hot columns (all 0/1 in Keras's output) exactly, the others to float32
    precision."""
    assert got.shape == expected.shape and got.dtype == expected.dtype == np.float32
    flat_got, flat_expected = got.reshape(-1, got.shape[-1]), expected.reshape(
        -1, expected.shape[-1])
    categorical = np.all((flat_expected == 0) | (flat_expected == 1), axis=0)
    assert categorical.sum() > flat_expected.shape[1] // 2  # the test has teeth
    np.testing.assert_array_equal(flat_got[:, categorical], flat_expected[:, categorical])
    np.testing.assert_allclose(flat_got[:, ~categorical], flat_expected[:, ~categorical],
                               **TOL)


# --- Keras parity -------------------------------------------------------------------------------


@pytest.mark.parametrize("space, table", [("shorthand", "train"), ("shorthand", "test"),
                                          ("custom", "train")])
def test_concat_output_matches_keras(space, table):
    feature_space, spec = _adapted(space)
    data = (TRAIN if table == "train" else TEST)
    out = feature_space({name: data[name] for name in spec["features"]})
    _assert_encoded_equal(out.numpy(), DATA[f"{space}__{table}"])


@pytest.mark.parametrize("space", ["shorthand", "custom"])
def test_one_unbatched_row_matches_keras(space):
    feature_space, spec = _adapted(space)
    out = feature_space({name: TRAIN[name][0] for name in spec["features"]}).numpy()
    assert out.ndim == 1
    _assert_encoded_equal(out[None], DATA[f"{space}__one"][None])


@pytest.mark.parametrize("table", ["train", "test", "one"])
def test_dict_output_matches_keras(table):
    feature_space, spec = _adapted("dict_int")
    if table == "one":
        out = feature_space({name: TRAIN[name][0] for name in spec["features"]})
    else:
        data = TRAIN if table == "train" else TEST
        out = feature_space({name: data[name] for name in spec["features"]})
    expected = {k.split("__")[2]: DATA[k] for k in DATA
                if k.startswith(f"dict_int__{table}__")}
    assert list(out) == sorted(spec["features"]) + ["age_X_zip", "thal_X_ca"]
    assert set(out) == set(expected)
    for name, value in out.items():
        value = value.numpy()
        assert value.shape == expected[name].shape, name
        assert value.dtype == expected[name].dtype, name
        if value.dtype.kind == "f" and name != "age_X_zip":
            np.testing.assert_allclose(value, expected[name], **TOL)
        else:
            np.testing.assert_array_equal(value, expected[name])


def test_symbolic_graph_matches_keras():
    feature_space, spec = _adapted("shorthand")
    model = keras.Model(feature_space.get_inputs(), feature_space.get_encoded_features())
    out = model.predict({name: TEST[name] for name in spec["features"]}, verbose=0)
    _assert_encoded_equal(np.asarray(out), DATA["shorthand__test"])


def test_layout_names_and_sizes():
    feature_space, _ = _adapted("shorthand")
    assert feature_space.get_encoded_features().shape == (None, 130)
    assert isinstance(feature_space.crossers["sex_X_age"], HashedCrossing)
    assert feature_space.crossers["thal_X_ca"].num_bins == 32
    assert isinstance(feature_space.preprocessors["thal"], layers.StringLookup)
    assert isinstance(feature_space.preprocessors["age"], layers.Discretization)
    assert feature_space.preprocessors["age"].num_bins == 32
    inputs = feature_space.get_inputs()
    assert list(inputs) == list(_spec("shorthand")["features"])
    assert inputs["thal"].dtype == "object" and inputs["sex"].dtype == "int32"
    assert inputs["chol"].shape == (None, 1)


def test_concat_is_the_dict_outputs_in_sorted_order():
    spec = _spec("custom")
    concat_space, _ = _adapted("custom")
    dict_spec = {**spec, "options": {"output_mode": "dict"}}
    dict_space = _build(dict_spec)
    columns = {name: TRAIN[name] for name in spec["features"]}
    dict_space.adapt(Dataset.from_tensor_slices(columns).batch(32))
    parts = dict_space(columns)
    assert list(parts) == sorted(spec["features"]) + ["city_X_cp", "sex_X_age", "thal_X_ca"]
    joined = np.concatenate([v.numpy() for v in parts.values()], axis=-1)
    np.testing.assert_array_equal(joined, concat_space(columns).numpy())


# --- the keras.io program ---------------------------------------------------------------------


def _dataframe_to_dataset(frame, labels):
    ds = Dataset.from_tensor_slices((dict(frame), labels))
    return ds.shuffle(buffer_size=len(labels))


def _keras_io_feature_space():
    return FeatureSpace(
        features={
            "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
            "cp": FeatureSpace.integer_categorical(num_oov_indices=0),
            "fbs": FeatureSpace.integer_categorical(num_oov_indices=0),
            "restecg": FeatureSpace.integer_categorical(num_oov_indices=0),
            "exang": FeatureSpace.integer_categorical(num_oov_indices=0),
            "ca": FeatureSpace.integer_categorical(num_oov_indices=0),
            "thal": FeatureSpace.string_categorical(num_oov_indices=0),
            "age": FeatureSpace.float_discretized(num_bins=30),
            "trestbps": FeatureSpace.float_normalized(),
            "chol": FeatureSpace.float_normalized(),
            "thalach": FeatureSpace.float_normalized(),
            "oldpeak": FeatureSpace.float_normalized(),
            "slope": FeatureSpace.float_normalized(),
        },
        crosses=[
            FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=64),
            FeatureSpace.cross(feature_names=("thal", "ca"), crossing_dim=16),
        ],
        output_mode="concat",
    )


SAMPLE = {"age": 60, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1,
          "restecg": 2, "thalach": 150, "exang": 0, "oldpeak": 2.3, "slope": 3, "ca": 0,
          "thal": "fixed"}


def _keras_io_datasets():
    dataframe = {name: TRAIN[name] for name in HEART}
    train_ds = _dataframe_to_dataset({k: v[:48] for k, v in dataframe.items()}, TARGET[:48])
    val_ds = _dataframe_to_dataset({k: v[48:] for k, v in dataframe.items()}, TARGET[48:])
    return train_ds.batch(32), val_ds.batch(32)


def test_keras_io_program():
    """keras.io's program, except that the training model starts from its own Input (see
    the next test) and the inference model calls it on the encoded features."""
    train_ds, val_ds = _keras_io_datasets()
    for x, y in train_ds.take(1):
        assert set(x) == set(HEART) and y.shape == (32,)
    feature_space = _keras_io_feature_space()
    train_ds_with_no_labels = train_ds.map(lambda x, _: x)
    feature_space.adapt(train_ds_with_no_labels)

    for x, _ in train_ds.take(1):
        preprocessed_x = feature_space(x)
        lookups = sum(len(np.unique(TRAIN[name][:48]))
                      for name in ("sex", "cp", "fbs", "restecg", "exang", "ca", "thal"))
        # one column per category (no OOV index), 30 age bins, 5 normalized, 64 + 16 crossed
        assert preprocessed_x.shape == (32, lookups + 30 + 5 + 64 + 16)
        assert preprocessed_x.dtype == np.float32

    preprocessed_train_ds = train_ds.map(lambda x, y: (feature_space(x), y),
                                         num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
    preprocessed_val_ds = val_ds.map(lambda x, y: (feature_space(x), y),
                                     num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)

    dict_inputs = feature_space.get_inputs()
    encoded_features = feature_space.get_encoded_features()

    encoded_input = keras.Input(shape=encoded_features.shape[1:])
    x = keras.layers.Dense(32, activation="relu")(encoded_input)
    x = keras.layers.Dropout(0.5)(x)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    training_model = keras.Model(inputs=encoded_input, outputs=predictions)
    training_model.compile(optimizer="adam", loss="binary_crossentropy",
                           metrics=["accuracy"])
    inference_model = keras.Model(inputs=dict_inputs,
                                  outputs=training_model(encoded_features))

    history = training_model.fit(preprocessed_train_ds, epochs=2,
                                 validation_data=preprocessed_val_ds, verbose=0)
    assert len(history.history["loss"]) == 2
    assert np.all(np.isfinite(history.history["val_loss"]))
    assert 0.0 <= history.history["accuracy"][-1] <= 1.0

    input_dict = {name: keras.ops.convert_to_tensor([value])
                  for name, value in SAMPLE.items()}
    predicted = inference_model.predict(input_dict, verbose=0)
    assert predicted.shape == (1, 1) and 0.0 < predicted[0][0] < 1.0
    # the same as preprocessing outside the model and predicting with the trained head
    direct = training_model.predict(feature_space(SAMPLE).numpy()[None], verbose=0)
    np.testing.assert_allclose(predicted, direct, rtol=1e-6)


def test_keras_io_program_verbatim():
    train_ds, _ = _keras_io_datasets()
    feature_space = _keras_io_feature_space()
    feature_space.adapt(train_ds.map(lambda x, _: x))
    preprocessed_train_ds = train_ds.map(lambda x, y: (feature_space(x), y))
    dict_inputs = feature_space.get_inputs()
    encoded_features = feature_space.get_encoded_features()
    x = keras.layers.Dense(32, activation="relu")(encoded_features)
    x = keras.layers.Dropout(0.5)(x)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    training_model = keras.Model(inputs=encoded_features, outputs=predictions)
    training_model.compile(optimizer="adam", loss="binary_crossentropy",
                           metrics=["accuracy"])
    inference_model = keras.Model(inputs=dict_inputs, outputs=predictions)
    history = training_model.fit(preprocessed_train_ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    input_dict = {name: keras.ops.convert_to_tensor([value])
                  for name, value in SAMPLE.items()}
    predicted = inference_model.predict(input_dict, verbose=0)
    assert predicted.shape == (1, 1)
    # the two models share the Dense layers: the trained weights serve both
    np.testing.assert_allclose(predicted, training_model.predict(feature_space(input_dict),
                                                                 verbose=0), rtol=1e-6)


def test_map_without_labels_and_adapt_from_a_dict():
    columns = {name: TRAIN[name] for name in ("thal", "ca", "chol")}
    feature_space = FeatureSpace({"thal": "string_categorical", "ca": "integer_categorical",
                                  "chol": "float_normalized"}, crosses=[("thal", "ca")])
    feature_space.adapt(columns)  # a dict of arrays is sliced into rows, batched by 32
    batches = list(Dataset.from_tensor_slices(columns).batch(25).map(feature_space))
    assert [b.shape for b in batches] == [(25, 43), (25, 43), (10, 43)]
    np.testing.assert_array_equal(np.concatenate(batches), feature_space(columns).numpy())
    normalized = feature_space(columns).numpy()[:, 5]  # ca: 5 columns, then chol
    np.testing.assert_allclose([normalized.mean(), normalized.std()], [0, 1], atol=1e-6)


def test_adapting_again_resizes_the_encoding():
    feature_space = FeatureSpace({"thal": "string_categorical"})
    feature_space.adapt({"thal": ["fixed", "normal", "fixed"]})
    assert feature_space({"thal": ["normal"]}).shape == (1, 3)  # OOV, fixed, normal
    feature_space.adapt({"thal": TRAIN["thal"]})
    width = 1 + len(np.unique(TRAIN["thal"]))
    assert feature_space({"thal": ["normal"]}).shape == (1, width)
    assert feature_space.get_encoded_features().shape == (None, width)


def test_hashed_only_space_needs_no_adapt():
    feature_space = FeatureSpace({"city": "string_hashed", "zip": "integer_hashed"},
                                 hashing_dim=8)
    out = feature_space({"city": TRAIN["city"], "zip": TRAIN["zip"]}).numpy()
    assert out.shape == (60, 16)
    np.testing.assert_array_equal(out.sum(axis=1), 2)


def test_given_bin_boundaries_are_one_hot_encoded():
    feature = FeatureSpace.float_discretized(num_bins=None, bin_boundaries=[40.0, 50.0])
    feature_space = FeatureSpace({"age": feature, "chol": "float"})
    out = feature_space({"age": [39, 40, 65], "chol": [1, 2, 3]}).numpy()
    np.testing.assert_array_equal(out, [[1, 0, 0, 1], [0, 1, 0, 2], [0, 0, 1, 3]])


def test_custom_preprocessor_feature():
    data = {"text": ["1st string", "2nd string", "3rd string"]}
    custom = layers.TextVectorization(output_mode="tf_idf")
    feature_space = FeatureSpace(
        features={"text": FeatureSpace.feature(preprocessor=custom, dtype="string",
                                               output_mode="float")},
        output_mode="concat")
    feature_space.adapt(Dataset.from_tensor_slices(data))
    out = feature_space(data).numpy()
    assert out.shape == (3, len(custom.get_vocabulary()))
    np.testing.assert_allclose(out, custom(np.array(data["text"])).numpy())


# --- saving -------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["space.saessak", "space.keras"])
def test_save_and_load(tmp_path, filename):
    feature_space, spec = _adapted("custom")
    path = tmp_path / filename
    feature_space.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, FeatureSpace)
    columns = {name: TRAIN[name] for name in spec["features"]}
    np.testing.assert_array_equal(loaded(columns).numpy(), feature_space(columns).numpy())
    assert loaded.get_config()["features"].keys() == feature_space.get_config()[
        "features"].keys()


def test_config_round_trip():
    feature_space, _ = _adapted("dict_int")
    config = feature_space.get_config()
    assert set(config) >= {"features", "output_mode", "crosses", "crossing_dim",
                           "hashing_dim", "num_discretization_bins"}
    again = FeatureSpace.from_config(json.loads(json.dumps(config)))
    assert isinstance(again.features["thal"], Feature)
    assert [c.name for c in again.crosses] == ["thal_X_ca", "age_X_zip"]
    assert isinstance(again.crosses[0], Cross) and again.crosses[0].output_mode == "int"
    assert again.preprocessors["thal"].get_vocabulary() == \
        feature_space.preprocessors["thal"].get_vocabulary()


# --- errors -------------------------------------------------------------------------------------


def test_calling_before_adapt():
    feature_space = FeatureSpace({"thal": "string_categorical", "city": "string_hashed"})
    for use in (lambda: feature_space({"thal": ["fixed"], "city": ["Seoul"]}),
                feature_space.get_inputs, feature_space.get_encoded_features):
        with pytest.raises(ValueError, match=r"call `.adapt\(dataset\)`.*\['thal'\]"):
            use()


def test_unknown_and_missing_features_in_the_data():
    feature_space, _ = _adapted("dict_int")
    data = {name: TRAIN[name] for name in _spec("dict_int")["features"]}
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['colour'\]"):
        feature_space({**data, "colour": TRAIN["city"]})
    del data["zip"]
    with pytest.raises(ValueError, match=r"missing feature\(s\) \['zip'\]"):
        feature_space(data)
    with pytest.raises(ValueError, match="dict of features"):
        feature_space(TRAIN["zip"])


def test_unknown_names_in_the_definition():
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['bmi'\]"):
        FeatureSpace({"age": "float"}, crosses=[("age", "bmi")])
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['bmi'\]"):
        FeatureSpace({"age": "float"}, crosses=[FeatureSpace.cross(("age", "bmi"), 4)])
    with pytest.raises(ValueError, match="invalid type 'floaty' for feature 'age'"):
        FeatureSpace({"age": "floaty"})
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FeatureSpace({})
    with pytest.raises(ValueError, match="output_mode"):
        FeatureSpace({"age": "float"}, output_mode="list")


def test_bad_adapt_data():
    feature_space = FeatureSpace({"thal": "string_categorical"})
    labelled = Dataset.from_tensor_slices(({"thal": TRAIN["thal"]}, TARGET)).batch(8)
    with pytest.raises(ValueError, match=r"map the labels away first"):
        feature_space.adapt(labelled)
    with pytest.raises(ValueError, match=r"no feature\(s\) \['thal'\]"):
        feature_space.adapt(Dataset.from_tensor_slices({"city": TRAIN["city"]}))
    with pytest.raises(ValueError, match="Dataset or a dict"):
        feature_space.adapt(TRAIN["thal"])


def test_integer_feature_in_concat_mode():
    feature_space = FeatureSpace(
        {"thal": FeatureSpace.string_categorical(output_mode="int"), "chol": "float"})
    with pytest.raises(ValueError, match="cannot concatenate.*'thal'.*output_mode='dict'"):
        feature_space.adapt({"thal": TRAIN["thal"], "chol": TRAIN["chol"]})


def test_unseen_category_without_oov_index():
    feature_space, spec = _adapted("custom")
    with pytest.raises(ValueError, match="num_oov_indices=0.*'7', '9'"):
        feature_space({name: TEST[name] for name in spec["features"]})
