"""CenterCrop, RandomCrop, RandomContrast and RandomBrightness: the arithmetic each one
defines, checked on images whose answers can be worked out by hand."""

import numpy as np
import pytest

import saessak as keras
from saessak import layers

IMAGES = np.arange(2 * 6 * 8 * 3, dtype="float32").reshape(2, 6, 8, 3)


def test_center_crop_takes_the_middle_and_resizes_what_is_too_small():
    y = layers.CenterCrop(4, 4)(IMAGES).numpy()
    np.testing.assert_array_equal(y, IMAGES[:, 1:5, 2:6])
    np.testing.assert_array_equal(layers.CenterCrop(4, 4)(IMAGES[0]).numpy(), IMAGES[0, 1:5, 2:6])
    # 10 rows asked of 6: the central 6x6 window (aspect 1:1), resized to 10x10
    big = layers.CenterCrop(10, 10)(IMAGES).numpy()
    expected = layers.Resizing(10, 10)(IMAGES[:, :, 1:7]).numpy()
    np.testing.assert_allclose(big, expected, rtol=1e-6)
    assert layers.CenterCrop.from_config(layers.CenterCrop(3, 5).get_config()).width == 5


def test_random_crop_is_a_window_of_the_image_in_training_only():
    layer = layers.RandomCrop(3, 5, seed=1)
    seen = set()
    for _ in range(30):
        y = layer(IMAGES, training=True).numpy()
        # one window for the whole batch: find where it came from
        top, left = divmod(int(y[0, 0, 0, 0]) // 3, 8)
        np.testing.assert_array_equal(y, IMAGES[:, top:top + 3, left:left + 5])
        seen.add((top, left))
    assert len(seen) > 5 and all(t <= 3 and lf <= 3 for t, lf in seen)
    # outside training: the central window of aspect 3:5 (6x8 -> 4.8 rows: 4x8), resized
    inference = layer(IMAGES).numpy()
    np.testing.assert_allclose(inference, layers.Resizing(3, 5, crop_to_aspect_ratio=True)(
        IMAGES).numpy(), rtol=1e-6)
    model = keras.Sequential([keras.Input((6, 8, 3)), layer, layers.Flatten()])
    assert model.output_shape == (None, 45)


def test_random_contrast_scales_each_images_distance_from_its_mean():
    x = np.random.default_rng(0).uniform(50, 200, size=(4, 5, 5, 3)).astype("float32")
    layer = layers.RandomContrast(0.5, seed=3)
    np.testing.assert_array_equal(layer(x).numpy(), x)  # inference: unchanged
    y = layer(x, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    c = (y - mean) / (x - mean)  # one factor per image, in [0.5, 1.5]
    for i in range(4):
        free = (y[i] > 0) & (y[i] < 255)  # where the clip did not act
        assert np.ptp(c[i][free]) < 1e-3 and 0.5 <= c[i][free].mean() <= 1.5
    assert len({round(float(c[i][0, 0, 0]), 4) for i in range(4)}) == 4
    assert y.min() >= 0 and y.max() <= 255


def test_random_brightness_adds_one_clipped_delta_per_image():
    x = np.full((3, 4, 4, 1), 0.5, "float32")
    layer = layers.RandomBrightness(0.2, value_range=(0, 1), seed=0)
    y = layer(x, training=True).numpy()
    deltas = (y - x)[:, 0, 0, 0]
    assert np.all(np.abs(deltas) <= 0.2) and np.ptp(y, axis=(1, 2, 3)).max() == 0
    assert np.all(layer(np.ones_like(x), training=True).numpy() <= 1)  # clipped at the top
    with pytest.raises(ValueError, match="factor must lie in"):
        layers.RandomBrightness(1.5)
    with pytest.raises(ValueError, match="value_range must be"):
        layers.RandomContrast(0.1, value_range=5)

