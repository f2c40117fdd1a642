"""The recurrent layers learn: small synthetic problems, trained for about a second each."""

import numpy as np
import pytest

from saessak import layers, losses, no_grad, ops
from saessak.datasets.synthetic import make_multiplication_data
from saessak.optimizers import Adam


def train(stack, x, y, loss, epochs, lr=0.01, batch=32):
    """A minimal training loop: forward, loss, backward, Adam, over shuffled batches."""
    opt, weights = Adam(lr), None
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            h = x[idx]
            with layers.learning_phase(True):
                for layer in stack:
                    h = layer(h)
            if weights is None:
                weights = [w for layer in stack for w in layer.trainable_weights]
            for w in weights:
                w.grad = None
            ops.mean(loss(y[idx], h)).backward()
            opt.step(weights)


def predict(stack, x):
    with no_grad():
        for layer in stack:
            x = layer(x)
    return x.numpy()


def sum_sign_data(n, seed):
    """Is the sum of a sequence of 12 random numbers positive?"""
    x = np.random.default_rng(seed).standard_normal((n, 12, 1)).astype(np.float32)
    return x, (x.sum(axis=(1, 2)) > 0).astype(np.float32)[:, None]


@pytest.mark.parametrize("recurrent", [
    lambda: layers.LSTM(8), lambda: layers.GRU(8), lambda: layers.SimpleRNN(8),
    lambda: layers.Bidirectional(layers.GRU(4)),
    lambda: layers.GRU(8, dropout=0.1, recurrent_dropout=0.1, reset_after=False)],
    ids=["LSTM", "GRU", "SimpleRNN", "Bidirectional", "GRU_dropout"])
def test_learns_the_sign_of_a_sum(recurrent):
    x, y = sum_sign_data(1024, seed=1)
    x_test, y_test = sum_sign_data(500, seed=2)
    stack = [recurrent(), layers.Dense(1, activation="sigmoid")]
    train(stack, x, y, losses.binary_crossentropy, epochs=6)
    accuracy = np.mean((predict(stack, x_test) > 0.5) == y_test)
    assert accuracy > 0.9, accuracy


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_multiplication_problem(kind):
    # Seed 000 7.2.2 with shorter sequences (25 steps, not 100) so that it runs in a second.
    x, y = make_multiplication_data(1024, length=25, seed=1)
    x_test, y_test = make_multiplication_data(500, length=25, seed=2)
    baseline = np.mean((y_test - y_test.mean()) ** 2)  # always predicting the mean
    stack = [getattr(layers, kind)(16), layers.Dense(1)]
    train(stack, x, y[:, None], losses.mean_squared_error, epochs=10)
    mse = np.mean((predict(stack, x_test)[:, 0] - y_test) ** 2)
    assert mse < 0.25 * baseline, (mse, baseline)


def test_multiplication_data_and_the_seed_parameter_counts():
    x, y = make_multiplication_data(50, length=100, seed=3)
    assert x.shape == (50, 100, 2) and y.shape == (50,) and x.dtype == np.float32
    assert np.all(x[:, :, 0].sum(axis=1) == 2)  # exactly two markers (the first feature)
    marked = x[:, :, 0] == 1
    np.testing.assert_allclose(y, np.prod(x[:, :, 1][marked].reshape(50, 2), axis=1), rtol=1e-6)
    np.testing.assert_array_equal(make_multiplication_data(5, seed=9)[0],
                                  make_multiplication_data(5, seed=9)[0])
    # Table 7.1: two recurrent layers of 30 units and Dense(1) on (100, 2) inputs
    for kind, expected in (("SimpleRNN", 2_851), ("LSTM", 11_311), ("GRU", 8_671)):
        stack = [getattr(layers, kind)(30, return_sequences=True), getattr(layers, kind)(30),
                 layers.Dense(1)]
        predict(stack, x[:2])
        assert sum(layer.count_params() for layer in stack) == expected
