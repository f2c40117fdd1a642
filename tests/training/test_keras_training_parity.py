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
