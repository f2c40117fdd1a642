"""ConvLSTM2D against Keras 3.15's own outputs (tests/fixtures/keras/conv_lstm2d.npz, made
by the script in its README with the weights stored beside them), its gradients against
finite differences, and keras.io's next-frame prediction model in small."""

import os

import numpy as np
import pytest

import saessak as keras
from saessak import backend, grad_check, layers

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "keras",
                       "conv_lstm2d.npz")
CASES = {"same_seq": dict(filters=3, kernel_size=(3, 3), padding="same", return_sequences=True),
         "valid_last": dict(filters=2, kernel_size=(2, 3), padding="valid", strides=(2, 1)),
         "state": dict(filters=2, kernel_size=3, padding="same", return_state=True,
                       go_backwards=True, activation="relu")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_conv_lstm2d_matches_keras(name):
    ref = np.load(FIXTURE)
    layer = layers.ConvLSTM2D(**CASES[name])
    layer(ref["x"])
    layer.set_weights([ref[f"{name}_w{i}"] for i in range(3)])
    outputs = layer(ref["x"])
    outputs = outputs if isinstance(outputs, list) else [outputs]
    for i, y in enumerate(outputs):
        np.testing.assert_allclose(y.numpy(), ref[f"{name}_y{i}"], atol=2e-6)


def test_conv_lstm2d_gradients():
    rng = np.random.default_rng(0)
    with backend.floatx_scope("float64"):
        layer = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
        x = rng.normal(size=(1, 3, 4, 4, 2))
        layer(x)
        layer.set_weights([rng.normal(scale=0.4, size=w.shape) for w in layer.get_weights()])
        assert grad_check(lambda t: layer(t), x, wrt=layer.trainable_weights,
                          max_checks=40).ok


def test_next_frame_prediction_model_trains_and_saves(tmp_path):
    keras.utils.set_random_seed(0)
    inp = layers.Input(shape=(None, 8, 8, 1))
    x = layers.ConvLSTM2D(filters=4, kernel_size=(3, 3), padding="same",
                          return_sequences=True, activation="relu")(inp)
    x = layers.BatchNormalization()(x)
    x = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid",
                      padding="same")(x)
    model = keras.models.Model(inp, x)
    model.compile(loss=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam())
    frames = (np.random.default_rng(1).random((6, 5, 8, 8, 1)) > 0.7).astype("float32")
    history = model.fit(frames[:, :-1], frames[:, 1:], batch_size=3, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(frames[:1, :-1], verbose=0).shape == (1, 4, 8, 8, 1)
    config = model.layers[1].get_config()
    clone = layers.ConvLSTM2D.from_config(config)
    assert (clone.filters, clone.kernel_size, clone.return_sequences) == (4, (3, 3), True)
    path = str(tmp_path / "frames.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(frames[:1, :-1], verbose=0),
                               model.predict(frames[:1, :-1], verbose=0), atol=1e-6)


def test_conv_lstm2d_errors():
    with pytest.raises(ValueError, match=r"expected inputs of rank 5 \(batch, time, 2 "
                                         r"spatial axes, channels\)"):
        layers.ConvLSTM2D(2, 3)(np.zeros((2, 3, 4, 4), "float32"))
    with pytest.raises(ValueError, match="channels_last"):
        layers.ConvLSTM2D(2, 3, data_format="channels_first")


@pytest.mark.parametrize("name", ["conv_lstm_1d", "conv_lstm_3d"])
def test_conv_lstm_1d_and_3d_keras3_files_predict_as_keras(name):
    """ConvLSTM1D (same padding, sequences) and ConvLSTM3D (strides, go_backwards) share
    the 2-D layer's step; Keras 3.15 files of them (scripts/make_keras_fixtures.py layers)
    load and predict Keras's numbers."""
    pytest.importorskip("h5py", reason=".keras files need h5py (saessak[h5])")
    folder = os.path.dirname(FIXTURE)
    model = keras.models.load_model(os.path.join(folder, f"{name}.keras"))
    with np.load(os.path.join(folder, f"{name}.npz")) as data:
        np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["keras3"],
                                   atol=2e-6)


def test_conv_lstm_1d_gradients_and_rank_errors():
    rng = np.random.default_rng(4)
    with backend.floatx_scope("float64"):
        layer = layers.ConvLSTM1D(2, 3, padding="same")
        x = rng.normal(size=(2, 3, 5, 2))
        layer(x)
        result = grad_check(lambda t: layer(t), x, wrt=layer.trainable_weights)
    assert result.ok, result
    with pytest.raises(ValueError, match=r"ConvLSTM3D .*expected inputs of rank 6"):
        layers.ConvLSTM3D(2, 3)(np.zeros((1, 2, 4, 4, 1), np.float32))
