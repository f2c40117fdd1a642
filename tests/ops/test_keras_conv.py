"""``keras.ops``' convolutions and pools in Keras's signatures (no bias argument,
``data_format``, groups read off the kernel), against Keras 3.15's outputs on the same
inputs (``tests/fixtures/keras/ops_conv.npz``, made by ``scripts/make_keras_fixtures.py
ops``), and their gradients through the channels-first transposes."""

import os

import numpy as np
import pytest

from saessak import backend, grad_check, ops

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "ops_conv.npz")


@pytest.fixture(scope="module")
def data():
    with np.load(FIXTURE) as f:
        return dict(f)


def _calls(d):
    x, x_last = d["in_x"], np.transpose(d["in_x"], (0, 2, 3, 1))
    kernel, depthwise, pointwise = d["in_kernel"], d["in_depthwise"], d["in_pointwise"]
    return {
        "conv_first": lambda: ops.conv(x, kernel, padding="same",
                                       data_format="channels_first"),
        "conv_last": lambda: ops.conv(x_last, kernel, strides=2),
        "depthwise": lambda: ops.depthwise_conv(x_last, depthwise, padding="same",
                                                dilation_rate=2),
        "separable": lambda: ops.separable_conv(x_last, depthwise, pointwise),
        "separable_first": lambda: ops.separable_conv(x, depthwise, pointwise, padding="same",
                                                      data_format="channels_first"),
        "transpose": lambda: ops.conv_transpose(x_last, d["in_transpose"], strides=2,
                                                padding="same"),
        "max_pool_first": lambda: ops.max_pool(x, 2, padding="same",
                                               data_format="channels_first"),
        "average_pool": lambda: ops.average_pool(x_last, (3, 2), strides=(2, 1),
                                                 padding="same"),
    }


@pytest.mark.parametrize("name", ["conv_first", "conv_last", "depthwise", "separable",
                                  "separable_first", "transpose", "max_pool_first",
                                  "average_pool"])
def test_matches_keras(data, name):
    got = _calls(data)[name]().numpy()
    assert got.shape == data[name].shape
    np.testing.assert_allclose(got, data[name], rtol=1e-5, atol=1e-5)


def test_data_format_defaults_to_the_global_setting(data):
    x = data["in_x"]
    backend.set_image_data_format("channels_first")
    try:
        got = ops.conv(x, data["in_kernel"], padding="same").numpy()
    finally:
        backend.set_image_data_format("channels_last")
    np.testing.assert_allclose(got, data["conv_first"], rtol=1e-5, atol=1e-5)


def test_gradients_through_channels_first():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 4, 5, 5))
    kernel = rng.normal(size=(3, 3, 2, 4))
    assert grad_check(lambda a, k: ops.conv(a, k, strides=2, padding="same",
                                            data_format="channels_first"), x, kernel).ok
    assert grad_check(lambda a: ops.average_pool(a, 2, data_format="channels_first"), x).ok


def test_a_kernel_that_does_not_fit_is_named():
    x = np.zeros((1, 5, 5, 4), np.float32)
    with pytest.raises(ValueError, match=r"conv: a kernel of shape \(3, 3, 3, 6\) does not fit"):
        ops.conv(x, np.zeros((3, 3, 3, 6), np.float32))
    with pytest.raises(ValueError, match=r"conv: a kernel of shape \(3, 3, 2, 5\)"):
        ops.conv(x, np.zeros((3, 3, 2, 5), np.float32))  # 5 filters in 2 groups
    with pytest.raises(ValueError, match="data_format must be 'channels_last' or"):
        ops.max_pool(x, 2, data_format="NHWC")
