"""The same training three ways, as the Keras guides present them: the built-in fit(), a
custom training loop with tf.GradientTape, and fit() with a Keras-style train_step(data)
that uses a GradientTape. On the same data, in float64, all three end with exactly the
same weights (bit for bit), with SGD and with Adam."""

import numpy as np
import pytest

import saessak as keras
import saessak.compat as tf


def make_model():
    keras.utils.set_random_seed(1234)
    inputs = keras.Input(shape=(4,))
    x = keras.layers.Dense(8, activation="tanh",
                           kernel_regularizer=keras.regularizers.l2(1e-3))(inputs)
    outputs = keras.layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


class TapeStepModel(keras.Model):
    """Customizing what happens in fit(): the step written with a GradientTape."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


def make_tape_step_model():
    base = make_model()
    return TapeStepModel(base.inputs, base.outputs)


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4))
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * rng.normal(size=(96, 1)))
    return x, y


def run_fit(model, optimizer, epochs, batch_size):
    x, y = data()
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    return model.get_weights()


def run_tape_loop(optimizer, epochs, batch_size):
    x, y = data()
    model = make_model()
    loss_fn = keras.losses.MeanSquaredError()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    for _ in range(epochs):
        for x_batch, y_batch in dataset:
            with tf.GradientTape() as tape:
                y_pred = model(x_batch, training=True)
                loss = loss_fn(y_batch, y_pred) + tf.add_n(model.losses)  # + L2 penalty
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return model.get_weights()


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_gradient_tape_loop_and_custom_train_step_equal_fit(opt):
    def optimizer():
        return keras.optimizers.SGD(0.05) if opt == "sgd" else keras.optimizers.Adam(0.01)

    with keras.backend.floatx_scope("float64"):
        builtin = run_fit(make_model(), optimizer(), epochs=3, batch_size=16)
        looped = run_tape_loop(optimizer(), epochs=3, batch_size=16)
        stepped = run_fit(make_tape_step_model(), optimizer(), epochs=3, batch_size=16)
    assert all(w.dtype == np.float64 for w in builtin)
    initial = make_model().get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(builtin, initial))  # it trained
    for a, b, c in zip(builtin, looped, stepped):
        np.testing.assert_array_equal(a, b)  # exactly, not approximately
        np.testing.assert_array_equal(a, c)
