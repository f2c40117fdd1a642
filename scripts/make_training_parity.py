"""Record real Keras training a recurrent model, so that saessak can be checked step for step.

Issue 19 compares saessak's and Keras's spread of results over seeds. A spread cannot say
whether the two learn the same way, because each framework draws its own initial weights and
shuffles its own way. This fixture takes those two draws away: it records Keras's initial
weights, trains with ``shuffle=False``, and keeps every epoch's loss and the final weights.
``tests/training/test_keras_training_parity.py`` starts saessak from the same weights on the
same batches and must land on the same numbers.

Run in an environment with Keras 3 (TensorFlow backend) and tf-keras::

    /work/tfvenv/bin/python scripts/make_training_parity.py

It writes ``tests/fixtures/keras/training_<kind>_multiplication.npz`` for LSTM, GRU and
SimpleRNN: the seed-000 multiplication network (two recurrent layers of 30 units, Dense(1),
Adam, mse) on 320 problems of 100 steps (seed 0), 4 epochs of batch 32, a validation split
of 0.2, one thread; and ``training_bidirectional_simplernn.npz``, seed 004's bidirectional
SimpleRNN classifier on review-shaped token sequences (``review_data``), in tf.keras 2 (see
``record_bidirectional`` for why not Keras 3).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import numpy as np  # noqa: E402

from saessak.datasets.synthetic import make_multiplication_data  # noqa: E402  (NumPy only)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                   "keras")
N, LENGTH, EPOCHS, SEED = 320, 100, 4, 0


def record(kind):
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(SEED)
    x, y = make_multiplication_data(N, length=LENGTH, seed=SEED)
    rnn = getattr(keras.layers, kind)
    model = keras.Sequential([keras.Input((LENGTH, 2)), rnn(30, return_sequences=True),
                              rnn(30), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    initial = model.get_weights()
    history = model.fit(x, y, epochs=EPOCHS, batch_size=32, validation_split=0.2,
                        shuffle=False, verbose=0)
    arrays = {f"initial_{i}": w for i, w in enumerate(initial)}
    arrays.update({f"final_{i}": w for i, w in enumerate(model.get_weights())})
    path = os.path.join(OUT, f"training_{kind.lower()}_multiplication.npz")
    # the data are not stored: the test makes them again with the same NumPy generator, and
    # checks these sums first
    np.savez_compressed(path, x_sum=np.float64(x.sum(dtype=np.float64)),
                        y_sum=np.float64(y.sum(dtype=np.float64)),
                        loss=np.array(history.history["loss"]),
                        val_loss=np.array(history.history["val_loss"]),
                        versions=np.array(f"keras {keras.__version__}, tensorflow "
                                          f"{tf.__version__}"), **arrays)
    print(f"wrote {os.path.relpath(path)}: loss {history.history['loss']}")


def review_data():
    """Token sequences shaped like seed 004's IMDB reviews (last 100 words, zero padding at
    the end of the shorter ones) with a label that depends on which tokens occur."""
    rng = np.random.default_rng(SEED)
    lengths = rng.integers(20, 101, 256)
    x = np.zeros((256, 100), "int64")
    for row, n in zip(x, lengths):
        row[:n] = rng.integers(1, 200, n)
    y = (np.isin(x, np.arange(1, 40)).sum(axis=1) > lengths * 0.19).astype("float32")
    return x, y


def review_model(keras):
    """The classifier, compiled, in ``keras`` (Keras 3, tf.keras 2 or saessak: the test
    builds it from this same code)."""
    layers = keras.layers
    model = keras.Sequential([keras.Input((100,), dtype="int64"), layers.Embedding(200, 20),
                              layers.Bidirectional(layers.SimpleRNN(64)),
                              layers.Dense(64, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def record_bidirectional():
    """Seed 004's bidirectional SimpleRNN (Embedding > Bidirectional(SimpleRNN) > Dense(64,
    relu) > Dense(1, sigmoid), binary cross-entropy, Adam(1e-3), accuracy), smaller vocabulary,
    3 epochs of batch 32 without shuffling, in tf.keras 2 (the seeds' Keras).

    Also kept: the Embedding's first Adam step in Keras 3 from the same weights. Keras 3's
    TensorFlow Adam squares the gradient's slices one by one before summing a row that occurs
    several times in the batch, so its second moment is sum(g_i^2) where dense Adam has
    (sum g_i)^2, and its first step exceeds the learning rate for frequent tokens."""
    import keras as keras3
    import tensorflow as tf
    import tf_keras

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf_keras.utils.set_random_seed(SEED)
    x, y = review_data()
    model = review_model(tf_keras)
    initial = model.get_weights()
    history = model.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0)
    other = review_model(keras3)
    other.set_weights(initial)
    other.train_on_batch(x[:32], y[:32])
    arrays = {f"initial_{i}": w for i, w in enumerate(initial)}
    arrays.update({f"final_{i}": w for i, w in enumerate(model.get_weights())})
    path = os.path.join(OUT, "training_bidirectional_simplernn.npz")
    np.savez_compressed(path, x_sum=np.float64(x.sum()), y_sum=np.float64(y.sum()),
                        loss=np.array(history.history["loss"]),
                        accuracy=np.array(history.history["accuracy"]),
                        keras3_embedding_step=other.get_weights()[0] - initial[0],
                        versions=np.array(f"tf_keras {tf_keras.__version__}, keras "
                                          f"{keras3.__version__}"), **arrays)
    print(f"wrote {os.path.relpath(path)}: loss {history.history['loss']}")


if __name__ == "__main__":
    for kind in sys.argv[1:] or ["LSTM", "GRU", "SimpleRNN", "bidirectional"]:
        record_bidirectional() if kind == "bidirectional" else record(kind)
