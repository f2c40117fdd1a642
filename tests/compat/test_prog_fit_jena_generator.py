"""Temperature forecasting as Deep Learning with Python (1st ed., 6.3) trains it: the Jena
CSV parsed by hand, a Python generator of (samples, targets) batches, and
model.fit_generator with validation_data from a second generator. The CSV here is a small
synthetic one written in the real jena_climate_2009_2016.csv layout (the real file is not
available offline)."""

import os
import warnings

import numpy as np

from saessak import backend as K
from saessak import layers
from saessak.models import Sequential
from saessak.optimizers import RMSprop

HEADER = ('"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)",'
          '"VPmax (mbar)","VPact (mbar)","VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)",'
          '"rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"')


def write_csv(path, rows=4000):
    """Ten-minute readings: a daily temperature cycle with weather noise."""
    rng = np.random.default_rng(0)
    lines = [HEADER]
    for i in range(rows):
        day, minute = divmod(i * 10, 1440)
        temp = 5 + 7 * np.sin(2 * np.pi * (i % 144) / 144) + rng.normal(0, 0.4)
        values = [996.5 + rng.normal(0, 2), temp, temp + 273.6, temp - 3, 80 + rng.normal(0, 5)]
        values += list(10 + rng.normal(0, 1, 9))
        hour, minutes = divmod(minute, 60)
        stamp = f"{day % 28 + 1:02d}.{day // 28 + 1:02d}.2009 {hour:02d}:{minutes:02d}:00"
        lines.append(stamp + "," + ",".join(f"{v:.2f}" for v in values))
    with open(path, "w") as f:
        f.write("\n".join(lines))


def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128,
              step=6):
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while 1:
        if shuffle:
            rows = np.random.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = np.zeros((len(rows), lookback // step, data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            indices = range(row - lookback, row, step)
            samples[j] = data[indices]
            targets[j] = data[row + delay][1]
        yield samples, targets


def main(folder):
    fname = os.path.join(folder, "jena_climate_2009_2016.csv")
    write_csv(fname)
    f = open(fname)
    data = f.read()
    f.close()
    lines = data.split("\n")
    header = lines[0].split(",")
    lines = lines[1:]
    float_data = np.zeros((len(lines), len(header) - 1))
    for i, line in enumerate(lines):
        float_data[i, :] = [float(x) for x in line.split(",")[1:]]

    mean = float_data[:2500].mean(axis=0)
    float_data -= mean
    std = float_data[:2500].std(axis=0)
    float_data /= std

    lookback, step, delay, batch_size = 720, 6, 144, 32
    train_gen = generator(float_data, lookback=lookback, delay=delay, min_index=0,
                          max_index=2500, shuffle=True, step=step, batch_size=batch_size)
    val_gen = generator(float_data, lookback=lookback, delay=delay, min_index=2501,
                        max_index=None, step=step, batch_size=batch_size)
    val_steps = (len(float_data) - 2501 - lookback - delay) // batch_size

    K.clear_session()
    model = Sequential()
    model.add(layers.GRU(16, input_shape=(None, float_data.shape[-1])))
    model.add(layers.Dense(1))
    model.compile(optimizer=RMSprop(), loss="mae")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit_generator(train_gen, steps_per_epoch=20, epochs=4,
                                      validation_data=val_gen, validation_steps=val_steps,
                                      verbose=0)
    return model, history, caught, (val_gen, val_steps)


def test_program(tmp_path):
    model, history, caught, (val_gen, val_steps) = main(str(tmp_path))
    assert any(issubclass(w.category, DeprecationWarning) and "fit_generator" in
               str(w.message) for w in caught)
    h = history.history
    assert sorted(h) == ["loss", "val_loss"] and len(h["loss"]) == 4
    assert h["loss"][-1] < h["loss"][0] and h["val_loss"][-1] < h["val_loss"][0]
    assert model.layers[0].name == "gru"  # clear_session restarted the names
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        mae = model.evaluate_generator(val_gen, steps=val_steps)
    assert np.isfinite(mae) and mae < 1.5 * h["val_loss"][-1]
