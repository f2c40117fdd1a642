"""``Dataset.window`` and ``Dataset.flat_map``. The expected windows and cardinalities are
what tf.data (TensorFlow 2.21) gives for the same calls on ``Dataset.range(n)``."""

import numpy as np
import pytest

import saessak as tf

TF_WINDOWS = [  # (n, size, shift, stride, drop_remainder) -> windows, cardinality
    ((10, 3, 1, 1, True), [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7],
                           [6, 7, 8], [7, 8, 9]], 8),
    ((10, 3, 2, 2, False), [[0, 2, 4], [2, 4, 6], [4, 6, 8], [6, 8], [8]], 5),
    ((10, 3, 2, 2, True), [[0, 2, 4], [2, 4, 6], [4, 6, 8]], 3),
    ((7, 3, None, 1, False), [[0, 1, 2], [3, 4, 5], [6]], 3),
    ((5, 4, 3, 1, False), [[0, 1, 2, 3], [3, 4]], 2),
    ((9, 2, 4, 3, False), [[0, 3], [4, 7], [8]], 3),
    ((3, 5, 1, 1, True), [], 0),
]


@pytest.mark.parametrize("args,windows,cardinality", TF_WINDOWS)
def test_windows_match_tf_data(args, windows, cardinality):
    n, size, shift, stride, drop = args
    ds = tf.data.Dataset.range(n).window(size, shift=shift, stride=stride,
                                         drop_remainder=drop)
    assert [[int(v) for v in w.as_numpy_iterator()] for w in ds] == windows
    assert ds.cardinality() == cardinality


def test_the_time_series_pipeline_trains_a_model():
    series = np.sin(np.arange(200) * 0.1).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(21, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(21))
    ds = ds.map(lambda w: (w[:-1], w[-1]))
    first_x, first_y = next(iter(ds))
    np.testing.assert_array_equal(first_x, series[:20])
    assert float(first_y) == series[20]
    ds = ds.shuffle(200, seed=0).batch(16).prefetch(1)
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((20,)), tf.keras.layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(ds, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


def test_windows_of_tuples_are_tuples_of_datasets():
    x = np.arange(6)
    ds = tf.data.Dataset.from_tensor_slices((x, x * 10)).window(2, drop_remainder=True)
    ds = ds.flat_map(lambda a, b: tf.data.Dataset.zip((a.batch(2), b.batch(2))))
    assert [(a.tolist(), b.tolist()) for a, b in ds] == [([0, 1], [0, 10]), ([2, 3], [20, 30]),
                                                         ([4, 5], [40, 50])]


def test_bad_window_arguments():
    with pytest.raises(ValueError, match="size"):
        tf.data.Dataset.range(3).window(0)
    with pytest.raises(ValueError, match="flat_map: map_func must return a Dataset"):
        list(tf.data.Dataset.range(3).flat_map(lambda v: v * 2))
