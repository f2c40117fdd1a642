"""Seed 002, section 6.1-3: IMDB from raw text with a pre-trained GloVe embedding.

The raw reviews are tokenised (``Tokenizer(num_words=10000)``), cut to 100 words, and only
200 of them are used for training (10,000 for validation), as in the seed: the point is
that with so little data, word vectors learned elsewhere carry knowledge the model could
not learn itself. ``load_word_vectors`` streams the GloVe file and fills the Embedding's
matrix; the Embedding is then frozen. Then the same model learns its own embedding on 2,000
reviews for comparison (6.1-3-f).

The GloVe file is ``glove/glove.6B.100d.txt`` under the data folder when it is there (the
seed's file, 400,000 words). The project holds only a 100-word sample
(``glove.6B.100d.sample.txt.gz``), which covers the most frequent words only; the script
uses it when the full file is absent and says so, so the accuracy then is not the seed's.

    python examples/s002_glove_embedding.py [--epochs N] [--quick] [--data-dir DIR]
"""

import importlib.util
import os

import numpy as np
from _common import RESULTS, Stopwatch, cli, data_folder, epochs_or, history_dict, save_curves

import saessak as keras
from saessak import layers
from saessak.datasets import imdb
from saessak.preprocessing.sequence import pad_sequences
from saessak.preprocessing.text import Tokenizer

MAXLEN, MAX_WORDS, EMBEDDING_DIM = 100, 10000, 100
GLOVE_NAMES = ("glove.6B.100d.txt", "glove.6B.100d.txt.gz", "glove.6B.100d.sample.txt.gz")


def glove_file(data_dir):
    """The fullest GloVe 100d file in the data folder, and whether it is only the sample."""
    root = data_dir or os.environ.get("SAESSAK_DATA") or ""
    for name in GLOVE_NAMES:
        path = os.path.join(root, "glove", name)
        if os.path.exists(path):
            return path, "sample" in name
    raise FileNotFoundError(f"no GloVe file ({', '.join(GLOVE_NAMES)}) under "
                            f"{os.path.join(root, 'glove')}; download glove.6B.zip from "
                            "https://nlp.stanford.edu/data/glove.6B.zip and unpack it there")


def build_model():
    return keras.Sequential([
        layers.Embedding(MAX_WORDS, EMBEDDING_DIM, input_length=MAXLEN),
        layers.Flatten(),
        layers.Dense(32, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    with data_folder(data_dir) as chosen:
        (texts, labels), (test_texts, test_labels) = imdb.load_raw()
        path, is_sample = glove_file(chosen)
    training_samples, validation_samples = (100, 200) if quick else (200, 10000)
    tokenizer = Tokenizer(num_words=MAX_WORDS)
    tokenizer.fit_on_texts(texts)
    data = pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=MAXLEN)
    labels = np.asarray(labels)
    print(f"{len(tokenizer.word_index)} unique tokens; data {data.shape}")
    order = np.random.default_rng(seed).permutation(len(data))
    data, labels = data[order], labels[order]
    x_train, y_train = data[:training_samples], labels[:training_samples]
    x_val = data[training_samples:training_samples + validation_samples]
    y_val = labels[training_samples:training_samples + validation_samples]

    matrix, coverage = keras.utils.load_word_vectors(
        path, tokenizer.word_index, EMBEDDING_DIM, num_words=MAX_WORDS, return_coverage=True)
    if is_sample:
        print(f"note: {os.path.basename(path)} is the 100-word sample, not the seed's file")

    model = build_model()
    model.layers[0].set_weights([matrix])
    model.layers[0].trainable = False       # keep what GloVe learned
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    model.summary()                         # 1,320,065 parameters, 1,000,000 frozen
    n_epochs = epochs_or(epochs, 1 if quick else 10)
    with Stopwatch() as clock:
        history = model.fit(x_train, y_train, epochs=n_epochs, batch_size=32,
                            validation_data=(x_val, y_val), verbose=2)
    os.makedirs(out_dir, exist_ok=True)
    # Keras's weights file, as the seed saves it; it needs h5py (saessak[h5]), so a core
    # install writes saessak's own container instead
    has_h5py = importlib.util.find_spec("h5py") is not None
    weights_path = os.path.join(out_dir, "pre_trained_glove_model.weights."
                                + ("h5" if has_h5py else "saessak"))
    model.save_weights(weights_path)
    print(f"weights saved to {weights_path}")

    # 6.1-3-f: the same model learning its own embedding from 2,000 reviews
    own = build_model()
    own.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    more = 200 if quick else 2000
    own_history = own.fit(data[:more], labels[:more], epochs=n_epochs, batch_size=32,
                          validation_data=(data[more:more + validation_samples],
                                           labels[more:more + validation_samples]), verbose=2)

    curves = save_curves(history, out_dir, "s002_glove_embedding", metrics=("loss", "acc"))

    # 6.1-3-g: the GloVe model on the test reviews
    x_test = pad_sequences(tokenizer.texts_to_sequences(test_texts), maxlen=MAXLEN)
    model.load_weights(weights_path)
    test_loss, test_accuracy = model.evaluate(x_test, np.asarray(test_labels), verbose=0)
    val_accuracy = history.history["val_acc"][-1]
    print(f"GloVe ({coverage.fraction:.1%} of words covered): validation accuracy "
          f"{val_accuracy:.4f}, test accuracy {test_accuracy:.4f}; own embedding on {more} "
          f"reviews: validation accuracy {own_history.history['val_acc'][-1]:.4f}")
    own_accuracy = own_history.history["val_acc"][-1]
    why = (f"the sample covers {coverage.fraction:.1%} of the {MAX_WORDS:,} words, so the frozen "
           "embedding is nearly all zeros and the model stays near chance; learning its own "
           f"embedding on {more:,} reviews reaches {own_accuracy:.4f}") if is_sample else None
    return {"val_accuracy": float(val_accuracy), "accuracy": float(test_accuracy),
            "own_embedding_val_accuracy": float(own_accuracy), "why": why,
            "glove_coverage": coverage.fraction, "glove_sample_only": is_sample,
            "epochs": n_epochs, "train_seconds": clock.seconds, "curves": curves,
            "history": history_dict(history)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
