"""MixUp, CutMix, RandomErasing, RandomGaussianBlur (preprocessing.image_mixing),
RandomShear (image_shear) and Pipeline (pipeline): what each one mixes, erases, blurs or
slants, checked on images whose answer is known; Keras 3.15's outputs for the blur and the
shear in pinned settings (``tests/fixtures/keras/image_tone.npz``)."""

import json
import os

import numpy as np
import pytest

import saessak as keras
from saessak import layers
from saessak.layers.preprocessing import image_mixing, image_shear, image_tone
from saessak.layers.preprocessing.image_mixing import (
    CutMix,
    MixUp,
    RandomErasing,
    RandomGaussianBlur,
)
from saessak.layers.preprocessing.image_shear import RandomShear
from saessak.layers.preprocessing.image_tone import RandomInvert, Solarization
from saessak.layers.preprocessing.pipeline import Pipeline

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "image_tone.npz")
R = np.random.default_rng(11)


def tagged(n, h=6, w=8, c=3):
    """Image i filled with the value 10 (i + 1): where each pixel came from is readable."""
    return np.broadcast_to(10.0 * np.arange(1, n + 1, dtype=np.float32)[:, None, None, None],
                           (n, h, w, c)).copy()


# --- MixUp -------------------------------------------------------------------------------------


def test_mixup_blends_each_image_and_label_with_one_partner_by_one_weight():
    n = 12
    x, labels = tagged(n), np.eye(n, dtype=np.float32)
    out = MixUp(alpha=0.4, seed=2)({"images": x, "labels": labels}, training=True)
    y, mixed = out["images"].numpy(), out["labels"].numpy()
    assert np.all(np.ptp(y, axis=(1, 2, 3)) < 1e-4)  # each image is still one value
    partners = []
    for i in range(n):  # labels[i] = w e_i + (1 - w) e_j: read the partner j and w off them
        others = np.where(np.arange(n) == i, 0, mixed[i])
        j = int(np.argmax(others)) if others.max() > 0 else i
        w = mixed[i, i]
        assert 0 <= w <= 1 and np.isclose(mixed[i].sum(), 1, atol=1e-6)
        assert np.count_nonzero(mixed[i]) <= 2
        np.testing.assert_allclose(y[i, 0, 0, 0], w * 10 * (i + 1) + (1 - w) * 10 * (j + 1),
                                   rtol=1e-5)
        partners.append(j)
    assert len(set(partners)) > n // 2  # a shuffle, not one image for all
    assert np.ptp(np.diag(mixed)) > 0.1  # one weight per image


def test_mixup_alpha_sets_how_far_the_weights_spread():
    x = tagged(400, 1, 1, 1)
    labels = np.eye(400, dtype=np.float32)

    def own_weights(alpha):
        out = MixUp(alpha, seed=0)({"images": x, "labels": labels}, training=True)
        return np.diag(out["labels"].numpy())

    assert np.mean(np.abs(own_weights(0.2) - 0.5)) > 0.3  # Beta(0.2, 0.2): near 0 or 1
    assert np.mean(np.abs(own_weights(50.0) - 0.5)) < 0.05  # Beta(50, 50): near 1/2


def test_mixup_passes_through_outside_training_and_for_one_image():
    x, labels = tagged(4), np.eye(4, dtype=np.float32)
    layer = MixUp(seed=0)
    out = layer({"images": x, "labels": labels})
    np.testing.assert_array_equal(out["images"].numpy(), x)
    np.testing.assert_array_equal(out["labels"].numpy(), labels)
    np.testing.assert_array_equal(layer(x[0], training=True).numpy(), x[0])
    y = layer(x, training=True)  # images alone: no labels to mix
    assert y.shape == x.shape
    ints = layer({"images": x, "labels": np.arange(4)}, training=True)["labels"].numpy()
    assert ints.dtype == np.float32 and ints.shape == (4,)
    assert layer.compute_output_shape({"images": (None, 6, 8, 3), "labels": (None, 4)}) == {
        "images": (None, 6, 8, 3), "labels": (None, 4)}


# --- CutMix ------------------------------------------------------------------------------------


def test_cutmix_pastes_one_rectangle_of_the_partner_and_mixes_labels_by_area():
    n, h, w = 16, 12, 16
    x, labels = tagged(n, h, w, 2), np.eye(n, dtype=np.float32)
    out = CutMix(seed=3)({"images": x, "labels": labels}, training=True)
    y, mixed = out["images"].numpy(), out["labels"].numpy()
    pasted_any = False
    for i in range(n):
        own = y[i, ..., 0] == 10 * (i + 1)
        others = np.unique(y[i][~own])
        assert others.size <= 1 and np.all(y[i, ..., 0] == y[i, ..., 1])
        if others.size == 0:
            np.testing.assert_allclose(mixed[i, i], 1.0)  # its own partner, or no box
            continue
        pasted_any = True
        j = int(others[0]) // 10 - 1
        rows, cols = np.flatnonzero((~own).any(1)), np.flatnonzero((~own).any(0))
        assert (~own)[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].all()  # a full rectangle
        assert (~own).sum() == rows.size * cols.size
        # the same fraction of the height and of the width (to within one pixel)
        assert abs(rows.size / h - cols.size / w) <= 1 / h + 1 / w
        np.testing.assert_allclose(mixed[i, i], own.mean(), rtol=1e-6)  # the share kept
        np.testing.assert_allclose(mixed[i, j], 1 - own.mean(), rtol=1e-6)
    assert pasted_any
    np.testing.assert_array_equal(CutMix(seed=3)(x).numpy(), x)  # inference


def test_cutmix_with_factor_zero_swaps_whole_images_or_nothing():
    x = tagged(20, 5, 5, 1)
    y = CutMix((0.0, 0.0), seed=1)(x, training=True).numpy()  # Beta(1e-6, 1e-6): 0 or 1
    assert all(np.ptp(image) == 0 for image in y)


# --- RandomErasing -----------------------------------------------------------------------------


def test_erasing_fills_one_rectangle_whose_area_is_within_scale():
    n, h, w = 30, 40, 40
    x = np.full((n, h, w, 3), 100.0, np.float32)
    y = RandomErasing((1.0, 1.0), scale=(0.05, 0.2), fill_value=7.0, seed=0)(
        x, training=True).numpy()
    for image in y:
        hole = image[..., 0] == 7.0
        assert np.all((image == 7.0) == hole[..., None]) and np.all(image[~hole] == 100)
        rows, cols = np.flatnonzero(hole.any(1)), np.flatnonzero(hole.any(0))
        assert hole.sum() == rows.size * cols.size  # a rectangle
        # sides sqrt(u1) h and sqrt(u2) w, u in [0.05, 0.2]: each side to within a pixel
        assert np.sqrt(0.05) * h - 1 <= rows.size <= np.sqrt(0.2) * h + 1
        assert np.sqrt(0.05) * w - 1 <= cols.size <= np.sqrt(0.2) * w + 1
    sizes = [(image[..., 0] == 7).sum() for image in y]
    assert np.ptp(sizes) > 50


def test_erasing_probability_fill_per_channel_and_noise():
    x = np.full((400, 8, 8, 3), 0.5, np.float32)
    y = RandomErasing(seed=1, value_range=(0, 1), fill_value=[0.0, 0.25, 2.0])(
        x, training=True).numpy()
    erased = (y != 0.5).any(axis=(1, 2, 3))
    assert 0.4 < erased.mean() < 0.6  # factor 1.0: a probability ~ U(0, 1), half on average
    hole = y[erased][..., 0] == 0
    np.testing.assert_array_equal(y[erased][hole], np.tile([0.0, 0.25, 1.0], (hole.sum(), 1)))
    noise = RandomErasing((1, 1), seed=2)(np.full((4, 16, 16, 1), 100.0, np.float32),
                                           training=True).numpy()
    filled = noise[noise != 100]  # N(0, 1) * 255, clipped to (0, 255)
    assert filled.min() >= 0 and filled.max() <= 255 and np.mean(filled == 0) > 0.3
    assert np.unique(filled).size > 10
    np.testing.assert_array_equal(RandomErasing((0, 0))(x, training=True).numpy(), x)
    np.testing.assert_array_equal(RandomErasing(seed=1)(x).numpy(), x)
    with pytest.raises(ValueError, match="fill_value has 3 numbers for 1 channels"):
        RandomErasing((1, 1), fill_value=[1, 2, 3])(np.zeros((1, 4, 4, 1)), training=True)


# --- RandomGaussianBlur ------------------------------------------------------------------------


@pytest.mark.parametrize("case, make", [
    ("blur3", lambda: RandomGaussianBlur((1.0, 1.0), sigma=(0.8, 0.8))),
    ("blur5", lambda: RandomGaussianBlur((1.0, 1.0), kernel_size=5, sigma=(0.6, 0.6))),
])
def test_blur_matches_keras_with_a_pinned_sigma(case, make):
    data = np.load(FIXTURE)
    y = make()(data[f"{case}__x"], training=True).numpy()
    np.testing.assert_allclose(y, data[f"{case}__out"], rtol=0, atol=2e-6 * 255)


def test_blur_of_a_point_is_the_normalized_gaussian_outer_product():
    x = np.zeros((1, 7, 7, 1), np.float32)
    x[0, 3, 3, 0] = 255.0
    sigma = 0.7
    y = RandomGaussianBlur((1, 1), kernel_size=5, sigma=(sigma, sigma))(x, training=True)
    g = np.exp(-0.5 * (np.arange(-2, 3) / (sigma + 1e-6)) ** 2)
    g /= g.sum()
    expected = np.zeros((7, 7))
    expected[1:6, 1:6] = 255 * np.outer(g, g)
    np.testing.assert_allclose(y.numpy()[0, ..., 0], expected, rtol=1e-5, atol=1e-5)
    corner = np.zeros((1, 3, 3, 1), np.float32)
    corner[0, 0, 0, 0] = 100.0  # zero padding: the mass that falls outside is lost
    y = RandomGaussianBlur((1, 1), sigma=(sigma, sigma))(corner, training=True).numpy()
    g3 = np.exp(-0.5 * (np.arange(-1, 2) / (sigma + 1e-6)) ** 2)
    g3 /= g3.sum()
    np.testing.assert_allclose(y.sum(), 100 * g3[1:].sum() ** 2, rtol=1e-5)


def test_blur_kernel_size_is_rows_then_columns():
    x = np.zeros((1, 5, 5, 1), np.float32)
    x[0, 2, 2, 0] = 90.0
    y = RandomGaussianBlur((1, 1), kernel_size=(1, 3), sigma=(1.0, 1.0))(x, training=True)
    y = y.numpy()[0, ..., 0]
    assert np.count_nonzero(y[2]) == 3 and np.count_nonzero(y) == 3  # spread along the row


def test_blur_probability_and_inference():
    x = R.uniform(0, 255, (200, 5, 5, 1)).astype(np.float32)
    layer = RandomGaussianBlur(seed=0)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    blurred = (layer(x, training=True).numpy() != x).any(axis=(1, 2, 3))
    assert 0.4 < blurred.mean() < 0.6  # factor 1.0: a probability ~ U(0, 1)
    np.testing.assert_array_equal(RandomGaussianBlur((0, 0))(x, training=True).numpy(), x)


# --- RandomShear -------------------------------------------------------------------------------


@pytest.mark.parametrize("case, make", [
    ("shear", lambda: RandomShear((0.3, 0.3), (0.2, 0.2), seed=0)),
    ("shear_const", lambda: RandomShear((0.35, 0.35), fill_mode="constant", fill_value=9.0,
                                        interpolation="nearest", seed=0)),
])
def test_shear_matches_keras_for_either_sign(case, make):
    data = np.load(FIXTURE)
    x = data[f"{case}_plus__x"]
    plus, minus = data[f"{case}_plus__out"], data[f"{case}_minus__out"]
    layer, signs = make(), set()
    for _ in range(8):
        y = layer(x, training=True).numpy()
        for i in range(len(x)):
            d_plus, d_minus = np.abs(y[i] - plus[i]).max(), np.abs(y[i] - minus[i]).max()
            assert min(d_plus, d_minus) < 2e-6 * 255
            signs.add(d_plus < d_minus)
    assert signs == {True, False}


def test_shear_reads_column_plus_shear_times_row_about_the_top_left():
    h, w = 4, 9
    x = np.arange(h * w, dtype=np.float32).reshape(1, h, w, 1)
    y = RandomShear((1.0, 1.0), fill_mode="constant", fill_value=-1, interpolation="nearest",
                    seed=1)(np.repeat(x, 6, 0), training=True).numpy()[..., 0]
    seen = set()
    for image in y:
        for sign in (1, -1):
            cols = np.arange(w)[None, :] + sign * np.arange(h)[:, None]
            expected = np.where((cols >= 0) & (cols < w),
                                np.arange(h)[:, None] * w + np.clip(cols, 0, w - 1), -1)
            if np.array_equal(image, expected):
                seen.add(sign)
    assert seen == {1, -1}
    np.testing.assert_array_equal(RandomShear(0.5)(x).numpy(), x)  # inference


def test_shear_config_round_trips_a_single_number():
    layer = RandomShear(0.3, y_factor=(0.1, 0.2), fill_mode="wrap", seed=4)
    config = layer.get_config()
    assert config["x_factor"] == [-0.3, 0.3] and config["y_factor"] == [0.1, 0.2]
    assert RandomShear.from_config(config).get_config() == config
    for bad, message in ((dict(x_factor=1.5), r"RandomShear: x_factor must lie in \[-1, 1\]"),
                         (dict(fill_mode="mirror"), "RandomShear: fill_mode must be one of"),
                         (dict(interpolation="cubic"), "RandomShear: interpolation must be"),
                         (dict(fill_value="k"), "RandomShear: fill_value must be a number")):
        with pytest.raises(ValueError, match=message):
            RandomShear(**bad)


# --- shared: configs, shapes, errors -----------------------------------------------------------

ALL = [
    lambda: MixUp(0.3, seed=1),
    lambda: CutMix((0.2, 0.8), seed=1),
    lambda: RandomErasing(0.7, scale=0.3, fill_value=[1, 2, 3], seed=1),
    lambda: RandomGaussianBlur(0.9, kernel_size=(3, 5), sigma=(0.5, 2.0), seed=1),
    lambda: RandomShear(0.2, 0.1, seed=1),
]


@pytest.mark.parametrize("make", ALL)
def test_config_round_trip_shapes_and_channels_first(make):
    layer = make()
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert layers.deserialize(layers.serialize(layer)).get_config() == config
    model = keras.Sequential([keras.Input((6, 8, 3)), make(), layers.Flatten()])
    assert model.output_shape == (None, 144)
    x = R.uniform(0, 255, (5, 6, 8, 3)).astype(np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x.reshape(5, -1))
    last = make()(x, training=True).numpy()
    assert not np.array_equal(last, x)
    first = type(layer).from_config({**config, "data_format": "channels_first"})(
        x.transpose(0, 3, 1, 2), training=True).numpy()
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), last, rtol=1e-6, atol=1e-4)


def test_keras_configs_of_every_layer_load():
    configs = json.loads(str(np.load(FIXTURE)["keras_configs"]))
    assert len(configs) == 16
    x = R.uniform(0, 255, (2, 5, 5, 3)).astype(np.float32)
    for name, config in configs.items():
        module = next(m for m in (image_tone, image_mixing, image_shear) if hasattr(m, name))
        layer = getattr(module, name).from_config(config)
        for key, value in config.items():  # every argument kept (pairs as lists)
            if key != "seed":
                mine = layer.get_config()[key]
                assert (mine == value or np.allclose(mine, value)), (name, key, mine, value)
        assert layer(x, training=True).shape == x.shape


@pytest.mark.parametrize("make, message", [
    (lambda: MixUp(alpha=0), "MixUp: alpha must be a positive number"),
    (lambda: CutMix(1.5), r"CutMix: factor must lie in \[0, 1\]"),
    (lambda: RandomErasing(scale=(0.1, 2)), r"RandomErasing: scale must lie in \[0, 1\]"),
    (lambda: RandomErasing(fill_value="noise"), "RandomErasing: fill_value must be None"),
    (lambda: RandomErasing(value_range=(2, 2)), "RandomErasing: value_range must have low"),
    (lambda: RandomGaussianBlur(kernel_size=4), "RandomGaussianBlur: kernel_size must be an odd"),
    (lambda: RandomGaussianBlur(sigma=-1), "RandomGaussianBlur: sigma must lie in"),
    (lambda: Pipeline([layers.Flatten(), "x"]), "Pipeline: layers must be a list of Layer"),
])
def test_bad_arguments_name_the_layer_and_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_mixing_rejects_what_it_cannot_carry():
    x = tagged(3)
    with pytest.raises(ValueError, match="labels must have the batch"):
        MixUp(seed=0)({"images": x, "labels": np.eye(4)}, training=True)
    with pytest.raises(ValueError, match="segmentation_masks"):
        CutMix(seed=0)({"images": x, "segmentation_masks": x}, training=True)
    with pytest.raises(ValueError, match="'images' entry"):
        MixUp()({"labels": np.eye(3)}, training=True)


# --- Pipeline ----------------------------------------------------------------------------------


def test_pipeline_applies_its_layers_in_order_and_passes_training_on():
    x = np.array([10, 100, 200], np.float32).reshape(1, 1, 3, 1)
    steps = [RandomInvert((1, 1)), Solarization(threshold_factor=(0.5, 0.5))]
    pipe = Pipeline(steps)
    # invert: 245, 155, 55; then solarize at 127.5: 10, 100, 55 (the other order: 245, 155, 200)
    np.testing.assert_allclose(pipe(x, training=True).numpy().ravel(), [10, 100, 55])
    np.testing.assert_array_equal(pipe(x).numpy(), x)  # inference: every layer passes
    assert pipe.layers == steps and pipe.compute_output_shape((None, 1, 3, 1)) == (None, 1, 3, 1)
    model = keras.Sequential([keras.Input((1, 3, 1)), pipe, layers.Flatten()])
    assert model.output_shape == (None, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x.reshape(1, 3))


def test_pipeline_carries_dicts_and_round_trips_its_config():
    pipe = Pipeline([RandomInvert((1, 1), seed=0), MixUp(alpha=0.5, seed=1)], name="augment")
    x, labels = tagged(6), np.eye(6, dtype=np.float32)
    out = pipe({"images": x, "labels": labels}, training=True)
    alone = MixUp(alpha=0.5, seed=1)({"images": 255 - x, "labels": labels}, training=True)
    np.testing.assert_allclose(out["images"].numpy(), alone["images"].numpy(), rtol=1e-6)
    np.testing.assert_allclose(out["labels"].numpy(), alone["labels"].numpy(), rtol=1e-6)
    config = pipe.get_config()
    copy = Pipeline.from_config(config)
    assert copy.name == "augment" and copy.get_config() == config
    assert [type(layer) for layer in copy.layers] == [RandomInvert, MixUp]
    assert layers.deserialize(layers.serialize(pipe)).get_config() == config
    with pytest.raises(ValueError, match="Pipeline: the config needs a list"):
        Pipeline.from_config({"name": "p"})
