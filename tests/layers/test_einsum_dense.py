"""EinsumDense against Keras 3.15's outputs for the same weights
(tests/fixtures/keras/einsum_dense.npz, made by the script in tests/fixtures/tf/README.md),
for every form of equation Keras accepts; its gradients against finite differences."""

import os

import numpy as np
import pytest

import saessak as keras
from saessak import backend, grad_check, layers

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras", "einsum_dense.npz")
CASES = {"matmul": ("ab,bc->ac", 4, "c"), "sequence": ("abc,cd->abd", (None, 6), "d"),
         "left_elided": ("...b,bc->...c", 4, None),
         "heads": ("abc,cde->abde", (None, 2, 3), "de"),
         "right_elided": ("ab...,bc->ac...", 3, "c")}
KERAS_SHAPES = {"matmul": [(5, 4), (4,)], "sequence": [(5, 6), (6,)], "left_elided": [(5, 4)],
                "heads": [(5, 2, 3), (2, 3)], "right_elided": [(5, 3), (3, 1)]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_einsum_dense_matches_keras(name):
    ref = np.load(FIXTURE)
    equation, output_shape, bias_axes = CASES[name]
    layer = layers.EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes,
                               activation="tanh")
    x = ref[f"{name}_x"]
    layer(x)
    assert [w.shape for w in layer.get_weights()] == KERAS_SHAPES[name]  # Keras's shapes
    layer.set_weights([ref[f"{name}_w{i}"] for i in range(len(KERAS_SHAPES[name]))])
    np.testing.assert_allclose(layer(x).numpy(), ref[f"{name}_y"], atol=1e-6)


def test_einsum_dense_gradients_config_and_errors():
    rng = np.random.default_rng(0)
    with backend.floatx_scope("float64"):
        layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="e")
        x = rng.normal(size=(2, 3, 4))
        layer(x)
        assert grad_check(lambda t: layer(t), x, wrt=layer.trainable_weights).ok
    clone = layers.EinsumDense.from_config(layer.get_config())
    assert (clone.equation, clone.partial_output_shape, clone.bias_axes) == (
        "abc,cde->abde", (None, 2, 3), "e")
    model = keras.Sequential([keras.Input((7, 4)), layers.EinsumDense(
        "abc,cd->abd", output_shape=(None, 5), bias_axes="d")])
    assert model.output_shape == (None, None, 5)
    with pytest.raises(ValueError, match="the equation must be"):
        layers.EinsumDense("a...b,bc->ac", output_shape=3)(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="bias axis 'z' is not in the output"):
        layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="z")(np.zeros((2, 4)))
