"""Keras arguments of ``saessak.ops`` that change the result: honoured, or a warning.

Expected values were worked out by hand from Keras's definitions (and agree with
``keras.ops`` 3 on the TensorFlow backend)."""

import warnings

import numpy as np
import pytest

from saessak import _distribution, ops

INDICES = np.array([[0, 2], [1, 1]])


@pytest.mark.parametrize("axis, expected", [
    (-1, [[1, 0, 1], [0, 1, 0]]),  # row b has a 1 at each class it lists
    (0, [[1, 0], [1, 1], [0, 1]]),  # classes first: [c, j] = any row lists c at j
    (1, [[1, 1], [1, 1]]),
])
def test_multi_hot_puts_the_classes_along_axis(axis, expected):
    np.testing.assert_array_equal(ops.multi_hot(INDICES, 3, axis=axis).numpy(), expected)


def test_multi_hot_of_one_row_and_of_a_rank_3_batch():
    np.testing.assert_array_equal(ops.multi_hot(np.array([0, 2]), 3).numpy(), [1, 0, 1])
    # a rank-3 batch is folded over axis 1, as Keras folds it
    out = ops.multi_hot(np.array([[[0, 2], [1, 1]]]), 3).numpy()
    np.testing.assert_array_equal(out, [[[1, 1, 0], [0, 1, 1]]])


def test_moments_synchronized_warns_only_under_a_data_parallel_fit(monkeypatch):
    x = np.arange(6.0).reshape(3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean, var = ops.moments(x, axes=0, synchronized=True)  # one process: nothing to sync
    np.testing.assert_allclose(mean.numpy(), [2, 3])
    np.testing.assert_allclose(var.numpy(), [8 / 3, 8 / 3])
    monkeypatch.setattr(_distribution, "_training", object())
    with pytest.warns(UserWarning, match="ops.moments: synchronized=True is not supported"):
        ops.moments(x, axes=0, synchronized=True)
