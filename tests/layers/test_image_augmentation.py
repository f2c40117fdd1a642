"""Image preprocessing layers: random augmentation only in training, exact where exact,
Rescaling and Resizing always."""

import numpy as np
import pytest

from saessak import backend, grad_check
from saessak.layers import (
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Rescaling,
    Resizing,
)

R = np.random.default_rng(8)


def images(n=6, h=5, w=6, c=2):
    return R.random((n, h, w, c)).astype(np.float32)


@pytest.mark.parametrize("layer", [RandomFlip(seed=0), RandomRotation(0.2, seed=0),
                                   RandomZoom(0.3, seed=0), RandomTranslation(0.2, 0.2, seed=0)])
def test_inference_passes_images_through(layer):
    x = images()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert y.shape == x.shape and not np.array_equal(y, x)


def test_random_flip_gives_exact_flips():
    x = images(20)
    y = RandomFlip("horizontal", seed=1)(x, training=True).numpy()
    flipped = [np.array_equal(a, b[:, ::-1]) for a, b in zip(y, x)]
    kept = [np.array_equal(a, b) for a, b in zip(y, x)]
    assert all(f or k for f, k in zip(flipped, kept)) and any(flipped) and any(kept)
    y = RandomFlip("vertical", seed=2)(x, training=True).numpy()
    assert all(np.array_equal(a, b) or np.array_equal(a, b[::-1]) for a, b in zip(y, x))


def test_random_translation_by_whole_pixels_is_exact():
    """height_factor (0.4, 0.4) on 5 rows: every image moves down by exactly 2 rows."""
    x = images()
    layer = RandomTranslation((0.4, 0.4), (0.0, 0.0), fill_mode="constant",
                              interpolation="nearest", fill_value=-1.0)
    y = layer(x, training=True).numpy()
    np.testing.assert_array_equal(y[:, 2:], x[:, :3])
    assert np.all(y[:, :2] == -1)


def test_rotation_and_zoom_ranges():
    x = np.zeros((1, 9, 9, 1), np.float32)
    x[0, 4, 6] = 1.0  # a dot right of the centre
    quarter = RandomRotation((0.25, 0.25), interpolation="nearest")(x, training=True)
    assert quarter.numpy()[0, :, :, 0].argmax() in (np.ravel_multi_index((2, 4), (9, 9)),
                                                    np.ravel_multi_index((6, 4), (9, 9)))
    # Zooming in 2x reads the input at centre + (p - centre) / 2: the dot, 2 pixels right
    # of the centre, lands 4 pixels right and grows to a 2x2 block (rows 3-4, cols 7-8).
    zoom_in = RandomZoom((-0.5, -0.5), interpolation="nearest")(x, training=True).numpy()
    assert set(zip(*np.nonzero(zoom_in[0, :, :, 0]))) == {(3, 7), (3, 8), (4, 7), (4, 8)}


def test_augmentation_is_differentiable_in_its_input():
    with backend.floatx_scope("float64"):
        layer = RandomRotation(0.1, fill_mode="constant", fill_value=0.5)
        x = R.standard_normal((2, 4, 5, 1))

        def fn(t):
            layer._rng = backend.make_rng(3)  # the same draw at every probe
            return layer(t, training=True)
        result = grad_check(fn, x)
    assert result.ok, str(result)


def test_rescaling_and_resizing():
    x = np.full((1, 2, 2, 1), 255, np.uint8)
    np.testing.assert_array_equal(Rescaling(1 / 255)(x).numpy(), np.ones((1, 2, 2, 1)))
    np.testing.assert_allclose(Rescaling(2.0, offset=-1)(np.zeros((1, 2), np.float32))
                               .numpy(), [[-1, -1]])
    layer = Resizing(4, 3)
    y = layer(images(2, 8, 6))
    assert y.shape == (2, 4, 3, 2) == layer.compute_output_shape((2, 8, 6, 2))
    flat = Resizing(3, 3)(np.ones((1, 7, 5, 1), np.float32)).numpy()
    np.testing.assert_allclose(flat, 1, rtol=1e-6)  # interpolation keeps a constant image
    assert Resizing(2, 2, crop_to_aspect_ratio=True)(images(1, 4, 8)).shape == (1, 2, 2, 2)


def test_config_and_errors():
    for layer in (RandomFlip("vertical", seed=3), RandomRotation(0.1, fill_mode="wrap"),
                  RandomZoom(0.2, (0.1, 0.3)), RandomTranslation(0.1, 0.2),
                  Rescaling(0.5, 1.0), Resizing(3, 4, "nearest")):
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="mode"):
        RandomFlip("diagonal")
    with pytest.raises(ValueError, match="fill_mode"):
        RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="height"):
        Resizing(0, 3)
