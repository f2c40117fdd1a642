"""Structured data classification from scratch: a table of numeric, integer-coded and
string-coded columns goes through Normalization, IntegerLookup, StringLookup and
CategoryEncoding inside a functional model, which then classifies raw rows."""

import numpy as np

import saessak as keras
import saessak as tf  # saessak stands for tensorflow: tf.data, tf.expand_dims, ...
from saessak import layers
from saessak.layers import CategoryEncoding, IntegerLookup, Normalization, StringLookup


def make_table(n, rng):
    """A small patient table; the label follows a rule a model can learn exactly."""
    table = {
        "age": rng.integers(30, 80, n),
        "sex": rng.integers(0, 2, n),
        "cp": rng.integers(0, 5, n),
        "chol": rng.normal(240, 40, n).round(1),
        "thal": rng.choice(["fixed", "normal", "reversible"], n),
    }
    target = ((table["thal"] == "reversible") | ((table["cp"] >= 3) & (table["age"] > 55)))
    return table, target.astype("int64")


def dataframe_to_dataset(table, labels, seed):
    ds = tf.data.Dataset.from_tensor_slices((dict(table), labels))
    return ds.shuffle(buffer_size=len(labels), seed=seed)


def encode_numerical_feature(feature, name, dataset):
    normalizer = Normalization()
    feature_ds = dataset.map(lambda x, y: x[name])
    feature_ds = feature_ds.map(lambda x: tf.expand_dims(x, -1))
    normalizer.adapt(feature_ds)
    return normalizer(feature)


def encode_categorical_feature(feature, name, dataset, is_string):
    lookup_class = StringLookup if is_string else IntegerLookup
    lookup = lookup_class(output_mode="int" if is_string else "one_hot")
    feature_ds = dataset.map(lambda x, y: x[name])
    feature_ds = feature_ds.map(lambda x: tf.expand_dims(x, -1))
    lookup.adapt(feature_ds)
    encoded = lookup(feature)
    if is_string:  # ids -> one-hot vectors with a separate layer
        encoded = CategoryEncoding(num_tokens=lookup.vocabulary_size(),
                                   output_mode="one_hot")(encoded)
    return encoded, lookup


def main(epochs=60):
    keras.utils.set_random_seed(42)
    rng = np.random.default_rng(42)
    train, train_y = make_table(320, rng)
    val, val_y = make_table(120, rng)
    train_ds = dataframe_to_dataset(train, train_y, seed=1).batch(32)
    val_ds = dataframe_to_dataset(val, val_y, seed=2).batch(32)

    age = keras.Input(shape=(1,), name="age", dtype="int64")
    sex = keras.Input(shape=(1,), name="sex", dtype="int64")
    cp = keras.Input(shape=(1,), name="cp", dtype="int64")
    chol = keras.Input(shape=(1,), name="chol")
    thal = keras.Input(shape=(1,), name="thal", dtype="string")
    all_inputs = [age, sex, cp, chol, thal]

    sex_encoded, _ = encode_categorical_feature(sex, "sex", train_ds, False)
    cp_encoded, cp_lookup = encode_categorical_feature(cp, "cp", train_ds, False)
    thal_encoded, thal_lookup = encode_categorical_feature(thal, "thal", train_ds, True)
    age_encoded = encode_numerical_feature(age, "age", train_ds)
    chol_encoded = encode_numerical_feature(chol, "chol", train_ds)
    all_features = layers.concatenate(
        [sex_encoded, cp_encoded, thal_encoded, age_encoded, chol_encoded])

    x = layers.Dense(32, activation="relu")(all_features)
    x = layers.Dropout(0.2)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(all_inputs, output)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, epochs=epochs, validation_data=val_ds, verbose=0)

    sample = {"age": 60, "sex": 1, "cp": 4, "chol": 230.0, "thal": "normal"}
    input_dict = {name: tf.convert_to_tensor([value]) for name, value in sample.items()}
    sick = float(model.predict(input_dict, verbose=0)[0, 0])
    sample.update(age=40, cp=1)
    healthy = float(model.predict(
        {name: tf.convert_to_tensor([value]) for name, value in sample.items()},
        verbose=0)[0, 0])
    return model, history, all_features, (cp_lookup, thal_lookup), (sick, healthy)


def test_program():
    model, history, features, (cp_lookup, thal_lookup), (sick, healthy) = main()
    # sex: OOV + 2 values; cp: OOV + 5; thal: OOV + 3; two normalized columns
    assert features.shape == (None, 3 + 6 + 4 + 2)
    assert sorted(thal_lookup.get_vocabulary()[1:]) == ["fixed", "normal", "reversible"]
    assert cp_lookup.vocabulary_size() == 6
    assert history.history["val_accuracy"][-1] >= 0.9
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
    assert sick > 0.5 > healthy
