"""OpLayer: keras.ops and tf.* calls on functional-model placeholders are kept by name, so
models holding them save and load in every format (a Lambda's code never loads), and Keras
3's own files with keras.ops calls load (fixture: scripts/make_ops_model_fixture.py)."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import saessak as keras
import saessak.compat as tf
from saessak import layers, ops
from saessak.layers.op_layer import OpLayer, resolve

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")


def _model():
    inputs = keras.Input((4, 3))
    x = layers.Dense(3)(inputs) + inputs
    first = x[:, 0, :] * 2.0
    joined = ops.concatenate([ops.mean(x, axis=1), first], axis=-1)
    shifted = 1.0 - tf.nn.relu(tf.reduce_sum(joined, axis=-1, keepdims=True))
    corner = ops.transpose(x, (0, 2, 1))[..., 1:3]
    masked = ops.where(np.array([True, False, True]), x, 0.0)
    return keras.Model(inputs, [joined, shifted, corner, masked])


@pytest.mark.parametrize("suffix", [".keras", ".saessak", ".h5"])
def test_a_model_with_ops_saves_and_loads(tmp_path, suffix):
    model = _model()
    data = np.random.default_rng(0).random((2, 4, 3)).astype("float32")
    before = model.predict(data, verbose=0)
    model.save(tmp_path / f"m{suffix}")
    loaded = keras.models.load_model(tmp_path / f"m{suffix}")
    for a, b in zip(before, loaded.predict(data, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert sum(isinstance(layer, OpLayer) for layer in loaded.layers) >= 9


def test_the_layer_keeps_the_call_by_name():
    inputs = keras.Input((5,))
    out = ops.clip(inputs, 0.0, 1.0)
    layer = out._keras_history[0]
    assert isinstance(layer, OpLayer) and layer.function == "ops.clip"
    config = layer.get_config()
    assert json.loads(json.dumps(config)) == config  # plain JSON
    again = OpLayer.from_config(config)
    np.testing.assert_array_equal(again(np.array([[-1.0, 0.5, 2.0, 0.25, 3.0]])).numpy(),
                                  [[0.0, 0.5, 1.0, 0.25, 1.0]])


def test_only_saessaks_own_functions_are_looked_up():
    assert resolve("ops.mean") is ops.mean
    assert resolve("tf.math.reduce_sum") is tf.math.reduce_sum
    for name in ("os.system", "ops._private", "tf.__class__", "ops.no_such_op"):
        with pytest.raises(ValueError, match="unknown op"):
            resolve(name)


def test_keras3_files_with_ops_load_and_predict_what_keras_predicted():
    data = np.load(os.path.join(FIXTURES, "ops_model.npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, "ops_model.keras"))
    outputs = model.predict(data["x"], verbose=0)
    assert len(outputs) == 4
    for i, y in enumerate(outputs):
        np.testing.assert_allclose(y, data[f"y{i}"], rtol=1e-5, atol=1e-6)
    assert {layer.function for layer in model.layers if isinstance(layer, OpLayer)} >= {
        "ops.add", "ops.get_item", "ops.mean", "ops.concatenate", "ops.transpose",
        "ops.cast", "ops.sqrt"}


def _keras_python():
    if importlib.util.find_spec("keras") is not None:
        return sys.executable
    return os.environ.get("SAESSAK_KERAS_PYTHON")


_CHECK = """
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, keras
model = keras.models.load_model(sys.argv[1])
data = np.load(sys.argv[2])
print("RESULT", max(float(np.abs(y - data[f"y{i}"]).max())
                    for i, y in enumerate(model.predict(data["x"], verbose=0))))
"""


@pytest.mark.skipif(_keras_python() is None,
                    reason="real Keras 3 is not importable (set SAESSAK_KERAS_PYTHON)")
def test_real_keras_loads_saessaks_ops(tmp_path):
    data = np.load(os.path.join(FIXTURES, "ops_model.npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, "ops_model.keras"))
    model.save(tmp_path / "again.keras")  # written back as Keras 3 operations
    run = subprocess.run([_keras_python(), "-c", _CHECK, str(tmp_path / "again.keras"),
                          os.path.join(FIXTURES, "ops_model.npz")],
                         capture_output=True, text=True, timeout=300)
    line = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, run.stderr[-3000:]
    assert float(line[0].split()[1]) < 1e-5
    assert data["x"].shape == (2, 4, 3)


def test_tf_keras2_files_with_tf_op_lambda_layers_load(tmp_path):
    data = np.load(os.path.join(FIXTURES, "tf_ops_model.npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, "tf_ops_model.h5"))
    for i, y in enumerate(model.predict(data["x"], verbose=0)):
        np.testing.assert_allclose(y, data[f"y{i}"], rtol=1e-5, atol=1e-6)
    names = {layer.function for layer in model.layers if isinstance(layer, OpLayer)}
    assert names == {"ops.add", "ops.get_item", "tf.math.reduce_mean", "tf.math.multiply",
                     "tf.concat", "tf.nn.relu", "tf.transpose"}
    model.save(tmp_path / "again.h5")  # and saessak's own .h5 of it loads again
    again = keras.models.load_model(tmp_path / "again.h5")
    np.testing.assert_allclose(again.predict(data["x"], verbose=0)[1], data["y1"], rtol=1e-5)
