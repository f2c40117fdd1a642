"""TextVectorization against vocabularies and vectors worked out by hand."""

import math

import numpy as np
import pytest

import saessak
from saessak.layers import TextVectorization

TEXTS = ["The cat sat.", "the dog sat down!"]


def test_vocabulary_orders_by_count_then_token_high_to_low():
    layer = TextVectorization()
    layer.adapt(TEXTS)
    # counts: the 2, sat 2, cat/dog/down 1; ties go to the larger string first
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat", "down", "dog", "cat"]
    assert layer.get_vocabulary(include_special_tokens=False)[0] == "the"


def test_int_mode_pads_and_cuts_at_the_end():
    layer = TextVectorization(output_sequence_length=4)
    layer.adapt(TEXTS)
    out = layer(["the cat ran", "sat sat sat sat sat"]).numpy()
    np.testing.assert_array_equal(out, [[2, 6, 1, 0], [3, 3, 3, 3]])
    ragged = TextVectorization(vocabulary=["a", "b"])
    np.testing.assert_array_equal(ragged(["a b a", "b"]).numpy(), [[2, 3, 2], [3, 0, 0]])


def test_max_tokens_counts_the_special_tokens():
    layer = TextVectorization(max_tokens=4)
    layer.adapt(TEXTS)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat"]
    np.testing.assert_array_equal(layer(["cat the"]).numpy(), [[1, 2]])


def test_bag_modes():
    vocab = ["a", "b", "c"]
    counts = TextVectorization(output_mode="count", vocabulary=vocab)(["a a c z"]).numpy()
    np.testing.assert_array_equal(counts, [[1, 2, 0, 1]])  # [UNK] first, then a, b, c
    hot = TextVectorization(output_mode="multi_hot", vocabulary=vocab)(["a a c z"]).numpy()
    np.testing.assert_array_equal(hot, [[1, 1, 0, 1]])


def test_tf_idf_weights_follow_the_formula():
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(["a a b", "a c"])  # 2 documents: a in 2, b in 1, c in 1
    vocab = layer.get_vocabulary()
    assert vocab == ["[UNK]", "a", "c", "b"]
    idf = {"a": math.log(1 + 2 / 3), "b": math.log(1 + 2 / 2), "c": math.log(1 + 2 / 2)}
    out = layer(["a a b"]).numpy()[0]
    assert out[1] == pytest.approx(2 * idf["a"], rel=1e-6)
    assert out[3] == pytest.approx(idf["b"], rel=1e-6) and out[2] == 0


def test_ngrams_and_splits():
    layer = TextVectorization(ngrams=2, standardize=None, split="whitespace")
    layer.adapt(["x y z"])
    assert set(layer.get_vocabulary()[2:]) == {"x", "y", "z", "x y", "y z"}
    chars = TextVectorization(split="character", standardize="lower")
    chars.adapt(["AbA"])
    assert chars.get_vocabulary()[2:] == ["a", "b"]


def test_inside_a_model_with_an_embedding():
    vectorize = TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorize.adapt(["good movie", "bad movie", "good good fun"])
    layers = saessak.layers
    model = saessak.Sequential([layers.Embedding(20, 4, input_length=5), layers.Flatten(),
                                layers.Dense(1, activation="sigmoid")])
    ids = vectorize(["good fun", "bad movie"])
    assert model.predict(ids.numpy(), verbose=0).shape == (2, 1)


def test_fit_and_predict_take_text_in_an_object_array():
    """A pandas column of text (``df["review"].values``) is a NumPy object array."""
    texts = np.array(["good movie", "bad movie", b"great film", "awful film"] * 4,
                     dtype=object)
    labels = np.array([1, 0, 1, 0] * 4)
    vectorize = TextVectorization(max_tokens=10, output_sequence_length=2)
    vectorize.adapt(texts)
    layers = saessak.layers
    inputs = saessak.Input((1,), dtype="string")
    hidden = layers.GlobalAveragePooling1D()(layers.Embedding(10, 4)(vectorize(inputs)))
    model = saessak.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden))
    model.compile("adam", "binary_crossentropy")
    history = model.fit(texts, labels, epochs=2, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 2
    expected = model.predict(np.array([str(t, "utf-8") if isinstance(t, bytes) else t
                                       for t in texts[:4]]), verbose=0)
    np.testing.assert_allclose(model.predict(texts[:4], verbose=0), expected)
    with pytest.raises(ValueError, match="Python objects"):  # not text: still refused
        model.predict(np.array(["a", 3], dtype=object), verbose=0)


def test_config_round_trip_keeps_the_vocabulary():
    layer = TextVectorization(output_sequence_length=3)
    layer.adapt(TEXTS)
    clone = TextVectorization.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(clone(["the dog"]).numpy(), layer(["the dog"]).numpy())


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="output_mode"):
        TextVectorization(output_mode="bag")
    with pytest.raises(ValueError, match="no vocabulary yet"):
        TextVectorization()(["text"])
    with pytest.raises(ValueError, match="single string"):
        TextVectorization().adapt("just one string")
    with pytest.raises(ValueError, match="expected strings"):
        TextVectorization(vocabulary=["a"])([3])
