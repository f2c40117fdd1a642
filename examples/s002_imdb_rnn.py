"""Seed 002, sections 6.2-6.3: recurrent layers on IMDB, four ways.

All read the 10,000 most frequent words and the last 500 words of each review, train with
RMSprop for 10 epochs (batch 128, 20% validation), and end in one sigmoid unit:

* ``simplernn``: Embedding(10000, 32) + SimpleRNN(32). A plain RNN forgets the start of a
  long review (the seed shows only curves).
* ``lstm``: the same with LSTM(32), which keeps a separate carry track.
* ``reversed``: Embedding(10000, 128) + LSTM(32) on reviews read backwards; word order
  matters less for sentiment than for weather: seed val_acc 0.8764.
* ``bidirectional``: Bidirectional(LSTM(32)), one copy reading each way (on the reversed
  data, as in the seed): 0.8770.

    python examples/s002_imdb_rnn.py --variant lstm [--epochs N] [--quick]
"""

import argparse

from _common import (
    RESULTS,
    Stopwatch,
    epochs_or,
    history_dict,
    positive_int,
    results_dir,
    save_curves,
)
from s002_imdb_embedding_flatten import load

import saessak as keras
from saessak import layers

SEED_VAL_ACCURACY = {"simplernn": None, "lstm": None, "reversed": 0.8764, "bidirectional": 0.8770}


def build_model(variant):
    if variant == "simplernn":
        stack = [layers.Embedding(10000, 32), layers.SimpleRNN(32)]
    elif variant == "lstm":
        stack = [layers.Embedding(10000, 32), layers.LSTM(32)]
    elif variant == "reversed":
        stack = [layers.Embedding(10000, 128), layers.LSTM(32)]
    elif variant == "bidirectional":
        stack = [layers.Embedding(10000, 32), layers.Bidirectional(layers.LSTM(32))]
    else:
        raise ValueError(f"variant must be simplernn, lstm, reversed or bidirectional, "
                         f"received {variant!r}")
    model = keras.Sequential(stack + [layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0, variant="lstm",
         max_train=None):
    keras.utils.set_random_seed(seed)
    reverse = variant in ("reversed", "bidirectional")
    (x_train, y_train), (x_test, y_test) = load(maxlen=500, quick=quick, data_dir=data_dir,
                                                reverse=reverse)
    run_note = ""
    if max_train:
        x_train, y_train = x_train[:max_train], y_train[:max_train]
        run_note = f"first {max_train} training reviews"
    model = build_model(variant)
    model.summary()
    with Stopwatch() as clock:
        history = model.fit(x_train, y_train, epochs=epochs_or(epochs, 1 if quick else 10),
                            batch_size=128, validation_split=0.2, verbose=2)
    val_accuracy = history.history["val_acc"][-1]
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"{variant}: validation accuracy {val_accuracy:.4f} "
          f"(seed 002: {SEED_VAL_ACCURACY[variant]}), test accuracy {accuracy:.4f}")
    curves = save_curves(history, out_dir, f"s002_imdb_{variant}", metrics=("loss", "acc"))
    return {"val_accuracy": float(val_accuracy), "accuracy": float(accuracy),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history), "run_note": run_note}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="lstm",
                        choices=["simplernn", "lstm", "reversed", "bidirectional"])
    parser.add_argument("--epochs", type=positive_int)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data-dir")
    parser.add_argument("--out-dir")
    a = parser.parse_args()
    main(a.epochs, a.quick, a.data_dir, results_dir(a.out_dir, a.quick), variant=a.variant)
