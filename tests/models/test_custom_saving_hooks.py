"""Keras 3's saving hooks for one's own classes ("Customizing Saving and Serialization"):
``get_build_config``/``build_from_config`` for a layer whose ``build`` takes more than the
shape, ``get_compile_config``/``compile_from_config`` for a model whose ``compile`` takes
its own arguments, and ``keras.utils.serialize_keras_object``/``deserialize_keras_object``.
The same program passes in Keras 3.15 (checked by hand; the tests need no Keras)."""

import numpy as np
import pytest

import saessak as keras

pytest.importorskip("h5py", reason=".keras files need h5py (saessak[h5])")


class LayerWithCustomBuild(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return dict(units=self.units, **super().get_config())

    def build(self, input_shape, layer_init):  # no `self.built = True`: saessak sets it
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=layer_init)
        self.b = self.add_weight(shape=(self.units,), initializer=layer_init)
        self.layer_init = layer_init

    def get_build_config(self):
        return {"layer_init": self.layer_init, "input_shape": (8,)}

    def build_from_config(self, config):
        self.build(config["input_shape"], config["layer_init"])


class ModelWithCustomCompile(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(8)

    def call(self, x):
        return self.dense(x)

    def compile(self, optimizer, loss_fn):
        super().compile(optimizer)
        self.model_optimizer = optimizer
        self.loss_fn = loss_fn

    def get_compile_config(self):
        return {"model_optimizer": self.model_optimizer, "loss_fn": self.loss_fn}

    def compile_from_config(self, config):
        optimizer = keras.utils.deserialize_keras_object(config["model_optimizer"])
        loss_fn = keras.utils.deserialize_keras_object(config["loss_fn"])
        self.compile(optimizer=optimizer, loss_fn=loss_fn)

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            loss = self.loss_fn(y, self(x, training=True))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


def test_a_layer_with_build_arguments_is_rebuilt_from_its_build_config(tmp_path):
    layer = LayerWithCustomBuild(units=16)
    layer.build(input_shape=(8,), layer_init="random_normal")
    assert layer.built  # as in Keras 3, build marks the layer built
    model = keras.Sequential([layer, keras.layers.Dense(1, activation="sigmoid")])
    x = np.random.default_rng(0).random((16, 8)).astype("float32")
    y = model(x).numpy()
    path = str(tmp_path / "custom_build.keras")
    model.save(path)
    restored = keras.models.load_model(
        path, custom_objects={"LayerWithCustomBuild": LayerWithCustomBuild})
    assert restored.layers[0].layer_init == "random_normal" and restored.built
    np.testing.assert_allclose(restored(x).numpy(), y, rtol=1e-6)


def test_a_model_with_its_own_compile_comes_back_compiled(tmp_path):
    model = ModelWithCustomCompile()
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss_fn=keras.losses.MeanSquaredError())
    rng = np.random.default_rng(1)
    model.fit(rng.random((4, 8)), rng.random((4, 8)), verbose=0)
    path = str(tmp_path / "custom_compile.keras")
    model.save(path)
    restored = keras.models.load_model(
        path, custom_objects={"ModelWithCustomCompile": ModelWithCustomCompile})
    assert isinstance(restored.model_optimizer, keras.optimizers.SGD)
    assert float(restored.model_optimizer.learning_rate) == pytest.approx(0.05)
    assert isinstance(restored.loss_fn, keras.losses.MeanSquaredError)
    restored.fit(rng.random((4, 8)), rng.random((4, 8)), verbose=0)  # trains on


def test_keras_objects_round_trip_and_plain_values_pass():
    for obj in (keras.optimizers.Adam(0.01), keras.losses.Huber(delta=2.0),
                keras.layers.Dense(3, activation="relu"), keras.initializers.HeNormal(seed=4)):
        spec = keras.utils.serialize_keras_object(obj)
        assert spec["class_name"] == type(obj).__name__ and spec["module"].startswith("keras.")
        back = keras.utils.deserialize_keras_object(spec)
        assert type(back) is type(obj) and back.get_config() == obj.get_config()
    assert keras.utils.deserialize_keras_object("SGD") == "SGD"  # as Keras 3
    assert keras.utils.serialize_keras_object({"a": [1, "x"]}) == {"a": [1, "x"]}
    with pytest.raises(ValueError, match="no Keras object is called 'Nope'"):
        keras.utils.deserialize_keras_object({"class_name": "Nope", "config": {}})
