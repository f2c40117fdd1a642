"""to_categorical (Keras squeezes a trailing 1) and normalize."""

import numpy as np
import pytest

import saessak
from saessak.utils import normalize, to_categorical


def test_to_categorical_basic_and_shapes():
    out = to_categorical([0, 2, 1])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical(np.array([[0], [1]])).shape == (2, 2)  # trailing 1 squeezed
    assert to_categorical(np.zeros((2, 3), int), num_classes=4).shape == (2, 3, 4)
    assert to_categorical(3, num_classes=5).tolist() == [0, 0, 0, 1, 0]
    assert to_categorical([1.0, 0.0], dtype="int64").dtype == np.int64
    # seed 003: y = to_categorical(y, num_classes=vocab_size)
    y = to_categorical([3, 1, 4, 5, 1, 7, 1, 9, 10, 1, 11], num_classes=12)
    assert y.shape == (11, 12) and y.sum() == 11 and y[0, 3] == 1


@pytest.mark.parametrize("y, kwargs, match", [([0, 3], {"num_classes": 3}, "num_classes"),
                                              ([-1, 0], {}, ">= 0"),
                                              ([0.5], {}, "integer"),
                                              (["a"], {}, "integer"),
                                              ([], {}, "num_classes"),
                                              ([0], {"num_classes": 0}, "num_classes")])
def test_to_categorical_errors(y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        to_categorical(y, **kwargs)


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0, 0]])
    np.testing.assert_allclose(normalize(x, axis=0, order=1)[:, 0], [1, 0])


def test_utils_reexports():
    assert saessak.utils.set_random_seed is saessak.backend.set_random_seed
    assert saessak.keras.utils.to_categorical is to_categorical
    assert callable(saessak.utils.pad_sequences)
    assert callable(saessak.utils.timeseries_dataset_from_array)
