"""Keras 3's train_step: self.compute_loss() gives the loss (compiled loss plus the model's
own losses), and the step updates every metric in self.metrics itself: the one named
"loss" with the loss, the others with (y, y_pred)."""

import numpy as np

import saessak as keras
from saessak import layers


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = list(self.trainable_weights)
        self.optimizer.apply([v.grad for v in trainable_weights], trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class ActivityPenalty(layers.Layer):
    """A layer that adds a loss of its own (picked up by compute_loss)."""

    def call(self, inputs):
        self.add_loss(1e-3 * keras.ops.mean(keras.ops.square(inputs)))
        return inputs


def main():
    keras.utils.set_random_seed(7)
    inputs = keras.Input(shape=(16,))
    x = layers.Dense(32, activation="relu")(inputs)
    x = ActivityPenalty()(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 16)).astype("float32")
    y = np.argmax(x[:, :3], axis=1)
    history = model.fit(x, y, batch_size=32, epochs=5, verbose=0)
    return model, history, (x, y)


def test_program():
    model, history, (x, y) = main()
    assert set(history.history) == {"loss", "accuracy"}
    assert history.history["accuracy"][-1] > 0.85
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.85 and loss < history.history["loss"][0]
