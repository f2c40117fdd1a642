"""Make ``tests/fixtures/keras/applications2.npz`` with tf.keras 2 (the ``tf_keras`` package):
DenseNet121/169/201, Xception and InceptionV3 at their smallest inputs, weights set by a
formula (no weight files: the test sets the same weights in saessak's models).

Run in an environment that has TensorFlow, tf-keras and Keras 3::

    /work/tfvenv/bin/python scripts/make_applications_fixture2.py

For each case ``<case>`` the file holds ``<case>/constructor`` (its name),
``<case>/kwargs`` (the other arguments, as JSON), ``<case>/x`` (the input), ``<case>/y``
(tf.keras's prediction), ``<case>/params`` (the parameter count) and ``<case>/layers``: a
JSON list of ``[layer name, [weight shape, ...]]`` in the model's layer order, the order in
which a tf.keras 2 ``.h5`` weights file is matched to a model. Keras 3 builds each case too
and must give the same layers (but for the input's name), parameters and prediction.

The weights follow :func:`formula_weight`, whose copy in
``tests/interchange/test_applications_more2.py`` must stay the same.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras")

# case: (constructor, keyword arguments); all with weights=None
CASES = {
    "densenet121": ("DenseNet121", dict(input_shape=(32, 32, 3), include_top=False,
                                        pooling="avg")),
    "densenet121_top": ("DenseNet121", dict(input_shape=(32, 32, 3), include_top=True,
                                            classes=10)),
    "densenet121_max": ("DenseNet121", dict(input_shape=(32, 32, 3), include_top=False,
                                            pooling="max")),
    "densenet169": ("DenseNet169", dict(input_shape=(32, 32, 3), include_top=False,
                                        pooling="avg")),
    "densenet201": ("DenseNet201", dict(input_shape=(32, 32, 3), include_top=False,
                                        pooling="avg")),
    "xception": ("Xception", dict(input_shape=(71, 71, 3), include_top=False, pooling="avg")),
    "inception_v3": ("InceptionV3", dict(input_shape=(75, 75, 3), include_top=False,
                                         pooling="avg")),
}


def weight_name(variable) -> str:
    """``conv1_bn/gamma:0`` -> ``gamma``."""
    return variable.name.split("/")[-1].split(":")[0]


def formula_weight(name, shape, layer_index, weight_index):
    """A fixed value for weight ``weight_index`` (named ``name``) of layer ``layer_index``.
    ``base`` is the fractional part of a sine scaled up, spread over [-1, 1] with no
    structure a convolution could cancel (a plain sine of the index would make every kernel a
    matrix of rank two, and the image would vanish from the output after a few layers);
    kernels are scaled by ``sqrt(6 / fan_in)`` (He's, for a ReLU after them;
    depthwise kernels ``sqrt(3 / fan_in)``) and batch normalization stays near the
    identity, so signals neither vanish nor explode through a deep network."""
    shape = tuple(int(d) for d in shape)
    size = int(np.prod(shape))
    phase = np.arange(size) * 0.37 + 0.1 * layer_index + 0.5 * weight_index
    base = (2.0 * np.modf(np.abs(np.sin(phase) * 43758.5453))[0] - 1.0).reshape(shape)
    if name == "moving_variance":
        return (0.9 + 0.2 * np.abs(base)).astype("float32")
    if name == "gamma":
        return (1.0 + 0.1 * base).astype("float32")
    if name == "depthwise_kernel":  # no ReLU between it and the pointwise kernel
        return (base * np.sqrt(3.0 / np.prod(shape[:-2]))).astype("float32")
    if len(shape) >= 2:
        return (base * np.sqrt(6.0 / np.prod(shape[:-1]))).astype("float32")
    return (0.05 * base).astype("float32")


def set_formula_weights(model):
    for i, layer in enumerate(model.layers):
        if layer.weights:
            layer.set_weights([formula_weight(weight_name(w), w.shape, i, j)
                               for j, w in enumerate(layer.weights)])


def formula_input(shape, batch=2):
    """A fixed image batch in [-1, 1], different in every pixel, channel and sample."""
    size = batch * int(np.prod(shape))
    return np.sin(np.arange(size) * 0.013 + np.arange(size) % 7 * 0.9).reshape(
        (batch,) + tuple(shape)).astype("float32")


def layer_table(model, skip_input=False):
    """``[[layer name, [weight shape, ...]], ...]`` in the model's order. tf.keras 2's
    DenseNet names layers ``conv1/conv``, Keras 3's ``conv1_conv`` ('/' is no longer allowed
    in a name): the table writes Keras 3's names. (tf.keras 2 ``.h5`` weight files are
    matched to a model by the order of its layers, not by their names.)"""
    return [[layer.name.replace("/", "_"), [list(map(int, w.shape)) for w in layer.weights]]
            for layer in model.layers if not (skip_input and not layer.weights
                                              and type(layer).__name__ == "InputLayer")]


def main():
    import keras
    import tf_keras

    out = {}
    for case, (constructor, kwargs) in CASES.items():
        tf_keras.backend.clear_session()
        model = getattr(tf_keras.applications, constructor)(weights=None, **kwargs)
        set_formula_weights(model)
        x = formula_input(kwargs["input_shape"])
        y = np.asarray(model(x, training=False))
        table = layer_table(model)

        keras.backend.clear_session()
        k3 = getattr(keras.applications, constructor)(weights=None, **kwargs)
        set_formula_weights(k3)
        y3 = np.asarray(k3(x, training=False))
        if layer_table(k3, skip_input=True) != layer_table(model, skip_input=True):
            raise SystemExit(f"{case}: Keras 3 and tf.keras 2 list different layers")
        if k3.count_params() != model.count_params():
            raise SystemExit(f"{case}: Keras 3 and tf.keras 2 count different parameters")
        if not np.allclose(y3, y, rtol=1e-4, atol=1e-5 * np.abs(y).max()):
            raise SystemExit(f"{case}: Keras 3 and tf.keras 2 predict differently")

        # the prediction must depend on the image, not only on the biases
        change = np.abs(y - np.asarray(model(-x, training=False))).max() / np.abs(y).max()
        out[f"{case}/constructor"] = np.array(constructor)
        out[f"{case}/kwargs"] = np.array(json.dumps(kwargs))
        out[f"{case}/x"] = x
        out[f"{case}/y"] = y
        out[f"{case}/params"] = np.array(model.count_params())
        out[f"{case}/layers"] = np.array(json.dumps(table))
        print(f"{case}: {model.count_params()} params, {len(table)} layers, output "
              f"{y.shape} in [{y.min():.3g}, {y.max():.3g}], |mean| {np.abs(y).mean():.3g}, "
              f"negating the image changes it by {change:.2f} of its max, "
              f"|keras3 - tk2| = {np.abs(y3 - y).max():.2e}")
    os.makedirs(OUT, exist_ok=True)
    np.savez_compressed(os.path.join(OUT, "applications2.npz"), **out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
