"""Working with preprocessing layers, the guide's way: adapt() each layer on data, use it
on its own, inside a tf.data pipeline, and inside a model."""

import numpy as np
from saessak.keras import layers

import saessak as tf  # saessak stands for tensorflow: tf.data, tf.keras, ...
from saessak import keras


def main():
    # adapt a Normalization layer, then apply it
    data = np.array([[0.1, 0.2, 0.3], [0.8, 0.9, 1.0], [1.5, 1.6, 1.7]])
    normalizer = layers.Normalization()
    normalizer.adapt(data)
    normalized = normalizer(data).numpy()

    # a StringLookup with a fixed vocabulary; OOV gets index 0
    vocab = ["a", "b", "c", "d"]
    lookup = layers.StringLookup(vocabulary=vocab)
    ids = lookup(tf.constant([["a", "c", "d"], ["d", "z", "b"]])).numpy()

    # TextVectorization adapted on a small corpus, used as a tf.data map
    corpus = np.array(["The Brain is wider than the Sky",
                       "For put them side by side",
                       "The one the other will contain",
                       "With ease and You beside"])
    vectorizer = layers.TextVectorization(output_mode="int")
    vectorizer.adapt(corpus)
    ds = tf.data.Dataset.from_tensor_slices(corpus).batch(2).map(vectorizer)
    first_batch = next(iter(ds))

    # integer categories: an IntegerLookup adapted on data, multi-hot encoded
    int_lookup = layers.IntegerLookup(output_mode="multi_hot")
    int_lookup.adapt(np.array([[12, 1138, 42], [42, 1000, 36], [42, 36, 7]]))
    multi_hot = int_lookup(np.array([[42, 7, 99]])).numpy()

    # hashing a high-cardinality feature, then encoding the bins
    hasher = layers.Hashing(num_bins=64, salt=1337)
    encoder = layers.CategoryEncoding(num_tokens=64, output_mode="multi_hot")
    hashed = encoder(hasher(np.random.default_rng(0).integers(0, 10_000, size=(10, 1))))

    # Discretization adapted to quartiles, then used inside a model
    bucketer = layers.Discretization(num_bins=4)
    bucketer.adapt(np.random.default_rng(1).uniform(0, 100, size=(1000, 1)))
    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, layers.CategoryEncoding(4, output_mode="one_hot")(
        bucketer(inputs)))
    buckets = model.predict(np.array([[5.0], [30.0], [60.0], [99.0]]), verbose=0)
    return normalized, ids, (vectorizer, first_batch), (int_lookup, multi_hot), hashed, \
        (bucketer, buckets)


def test_program():
    normalized, ids, (vectorizer, batch), (int_lookup, multi_hot), hashed, \
        (bucketer, buckets) = main()
    np.testing.assert_allclose(normalized.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(normalized.std(axis=0), 1, atol=1e-5)
    np.testing.assert_array_equal(ids, [[1, 3, 4], [4, 0, 2]])
    vocab = vectorizer.get_vocabulary()
    assert vocab[:3] == ["", "[UNK]", "the"]  # 'the' is the most frequent word
    assert batch.shape == (2, 7) and vocab[int(batch[0, 0])] == "the"
    # vocabulary by frequency: 42 (3x), 36 (2x), then ties larger first
    assert int_lookup.get_vocabulary() == [-1, 42, 36, 1138, 1000, 12, 7]
    np.testing.assert_array_equal(multi_hot, [[1, 1, 0, 0, 0, 0, 1]])  # 99 is OOV
    assert hashed.shape == (10, 64) and np.all(hashed.numpy().sum(axis=1) == 1)
    assert len(bucketer.bin_boundaries) == 3
    np.testing.assert_allclose(bucketer.bin_boundaries, [25, 50, 75], atol=6)
    np.testing.assert_array_equal(buckets.argmax(axis=1), [0, 1, 2, 3])
