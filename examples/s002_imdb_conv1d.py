"""Seed 002, section 6.4-3: a 1-D convnet for IMDB.

Two 7-word convolutions with max pooling in between, then the strongest response of each
of the 32 filters anywhere in the review (global max pooling). Convolutions see only local
windows, but they are fast and find phrases wherever they occur. The seed shows only the
summary (1,315,937 parameters).

One fix, stated: the seed's last layer is ``Dense(1)`` without an activation while the loss
is binary cross-entropy, which expects a probability; we add the sigmoid.

    python examples/s002_imdb_conv1d.py [--epochs N] [--quick] [--backup-dir DIR]
"""

from _common import RESULTS, Stopwatch, cli, epochs_or, history_dict, resumable, save_curves
from s002_imdb_embedding_flatten import load

import saessak as keras
from saessak import layers


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=0, backup_dir=None):
    keras.utils.set_random_seed(seed)
    maxlen = 500
    (x_train, y_train), (x_test, y_test) = load(maxlen=maxlen, quick=quick, data_dir=data_dir)
    maxlen = x_train.shape[1]
    model = keras.Sequential([
        layers.Embedding(10000, 128, input_length=maxlen),
        layers.Conv1D(32, 7, activation="relu"),     # 500 -> 494 steps
        layers.MaxPooling1D(5),                       # -> 98
        layers.Conv1D(32, 7, activation="relu"),     # -> 92
        layers.GlobalMaxPooling1D(),                  # -> 32 features
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(lr=1e-4), loss="binary_crossentropy",
                  metrics=["acc"])
    model.summary()
    callbacks, journal = resumable(keras, backup_dir)
    with Stopwatch() as clock:
        history = model.fit(x_train, y_train, epochs=epochs_or(epochs, 1 if quick else 10),
                            batch_size=128, validation_split=0.2, verbose=2,
                            callbacks=callbacks)
    if journal:  # resumed runs: the curves and the time of every process that trained
        history, clock.seconds = journal.history(history), journal.seconds
    val_accuracy = history.history["val_acc"][-1]
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"validation accuracy {val_accuracy:.4f}, test accuracy {accuracy:.4f}")
    curves = save_curves(history, out_dir, "s002_imdb_conv1d", metrics=("loss", "acc"))
    return {"val_accuracy": float(val_accuracy), "accuracy": float(accuracy),
            "epochs": len(history.history["loss"]), "train_seconds": clock.seconds,
            "curves": curves, "history": history_dict(history),
            "why": "sigmoid added to the seed's last Dense(1)"}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
