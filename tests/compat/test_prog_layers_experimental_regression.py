"""Basic regression in the tf.keras 2.4 style: preprocessing layers come from
layers.experimental.preprocessing; a Normalization adapted on the features sits first in
a Sequential model (single-feature linear model, then a DNN)."""

import numpy as np
from saessak.keras import layers
from saessak.keras.layers.experimental import preprocessing

from saessak import keras


def make_cars(n, rng):
    horsepower = rng.uniform(50, 230, n)
    weight = rng.uniform(1600, 5000, n)
    mpg = 48 - 0.1 * horsepower - 0.004 * weight + rng.normal(0, 0.5, n)
    return np.stack([horsepower, weight], axis=1).astype("float32"), mpg.astype("float32")


def main():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    train_features, train_labels = make_cars(300, rng)
    test_features, test_labels = make_cars(80, rng)

    normalizer = preprocessing.Normalization(axis=-1)
    normalizer.adapt(np.array(train_features))

    horsepower = np.array(train_features[:, 0])
    horsepower_normalizer = preprocessing.Normalization(input_shape=[1, ], axis=None)
    horsepower_normalizer.adapt(horsepower)
    horsepower_model = keras.Sequential([horsepower_normalizer, layers.Dense(units=1)])
    horsepower_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                             loss="mean_absolute_error")
    horsepower_model.fit(train_features[:, 0], train_labels, epochs=60, verbose=0,
                         validation_split=0.2)

    dnn_model = keras.Sequential([normalizer, layers.Dense(32, activation="relu"),
                                  layers.Dense(32, activation="relu"), layers.Dense(1)])
    dnn_model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.01))
    dnn_model.fit(train_features, train_labels, validation_split=0.2, verbose=0, epochs=60)
    results = {
        "horsepower_model": horsepower_model.evaluate(test_features[:, 0], test_labels,
                                                      verbose=0),
        "dnn_model": dnn_model.evaluate(test_features, test_labels, verbose=0),
    }
    return normalizer, horsepower_normalizer, results, test_labels


def test_program():
    normalizer, hp_normalizer, results, test_labels = main()
    assert preprocessing.Normalization is keras.layers.Normalization
    mean = normalizer.mean.numpy()  # as the tutorial prints it: shaped (1, features)
    assert mean.shape == (1, 2) and 120 < mean[0, 0] < 160 and 3000 < mean[0, 1] < 3600
    np.testing.assert_allclose(normalizer.get_weights()[0], mean[0])
    assert hp_normalizer.get_weights()[0].shape == ()  # axis=None: one scalar mean
    spread = np.mean(np.abs(test_labels - test_labels.mean()))
    # weight matters: horsepower alone explains part; both features explain nearly all
    assert results["dnn_model"] < 1.0 < spread / 2
    assert results["dnn_model"] < results["horsepower_model"] < spread
