"""model.reset_states() on Sequential and Model, and Keras's rule for 1-D inputs and
targets (a last axis of 1 is added)."""

import numpy as np
import pytest

import saessak as keras
from saessak import layers


def _stateful(batch=2):
    return keras.Sequential([
        layers.LSTM(4, stateful=True, return_sequences=True, batch_input_shape=(batch, 3, 2)),
        layers.LSTM(3, stateful=True),
        layers.Dense(1),
    ])


def test_sequential_reset_states_resets_every_stateful_layer():
    model = _stateful()
    x = np.random.default_rng(0).normal(size=(2, 3, 2)).astype("float32")
    first = model.predict(x, verbose=0)
    carried = model.predict(x, verbose=0)
    assert not np.allclose(first, carried)  # the states carried over
    model.reset_states()
    for layer in model.layers[:2]:
        assert layer.states is None or all(np.all(s == 0) for s in layer.states)
    assert model.layers[0].states is not None  # it knows its batch size: zeros
    np.testing.assert_allclose(model.predict(x, verbose=0), first, rtol=1e-6)


def test_functional_and_nested_models_reset_their_stateful_layers():
    inner = _stateful()
    inputs = keras.Input(shape=(3, 2), batch_size=2)
    outer = keras.Model(inputs, layers.Dense(2)(inner(inputs)))
    x = np.ones((2, 3, 2), "float32")
    first = outer.predict(x, verbose=0)
    assert not np.allclose(outer.predict(x, verbose=0), first)
    outer.reset_states()
    np.testing.assert_allclose(outer.predict(x, verbose=0), first, rtol=1e-6)


def test_reset_states_on_a_model_without_stateful_layers_does_nothing():
    # seed 004's generation loop calls model.reset_states() on a non-stateful model
    model = keras.Sequential([layers.Embedding(10, 4), layers.LSTM(5, return_sequences=True),
                              layers.Dense(10)])
    x = np.array([[1, 2, 3]])
    before = model(x).numpy()
    model.reset_states()
    np.testing.assert_array_equal(model(x).numpy(), before)
    layer = layers.LSTM(2)
    with pytest.raises(AttributeError, match="stateful=True"):
        layer.reset_states()


def test_one_d_lists_fit_an_input_of_shape_1():
    # seed 003 (wikidocs 06-02): hours studied -> score, Input(shape=(1,)), 1-D lists
    hours = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    scores = [11, 22, 33, 44, 53, 66, 77, 87, 95]
    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, layers.Dense(1, activation="linear")(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=["mse"])
    history = model.fit(hours, scores, epochs=200, verbose=0)
    assert history.history["loss"][-1] < 10
    prediction = model.predict([9.5], verbose=0)
    assert prediction.shape == (1, 1) and 95 < prediction[0, 0] < 110
    assert model.evaluate(hours, scores, verbose=0)[0] < 10
    assert model.train_on_batch(hours, scores)[0] < 10


def test_one_d_input_is_not_expanded_where_the_model_expects_otherwise():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"expected shape \(None, 3\), received shape \(3,\)"):
        model.fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], verbose=0)


def test_unbuilt_sequential_fits_one_d_inputs_as_tf_keras_2():
    model = keras.Sequential([layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.arange(6.0), np.arange(6.0), verbose=0)
    assert model.input_shape == (None, 1)


def test_column_targets_meet_one_d_outputs_without_broadcasting():
    class Squeeze(layers.Layer):
        def call(self, x):
            return keras.ops.reshape(x, (-1,))

        def compute_output_shape(self, shape):
            return (shape[0],)

    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, Squeeze()(layers.Dense(1)(inputs)))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 3)), rng.random(64)
    model.fit(x, y, verbose=0)
    pred = model.predict(x, verbose=0)
    assert pred.shape == (64,)
    loss, mae = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose([loss, mae], [np.mean((pred - y) ** 2),
                                             np.mean(np.abs(pred - y))], rtol=1e-5)
    metric = keras.metrics.MeanAbsoluteError()
    metric.update_state(y[:, None], pred)
    np.testing.assert_allclose(metric.result(), np.mean(np.abs(pred - y)), rtol=1e-5)


def test_inputs_gain_or_lose_a_last_axis_of_one_as_in_keras_3():
    rng = np.random.default_rng(0)
    seq = keras.Sequential([layers.LSTM(4, input_shape=(10, 1)), layers.Dense(1)])
    seq.compile(optimizer="sgd", loss="mse")
    x = rng.random((8, 10))  # one axis short of (None, 10, 1)
    seq.fit(x, rng.random(8), verbose=0)
    np.testing.assert_allclose(seq.predict(x, verbose=0),
                               seq.predict(x[..., None], verbose=0), rtol=1e-6)
    flat = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(2)])
    images = rng.random((4, 28, 28, 1))  # tfds's MNIST images have a channel axis
    np.testing.assert_allclose(flat.predict(images, verbose=0),
                               flat.predict(images[..., 0], verbose=0), rtol=1e-6)
    with pytest.raises(ValueError, match="incompatible"):
        flat.predict(rng.random((4, 28, 28, 3)), verbose=0)
