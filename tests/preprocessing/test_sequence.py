"""pad_sequences (seed 003's printed arrays), skipgrams, sampling table, TimeseriesGenerator."""

import numpy as np
import pytest

from saessak.preprocessing.sequence import (
    TimeseriesGenerator,
    make_sampling_table,
    pad_sequences,
    skipgrams,
)


def test_seed003_pad_example():
    out = pad_sequences([[1, 2, 3], [3, 4, 5, 6], [7, 8]], maxlen=3, padding="pre")
    np.testing.assert_array_equal(out, [[1, 2, 3], [4, 5, 6], [0, 7, 8]])
    assert out.dtype == np.int32


def test_seed003_generation_padding():
    seqs = [[2, 3], [2, 3, 1], [2, 3, 1, 4], [2, 3, 1, 4, 5], [6, 1], [6, 1, 7], [8, 1],
            [8, 1, 9], [8, 1, 9, 10], [8, 1, 9, 10, 1], [8, 1, 9, 10, 1, 11]]
    out = pad_sequences(seqs, maxlen=6, padding="pre")
    np.testing.assert_array_equal(out[:5], [[0, 0, 0, 0, 2, 3], [0, 0, 0, 2, 3, 1],
                                            [0, 0, 2, 3, 1, 4], [0, 2, 3, 1, 4, 5],
                                            [0, 0, 0, 0, 6, 1]])
    np.testing.assert_array_equal(out[-2:], [[0, 8, 1, 9, 10, 1], [8, 1, 9, 10, 1, 11]])
    np.testing.assert_array_equal(out[:, -1], [3, 1, 4, 5, 1, 7, 1, 9, 10, 1, 11])


def test_seed000_example_7_26():
    # [[], [19999], [], [106]] padded 'post' without maxlen -> a column vector
    out = pad_sequences([[], [19999], [], [106]], padding="post")
    np.testing.assert_array_equal(out, [[0], [19999], [0], [106]])


def test_truncating_padding_and_value():
    s = [[1, 2, 3, 4], [5]]
    np.testing.assert_array_equal(pad_sequences(s, maxlen=2, truncating="post"), [[1, 2], [0, 5]])
    np.testing.assert_array_equal(pad_sequences(s, maxlen=2), [[3, 4], [0, 5]])
    np.testing.assert_array_equal(pad_sequences(s, maxlen=3, padding="post", value=-1),
                                  [[2, 3, 4], [5, -1, -1]])
    f = pad_sequences([[0.5, 1.5]], maxlen=3, dtype="float32")
    assert f.dtype == np.float32 and f.tolist() == [[0, 0.5, 1.5]]
    assert pad_sequences([], maxlen=None).shape == (0, 0)
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)


def test_multidimensional_elements_and_strings():
    s = [np.ones((2, 3)), np.ones((1, 3))]
    out = pad_sequences(s, maxlen=3, dtype="float32")
    assert out.shape == (2, 3, 3) and out[1, :2].sum() == 0 and out[1, 2].sum() == 3
    with pytest.raises(ValueError, match="Shape of sample"):
        pad_sequences([np.ones((2, 3)), np.ones((1, 4))])
    words = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert words.tolist() == [["a", "b"], ["<pad>", "c"]]
    strs = pad_sequences([["a"], []], maxlen=2, dtype="<U5", value="")
    assert strs.tolist() == [["", "a"], ["", ""]]
    with pytest.raises(ValueError, match="dtype"):
        pad_sequences([["a"]], value="x")


@pytest.mark.parametrize("kwargs, name", [({"padding": "middle"}, "padding"),
                                          ({"truncating": "both"}, "truncating"),
                                          ({"maxlen": -1}, "maxlen"),
                                          ({"maxlen": 2.5}, "maxlen")])
def test_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        pad_sequences([[1, 2, 3]], **kwargs)


def test_bad_sequences():
    with pytest.raises(ValueError, match="list of iterables"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="list of sequences"):
        pad_sequences(7)
    with pytest.raises(ValueError, match="sequence 0"):
        pad_sequences([["x", "y"]])


def test_sampling_table_values():
    table = make_sampling_table(5, sampling_factor=1e-5)
    rank = np.array([1, 1, 2, 3, 4])
    f = 1e-5 * (rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank))
    np.testing.assert_allclose(table, np.minimum(1, np.sqrt(f)))
    assert np.all(np.diff(table[1:]) >= 0)
    with pytest.raises(ValueError, match="size"):
        make_sampling_table(0)


def test_skipgrams_pairs_and_negatives():
    couples, labels = skipgrams([1, 2, 3], vocabulary_size=4, window_size=1,
                                negative_samples=0, shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]] and labels == [1, 1, 1, 1]
    couples, labels = skipgrams([1, 0, 2], vocabulary_size=10, window_size=2, seed=3)
    assert sorted(map(tuple, (c for c, y in zip(couples, labels) if y == 1))) == [(1, 2), (2, 1)]
    assert labels.count(0) == 2 and all(1 <= c[1] < 10 for c in couples)
    again = skipgrams([1, 0, 2], vocabulary_size=10, window_size=2, seed=3)
    assert again == (couples, labels)
    _, cat = skipgrams([1, 2], 5, categorical=True, negative_samples=0, shuffle=False)
    assert cat == [[0, 1], [0, 1]]
    assert skipgrams([0, 0], 5) == ([], [])


def test_timeseries_generator_keras_example():
    data = np.arange(50).reshape(-1, 1)
    targets = np.arange(50) * 10
    gen = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, batch_size=2)
    assert len(gen) == 20
    x, y = gen[0]
    np.testing.assert_array_equal(x[:, :, 0], [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]])
    np.testing.assert_array_equal(y, [100, 110])
    x, y = gen[-1]
    np.testing.assert_array_equal(y, [480, 490])
    rev = TimeseriesGenerator(data, targets, length=3, reverse=True, batch_size=1)
    np.testing.assert_array_equal(rev[0][0][0, :, 0], [2, 1, 0])
    shuffled = TimeseriesGenerator(data, targets, length=5, shuffle=True, seed=0, batch_size=4)
    x, y = shuffled[0]
    np.testing.assert_array_equal(x[:, -1, 0] + 1, y // 10)
    with pytest.raises(ValueError, match="same length"):
        TimeseriesGenerator(data, targets[:-1], length=3)
    with pytest.raises(ValueError, match="start_index"):
        TimeseriesGenerator(data, targets, length=60)
    with pytest.raises(IndexError):
        gen[20]
