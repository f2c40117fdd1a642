"""Linear regression with tf.Variable and GradientTape, as the TensorFlow basics guide
writes it: y = 3x + 2 with noise, a model of two variables, plain gradient descent by
assign_sub, then the same with a Keras optimizer."""

import numpy as np

import saessak.compat as tf
from saessak import keras


class MyModel:
    def __init__(self):
        self.w = tf.Variable(5.0)
        self.b = tf.Variable(0.0)

    def __call__(self, x):
        return self.w * x + self.b


def loss(target_y, predicted_y):
    return tf.reduce_mean(tf.square(target_y - predicted_y))


def train(model, x, y, learning_rate):
    with tf.GradientTape() as t:
        current_loss = loss(y, model(x))
    dw, db = t.gradient(current_loss, [model.w, model.b])
    model.w.assign_sub(learning_rate * dw)
    model.b.assign_sub(learning_rate * db)


def test_linear_regression_with_variables():
    TRUE_W, TRUE_B, NUM_EXAMPLES = 3.0, 2.0, 201
    x = tf.linspace(-2, 2, NUM_EXAMPLES)
    x = tf.cast(x, tf.float32)
    noise = tf.random.normal(shape=[NUM_EXAMPLES], seed=7)
    y = x * TRUE_W + TRUE_B + noise * 0.1

    model = MyModel()
    before = float(loss(y, model(x)))
    for _ in range(60):
        train(model, x, y, learning_rate=0.1)
    after = float(loss(y, model(x)))
    assert after < before / 100
    assert abs(model.w.numpy() - TRUE_W) < 0.05 and abs(model.b.numpy() - TRUE_B) < 0.05

    # the same model fitted with a Keras optimizer
    model2 = MyModel()
    opt = keras.optimizers.SGD(learning_rate=0.1)
    for _ in range(60):
        with tf.GradientTape() as tape:
            current = loss(y, model2(x))
        grads = tape.gradient(current, [model2.w, model2.b])
        opt.apply_gradients(zip(grads, [model2.w, model2.b]))
    np.testing.assert_allclose([model2.w.numpy(), model2.b.numpy()],
                               [model.w.numpy(), model.b.numpy()], rtol=1e-5)
