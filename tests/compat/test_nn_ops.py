"""tf.nn's convolutions: TensorFlow's argument forms (strides as one int, per spatial axis
or per input axis; 'VALID'/'SAME'; NHWC/NCHW), the same numbers as keras.ops.conv."""

import numpy as np
import pytest

import saessak.compat as tf
from saessak import ops

R = np.random.default_rng(3)


def test_conv2d_matches_keras_conv_in_every_stride_form():
    x = R.normal(size=(2, 7, 6, 3)).astype(np.float32)
    k = R.normal(size=(3, 3, 3, 4)).astype(np.float32)
    want = ops.conv(x, k, strides=2, padding="same").numpy()
    for strides in (2, [2, 2], [1, 2, 2, 1]):
        got = tf.nn.conv2d(x, k, strides=strides, padding="SAME")
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
    valid = tf.nn.conv2d(x, k, strides=1, padding="VALID")
    assert valid.shape == (2, 5, 4, 4)


def test_conv2d_channels_first_and_dilations():
    x = R.normal(size=(1, 3, 8, 8)).astype(np.float32)
    k = R.normal(size=(3, 3, 3, 2)).astype(np.float32)
    got = tf.nn.conv2d(x, k, strides=[1, 1, 1, 1], padding="VALID", data_format="NCHW",
                       dilations=2)
    want = ops.conv(x, k, padding="valid", data_format="channels_first", dilation_rate=2)
    assert got.shape == (1, 2, 4, 4)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_conv1d_convolution_and_gradient():
    x = tf.Variable(R.normal(size=(2, 9, 3)).astype(np.float32))
    k = tf.Variable(R.normal(size=(3, 3, 5)).astype(np.float32))
    with tf.GradientTape() as tape:
        y = tf.nn.conv1d(x, k, stride=1, padding="SAME")
        loss = tf.reduce_sum(y * y)
    gx, gk = tape.gradient(loss, [x, k])
    assert y.shape == (2, 9, 5) and gx.shape == (2, 9, 3) and gk.shape == (3, 3, 5)
    np.testing.assert_allclose(tf.nn.convolution(x, k, padding="SAME").numpy(), y.numpy(),
                               rtol=1e-6)


def test_bad_convolution_arguments_are_named():
    x = np.zeros((1, 5, 5, 2), np.float32)
    k = np.zeros((3, 3, 2, 1), np.float32)
    with pytest.raises(ValueError, match="padding"):
        tf.nn.conv2d(x, k, 1, [[0, 0], [1, 1], [1, 1], [0, 0]])
    with pytest.raises(ValueError, match="strides"):
        tf.nn.conv2d(x, k, [2, 2, 2, 2], "VALID")
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.conv2d(x, k, 1, "VALID", data_format="NWC")
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.conv2d(np.zeros((1, 5, 2), np.float32), k, 1, "VALID")
