"""Customizing what happens in fit(), the tf.keras 2 way: override train_step(data) and use
self.compiled_loss and self.compiled_metrics, so compile() still picks the loss, the
metrics and the optimizer."""

import numpy as np

import saessak as keras


class CustomModel(keras.Model):
    def train_step(self, data):
        # Unpack the data. Its structure depends on your model and on what you pass to fit().
        x, y = data
        y_pred = self(x, training=True)  # forward pass
        # The loss function configured in compile(), plus the regularization losses
        loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        # Gradients, then one update of the weights
        trainable_vars = self.trainable_variables
        loss.backward()
        gradients = [v.grad for v in trainable_vars]
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        # Update the metrics (includes the metric that tracks the loss)
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def main():
    keras.utils.set_random_seed(42)
    inputs = keras.Input(shape=(32,))
    hidden = keras.layers.Dense(16, activation="relu",
                                kernel_regularizer=keras.regularizers.l2(1e-4))(inputs)
    outputs = keras.layers.Dense(1)(hidden)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])

    x = np.random.random((1000, 32))
    y = x[:, :1] * 2.0 + x[:, 1:2]  # something learnable
    history = model.fit(x, y, epochs=3, verbose=0)
    return model, history


def test_program():
    model, history = main()
    assert sorted(history.history) == ["loss", "mae"]
    losses = history.history["loss"]
    assert losses[-1] < losses[0] / 2
    assert model.metrics_names == ["loss", "mae"]
