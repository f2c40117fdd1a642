"""Adaptive pooling layers: a Keras 3.15 model with them loads and predicts Keras's numbers
(``tests/fixtures/keras/adaptive_pooling.*``, made by ``scripts/make_keras_fixtures.py
layers``); bins worked out by hand; shapes, configs and errors."""

import os

import numpy as np
import pytest

import saessak as keras
from saessak import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")


def test_a_keras3_model_predicts_the_same():
    pytest.importorskip("h5py", reason=".keras files need h5py (saessak[h5])")
    model = keras.models.load_model(os.path.join(FIXTURES, "adaptive_pooling.keras"))
    with np.load(os.path.join(FIXTURES, "adaptive_pooling.npz")) as data:
        np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["keras3"],
                                   rtol=1e-6, atol=1e-6)


def test_bins_by_hand():
    # 5 steps into 3 bins: [0, 2), [1, 4), [3, 5)  (floor(i*5/3) .. ceil((i+1)*5/3))
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0], np.float32).reshape(1, 5, 1)
    np.testing.assert_allclose(layers.AdaptiveAveragePooling1D(3)(x).numpy().ravel(),
                               [1.5, 14 / 3, 12.0], rtol=1e-6)
    np.testing.assert_allclose(layers.AdaptiveMaxPooling1D(3)(x).numpy().ravel(),
                               [2.0, 8.0, 16.0])


def test_shapes_configs_and_errors():
    x = np.zeros((2, 3, 10, 6, 4), np.float32)
    layer = layers.AdaptiveMaxPooling3D((1, 4, 2))
    assert layer(x).shape == layer.compute_output_shape(x.shape) == (2, 1, 4, 2, 4)
    first = layers.AdaptiveAveragePooling2D(3, data_format="channels_first")
    assert first(np.zeros((2, 4, 9, 9), np.float32)).shape == (2, 4, 3, 3)
    clone = type(first).from_config(first.get_config())
    assert clone.output_size == (3, 3) and clone.data_format == "channels_first"
    with pytest.raises(ValueError, match="output_size must be a positive int"):
        layers.AdaptiveAveragePooling2D((0, 2))
    with pytest.raises(ValueError, match="expected inputs of rank 4"):
        layers.AdaptiveAveragePooling2D(2)(np.zeros((2, 5, 3), np.float32))
