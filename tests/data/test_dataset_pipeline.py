"""saessak.data.Dataset: sources, transformations, cardinality and the fast batching path."""

import numpy as np
import pytest

from saessak import data
from saessak.data import Dataset


def test_from_tensor_slices_structures():
    x, y = np.arange(6).reshape(3, 2), np.array([10, 20, 30])
    pairs = list(Dataset.from_tensor_slices((x, y)))
    assert len(pairs) == 3 and pairs[1][0].tolist() == [2, 3] and pairs[1][1] == 20
    d = list(Dataset.from_tensor_slices({"a": x, "b": (y, y)}))
    assert d[2]["a"].tolist() == [4, 5] and d[2]["b"][1] == 30
    words = list(Dataset.from_tensor_slices(["가", "b"]))
    assert [str(w) for w in words] == ["가", "b"]
    assert list(Dataset.from_tensor_slices([[1, 2], [3, 4]]).as_numpy_iterator())[1].tolist() \
        == [3, 4]
    with pytest.raises(ValueError, match="same number of rows"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="scalar"):
        Dataset.from_tensor_slices(5)


def test_batch_remainder_and_cardinality():
    ds = Dataset.range(10)
    assert len(ds) == 10 and ds.cardinality() == 10
    b = ds.batch(4)
    assert [a.tolist() for a in b] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(b) == 3
    assert len(ds.batch(4, drop_remainder=True)) == 2
    assert [a.tolist() for a in ds.batch(4, drop_remainder=True)][-1] == [4, 5, 6, 7]
    with pytest.raises(ValueError, match="batch_size"):
        ds.batch(0)


def test_shuffle_is_a_seeded_permutation_and_reshuffles():
    ds = Dataset.range(100).shuffle(100, seed=7)
    first, second = list(ds), list(ds)
    assert sorted(first) == list(range(100)) and first != list(range(100))
    assert first != second  # a new order each pass
    again = Dataset.range(100).shuffle(100, seed=7)
    assert list(again) == first and list(again) == second  # the same sequence of orders
    fixed = Dataset.range(100).shuffle(100, seed=7, reshuffle_each_iteration=False)
    assert list(fixed) == list(fixed)


def test_small_buffer_shuffle_stays_local():
    order = [int(v) for v in Dataset.range(1000).shuffle(10, seed=0)]
    assert sorted(order) == list(range(1000))
    # an element can only come out once it has entered the 10-slot buffer
    assert all(v <= i + 9 for i, v in enumerate(order))
    gen = Dataset.from_generator(lambda: iter(range(50))).shuffle(5, seed=0)
    assert sorted(int(v) for v in gen) == list(range(50))


def test_fast_path_equals_element_path():
    x = np.random.default_rng(0).normal(size=(103, 4)).astype("float32")
    y = np.arange(103)
    fast = Dataset.from_tensor_slices((x, y)).shuffle(1000, seed=3).batch(16)
    slow = Dataset.from_tensor_slices((x, y)).shuffle(1000, seed=3).map(
        lambda a, b: (a, b)).batch(16)  # map forces element-by-element batching
    for (xa, ya), (xb, yb) in zip(fast, slow):
        np.testing.assert_array_equal(ya, yb)
        np.testing.assert_array_equal(xa, x[ya])
        np.testing.assert_array_equal(xb, xa)


def test_map_filter_take_skip_repeat():
    ds = Dataset.range(10).map(lambda v: v * 2).filter(lambda v: v % 3 == 0)
    assert [int(v) for v in ds] == [0, 6, 12, 18]
    assert ds.cardinality() == data.UNKNOWN
    with pytest.raises(TypeError, match="unknown"):
        len(ds)
    r = Dataset.range(3).repeat(2)
    assert [int(v) for v in r] == [0, 1, 2, 0, 1, 2] and len(r) == 6
    inf = Dataset.range(3).repeat()
    assert inf.cardinality() == data.INFINITE
    assert [int(v) for v in inf.take(7)] == [0, 1, 2, 0, 1, 2, 0] and len(inf.take(7)) == 7
    assert [int(v) for v in Dataset.range(5).skip(3)] == [3, 4]
    assert len(Dataset.range(5).skip(3)) == 2 and len(Dataset.range(5).take(-1)) == 5
    with pytest.raises(TypeError, match="infinite"):
        len(inf)
    assert list(Dataset.range(0).repeat()) == []


def test_seed000_char_pipeline():
    # from_tensor_slices -> batch(seq+1, drop) -> map(split) -> shuffle -> batch
    text_as_int = np.arange(100)
    seqs = Dataset.from_tensor_slices(text_as_int).batch(11, drop_remainder=True)
    pairs = seqs.map(lambda chunk: (chunk[:-1], chunk[1:]))
    batches = list(pairs.shuffle(10000, seed=0).batch(4, drop_remainder=True))
    assert len(batches) == 2 and batches[0][0].shape == (4, 10)
    xb, yb = batches[0]
    np.testing.assert_array_equal(xb + 1, yb)


def test_padded_batch_unbatch_zip_concatenate_cache():
    gen = Dataset.from_generator(lambda: iter([[1], [2, 3], [4, 5, 6]]), output_types="int64")
    pb = list(gen.padded_batch(2))
    assert pb[0].tolist() == [[1, 0], [2, 3]] and pb[1].tolist() == [[4, 5, 6]]
    assert list(gen.padded_batch(3, padded_shapes=[5], padding_values=-1))[0][0].tolist() == \
        [1, -1, -1, -1, -1]
    with pytest.raises(ValueError, match="padded_shapes"):
        list(gen.padded_batch(3, padded_shapes=[2]))
    assert [int(v) for v in Dataset.range(6).batch(4).unbatch()] == list(range(6))
    z = Dataset.zip((Dataset.range(3), Dataset.range(10, 15)))
    assert [(int(a), int(b)) for a, b in z] == [(0, 10), (1, 11), (2, 12)] and len(z) == 3
    zd = Dataset.zip({"a": Dataset.range(2), "b": Dataset.range(2)})
    assert [int(e["b"]) for e in zd] == [0, 1]
    c = Dataset.range(2).concatenate(Dataset.range(5, 6))
    assert [int(v) for v in c] == [0, 1, 5] and len(c) == 3
    calls = []
    cached = Dataset.range(3).map(lambda v: calls.append(1) or v).cache()
    assert list(cached) == list(cached) and len(calls) == 3
    assert Dataset.range(3).prefetch(data.AUTOTUNE).cardinality() == 3
    assert [int(i) for i, _ in Dataset.range(3).enumerate(5)] == [5, 6, 7]
    assert Dataset.range(5).reduce(0, lambda s, v: s + int(v)) == 10


def test_from_generator_restarts_each_pass_and_casts():
    ds = Dataset.from_generator(lambda n: ((i, float(i)) for i in range(n)), args=(3,),
                                output_types=("int32", "float32"))
    first = list(ds)
    assert first[2][0].dtype == np.int32 and first[2][1].dtype == np.float32
    assert len(list(ds)) == 3
    with pytest.raises(ValueError, match="generator"):
        Dataset.from_generator([1, 2])


def test_filter_predicate_must_be_scalar():
    with pytest.raises(ValueError, match="predicate"):
        list(Dataset.from_tensor_slices(np.ones((2, 2))).filter(lambda v: v > 0))


def test_elements_answer_numpy_like_eager_tensors():
    # the seeds write `for x in dataset.take(1): x.numpy()` (seed 000 ex. 7.37, seed 004)
    ds = Dataset.from_tensor_slices((np.arange(6), np.ones((6, 2)))).batch(4)
    x, y = next(iter(ds))
    np.testing.assert_array_equal(x.numpy(), [0, 1, 2, 3])
    assert type(x.numpy()) is np.ndarray and y.numpy().shape == (4, 2)
    scalar = next(iter(Dataset.from_tensor_slices(np.arange(3))))
    assert scalar.numpy() == 0
    plain = next(Dataset.from_tensor_slices(np.arange(3)).batch(2).as_numpy_iterator())
    assert type(plain) is np.ndarray
