"""Sublayers and variables set before ``super().__init__()`` are tracked, as Keras tracks
them: keras.io's Switch Transformer builds its router and experts first, and their weights
must train."""

import numpy as np

import saessak as keras
from saessak import layers


class Router(layers.Layer):
    def __init__(self, units):
        self.units = units
        self.route = layers.Dense(units)  # before super().__init__()
        self.experts = [layers.Dense(2), layers.Dense(2)]
        super().__init__()

    def call(self, x):
        return self.route(x) + self.experts[0](x) + self.experts[1](x)


def test_sublayers_set_before_init_are_tracked_and_trained():
    router = Router(2)
    model = keras.Sequential([keras.Input((3,)), router])
    assert len(model.trainable_weights) == 6  # three Dense layers, kernel and bias each
    model.compile(keras.optimizers.SGD(0.1), "mse")
    before = [w.numpy().copy() for w in router.experts[1].weights]
    model.fit(np.ones((4, 3)), np.zeros((4, 2)), epochs=1, verbose=0)
    assert all(not np.array_equal(b, w.numpy())
               for b, w in zip(before, router.experts[1].weights))


def test_a_variable_set_before_init_is_a_weight():
    class Scale(layers.Layer):
        def __init__(self):
            self.factor = keras.Variable(np.float32(2.0), name="factor")
            super().__init__()

        def call(self, x):
            return x * self.factor

    layer = Scale()
    assert [w.name for w in layer.weights] == ["factor"]
    np.testing.assert_allclose(layer(np.ones((1, 2), np.float32)).numpy(), [[2.0, 2.0]])
