"""Going lower-level: compile() with only an optimizer, metrics created by hand as Mean
trackers, listed in the model's metrics property so that fit() resets them each epoch."""

import numpy as np

import saessak as keras

loss_tracker = keras.metrics.Mean(name="loss")
mae_metric = keras.metrics.MeanAbsoluteError(name="mae")


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = keras.losses.mean_squared_error(y, y_pred)
        loss = keras.ops.mean(loss)
        loss.backward()
        trainable_vars = self.trainable_variables
        self.optimizer.apply_gradients(zip([v.grad for v in trainable_vars], trainable_vars))
        loss_tracker.update_state(loss)
        mae_metric.update_state(y, y_pred)
        return {"loss": loss_tracker.result(), "mae": mae_metric.result()}

    @property
    def metrics(self):
        # listed here so that reset_states() runs at the start of each epoch
        return [loss_tracker, mae_metric]


def main():
    keras.utils.set_random_seed(1)
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam")  # no loss and no metrics: the step has its own
    x = np.random.random((1000, 32))
    y = x.sum(axis=1, keepdims=True) / 8
    return model.fit(x, y, epochs=5, verbose=0)


def test_program():
    history = main()
    assert sorted(history.history) == ["loss", "mae"]
    loss = history.history["loss"]
    assert loss[-1] < loss[0]
    # the trackers were reset each epoch: the last epoch's mean is below the first's
    assert history.history["mae"][-1] < history.history["mae"][0]
