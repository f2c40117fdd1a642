"""Subclassed Layers and Models as the Keras guide "Making new layers and models via
subclassing" writes them: weights from add_weight, get_config / from_config, training,
saving and loading."""

import numpy as np
import pytest

import saessak as keras
from saessak import ops


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
        config = super().get_config()
        config.update({"units": self.units})
        return config


class MLP(keras.Model):
    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = Linear(units)
        self.out = Linear(1)

    def call(self, inputs):
        return self.out(ops.relu(self.hidden(inputs)))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_layer_weights_and_config_round_trip():
    layer = Linear(4, name="lin")
    y = layer(np.ones((2, 3), "float32"))
    assert y.shape == (2, 4) and [w.shape for w in layer.trainable_weights] == [(3, 4), (4,)]
    clone = Linear.from_config(layer.get_config())
    assert clone.units == 4 and clone.name == "lin" and not clone.built


def test_add_weight_accepts_keras_defaults_and_distribution_arguments():
    class Counter(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 2), initializer=None)
            self.total = self.add_weight(shape=(2,), initializer="zeros", trainable=False,
                                         aggregation="sum", synchronization="on_read")

        def call(self, x):
            return ops.matmul(x, self.kernel)

    layer = Counter()
    layer(np.ones((1, 3), "float32"))
    assert layer.kernel.numpy().std() > 0 and layer.non_trainable_weights == [layer.total]
    with pytest.raises(TypeError, match=r"add_weight: unexpected keyword argument\(s\) "
                                        r"\['colour'\]"):
        layer.add_weight(shape=(1,), colour="red")


def test_subclassed_model_trains_saves_and_loads(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = MLP(8)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert len(model.trainable_variables) == 4
    assert MLP.from_config(model.get_config()).units == 8
    path = str(tmp_path / "mlp.keras")
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"MLP": MLP, "Linear": Linear})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
