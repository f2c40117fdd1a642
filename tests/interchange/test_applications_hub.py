"""applications.MobileNetV2 (Keras's structure, names and weight files) and hub.KerasLayer."""

import os
import time
import tracemalloc

import numpy as np
import pytest

import saessak as keras
from saessak import applications, hub, layers

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")


@pytest.mark.parametrize("classes,params", [(1000, 3_538_984), (1001, 3_540_265)])
def test_parameter_counts(classes, params):
    model = applications.MobileNetV2(weights=None, classes=classes)
    assert model.count_params() == params
    assert model.output_shape == (None, classes)


def test_keras_layer_names():
    model = applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, include_top=False,
                                     weights=None, pooling="avg")
    names = [layer.name for layer in model.layers]
    for name in ("Conv1", "bn_Conv1", "Conv1_relu", "expanded_conv_depthwise",
                 "expanded_conv_project_BN", "block_1_expand", "block_1_pad", "block_2_add",
                 "block_16_project_BN", "Conv_1", "Conv_1_bn", "out_relu"):
        assert name in names
    assert model.name == "mobilenetv2_0.35_96"
    assert model.output_shape == (None, 1280)
    assert len(model.layers) == 155  # 154 in Keras's own + the pooling layer


def test_keras_saved_mobilenet_predicts_the_same():
    pytest.importorskip("h5py", reason="Keras weight files need h5py (saessak[h5])")
    path = os.path.join(FIXTURES, "mobilenet_v2_035_96_notop_tk2w.h5")
    model = applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, include_top=False,
                                     weights=path)
    with np.load(os.path.join(FIXTURES, "mobilenet_v2_035_96_notop.npz")) as data:
        x, expected = data["x"], data["tk2"]
    y = model.predict(x, verbose=0)
    assert y.shape == expected.shape == (1, 3, 3, 1280)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-4)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="classes must be 1000"):
        applications.MobileNetV2(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="alpha in"):
        applications.MobileNetV2(weights="imagenet", alpha=0.6)
    with pytest.raises(ValueError, match="does not exist"):
        applications.MobileNetV2(weights="/no/such/file.h5")
    with pytest.raises(ValueError, match="pooling must be"):
        applications.MobileNetV2(weights=None, include_top=False, pooling="sum")


def test_imagenet_offline_error_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path))
    with pytest.raises(OSError, match=r"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_"
                                      r"1\.0_224\.h5.*copy it to .*models"):
        applications.MobileNetV2(weights="imagenet")


def test_preprocess_and_decode(monkeypatch, tmp_path):
    x = np.array([[[[0, 127.5, 255]]]])
    np.testing.assert_allclose(applications.mobilenet_v2.preprocess_input(x),
                               [[[[-1.0, 0.0, 1.0]]]])
    # the class index is read from the cache, as get_file would have left it
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    import json
    (models_dir / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path))
    monkeypatch.setattr(applications.imagenet_utils, "_class_index", None)
    monkeypatch.setattr(applications.imagenet_utils, "CLASS_INDEX_MD5", None)
    preds = np.zeros((2, 1000))
    preds[0, 7], preds[0, 3], preds[1, 999] = 0.9, 0.1, 1.0
    top = applications.mobilenet_v2.decode_predictions(preds, top=2)
    assert top[0][0] == ("n00000007", "class_7", 0.9)
    assert top[0][1][:2] == ("n00000003", "class_3")
    assert top[1][0][:2] == ("n00000999", "class_999")
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\)"):
        applications.mobilenet_v2.decode_predictions(np.zeros((1, 10)))


# --- hub.KerasLayer --------------------------------------------------------------------------


def test_hub_layer_summary_as_the_seed_prints():
    base = applications.MobileNetV2(weights=None, classes=1001)
    model = keras.Sequential([hub.KerasLayer(base, input_shape=(224, 224, 3))])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "keras_layer" in text and "(KerasLayer)" in text
    assert "Total params: 3,540,265" in text
    assert "Trainable params: 0" in text
    assert "Non-trainable params: 3,540,265" in text


def _small_saved_model(path):
    inputs = keras.Input((6,))
    x = layers.Dense(5, activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    model = keras.Model(inputs, layers.Dense(3)(x))
    model.save(path)
    return model


@pytest.mark.parametrize("filename", ["base.keras", "base.h5"])
def test_hub_layer_from_a_file_is_frozen_and_trains_a_head(tmp_path, filename):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    base = _small_saved_model(tmp_path / filename)
    x = np.random.default_rng(0).normal(size=(32, 6)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    layer = hub.KerasLayer(str(tmp_path / filename))
    np.testing.assert_allclose(layer(x).numpy(), base.predict(x, verbose=0), atol=1e-6)
    model = keras.Sequential([keras.Input((6,)), layer, layers.Dense(1, activation="sigmoid")])
    before = [w.copy() for w in layer.get_weights()]
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(layer.get_weights(), before):  # the moving statistics too
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2


def test_hub_layer_trainable_updates_its_weights(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    _small_saved_model(tmp_path / "base.keras")
    layer = hub.KerasLayer(str(tmp_path / "base.keras"), trainable=True)
    model = keras.Sequential([keras.Input((6,)), layer, layers.Dense(1)])
    before = layer.get_weights()[0].copy()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 6), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    assert not np.array_equal(layer.get_weights()[0], before)


@pytest.mark.parametrize("handle", [
    "https://tfhub.dev/google/tf2-preview/mobilenet_v2/classification/2",
    "https://www.kaggle.com/models/google/mobilenet-v2/frameworks/TensorFlow2/variations/x/1"])
def test_tf_hub_handles_name_the_saessak_way(handle):
    with pytest.raises(ValueError, match=r"applications\.MobileNetV2\(weights="):
        hub.KerasLayer(handle, input_shape=(224, 224, 3))


def test_savedmodel_directory_is_refused(tmp_path):
    with pytest.raises(ValueError, match="SavedModel"):
        hub.KerasLayer(str(tmp_path))


# --- loading a 14 MB MobileNetV2 file -------------------------------------------------------


def test_loading_a_14mb_mobilenet_is_fast_and_lean(tmp_path):
    pytest.importorskip("h5py", reason="Keras weight files need h5py (saessak[h5])")
    model = applications.MobileNetV2(weights=None)
    path = tmp_path / "mobilenet_v2.h5"
    model.save(path)
    size = os.path.getsize(path)
    assert 14e6 < size < 15.5e6
    fresh = applications.MobileNetV2(weights=None)
    tracemalloc.start()
    start = time.perf_counter()
    fresh.load_weights(path)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert peak < 3 * size, f"peak extra memory {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    # measured 0.4 s on 2 shared cores; the bound leaves room for a loaded CI machine
    assert seconds < 3.0, f"loading took {seconds:.2f} s"


def test_model_with_a_hub_layer_saves_and_loads(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    base = _small_saved_model(tmp_path / "base.keras")
    model = keras.Sequential([keras.Input((6,)), hub.KerasLayer(str(tmp_path / "base.keras")),
                              layers.Dense(1)])
    model.save(tmp_path / "whole.keras")
    again = keras.models.load_model(tmp_path / "whole.keras",
                                    custom_objects={"KerasLayer": hub.KerasLayer})
    x = np.random.default_rng(1).normal(size=(4, 6)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)
    assert not again.layers[0].trainable and base.count_params() == again.layers[0].count_params()
