"""Noise layers: whole-channel dropout, Gaussian noise, AlphaDropout; all inactive at
inference."""

import numpy as np
import pytest

from saessak import backend, grad_check
from saessak.layers import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((8, 10, 6), np.float32)
    y = SpatialDropout1D(0.5, seed=0)(x, training=True).numpy()
    assert np.all(y == y[:, :1])  # the same decision at every step
    assert set(np.unique(y)) == {0.0, 2.0}  # dropped, or kept and scaled by 1 / (1 - rate)
    y2 = SpatialDropout2D(0.5, seed=1)(np.ones((8, 4, 5, 6), np.float32), training=True)
    y2 = y2.numpy()
    assert np.all(y2 == y2[:, :1, :1])
    first = SpatialDropout2D(0.5, seed=1, data_format="channels_first")
    y3 = first(np.ones((8, 6, 4, 5), np.float32), training=True).numpy()
    assert np.all(y3 == y3[:, :, :1, :1])


def test_spatial_dropout_rate_and_inference():
    layer = SpatialDropout1D(0.3, seed=2)
    y = layer(np.ones((400, 3, 50), np.float32), training=True).numpy()
    assert abs((y[:, 0] == 0).mean() - 0.3) < 0.02
    x = np.random.rand(2, 3, 4).astype(np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    with pytest.raises(ValueError, match="rank"):
        SpatialDropout2D(0.5)(np.ones((2, 3, 4), np.float32), training=True)


def test_gaussian_noise_and_dropout_statistics():
    x = np.ones((200, 500), np.float32)
    noisy = GaussianNoise(0.5, seed=0)(x, training=True).numpy()
    assert abs(noisy.mean() - 1) < 0.01 and abs(noisy.std() - 0.5) < 0.01
    scaled = GaussianDropout(0.2, seed=0)(x, training=True).numpy()
    assert abs(scaled.mean() - 1) < 0.01 and abs(scaled.std() - 0.5) < 0.01  # sqrt(.2/.8)
    np.testing.assert_array_equal(GaussianNoise(0.5)(x).numpy(), x)
    np.testing.assert_array_equal(GaussianDropout(0.2)(x).numpy(), x)


def test_gradients_flow_through_the_noise():
    with backend.floatx_scope("float64"):
        x = np.random.default_rng(0).standard_normal((3, 4))
        for layer in (GaussianNoise(0.3, seed=5), GaussianDropout(0.3, seed=5)):
            # the same seed each call: fix the draw by rebuilding the generator
            def fn(t, layer=layer):
                layer._rng = backend.make_rng(7)
                return layer(t, training=True)
            result = grad_check(fn, x)
            assert result.ok, str(result)


def test_config_and_errors():
    assert SpatialDropout2D(0.2).get_config()["data_format"] == "channels_last"
    assert GaussianNoise.from_config(GaussianNoise(0.1, seed=3).get_config()).seed == 3
    assert GaussianDropout.from_config(GaussianDropout(0.4).get_config()).rate == 0.4
    with pytest.raises(ValueError, match="stddev"):
        GaussianNoise(-1)
    with pytest.raises(ValueError, match="rate"):
        GaussianDropout(1.0)


def test_alpha_dropout_keeps_a_selu_activations_mean_and_variance():
    # SELU's fixed point: inputs of mean 0 and variance 1 stay so after AlphaDropout
    x = np.random.default_rng(0).normal(size=(400, 500)).astype("float32")
    layer = AlphaDropout(0.2, seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)  # inference: unchanged
    y = layer(x, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01
    alpha_p = -AlphaDropout.ALPHA * AlphaDropout.SCALE
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.2)  # a alpha' + b
    assert abs(dropped.mean() - 0.2) < 0.01
    kept = ~dropped
    np.testing.assert_allclose(y[kept], a * x[kept] - a * alpha_p * 0.2, rtol=1e-5)
