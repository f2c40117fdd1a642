"""Dense: outputs, the fused ReLU node, gradients, and the activity regularizer."""

import numpy as np
import pytest

from saessak import Tensor, grad_check, regularizers
from saessak.backend import floatx_scope
from saessak.layers import Dense
from saessak.ops import _fused_numba


def test_relu_dense_is_max_of_zero_and_the_affine_map(rng):
    x = rng.standard_normal((5, 4)).astype(np.float32)
    layer = Dense(3, activation="relu")
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y, np.maximum(x @ kernel + bias, 0), rtol=1e-6)
    assert (y == 0).any() and (y > 0).any()  # both sides of the kink are exercised


@pytest.mark.parametrize("activation", ["relu", "tanh", None])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_gradients(rng, activation, use_bias):
    with floatx_scope("float64"):
        layer = Dense(3, activation=activation, use_bias=use_bias)
        x = Tensor(rng.standard_normal((6, 2, 4)), requires_grad=True)
        layer(x)
        result = grad_check(lambda: (layer(x) ** 2).sum(), wrt=[x, *layer.trainable_weights])
    assert result.ok, str(result)


@pytest.mark.skipif(not _fused_numba.ENABLED, reason="numba (the 'fast' extra) not installed")
def test_compiled_relu_dense_matches_numpy(rng, monkeypatch):
    x0 = rng.standard_normal((64, 7)).astype(np.float32)
    layer = Dense(9, activation="relu")
    layer(x0)
    direction = rng.standard_normal((64, 9)).astype(np.float32)
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(_fused_numba, "ENABLED", enabled)
        x = Tensor(x0, requires_grad=True)
        for w in layer.trainable_weights:
            w.grad = None
        y = layer(x)
        (y * Tensor(direction)).sum().backward()
        results.append([y.numpy(), x.grad] + [w.grad for w in layer.trainable_weights])
    for fast, slow in zip(*results):
        np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-6)


def test_activity_regularizer_sees_the_layer_outputs(rng):
    """Keras applies it to what the layer returns, after the activation (here the ReLU
    zeroes the negative part, which an L1 penalty on the pre-activation would count)."""
    x = rng.standard_normal((8, 4)).astype(np.float32)
    layer = Dense(5, activation="relu", activity_regularizer=regularizers.l1(0.1))
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    assert (x @ kernel + bias < 0).any()
    (penalty,) = layer.losses
    np.testing.assert_allclose(float(penalty.data), 0.1 * np.abs(y).sum() / 8, rtol=1e-5)
