"""``keras.utils.load_img`` / ``save_img`` (Pillow, the image extra)."""

import io

import numpy as np
import pytest

import saessak
from saessak.preprocessing import image

pytest.importorskip("PIL", reason="image files need Pillow (the image extra)")


def picture(height=10, width=20):
    """A (height, width, 3) image whose every pixel is distinct: red = column, green = row."""
    rows, cols = np.mgrid[0:height, 0:width]
    return np.stack([cols * 10, rows * 20, np.full_like(rows, 7)], axis=-1).astype("float32")


def test_save_then_load_gives_the_same_pixels(tmp_path):
    x = picture()
    path = tmp_path / "p.png"
    saessak.utils.save_img(path, x, scale=False)
    img = saessak.utils.load_img(path)
    assert (img.width, img.height, img.mode) == (20, 10, "RGB")
    np.testing.assert_array_equal(saessak.utils.img_to_array(img), x)


def test_grayscale_and_file_objects(tmp_path):
    buffer = io.BytesIO()
    image.save_img(buffer, picture(), file_format="png", scale=False)
    buffer.seek(0)
    grey = image.img_to_array(image.load_img(buffer, color_mode="grayscale"))
    assert grey.shape == (10, 20, 1)
    # Pillow's L = (299 R + 587 G + 114 B) / 1000, rounded: the top-left pixel is (0, 0, 7)
    assert grey[0, 0, 0] == round(0.114 * 7)


def test_target_size_resizes_and_keep_aspect_ratio_crops_the_centre(tmp_path):
    path = tmp_path / "p.png"
    image.save_img(path, picture(10, 20), scale=False)
    stretched = image.img_to_array(image.load_img(path, target_size=(10, 10)))
    assert stretched.shape == (10, 10, 3)
    # nearest: output column j samples the input at its centre, column 2j + 1 (red 10 (2j + 1))
    np.testing.assert_array_equal(stretched[0, :, 0], np.arange(10, 200, 20))
    cropped = image.img_to_array(image.load_img(path, target_size=(10, 10),
                                                keep_aspect_ratio=True))
    np.testing.assert_array_equal(cropped, picture(10, 20)[:, 5:15])  # the centre 10 x 10


def test_jpeg_drops_the_alpha_channel_with_a_warning(tmp_path):
    rgba = np.concatenate([picture(), np.full((10, 20, 1), 255.0, "float32")], axis=-1)
    with pytest.warns(UserWarning, match="no alpha channel"):
        image.save_img(tmp_path / "p.jpg", rgba, scale=False)
    assert image.load_img(tmp_path / "p.jpg", color_mode="rgba").size == (20, 10)


@pytest.mark.parametrize("kwargs, words", [({"color_mode": "cmyk"}, "color_mode must be one of"),
                                           ({"interpolation": "cubic"},
                                            "interpolation must be one of")])
def test_bad_arguments_are_named(tmp_path, kwargs, words):
    path = tmp_path / "p.png"
    image.save_img(path, picture(), scale=False)
    with pytest.raises(ValueError, match=words):
        image.load_img(path, **kwargs)
