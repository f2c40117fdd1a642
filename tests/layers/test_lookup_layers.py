"""StringLookup and IntegerLookup: Keras's index layout, OOV and mask conventions, output
modes and adapt. Expected values are Keras 3's (checked against Keras 3.15 on TensorFlow
2.21), and follow from its documented rules: the mask token (when set) is index 0 in 'int'
mode, the OOV indices come next, then the vocabulary, most frequent first."""

import numpy as np
import pytest

import saessak as keras
from saessak.layers import IntegerLookup, StringLookup

VOCAB = ["a", "b", "c", "d"]


def test_string_lookup_default_layout():
    layer = StringLookup(vocabulary=VOCAB)
    np.testing.assert_array_equal(layer([["a", "c", "d"], ["d", "z", "b"]]).numpy(),
                                  [[1, 3, 4], [4, 0, 2]])  # 'z' is OOV: index 0
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c", "d"]
    assert layer.vocabulary_size() == 5
    assert layer("b").numpy() == 2 and layer("b").shape == ()


def test_mask_token_takes_index_zero():
    layer = StringLookup(vocabulary=VOCAB, mask_token="")
    np.testing.assert_array_equal(layer([["a", "", "d"], ["d", "z", "b"]]).numpy(),
                                  [[2, 0, 5], [5, 1, 3]])
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b", "c", "d"]
    assert layer.get_vocabulary(include_special_tokens=False) == VOCAB


def test_several_oov_indices_hash_strings_and_mod_integers():
    layer = StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    # OOV strings go to FarmHash64(s) % 2 of indices 0 and 1 (Keras 3's output)
    np.testing.assert_array_equal(
        layer([["a", "z", "d"], ["d", "y", "b"], ["x", "w", "v"]]).numpy(),
        [[2, 1, 5], [5, 1, 3], [0, 1, 1]])
    assert layer.get_vocabulary()[:3] == ["[UNK]", "[UNK]", "a"]
    ints = IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2)
    # integers go to value mod 2 (a floor mod: -3 -> 1)
    np.testing.assert_array_equal(ints([[12, 1001, 42], [42, 1000, 36], [7, -3, -4]]).numpy(),
                                  [[2, 1, 5], [5, 0, 3], [1, 1, 0]])


def test_invert_gives_back_tokens_as_bytes():
    layer = StringLookup(vocabulary=VOCAB, invert=True)
    out = layer(np.array([[1, 3, 4], [4, 0, 2], [9, 1, 1]])).numpy()
    np.testing.assert_array_equal(out, [[b"a", b"c", b"d"], [b"d", b"[UNK]", b"b"],
                                        [b"[UNK]", b"a", b"a"]])
    masked = StringLookup(vocabulary=VOCAB, invert=True, mask_token="")
    np.testing.assert_array_equal(masked([[1, 3, 4], [5, 0, 2]]).numpy(),
                                  [[b"[UNK]", b"b", b"c"], [b"d", b"", b"a"]])
    forward = StringLookup(vocabulary=VOCAB)
    np.testing.assert_array_equal(forward(out).numpy(), [[1, 3, 4], [4, 0, 2], [0, 1, 1]])
    ints = IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)
    np.testing.assert_array_equal(ints([[1, 3, 4], [0, 2, 9]]).numpy(),
                                  [[12, 1138, 42], [-1, 36, -1]])


@pytest.mark.parametrize("mode, plain, masked", [
    ("multi_hot", [[1, 1, 1, 0, 0]], [[1, 1, 0, 0, 0]]),
    ("count", [[1, 2, 1, 0, 0]], [[1, 2, 0, 0, 0]]),
    ("tf_idf", [[0.5, 0.5, 0.75, 0, 0]], [[0.5, 0.5, 0, 0, 0]]),
])
def test_bag_modes_drop_the_mask(mode, plain, masked):
    kw = {"idf_weights": [0.25, 0.75, 0.6, 0.4]} if mode == "tf_idf" else {}
    data = np.array([["a", "b", "a", "z"]])
    layer = StringLookup(vocabulary=VOCAB, output_mode=mode, **kw)
    np.testing.assert_allclose(layer(data).numpy(), plain)
    with_mask = StringLookup(vocabulary=VOCAB, mask_token="", output_mode=mode, **kw)
    np.testing.assert_allclose(with_mask([["a", "", "a", "z"]]).numpy(), masked)
    assert with_mask.get_vocabulary() == ["[UNK]"] + VOCAB  # no mask index in these modes


def test_one_hot_and_idf_weights():
    layer = StringLookup(vocabulary=VOCAB, output_mode="one_hot")
    np.testing.assert_array_equal(layer(["a", "b", "z"]).numpy(), np.eye(5)[[1, 2, 0]])
    tfidf = StringLookup(vocabulary=VOCAB, output_mode="tf_idf",
                         idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tfidf.idf_weights, [0.5, 0.25, 0.75, 0.6, 0.4])  # OOV: mean
    padded = StringLookup(vocabulary=["a", "b"], max_tokens=6, pad_to_max_tokens=True,
                          output_mode="multi_hot")
    np.testing.assert_array_equal(padded([["a", "b"]]).numpy(), [[0, 1, 1, 0, 0, 0]])


def test_adapt_orders_by_frequency_then_value():
    data = np.array([["a", "c", "d"], ["d", "z", "b"], ["d", "c", "b"], ["e", "e", "e"]])
    layer = StringLookup()
    layer.adapt(data)
    # counts: e 3, d 3, c 2, b 2, z 1, a 1; ties broken by the larger string first
    assert layer.get_vocabulary() == ["[UNK]", "e", "d", "c", "b", "z", "a"]
    capped = StringLookup(max_tokens=4, mask_token="")
    capped.adapt(data)
    assert capped.get_vocabulary() == ["", "[UNK]", "e", "d"]
    from_ds = StringLookup()
    from_ds.adapt(keras.data.Dataset.from_tensor_slices(data).batch(2))
    assert from_ds.get_vocabulary() == layer.get_vocabulary()
    ints = IntegerLookup()
    ints.adapt(np.array([[12, 1138, 42], [42, 1000, 36], [42, 36, 7]]))
    assert ints.get_vocabulary() == [-1, 42, 36, 1138, 1000, 12, 7]


def test_adapt_tf_idf_weights():
    data = np.array([["a", "c", "d"], ["d", "z", "b"], ["d", "c", "b"], ["e", "e", "e"]])
    layer = StringLookup(output_mode="tf_idf")
    layer.adapt(data)
    # idf = ln(1 + 4 documents / (1 + documents containing the token)); OOV: their mean
    df = {"e": 1, "d": 3, "c": 2, "b": 2, "z": 1, "a": 1}
    idf = [np.log(1 + 4 / (1 + df[t])) for t in layer.get_vocabulary()[1:]]
    np.testing.assert_allclose(layer.idf_weights, [np.mean(idf)] + idf, rtol=1e-6)
    out = layer([["a", "e", "e", "q"]]).numpy()
    np.testing.assert_allclose(out[0, [0, 1, 6]], [np.mean(idf), 2 * np.log(3), np.log(3)],
                               rtol=1e-6)


def test_vocabulary_rules(tmp_path):
    assert StringLookup(vocabulary=["[UNK]", "a", "b"]).get_vocabulary() == ["[UNK]", "a", "b"]
    with pytest.raises(ValueError, match="repeated terms"):
        StringLookup(vocabulary=["a", "a", "b"])
    with pytest.raises(ValueError, match="mask token"):
        StringLookup(vocabulary=["a", "", "b"], mask_token="")
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\n", encoding="utf-8")
    assert StringLookup(vocabulary=str(path))(["y"]).numpy().tolist() == [2]
    assert StringLookup().vocabulary_size() == 1


def test_errors_name_the_layer_and_the_value():
    with pytest.raises(ValueError, match=r"num_oov_indices=0 .*\['q'\]"):
        StringLookup(vocabulary=["a", "b"], num_oov_indices=0)(["a", "q"])
    with pytest.raises(ValueError, match="expected strings"):
        StringLookup(vocabulary=["a"])([1, 2])
    with pytest.raises(ValueError, match="expected integers"):
        IntegerLookup(vocabulary=[1])(["a"])
    with pytest.raises(ValueError, match="invert=True needs output_mode='int'"):
        StringLookup(invert=True, output_mode="multi_hot")
    with pytest.raises(ValueError, match="output_mode"):
        StringLookup(output_mode="bag")
    # tf.keras 2.4-2.5 called multi_hot 'binary'
    assert StringLookup(output_mode="binary").output_mode == "multi_hot"


def test_config_round_trip_keeps_the_learned_vocabulary():
    layer = IntegerLookup(mask_token=0, output_mode="int")
    layer.adapt([[3, 3, 5], [7, 0, 3]])
    clone = IntegerLookup.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary() == [0, -1, 3, 7, 5]
    np.testing.assert_array_equal(clone([[5, 0, 9]]).numpy(), [[4, 0, 1]])


def test_in_a_functional_model():
    inputs = keras.Input(shape=(3,), dtype="int64")
    lookup = IntegerLookup(vocabulary=[10, 20, 30], output_mode="multi_hot")
    encoded = lookup(inputs)
    assert encoded.shape == (None, 4)
    model = keras.Model(inputs, encoded)
    np.testing.assert_array_equal(model.predict(np.array([[10, 30, 99]]), verbose=0),
                                  [[1, 1, 0, 1]])
