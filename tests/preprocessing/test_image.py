"""ImageDataGenerator and the affine warp under it: exact shifts and flips, fill modes,
rescale, featurewise statistics, seeds, and Keras's endless ``flow`` batches."""

import numpy as np
import pytest

from saessak.ops.image import affine_matrix, interpolation_matrix, warp_array
from saessak.preprocessing.image import ImageDataGenerator, img_to_array

R = np.random.default_rng(9)


def image(h=6, w=7, c=2):
    return R.random((h, w, c)).astype(np.float32)


def params(**changes):
    base = {"theta": 0, "tx": 0, "ty": 0, "shear": 0, "zx": 1, "zy": 1,
            "flip_horizontal": False, "flip_vertical": False}
    return {**base, **changes}


def test_whole_pixel_shifts_move_the_image_exactly():
    x = image()
    gen = ImageDataGenerator(fill_mode="constant", cval=-1.0)
    down_left = gen.apply_transform(x, params(tx=-2, ty=3))  # output p reads input p + t
    np.testing.assert_array_equal(down_left[2:, :4], x[:-2, 3:])
    assert np.all(down_left[:2] == -1) and np.all(down_left[:, 4:] == -1)


def test_flips_are_exact():
    x = image()
    gen = ImageDataGenerator()
    np.testing.assert_array_equal(gen.apply_transform(x, params(flip_horizontal=True)),
                                  x[:, ::-1])
    np.testing.assert_array_equal(gen.apply_transform(x, params(flip_vertical=True)),
                                  x[::-1])
    gen = ImageDataGenerator(horizontal_flip=True)
    seen = {tuple(gen.random_transform(x, seed=s)[0, :, 0]) for s in range(20)}
    assert seen == {tuple(x[0, :, 0]), tuple(x[0, ::-1, 0])}  # both, and nothing else


def test_fill_modes():
    row = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)  # a b c d = 0 1 2 3
    shift = affine_matrix(ty=-3)  # the output at column j reads column j - 3
    expected = {"constant": [9, 9, 9, 0], "nearest": [0, 0, 0, 0],
                "reflect": [2, 1, 0, 0], "wrap": [1, 2, 3, 0]}
    for mode, want in expected.items():
        out = warp_array(row, shift[None], "bilinear", mode, fill_value=9.0)
        np.testing.assert_array_equal(out[0, 0, :, 0], want, err_msg=mode)


def test_rotation_by_90_degrees_is_a_transpose_of_a_square():
    x = image(5, 5, 1)
    out = ImageDataGenerator().apply_transform(x, params(theta=90))
    np.testing.assert_allclose(out[..., 0], np.rot90(x[..., 0], -1), atol=1e-5)


def test_bilinear_half_pixel_shift_averages_neighbours():
    x = image(4, 5, 1)
    out = ImageDataGenerator(fill_mode="nearest").apply_transform(x, params(ty=0.5))
    np.testing.assert_allclose(out[:, :4], (x[:, :4] + x[:, 1:]) / 2, rtol=1e-6)


def test_rescale_is_exact_and_applied_after_the_transform():
    x = (R.integers(0, 256, (3, 4, 4, 1))).astype(np.float32)
    gen = ImageDataGenerator(rescale=1.0 / 255)
    batch = gen.flow(x, batch_size=3, shuffle=False).next()
    np.testing.assert_array_equal(batch, x * np.float32(1.0 / 255))


def test_featurewise_standardization():
    x = R.normal(5, 3, (50, 4, 4, 3)).astype(np.float32)
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    with pytest.raises(ValueError, match="fit"):
        gen.standardize(x)
    gen.fit(x)
    np.testing.assert_allclose(gen.mean.ravel(), x.mean(axis=(0, 1, 2)), rtol=1e-5)
    out = gen.flow(x, batch_size=50, shuffle=False).next()
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-4)


def test_seed_reproducible_and_different_without_it():
    x = R.random((10, 8, 8, 1)).astype(np.float32)
    gen = ImageDataGenerator(rotation_range=30, zoom_range=0.2, shear_range=10,
                             width_shift_range=0.2, height_shift_range=0.2)
    a = gen.flow(x, batch_size=5, seed=42).next()
    b = gen.flow(x, batch_size=5, seed=42).next()
    c = gen.flow(x, batch_size=5, seed=43).next()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_array_equal(gen.random_transform(x[0], seed=1),
                                  gen.random_transform(x[0], seed=1))


def test_flow_batches_forever_like_keras():
    """10 images, batch 4: batches of 4, 4, 2, then a new epoch in a new order."""
    x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    y = np.arange(10)
    it = ImageDataGenerator().flow(x, y, batch_size=4, seed=0)
    assert len(it) == 3
    epoch = [next(it) for _ in range(3)]
    assert [len(b[1]) for b in epoch] == [4, 4, 2]
    labels = np.concatenate([b[1] for b in epoch])
    assert sorted(labels) == list(range(10)) and list(labels) != list(range(10))
    for xb, yb in epoch:  # images stay with their labels
        np.testing.assert_array_equal(xb.ravel(), yb)
    second = np.concatenate([next(it)[1] for _ in range(3)])
    assert sorted(second) == list(range(10)) and list(second) != list(labels)
    ordered = ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    assert list(ordered.next()[1]) == [0, 1, 2, 3]  # Keras 2's .next(), as the seed calls it


def test_seed_example_6_14_shapes():
    """The seed's call: 100 copies of one image, labels zeros, batch 100, no shuffle."""
    x = R.random((28, 28)).astype(np.float32)
    gen = ImageDataGenerator(rotation_range=10, zoom_range=0.10, shear_range=0.5,
                             width_shift_range=0.10, height_shift_range=0.10,
                             horizontal_flip=True, vertical_flip=False)
    copies = np.tile(x.reshape(28 * 28), 100).reshape(-1, 28, 28, 1)
    augmented = gen.flow(copies, np.zeros(100), batch_size=100, shuffle=False).next()[0]
    assert augmented.shape == (100, 28, 28, 1) and augmented.dtype == np.float32
    assert len({a.tobytes() for a in augmented}) == 100  # every copy transformed its own way
    assert np.abs(augmented.mean() - x.mean()) < 0.05  # small changes only


def test_validation_split_subsets():
    x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    gen = ImageDataGenerator(validation_split=0.2)
    val = gen.flow(x, np.arange(10), batch_size=10, shuffle=False, subset="validation").next()
    train = gen.flow(x, np.arange(10), batch_size=10, shuffle=False, subset="training").next()
    assert list(val[1]) == [0, 1] and list(train[1]) == list(range(2, 10))


def test_interpolation_matrix_and_errors():
    np.testing.assert_allclose(interpolation_matrix(2, 4), [[1, 0], [.75, .25], [.25, .75],
                                                            [0, 1]])
    np.testing.assert_array_equal(interpolation_matrix(4, 2, "nearest"),
                                  [[0, 1, 0, 0], [0, 0, 0, 1]])
    with pytest.raises(ValueError, match="fill_mode"):
        ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4)))
    assert img_to_array(np.zeros((3, 4))).shape == (3, 4, 1)
