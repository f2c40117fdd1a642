"""What a Keras file carries besides the architecture: compile settings (Keras 3's
``compile_config``, tf.keras 2's ``training_config``), the optimizer's state (so training
resumes exactly), weights-only files in Keras's layouts, and sublayers kept in lists."""

import json
import sys
import zipfile

import numpy as np
import pytest

import saessak as keras
from saessak import layers

h5py = pytest.importorskip("h5py", reason="Keras .h5/.keras files need h5py (saessak[h5])")

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def small_model(optimizer=None):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(0.01),
                  loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1),
                  metrics=["accuracy", keras.metrics.AUC(num_thresholds=50)])
    return model


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
@pytest.mark.parametrize("make_optimizer", [
    lambda: keras.optimizers.Adam(0.01),
    lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    lambda: keras.optimizers.Nadam(0.01)], ids=["adam", "amsgrad", "rmsprop", "sgd", "nadam"])
def test_training_resumes_bit_identically_from_a_keras_file(tmp_path, name, make_optimizer):
    keras.utils.set_random_seed(3)
    straight = small_model(make_optimizer())
    keras.utils.set_random_seed(3)
    resumed = small_model(make_optimizer())
    keras.utils.set_random_seed(11)
    straight.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    keras.utils.set_random_seed(11)
    resumed.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    dropout_state = resumed.layers[1]._rng.bit_generator.state
    resumed.save(tmp_path / name)
    reloaded = keras.models.load_model(tmp_path / name)
    assert reloaded.optimizer.iterations == 4
    reloaded.layers[1]._rng.bit_generator.state = dropout_state  # the same dropout stream
    reloaded.fit(X, Y, epochs=2, initial_epoch=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), reloaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_compile_settings_come_back(tmp_path, name):
    model = small_model()
    model.fit(X, Y, epochs=1, verbose=0)
    model.optimizer.learning_rate = 0.003  # as ReduceLROnPlateau would
    model.save(tmp_path / name)
    again = keras.models.load_model(tmp_path / name)
    assert type(again.optimizer).__name__ == "Adam"
    assert again.optimizer.learning_rate == pytest.approx(0.003)
    assert again.compiled_loss is not None
    assert again.evaluate(X, Y, verbose=0) == pytest.approx(model.evaluate(X, Y, verbose=0),
                                                            rel=1e-6)
    metrics = again._compile_args["metrics"]
    assert metrics[0] == "accuracy" and type(metrics[1]).__name__ == "AUC"
    assert metrics[1].num_thresholds == 50
    uncompiled = keras.models.load_model(tmp_path / name, compile=False)
    assert not uncompiled.compiled


def test_keras3_layout_of_compile_config_and_optimizer(tmp_path):
    model = small_model()
    model.fit(X, Y, epochs=1, batch_size=32, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    settings = config["compile_config"]
    assert settings["optimizer"]["class_name"] == "Adam"
    assert settings["optimizer"]["module"] == "keras.optimizers"
    assert settings["loss"]["class_name"] == "BinaryCrossentropy"
    assert settings["metrics"][0] == "accuracy"
    import io
    with h5py.File(io.BytesIO(weights), "r") as f:
        opt = f["optimizer/vars"]
        # iteration, learning_rate, then (momentum, velocity) per trainable weight
        assert len(opt) == 2 + 2 * 4
        assert int(opt["0"][()]) == 2
        assert opt["2"].shape == (4, 8) and opt["3"].shape == (4, 8)
        np.testing.assert_array_equal(opt["2"][()], model.optimizer.get_state()["momentum_0"])


def test_include_optimizer_false_leaves_the_settings_out(tmp_path):
    model = small_model()
    model.save(tmp_path / "m.keras", include_optimizer=False)
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert "compile_config" not in json.loads(archive.read("config.json"))
    assert not keras.models.load_model(tmp_path / "m.keras").compiled


def test_a_file_with_the_wrong_number_of_optimizer_variables_warns(tmp_path):
    model = small_model()
    model.fit(X, Y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    other = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(1, activation="sigmoid")])
    other.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    other.fit(X, Y, epochs=1, verbose=0)
    other.save(tmp_path / "sgd.keras")
    # move SGD's state (iteration, lr, 4 momenta) under an Adam compile config
    with zipfile.ZipFile(tmp_path / "m.keras") as a, zipfile.ZipFile(tmp_path / "sgd.keras") as b:
        entries = {"metadata.json": a.read("metadata.json"), "config.json": a.read("config.json"),
                   "model.weights.h5": b.read("model.weights.h5")}
    with zipfile.ZipFile(tmp_path / "mixed.keras", "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
    with pytest.warns(UserWarning, match=r"mixed\.keras.*optimizer state was not restored.*6 "
                                         r"optimizer variables.*10"):
        loaded = keras.models.load_model(tmp_path / "mixed.keras")
    assert loaded.optimizer.iterations == 0


# --- weights alone ------------------------------------------------------------------------------


def test_save_weights_writes_keras_layouts(tmp_path):
    model = small_model()
    model.fit(X, Y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:  # Keras 3: by object path
        assert f["layers/dense/vars/0"].shape == (4, 8)
        assert f["layers/dense_1/vars/1"].shape == (1,)
        assert "optimizer" not in f
    with h5py.File(tmp_path / "w.h5", "r") as f:  # tf.keras 2: by layer name
        names = [n.decode() for n in f.attrs["layer_names"]]
        assert names == [layer.name for layer in model.layers]
    for name in ("w.weights.h5", "w.h5"):
        other = small_model()
        other.load_weights(tmp_path / name)
        for a, b in zip(model.get_weights(), other.get_weights()):
            np.testing.assert_array_equal(a, b)
    renamed = keras.Sequential([keras.Input((4,)), layers.Dense(8, name=model.layers[0].name),
                                layers.Dense(3, name="new_head")])
    renamed.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(renamed.layers[0].get_weights()[0], model.get_weights()[0])
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*shape"):
        renamed.load_weights(tmp_path / "w.weights.h5")


def test_sublayers_in_a_list_are_saved_under_the_attribute(tmp_path):
    class Stack(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.blocks = [layers.Dense(3), layers.Dense(2)]

        def call(self, x):
            return self.blocks[1](self.blocks[0](x))

    model = keras.Sequential([keras.Input((4,)), Stack(name="stack")])
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:  # as Keras 3 files a list
        assert f["layers/stack/blocks/dense/vars/0"].shape == (4, 3)
        assert f["layers/stack/blocks/dense_1/vars/0"].shape == (3, 2)
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras", custom_objects={"Stack": Stack})
    np.testing.assert_array_equal(again.predict(X, verbose=0), model.predict(X, verbose=0))


@pytest.mark.parametrize("call", ["save:m.keras", "save:m.h5", "save_weights:w.weights.h5",
                                  "load_model:m.keras"])
def test_without_h5py_the_error_names_the_extra(tmp_path, monkeypatch, call):
    model = small_model()
    model.save(tmp_path / "m.keras")
    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py now fails
    method, name = call.split(":")
    with pytest.raises(ImportError, match=r"saessak\[h5\]"):
        if method == "load_model":
            keras.models.load_model(tmp_path / name)
        else:
            getattr(model, method)(tmp_path / name)
    assert not (tmp_path / name).exists() or name == "m.keras"
    model.save(tmp_path / "m.saessak")  # saessak's own format needs only NumPy
    assert keras.models.load_model(tmp_path / "m.saessak").count_params() == \
        model.count_params()
