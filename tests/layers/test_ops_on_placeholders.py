"""keras.ops and tf.* functions applied to functional-model placeholders record themselves
as layers of the model (Keras 3 ops, tf.keras 2's TFOpLambda layers), so

    x = keras.ops.concatenate([a, b], axis=-1)       x = tf.reduce_mean(x, axis=1)

work between keras.Input and keras.Model, compute what the same calls compute on data,
and pass gradients."""

import numpy as np

import saessak as keras
import saessak as tf
from saessak import layers, ops


def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(5, 4)).astype("float32"), rng.normal(size=(5, 3)).astype("float32")


def test_keras_ops_on_placeholders_build_a_model_that_computes_the_same():
    a, b = keras.Input((4,)), keras.Input((3,))
    x = ops.concatenate([a, b], axis=-1)
    assert isinstance(x, layers.KerasTensor) and x.shape == (None, 7)
    x = ops.relu(ops.expand_dims(x, 1))
    x = ops.einsum("bti,ij->btj", x, np.eye(7, 2, dtype="float32"))
    y = ops.mean(ops.reshape(x, (-1, 2)), axis=-1, keepdims=True)
    assert y.shape == (None, 1)
    model = keras.Model([a, b], y)
    xa, xb = data()
    by_hand = np.maximum(np.concatenate([xa, xb], -1), 0)[:, :2].mean(-1, keepdims=True)
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), by_hand, rtol=1e-6)
    # the same functions on data are unchanged
    np.testing.assert_allclose(ops.concatenate([xa, xb], axis=-1).numpy(),
                               np.concatenate([xa, xb], -1))


def test_tf_functions_on_placeholders_train_as_the_same_model_made_of_layers():
    def build(with_tf_functions):
        keras.utils.set_random_seed(3)
        a, b = keras.Input((4,)), keras.Input((3,))
        if with_tf_functions:
            x = tf.nn.relu(layers.Dense(8)(tf.concat([a, b], axis=1)))
            x = tf.reduce_sum(tf.expand_dims(x, 1), axis=1)
        else:
            x = layers.ReLU()(layers.Dense(8)(layers.Concatenate(axis=1)([a, b])))
        model = keras.Model([a, b], layers.Dense(1)(x))
        model.compile(keras.optimizers.Adam(0.01), "mse")
        return model

    xa, xb = data()
    target = (xa.sum(1, keepdims=True) - xb.sum(1, keepdims=True)).astype("float32")
    recorded, plain = build(True), build(False)
    assert len(recorded.trainable_weights) == 4  # the recorded ops own no weights
    h1 = recorded.fit([xa, xb], target, epochs=20, verbose=0, shuffle=False)
    h2 = plain.fit([xa, xb], target, epochs=20, verbose=0, shuffle=False)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    assert h1.history["loss"][-1] < h1.history["loss"][0]  # gradients flowed
