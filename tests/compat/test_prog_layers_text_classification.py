"""Basic text classification from a folder of raw review files: text_dataset_from_directory
splits them into training and validation sets, a TextVectorization layer with a custom
tf.strings standardizer (lower case, no HTML line breaks, no punctuation) learns the
vocabulary, and the trained model is exported with the vectorizer inside, so it classifies
raw strings."""

import re
import string

import numpy as np
import pytest

import saessak as tf  # saessak stands for tensorflow: tf.keras, tf.data, tf.strings, ...

layers, losses = tf.keras.layers, tf.keras.losses

if not hasattr(tf, "strings"):
    pytest.skip("saessak.compat has no tf.strings yet", allow_module_level=True)

GOOD = ["wonderful", "brilliant", "moving", "superb", "delightful", "masterpiece"]
BAD = ["awful", "boring", "dreadful", "clumsy", "tedious", "disaster"]
FILLER = ["the", "film", "plot", "actors", "scenes", "was", "and", "a", "story", "music"]


def write_reviews(root, per_class, rng):
    """aclImdb's layout: <split>/pos/*.txt and <split>/neg/*.txt, with <br /> tags."""
    for label, words in (("pos", GOOD), ("neg", BAD)):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(per_class):
            body = list(rng.choice(FILLER, 10)) + list(rng.choice(words, 4))
            rng.shuffle(body)
            text = " ".join(body[:7]).capitalize() + "!<br /><br />" + " ".join(body[7:]) + "."
            (folder / f"{i}_{rng.integers(1, 11)}.txt").write_text(text, encoding="utf-8")


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")


def main(dataset_dir, epochs=40):
    tf.keras.utils.set_random_seed(42)
    batch_size, seed = 16, 42
    raw_train_ds = tf.keras.utils.text_dataset_from_directory(
        dataset_dir / "train", batch_size=batch_size, validation_split=0.2,
        subset="training", seed=seed)
    raw_val_ds = tf.keras.utils.text_dataset_from_directory(
        dataset_dir / "train", batch_size=batch_size, validation_split=0.2,
        subset="validation", seed=seed)
    raw_test_ds = tf.keras.utils.text_dataset_from_directory(dataset_dir / "test",
                                                             batch_size=batch_size)
    max_features, sequence_length = 100, 20
    vectorize_layer = layers.TextVectorization(
        standardize=custom_standardization, max_tokens=max_features, output_mode="int",
        output_sequence_length=sequence_length)
    train_text = raw_train_ds.map(lambda x, y: x)
    vectorize_layer.adapt(train_text)

    def vectorize_text(text, label):
        text = tf.expand_dims(text, -1)
        return vectorize_layer(text), label

    train_ds = raw_train_ds.map(vectorize_text).cache().prefetch(buffer_size=tf.data.AUTOTUNE)
    val_ds = raw_val_ds.map(vectorize_text).cache().prefetch(buffer_size=tf.data.AUTOTUNE)
    test_ds = raw_test_ds.map(vectorize_text)

    model = tf.keras.Sequential([
        layers.Embedding(max_features, 16),
        layers.Dropout(0.2),
        layers.GlobalAveragePooling1D(),
        layers.Dropout(0.2),
        layers.Dense(1)])
    model.compile(loss=losses.BinaryCrossentropy(from_logits=True), optimizer="adam",
                  metrics=[tf.keras.metrics.BinaryAccuracy(threshold=0.0)])
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0)
    loss, accuracy = model.evaluate(test_ds, verbose=0)

    export_model = tf.keras.Sequential([vectorize_layer, model, layers.Activation("sigmoid")])
    examples = np.array(["A superb, moving story!<br /><br />Brilliant.",
                         "Boring and tedious: the actors were awful."])
    return (raw_train_ds, vectorize_layer, history, accuracy,
            export_model.predict(examples, verbose=0))


def test_program(tmp_path):
    rng = np.random.default_rng(0)
    write_reviews(tmp_path / "aclImdb" / "train", 100, rng)
    write_reviews(tmp_path / "aclImdb" / "test", 20, rng)
    raw_train_ds, vectorizer, history, accuracy, predictions = main(tmp_path / "aclImdb")
    assert raw_train_ds.class_names == ["neg", "pos"]
    vocab = vectorizer.get_vocabulary()
    # the standardizer ran: no markup, no punctuation, no capitals in the vocabulary
    assert "br" not in vocab and not any(set(w) & set(string.punctuation + "<>/")
                                         for w in vocab[2:])
    assert "superb" in vocab and all(w == w.lower() for w in vocab[2:])
    assert history.history["val_binary_accuracy"][-1] >= 0.9
    assert accuracy >= 0.9
    assert predictions[0, 0] > 0.5 > predictions[1, 0]
