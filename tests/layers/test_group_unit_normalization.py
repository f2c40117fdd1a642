"""GroupNormalization and UnitNormalization (Keras 3 layers). Their numbers against Keras's
own are in tests/interchange (the ``norms`` fixture family); here: the definitions, the
gradients and the errors."""

import numpy as np
import pytest

import saessak as keras
from saessak import backend, grad_check, layers


def test_group_norm_normalises_each_group_of_each_sample():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(2, 5, 6)).astype("float32")
    y = layers.GroupNormalization(groups=3, epsilon=1e-5)(x).numpy()
    groups = y.reshape(2, 5, 3, 2)  # channels 0-1, 2-3, 4-5
    np.testing.assert_allclose(groups.mean(axis=(1, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(groups.var(axis=(1, 3)), 1, atol=1e-3)
    # one group: layer normalization over every feature; one per channel: instance norm
    whole = layers.GroupNormalization(groups=1, epsilon=1e-5)(x).numpy()
    ln = layers.LayerNormalization(axis=[1, 2], epsilon=1e-5)(x).numpy()
    np.testing.assert_allclose(whole, ln, atol=1e-5)
    instance = layers.GroupNormalization(groups=-1, epsilon=1e-5)(x).numpy()
    expected = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(instance, expected, atol=1e-4)


def test_group_norm_gradients_and_channels_first():
    rng = np.random.default_rng(1)
    with backend.floatx_scope("float64"):
        layer = layers.GroupNormalization(groups=2, axis=1)  # channels first: (batch, C, steps)
        x = rng.normal(size=(2, 4, 3))
        layer(x)
        layer.set_weights([rng.normal(size=4), rng.normal(size=4)])
        assert grad_check(lambda t: layer(t), x, wrt=layer.trainable_weights).ok


def test_group_norm_config_and_errors():
    layer = layers.GroupNormalization(groups=4, center=False)
    clone = layers.GroupNormalization.from_config(layer.get_config())
    assert (clone.groups, clone.center, clone.scale) == (4, False, True)
    with pytest.raises(ValueError, match="6 channels .* cannot be split into 4 groups"):
        layers.GroupNormalization(groups=4)(np.zeros((2, 6), "float32"))
    with pytest.raises(ValueError, match="groups must be a positive int"):
        layers.GroupNormalization(groups=0)


def test_unit_normalization():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], "float32")
    np.testing.assert_allclose(layers.UnitNormalization()(x).numpy(), [[0.6, 0.8], [0, 0]])
    x3 = np.random.default_rng(2).normal(size=(2, 3, 4)).astype("float32")
    y = layers.UnitNormalization(axis=[1, 2])(x3).numpy()
    np.testing.assert_allclose(np.sqrt((y ** 2).sum(axis=(1, 2))), 1, rtol=1e-5)
    assert keras.layers.UnitNormalization.from_config(
        layers.UnitNormalization(axis=[1, 2]).get_config()).axis == (1, 2)
