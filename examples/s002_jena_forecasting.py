"""Seed 002, sections 6.3 and 6.4-4: forecasting the temperature 24 hours ahead (Jena).

The Jena climate record has a reading of 14 quantities every 10 minutes. From the last 10
days (1,440 readings, one per hour kept: 240 steps of 14 numbers) predict the temperature
24 hours (144 readings) later. Every column is standardised with statistics of the first
200,000 rows (the training part); the loss is the mean absolute error in those units.

The models, from the seed (Chollet's chapter 6): the naive "same as 24 hours ago" baseline
(MAE 0.2897, about 2.57 degrees C), a small Dense network, a GRU, a GRU with dropout, two
stacked GRUs, a bidirectional GRU, and Conv1D layers in front of a GRU.

The Jena CSV is not available offline. With it in ``$SAESSAK_DATA/jena_climate/`` this
example runs the seed's experiment; without it a full run reports that it was skipped.
``--quick`` writes a small synthetic CSV in the real format (a daily temperature cycle plus
noise) and runs every model on it for one short epoch.

    python examples/s002_jena_forecasting.py [--epochs N] [--quick]
"""

import os
import tempfile

import numpy as np
from _common import RESULTS, Stopwatch, cli, data_folder, epochs_or, history_dict, save_curves

import saessak as keras
from saessak import layers
from saessak.datasets import DatasetNotFoundError, jena_climate

SEED_NAIVE_MAE = 0.2897
HEADER = ('"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)",'
          '"VPmax (mbar)","VPact (mbar)","VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)",'
          '"rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"')


def write_synthetic_csv(folder, rows=3000, seed=0):
    """A stand-in CSV in the real layout: 10-minute rows, a daily temperature cycle."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    temperature = 8 + 6 * np.sin(2 * np.pi * t / 144) + rng.normal(0, 0.5, rows)
    lines = [HEADER]
    for i in range(rows):
        others = 1000 + rng.normal(0, 1, 13)
        values = [others[0], temperature[i], *others[1:]]
        day, minute = divmod(i * 10, 1440)
        lines.append(f"{day % 28 + 1:02d}.01.2009 {minute // 60:02d}:{minute % 60:02d}:00,"
                     + ",".join(f"{v:.2f}" for v in values))
    path = os.path.join(folder, jena_climate.CSV_NAME)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return path


def build(name, features):
    """The seed's models by name (all end in Dense(1) and train on the MAE)."""
    gru = layers.GRU
    if name == "dense":
        stack = [layers.Flatten(), layers.Dense(32, activation="relu")]
    elif name == "gru":
        stack = [gru(32)]
    elif name == "gru_dropout":
        stack = [gru(32, dropout=0.2, recurrent_dropout=0.2)]
    elif name == "stacked_gru":
        stack = [gru(32, dropout=0.1, recurrent_dropout=0.5, return_sequences=True),
                 gru(64, activation="relu", dropout=0.1, recurrent_dropout=0.5)]
    elif name == "bidirectional_gru":
        stack = [layers.Bidirectional(gru(32))]
    elif name == "conv1d_gru":
        stack = [layers.Conv1D(32, 5, activation="relu"), layers.MaxPooling1D(3),
                 layers.Conv1D(32, 5, activation="relu"),
                 gru(32, dropout=0.1, recurrent_dropout=0.5)]
    else:
        raise ValueError(f"unknown model {name!r}")
    model = keras.Sequential([layers.Input(shape=features)] + stack + [layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="mae")
    return model


MODELS = ["dense", "gru", "gru_dropout", "stacked_gru", "bidirectional_gru", "conv1d_gru"]


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0, models=None,
         steps_per_epoch=500):
    keras.utils.set_random_seed(seed)
    try:
        with data_folder(data_dir):
            header, float_data = jena_climate.load_data()
    except DatasetNotFoundError as error:
        if not quick:
            print(f"skipped: the Jena climate CSV is not available ({error})")
            return {"skipped": "data not available offline (Jena CSV)"}
        print("the Jena CSV is not here: quick mode uses a small synthetic one")
        with tempfile.TemporaryDirectory() as tmp:
            header, float_data = jena_climate.load_data(path=write_synthetic_csv(tmp))
    print(len(float_data), "rows;", header)

    if quick:   # a few days of readings: shorter windows
        float_data = float_data[:3000]
        lookback, step, delay, batch_size = 288, 6, 144, 32
        train_rows = len(float_data) * 2 // 3
        steps_per_epoch, epochs = 5, epochs_or(epochs, 1)
    else:
        lookback, step, delay, batch_size = 1440, 6, 144, 128
        train_rows = 200000
    float_data, mean, std = jena_climate.standardize(float_data, train_rows)
    val_end = train_rows + (len(float_data) - train_rows) // 2

    def windows(lo, hi, shuffle=False, reverse=False):
        return jena_climate.generator(float_data, lookback=lookback, delay=delay, min_index=lo,
                                      max_index=hi, shuffle=shuffle, step=step,
                                      batch_size=batch_size, reverse=reverse, seed=seed)

    val_steps = (val_end - train_rows - lookback) // batch_size
    # the naive baseline: tomorrow's temperature is the last one in the window
    errors = []
    val = windows(train_rows + 1, val_end)
    for _ in range(val_steps):
        samples, targets = next(val)
        errors.append(np.mean(np.abs(samples[:, -1, jena_climate.TEMPERATURE] - targets)))
    naive = float(np.mean(errors))
    print(f"naive baseline MAE {naive:.4f} = {naive * std[1]:.2f} degrees C "
          f"(seed 002: {SEED_NAIVE_MAE} = 2.57 degrees C)")

    results, histories = {"naive_mae": naive}, {}
    features = (lookback // step, float_data.shape[-1])
    seed_epochs = {"gru_dropout": 40, "stacked_gru": 40, "bidirectional_gru": 40}
    with Stopwatch() as clock:
        for name in models or MODELS:
            model = build(name, features)
            history = model.fit(windows(0, train_rows, shuffle=True),
                                steps_per_epoch=steps_per_epoch,
                                epochs=epochs_or(epochs, seed_epochs.get(name, 20)),
                                validation_data=windows(train_rows + 1, val_end),
                                validation_steps=max(1, val_steps), verbose=2)
            best = min(history.history["val_loss"])
            results[f"{name}_val_mae"] = best
            histories[name] = history_dict(history)
            print(f"{name}: best validation MAE {best:.4f} ({best * std[1]:.2f} degrees C)")
    curves = save_curves({f"{k}": v["val_loss"] for k, v in histories.items()}, out_dir,
                         "s002_jena_forecasting", metrics=tuple(histories))
    results.update({"train_seconds": clock.seconds, "curves": curves, "history": histories,
                    "epochs": epochs})
    return results


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
