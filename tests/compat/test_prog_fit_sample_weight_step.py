"""Supporting sample_weight and class_weight in a custom train_step: unpack the data with
keras.utils.unpack_x_y_sample_weight and pass the weights on to the compiled loss and
metrics."""

import numpy as np

import saessak as keras


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self.compiled_loss(y, y_pred, sample_weight=sample_weight,
                                  regularization_losses=self.losses)
        loss.backward()
        trainable_vars = self.trainable_variables
        self.optimizer.apply_gradients(zip([v.grad for v in trainable_vars], trainable_vars))
        self.compiled_metrics.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


def build():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(8,))
    outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy",
                  metrics=["accuracy"], weighted_metrics=["accuracy"])
    return model


def main():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    sw = np.where(y == 1, 2.0, 1.0)  # positives count twice
    weighted = build()
    h1 = weighted.fit(x, y, sample_weight=sw, epochs=5, verbose=0)
    balanced = build()
    h2 = balanced.fit(x, y, class_weight={0: 1.0, 1: 2.0}, epochs=5, verbose=0)
    return h1, h2


def test_program():
    h1, h2 = main()
    assert set(h1.history) == {"loss", "accuracy", "weighted_accuracy"}
    assert h1.history["accuracy"][-1] > 0.9
    # class_weight {1: 2} is the same as a sample weight of 2 on the positives
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-6)
    assert h1.history["weighted_accuracy"] != h1.history["accuracy"]
