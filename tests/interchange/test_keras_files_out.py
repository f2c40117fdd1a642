"""Keras files out: ``model.save('m.h5')`` (tf.keras 2 HDF5) and
``model.save('m.keras', save_format='keras')`` (Keras 3 archive) give files that saessak and
real Keras load with the same predictions.

Real Keras is used when it is importable here, or through the interpreter named by
``SAESSAK_KERAS_PYTHON`` (an environment with keras and tf_keras); otherwise those tests skip.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import saessak as keras
from saessak import layers

pytest.importorskip("h5py", reason="Keras .h5/.keras files need h5py (saessak[h5])")

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
FAMILIES = ["mlp", "conv2d", "conv1d", "rnn", "rnn_v1", "bidirectional", "attention",
            "nested", "video"]
FORMATS = [("m.h5", None), ("m.keras", "keras")]


def _fixture_model(family):
    model = keras.models.load_model(os.path.join(FIXTURES, f"{family}.keras"))
    with np.load(os.path.join(FIXTURES, f"{family}.npz")) as data:
        return model, data["x"], data["keras3"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("filename,save_format", FORMATS)
def test_saessak_round_trip(tmp_path, family, filename, save_format):
    model, x, expected = _fixture_model(family)
    path = tmp_path / filename
    model.save(path, save_format=save_format)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, atol=1e-5)
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]


def test_save_picks_the_format_from_the_extension(tmp_path):
    """As in Keras: .keras is Keras 3's archive, .h5 tf.keras 2's HDF5; another name (or
    save_format='saessak') gives saessak's own archive, which needs only NumPy."""
    import zipfile
    model, x, expected = _fixture_model("mlp")
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    model.save(tmp_path / "m.saessak")
    model.save(tmp_path / "own.keras", save_format="saessak")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json",
                                              "model.weights.h5"]
    assert (tmp_path / "m.h5").read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    for name in ("m.saessak", "own.keras"):
        with zipfile.ZipFile(tmp_path / name) as archive:
            assert "manifest.json" in archive.namelist() and \
                "model.weights.h5" not in archive.namelist()
    for name in ("m.keras", "m.h5", "m.saessak", "own.keras"):
        again = keras.models.load_model(tmp_path / name)
        np.testing.assert_allclose(again.predict(x, verbose=0), expected, atol=1e-5)


def test_saessak_only_layers_are_written_as_custom_objects(tmp_path):
    """A layer Keras lacks goes in as Keras writes a custom object; its registered name
    'saessak>...' keeps Keras from taking it for a class of its own."""
    import zipfile
    inputs = keras.Input((4, 8))
    outputs = layers.TransformerEncoder(num_heads=2, intermediate_dim=8)(inputs)
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(0).normal(size=(2, 4, 8)).astype("float32")
    for name in ("t.keras", "t.h5"):
        model.save(tmp_path / name)
        again = keras.models.load_model(tmp_path / name)
        np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    with zipfile.ZipFile(tmp_path / "t.keras") as archive:
        spec = json.loads(archive.read("config.json"))["config"]["layers"][1]
    assert spec["registered_name"] == "saessak>TransformerEncoder"
    assert spec["module"] == "saessak.layers"


def test_subclassed_model_needs_dot_keras(tmp_path):
    class Twice(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x) * 2.0

    model = Twice()
    model(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match=r"t\.h5.*subclassed model.*save it as \.keras"):
        model.save(tmp_path / "t.h5")
    assert list(tmp_path.iterdir()) == []  # nothing half-written
    model.save(tmp_path / "t.keras")
    again = keras.models.load_model(tmp_path / "t.keras", custom_objects={"Twice": Twice})
    np.testing.assert_array_equal(again.predict(np.ones((2, 3)), verbose=0),
                                  model.predict(np.ones((2, 3)), verbose=0))


def test_unknown_save_format_is_refused(tmp_path):
    model, _, _ = _fixture_model("mlp")
    with pytest.raises(ValueError, match="save_format must be"):
        model.save(tmp_path / "m.bin", save_format="onnx")


# --- real Keras -------------------------------------------------------------------------------

_CHECK = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
jobs = json.loads(sys.argv[1])
out = {}
for path, npz, lib_name in jobs:
    lib = __import__(lib_name)
    model = lib.models.load_model(path, compile=False)
    with np.load(npz) as data:
        y = np.asarray(model.predict(data["x"], verbose=0))
        out[path] = float(np.abs(y - data["keras3"]).max())
print("RESULT" + json.dumps(out))
"""


def _keras_python():
    if importlib.util.find_spec("keras") is not None and \
            importlib.util.find_spec("tf_keras") is not None:
        return sys.executable
    return os.environ.get("SAESSAK_KERAS_PYTHON")


@pytest.mark.skipif(_keras_python() is None,
                    reason="real Keras is not importable (install keras and tf_keras, or set "
                           "SAESSAK_KERAS_PYTHON to a Python that has them)")
def test_real_keras_loads_saessak_files(tmp_path):
    jobs = []
    for family in FAMILIES:
        model, _, _ = _fixture_model(family)
        npz = os.path.join(FIXTURES, f"{family}.npz")
        model.save(tmp_path / f"{family}.h5")
        model.save(tmp_path / f"{family}.keras")  # Keras 3's archive, by default
        jobs.append([str(tmp_path / f"{family}.h5"), npz, "tf_keras"])
        jobs.append([str(tmp_path / f"{family}.keras"), npz, "keras"])
    run = subprocess.run([_keras_python(), "-c", _CHECK, json.dumps(jobs)],
                         capture_output=True, text=True, timeout=600)
    line = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, run.stderr[-3000:]
    diffs = json.loads(line[0][len("RESULT"):])
    assert len(diffs) == 2 * len(FAMILIES)
    assert max(diffs.values()) < 1e-5, diffs


_CHECK_LOOKUPS = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, keras, tensorflow as tf
folder, npz = json.loads(sys.argv[1])
data = np.load(npz)
out = {}
for name in sorted(os.listdir(folder)):
    case = name[:-len(".keras")]
    model = keras.models.load_model(os.path.join(folder, name))
    y = np.asarray(model(tf.constant(data[case + "_x"])))
    out[case] = float(np.abs(y - data[case + "_y"]).max())
print("RESULT" + json.dumps(out))
"""


@pytest.mark.skipif(_keras_python() is None,
                    reason="real Keras is not importable (install keras and tf_keras, or set "
                           "SAESSAK_KERAS_PYTHON to a Python that has them)")
def test_real_keras_loads_saessak_files_of_adapted_layers(tmp_path):
    """Adapted TextVectorization (int, tf-idf), StringLookup, IntegerLookup, Normalization
    and Discretization, read from Keras 3's files and written again by saessak."""
    cases = ["text_int", "text_tfidf", "strings", "integers", "normalization",
             "discretization"]
    for case in cases:
        model = keras.models.load_model(os.path.join(FIXTURES, f"lookup_{case}.keras"))
        model.save(tmp_path / f"{case}.keras")
    job = [str(tmp_path), os.path.join(FIXTURES, "lookups.npz")]
    run = subprocess.run([_keras_python(), "-c", _CHECK_LOOKUPS, json.dumps(job)],
                         capture_output=True, text=True, timeout=600)
    line = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, run.stderr[-3000:]
    diffs = json.loads(line[0][len("RESULT"):])
    assert sorted(diffs) == sorted(cases)
    assert max(diffs.values()) < 1e-6, diffs


_CHECK_STATE = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
job = json.loads(sys.argv[1])
data = np.load(job["npz"])
x, y = data["x"], data["y"]
out = {}
for lib_name, model_file, weights_file in job["runs"]:
    lib = __import__(lib_name)
    model = lib.models.load_model(model_file)  # compiled as the file says
    opt = model.optimizer
    variables = opt.variables() if callable(opt.variables) else opt.variables
    iterations = int(np.asarray(variables[0]))
    loss = model.evaluate(x, y, verbose=0, return_dict=True)
    bare = lib.models.load_model(model_file, compile=False)
    bare.load_weights(weights_file)
    model.train_on_batch(x, y)  # one more step from the restored optimizer state
    out[lib_name] = {
        "optimizer": type(opt).__name__, "iterations": iterations,
        "learning_rate": float(np.asarray(opt.learning_rate)),
        "loss": {k: float(v) for k, v in loss.items()},
        "weights_file_diff": float(np.abs(np.asarray(bare.predict(x, verbose=0))
                                          - data["predicted"]).max()),
        "after_step": [np.asarray(w).tolist() for w in model.get_weights()]}
print("RESULT" + json.dumps(out))
"""


@pytest.mark.skipif(_keras_python() is None,
                    reason="real Keras is not importable (install keras and tf_keras, or set "
                           "SAESSAK_KERAS_PYTHON to a Python that has them)")
def test_real_keras_reads_compile_settings_optimizer_state_and_weights(tmp_path):
    """A trained saessak model saved as .keras and .h5: Keras 3 and tf.keras 2 compile it as
    saved (optimizer, rate, step count, loss and metrics give saessak's evaluate), read the
    weights-only files, and one more training step from the restored Adam moments lands
    where saessak's own next step does (a fresh optimizer would not)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    model.optimizer.learning_rate = 0.005
    for name in ("m.keras", "m.h5", "w.weights.h5", "w.h5"):
        (model.save_weights if name.startswith("w") else model.save)(tmp_path / name)
    ours = model.evaluate(x, y, verbose=0, return_dict=True)
    np.savez(tmp_path / "data.npz", x=x, y=y, predicted=model.predict(x, verbose=0))
    model.train_on_batch(x, y)
    job = {"npz": str(tmp_path / "data.npz"),
           "runs": [["keras", str(tmp_path / "m.keras"), str(tmp_path / "w.weights.h5")],
                    ["tf_keras", str(tmp_path / "m.h5"), str(tmp_path / "w.h5")]]}
    run = subprocess.run([_keras_python(), "-c", _CHECK_STATE, json.dumps(job)],
                         capture_output=True, text=True, timeout=600)
    line = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, run.stderr[-3000:]
    results = json.loads(line[0][len("RESULT"):])
    for lib_name, got in results.items():
        assert got["optimizer"] == "Adam", lib_name
        assert got["iterations"] == 12, lib_name
        assert got["learning_rate"] == pytest.approx(0.005), lib_name
        assert got["loss"]["loss"] == pytest.approx(ours["loss"], abs=1e-5), lib_name
        assert got["loss"]["accuracy"] == pytest.approx(ours["accuracy"]), lib_name
        assert got["loss"]["auc"] == pytest.approx(ours["auc"], abs=1e-3), lib_name
        assert got["weights_file_diff"] < 1e-6, lib_name
        for theirs, mine in zip(got["after_step"], model.get_weights()):
            np.testing.assert_allclose(np.asarray(theirs), mine, atol=1e-5, err_msg=lib_name)

