"""Colour and tone layers (saessak.layers.preprocessing.image_tone): each one's arithmetic
on images whose answer is worked out by hand, the draws within their declared ranges,
inference, configs, errors; and Keras 3.15's own outputs in pinned settings
(``tests/fixtures/keras/image_tone.npz``, from ``scripts/make_image_tone_fixture.py``)."""

import os

import numpy as np
import pytest

import saessak as keras
from saessak import layers
from saessak.layers.preprocessing.image_tone import (
    AutoContrast,
    Equalization,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    Solarization,
)

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "image_tone.npz")
R = np.random.default_rng(3)
LUMA = np.array([0.2989, 0.5870, 0.1140])


def rgb(n=4, h=5, w=6, high=255.0):
    return R.uniform(0, high, (n, h, w, 3)).astype(np.float32)


# --- Keras 3.15 on pinned settings ------------------------------------------------------------

KERAS_CASES = {
    "grayscale": lambda: RandomGrayscale(1.0),
    "grayscale_cf": lambda: RandomGrayscale(1.0, data_format="channels_first"),
    "hue_half_turn": lambda: RandomHue((1.0, 1.0)),  # +-half a turn: the same either way
    "saturation_up": lambda: RandomSaturation((0.8, 0.8), value_range=(0, 1)),
    "saturation_down": lambda: RandomSaturation((0.25, 0.25)),
    "degeneration": lambda: RandomColorDegeneration((0.6, 0.6)),
    "sharpness_blur": lambda: RandomSharpness((0.1, 0.1)),
    "sharpness_up": lambda: RandomSharpness((0.9, 0.9), value_range=(0, 1)),
    "sharpness_cf": lambda: RandomSharpness((0.3, 0.3), data_format="channels_first"),
    "invert": lambda: RandomInvert((1.0, 1.0)),
    "invert01": lambda: RandomInvert((1.0, 1.0), value_range=(0, 1)),
    "posterize3": lambda: RandomPosterization((3, 3)),
    "posterize1": lambda: RandomPosterization((1, 1)),
    "solarize_all": lambda: Solarization(),
    "solarize": lambda: Solarization((0.1, 0.1), (0.5, 0.5)),  # Keras given a=25.5, t=127.5
    "autocontrast": lambda: AutoContrast(),
    "autocontrast01": lambda: AutoContrast(value_range=(0, 1)),
    "equalize": lambda: Equalization(),  # Keras run one image at a time
    "equalize_bins": lambda: Equalization(bins=16),
    "equalize01": lambda: Equalization(value_range=(0, 1)),
}


@pytest.mark.parametrize("case", sorted(KERAS_CASES))
def test_matches_keras_in_pinned_settings(case):
    data = np.load(FIXTURE)
    x, expected = data[f"{case}__x"], data[f"{case}__out"]
    y = KERAS_CASES[case]()(x, training=True).numpy()
    scale = 255.0 if expected.max() > 1.5 else 1.0
    assert y.shape == expected.shape and y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=0, atol=2e-6 * scale)


def test_hue_turns_by_the_drawn_amount_with_a_random_sign_as_keras():
    data = np.load(FIXTURE)
    x = data["hue_plus__x"]  # Keras's outputs for a turn of +0.1 and of -0.1
    plus, minus = data["hue_plus__out"], data["hue_minus__out"]
    signs = set()
    layer = RandomHue((0.2, 0.2), value_range=(0, 1), seed=4)
    for _ in range(8):
        y = layer(x, training=True).numpy()
        for i in range(len(x)):
            d_plus, d_minus = np.abs(y[i] - plus[i]).max(), np.abs(y[i] - minus[i]).max()
            assert min(d_plus, d_minus) < 2e-6
            signs.add(d_plus < d_minus)
    assert signs == {True, False}


# --- RandomGrayscale --------------------------------------------------------------------------


def test_grayscale_is_the_luma_in_every_channel_with_probability_factor():
    pure = np.zeros((1, 2, 2, 3), np.float32)
    pure[..., 0] = 255.0  # pure red: luma 0.2989 * 255
    y = RandomGrayscale(1.0)(pure, training=True).numpy()
    np.testing.assert_allclose(y, np.full_like(pure, 0.2989 * 255), rtol=1e-6)
    x = rgb(200, 2, 2)
    gray = np.repeat((x @ LUMA)[..., None], 3, axis=-1)
    y = RandomGrayscale(0.3, seed=0)(x, training=True).numpy()
    turned = np.array([np.allclose(a, g, rtol=1e-5) for a, g in zip(y, gray)])
    kept = np.array([np.array_equal(a, b) for a, b in zip(y, x)])
    assert np.all(turned ^ kept) and 0.2 < turned.mean() < 0.4
    np.testing.assert_array_equal(RandomGrayscale(0.0)(x, training=True).numpy(), x)
    np.testing.assert_array_equal(RandomGrayscale(1.0)(x).numpy(), x)  # inference


# --- RandomHue, RandomSaturation --------------------------------------------------------------


def test_hue_turn_of_a_third_takes_red_to_green_or_blue():
    red = np.zeros((30, 2, 2, 3), np.float32)
    red[..., 0] = 200.0
    y = RandomHue((2 / 3, 2 / 3), seed=1)(red, training=True).numpy()  # +-1/3 of a turn
    green = np.all(np.isclose(y[..., 1], 200, atol=1e-3), axis=(1, 2))
    blue = np.all(np.isclose(y[..., 2], 200, atol=1e-3), axis=(1, 2))
    assert np.all(green ^ blue) and green.any() and blue.any()
    np.testing.assert_allclose(np.sort(y, axis=-1)[..., :2], 0, atol=1e-3)
    x = rgb()
    np.testing.assert_allclose(RandomHue((0, 0))(x, training=True).numpy(), x, atol=1e-3)


def hsv_parts(x):
    v, low = x.max(-1), x.min(-1)
    return v, (v - low) / v


def test_saturation_scale_is_f_over_one_minus_f():
    x = rgb(6, 4, 4)
    np.testing.assert_allclose(RandomSaturation((0.5, 0.5))(x, training=True).numpy(), x,
                               rtol=1e-4)  # 0.5 / 0.5: unchanged
    gray = RandomSaturation((0.0, 0.0))(x, training=True).numpy()
    np.testing.assert_allclose(gray, np.repeat(x.max(-1, keepdims=True), 3, -1), rtol=1e-5)
    full = RandomSaturation((1.0, 1.0))(x, training=True).numpy()
    np.testing.assert_allclose(full.min(-1), 0, atol=1e-3)
    np.testing.assert_allclose(full.max(-1), x.max(-1), rtol=1e-5)  # the value stays
    y = RandomSaturation((0.2, 0.4), seed=2)(x, training=True).numpy()
    v, s = hsv_parts(x)
    v2, s2 = hsv_parts(y)
    ratio = (s2 / s).reshape(6, -1)
    np.testing.assert_allclose(v2, v, rtol=1e-5)
    assert np.all(np.ptp(ratio, axis=1) < 1e-4)  # one factor per image
    assert np.all((ratio >= 0.25 - 1e-5) & (ratio <= 0.4 / 0.6 + 1e-5))
    assert np.ptp(ratio[:, 0]) > 0.01


# --- RandomColorDegeneration, RandomSharpness --------------------------------------------------


def test_color_degeneration_blends_towards_the_luma():
    x = rgb()
    gray = (x @ LUMA)[..., None]
    y = RandomColorDegeneration((1.0, 1.0))(x, training=True).numpy()
    np.testing.assert_allclose(y, np.broadcast_to(gray, x.shape), rtol=1e-5)
    y = RandomColorDegeneration((0.25, 0.25))(x, training=True).numpy()
    np.testing.assert_allclose(y, 0.75 * x + 0.25 * gray, rtol=1e-5)
    y = RandomColorDegeneration(0.8, seed=3)(x, training=True).numpy()
    f = ((x - y) / (x - gray)).reshape(len(x), -1)
    assert np.all(np.ptp(f, axis=1) < 1e-3) and np.all((f >= -1e-4) & (f <= 0.8 + 1e-4))


def test_sharpness_blends_with_the_13th_kernel_zero_padded():
    x = np.zeros((1, 3, 3, 1), np.float32)
    x[0, :, :, 0] = [[10, 20, 30], [40, 50, 60], [70, 80, 90]]
    smooth = RandomSharpness((0.0, 0.0), value_range=(0, 1000))(x, training=True).numpy()[0, ..., 0]
    assert np.isclose(smooth[1, 1], (5 * 50 + 450 - 50) / 13, rtol=1e-6)
    assert np.isclose(smooth[0, 0], (5 * 10 + 20 + 40 + 50) / 13, rtol=1e-6)  # zeros outside
    same = RandomSharpness((0.5, 0.5))(x, training=True).numpy()
    np.testing.assert_allclose(same, x, rtol=1e-6)
    sharp = RandomSharpness((1.0, 1.0), value_range=(0, 1000))(x, training=True).numpy()
    np.testing.assert_allclose(sharp[0, ..., 0], 2 * x[0, ..., 0] - smooth, rtol=1e-5)
    clipped = RandomSharpness((1.0, 1.0))(x, training=True).numpy()  # value_range (0, 255)
    np.testing.assert_allclose(clipped[0, ..., 0], np.clip(2 * x[0, ..., 0] - smooth, 0, 255),
                               rtol=1e-5)


# --- RandomInvert, Solarization, RandomPosterization ------------------------------------------


def test_invert_maps_the_value_range_onto_itself():
    x = rgb()
    np.testing.assert_allclose(RandomInvert((1, 1))(x, training=True).numpy(), 255 - x)
    signed = x / 127.5 - 1
    y = RandomInvert((1, 1), value_range=(-1, 1))(signed, training=True).numpy()
    np.testing.assert_allclose(y, -signed, atol=1e-6)
    many = rgb(300, 1, 1)
    y = RandomInvert(seed=5)(many, training=True).numpy()  # p ~ U(0, 1): half on average
    inverted = np.isclose(y, 255 - many).all(axis=(1, 2, 3))
    kept = (y == many).all(axis=(1, 2, 3))
    assert np.all(inverted ^ kept) and 0.4 < inverted.mean() < 0.6
    np.testing.assert_array_equal(RandomInvert((0, 0))(many, training=True).numpy(), many)


def test_solarization_inverts_at_or_above_the_threshold_after_the_addition():
    x = np.array([0, 100, 127, 128, 200, 255], np.float32).reshape(1, 1, 6, 1)
    y = Solarization(threshold_factor=(0.5, 0.5))(x, training=True).numpy().ravel()
    np.testing.assert_allclose(y, [0, 100, 127, 127, 55, 0])  # t = 127.5
    y = Solarization((0.2, 0.2), (0.5, 0.5))(x, training=True).numpy().ravel()
    # + 51, clipped at 255: 51 stays, 151 -> 104, 178 -> 77, 179 -> 76, 251 -> 4, 255 -> 0
    np.testing.assert_allclose(y, [51, 104, 77, 76, 4, 0], atol=1e-4)
    np.testing.assert_allclose(Solarization()(x, training=True).numpy().ravel(), 255 - x.ravel())
    y = Solarization(threshold_factor=(0.5, 0.5), value_range=(0, 1))(x / 255, training=True)
    np.testing.assert_allclose(y.numpy().ravel(), [0, 100, 127, 127, 55, 0] / np.float32(255),
                               atol=1e-6)
    np.testing.assert_array_equal(Solarization()(x).numpy(), x)  # inference: unchanged
    t = Solarization(threshold_factor=(0.2, 0.6), seed=1)(np.full((50, 1, 256, 1), np.arange(
        256, dtype=np.float32)[None, None, :, None]), training=True).numpy()[:, 0, :, 0]
    first = np.argmax(t != np.arange(256), axis=1)  # the first value turned: the threshold
    assert np.all((first >= 0.2 * 255 - 1) & (first <= 0.6 * 255 + 1)) and np.ptp(first) > 20


def test_posterization_keeps_the_top_bits():
    x = np.array([0, 31, 32, 63, 64, 200, 255, 130.7], np.float32).reshape(1, 1, 8, 1)
    y = RandomPosterization((2, 2))(x, training=True).numpy().ravel()
    np.testing.assert_array_equal(y, [0, 0, 0, 0, 64, 192, 192, 128])
    y = RandomPosterization((3, 3), value_range=(0, 1))(x / 255, training=True).numpy().ravel()
    np.testing.assert_allclose(y * 255, [0, 0, 32, 32, 64, 192, 224, 128], atol=1e-4)
    levels = np.arange(256, dtype=np.float32).reshape(1, 1, 256, 1).repeat(40, 0)
    y = RandomPosterization(4, seed=0)(levels, training=True).numpy()  # 1 to 4 bits
    bits = 8 - np.log2(np.array([np.diff(np.unique(a)).min() for a in y])).astype(int)
    assert set(bits) == {1, 2, 3, 4}


# --- AutoContrast, Equalization: always on -----------------------------------------------------


def test_autocontrast_stretches_each_channel_to_the_value_range_always():
    x = np.zeros((1, 1, 3, 3), np.float32)
    x[0, 0, :, 0] = [50, 100, 150]
    x[0, 0, :, 1] = [10, 20, 255]
    x[0, 0, :, 2] = 77  # constant: left as it is
    expected = np.stack([[0, 127.5, 255], [0, 2550 / 245, 255], [77, 77, 77]], -1)[None, None]
    np.testing.assert_allclose(AutoContrast()(x).numpy(), expected, rtol=1e-6)  # inference too
    np.testing.assert_allclose(AutoContrast(value_range=(0, 1))(x / 255).numpy(),
                               np.where(expected == 77, 77, expected) / 255, rtol=1e-6)
    u8 = AutoContrast()(x.astype(np.uint8)).numpy()
    assert u8.dtype == np.uint8 and u8[0, 0, 1, 0] == 128  # 127.5 rounds to even


def test_equalization_by_hand_on_a_tiny_image_per_image_and_channel():
    x = np.zeros((2, 2, 3, 2), np.float32)
    x[0, ..., 0] = [[10, 10, 20], [30, 30, 30]]  # counts 2, 1, 3: cdf 2, 3, 6; cdf_min 2
    x[0, ..., 1] = 5  # one level: unchanged
    x[1, ..., 0] = [[0, 100, 100], [100, 100, 255]]  # cdf 1, 5, 6; cdf_min 1
    x[1, ..., 1] = [[1, 2, 3], [4, 5, 6]]
    y = Equalization()(x).numpy()  # always on
    np.testing.assert_array_equal(y[0, ..., 0], [[0, 0, 64], [255, 255, 255]])  # 255/4 -> 64
    np.testing.assert_array_equal(y[0, ..., 1], 5)
    np.testing.assert_array_equal(y[1, ..., 0], [[0, 204, 204], [204, 204, 255]])  # 255*4/5
    np.testing.assert_array_equal(y[1, ..., 1], [[0, 51, 102], [153, 204, 255]])
    np.testing.assert_array_equal(Equalization()(x[1:]).numpy(), y[1:])  # its own histogram
    # bins=2: bin int(v / 255), so only 255 reaches the upper bin: counts 5, 1
    coarse = Equalization(bins=2)(x[1:, ..., :1]).numpy()
    np.testing.assert_array_equal(coarse.ravel(), [0, 0, 0, 0, 0, 255])
    np.testing.assert_allclose(Equalization(value_range=(0, 1))(x / 255).numpy(), y / 255,
                               rtol=1e-6)


# --- RandomColorJitter ------------------------------------------------------------------------


def test_color_jitter_runs_the_given_steps_in_order():
    x = rgb()
    alone = RandomColorJitter(saturation_factor=(0.2, 0.2))(x, training=True).numpy()
    np.testing.assert_allclose(alone, RandomSaturation((0.2, 0.2))(x, training=True).numpy())
    # step i of (brightness, contrast, saturation, hue) is seeded with seed + i
    both = RandomColorJitter(contrast_factor=0.5, hue_factor=(1.0, 1.0), seed=10)
    contrast = layers.RandomContrast(0.5, seed=11)(x, training=True)
    expected = RandomHue((1.0, 1.0), seed=13)(contrast, training=True).numpy()
    np.testing.assert_allclose(both(x, training=True).numpy(), expected, rtol=1e-6)
    flat = np.full((40, 2, 2, 3), 0.5, np.float32)
    y = RandomColorJitter((0, 1), brightness_factor=0.2, seed=1)(flat, training=True).numpy()
    deltas = y[:, 0, 0, 0] - 0.5
    assert np.all(np.abs(deltas) <= 0.2 + 1e-6) and np.ptp(deltas) > 0.2
    np.testing.assert_array_equal(RandomColorJitter(brightness_factor=0.2)(x).numpy(), x)


# --- shared behaviour ---------------------------------------------------------------------------

ALL = [
    lambda: RandomGrayscale(0.7, seed=1),
    lambda: RandomHue(0.4, value_range=(0, 1), seed=1),
    lambda: RandomSaturation((0.1, 0.9), seed=1),
    lambda: RandomColorDegeneration(0.5, seed=1),
    lambda: RandomSharpness(0.8, seed=1),
    lambda: RandomInvert(0.6, value_range=(0, 1), seed=1),
    lambda: Solarization(0.3, (0.2, 0.7), seed=1),
    lambda: RandomPosterization((2, 6), seed=1),
    lambda: AutoContrast(value_range=(0, 1)),
    lambda: Equalization(bins=64),
    lambda: RandomColorJitter((0, 255), 0.1, 0.2, 0.3, 0.4, seed=1),
]


@pytest.mark.parametrize("make", ALL)
def test_config_round_trip_and_shape(make):
    layer = make()
    config = layer.get_config()
    copy = type(layer).from_config(config)
    assert copy.get_config() == config
    assert layer.compute_output_shape((None, 5, 6, 3)) == (None, 5, 6, 3)
    assert layers.deserialize(layers.serialize(layer)).get_config() == config
    model = keras.Sequential([keras.Input((5, 6, 3)), make(), layers.Flatten()])
    assert model.output_shape == (None, 90)


def in_range(layer, x):
    """``x`` (in [0, 255]) scaled to the layer's value_range when that is (0, 1)."""
    return x / 255 if layer.get_config().get("value_range") == [0.0, 1.0] else x


@pytest.mark.parametrize("make", ALL)
def test_random_layers_act_only_in_training_and_follow_their_seed(make):
    layer = make()
    x = in_range(layer, rgb(6, 5, 6))
    fixed = isinstance(layer, (AutoContrast, Equalization))
    if not fixed:
        np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    assert y.shape == x.shape and y.dtype == np.float32 and not np.allclose(y, x)
    if fixed:
        np.testing.assert_array_equal(layer(x).numpy(), y)
    else:  # the same seed draws the same again; the next call draws anew
        np.testing.assert_array_equal(make()(x, training=True).numpy(), y)
        assert not np.array_equal(layer(x, training=True).numpy(), y)


@pytest.mark.parametrize("make", ALL)
def test_channels_first_single_images_and_dicts(make):
    x = in_range(make(), rgb(3, 4, 5))
    last = make()(x, training=True).numpy()
    config = {**make().get_config(), "data_format": "channels_first"}
    first = type(make()).from_config(config)(x.transpose(0, 3, 1, 2), training=True).numpy()
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), last, rtol=1e-5, atol=1e-4)
    single = make()(x[0], training=True).numpy()
    np.testing.assert_allclose(single, make()(x[:1], training=True).numpy()[0], rtol=1e-6)
    labels = np.arange(3.0)
    out = make()({"images": x, "labels": labels}, training=True)
    np.testing.assert_array_equal(out["labels"].numpy(), labels)
    np.testing.assert_allclose(out["images"].numpy(), last, rtol=1e-6)


def test_integer_images_are_computed_as_floats():
    x = (rgb(2, 3, 3)).astype(np.uint8)
    y = RandomInvert((1, 1))(x, training=True).numpy()
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, 255.0 - x)
    assert RandomInvert((1, 1))(x).numpy().dtype == np.uint8  # inference: untouched


@pytest.mark.parametrize("make, message", [
    (lambda: RandomGrayscale(1.5), "RandomGrayscale: factor must be a probability"),
    (lambda: RandomHue(1.2), r"RandomHue: factor must lie in \[0, 1\]"),
    (lambda: RandomHue((-0.1, 0.2)), r"RandomHue: factor must lie in \[0, 1\]"),
    (lambda: RandomSaturation("a"), "RandomSaturation: factor must be a number or a"),
    (lambda: RandomSaturation(-0.2), r"RandomSaturation: factor must lie in \[-1, 1\]"),
    (lambda: RandomColorDegeneration((0.1, 0.2, 0.3)), "RandomColorDegeneration: factor"),
    (lambda: RandomSharpness(0.5, value_range=(1, 1)), "RandomSharpness: value_range must"),
    (lambda: RandomInvert(value_range=5), "RandomInvert: value_range must be a"),
    (lambda: Solarization(threshold_factor=2), "Solarization: threshold_factor must lie"),
    (lambda: Solarization(addition_factor=(0.1, 3)), "Solarization: addition_factor must"),
    (lambda: RandomPosterization(9), r"RandomPosterization: factor must lie in \[1, 8\]"),
    (lambda: RandomPosterization((2.5, 4)), "RandomPosterization: factor must be whole"),
    (lambda: AutoContrast(value_range=(0, 1, 2)), "AutoContrast: value_range must be a"),
    (lambda: Equalization(bins=0), "Equalization: bins must be a positive integer"),
    (lambda: RandomColorJitter(brightness_factor=2), "RandomColorJitter: brightness_factor"),
    (lambda: RandomColorJitter(hue_factor=-1), "RandomColorJitter: hue_factor"),
    (lambda: RandomHue(0.1, data_format="nhwc"), "RandomHue: data_format must be"),
])
def test_bad_arguments_name_the_layer_and_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_are_reported():
    with pytest.raises(ValueError, match="expected 3 channels"):
        RandomHue(0.1)(rgb()[..., :2], training=True)
    with pytest.raises(ValueError, match="expected 3 channels"):
        RandomColorDegeneration(0.1).compute_output_shape((None, 4, 4, 4))
    with pytest.raises(ValueError, match="rank 4"):
        AutoContrast()(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="'images' entry"):
        RandomInvert()({"labels": np.zeros(2)}, training=True)
    with pytest.raises(ValueError, match="bounding_boxes"):
        RandomInvert()({"images": rgb(), "bounding_boxes": np.zeros((4, 1, 4))})
