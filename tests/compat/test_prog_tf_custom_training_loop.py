"""Writing a training loop from scratch (the Keras guide's shape): a small classifier,
a GradientTape step decorated with @tf.function, SparseCategoricalCrossentropy from
logits, an accuracy metric updated per batch and reset per epoch, and a validation loop."""

import numpy as np

import saessak.compat as tf
from saessak import keras


def make_blobs(n, rng):
    centers = np.array([[2.0, 2.0], [-2.0, 2.0], [0.0, -2.5]])
    y = rng.integers(0, 3, size=n)
    x = centers[y] + rng.normal(scale=0.7, size=(n, 2))
    return x.astype("float32"), y


def test_custom_training_loop():
    tf.random.set_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = make_blobs(600, rng)
    x_val, y_val = make_blobs(200, rng)

    model = keras.Sequential([keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3)])
    optimizer = keras.optimizers.Adam(learning_rate=1e-2)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train_dataset = train_dataset.shuffle(buffer_size=1024, seed=0).batch(64)
    val_dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(64)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_acc_metric.update_state(y, logits)
        return loss_value

    @tf.function
    def test_step(x, y):
        val_logits = model(x, training=False)
        val_acc_metric.update_state(y, val_logits)

    losses = []
    for _epoch in range(8):
        for x_batch_train, y_batch_train in train_dataset:
            loss_value = train_step(x_batch_train, y_batch_train)
        losses.append(float(loss_value))
        train_acc = float(train_acc_metric.result())
        train_acc_metric.reset_state()
        for x_batch_val, y_batch_val in val_dataset:
            test_step(x_batch_val, y_batch_val)
        val_acc = float(val_acc_metric.result())
        val_acc_metric.reset_state()

    assert losses[-1] < losses[0] / 3
    assert train_acc > 0.9 and val_acc > 0.9
    assert len(model.trainable_weights) == 4 and all(w.grad is None
                                                    for w in model.trainable_weights)
