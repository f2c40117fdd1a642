"""``tf.scan`` (TensorFlow's accumulator semantics, over ``keras.ops.scan``) and
``@tf.custom_gradient`` (over ``keras.ops.custom_gradient``), with values worked out by
hand and gradients through them."""

import numpy as np

import saessak.compat as tf
from saessak import grad_check


def test_scan_with_and_without_an_initializer():
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(tf.scan(lambda a, v: a + v, x).numpy(), [1, 3, 6, 10])
    np.testing.assert_allclose(
        tf.scan(lambda a, v: a * v, x, initializer=tf.constant(2.0)).numpy(), [2, 4, 12, 48])
    np.testing.assert_allclose(tf.scan(lambda a, v: a + v, x, reverse=True).numpy(),
                               [10, 9, 7, 4])
    # the gradient of sum(running products) flows through every step
    result = grad_check(lambda v: tf.reduce_sum(tf.scan(lambda a, e: a * e, v)),
                        np.array([0.5, 1.5, -2.0, 0.8]))
    assert result.ok, result


def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def clipped(x):
        def grad(upstream):
            return tf.clip_by_value(upstream, -0.1, 0.1)
        return x * 1.0, grad

    v = tf.Variable([1.0, -2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(clipped(v) * tf.constant([5.0, -0.05]))
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), [0.1, -0.05])
