"""saessak learns the way Keras learns: from Keras's initial weights, on the same batches.

Issue 19 compares the spread of results over seeds, where each framework draws its own
initial weights and shuffles its own way. These fixtures (``scripts/make_training_parity.py``,
real Keras 3.15 with TensorFlow) take the draws away: the seed-000 multiplication network
(two recurrent layers of 30 units, Dense(1), Adam, mse, batch 32, validation split 0.2) trains
4 epochs with ``shuffle=False`` from weights Keras drew. Started from the same weights,
saessak must give the same loss every epoch and the same final weights, up to float32
rounding (the two sum in different orders; 32 Adam steps let such differences grow to
about 1e-5 of a weight).
"""

import os
import sys

import numpy as np
import pytest

import saessak as keras
from saessak.datasets.synthetic import make_multiplication_data

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_same_weights_same_batches_same_training(kind):
    recorded = np.load(os.path.join(FIXTURES, f"training_{kind.lower()}_multiplication.npz"))
    x, y = make_multiplication_data(320, length=100, seed=0)
    assert x.sum(dtype=np.float64) == pytest.approx(float(recorded["x_sum"]), rel=1e-12)
    assert y.sum(dtype=np.float64) == pytest.approx(float(recorded["y_sum"]), rel=1e-12)

    rnn = getattr(keras.layers, kind)
    model = keras.Sequential([keras.Input((100, 2)), rnn(30, return_sequences=True), rnn(30),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    count = sum(name.startswith("initial_") for name in recorded.files)
    model.set_weights([recorded[f"initial_{i}"] for i in range(count)])
    history = model.fit(x, y, epochs=4, batch_size=32, validation_split=0.2, shuffle=False,
                        verbose=0)

    np.testing.assert_allclose(history.history["loss"], recorded["loss"], rtol=2e-5)
    np.testing.assert_allclose(history.history["val_loss"], recorded["val_loss"], rtol=2e-5)
    for i, weight in enumerate(model.get_weights()):
        final = recorded[f"final_{i}"]
        np.testing.assert_allclose(weight, final, rtol=0, atol=3e-5 * np.abs(final).max(),
                                   err_msg=f"{kind} weight {i}")


def _review_model_from(recorded):
    """Seed 004's bidirectional SimpleRNN classifier, compiled, at the recorded weights."""
    model = _parity_script().review_model(keras)
    count = sum(name.startswith("initial_") for name in recorded.files)
    model.set_weights([recorded[f"initial_{i}"] for i in range(count)])
    return model


def _parity_script():
    """``scripts/make_training_parity.py``, which builds the fixtures' model and data."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
    import make_training_parity

    return make_training_parity


def _review_data(recorded):
    x, y = _parity_script().review_data()
    assert (x.sum(), y.sum()) == (float(recorded["x_sum"]), float(recorded["y_sum"]))
    return x, y


def test_bidirectional_simplernn_classifier_trains_as_in_tf_keras():
    """Seed 004's bidirectional SimpleRNN on review-shaped token sequences (zero-padded at
    the end), binary cross-entropy with accuracy, against tf.keras 2 (the seeds' Keras):
    the same loss every epoch and the same final weights."""
    recorded = np.load(os.path.join(FIXTURES, "training_bidirectional_simplernn.npz"))
    x, y = _review_data(recorded)
    model = _review_model_from(recorded)
    history = model.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], recorded["loss"], rtol=2e-5)
    # a probability within float rounding of 0.5 may land on either side: one review of 256
    np.testing.assert_allclose(history.history["accuracy"], recorded["accuracy"], rtol=0,
                               atol=1 / 256 + 1e-9)
    # Adam divides by sqrt(v), so a rarely seen token's row, whose gradient is tiny, turns
    # float32 rounding into visible step differences: allow 1% of one step (lr 1e-3)
    for i, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(weight, recorded[f"final_{i}"], rtol=0, atol=1e-5,
                                   err_msg=f"weight {i}")


def test_embedding_adam_step_is_the_dense_rule_not_keras_3s():
    """From the same weights, one Adam step on the first batch: every embedding entry moves
    by at most the learning rate, as dense Adam's first step must (|m / sqrt(v)| = 1). Keras
    3.15's TensorFlow Adam moved frequent tokens' rows by up to ~3x the learning rate: it
    sums the squares of a repeated row's gradient slices where dense Adam squares their sum
    (tf.keras 2, the seeds' Keras, trains as saessak does: the test above)."""
    recorded = np.load(os.path.join(FIXTURES, "training_bidirectional_simplernn.npz"))
    x, y = _review_data(recorded)
    model = _review_model_from(recorded)
    model.train_on_batch(x[:32], y[:32])
    ours = np.asarray(model.get_weights()[0]) - recorded["initial_0"]
    theirs = recorded["keras3_embedding_step"]
    assert np.abs(ours).max() <= 1e-3 * (1 + 1e-4)
    assert np.abs(theirs).max() > 2e-3  # what Keras 3 did (recorded)
    rows = np.unique(x[:32])  # every row the batch used moves, in Keras 3 too
    assert (np.abs(ours[rows]).max(axis=1) > 0).all()
    assert (np.abs(theirs[rows]).max(axis=1) > 0).all()
