"""Time-series forecasting from a CSV file: read hourly weather readings, normalize with
the training split's statistics, window them with timeseries_dataset_from_array and fit an
LSTM that predicts the temperature a few hours ahead."""

import csv

import numpy as np
import pytest

from saessak import keras


def write_weather_csv(path, hours=1500, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    temperature = 10 + 8 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, hours)
    pressure = 1000 + 5 * np.sin(2 * np.pi * t / 24 + 1.0) + rng.normal(0, 0.3, hours)
    humidity = 70 - 2 * (temperature - 10) + rng.normal(0, 1.0, hours)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Date Time", "p (mbar)", "T (degC)", "rh (%)"])
        for i in range(hours):
            day, hour = divmod(i, 24)
            writer.writerow([f"{day + 1:02d}.01.2009 {hour:02d}:00:00", f"{pressure[i]:.2f}",
                             f"{temperature[i]:.2f}", f"{humidity[i]:.2f}"])


def normalize(data, train_split):
    data_mean = data[:train_split].mean(axis=0)
    data_std = data[:train_split].std(axis=0)
    return (data - data_mean) / data_std


def main(csv_path, checkpoint_path, epochs=8):
    keras.utils.set_random_seed(1)
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    titles = ["p (mbar)", "T (degC)", "rh (%)"]
    features = np.array([[float(row[name]) for name in titles] for row in rows],
                        dtype="float32")
    split_fraction = 0.715
    train_split = int(split_fraction * len(features))
    step, past, future = 1, 24, 6
    features = normalize(features, train_split)
    train_data, val_data = features[:train_split], features[train_split:]

    start = past + future
    x_train = train_data
    y_train = features[start:train_split + start, 1]  # the temperature `future` hours on
    sequence_length = int(past / step)
    dataset_train = keras.preprocessing.timeseries_dataset_from_array(
        x_train, y_train, sequence_length=sequence_length, sampling_rate=step,
        batch_size=64)

    x_end = len(val_data) - past - future
    label_start = train_split + past + future
    x_val = val_data[:x_end]
    y_val = features[label_start:, 1]
    dataset_val = keras.utils.timeseries_dataset_from_array(
        x_val, y_val, sequence_length=sequence_length, sampling_rate=step, batch_size=64)

    for batch in dataset_train.take(1):
        inputs, targets = batch
    model_inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
    lstm_out = keras.layers.LSTM(16)(model_inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    model = keras.Model(inputs=model_inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")

    es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=5)
    checkpoint = keras.callbacks.ModelCheckpoint(
        monitor="val_loss", filepath=checkpoint_path, verbose=0, save_weights_only=True,
        save_best_only=True)
    history = model.fit(dataset_train, epochs=epochs, validation_data=dataset_val,
                        callbacks=[es_callback, checkpoint], verbose=0)
    return model, history, (inputs, targets), dataset_val


def test_program(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    csv_path = tmp_path / "jena_like.csv"
    write_weather_csv(csv_path)
    checkpoint_path = str(tmp_path / "model_checkpoint.weights.h5")
    model, history, (inputs, targets), dataset_val = main(csv_path, checkpoint_path)
    assert inputs.shape == (64, 24, 3) and targets.shape == (64,)
    # the daily cycle makes the temperature 6 hours on predictable: far better than
    # guessing its mean (variance 1 after normalization)
    best = min(history.history["val_loss"])
    assert best < 0.1
    # the checkpoint holds the weights of the best epoch
    restored = keras.models.clone_model(model)
    restored.load_weights(checkpoint_path)
    restored.compile(loss="mse")
    np.testing.assert_allclose(restored.evaluate(dataset_val, verbose=0), best, rtol=1e-4)
