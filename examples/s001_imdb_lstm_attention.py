"""Seed 001, section 3: IMDB sentiment with an LSTM followed by attention.

The LSTM returns its state at every one of the 500 steps. Instead of keeping only the last
one, attention scores every step against the last state (Luong's score), turns the scores
into weights with a softmax, and mixes the states with them into a context vector; the
context and the last state make a 128-d summary (``saessak.layers.SequenceAttention``, the
layer the seed installs as ``pip install attention``). The seed reports 0.8808.

    python examples/s001_imdb_lstm_attention.py [--epochs N] [--quick]
"""

import numpy as np
from _common import RESULTS, Stopwatch, cli, epochs_or, history_dict, save_curves
from s001_imdb_conv_lstm import load

import saessak as keras
from saessak import layers
from saessak.callbacks import EarlyStopping

SEED_ACCURACY = 0.8808


def build_model():
    model = keras.Sequential([
        layers.Embedding(5000, 500),
        layers.Dropout(0.5),
        layers.LSTM(64, return_sequences=True),
        layers.SequenceAttention(128),     # (batch, 500, 64) -> (batch, 128)
        layers.Dropout(0.5),
        layers.Dense(1),
        layers.Activation("sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0):
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load(quick=quick, data_dir=data_dir)
    model = build_model()
    model.summary()
    stop = EarlyStopping(monitor="val_loss", patience=3)
    with Stopwatch() as clock:
        # the seed validates on the test set (and stops on it)
        history = model.fit(x_train, y_train, batch_size=40,
                            epochs=epochs_or(epochs, 1 if quick else 100),
                            validation_data=(x_test, y_test), callbacks=[stop], verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\n Test Accuracy: {accuracy:.4f}   (seed 001: {SEED_ACCURACY})")

    # which words did the model look at? the attention weights of the first test review
    attention = model.layers[3]
    model.predict(x_test[:1], verbose=0)
    weights = getattr(attention, "last_attention_weights", None)
    if weights is not None:
        top = np.argsort(np.asarray(weights)[0].ravel())[::-1][:5]
        print("most attended positions of test review 0:", top.tolist())
    curves = save_curves(history, out_dir, "s001_imdb_lstm_attention")
    return {"accuracy": float(accuracy), "loss": float(loss),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history)}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
