"""save / load_model / save_weights: round trips, exact resume, atomic writes, and clear
errors for damaged, edited or unsafe files."""

import io
import json
import zipfile

import numpy as np
import pytest

import saessak
from saessak.layers import Dense, Dropout, Input, Lambda, concatenate
from saessak.models import Model, Sequential, load_model

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def small_model():
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dropout(0.2),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer=saessak.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def test_round_trip_keeps_architecture_weights_and_compile(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    model = small_model()
    model.fit(X, Y, epochs=2, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dropout", "Dense"]
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(X, verbose=0), loaded.predict(X, verbose=0))
    assert loaded.evaluate(X, Y, verbose=0) == pytest.approx(model.evaluate(X, Y, verbose=0))
    assert type(loaded.optimizer).__name__ == "Adam"


def test_functional_multi_input_round_trip(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    a, b = Input(shape=(2,), name="a"), Input(shape=(3,), name="b")
    shared = Dense(4, name="shared")
    merged = concatenate([shared(concatenate([a, a])), Dense(4)(b)])
    model = Model([a, b], [Dense(1, name="out1")(merged), Dense(2, name="out2")(merged)])
    path = tmp_path / "f.keras"
    model.save(path)
    loaded = load_model(path)
    xs = [np.ones((3, 2), "float32"), np.full((3, 3), 0.5, "float32")]
    for p, q in zip(model.predict(xs, verbose=0), loaded.predict(xs, verbose=0)):
        np.testing.assert_array_equal(p, q)
    assert loaded.input_names == ["a", "b"] and loaded.output_names == ["out1", "out2"]


def test_resuming_from_a_saved_model_is_bit_identical(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    saessak.set_random_seed(3)
    straight = small_model()
    saessak.set_random_seed(3)
    resumed = small_model()
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    saessak.set_random_seed(11)  # the same data order and dropout draws in both runs
    straight.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    saessak.set_random_seed(11)
    resumed.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    dropout_state = resumed.layers[1]._rng.bit_generator.state
    resumed.save(tmp_path / "half.keras")
    reloaded = load_model(tmp_path / "half.keras")
    reloaded.layers[1]._rng.bit_generator.state = dropout_state  # the same dropout stream
    reloaded.fit(X, Y, epochs=2, initial_epoch=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), reloaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_crash_during_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    model = small_model()
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    from saessak.utils import atomic

    def crash_midway(f, data, chunk=1 << 20):
        f.write(data[: len(data) // 2])
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(atomic, "write_all", crash_midway)
    model.fit(X, Y, epochs=1, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]  # no temp file left


def rewrite_entry(path, name, new_bytes, keep_manifest=True):
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    entries[name] = new_bytes
    with zipfile.ZipFile(path, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)


def test_edited_config_truncated_file_and_garbage_give_clear_errors(tmp_path):
    model = small_model()
    path = tmp_path / "m.saessak"
    model.save(path)
    good = path.read_bytes()
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    config["config"]["layers"][0]["config"]["units"] = 9
    rewrite_entry(path, "config.json", json.dumps(config).encode())
    with pytest.raises(ValueError, match=r"m\.saessak.*checksum of 'config.json'"):
        load_model(path)
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"m\.saessak.*truncated or corrupted"):
        load_model(path)
    path.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="m.saessak"):
        load_model(path)


def test_pickled_arrays_are_refused_even_with_a_matching_checksum(tmp_path):
    model = small_model()
    path = tmp_path / "m.saessak"
    model.save(path)
    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    entries["weights/0000.npy"] = buf.getvalue()
    import hashlib
    manifest = {n: hashlib.sha256(d).hexdigest() for n, d in entries.items()
                if n != "manifest.json"}
    entries["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
    with pytest.raises(ValueError, match="not a plain NumPy array"):
        load_model(path)


def double(t):
    return t * 2.0


def test_lambda_functions_load_only_from_custom_objects(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    inputs = Input(shape=(3,))
    model = Model(inputs, Dense(1)(Lambda(double, name="twice")(inputs)))
    path = tmp_path / "lam.keras"
    model.save(path)
    with pytest.raises(ValueError, match=r"Lambda layer 'twice'.*custom_objects"):
        load_model(path)
    loaded = load_model(path, custom_objects={"double": double})
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 3)), verbose=0),
                                  model.predict(np.ones((1, 3)), verbose=0))


def test_custom_layer_classes_need_custom_objects(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    class Scale(saessak.layers.Layer):
        def build(self, input_shape):
            self.s = self.add_weight("s", (), "ones")

        def call(self, inputs):
            return inputs * self.s

        def compute_output_shape(self, input_shape):
            return input_shape

    model = Sequential([Input(shape=(2,)), Scale(), Dense(1)])
    model.save(tmp_path / "c.keras")
    with pytest.raises(ValueError, match=r"'Scale'.*custom_objects"):
        load_model(tmp_path / "c.keras")
    loaded = load_model(tmp_path / "c.keras", custom_objects={"Scale": Scale})
    assert loaded.count_params() == model.count_params()


def test_save_and_load_weights(tmp_path):
    model = small_model()
    path = tmp_path / "w.saessak"  # saessak's container (.weights.h5 is Keras's layout)
    model.save_weights(path)
    other = small_model()
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    wrong = Sequential([Dense(3, input_shape=(4,))])
    with pytest.raises(ValueError, match="holds 4 weights, the model has 2"):
        wrong.load_weights(path)
    with pytest.raises(ValueError, match="holds only weights"):
        load_model(path)
