"""LayerNormalization and RMSNormalization against NumPy written here, Keras defaults,
weights, masks, config and float64 gradient checks."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.layers import LayerNormalization, RMSNormalization

R = np.random.default_rng(5)


def test_keras_default_epsilon_is_1e_3_and_output_matches_numpy():
    x = (R.normal(size=(4, 6)) * 0.01).astype(np.float32)  # tiny variance: epsilon matters
    layer = LayerNormalization()
    y = layer(x).numpy()
    assert layer.epsilon == 1e-3
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-6)
    # with 1e-3 the outputs stay far below unit variance, unlike a tiny epsilon
    assert y.std() < 0.5


def test_hand_worked_row():
    # [1, 2, 3]: mean 2, variance 2/3 -> (x - 2) / sqrt(2/3 + 1e-3)
    y = LayerNormalization()(np.array([[1.0, 2.0, 3.0]], np.float32)).numpy()
    np.testing.assert_allclose(y, [[-1.2238, 0.0, 1.2238]], atol=1e-4)


def test_weights_names_shapes_and_order():
    layer = LayerNormalization(axis=[1, 2])
    layer.build((None, 3, 4))
    assert [w.name for w in layer.weights] == ["gamma", "beta"]
    assert [w.shape for w in layer.weights] == [(3, 4), (3, 4)]
    layer = LayerNormalization(center=False, scale=False)
    layer.build((None, 5))
    assert layer.weights == []
    rms = RMSNormalization()
    rms.build((None, 7, 5))
    assert [(w.name, w.shape) for w in rms.weights] == [("scale", (5,))]


def test_gamma_beta_and_multiple_axes_against_numpy():
    with backend.floatx_scope("float64"):
        layer = LayerNormalization(axis=(1, 2), epsilon=1e-5)
        x = R.normal(size=(2, 3, 4)) * 2 + 5
        layer.build(x.shape)
        gamma, beta = R.normal(size=(3, 4)), R.normal(size=(3, 4))
        layer.set_weights([gamma, beta])
        y = layer(x).numpy()
    mu = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5) * gamma + beta, rtol=1e-10)


def test_rms_normalization_against_numpy():
    with backend.floatx_scope("float64"):
        x = R.normal(size=(2, 3, 4)) + 1
        layer = RMSNormalization()
        layer.build(x.shape)
        scale = R.normal(size=4)
        layer.set_weights([scale])
        y = layer(x).numpy()
    np.testing.assert_allclose(y, x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * scale,
                               rtol=1e-10)


@pytest.mark.parametrize("make", [
    lambda: LayerNormalization(),
    lambda: LayerNormalization(axis=1, epsilon=1e-5),
    lambda: LayerNormalization(axis=[1, 2], center=False),
    lambda: LayerNormalization(rms_scaling=True),
    lambda: RMSNormalization(),
], ids=["default", "axis1", "axes12-no-center", "rms-scaling", "rms"])
def test_gradients_of_inputs_and_weights(make):
    with backend.floatx_scope("float64"):
        layer = make()
        x = R.normal(size=(2, 3, 4))
        layer.build(x.shape)
        # move gamma/beta away from 1/0 so their gradients are exercised fully
        layer.set_weights([R.normal(size=w.shape) for w in layer.weights])
        result = grad_check(lambda x: layer(x), x, wrt=layer.trainable_weights)
    assert result.ok, str(result)


def test_mask_passes_through_and_config_round_trip():
    x = Tensor(R.normal(size=(2, 3, 4)).astype(np.float32))
    x._keras_mask = np.array([[True, True, False], [True, False, False]])
    layer = LayerNormalization(axis=-1, epsilon=1e-4, name="ln")
    y = layer(x)
    np.testing.assert_array_equal(y._keras_mask, x._keras_mask)
    config = layer.get_config()
    assert config["epsilon"] == 1e-4 and config["axis"] == -1
    clone = LayerNormalization.from_config(config)
    assert clone.epsilon == 1e-4 and clone.name == "ln"
    assert RMSNormalization.from_config(RMSNormalization(epsilon=1e-5).get_config()).epsilon \
        == 1e-5
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 4)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="epsilon"):
        LayerNormalization(epsilon=0)
    with pytest.raises(TypeError, match="axis"):
        LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="out of range"):
        LayerNormalization(axis=3)(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="batch axis"):
        LayerNormalization(axis=0)(np.ones((2, 3), np.float32))
