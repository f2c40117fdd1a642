"""``keras.ops.image``: patches, crops, pads, colour spaces and affine transforms against
Keras 3.15's outputs on the same images (``tests/fixtures/keras/ops_image.npz``, made by
``scripts/make_keras_fixtures.py ops``), the fill modes TensorFlow's kernel does
differently by their definition, and gradients against finite differences."""

import os

import numpy as np
import pytest

from saessak import grad_check, ops

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "ops_image.npz")
image = ops.image


@pytest.fixture(scope="module")
def data():
    with np.load(FIXTURE) as f:
        return dict(f)


def _calls(d):
    x, t = d["in_x"], d["in_transform"]
    x_first = np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))
    calls = {
        "patches": lambda: image.extract_patches(x, (2, 3)),
        "patches_overlap": lambda: image.extract_patches(x, 3, strides=2, padding="same"),
        "patches_dilated": lambda: image.extract_patches(x, 2, strides=1, dilation_rate=2),
        "patches_single": lambda: image.extract_patches(x[0], 2),
        "crop": lambda: image.crop_images(x, top_cropping=1, bottom_cropping=2,
                                          left_cropping=2, target_width=5),
        "pad_first": lambda: image.pad_images(x_first, top_padding=1, target_height=10,
                                              right_padding=2, left_padding=0,
                                              data_format="channels_first"),
        "gray": lambda: image.rgb_to_grayscale(x),
        "gray_first": lambda: image.rgb_to_grayscale(x_first, data_format="channels_first"),
        "hsv": lambda: image.rgb_to_hsv(x),
        "rgb": lambda: image.hsv_to_rgb(x),
        "affine_nearest_pixels": lambda: image.affine_transform(x, d["in_no_ties"],
                                                                interpolation="nearest"),
        "blur": lambda: image.gaussian_blur(x),
        "blur_5": lambda: image.gaussian_blur(x, kernel_size=(5, 5), sigma=(2.0, 0.7)),
        "blur_single": lambda: image.gaussian_blur(x[0], kernel_size=(3, 3),
                                                   sigma=(0.5, 1.5)),
        "sobel": lambda: image.sobel_edges(x),
    }
    for mode in ("constant", "nearest", "reflect"):
        calls[f"affine_{mode}"] = lambda m=mode: image.affine_transform(
            x, t, fill_mode=m, fill_value=0.5)
    return calls


NAMES = ["patches", "patches_overlap", "patches_dilated", "patches_single", "crop",
         "pad_first", "gray", "gray_first", "hsv", "rgb", "affine_nearest_pixels",
         "affine_constant", "affine_nearest", "affine_reflect", "blur", "blur_5",
         "blur_single", "sobel"]


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras(data, name):
    got = _calls(data)[name]().numpy()
    assert got.shape == data[name].shape
    np.testing.assert_allclose(got, data[name], rtol=1e-6, atol=1e-6)


def _row(values, shift, mode):
    """Sample a one-row image at column + shift."""
    x = np.asarray(values, np.float32).reshape(1, 1, -1, 1)
    t = np.array([1, 0, shift, 0, 1, 0, 0, 0], np.float32)
    return image.affine_transform(x, t, fill_mode=mode).numpy().ravel()


def test_wrap_interpolates_across_the_seam():
    # a b c d repeats: column 3.5 lies halfway between d and the next a (TensorFlow's
    # kernel clamps the wrapped coordinate and returns a)
    np.testing.assert_allclose(_row([1, 2, 4, 8], 0.5, "wrap"), [1.5, 3, 6, 4.5])
    np.testing.assert_allclose(_row([1, 2, 4, 8], -1.0, "wrap"), [8, 1, 2, 4])


def test_mirror_does_not_repeat_the_edge():
    # d c b | a b c d | c b a
    np.testing.assert_allclose(_row([1, 2, 4, 8], 2.0, "mirror"), [4, 8, 4, 2])
    np.testing.assert_allclose(_row([1, 2, 4, 8], -2.0, "mirror"), [4, 2, 1, 2])
    np.testing.assert_allclose(_row([1, 2, 4, 8], 2.0, "reflect"), [4, 8, 8, 4])


def test_hsv_round_trip_and_known_colours():
    rgb = np.array([[[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [0.5, 0.25, 0]]]],
                   np.float32)
    hsv = image.rgb_to_hsv(rgb).numpy()
    np.testing.assert_allclose(hsv[0, 0, :4], [[0, 1, 1], [1 / 3, 1, 1], [2 / 3, 1, 1],
                                               [0, 0, 1]], atol=1e-6)
    np.testing.assert_allclose(hsv[0, 0, 4], [1 / 12, 1, 0.5], atol=1e-6)
    np.testing.assert_allclose(image.hsv_to_rgb(hsv).numpy(), rgb, atol=1e-6)


def test_gradients():
    rng = np.random.default_rng(3)
    x = rng.random((2, 5, 6, 2))
    assert grad_check(lambda a: image.extract_patches(a, 2), x).ok  # tiles
    assert grad_check(lambda a: image.extract_patches(a, 3, strides=1, padding="same"), x).ok
    assert grad_check(lambda a: image.crop_images(a, 1, 2, target_height=3, target_width=3), x).ok
    assert grad_check(lambda a: image.pad_images(a, 1, 0, 2, 1), x).ok
    assert grad_check(lambda a: image.rgb_to_grayscale(a), rng.random((1, 3, 4, 3))).ok
    t = np.array([0.9, 0.1, 0.3, 0.05, 1.1, -0.7, 0, 0])
    assert grad_check(lambda a: image.affine_transform(a, t, fill_mode="reflect"), x).ok


def test_errors_name_the_argument():
    x = np.zeros((1, 4, 4, 3), np.float32)
    with pytest.raises(ValueError, match="crop_images: give exactly two of top_cropping"):
        image.crop_images(x, top_cropping=1)
    with pytest.raises(ValueError, match=r"pad_images: the target 3x4 is smaller"):
        image.pad_images(x, 0, 0, target_height=3, target_width=4)
    with pytest.raises(ValueError, match="rgb_to_hsv: expected float images"):
        image.rgb_to_hsv(np.zeros((1, 2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="expected 3 channels on axis 3"):
        image.rgb_to_hsv(np.zeros((1, 2, 2, 4), np.float32))
    with pytest.raises(ValueError, match="projective transforms"):
        image.affine_transform(x, [1, 0, 0, 0, 1, 0, 0.1, 0])
    with pytest.raises(ValueError, match="8 numbers per image"):
        image.affine_transform(x, np.zeros((2, 8)))


def test_on_a_placeholder_it_becomes_a_layer_of_the_model():
    """keras.io's ViT cuts patches between Input and Model."""
    import saessak as keras
    inputs = keras.Input((8, 8, 3))
    patches = image.extract_patches(inputs, 4)  # (None, 2, 2, 48)
    assert tuple(patches.shape) == (None, 2, 2, 48)
    outputs = keras.layers.Dense(1)(keras.layers.Flatten()(patches))
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    expected = image.extract_patches(x, 4).numpy().reshape(4, -1) @ model.layers[-1].kernel.numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               expected + model.layers[-1].bias.numpy(), rtol=1e-5)


def test_a_blurred_point_is_the_kernel_x_first():
    """kernel_size and sigma are (x, y), as Keras orders them (its NumPy backend; its
    TensorFlow backend reshapes a non-square kernel instead of transposing it)."""
    point = np.zeros((1, 9, 9, 1), np.float32)
    point[0, 4, 4, 0] = 1.0
    blurred = image.gaussian_blur(point, kernel_size=(5, 3), sigma=(2.0, 0.5)).numpy()[0, ..., 0]

    def g(size, sigma):
        t = np.arange(size) - (size - 1) / 2
        k = np.exp(-0.5 * (t / sigma) ** 2)
        return k / k.sum()

    np.testing.assert_allclose(blurred[3:6, 2:7], np.outer(g(3, 0.5), g(5, 2.0)), rtol=1e-6)
    assert grad_check(lambda a: image.gaussian_blur(a, (3, 3), (1.0, 0.5)),
                      point[..., :1] + 0.1).ok
    assert grad_check(lambda a: image.sobel_edges(a),
                      np.random.default_rng(2).random((1, 4, 5, 2))).ok
