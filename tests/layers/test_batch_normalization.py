"""BatchNormalization: batch statistics in training, moving averages at inference, exact
momentum updates, gradients, masks, weights and config."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check, ops
from saessak.layers import BatchNormalization, Conv2D

R = np.random.default_rng(4)

# BN is not linear in x, so the central difference has an O(eps^2) truncation error as
# well as rounding error; eps = 1e-5 balances the two (1e-6 leaves rounding near 1e-5).
EPS = 1e-5


def test_weights_and_parameter_count():
    bn = BatchNormalization()
    bn(np.zeros((2, 5, 5, 8), np.float32))
    assert [w.path.split("/")[1] for w in bn.weights] == ["gamma", "beta", "moving_mean",
                                                          "moving_variance"]
    assert [w.path.split("/")[1] for w in bn.trainable_weights] == ["gamma", "beta"]
    assert bn.count_params() == 32 and all(w.shape == (8,) for w in bn.weights)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), np.ones(8))
    plain = BatchNormalization(center=False, scale=False)
    plain(np.zeros((2, 3), np.float32))
    assert [w.path.split("/")[1] for w in plain.weights] == ["moving_mean", "moving_variance"]


def test_training_output_is_standardized_per_channel():
    x = R.normal(3.0, 2.0, (64, 4, 4, 3)).astype(np.float32)
    y = BatchNormalization()(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    var = x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(y.var(axis=(0, 1, 2)), var / (var + 1e-3), rtol=1e-4)


def test_moving_statistics_follow_momentum_exactly():
    bn = BatchNormalization(momentum=0.9, epsilon=1e-3)
    mean, variance = np.zeros(3), np.ones(3)
    for step in range(4):
        x = R.normal(step, 1 + step, (16, 3)).astype(np.float32)
        bn(x, training=True)
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        variance = 0.9 * variance + 0.1 * x.var(axis=0)  # biased, as Keras
        np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-5)
        np.testing.assert_allclose(bn.moving_variance.numpy(), variance, rtol=1e-5)
    # Inference uses them (and leaves them alone).
    x = R.normal(0, 1, (5, 3)).astype(np.float32)
    expected = (x - mean) / np.sqrt(variance + 1e-3)
    np.testing.assert_allclose(bn(x).numpy(), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-5)


def test_frozen_layer_runs_in_inference_mode():
    bn = BatchNormalization()
    x = R.normal(5, 1, (8, 2)).astype(np.float32)
    bn(x)
    bn.trainable = False
    y = bn(x, training=True).numpy()
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(2))
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-6)


@pytest.mark.parametrize("axis,shape", [(-1, (4, 3, 5)), (1, (4, 3, 5)), ([1, 2], (3, 2, 4))])
def test_training_gradients(axis, shape):
    with backend.floatx_scope("float64"):
        bn = BatchNormalization(axis=axis, gamma_initializer="random_normal",
                                beta_initializer="random_normal")
        x = R.standard_normal(shape)
        bn(x, training=True)
        result = grad_check(lambda x: bn(x, training=True), x, wrt=bn.trainable_weights,
                            eps=EPS)
    assert result.ok, str(result)


def test_training_gradients_without_gamma_and_beta():
    with backend.floatx_scope("float64"):
        bn = BatchNormalization(center=False, scale=False)
        result = grad_check(lambda x: bn(x, training=True), R.standard_normal((6, 4)), eps=EPS)
    assert result.ok, str(result)


def test_inference_gradients():
    with backend.floatx_scope("float64"):
        bn = BatchNormalization(gamma_initializer="random_normal")
        x = R.standard_normal((5, 4))
        bn(x, training=True)
        result = grad_check(lambda x: bn(x, training=False), x, wrt=bn.trainable_weights,
                            eps=EPS)
    assert result.ok, str(result)


def test_mask_limits_statistics_to_real_steps():
    x = R.standard_normal((2, 5, 3)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0]], dtype=bool)
    bn = BatchNormalization(momentum=0.0)
    t = Tensor(x)
    t._keras_mask = mask
    y = bn(t, training=True)
    real = x[mask]
    np.testing.assert_allclose(bn.moving_mean.numpy(), real.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), real.var(0), rtol=1e-4)
    assert y._keras_mask is mask
    with backend.floatx_scope("float64"):
        bn = BatchNormalization(gamma_initializer="random_normal")
        bn.build((2, 5, 3))
        result = grad_check(lambda x: bn(x, training=True, mask=mask),
                            R.standard_normal((2, 5, 3)), wrt=bn.trainable_weights, eps=EPS)
    assert result.ok, str(result)


def test_helps_a_badly_scaled_conv_net_train():
    """Inputs scaled by 1000: with BatchNormalization after the convolution, 40 SGD steps
    separate bright-left from bright-right images (>= 95% on fresh data)."""
    rng = np.random.default_rng(0)

    def batch(n):
        y = rng.integers(0, 2, n)
        x = rng.normal(0, 1, (n, 6, 6, 1))
        x[y == 1, :, :3] += 1.5
        x[y == 0, :, 3:] += 1.5
        return (1000 * x).astype(np.float32), y

    conv, bn = Conv2D(4, 3), BatchNormalization()
    w = Tensor(rng.normal(0, 0.1, (4, 2)).astype(np.float32), requires_grad=True)
    params = None
    for _ in range(40):
        x, y = batch(32)
        h = ops.relu(bn(conv(x), training=True)).mean(axis=(1, 2))
        loss = -(ops.log_softmax(h @ w) * np.eye(2, dtype=np.float32)[y]).sum() / 32
        params = params or conv.trainable_weights + bn.trainable_weights + [w]
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= 0.3 * p.grad
    x, y = batch(400)
    h = ops.relu(bn(conv(x), training=False)).mean(axis=(1, 2))
    assert ((h @ w).numpy().argmax(-1) == y).mean() >= 0.95


def test_config_and_errors():
    bn = BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False)
    config = bn.get_config()
    assert config["axis"] == 1 and config["momentum"] == 0.9 and config["center"] is False
    assert BatchNormalization.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="momentum"):
        BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match="axis"):
        BatchNormalization(axis=3)(np.zeros((2, 3), np.float32))
    assert bn.compute_output_shape((None, 4, 5)) == (None, 4, 5)
