"""Seed 001, section 2: IMDB review sentiment with a Conv1D front end and an LSTM.

A 1-D convolution slides a 5-word window over the embedded review and picks out local
phrases; max pooling keeps the strongest of every 4 positions, so the LSTM reads a sequence
four times shorter (500 -> 496 -> 124 steps). The seed reports 0.8796 test accuracy.

The seed reads Keras's preprocessed ``imdb.npz``; offline we build the same word ranks from
the raw reviews and Keras's word index (``saessak.datasets.imdb`` does this, 99.97% of the
tokens are found).

    python examples/s001_imdb_conv_lstm.py [--epochs N] [--quick]
"""

from _common import RESULTS, Stopwatch, cli, data_folder, epochs_or, history_dict, save_curves

import saessak as keras
from saessak import layers
from saessak.callbacks import EarlyStopping
from saessak.datasets import imdb
from saessak.preprocessing import sequence

SEED_ACCURACY = 0.8796


def load(num_words=5000, maxlen=500, quick=False, data_dir=None):
    """(x_train, y_train), (x_test, y_test): reviews as `maxlen` word ranks below
    `num_words`."""
    with data_folder(data_dir):
        (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=num_words)
    if quick:  # a few hundred reviews, cut short
        x_train, y_train, x_test, y_test = x_train[:400], y_train[:400], x_test[:200], y_test[:200]
        maxlen = min(maxlen, 100)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
    return (x_train, y_train), (x_test, y_test)


def build_model():
    model = keras.Sequential([
        layers.Embedding(5000, 100),
        layers.Dropout(0.5),
        layers.Conv1D(64, 5, padding="valid", activation="relu", strides=1),
        layers.MaxPooling1D(pool_size=4),
        layers.LSTM(55),
        layers.Dense(1),
        layers.Activation("sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load(quick=quick, data_dir=data_dir)
    model = build_model()
    model.summary()  # 558,520 parameters, as in the seed
    stop = EarlyStopping(monitor="val_loss", patience=3)
    with Stopwatch() as clock:
        # as in the seed: the last 25% of the training reviews are held out for validation
        history = model.fit(x_train, y_train, batch_size=40,
                            epochs=epochs_or(epochs, 1 if quick else 100),
                            validation_split=0.25, callbacks=[stop], verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\n Test Accuracy: {accuracy:.4f}   (seed 001: {SEED_ACCURACY})")
    curves = save_curves(history, out_dir, "s001_imdb_conv_lstm")
    return {"accuracy": float(accuracy), "loss": float(loss),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
