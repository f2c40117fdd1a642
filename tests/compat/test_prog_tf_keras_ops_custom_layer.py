"""Making new layers and models via subclassing, Keras 3 style: layers written only with
keras.ops (a Linear layer, a residual block with ops.add/ops.relu, a softmax head with
ops.softmax), weights from add_weight, get_config/from_config, and fit."""

import numpy as np

from saessak import keras, ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True, name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True,
                                 name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ResidualBlock(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.inner = Linear(units)
        self.outer = Linear(units)

    def call(self, x):
        h = ops.relu(self.inner(x))
        return ops.add(x, self.outer(h))


class Classifier(keras.Model):
    def __init__(self, num_classes=3):
        super().__init__()
        self.project = Linear(16)
        self.block = ResidualBlock(16)
        self.head = Linear(num_classes)

    def call(self, x):
        x = self.block(self.project(x))
        return ops.softmax(self.head(x), axis=-1)


def test_custom_layers_written_with_keras_ops():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype("float32")
    y = ops.convert_to_numpy(ops.argmax(x[:, :3], axis=-1))

    layer = Linear(5)
    out = layer(ops.ones((2, 3)))
    assert ops.shape(out) == (2, 5) and len(layer.trainable_weights) == 2
    clone = Linear.from_config(layer.get_config())
    assert clone.units == 5 and clone.name == layer.name

    model = Classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    probs = model.predict(x[:5], verbose=0)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)
    assert len(model.trainable_weights) == 8
