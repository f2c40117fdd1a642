"""img_to_array / array_to_img honour ``data_format`` (channels first or last), as Keras does."""

import numpy as np
import pytest

from saessak import backend
from saessak.preprocessing.image import array_to_img, img_to_array

IMAGE = np.arange(2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3)  # h 2, w 3, 3 channels


def test_img_to_array_puts_channels_first_when_asked():
    out = img_to_array(IMAGE, data_format="channels_first")
    assert out.shape == (3, 2, 3)
    np.testing.assert_array_equal(out[1], IMAGE[:, :, 1])
    assert img_to_array(IMAGE[:, :, 0], data_format="channels_first").shape == (1, 2, 3)
    assert img_to_array(IMAGE[:, :, 0]).shape == (2, 3, 1)


def test_img_to_array_follows_the_global_image_data_format():
    backend.set_image_data_format("channels_first")
    try:
        assert img_to_array(IMAGE).shape == (3, 2, 3)
    finally:
        backend.set_image_data_format("channels_last")
    assert img_to_array(IMAGE).shape == (2, 3, 3)


def test_array_to_img_reads_channels_first_arrays():
    pytest.importorskip("PIL", reason="array_to_img needs Pillow")
    last = np.asarray(array_to_img(IMAGE))
    first = np.asarray(array_to_img(IMAGE.transpose(2, 0, 1), data_format="channels_first"))
    assert first.shape == (2, 3, 3)
    np.testing.assert_array_equal(first, last)


@pytest.mark.parametrize("fn", [img_to_array, array_to_img])
def test_unknown_data_format_is_a_clear_error(fn):
    with pytest.raises(ValueError, match=f"{fn.__name__}: data_format must be"):
        fn(IMAGE, data_format="channels_middle")
