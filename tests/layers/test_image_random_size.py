"""RandomHeight and RandomWidth: a random size on one axis in training (one factor per
batch, as Keras), the images unchanged otherwise, an unknown size in the output shape."""

import numpy as np
import pytest

import saessak as keras
from saessak.layers import RandomHeight, RandomWidth

IMAGES = np.random.default_rng(0).uniform(0, 255, (2, 10, 12, 3)).astype("float32")


@pytest.mark.parametrize("cls, axis", [(RandomHeight, 1), (RandomWidth, 2)])
def test_training_resizes_one_axis_within_the_factor(cls, axis):
    layer = cls(0.2, seed=3)
    sizes = set()
    for _ in range(20):
        out = layer(IMAGES, training=True)
        other = [a for a in (1, 2) if a != axis][0]
        assert out.shape[other] == IMAGES.shape[other] and out.shape[0] == 2
        n = IMAGES.shape[axis]
        assert int(0.8 * n) <= out.shape[axis] <= int(1.2 * n)
        sizes.add(out.shape[axis])
    assert len(sizes) > 1
    assert layer(IMAGES) is IMAGES or np.array_equal(layer(IMAGES), IMAGES)
    one = layer(IMAGES[0], training=True)  # one image, no batch axis
    assert one.ndim == 3 and one.shape[-1] == 3


def test_a_range_factor_and_nearest_keep_values_and_the_output_shape_is_unknown():
    layer = RandomWidth((0.5, 0.5), interpolation="nearest")  # always 1.5 times wider
    out = layer(IMAGES, training=True)
    assert out.shape == (2, 10, 18, 3)
    assert set(np.unique(out.numpy())) <= set(np.unique(IMAGES))
    assert layer.compute_output_shape((None, 10, 12, 3)) == (None, 10, None, 3)
    assert RandomHeight(0.1).compute_output_shape((None, 10, 12, 3)) == (None, None, 12, 3)
    ints = RandomHeight((1.0, 1.0))(IMAGES.astype("uint8"), training=True)
    assert ints.shape == (2, 20, 12, 3) and ints.dtype == np.float32


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="RandomHeight: factor must have values larger "
                                         "than -1"):
        RandomHeight((-1.5, 0.2))
    with pytest.raises(ValueError, match="RandomWidth: factor must have low <= high"):
        RandomWidth((0.3, 0.1))
    with pytest.raises(ValueError, match="RandomWidth: interpolation"):
        RandomWidth(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="RandomHeight .* expected images of rank 4"):
        RandomHeight(0.1)(np.zeros((2, 3)), training=True)


def test_config_round_trip_and_the_tf_keras_2_names():
    layer = RandomHeight((-0.1, 0.3), interpolation="nearest", seed=5)
    again = RandomHeight.from_config(layer.get_config())
    assert (again.factor, again.interpolation, again.seed) == ((-0.1, 0.3), "nearest", 5)
    pre = keras.layers.experimental.preprocessing
    assert pre.RandomHeight is RandomHeight and pre.RandomWidth is RandomWidth
