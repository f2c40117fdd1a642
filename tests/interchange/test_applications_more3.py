"""applications: EfficientNetB0-B7, MobileNet (v1), MobileNetV3Small/Large against tf.keras 2.

``tests/fixtures/keras/applications3.npz`` (``scripts/make_applications_fixture3.py``) holds,
for each case, tf.keras 2's layer list, parameter count and output once every weight is set
by ``formula`` below, and what ``save_weights`` writes into a tf.keras 2 ``.h5`` file (the
layout of Keras's published ImageNet files). No weight file is stored: the formula makes
the weights again, here and there.
"""

import inspect
import json
import os
import warnings

import numpy as np
import pytest

from saessak import backend
from saessak.applications import application, efficientnet, mobilenet, mobilenet_v3

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "applications3.npz")
SIZE = (32, 32, 3)
MODULES = {"EfficientNetB0": efficientnet, "EfficientNetB1": efficientnet,
           "EfficientNetB3": efficientnet, "MobileNet": mobilenet,
           "MobileNetV3Small": mobilenet_v3, "MobileNetV3Large": mobilenet_v3}
_data = {}


def _fixture():
    if not _data:
        with np.load(FIXTURE) as f:
            _data.update({k: f[k] for k in f.files})
    return _data


def _cases():
    with np.load(FIXTURE) as f:
        return sorted({k.split("/")[0] for k in f.files})


def _case(case):
    data = _fixture()
    return json.loads(str(data[f"{case}/json"])), data[f"{case}/x"], data[f"{case}/y"]


def formula(name, shape, layer_index, weight_index, gain):
    """The script's formula: ``sin(0.37 i + 0.0123 i^2 + 0.1 layer + 0.5 weight)`` scaled by
    the weight's kind (kernels by ``gain / sqrt(fan_in)``, variances kept positive)."""
    size = int(np.prod(shape, dtype=np.int64))
    i = np.arange(size, dtype=np.float64)
    s = np.sin(0.37 * i + 0.0123 * i * i + 0.1 * layer_index + 0.5 * weight_index)
    if name in ("kernel", "depthwise_kernel"):
        fan_in = np.prod(shape[:2]) if name == "depthwise_kernel" else np.prod(shape[:-1])
        value = gain * s / np.sqrt(fan_in)
    elif name == "gamma":
        value = 1.0 + 0.2 * s
    elif name in ("moving_variance", "variance"):
        value = 0.5 + 0.1 * np.abs(s)
    else:
        value = 0.1 * s
    return value.reshape(shape).astype("float32")


def _build(info, **overrides):
    backend.clear_session()  # layer names count from zero, as in the script's session
    kwargs = {"weights": None, "input_shape": SIZE, **info["kwargs"], **overrides}
    return getattr(MODULES[info["constructor"]], info["constructor"])(**kwargs)


def _set_formula_weights(model, gain):
    index = 0
    for layer in model.layers:
        if not layer.weights:
            continue
        values = [formula(w.path.split("/")[-1], tuple(w.shape), index, k, gain)
                  if np.issubdtype(v.dtype, np.floating) else v
                  for k, (w, v) in enumerate(zip(layer.weights, layer.get_weights()))]
        layer.set_weights(values)
        index += 1


def _write_tf_keras_h5(info, path):
    """A tf.keras 2 weights file as ``save_weights`` lays it out (the layer and weight names
    from the fixture), holding the formula's weights."""
    h5py = pytest.importorskip("h5py", reason="Keras weight files need h5py (saessak[h5])")
    with_weights = [(name, ws) for name, _, ws in info["layers"] if ws]
    where = {name: (i, [w for w, _ in ws]) for i, (name, ws) in enumerate(with_weights)}
    shapes = {name: dict((w, s) for w, s in ws) for name, ws in with_weights}
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([n.encode() for n in info["h5_layer_names"]])
        f.attrs["backend"], f.attrs["keras_version"] = b"tensorflow", b"2.21.0"
        for layer_name in info["h5_layer_names"]:
            g = f.require_group(layer_name)
            stored = info["h5_weight_names"][layer_name]
            g.attrs["weight_names"] = np.array([n.encode() for n in stored])
            for full in stored:
                own = full.split(":")[0][len(layer_name) + 1:]
                index, order = where[layer_name]
                shape = tuple(shapes[layer_name][own])
                if own == "count":
                    value = np.array(0, dtype="int64")
                else:
                    value = formula(own.split("/")[-1], shape, index, order.index(own),
                                    info["gain"])
                g.create_dataset(full, data=value)


def _assert_close(y, expected):
    # float32 through up to ~300 layers; an absolute floor of 1e-5 of the output's scale
    # covers entries that cancel to near zero (relative error means nothing there)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())


# --- structure and numbers against tf.keras 2 -------------------------------------------------


def test_fixture_cases_depend_on_their_input():
    """The formula's weights keep the signal alive: the two images give different outputs,
    so matching outputs means the computation matched, not only the biases."""
    for case in _cases():
        _, x, y = _case(case)
        flat = y.reshape(len(y), -1)
        assert len(x) == 2 and np.abs(flat[0] - flat[1]).max() >= 0.05 * np.abs(flat).max()


@pytest.mark.parametrize("case", _cases())
def test_layers_and_parameters_are_keras(case):
    info, _, _ = _case(case)
    model = _build(info)
    assert model.name == info["name"]
    assert model.count_params() == info["params"]
    ours = [[layer.name, [[w.path[len(layer.name) + 1:], list(w.shape)] for w in layer.weights]]
            for layer in model.layers]
    assert ours == [[name, weights] for name, _, weights in info["layers"]]
    for layer, (_, their_class, _) in zip(model.layers, info["layers"]):
        # tf.keras 2 records operators on tensors as TFOpLambda layers; they are Rescaling
        # layers of the same names here
        expected = "Rescaling" if their_class == "TFOpLambda" else their_class
        assert type(layer).__name__ == expected, layer.name


@pytest.mark.parametrize("case", _cases())
def test_outputs_match_keras_with_the_same_weights(case):
    info, x, expected = _case(case)
    model = _build(info)
    _set_formula_weights(model, info["gain"])
    y = model.predict(x, verbose=0)
    assert y.shape == expected.shape
    _assert_close(y, expected)


@pytest.mark.parametrize("case", ["efficientnetb0_top10", "mobilenet_050_dm2_none",
                                  "mobilenetv3small_avg"])
def test_a_tf_keras_weight_file_loads_by_keras_order(case, tmp_path):
    """The published ImageNet files' layout: layers paired in order, and inside a
    BatchNormalization four weights of one shape told apart by their names."""
    info, x, expected = _case(case)
    path = tmp_path / "w.h5"
    _write_tf_keras_h5(info, path)
    model = _build(info, weights=str(path))
    _assert_close(model.predict(x, verbose=0), expected)


# --- imagenet weights: file names, URLs, loading ----------------------------------------------


class _Fetched(Exception):
    pass


@pytest.fixture
def fetched(monkeypatch):
    """Record what the 'imagenet' path asks ``fetch_weights`` for; serve ``files[name]``."""
    calls, files = [], {}

    def fetch(file_name, url):
        calls.append((file_name, url))
        if file_name not in files:
            raise _Fetched(file_name)
        return files[file_name]

    monkeypatch.setattr(application, "fetch_weights", fetch)
    return calls, files


EFF = "https://storage.googleapis.com/keras-applications/"
MNET = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
MNET3 = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"


@pytest.mark.parametrize("build,file_name,url", [
    (lambda: efficientnet.EfficientNetB0(), "efficientnetb0.h5", EFF),
    (lambda: efficientnet.EfficientNetB3(include_top=False, input_shape=SIZE, name="mine"),
     "efficientnetb3_notop.h5", EFF),
    (lambda: mobilenet.MobileNet(alpha=0.25, input_shape=(128, 128, 3)),
     "mobilenet_2_5_128_tf.h5", MNET),
    (lambda: mobilenet.MobileNet(alpha=0.75, include_top=False, input_shape=(160, 160, 3)),
     "mobilenet_7_5_160_tf_no_top.h5", MNET),
    (lambda: mobilenet_v3.MobileNetV3Small(), "weights_mobilenet_v3_small_224_1.0_float.h5",
     MNET3),
    (lambda: mobilenet_v3.MobileNetV3Large(alpha=0.75, include_top=False,
                                           input_shape=(224, 224, 3)),
     "weights_mobilenet_v3_large_224_0.75_float_no_top_v2.h5", MNET3),
    (lambda: mobilenet_v3.MobileNetV3Small(minimalistic=True, input_shape=(224, 224, 3)),
     "weights_mobilenet_v3_small_minimalistic_224_1.0_float.h5", MNET3),
])
def test_imagenet_file_names_and_urls(fetched, build, file_name, url):
    calls, _ = fetched
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MobileNetV3's default size is open: it warns
        with pytest.raises(_Fetched):
            build()
    assert calls == [(file_name, url + file_name)]


def test_imagenet_at_other_sizes_warns_and_takes_the_224_file(fetched):
    calls, _ = fetched
    with pytest.warns(UserWarning, match="224x224"), pytest.raises(_Fetched):
        mobilenet.MobileNet(include_top=False, input_shape=(100, 100, 3))
    with pytest.warns(UserWarning, match="224x224"), pytest.raises(_Fetched):
        mobilenet_v3.MobileNetV3Large(include_top=False, minimalistic=True)
    assert [c[0] for c in calls] == ["mobilenet_1_0_224_tf_no_top.h5",
                                     "weights_mobilenet_v3_large_minimalistic_224_1.0_float_"
                                     "no_top_v2.h5"]


def test_imagenet_offline_error_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path))
    with pytest.raises(OSError, match=r"efficientnetb0_notop\.h5.*copy it to .*models"):
        efficientnet.EfficientNetB0(include_top=False, input_shape=SIZE)


@pytest.mark.parametrize("case,file_name", [
    ("mobilenetv3small_avg", "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"),
    ("mobilenet_025_avg", "mobilenet_2_5_224_tf_no_top.h5")])
def test_imagenet_loads_the_fetched_file(fetched, tmp_path, case, file_name):
    info, x, expected = _case(case)
    calls, files = fetched
    files[file_name] = str(tmp_path / "w.h5")
    _write_tf_keras_h5(info, files[file_name])
    with pytest.warns(UserWarning, match="224x224"):  # 32x32 is not an ImageNet size
        model = _build(info, weights="imagenet")
    assert calls == [(file_name, f"{MNET3 if 'v3' in case else MNET}{file_name}")]
    _assert_close(model.predict(x, verbose=0), expected)


def test_efficientnet_imagenet_divides_by_the_root_of_the_stddev(fetched, tmp_path):
    """With 'imagenet' one more layer divides the normalized pixels by sqrt(stddev): the
    same as a Normalization whose variances are multiplied by the stddev."""
    info, x, expected = _case("efficientnetb0_avg")
    _, files = fetched
    files["efficientnetb0_notop.h5"] = str(tmp_path / "w.h5")
    _write_tf_keras_h5(info, files["efficientnetb0_notop.h5"])
    model = _build(info, weights="imagenet")
    names = [layer.name for layer in model.layers]
    assert names[1:4] == ["rescaling", "normalization", "tf.math.multiply"]
    np.testing.assert_allclose(model.layers[3].scale, 1 / np.sqrt([0.229, 0.224, 0.225]))
    y = model.predict(x, verbose=0)
    assert np.abs(y - expected).max() > 1e-3  # the layer changes the result ...
    plain = _build(info)
    _set_formula_weights(plain, info["gain"])
    norm = plain.get_layer("normalization")
    mean, variance, count = norm.get_weights()
    norm.set_weights([mean, variance * np.float32([0.229, 0.224, 0.225]), count])
    _assert_close(y, plain.predict(x, verbose=0))  # ... as scaled variances would


# --- arguments ------------------------------------------------------------------------------


def test_signatures_are_keras():
    def params(fn):
        return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]

    common = [("include_top", True), ("weights", "imagenet"), ("input_tensor", None),
              ("input_shape", None), ("pooling", None), ("classes", 1000),
              ("classifier_activation", "softmax")]
    for v in range(8):
        fn = getattr(efficientnet, f"EfficientNetB{v}")
        assert fn.__name__ == f"EfficientNetB{v}"
        assert params(fn) == common + [("name", f"efficientnetb{v}")]
    assert params(mobilenet.MobileNet) == [
        ("input_shape", None), ("alpha", 1.0), ("depth_multiplier", 1), ("dropout", 1e-3),
        ("include_top", True), ("weights", "imagenet"), ("input_tensor", None),
        ("pooling", None), ("classes", 1000), ("classifier_activation", "softmax"),
        ("name", None)]
    v3 = [("input_shape", None), ("alpha", 1.0), ("minimalistic", False),
          ("include_top", True), ("weights", "imagenet"), ("input_tensor", None),
          ("classes", 1000), ("pooling", None), ("dropout_rate", 0.2),
          ("classifier_activation", "softmax"), ("include_preprocessing", True),
          ("name", None)]  # None: tf.keras 2's name, MobilenetV3small / MobilenetV3large
    assert params(mobilenet_v3.MobileNetV3Small) == params(mobilenet_v3.MobileNetV3Large) == v3


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="EfficientNetB0: .*classes must be 1000"):
        efficientnet.EfficientNetB0(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="EfficientNetB3: .*must be 300x300"):
        efficientnet.EfficientNetB3(weights="imagenet", input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match="at least 32x32"):
        efficientnet.EfficientNetB0(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="pooling must be"):
        efficientnet.EfficientNetB0(weights=None, include_top=False, pooling="sum")
    with pytest.raises(ValueError, match="does not exist"):
        efficientnet.EfficientNetB0(weights="/no/such/file.h5")
    with pytest.raises(ValueError, match="MobileNet: .*alpha in"):
        mobilenet.MobileNet(weights="imagenet", alpha=0.3)
    with pytest.raises(ValueError, match="depth_multiplier must be 1"):
        mobilenet.MobileNet(weights="imagenet", depth_multiplier=2)
    with pytest.raises(ValueError, match="must be 224x224"):
        mobilenet.MobileNet(weights="imagenet", input_shape=(100, 100, 3))
    with pytest.raises(ValueError, match="MobileNetV3Small: .*alpha 0.75 or 1.0"):
        mobilenet_v3.MobileNetV3Small(weights="imagenet", alpha=0.5)
    with pytest.raises(ValueError, match="MobileNetV3Large: .*minimalistic=True"):
        mobilenet_v3.MobileNetV3Large(weights="imagenet", alpha=0.75, minimalistic=True)
    with pytest.raises(ValueError, match="at least 32x32"):
        mobilenet_v3.MobileNetV3Small(weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="MobileNetV3Small: .*classes must be 1000"):
        mobilenet_v3.MobileNetV3Small(weights="imagenet", classes=10)


@pytest.mark.parametrize("build", [efficientnet.EfficientNetB0, mobilenet.MobileNet,
                                   mobilenet_v3.MobileNetV3Small])
def test_pretrained_top_takes_softmax_or_logits_only(fetched, build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MobileNetV3's default size is open: it warns
        with pytest.raises(ValueError, match="classifier_activation must be None or 'softmax'"):
            build(weights="imagenet", classifier_activation="relu")
        with pytest.raises(_Fetched):  # None (logits) is fine
            build(weights="imagenet", classifier_activation=None)


def test_sizes_stay_open_as_in_keras():
    # without the top (and MobileNetV3 even with it) the image size is left open
    model = mobilenet_v3.MobileNetV3Small(weights=None, classes=3, minimalistic=True,
                                          alpha=0.75)
    assert model.input_shape == (None, None, None, 3) and model.output_shape == (None, 3)
    x = np.random.default_rng(0).uniform(0, 255, (1, 40, 48, 3)).astype("float32")
    assert model.predict(x, verbose=0).shape == (1, 3)
    assert efficientnet.EfficientNetB0(weights=None, include_top=False).input_shape == (
        None, None, None, 3)
    assert mobilenet.MobileNet(weights=None, include_top=False).name == "mobilenet_1.00_None"
    assert mobilenet.MobileNet(weights=None).input_shape == (None, 224, 224, 3)
    assert efficientnet.EfficientNetB2(weights=None, include_top=False,
                                       input_shape=SIZE).name == "efficientnetb2"


def test_mobilenet_v3_saves_and_loads_as_keras_archive(tmp_path):
    """tf.keras 2's operator layers are Rescaling layers here, so the model saves whole."""
    pytest.importorskip("h5py", reason="Keras's .keras format needs h5py (saessak[h5])")
    from saessak.models import load_model
    info, x, expected = _case("mobilenetv3small_top10")
    model = _build(info)
    _set_formula_weights(model, info["gain"])
    model.save(tmp_path / "m.keras")
    _assert_close(load_model(tmp_path / "m.keras").predict(x, verbose=0), expected)


def test_efficientnet_drop_connect_drops_whole_samples():
    model = efficientnet.EfficientNetB0(weights=None, include_top=False, input_shape=SIZE)
    drops = [layer for layer in model.layers if layer.name.endswith("_drop")]
    # blocks with a shortcut (9 of B0's 16), at 0.2 * block index / 16
    assert [round(layer.rate * 16 / 0.2) for layer in drops] == [2, 4, 6, 7, 9, 10, 12, 13, 14]
    assert all(layer.noise_shape == (None, 1, 1, 1) for layer in drops)
    y = drops[-1](np.ones((64, 2, 2, 3), "float32"), training=True).numpy()
    per_sample = y.reshape(64, -1)
    assert np.all(per_sample == per_sample[:, :1])  # each sample all kept or all dropped
    assert 0 < np.sum(per_sample[:, 0] == 0) < 64


# --- preprocessing and decoding --------------------------------------------------------------


def test_preprocess_input():
    x = np.array([[[[0.0, 127.5, 255.0]]]])
    for module in (efficientnet, mobilenet_v3):  # the models rescale themselves
        assert module.preprocess_input(x) is x
        assert module.preprocess_input(x, data_format="channels_last") is x
    np.testing.assert_allclose(mobilenet.preprocess_input(x), [[[[-1.0, 0.0, 1.0]]]])


@pytest.mark.parametrize("module", [efficientnet, mobilenet, mobilenet_v3])
def test_decode_predictions(module, monkeypatch, tmp_path):
    from saessak.applications import imagenet_utils
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "_class_index", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_MD5", None)
    preds = np.zeros((1, 1000))
    preds[0, 42], preds[0, 7] = 0.7, 0.2
    assert module.decode_predictions(preds, top=2) == [[("n00000042", "class_42", 0.7),
                                                        ("n00000007", "class_7", 0.2)]]
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\)"):
        module.decode_predictions(np.zeros((1, 10)))


def test_mobilenet_v3_weights_round_trip_through_a_tf_keras_2_h5(tmp_path):
    """Layer names with '/' in them ("expanded_conv/depthwise/pad") make HDF5 groups
    inside other layers' groups; tf.keras 2 writes the groups in name order, and so does
    saessak (writing them in model order failed: the group already existed)."""
    model = mobilenet_v3.MobileNetV3Small(input_shape=(32, 32, 3), weights=None,
                                          include_top=False)
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    again = mobilenet_v3.MobileNetV3Small(input_shape=(32, 32, 3), weights=None,
                                          include_top=False)
    again.load_weights(path)
    x = np.random.default_rng(0).random((1, 32, 32, 3)).astype("float32")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
