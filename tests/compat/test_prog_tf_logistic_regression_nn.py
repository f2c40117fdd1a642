"""Logistic regression written with tf.nn (the low-level style of TensorFlow 2 tutorials):
tf.Variable weights, tf.nn.sigmoid_cross_entropy_with_logits, a GradientTape, an
optimizer, and the loss checked against Keras's BinaryCrossentropy(from_logits=True)."""

import numpy as np

import saessak.compat as tf
from saessak import keras


def test_logistic_regression_with_tf_nn():
    tf.random.set_seed(4)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(400, 2)).astype("float32")
    y = (x[:, :1] + 2 * x[:, 1:] > 0.3).astype("float32")

    w = tf.Variable(tf.random.normal((2, 1), stddev=0.1, seed=4))
    b = tf.Variable(tf.zeros((1,)))
    optimizer = keras.optimizers.Adam(0.1)

    def logits_of(features):
        return tf.matmul(features, w) + b

    for _ in range(150):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
                labels=y, logits=logits_of(x)))
        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))

    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y,
                                                                  logits=logits_of(x)))
    keras_loss = keras.losses.BinaryCrossentropy(from_logits=True)(y, logits_of(x))
    np.testing.assert_allclose(float(loss), float(keras_loss), rtol=1e-5)
    predictions = tf.cast(tf.nn.sigmoid(logits_of(x)) > 0.5, tf.float32)
    accuracy = float(tf.reduce_mean(tf.cast(tf.equal(predictions, y), tf.float32)))
    assert accuracy > 0.95
    direction = w.numpy().ravel() / np.linalg.norm(w.numpy())
    np.testing.assert_allclose(direction, np.array([1.0, 2.0]) / np.sqrt(5), atol=0.05)
