"""Introduction to modules, layers and models (the TensorFlow guide's Dense written with
tf.Variable inside a Keras layer): the variables become the layer's weights, the model
trains with fit, and its weights go through save_weights/load_weights."""

import numpy as np

import saessak.compat as tf
from saessak import keras


class FlexibleDense(keras.layers.Layer):
    def __init__(self, out_features, **kwargs):
        super().__init__(**kwargs)
        self.out_features = out_features

    def build(self, input_shape):
        self.w = tf.Variable(tf.random.normal([input_shape[-1], self.out_features], seed=1),
                             name="w")
        self.b = tf.Variable(tf.zeros([self.out_features]), name="b")
        self.calls = tf.Variable(0, trainable=False, name="calls")

    def call(self, inputs):
        self.calls.assign_add(1)
        return tf.matmul(inputs, self.w) + self.b


def test_layer_built_from_tf_variables(tmp_path):
    tf.random.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 3)).astype("float32")
    y = x @ np.array([[1.0], [-1.0], [2.0]], "float32") + 0.5

    layer = FlexibleDense(1)
    model = keras.Sequential([keras.Input((3,)), layer])
    assert [w.path for w in model.trainable_weights] == [f"{layer.name}/w", f"{layer.name}/b"]
    assert [w.path for w in model.non_trainable_weights] == [f"{layer.name}/calls"]
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, epochs=40, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 1e-3
    np.testing.assert_allclose(layer.w.numpy().ravel(), [1.0, -1.0, 2.0], atol=0.02)
    assert int(layer.calls.numpy()) >= 40 * 4

    path = tmp_path / "flex.weights.h5"
    if not _h5_available():
        path = tmp_path / "flex.weights.npz"
    model.save_weights(path)
    other = keras.Sequential([keras.Input((3,)), FlexibleDense(1)])
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x[:4], verbose=0),
                                  model.predict(x[:4], verbose=0))


def _h5_available():
    try:
        import h5py  # noqa: F401
    except ImportError:
        return False
    return True
