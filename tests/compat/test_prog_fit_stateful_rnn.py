"""Cross-batch statefulness, as in the Keras RNN guide: a stateful LSTM reads a long
sequence in consecutive chunks, reset_states() forgets it, its states can start another
layer, and a stateful model is trained with fit() over chunks, reset between epochs by a
callback that calls model.reset_states()."""

import numpy as np

import saessak as keras
from saessak import layers


class ResetStatesCallback(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.model.reset_states()


def chunked_reading():
    rng = np.random.default_rng(0)
    paragraph1, paragraph2, paragraph3 = (rng.random((20, 10, 50)).astype(np.float32)
                                          for _ in range(3))
    lstm_layer = layers.LSTM(64, stateful=True)
    first = lstm_layer(paragraph1).numpy()
    lstm_layer(paragraph2)
    output = lstm_layer(paragraph3).numpy()

    # the same weights over the whole sequence at once give the same final output
    whole = layers.LSTM(64)
    whole(paragraph1)
    whole.set_weights(lstm_layer.get_weights())
    at_once = whole(np.concatenate([paragraph1, paragraph2, paragraph3], axis=1)).numpy()

    # RNN state reuse: the carried states start a new, non-stateful layer
    existing_state = lstm_layer.states
    new_lstm_layer = layers.LSTM(64)
    new_output = new_lstm_layer(paragraph3, initial_state=existing_state)

    # reset_states() puts the cached state back to zeros
    lstm_layer.reset_states()
    again = lstm_layer(paragraph1).numpy()
    return first, output, at_once, again, new_output


def stateful_training():
    keras.utils.set_random_seed(0)
    t = np.arange(4 * 200, dtype="float32")
    series = np.sin(0.1 * t).reshape(4, 200)  # 4 parallel series, read in 20-step chunks
    x = series[:, :-1].reshape(4, 199, 1)[:, :180].reshape(4, 9, 20, 1).transpose(1, 0, 2, 3)
    y = series[:, 1:].reshape(4, 199, 1)[:, :180].reshape(4, 9, 20, 1).transpose(1, 0, 2, 3)
    x, y = x.reshape(36, 20, 1), y.reshape(36, 20, 1)  # batch i holds chunk i of each series
    model = keras.Sequential([
        layers.LSTM(16, stateful=True, return_sequences=True, batch_input_shape=(4, 20, 1)),
        layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=15, shuffle=False, verbose=0,
                        callbacks=[ResetStatesCallback()])
    return history


def test_program():
    first, output, at_once, again, new_output = chunked_reading()
    np.testing.assert_allclose(output, at_once, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(again, first, rtol=1e-5, atol=1e-6)
    assert new_output.shape == (20, 64)
    history = stateful_training()
    loss = history.history["loss"]
    assert loss[-1] < 0.1 * loss[0]
