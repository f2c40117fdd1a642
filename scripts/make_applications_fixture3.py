"""Make ``tests/fixtures/keras/applications3.npz``: tf.keras 2's EfficientNet, MobileNet (v1)
and MobileNetV3 at a small input, with every weight set by a fixed formula.

Run in an environment with TensorFlow, tf-keras (tf.keras 2) and Keras 3::

    /work/tfvenv/bin/python scripts/make_applications_fixture3.py

For each case (``CASES``: constructor name and arguments, always ``weights=None``) the file
holds

- ``<case>/x``: the fixed input (two images); ``<case>/y``: tf.keras 2's output once every
  weight is set by ``formula`` with the case's ``gain`` (the test sets the same numbers in
  saessak's model);
- ``<case>/json``: the constructor and its arguments (besides ``weights=None`` and
  ``input_shape=SIZE``), the model's name, parameter count, ``gain`` (see ``pick_gain``); for
  every layer in order its name, class and ``[[weight name, shape], ...]`` (the weight name
  without the layer's prefix and ``:0``); ``h5_layer_names`` and ``h5_weight_names``, what
  ``save_weights`` writes into a tf.keras 2 ``.h5`` file (Keras's published ImageNet files
  have that layout), so the test can write such a file without TensorFlow; and
  ``keras3_max_abs_diff``, how far Keras 3's model of the same arguments, loading that
  ``.h5`` file, is from tf.keras 2 (the published files are read by weight order, so both
  Kerases load them alike).

No weight file is stored: the formula makes the weights again.
"""

from __future__ import annotations

import json
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras",
                   "applications3.npz")
SIZE = (32, 32, 3)  # the smallest input Keras allows for these models

# case -> (constructor, arguments, input kind: 'pixels' in [0, 255] or 'tf' in [-1, 1]);
# two tops give logits, which a saturated softmax would hide
CASES = {
    "efficientnetb0_avg": ("EfficientNetB0", dict(include_top=False, pooling="avg"), "pixels"),
    "efficientnetb3_avg": ("EfficientNetB3", dict(include_top=False, pooling="avg"), "pixels"),
    "efficientnetb0_top10": ("EfficientNetB0", dict(include_top=True, classes=10,
                                                    classifier_activation=None), "pixels"),
    "efficientnetb1_max": ("EfficientNetB1", dict(include_top=False, pooling="max"), "pixels"),
    "mobilenet_025_avg": ("MobileNet", dict(alpha=0.25, include_top=False, pooling="avg"),
                          "tf"),
    "mobilenet_100_avg": ("MobileNet", dict(alpha=1.0, include_top=False, pooling="avg"), "tf"),
    "mobilenet_025_top10": ("MobileNet", dict(alpha=0.25, include_top=True, classes=10), "tf"),
    "mobilenet_050_dm2_none": ("MobileNet", dict(alpha=0.5, depth_multiplier=2,
                                                 include_top=False), "tf"),
    "mobilenetv3small_avg": ("MobileNetV3Small", dict(include_top=False, pooling="avg"),
                             "pixels"),
    "mobilenetv3small_min_avg": ("MobileNetV3Small", dict(minimalistic=True,
                                                          include_top=False, pooling="avg"),
                                 "pixels"),
    "mobilenetv3large_avg": ("MobileNetV3Large", dict(include_top=False, pooling="avg"),
                             "pixels"),
    "mobilenetv3large_min_avg": ("MobileNetV3Large", dict(minimalistic=True,
                                                          include_top=False, pooling="avg"),
                                 "pixels"),
    "mobilenetv3small_top10": ("MobileNetV3Small", dict(include_top=True, classes=10,
                                                        classifier_activation=None), "pixels"),
    "mobilenetv3large_075_noprep_max": ("MobileNetV3Large", dict(
        alpha=0.75, include_top=False, pooling="max", include_preprocessing=False), "tf"),
}


def formula(name, shape, layer_index, weight_index, gain):
    """The value of one weight: ``s = sin(0.37 i + 0.0123 i^2 + 0.1 layer_index + 0.5
    weight_index)`` (the square keeps neighbouring entries unalike, so that a kernel does
    not average its input away) scaled by its kind (``name`` is the weight's own name:
    kernel, gamma, variance ...). Kernels get ``gain / sqrt(fan_in)``."""
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
    else:  # beta, bias, moving_mean, mean
        value = 0.1 * s
    return value.reshape(shape).astype("float32")


def formula_input(kind, batch=2):
    shape = (batch,) + SIZE
    i = np.arange(np.prod(shape)).reshape(shape)
    pixels = 127.5 * (1.0 + np.sin(i * 0.0137) * np.cos(i * 0.071))
    return (pixels if kind == "pixels" else pixels / 127.5 - 1.0).astype("float32")


def _weight_name(weight, layer):
    """``'block1a_bn/gamma:0' -> 'gamma'`` (the name without the layer's scope)."""
    name = weight.name.split(":")[0]
    return name[len(layer.name) + 1:] if name.startswith(layer.name + "/") else \
        name.split("/")[-1]


def set_formula_weights(model, gain):
    """Every float weight by ``formula``; the index counts only layers with weights."""
    index = 0
    for layer in model.layers:
        if not layer.weights:
            continue
        values = []
        for k, w in enumerate(layer.weights):
            name = _weight_name(w, layer)
            if w.dtype.is_floating:
                values.append(formula(name, tuple(w.shape), index, k, gain))
            else:
                values.append(w.numpy())  # Normalization's int64 count
        layer.set_weights(values)
        index += 1


def describe(model):
    return [[layer.name, type(layer).__name__,
             [[_weight_name(w, layer), list(w.shape)] for w in layer.weights]]
            for layer in model.layers]


def h5_layout(path):
    import h5py
    with h5py.File(path, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["layer_names"]]
        weights = {n: [w.decode() if isinstance(w, bytes) else w
                       for w in f[n].attrs["weight_names"]] for n in names}
    return names, weights


def pick_gain(model, x):
    """The smallest kernel gain (1.2, 1.25, ...) at which the two images' outputs differ by
    at least 5% of the largest output: with fixed BatchNorm statistics a deep network's
    signal shrinks or grows geometrically with the gain, and below that the output would
    hardly depend on the input."""
    for gain in np.round(np.arange(1.2, 3.01, 0.05), 2):
        set_formula_weights(model, gain)
        y = model.predict(x, verbose=0)
        flat = y.reshape(len(y), -1)
        if np.abs(flat[0] - flat[1]).max() >= 0.05 * np.abs(flat).max():
            return float(gain), y
    raise RuntimeError(f"{model.name}: no gain makes the output depend on the input")


def main():
    import keras
    import tf_keras

    arrays = {}
    for case, (ctor, kwargs, kind) in CASES.items():
        tf_keras.backend.clear_session()
        model = getattr(tf_keras.applications, ctor)(weights=None, input_shape=SIZE, **kwargs)
        x = formula_input(kind)
        gain, y = pick_gain(model, x)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "w.h5")
            model.save_weights(path)
            layer_names, weight_names = h5_layout(path)
            k3 = getattr(keras.applications, ctor)(weights=None, input_shape=SIZE, **kwargs)
            k3.load_weights(path)
            y3 = np.asarray(k3.predict(x, verbose=0))
        info = {"constructor": ctor, "kwargs": kwargs, "input": kind, "name": model.name,
                "params": int(model.count_params()), "gain": gain,
                "layers": describe(model), "h5_layer_names": layer_names,
                "h5_weight_names": weight_names,
                "keras3_max_abs_diff": float(np.abs(y3 - y).max())}
        arrays[f"{case}/x"], arrays[f"{case}/y"] = x, y
        arrays[f"{case}/json"] = np.array(json.dumps(info))
        print(f"{case}: {model.name}, {info['params']} params, {len(model.layers)} layers, "
              f"gain {gain}, "
              f"output {y.shape} std {y.std():.3g} max|y| {np.abs(y).max():.3g}, "
              f"|keras3 - tf.keras 2| = {info['keras3_max_abs_diff']:.2e}")
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
