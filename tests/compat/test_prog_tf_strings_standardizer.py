"""Basic text classification in the tutorial's style: raw reviews cleaned by a tf.strings
standardizer inside Dataset.map, a TextVectorization layer with the same standardizer,
an Embedding + pooling classifier, and the exported model on raw strings."""

import re
import string

import numpy as np

import saessak.compat as tf
from saessak import keras, layers

GOOD = ["great", "wonderful", "loved", "brilliant", "superb"]
BAD = ["awful", "boring", "hated", "terrible", "dull"]
FILLER = ["the", "movie", "film", "was", "a", "plot", "acting", "and", "it", "story"]


def reviews(n, rng):
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(0, 2))
        words = list(rng.choice(FILLER, 6)) + list(rng.choice(GOOD if label else BAD, 2))
        rng.shuffle(words)
        text = " ".join(words[:4]).upper() + "!<br /><br />" + " ".join(words[4:]) + "."
        texts.append(text)
        labels.append(label)
    return np.array(texts), np.array(labels)


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")


def test_text_classification_with_a_strings_standardizer():
    tf.random.set_seed(3)
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    x_train, y_train = reviews(400, rng)
    x_test, y_test = reviews(100, rng)

    cleaned = tf.data.Dataset.from_tensor_slices(x_train[:2]).map(custom_standardization)
    first = next(iter(cleaned)).numpy()
    assert isinstance(first, bytes) and first == first.lower() and b"<br" not in first
    assert not set(first.decode()) & set(string.punctuation)

    vectorize_layer = layers.TextVectorization(standardize=custom_standardization,
                                               max_tokens=50, output_mode="int",
                                               output_sequence_length=10)
    vectorize_layer.adapt(tf.data.Dataset.from_tensor_slices(x_train).batch(32))
    vocab = vectorize_layer.get_vocabulary()
    assert "great" in vocab and "GREAT!" not in vocab and "br" not in vocab

    def vectorize_text(text, label):
        return vectorize_layer(text), label

    train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(32)
    train_ds = train_ds.map(vectorize_text)
    test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32)
    test_ds = test_ds.map(vectorize_text)

    model = keras.Sequential([
        layers.Embedding(50, 8),
        layers.GlobalAveragePooling1D(),
        layers.Dense(1)])
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.Adam(0.05),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
    model.fit(train_ds, epochs=10, verbose=0)
    _, accuracy = model.evaluate(test_ds, verbose=0)
    assert accuracy > 0.9

    export_model = keras.Sequential([vectorize_layer, model, layers.Activation("sigmoid")])
    probs = export_model.predict(np.array(["A WONDERFUL, brilliant film!",
                                           "dull and terrible<br />movie"]), verbose=0)
    assert probs[0, 0] > 0.5 > probs[1, 0]
