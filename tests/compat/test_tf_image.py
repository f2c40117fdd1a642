"""``tf.image.resize`` / ``keras.ops.image.resize`` against TensorFlow's own numbers
(tests/fixtures/tf/image_resize.npz), and the flips."""

import os

import numpy as np
import pytest

import saessak as tf
from saessak import Tensor, grad_check

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "image_resize.npz")


def test_resize_matches_tensorflow_up_and_down():
    ref = np.load(FIXTURE)
    x = ref["x"]
    np.testing.assert_allclose(tf.image.resize(x, (5, 7)).numpy(), ref["bilinear"], rtol=1e-5)
    np.testing.assert_allclose(tf.image.resize(x, (5, 7), method="nearest").numpy(),
                               ref["nearest"], rtol=1e-6)
    np.testing.assert_allclose(tf.image.resize(x, (2, 3)).numpy(), ref["down"], rtol=1e-5)
    # Keras 3's spelling, and one image without a batch axis
    np.testing.assert_allclose(tf.keras.ops.image.resize(x, (5, 7), interpolation="nearest")
                               .numpy(), ref["nearest"], rtol=1e-6)
    np.testing.assert_allclose(tf.image.resize(x[1], (5, 7)).numpy(), ref["bilinear"][1],
                               rtol=1e-5)


def test_resize_is_differentiable_in_the_images():
    x = np.random.default_rng(0).normal(size=(1, 3, 4, 2))
    assert grad_check(lambda t: tf.image.resize(t, (5, 3)), x).ok
    as_tensor = Tensor(x, requires_grad=True)
    assert grad_check(lambda t: tf.keras.ops.image.resize(t, (2, 6)), as_tensor).ok


def test_resize_refuses_what_it_cannot_do():
    x = np.zeros((1, 4, 4, 1), "float32")
    with pytest.raises(ValueError, match="interpolation must be one of"):
        tf.image.resize(x, (2, 2), method="bicubic")
    with pytest.raises(ValueError, match="antialias"):
        tf.image.resize(x, (2, 2), antialias=True)
    with pytest.raises(ValueError, match=r"received shape \(4, 4\)"):
        tf.image.resize(x[0, :, :, 0], (2, 2))


def test_flips_reverse_the_width_or_the_height():
    x = np.arange(2 * 2 * 3 * 1).reshape(2, 2, 3, 1).astype("float32")
    np.testing.assert_array_equal(tf.image.flip_left_right(x).numpy(), x[:, :, ::-1])
    np.testing.assert_array_equal(tf.image.flip_up_down(x).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(tf.image.flip_left_right(x[0]).numpy(), x[0, :, ::-1])
