"""HashedCrossing: Keras 3.15's bins, bit for bit.

The bins come from real Keras 3.15 (``keras.layers.HashedCrossing``, which calls
``tf.sparse.cross_hashed``) through ``tests/fixtures/keras/feature_space.npz``
(``scripts/make_feature_space_fixture.py``); the raw 64-bit crossings were printed by
TensorFlow 2.21's ``tf.sparse.cross_hashed(..., num_buckets=0)``.
"""

import json
import os

import numpy as np
import pytest

import saessak as keras
from saessak.layers.preprocessing.hashed_crossing import (
    HashedCrossing,
    cross_hash,
    fingerprint_cat64,
)

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras",
                       "feature_space.npz")
DATA = dict(np.load(FIXTURE))
CASES = sorted(k.split("__")[1] for k in DATA if k.startswith("hc__") and k.endswith("__call"))


def _inputs(case):
    names = sorted(k for k in DATA if k.startswith(f"hc__{case}__in"))
    return [DATA[k] for k in names]


def test_fixture_has_the_cases():
    assert len(CASES) == 11
    assert str(DATA["keras_version"]).startswith("3.15")


@pytest.mark.parametrize("case", CASES)
def test_bins_match_keras(case):
    call = json.loads(str(DATA[f"hc__{case}__call"]))
    out = HashedCrossing(**call)(tuple(_inputs(case))).numpy()
    expected = DATA[f"hc__{case}__out"]
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)


def test_keras_docstring_example():
    layer = HashedCrossing(num_bins=5)
    out = layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
    np.testing.assert_array_equal(out.numpy(), [1, 4, 1, 1, 3])
    one_hot = HashedCrossing(num_bins=5, output_mode="one_hot")(
        [np.array(["A", "B"]), np.array([101, 101])]).numpy()
    np.testing.assert_array_equal(one_hot, [[0, 1, 0, 0, 0], [0, 0, 0, 0, 1]])
    assert one_hot.dtype == np.float32


def test_raw_crossings_match_tensorflow():
    # tf.sparse.cross_hashed(inputs, 0) returns hash % (2**63 - 1)
    biggest = 2**63 - 1
    strings = cross_hash([np.array(["A", "B"], dtype=object), np.array([101, 102])], biggest)
    np.testing.assert_array_equal(strings, [1126068114334019084, 7874245087545633769])
    ints = cross_hash([np.array([1, 2]), np.array([101, 102])], biggest)
    np.testing.assert_array_equal(ints, [3199220173781056063, 6510066582282514810])


def test_fingerprint_cat64_wraps_like_uint64():
    a = np.array([0, 2**64 - 1], dtype=np.uint64)
    b = np.array([2**64 - 1, 0], dtype=np.uint64)
    out = fingerprint_cat64(a, b)
    assert out.dtype == np.uint64
    assert out[0] != out[1]  # the order of the two words matters


def test_bytes_str_and_object_arrays_agree():
    layer = HashedCrossing(num_bins=1000)
    as_str = layer((np.array(["서울", "x"]), np.array([3, 4]))).numpy()
    as_bytes = layer((np.array(["서울".encode(), b"x"], dtype=object),
                      np.array([3, 4]))).numpy()
    mixed = layer((np.array(["서울", "x"], dtype=object),
                   np.array([3, 4], dtype=object))).numpy()
    np.testing.assert_array_equal(as_str, as_bytes)
    np.testing.assert_array_equal(as_str, mixed)


def test_string_and_integer_of_same_text_differ():
    # an integer enters the cross as itself, a string by its fingerprint
    layer = HashedCrossing(num_bins=2**62)
    as_int = layer((np.array([7]), np.array([1]))).numpy()
    as_text = layer((np.array(["7"]), np.array([1]))).numpy()
    assert as_int[0] != as_text[0]


def test_dtypes_and_config():
    assert HashedCrossing(num_bins=3).dtype == "int64"
    assert HashedCrossing(num_bins=3, output_mode="one_hot").dtype == "float32"
    layer = HashedCrossing(num_bins=9, output_mode="one_hot", name="cross")
    config = layer.get_config()
    assert config["num_bins"] == 9 and config["output_mode"] == "one_hot"
    assert config["sparse"] is False and config["name"] == "cross"
    again = HashedCrossing.from_config(config)
    x = (np.array([1, 2, 3]), np.array(["a", "b", "c"]))
    np.testing.assert_array_equal(again(x).numpy(), layer(x).numpy())


def test_symbolic_call_in_a_model():
    a = keras.Input(shape=(1,), dtype="string", name="a")
    b = keras.Input(shape=(1,), dtype="int64", name="b")
    bins = HashedCrossing(num_bins=16, name="a_X_b")([a, b])
    assert bins.shape == (None, 1) and bins.dtype == "int64"
    hot = HashedCrossing(num_bins=16, output_mode="one_hot")([a, b])
    assert hot.shape == (None, 16)
    model = keras.Model({"a": a, "b": b}, [bins, hot])
    data = {"a": np.array([["p"], ["q"], ["r"]]), "b": np.array([[1], [2], [3]])}
    got_bins, got_hot = model.predict(data, verbose=0)
    expected = HashedCrossing(num_bins=16)((data["a"], data["b"])).numpy()
    np.testing.assert_array_equal(np.asarray(got_bins), expected)
    np.testing.assert_array_equal(np.argmax(got_hot, axis=-1), expected[:, 0])


@pytest.mark.parametrize("inputs, message", [
    (np.array([1, 2]), "list or tuple"),
    ([np.array([1, 2])], "at least two"),
    ([np.array([1.5, 2.0]), np.array([1, 2])], "integers or strings"),
    ([np.array([True, False]), np.array([1, 2])], "integers or strings"),
    ([np.array([1, 2]), np.array([1, 2, 3])], "equal shapes"),
    ([np.array([[1, 2]]), np.array([[1, 2]])], r"\(batch_size, 1\)"),
    ([np.zeros((2, 1, 1), int), np.zeros((2, 1, 1), int)], r"\(batch_size, 1\)"),
])
def test_bad_inputs(inputs, message):
    with pytest.raises(ValueError, match=message):
        HashedCrossing(num_bins=4)(inputs)


def test_bad_arguments():
    with pytest.raises(ValueError, match="output_mode"):
        HashedCrossing(num_bins=4, output_mode="multi_hot")
    with pytest.raises(ValueError, match="sparse"):
        HashedCrossing(num_bins=4, sparse=True)
    for bad in (0, -3, 2.5, None, True):
        with pytest.raises(ValueError, match="num_bins"):
            HashedCrossing(num_bins=bad)
