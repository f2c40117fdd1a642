"""applications VGG16/19, ResNet50/101/152 and ResNet50/101/152V2 against tf.keras 2.

``tests/fixtures/keras/applications.npz`` (``scripts/make_applications_fixture.py``) holds,
for small models with formula weights, Keras's layer names and weight shapes in
``model.layers`` order (what Keras's published ``.h5`` ImageNet files load by), parameter
counts and outputs; the test sets the same formula weights here."""

import inspect
import json
import os
import sys

import numpy as np
import pytest

import saessak as keras
from saessak import applications
from saessak.applications import application, resnet, resnet_v2, vgg

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from make_applications_fixture import CASES, formula_input, formula_weights  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "keras", "applications.npz")
MODULES = {"VGG16": vgg, "VGG19": vgg, "ResNet50": resnet, "ResNet101": resnet,
           "ResNet152": resnet, "ResNet50V2": resnet_v2, "ResNet101V2": resnet_v2,
           "ResNet152V2": resnet_v2}
# Keras's parameter counts with the top at 224x224 (tf_keras 2.21, weights=None)
FULL_PARAMS = {"VGG16": 138_357_544, "VGG19": 143_667_240, "ResNet50": 25_636_712,
               "ResNet101": 44_707_176, "ResNet152": 60_419_944, "ResNet50V2": 25_613_800,
               "ResNet101V2": 44_675_560, "ResNet152V2": 60_380_648}


def _build(constructor, **kwargs):
    keras.backend.clear_session()  # the unnamed layers' numbering starts again, as in Keras
    return getattr(MODULES[constructor], constructor)(**kwargs)


@pytest.fixture(scope="module")
def fixture():
    with np.load(FIXTURE) as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize("case", list(CASES))
def test_same_layers_weights_and_outputs_as_keras(case, fixture):
    constructor, kwargs = CASES[case]
    model = _build(constructor, weights=None, **kwargs)
    layers = [[layer.name, [list(w.shape) for w in layer.weights]] for layer in model.layers]
    assert layers == json.loads(str(fixture[f"{case}/layers"]))
    assert model.count_params() == int(fixture[f"{case}/params"])
    formula_weights(model)
    y = model.predict(formula_input(kwargs["input_shape"]), verbose=0)
    expected = fixture[f"{case}/output"]
    assert y.shape == expected.shape
    assert not np.allclose(expected[0], expected[1], rtol=1e-2)  # the input matters
    # rtol 1e-4; the atol (1e-5 of the largest output) is for outputs that cancel to near
    # zero: float32 sums over thousands of terms err relative to the terms, not the sum
    # (measured: at most 1.2e-6 of the largest output, VGG16 with the top)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())


def test_signatures_are_keras():
    for constructor, module in MODULES.items():
        params = inspect.signature(getattr(module, constructor)).parameters
        assert [(p.name, p.default) for p in params.values()] == [
            ("include_top", True), ("weights", "imagenet"), ("input_tensor", None),
            ("input_shape", None), ("pooling", None), ("classes", 1000),
            ("classifier_activation", "softmax"), ("name", constructor.lower())]


class _Fetched(Exception):
    pass


@pytest.fixture
def fetched(monkeypatch):
    """The (file name, url) that the 'imagenet' weights ask for; nothing is downloaded."""
    requested = []

    def fetch(file_name, url):
        requested.append((file_name, url))
        raise _Fetched

    monkeypatch.setattr(application, "fetch_weights", fetch)
    return requested


BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


@pytest.mark.parametrize("constructor", list(MODULES))
def test_imagenet_file_names_and_urls(constructor, fetched):
    key = constructor.lower()
    folder = key if constructor.startswith("VGG") else "resnet"
    with pytest.raises(_Fetched):
        _build(constructor, weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    name = f"{key}_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert fetched == [(name, f"{BASE}{folder}/{name}")]
    with pytest.raises(_Fetched):
        _build(constructor, weights="imagenet")
    name = f"{key}_weights_tf_dim_ordering_tf_kernels.h5"
    assert fetched[1] == (name, f"{BASE}{folder}/{name}")


def test_imagenet_urls_written_out(fetched):
    # two of them as Keras's sources spell them, not through the f-strings above
    with pytest.raises(_Fetched):
        _build("VGG19", weights="imagenet", include_top=False)
    with pytest.raises(_Fetched):
        _build("ResNet101V2", weights="imagenet", include_top=False)
    assert [url for _, url in fetched] == [
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
        "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
        "resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5"]


@pytest.mark.parametrize("constructor", ["VGG19", "ResNet50", "ResNet152V2"])
def test_full_size_parameter_counts(constructor):
    model = _build(constructor, weights=None)
    assert model.count_params() == FULL_PARAMS[constructor]
    assert model.output_shape == (None, 1000)
    assert model.name == constructor.lower()


def test_custom_name_and_input_tensor():
    inputs = keras.Input((40, 40, 3))
    model = _build("ResNet50V2", weights=None, include_top=False, input_tensor=inputs,
                   pooling="max", name="backbone")
    assert model.name == "backbone" and model.inputs[0] is inputs
    assert model.output_shape == (None, 2048)
    assert model.layers[-1].name == "max_pool"  # Keras names ResNet's poolings
    model = _build("VGG16", weights=None, include_top=False, input_tensor=inputs)
    assert model.output_shape == (None, 1, 1, 512)


@pytest.mark.parametrize("constructor", ["VGG16", "ResNet101", "ResNet50V2"])
def test_bad_arguments_are_named(constructor, tmp_path):
    def error(match, **kwargs):
        with pytest.raises(ValueError, match=f"^{constructor}: .*{match}"):
            _build(constructor, **kwargs)

    error("classes must be 1000", weights="imagenet", classes=10)
    error("does not exist", weights=str(tmp_path / "none.h5"))
    error("weights must be", weights=3)
    error("pooling must be", weights=None, include_top=False, pooling="sum")
    error("at least 32x32", weights=None, include_top=False, input_shape=(31, 64, 3))
    error(r"must be \(rows, cols, 3\)", weights="imagenet", include_top=False,
          input_shape=(64, 64, 1))
    error("must be 224x224", weights="imagenet", input_shape=(64, 64, 3))
    error("size must be known", weights=None, input_shape=(None, None, 3))


def test_preprocess_input_by_hand():
    x = np.array([[[[10.0, 20.0, 30.0], [255.0, 0.0, 127.5]]]])  # (1, 1, 2, 3) RGB
    caffe = [[[[30 - 103.939, 20 - 116.779, 10 - 123.68],
               [127.5 - 103.939, 0 - 116.779, 255 - 123.68]]]]
    for module in (vgg, resnet):
        np.testing.assert_allclose(module.preprocess_input(x), caffe, rtol=1e-6)
    np.testing.assert_allclose(resnet_v2.preprocess_input(x),
                               [[[[10 / 127.5 - 1, 20 / 127.5 - 1, 30 / 127.5 - 1],
                                  [1.0, -1.0, 0.0]]]], rtol=1e-6, atol=1e-7)
    first = np.transpose(x, (0, 3, 1, 2))  # channels first: the flip is on axis 1
    np.testing.assert_allclose(vgg.preprocess_input(first, data_format="channels_first"),
                               np.transpose(caffe, (0, 3, 1, 2)), rtol=1e-6)
    ints = np.array([[[[0, 0, 0]]]], dtype="uint8")
    out = resnet.preprocess_input(ints)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[[[-103.939, -116.779, -123.68]]]], rtol=1e-6)


def test_decode_predictions(monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    monkeypatch.setattr(applications.imagenet_utils, "_class_index", index)
    preds = np.zeros((2, 1000))
    preds[0, 42], preds[0, 7], preds[1, 999] = 0.8, 0.2, 1.0
    for module in (vgg, resnet, resnet_v2):
        top = module.decode_predictions(preds, top=2)
        assert top[0] == [("n00000042", "class_42", 0.8), ("n00000007", "class_7", 0.2)]
        assert top[1][0] == ("n00000999", "class_999", 1.0)
        with pytest.raises(ValueError, match=r"shape \(samples, 1000\)"):
            module.decode_predictions(np.zeros((1, 10)))


def test_preprocess_input_inside_a_model():
    """keras.io's DeepLabV3+ preprocesses a keras.Input and feeds the result to
    ResNet50(input_tensor=...): the op records itself as a layer and computes as on arrays."""
    import saessak as keras
    inputs = keras.Input((32, 32, 3))
    base = keras.applications.ResNet50(weights=None, include_top=False,
                                       input_tensor=keras.applications.resnet50
                                       .preprocess_input(inputs))
    model = keras.Model(inputs, base.get_layer("conv2_block3_2_relu").output)
    x = np.random.default_rng(0).uniform(0, 255, (1, 32, 32, 3)).astype("float32")
    plain = keras.applications.ResNet50(weights=None, include_top=False,
                                        input_shape=(32, 32, 3))
    plain.set_weights(base.get_weights())
    direct = keras.Model(plain.input, plain.get_layer("conv2_block3_2_relu").output)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               direct.predict(resnet.preprocess_input(x), verbose=0),
                               rtol=1e-5, atol=1e-6)
