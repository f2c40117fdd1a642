"""Jena climate 2009-2016: a weather reading every 10 minutes, 14 numeric columns.

The CSV (``jena_climate_2009_2016.csv``, 420,551 rows) has a header
``"Date Time","p (mbar)","T (degC)",...``; column 0 is the time stamp. ``load_data``
returns the header and the numeric part as seed 002 builds it::

    header, float_data = jena_climate.load_data()    # float_data.shape == (420551, 14)
    float_data, mean, std = jena_climate.standardize(float_data, 200000)
    train_gen = jena_climate.generator(float_data, lookback=1440, delay=144,
                                       min_index=0, max_index=200000,
                                       shuffle=True, step=6)

Also see :func:`saessak.data.timeseries_dataset_from_array` for the Keras-native route.
"""

import os
import zipfile

import numpy as np

from ._files import fetch, find_local, split_path_arg

DATASET = "jena_climate"
CSV_NAME = "jena_climate_2009_2016.csv"
ZIP_NAME = "jena_climate_2009_2016.csv.zip"
URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip"
TEMPERATURE = 1  # column of "T (degC)" in float_data


def parse(text, source="<csv>"):
    """``(header, values)`` from the CSV text; rows must have the header's column count
    and numbers after the first (time) column."""
    lines = [ln.rstrip("\r") for ln in text.lstrip("\ufeff").split("\n")]
    header = lines[0].split(",")
    if len(header) < 2:
        raise ValueError(f"{source}: line 1 must be a comma-separated header with a time "
                         f"column and at least one value column; received {lines[0][:80]!r}")
    rows = [(n, ln) for n, ln in enumerate(lines[1:], start=2) if ln]
    values = np.zeros((len(rows), len(header) - 1))
    for i, (number, line) in enumerate(rows):
        fields = line.split(",")
        if len(fields) != len(header):
            raise ValueError(f"{source}: line {number} has {len(fields)} columns, the header "
                             f"has {len(header)}: {line[:80]!r}")
        try:
            values[i] = [float(x) for x in fields[1:]]
        except ValueError:
            raise ValueError(f"{source}: line {number} holds a value that is not a number: "
                             f"{line[:80]!r}") from None
    return header, values


def _read_csv(location):
    csv = find_local(DATASET, CSV_NAME, location)
    if csv:
        with open(csv, encoding="utf-8") as f:
            return csv, f.read()
    archive = fetch(DATASET, ZIP_NAME, URL, None, location, extra_names=(CSV_NAME,))
    try:
        with zipfile.ZipFile(archive) as zf:
            name = next((n for n in zf.namelist() if n.endswith(CSV_NAME)), None)
            if name is None:
                raise ValueError(f"{archive}: holds no {CSV_NAME}")
            return archive, zf.read(name).decode("utf-8")
    except zipfile.BadZipFile:
        raise ValueError(f"{archive}: not a zip file") from None


def load_data(path=None):
    """``(header, float_data)``: the 15 column names and a float64 array (rows, 14).

    ``path``: the CSV, its zip, or a folder holding either.
    """
    location, _ = split_path_arg(path, CSV_NAME)
    if location and os.path.isfile(location) and location.endswith(".csv"):
        with open(location, encoding="utf-8") as f:
            return parse(f.read(), location)
    source, text = _read_csv(location)
    return parse(text, source)


def standardize(data, train_rows=200000):
    """Seed 002's normalisation: ``(data - mean) / std`` with statistics of the first
    ``train_rows`` rows. Returns ``(normalized copy, mean, std)``."""
    data = np.asarray(data, dtype=np.float64)
    mean = data[:train_rows].mean(axis=0)
    std = data[:train_rows].std(axis=0)
    return (data - mean) / std, mean, std


def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128,
              step=6, target_column=TEMPERATURE, reverse=False, seed=None):
    """Seed 002's Jena batch generator (endless): windows of ``lookback`` rows taken every
    ``step``, target ``data[row + delay, target_column]``. With ``shuffle`` the window ends
    are drawn at random from ``[min_index + lookback, max_index)``; otherwise they walk
    forward and wrap around. ``reverse`` flips the time axis (seed 002's reversed-order
    experiment). Windows are gathered with one fancy index per batch."""
    data = np.asarray(data)
    if max_index is None:
        max_index = len(data) - delay - 1
    if min_index + lookback >= max_index:
        raise ValueError(f"`min_index + lookback` ({min_index + lookback}) must be below "
                         f"`max_index` ({max_index})")
    rng = np.random.RandomState(seed)
    offsets = np.arange(-lookback, 0, step)
    i = min_index + lookback
    while True:
        if shuffle:
            rows = rng.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = data[rows[:, None] + offsets]
        targets = data[rows + delay, target_column]
        yield (samples[:, ::-1] if reverse else samples), targets
