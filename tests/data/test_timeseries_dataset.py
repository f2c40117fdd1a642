"""timeseries_dataset_from_array with Keras semantics (seed 002's Jena setup)."""

import numpy as np
import pytest

from saessak.data import timeseries_dataset_from_array


def test_keras_docstring_example():
    # windows of 10 rows, every 2nd: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18], target 20 + 10*i
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10,
                                       sampling_rate=2, batch_size=64)
    (x, y), = list(ds)[:1]
    np.testing.assert_array_equal(x[0], np.arange(0, 20, 2))
    assert y[0] == 10


def test_counts_strides_and_index_range():
    data = np.arange(20)
    ds = timeseries_dataset_from_array(data, None, sequence_length=3, sequence_stride=2,
                                       batch_size=None)
    windows = [w.tolist() for w in ds]
    assert windows[0] == [0, 1, 2] and windows[1] == [2, 3, 4] and windows[-1] == [16, 17, 18]
    assert len(ds) == 9
    part = timeseries_dataset_from_array(data, data * 10, sequence_length=4, start_index=5,
                                         end_index=12, batch_size=2)
    xs, ys = zip(*part)
    x, y = np.concatenate(xs), np.concatenate(ys)
    assert x[0].tolist() == [5, 6, 7, 8] and x[-1].tolist() == [8, 9, 10, 11]
    assert y.tolist() == [50, 60, 70, 80]


def test_shuffle_is_seeded_and_complete():
    data = np.arange(200, dtype="float32").reshape(100, 2)
    targets = np.arange(100)
    a = timeseries_dataset_from_array(data, targets, 5, shuffle=True, seed=1, batch_size=8)
    b = timeseries_dataset_from_array(data, targets, 5, shuffle=True, seed=1, batch_size=8)
    ya = np.concatenate([y for _, y in a])
    np.testing.assert_array_equal(ya, np.concatenate([y for _, y in b]))
    assert sorted(ya.tolist()) == list(range(96))
    for x, y in a:
        np.testing.assert_array_equal(x[:, 0, 0], y * 2)  # window starts at row y


def test_jena_shapes():
    rows = 3000
    data = np.random.default_rng(0).normal(size=(rows, 14)).astype("float32")
    delay, seq, rate = 144, 120, 6
    ds = timeseries_dataset_from_array(data[:-delay], data[delay + seq * rate - rate:, 1],
                                       sequence_length=seq, sampling_rate=rate,
                                       batch_size=128, shuffle=True, seed=0)
    x, y = next(iter(ds))
    assert x.shape == (128, 120, 14) and y.shape == (128,)


@pytest.mark.parametrize("kwargs, name", [({"sequence_length": 0}, "sequence_length"),
                                          ({"sampling_rate": 0}, "sampling_rate"),
                                          ({"sampling_rate": 50}, "sampling_rate"),
                                          ({"sequence_stride": 0}, "sequence_stride"),
                                          ({"start_index": -1}, "start_index"),
                                          ({"end_index": 100}, "end_index")])
def test_bad_arguments(kwargs, name):
    args = {"sequence_length": 3}
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        timeseries_dataset_from_array(np.arange(20), None, **args)
