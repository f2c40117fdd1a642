"""Gradients and automatic differentiation (the TensorFlow guide's examples): several
gradients from one persistent tape, gradients of a dict of variables, an intermediate
result, a Jacobian, and (from "Advanced automatic differentiation") gradients of gradients:
a second derivative, an input-gradient penalty on a Dense layer, and a Hessian."""

import numpy as np
import pytest

import saessak.compat as tf
from saessak import backend


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


def test_second_derivative():
    x = tf.Variable(1.0)
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x * x * x
        dy_dx = t1.gradient(y, x)
    d2y_dx2 = t2.gradient(dy_dx, x)
    assert dy_dx.numpy() == pytest.approx(3.0)
    assert d2y_dx2.numpy() == pytest.approx(6.0)


def _input_gradient_norm(layer, x):
    """The guide's regulariser: |d sum(layer(x)^2) / dx|, first order only."""
    with tf.GradientTape() as t1:
        t1.watch(x)
        out = tf.reduce_sum(layer(x) ** 2)
    return float(tf.norm(t1.gradient(out, x)).numpy())


def test_gradient_of_an_input_gradient_norm_matches_finite_differences():
    with backend.floatx_scope("float64"):
        x = tf.random.normal([7, 5], seed=3)
        layer = tf.keras.layers.Dense(10, activation=tf.nn.tanh)
        layer(x)
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                t1.watch(x)
                out = tf.reduce_sum(layer(x) ** 2)
            g1 = t1.gradient(out, x)
            g1_mag = tf.norm(g1)
        dg1_mag = t2.gradient(g1_mag, layer.trainable_variables)
        assert [tuple(v.shape) for v in dg1_mag] == [(5, 10), (10,)]
        for var, grad in zip(layer.trainable_variables, dg1_mag):
            for index in [(0,), (3,), (7,)] if var.ndim == 1 else [(0, 0), (2, 5), (4, 9)]:
                old = var.numpy()[index]
                var.data[index] = old + 1e-6
                up = _input_gradient_norm(layer, x)
                var.data[index] = old - 1e-6
                down = _input_gradient_norm(layer, x)
                var.data[index] = old
                assert grad.numpy()[index] == pytest.approx((up - down) / 2e-6, rel=1e-5)


def test_hessian_of_a_two_layer_relu_network():
    with backend.floatx_scope("float64"):
        x = tf.random.normal([7, 5], seed=4)
        layer1 = tf.keras.layers.Dense(8, activation=tf.nn.relu)
        layer2 = tf.keras.layers.Dense(6, activation=tf.nn.relu)
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                loss = tf.reduce_mean(layer2(layer1(x)) ** 2)
            g = t1.gradient(loss, layer1.kernel)
        h = t2.jacobian(g, layer1.kernel).numpy()
        assert h.shape == (5, 8, 5, 8)
        # The ReLU's gates are fixed near a point, so the loss is quadratic in the kernel
        # there: the Hessian is symmetric, and H @ dK is the change of the gradient.
        flat = h.reshape(40, 40)
        np.testing.assert_allclose(flat, flat.T, atol=1e-12)
        step = np.random.default_rng(0).standard_normal((5, 8)) * 1e-7
        before = _kernel_gradient(layer1, layer2, x)
        layer1.kernel.data += step
        after = _kernel_gradient(layer1, layer2, x)
        np.testing.assert_allclose(after - before, (flat @ step.ravel()).reshape(5, 8),
                                   rtol=1e-4, atol=1e-12)


def _kernel_gradient(layer1, layer2, x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(layer2(layer1(x)) ** 2)
    return tape.gradient(loss, layer1.kernel).numpy()
