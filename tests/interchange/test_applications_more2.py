"""applications.DenseNet121/169/201, Xception and InceptionV3 against tf.keras 2.

``tests/fixtures/keras/applications2.npz`` (``scripts/make_applications_fixture2.py``)
holds, for each model at its smallest input, tf.keras's parameter count, its layers (name and
weight shapes, in the order a tf.keras 2 ``.h5`` weights file is matched to them) and its
prediction with weights set by a formula; here saessak's models must give the same.
"""

import inspect
import json
import os
import re

import numpy as np
import pytest

import saessak as keras
from saessak.applications import densenet, imagenet_utils, inception_v3, xception

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras",
                       "applications2.npz")
MODULES = {"DenseNet121": densenet, "DenseNet169": densenet, "DenseNet201": densenet,
           "Xception": xception, "InceptionV3": inception_v3}
CASES = ["densenet121", "densenet121_top", "densenet121_max", "densenet169", "densenet201",
         "xception", "inception_v3"]


def constructor(name):
    return getattr(MODULES[name], name)


# --- the same weights as the fixture script's (keep the two formulas the same) ---------------


def weight_name(variable):
    return variable.name.split("/")[-1].split(":")[0]


def formula_weight(name, shape, layer_index, weight_index):
    shape = tuple(int(d) for d in shape)
    size = int(np.prod(shape))
    phase = np.arange(size) * 0.37 + 0.1 * layer_index + 0.5 * weight_index
    base = (2.0 * np.modf(np.abs(np.sin(phase) * 43758.5453))[0] - 1.0).reshape(shape)
    if name == "moving_variance":
        return (0.9 + 0.2 * np.abs(base)).astype("float32")
    if name == "gamma":
        return (1.0 + 0.1 * base).astype("float32")
    if name == "depthwise_kernel":
        return (base * np.sqrt(3.0 / np.prod(shape[:-2]))).astype("float32")
    if len(shape) >= 2:
        return (base * np.sqrt(6.0 / np.prod(shape[:-1]))).astype("float32")
    return (0.05 * base).astype("float32")


def set_formula_weights(model):
    for i, layer in enumerate(model.layers):
        if layer.weights:
            layer.set_weights([formula_weight(weight_name(w), w.shape, i, j)
                               for j, w in enumerate(layer.weights)])


def fixture_case(case):
    with np.load(FIXTURE) as data:
        kwargs = json.loads(str(data[f"{case}/kwargs"]))
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
        return (str(data[f"{case}/constructor"]), kwargs, data[f"{case}/x"],
                data[f"{case}/y"], int(data[f"{case}/params"]),
                json.loads(str(data[f"{case}/layers"])))


def test_fixture_has_exactly_these_cases():
    with np.load(FIXTURE) as data:
        assert sorted({key.split("/")[0] for key in data.files}) == sorted(CASES)


@pytest.mark.parametrize("case", CASES)
def test_layers_parameters_and_prediction_match_tf_keras(case):
    name, kwargs, x, expected, params, layers = fixture_case(case)
    keras.backend.clear_session()  # automatic names (conv2d_7, add_2 ...) from the start
    model = constructor(name)(weights=None, **kwargs)
    assert model.count_params() == params
    ours = [[layer.name, [list(w.shape) for w in layer.weights]] for layer in model.layers]
    assert ours == layers
    set_formula_weights(model)
    y = model.predict(x, verbose=0)
    assert y.shape == expected.shape
    # float32 sums of thousands of terms differ in their last bits (Keras 3 and tf.keras 2
    # differ from each other by up to 6e-7 of the output's scale on these weights); an output
    # near zero is such a sum that cancels, so besides rtol its error is bounded by 1e-5 of
    # the scale. A wrong layer changes the outputs by percents (the script prints how much
    # negating the image does).
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())


# --- Keras's signatures, defaults, names ---------------------------------------------------

SIGNATURE = ["include_top", "weights", "input_tensor", "input_shape", "pooling", "classes",
             "classifier_activation", "name"]


@pytest.mark.parametrize("name,model_name,size,params,params_notop,features,n_layers", [
    ("DenseNet121", "densenet121", 224, 8_062_504, 7_037_504, 1024, 429),
    ("DenseNet169", "densenet169", 224, 14_307_880, 12_642_880, 1664, 597),
    ("DenseNet201", "densenet201", 224, 20_242_984, 18_321_984, 1920, 709),
    ("Xception", "xception", 299, 22_910_480, 20_861_480, 2048, 134),
    ("InceptionV3", "inception_v3", 299, 23_851_784, 21_802_784, 2048, 313),
])
def test_keras_signature_and_default_model(name, model_name, size, params, params_notop,
                                           features, n_layers):
    """Numbers from Keras 3.15's ``keras.applications`` with ``weights=None``."""
    parameters = inspect.signature(constructor(name)).parameters
    assert list(parameters) == SIGNATURE
    assert {k: p.default for k, p in parameters.items()} == {
        "include_top": True, "weights": "imagenet", "input_tensor": None, "input_shape": None,
        "pooling": None, "classes": 1000, "classifier_activation": "softmax",
        "name": model_name}
    model = constructor(name)(weights=None)
    assert model.name == model_name
    assert model.input_shape == (None, size, size, 3)
    assert model.output_shape == (None, 1000)
    assert model.count_params() == params
    assert len(model.layers) == n_layers
    assert [layer.name for layer in model.layers[-2:]] == ["avg_pool", "predictions"]
    notop = constructor(name)(weights=None, include_top=False, input_shape=(size, size, 3))
    assert notop.count_params() == params_notop
    assert notop.output_shape[-1] == features and len(notop.output_shape) == 4


def test_input_tensor_and_custom_name():
    inputs = keras.Input((40, 48, 3))
    model = densenet.DenseNet121(weights=None, include_top=False, input_tensor=inputs,
                                 pooling="max", name="feature_net")
    assert model.name == "feature_net"
    assert model.inputs[0] is inputs
    assert model.output_shape == (None, 1024)
    assert model.layers[-1].name == "max_pool"
    model = inception_v3.InceptionV3(weights=None, input_shape=(80, 96, 3), classes=7,
                                     classifier_activation=None)
    assert model.output_shape == (None, 7)
    assert model.get_layer("predictions").get_config()["activation"] == "linear"


# --- argument checks -------------------------------------------------------------------------


@pytest.mark.parametrize("name,default_size,min_size", [
    ("DenseNet121", 224, 32), ("DenseNet169", 224, 32), ("DenseNet201", 224, 32),
    ("Xception", 299, 71), ("InceptionV3", 299, 75)])
def test_bad_arguments_are_named(name, default_size, min_size, tmp_path):
    build = constructor(name)
    small = (min_size - 1, min_size, 3)
    with pytest.raises(ValueError, match=rf"{name}: input size must be at least "
                                         rf"{min_size}x{min_size}"):
        build(weights=None, include_top=False, input_shape=small)
    with pytest.raises(ValueError, match=rf"{name}: .*classes must be 1000"):
        build(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match=rf"{name}: .*must be {default_size}x{default_size}"):
        build(weights="imagenet", input_shape=(min_size + 8, min_size + 8, 3))
    with pytest.raises(ValueError, match=rf"{name}: weights file .* does not exist"):
        build(weights=str(tmp_path / "missing.h5"))
    with pytest.raises(ValueError, match=rf"{name}: pooling must be"):
        build(weights=None, include_top=False, pooling="sum")
    with pytest.raises(ValueError, match=rf"{name}: input_shape must be \(rows, cols, 3\)"):
        build(weights="imagenet", include_top=False, input_shape=(96, 96, 1))
    with pytest.raises(ValueError, match=rf"{name}: .*classifier_activation must be None or "
                                         r"'softmax'; received 'relu'"):
        build(weights="imagenet", classifier_activation="relu")


# --- ImageNet weights: Keras's file names and addresses ----------------------------------

BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
IMAGENET = [
    ("DenseNet121", 32, BASE + "densenet/densenet121_weights_tf_dim_ordering_tf_kernels"),
    ("DenseNet169", 32, BASE + "densenet/densenet169_weights_tf_dim_ordering_tf_kernels"),
    ("DenseNet201", 32, BASE + "densenet/densenet201_weights_tf_dim_ordering_tf_kernels"),
    ("Xception", 71, BASE + "xception/xception_weights_tf_dim_ordering_tf_kernels"),
    ("InceptionV3", 75,
     BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels"),
]


@pytest.mark.parametrize("name,min_size,stem", IMAGENET)
@pytest.mark.parametrize("include_top", [True, False])
def test_imagenet_offline_error_names_file_and_url(name, min_size, stem, include_top,
                                                   monkeypatch, tmp_path):
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path))
    url = stem + ("" if include_top else "_notop") + ".h5"
    file_name = url.rsplit("/", 1)[1]
    shape = None if include_top else (min_size, min_size, 3)
    with pytest.raises(OSError, match=rf"{re.escape(repr(file_name))} from "
                                      rf"{re.escape(url)} .*copy it to .*models"):
        constructor(name)(weights="imagenet", include_top=include_top, input_shape=shape)


def test_imagenet_weights_are_loaded_from_the_fetched_file(monkeypatch, tmp_path):
    pytest.importorskip("h5py", reason="Keras weight files need h5py (saessak[h5])")
    source = densenet.DenseNet121(weights=None, include_top=False, input_shape=(32, 32, 3))
    set_formula_weights(source)
    path = str(tmp_path / "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5")
    source.save_weights(path)  # tf.keras 2's layout, matched by the order of the layers
    asked = []

    def fetch(file_name, url):
        asked.append((file_name, url))
        return path

    from saessak.applications import application
    monkeypatch.setattr(application, "fetch_weights", fetch)
    model = densenet.DenseNet121(weights="imagenet", include_top=False,
                                 input_shape=(32, 32, 3))
    assert asked == [(os.path.basename(path), IMAGENET[0][2] + "_notop.h5")]
    x = np.linspace(-1, 1, 2 * 32 * 32 * 3, dtype="float32").reshape(2, 32, 32, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0), source.predict(x, verbose=0))


# --- preprocess_input and decode_predictions -----------------------------------------------


def test_densenet_preprocess_is_torch_mode():
    x = np.array([[[[0.0, 127.5, 255.0], [255.0, 0.0, 51.0]]]])
    expected = np.array([[[[(0 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (1 - 0.406) / 0.225],
                           [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.2 - 0.406) / 0.225]]]])
    np.testing.assert_allclose(densenet.preprocess_input(x), expected, rtol=1e-6)
    first = densenet.preprocess_input(np.moveaxis(x, -1, 1), data_format="channels_first")
    np.testing.assert_allclose(first, np.moveaxis(expected, -1, 1), rtol=1e-6)
    ints = densenet.preprocess_input(np.full((1, 1, 1, 3), 255, dtype="uint8"))
    assert ints.dtype == np.float32


@pytest.mark.parametrize("module", [xception, inception_v3])
def test_xception_and_inception_preprocess_is_tf_mode(module):
    x = np.array([[[[0.0, 127.5, 255.0], [63.75, 191.25, 25.5]]]])
    np.testing.assert_allclose(module.preprocess_input(x),
                               [[[[-1.0, 0.0, 1.0], [-0.5, 0.5, -0.8]]]], atol=1e-7)
    assert module.preprocess_input(np.zeros((1, 2, 2, 3), "uint8")).dtype == np.float32


@pytest.mark.parametrize("module", [densenet, xception, inception_v3])
def test_decode_predictions(module, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    monkeypatch.setattr(imagenet_utils, "_class_index", index)
    preds = np.zeros((2, 1000))
    preds[0, 42], preds[0, 5], preds[1, 0] = 0.7, 0.2, 0.9
    top = module.decode_predictions(preds, top=2)
    assert top[0] == [("n00000042", "class_42", 0.7), ("n00000005", "class_5", 0.2)]
    assert top[1][0] == ("n00000000", "class_0", 0.9)
    assert len(module.decode_predictions(preds)[0]) == 5
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\)"):
        module.decode_predictions(np.zeros((1, 10)))
