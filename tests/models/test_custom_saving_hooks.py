"""Keras 3's saving hooks for one's own classes ("Customizing Saving and Serialization"):
``get_build_config``/``build_from_config`` for a layer whose ``build`` takes more than the
shape, ``get_compile_config``/``compile_from_config`` for a model whose ``compile`` takes
its own arguments, ``save_own_variables``/``load_own_variables`` for state kept in the
layer's own ``vars`` group, ``save_assets``/``load_assets`` for files in the archive, and
``keras.utils.serialize_keras_object``/``deserialize_keras_object``. These programs pass in
Keras 3.15 (checked by hand; the tests need no Keras), except the guide's
``LayerWithCustomVariable``: Keras 3.15's own ``Dense.save_own_variables`` stores only
kernel and bias, so its ``load_own_variables`` meets 2 arrays for 3 weights and fails."""

import io
import os
import zipfile

import numpy as np
import pytest

import saessak as keras

h5py = pytest.importorskip("h5py", reason=".keras files need h5py (saessak[h5])")


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


class LayerWithCustomVariable(keras.layers.Dense):
    """The guide's layer: one more variable, kept under its own key."""

    def __init__(self, units, **kwargs):
        super().__init__(units, **kwargs)
        self.my_variable = keras.Variable(np.random.default_rng(2).random((units,)),
                                          name="my_variable", dtype="float32")

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store["variables"] = self.my_variable.numpy()

    def load_own_variables(self, store):
        self.my_variable.assign(store["variables"])
        for i, v in enumerate(self.weights):
            v.assign(store[f"{i}"])

    def call(self, inputs):
        return super().call(inputs) + self.my_variable


class LayerWithCustomAssets(keras.layers.Dense):
    """The guide's layer: a sentence kept as a file, not in the config."""

    def __init__(self, vocab=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vocab = vocab

    def save_assets(self, inner_path):
        with open(os.path.join(inner_path, "vocabulary.txt"), "w") as f:
            f.write(self.vocab)

    def load_assets(self, inner_path):
        with open(os.path.join(inner_path, "vocabulary.txt")) as f:
            self.vocab = f.read().replace("<unk>", "little")


def test_save_own_variables_keeps_state_under_its_own_keys(tmp_path):
    rng = np.random.default_rng(3)
    x, y = rng.random((8, 10)), rng.random((8, 1))
    model = keras.Sequential([LayerWithCustomVariable(1)])
    model.compile(optimizer="adam", loss="mean_squared_error")
    model.fit(x, y, verbose=0)
    path = str(tmp_path / "custom_vars_model.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive, \
            h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as f:
        group = f["layers/layer_with_custom_variable/vars"]
        assert sorted(group) == ["0", "1", "2", "variables"]
        np.testing.assert_array_equal(group["variables"][()], model.layers[0].my_variable.numpy())
    restored = keras.models.load_model(
        path, custom_objects={"LayerWithCustomVariable": LayerWithCustomVariable})
    np.testing.assert_array_equal(restored.layers[0].my_variable.numpy(),
                                  model.layers[0].my_variable.numpy())
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_save_assets_puts_files_in_the_archive(tmp_path):
    model = keras.Sequential([LayerWithCustomAssets(vocab="Mary had a <unk> lamb.", units=5)])
    model(np.zeros((2, 10)))
    path = str(tmp_path / "custom_assets_model.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("assets/layers/layer_with_custom_assets/vocabulary.txt") \
            == b"Mary had a <unk> lamb."
    restored = keras.models.load_model(
        path, custom_objects={"LayerWithCustomAssets": LayerWithCustomAssets})
    assert restored.layers[0].vocab == "Mary had a little lamb."


def test_default_hooks_check_the_count_and_refuse_text(tmp_path):
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    store = {}
    layer.save_own_variables(store)
    assert sorted(store) == ["0", "1"]
    with pytest.raises(ValueError, match="'dense.*' expected 2 variables .* received 1"):
        layer.load_own_variables({"0": np.zeros((3, 2))})

    class Texty(keras.layers.Dense):
        def save_own_variables(self, store):
            super().save_own_variables(store)
            store["note"] = np.array(["text"])

    model = keras.Sequential([keras.Input((3,)), Texty(2)])
    path = tmp_path / "texty.keras"
    with pytest.raises(ValueError, match="layer 'texty.*' stored 'note' as <U4 .*save_assets"):
        model.save(path)
    assert not path.exists()  # nothing half-written


# --- Keras 3's automatic config: a user's layer with no get_config ------------------------


class _Scaled(keras.layers.Layer):
    def __init__(self, factor=2.0, units=3, **kwargs):
        super().__init__(**kwargs)
        self.factor, self.units = factor, units
        self.dense = keras.layers.Dense(units)

    def call(self, x):
        return self.dense(x) * self.factor


class _Power(keras.layers.Layer):  # no **kwargs: Keras 3 leaves out name and dtype
    def __init__(self, power):
        super().__init__()
        self.power = power

    def call(self, x):
        return x ** self.power


def test_a_layer_without_get_config_saves_its_constructor_arguments(tmp_path):
    assert _Scaled(3.0, units=5, name="s").get_config() == {
        "name": "s", "trainable": True, "dtype": "float32", "factor": 3.0, "units": 5}
    assert _Power(2).get_config() == {"power": 2}
    inputs = keras.Input((4,))
    model = keras.Model(inputs, _Power(2)(_Scaled(3.0, units=5)(inputs)))
    x = np.random.default_rng(0).random((2, 4)).astype("float32")
    for suffix in (".keras", ".h5", ".saessak"):
        model.save(tmp_path / f"m{suffix}")
        loaded = keras.models.load_model(tmp_path / f"m{suffix}", custom_objects={
            "_Scaled": _Scaled, "_Power": _Power})
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=1e-6)


def test_no_automatic_config_from_objects_or_for_saessaks_own_layers():
    class Holder(keras.layers.Layer):
        def __init__(self, table, **kwargs):
            super().__init__(**kwargs)
            self.table = table

    assert "table" not in Holder(np.zeros(3), name="h").get_config()  # not a plain value
    assert "units" in keras.layers.Dense(4).get_config()  # its own get_config, unchanged
    assert set(keras.layers.Dropout(0.5).get_config()) >= {"rate", "name"}
