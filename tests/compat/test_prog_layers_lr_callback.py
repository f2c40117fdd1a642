"""Writing your own callbacks: a learning-rate scheduler that reads the optimizer's
learning rate through keras.backend.get_value and assigns the new one (Keras 3's guide
writes ``optimizer.learning_rate = lr``), and a logger that records it after each epoch."""

import numpy as np

from saessak import keras

LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.0)]  # (epoch to start, learning rate)


def lr_schedule(epoch, lr):
    """Helper function to retrieve the scheduled learning rate based on epoch."""
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for start, rate in LR_SCHEDULE:
        if epoch == start:
            return rate
    return lr


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = float(keras.backend.get_value(self.model.optimizer.learning_rate))
        scheduled_lr = lr_schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr


class LearningRateLogger(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.rates, self.kernels = [], []

    def on_epoch_end(self, epoch, logs=None):
        logs["lr"] = float(keras.backend.get_value(self.model.optimizer.learning_rate))
        self.rates.append(logs["lr"])
        self.kernels.append(self.model.get_weights()[0].copy())


def get_model():
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


def main():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train = rng.uniform(0, 1, size=(256, 784)).astype("float32") / 28
    y_train = x_train @ rng.normal(size=(784, 1)).astype("float32")
    model = get_model()
    logger = LearningRateLogger()
    history = model.fit(x_train, y_train, batch_size=64, epochs=12, verbose=0,
                        callbacks=[CustomLearningRateScheduler(lr_schedule), logger])
    return logger, history


def test_program():
    logger, history = main()
    expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(logger.rates, expected, rtol=1e-6)
    np.testing.assert_allclose(history.history["lr"], expected, rtol=1e-6)
    # learning rate 0 from epoch 9 on: the weights stop moving; before, they moved
    np.testing.assert_array_equal(logger.kernels[9], logger.kernels[11])
    assert not np.array_equal(logger.kernels[7], logger.kernels[8])
    assert history.history["loss"][8] < history.history["loss"][0]
