"""timeseries_dataset_from_array where Keras programs import it from."""

import numpy as np

import saessak as keras
from saessak.preprocessing import timeseries


def test_same_function_under_every_keras_path():
    fn = keras.utils.timeseries_dataset_from_array
    assert keras.preprocessing.timeseries_dataset_from_array is fn
    assert timeseries.timeseries_dataset_from_array is fn
    assert keras.keras.preprocessing.timeseries_dataset_from_array is fn


def test_every_keras_argument():
    data = np.arange(50)
    ds = keras.preprocessing.timeseries_dataset_from_array(
        data, targets=data * 10, sequence_length=3, sequence_stride=4, sampling_rate=2,
        batch_size=2, shuffle=True, seed=3, start_index=5, end_index=30)
    xs, ys = zip(*ds)
    x, y = np.concatenate(xs), np.concatenate(ys)
    # windows start at 5, 9, ..., within [5, 30); each row 2 apart; target at the start
    np.testing.assert_array_equal(x[:, 1] - x[:, 0], 2)
    np.testing.assert_array_equal(y, x[:, 0] * 10)
    assert sorted(x[:, 0].tolist()) == [5, 9, 13, 17, 21, 25]
