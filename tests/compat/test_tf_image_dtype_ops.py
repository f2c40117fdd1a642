"""tf.image's dtype conversion and grayscale, with TensorFlow's numbers (the omniglot
extraction of the Reptile example: convert_image_dtype, rgb_to_grayscale, resize)."""

import numpy as np
import pytest

import saessak.compat as tf


def test_convert_image_dtype_scales_between_integer_and_float_ranges():
    x = np.array([0, 128, 255], np.uint8)
    f = tf.image.convert_image_dtype(x, tf.float32)
    assert f.dtype == np.float32
    np.testing.assert_allclose(f.numpy(), [0.0, 128 / 255, 1.0], rtol=1e-6)
    back = tf.image.convert_image_dtype(f, tf.uint8)  # * 255.5, truncated
    np.testing.assert_array_equal(back.numpy(), [0, 128, 255])
    assert tf.image.convert_image_dtype(f, tf.float64).dtype == np.float64
    assert tf.image.convert_image_dtype(x, tf.uint8) is not None


def test_convert_image_dtype_between_integers_and_saturation():
    x = np.array([0, 1, 255], np.uint8)
    np.testing.assert_array_equal(tf.image.convert_image_dtype(x, tf.int16).numpy(),
                                  [0, 128, 32640])
    np.testing.assert_array_equal(
        tf.image.convert_image_dtype(np.array([32767, 128], np.int16), tf.uint8).numpy(),
        [255, 1])
    out = tf.image.convert_image_dtype(np.array([1.5, -0.2, 0.5], np.float32), tf.uint8,
                                       saturate=True)
    np.testing.assert_array_equal(out.numpy(), [255, 0, 127])


def test_convert_image_dtype_refuses_a_non_numeric_dtype():
    with pytest.raises(ValueError, match="convert_image_dtype"):
        tf.image.convert_image_dtype(np.zeros(2, np.float32), tf.string)


def test_rgb_to_grayscale_with_tensorflows_weights_and_integer_round_trip():
    rgb = np.array([[[0, 128, 255], [255, 0, 0]]], np.uint8)  # (1, 2, 3)
    gray = tf.image.rgb_to_grayscale(rgb)
    assert gray.shape == (1, 2, 1) and gray.dtype == np.uint8
    # 0.5870 * 128/255 + 0.1140 = 0.40865 -> * 255.5 = 104.4; 0.2989 -> 76.4
    np.testing.assert_array_equal(gray.numpy()[..., 0], [[104, 76]])
    flt = tf.image.rgb_to_grayscale(rgb.astype(np.float32) / 255)
    np.testing.assert_allclose(flt.numpy()[0, 0, 0], 0.2989 * 0 + 0.5870 * 128 / 255 + 0.1140,
                               rtol=1e-5)
    with pytest.raises(ValueError, match="3 channels"):
        tf.image.rgb_to_grayscale(np.zeros((2, 2, 4), np.float32))


def test_the_omniglot_extraction_in_a_dataset_map():
    images = np.random.default_rng(0).integers(0, 256, (3, 35, 35, 3)).astype(np.uint8)

    def extraction(image, label):
        image = tf.image.convert_image_dtype(image, tf.float32)
        image = tf.image.rgb_to_grayscale(image)
        image = tf.image.resize(image, [28, 28])
        return image, label

    ds = tf.data.Dataset.from_tensor_slices((images, np.arange(3))).map(extraction)
    shapes = [(image.shape, image.dtype, str(label.numpy())) for image, label in ds]
    assert shapes == [((28, 28, 1), np.float32, str(i)) for i in range(3)]
