"""Merge layers against NumPy: element-wise ones, Concatenate, Dot; shapes and masks."""

import numpy as np
import pytest

import saessak
from saessak.backend import floatx_scope
from saessak.layers import (
    Add,
    Average,
    Concatenate,
    Dot,
    Input,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    concatenate,
    dot,
)

rng = np.random.default_rng(0)
A = rng.normal(size=(4, 3)).astype("float32")
B = rng.normal(size=(4, 3)).astype("float32")
C = rng.normal(size=(4, 3)).astype("float32")


@pytest.mark.parametrize("layer, expected", [
    (Add(), A + B + C), (Multiply(), A * B * C), (Average(), (A + B + C) / 3),
    (Maximum(), np.maximum(np.maximum(A, B), C)), (Minimum(), np.minimum(np.minimum(A, B), C)),
])
def test_elementwise_merges_match_numpy(layer, expected):
    np.testing.assert_allclose(layer([A, B, C]).numpy(), expected, rtol=1e-6)


def test_subtract_takes_exactly_two():
    np.testing.assert_allclose(Subtract()([A, B]).numpy(), A - B)
    with pytest.raises(ValueError, match="exactly 2"):
        Subtract()([A, B, C])
    with pytest.raises(ValueError, match="at least 2"):
        Add()([A])


def test_elementwise_shapes_broadcast_and_clash():
    assert Add().compute_output_shape([(None, 3), (None, 1)]) == (None, 3)
    with pytest.raises(ValueError, match="cannot be combined"):
        Add(name="a").compute_output_shape([(None, 3), (None, 4)])


def test_concatenate_values_and_shapes():
    np.testing.assert_array_equal(Concatenate()([A, B]).numpy(), np.concatenate([A, B], -1))
    np.testing.assert_array_equal(Concatenate(axis=0)([A, B]).numpy(), np.concatenate([A, B]))
    assert Concatenate().compute_output_shape([(None, 5, 2), (None, 5, 3)]) == (None, 5, 5)
    with pytest.raises(ValueError, match="every other size"):
        Concatenate().compute_output_shape([(None, 5, 2), (None, 4, 3)])
    out = concatenate([Input(shape=(8,)), Input(shape=(8,))])
    assert out.shape == (None, 16)


def test_dot_matches_einsum_for_vectors_and_sequences():
    np.testing.assert_allclose(Dot(axes=1)([A, B]).numpy(), (A * B).sum(1, keepdims=True),
                               rtol=1e-5)
    q = rng.normal(size=(2, 5, 4)).astype("float32")
    k = rng.normal(size=(2, 6, 4)).astype("float32")
    np.testing.assert_allclose(Dot(axes=2)([q, k]).numpy(), np.einsum("btd,bsd->bts", q, k),
                               rtol=1e-5)
    np.testing.assert_allclose(Dot(axes=(1, 1))([q, q]).numpy(),
                               np.einsum("btd,bte->bde", q, q), rtol=1e-5)
    assert Dot(axes=2).compute_output_shape([(None, 5, 4), (None, 6, 4)]) == (None, 5, 6)
    assert dot([Input((3,)), Input((3,))], axes=1).shape == (None, 1)


def test_dot_normalize_gives_cosine_similarity():
    cos = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(Dot(axes=1, normalize=True)([A, B]).numpy()[:, 0], cos,
                               rtol=1e-5)


def test_merge_gradients():
    with floatx_scope("float64"):
        x = saessak.Tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
        y = saessak.Tensor(rng.normal(size=(2, 5, 4)), requires_grad=True)
        result = saessak.grad_check(
            lambda a, b: (Dot(axes=2, normalize=True)([a, b]) ** 2).sum(), x, y)
        assert result.ok, str(result)
        u = saessak.Tensor(rng.normal(size=(3, 2)), requires_grad=True)
        v = saessak.Tensor(rng.normal(size=(3, 2)), requires_grad=True)
        for layer in (Maximum(), Average(), Multiply()):
            result = saessak.grad_check(lambda a, b, lay=layer: (lay([a, b]) ** 2).sum(), u, v)
            assert result.ok, str(result)


def test_masks_are_combined():
    x = saessak.Tensor(np.ones((1, 3, 2), "float32"))
    y = saessak.Tensor(np.ones((1, 3, 2), "float32"))
    x._keras_mask = np.array([[True, True, False]])
    y._keras_mask = np.array([[True, False, True]])
    np.testing.assert_array_equal(add([x, y])._keras_mask, [[True, False, False]])
    np.testing.assert_array_equal(Concatenate()([x, y])._keras_mask, [[True, False, False]])
    np.testing.assert_array_equal(Concatenate(axis=1)([x, y])._keras_mask,
                                  [[True, True, False, True, False, True]])
