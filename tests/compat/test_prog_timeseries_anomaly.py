"""keras.io "Timeseries anomaly detection using an Autoencoder" (Keras 3), on a noisy sine
in place of the NAB data: strided Conv1D down and Conv1DTranspose up, as many parameters
as keras.io prints (9,505), early stopping, and the reconstruction-error threshold."""

import numpy as np

import saessak as keras
from saessak import layers

TIME_STEPS = 48


def create_sequences(values, time_steps=TIME_STEPS):
    output = []
    for i in range(len(values) - time_steps + 1):
        output.append(values[i : (i + time_steps)])
    return np.stack(output)


def test_conv_autoencoder_threshold():
    rng = np.random.default_rng(0)
    values = (np.sin(np.arange(600) / 10) + rng.normal(0, 0.1, 600))[:, None]
    x_train = create_sequences((values - values.mean()) / values.std()).astype("float32")
    model = keras.Sequential([
        layers.Input(shape=(x_train.shape[1], x_train.shape[2])),
        layers.Conv1D(filters=32, kernel_size=7, padding="same", strides=2,
                      activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1D(filters=16, kernel_size=7, padding="same", strides=2,
                      activation="relu"),
        layers.Conv1DTranspose(filters=16, kernel_size=7, padding="same", strides=2,
                               activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(filters=32, kernel_size=7, padding="same", strides=2,
                               activation="relu"),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    assert model.count_params() == 9505
    history = model.fit(x_train, x_train, epochs=2, batch_size=128, validation_split=0.1,
                        callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss",
                                                                 patience=5, mode="min")],
                        verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    x_train_pred = model.predict(x_train, verbose=0)
    assert x_train_pred.shape == x_train.shape
    train_mae_loss = np.mean(np.abs(x_train_pred - x_train), axis=1)
    threshold = np.max(train_mae_loss)
    assert train_mae_loss.shape == (len(x_train), 1) and 0 < threshold < 10
