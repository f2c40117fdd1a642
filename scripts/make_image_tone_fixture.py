"""Make ``tests/fixtures/keras/image_tone.npz`` with real Keras 3 (TensorFlow backend).

Run in an environment that has TensorFlow and Keras 3::

    /work/tfvenv/bin/python scripts/make_image_tone_fixture.py

Fixed float32 images go through Keras's colour, tone, blur and shear layers in settings
where the output is determined: a factor pinned to one value (``(f, f)``), a probability
of 1, or, where Keras draws something that cannot be pinned (Solarization's offsets, the
random sign of RandomHue and RandomShear), the layer's ``transform_images`` given that
transformation by hand. Each case ``<case>`` stores ``<case>__x`` (the input) and
``<case>__out`` (Keras's output); ``tests/layers/test_image_tone.py`` and
``tests/layers/test_image_mixing.py`` read them with NumPy and rebuild each case with
saessak's layers; ``keras_configs`` holds Keras's configs of every layer (JSON), which
saessak must load. Equalization is run one image at a time (Keras pools a batch's pixels
into one histogram; saessak equalizes each image by itself).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras",
                   "image_tone.npz")
SEED = 7


def inputs():
    rng = np.random.default_rng(SEED)
    rgb = rng.uniform(0, 255, (2, 6, 7, 3)).astype("float32")
    levels = (rng.integers(0, 6, (2, 5, 6, 3)) * 40 + 15).astype("float32")
    narrow = rng.uniform(60, 170, (2, 5, 5, 3)).astype("float32")
    narrow[1, ..., 2] = 90.0  # a constant channel: AutoContrast leaves it
    return {"rgb": rgb, "rgb01": rgb / 255.0, "levels": levels, "narrow": narrow,
            "rgb_cf": np.ascontiguousarray(rgb.transpose(0, 3, 1, 2))}


def cases(keras, x):
    L = keras.layers
    n = 2
    # (case, layer, input, transformation or None: call with training=True)
    yield "grayscale", L.RandomGrayscale(factor=1.0), x["rgb"], None
    yield ("grayscale_cf", L.RandomGrayscale(factor=1.0, data_format="channels_first"),
           x["rgb_cf"], None)
    yield "hue_half_turn", L.RandomHue((1.0, 1.0)), x["rgb"], None
    for name, delta in (("hue_plus", 0.1), ("hue_minus", -0.1)):
        yield (name, L.RandomHue((0.2, 0.2), value_range=(0, 1)), x["rgb01"],
               {"factor": np.full((n,), delta, "float32")})
    yield ("saturation_up", L.RandomSaturation((0.8, 0.8), value_range=(0, 1)), x["rgb01"],
           None)
    yield "saturation_down", L.RandomSaturation((0.25, 0.25)), x["rgb"], None
    yield "degeneration", L.RandomColorDegeneration((0.6, 0.6)), x["rgb"], None
    yield "sharpness_blur", L.RandomSharpness((0.1, 0.1)), x["rgb"], None
    yield ("sharpness_up", L.RandomSharpness((0.9, 0.9), value_range=(0, 1)), x["rgb01"],
           None)
    yield ("sharpness_cf", L.RandomSharpness((0.3, 0.3), data_format="channels_first"),
           x["rgb_cf"], None)
    yield "invert", L.RandomInvert((1.0, 1.0)), x["rgb"], None
    yield "invert01", L.RandomInvert((1.0, 1.0), value_range=(0, 1)), x["rgb01"], None
    yield "posterize3", L.RandomPosterization((3, 3)), x["levels"], None
    yield "posterize1", L.RandomPosterization((1, 1)), x["rgb"], None
    yield "solarize_all", L.Solarization(), x["rgb"], None
    yield ("solarize", L.Solarization(), x["rgb"],
           {"additions": np.full((n, 1, 1, 1), 0.1 * 255, "float32"),
            "thresholds": np.full((n, 1, 1, 1), 0.5 * 255, "float32")})
    yield "autocontrast", L.AutoContrast(), x["narrow"], None
    yield "autocontrast01", L.AutoContrast(value_range=(0, 1)), x["narrow"] / 255.0, None
    yield "equalize", L.Equalization(), x["levels"], "per_image"
    yield "equalize_bins", L.Equalization(bins=16), x["rgb"], "per_image"
    yield "equalize01", L.Equalization(value_range=(0, 1)), x["rgb01"], "per_image"
    yield ("blur3", L.RandomGaussianBlur((1.0, 1.0), sigma=(0.8, 0.8)), x["rgb"], None)
    yield ("blur5", L.RandomGaussianBlur((1.0, 1.0), kernel_size=5, sigma=(0.6, 0.6)),
           x["rgb"], None)
    # 'nearest' sampling: shears chosen so no point falls exactly between two pixels (TF
    # rounds halves away from zero, saessak's warp rounds them up)
    for sign, tag in ((1.0, "plus"), (-1.0, "minus")):
        shears = np.tile(np.array([[0.3, 0.2]], "float32") * sign, (n, 1))
        yield f"shear_{tag}", L.RandomShear(), x["rgb"], {"shear_factor": shears}
        yield (f"shear_const_{tag}", L.RandomShear(fill_mode="constant", fill_value=9.0,
                                                   interpolation="nearest"),
               x["rgb"], {"shear_factor": np.tile(np.array([[0.35, 0.0]], "float32") * sign,
                                                   (n, 1))})


def main():
    import keras

    x = inputs()
    store = {}
    for case, layer, images, transformation in cases(keras, x):
        if transformation is None:
            out = layer(images, training=True)
        elif transformation == "per_image":
            out = np.stack([np.asarray(layer(image, training=True)) for image in images])
        else:
            out = layer.transform_images(images, transformation, training=True)
        store[f"{case}__x"] = images
        store[f"{case}__out"] = np.asarray(out, dtype="float32")
    store["keras_configs"] = np.array(json.dumps(configs(keras)))
    np.savez_compressed(OUT, **store)
    print(f"wrote {len(store) // 2} cases to {os.path.normpath(OUT)}")


def configs(keras):
    """Each layer's ``get_config()`` as Keras 3.15 writes it (less name, trainable and the
    dtype policy): saessak must load them."""
    L = keras.layers
    made = [L.RandomGrayscale(0.3), L.RandomHue(0.3), L.RandomSaturation(0.2),
            L.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3,
                                saturation_factor=0.4, hue_factor=0.1),
            L.RandomColorDegeneration(0.3), L.Solarization(0.5, (0.2, 0.4)), L.RandomInvert(),
            L.RandomPosterization(4), L.AutoContrast(), L.Equalization(bins=64),
            L.RandomSharpness(0.3), L.MixUp(), L.CutMix(), L.RandomErasing(),
            L.RandomGaussianBlur(), L.RandomShear(0.3, 0.1)]
    out = {}
    for layer in made:
        config = layer.get_config()
        for key in ("name", "trainable", "dtype"):
            config.pop(key)
        out[type(layer).__name__] = config
    return out


if __name__ == "__main__":
    main()
