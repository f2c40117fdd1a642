"""Make ``tests/fixtures/keras/applications.npz`` with tf.keras 2 (``tf_keras``): VGG16/19,
ResNet50/101/152 and ResNet50/101/152V2 at small inputs, with formula weights, so that the
tests compare saessak's ``applications`` with Keras's without any weight file::

    /work/tfvenv/bin/python scripts/make_applications_fixture.py

For each case (see ``CASES``) the file holds ``<case>/output`` (on ``formula_input``),
``<case>/params`` (the parameter count) and ``<case>/layers``: a JSON list of
``[layer name, [weight shapes]]`` in ``model.layers`` order, the order and names by which
Keras's published ``.h5`` ImageNet files load. ``formula_weights`` below is what the test
sets in saessak too: no randomness, nothing to download.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras",
                   "applications.npz")

# case: (constructor, keyword arguments); weights=None always
CASES = {
    "vgg16_avg": ("VGG16", dict(include_top=False, pooling="avg", input_shape=(32, 32, 3))),
    "vgg19_avg": ("VGG19", dict(include_top=False, pooling="avg", input_shape=(32, 32, 3))),
    "resnet50_avg": ("ResNet50", dict(include_top=False, pooling="avg",
                                      input_shape=(32, 32, 3))),
    "resnet101_avg": ("ResNet101", dict(include_top=False, pooling="avg",
                                        input_shape=(32, 32, 3))),
    "resnet152_avg": ("ResNet152", dict(include_top=False, pooling="avg",
                                        input_shape=(32, 32, 3))),
    "resnet50v2_avg": ("ResNet50V2", dict(include_top=False, pooling="avg",
                                          input_shape=(32, 32, 3))),
    "resnet101v2_avg": ("ResNet101V2", dict(include_top=False, pooling="avg",
                                            input_shape=(32, 32, 3))),
    "resnet152v2_avg": ("ResNet152V2", dict(include_top=False, pooling="avg",
                                            input_shape=(32, 32, 3))),
    # the tops at the smallest size Keras allows (32); logits, and once the softmax
    "vgg16_top": ("VGG16", dict(include_top=True, classes=10, input_shape=(32, 32, 3),
                                classifier_activation=None)),
    "vgg19_top": ("VGG19", dict(include_top=True, classes=10, input_shape=(32, 32, 3))),
    "resnet50_top": ("ResNet50", dict(include_top=True, classes=10, input_shape=(32, 32, 3),
                                      classifier_activation=None)),
    "resnet50v2_top": ("ResNet50V2", dict(include_top=True, classes=10,
                                          input_shape=(32, 32, 3),
                                          classifier_activation=None)),
    # odd, non-square sizes: the stride-2 shortcuts and paddings; no pooling, max pooling
    "vgg16_none_odd": ("VGG16", dict(include_top=False, input_shape=(37, 45, 3))),
    "resnet50_none_odd": ("ResNet50", dict(include_top=False, input_shape=(35, 41, 3))),
    "resnet50v2_max_odd": ("ResNet50V2", dict(include_top=False, pooling="max",
                                              input_shape=(41, 35, 3))),
}


def _uniform(size, seed):
    """``size`` numbers in [-1, 1) from the integer hash splitmix64 of ``0, 1, ...`` and
    ``seed``: exact integer arithmetic, so the same numbers in any NumPy, and as unrelated
    as random numbers (``sin(0.37 * i)`` and its kin make the convolutions cancel)."""
    z = np.arange(size, dtype=np.uint64) + np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -52 - 1.0


def formula_weights(model):
    """Every weight from a formula (``s`` the hashed numbers in [-1, 1), seeded by the layer's
    index and the weight's): kernels ``sqrt(6 / fan_in) * s`` (He's uniform), biases and
    the batch-norm shifts and means ``0.05 * s``, gammas ``0.5 + 0.1 * s``, moving variances
    ``0.5 + 0.1 * |s|``."""
    for index, layer in enumerate(model.layers):
        weights = layer.get_weights()
        if not weights:
            continue
        new = []
        for j, w in enumerate(weights):
            s = _uniform(w.size, 1000 * index + j + 1).reshape(w.shape)
            if type(layer).__name__ == "BatchNormalization":
                v = [0.5 + 0.1 * s, 0.05 * s, 0.05 * s, 0.5 + 0.1 * np.abs(s)][j]
            elif w.ndim >= 2:
                v = np.sqrt(6.0 / np.prod(w.shape[:-1])) * s
            else:
                v = 0.05 * s
            new.append(v.astype("float32"))
        layer.set_weights(new)


def formula_input(shape, batch=2):
    """A fixed batch of images, values in [-1, 1]."""
    size = batch * int(np.prod(shape))
    return _uniform(size, 0).reshape((batch,) + tuple(shape)).astype("float32")


def layer_list(model):
    return json.dumps([[layer.name, [list(w.shape) for w in layer.weights]]
                       for layer in model.layers])


def main():
    import tf_keras

    data = {}
    for case, (constructor, kwargs) in CASES.items():
        tf_keras.backend.clear_session()
        model = getattr(tf_keras.applications, constructor)(weights=None, **kwargs)
        formula_weights(model)
        y = model.predict(formula_input(kwargs["input_shape"]), verbose=0)
        data[f"{case}/output"] = y
        data[f"{case}/params"] = np.array(model.count_params())
        data[f"{case}/layers"] = np.array(layer_list(model))
        print(f"{case}: {model.count_params()} params, {len(model.layers)} layers, output "
              f"{y.shape}, |y| max {np.abs(y).max():.3g} mean {np.abs(y).mean():.3g}, "
              f"zeros {np.mean(y == 0):.2f}, |y0 - y1| max {np.abs(y[0] - y[1]).max():.3g}")
    np.savez_compressed(OUT, **data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
