"""Gradients and automatic differentiation (the TensorFlow guide's examples): several
gradients from one persistent tape, gradients of a dict of variables, an intermediate
result, a Jacobian, and what happens when a gradient of a gradient is asked for."""

import numpy as np
import pytest

import saessak.compat as tf


def test_persistent_tape_several_derivatives():
    x = tf.constant([1.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), 4 * np.array([1.0, 27.0]))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 6.0])
    np.testing.assert_allclose(tape.gradient(z, y).numpy(), [2.0, 18.0])  # dz/dy = 2y
    del tape


def test_gradient_of_a_dict_of_variables_and_non_trainable():
    w = tf.Variable(tf.random.normal((3, 2), seed=1), name="w")
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name="b")
    frozen = tf.Variable(2.0, trainable=False)
    x = [[1.0, 2.0, 3.0]]
    with tf.GradientTape(persistent=True) as tape:
        y = tf.matmul(x, w) + b
        loss = tf.reduce_mean(y ** 2) * frozen
    grad = tape.gradient(loss, {"w": w, "b": b})
    assert grad["w"].shape == w.shape and grad["b"].shape == b.shape
    np.testing.assert_allclose(grad["b"].numpy(), (2 * y.numpy()).ravel(),  # 2 y / 2 * 2
                               rtol=1e-6)
    assert tape.gradient(loss, frozen) is None  # not trainable, not watched


def test_jacobian_of_a_sigmoid():
    x = tf.linspace(-2.0, 2.0, 5)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.sigmoid(x)
    jac = tape.jacobian(y, x).numpy()
    s = 1 / (1 + np.exp(-x.numpy()))
    np.testing.assert_allclose(jac, np.diag(s * (1 - s)), rtol=1e-6)


def test_second_derivative_is_refused_with_a_reason():
    x = tf.Variable(1.0)
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x * x * x
        dy_dx = t1.gradient(y, x)
    assert dy_dx.numpy() == pytest.approx(3.0)
    with pytest.raises(NotImplementedError, match="gradients of gradients"):
        t2.gradient(dy_dx, x)
