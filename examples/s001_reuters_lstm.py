"""Seed 001, section 1: sorting Reuters newswires into 46 topics with an LSTM.

Each newswire is a list of word ranks (3 = the third most frequent word). We keep the 1,000
most frequent words, cut or pad every article to 100 words, and let an Embedding + LSTM read
it. The seed reports a test accuracy of 0.7177 (early stopping on the test loss, which the
seed also uses as its validation set).

    python examples/s001_reuters_lstm.py            # the seed's run (early stopping)
    python examples/s001_reuters_lstm.py --quick    # a few seconds on a few hundred wires
"""

import numpy as np
from _common import RESULTS, Stopwatch, cli, data_folder, epochs_or, history_dict, save_curves

import saessak as keras
from saessak import layers
from saessak.callbacks import EarlyStopping
from saessak.datasets import reuters
from saessak.preprocessing import sequence
from saessak.utils import to_categorical

SEED_ACCURACY = 0.7177


def build_model(num_words=1000):
    model = keras.Sequential([
        layers.Embedding(num_words, 100),             # word rank -> 100-d vector
        layers.LSTM(100, activation="tanh"),          # reads the article, keeps a summary
        layers.Dense(46, activation="softmax"),       # one probability per topic
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    with data_folder(data_dir):
        (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=1000,
                                                                 test_split=0.2)
    print(f"{np.max(y_train) + 1} topics, {len(x_train)} training and {len(x_test)} test "
          "newswires")
    if quick:
        x_train, y_train, x_test, y_test = x_train[:300], y_train[:300], x_test[:100], y_test[:100]

    # every article becomes exactly 100 ranks: zeros in front, or only its last 100 words
    x_train = sequence.pad_sequences(x_train, maxlen=100)
    x_test = sequence.pad_sequences(x_test, maxlen=100)
    y_train = to_categorical(y_train, 46)
    y_test = to_categorical(y_test, 46)

    model = build_model()
    model.summary()
    stop = EarlyStopping(monitor="val_loss", patience=5)
    epochs = epochs_or(epochs, 1 if quick else 200)
    with Stopwatch() as clock:
        history = model.fit(x_train, y_train, batch_size=20, epochs=epochs,
                            validation_data=(x_test, y_test), callbacks=[stop], verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\n Test Accuracy: {accuracy:.4f}   (seed 001: {SEED_ACCURACY})")
    curves = save_curves(history, out_dir, "s001_reuters_lstm", metrics=("loss", "accuracy"))
    return {"accuracy": float(accuracy), "loss": float(loss),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
