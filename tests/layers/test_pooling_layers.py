"""Pooling layers: Keras shapes and defaults, aliases, global pooling with masks, gradients."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check, layers
from saessak.layers import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)

R = np.random.default_rng(2)


def distinct(*shape):
    return R.permutation(int(np.prod(shape))).reshape(shape) / 5.0


def test_aliases_are_the_same_classes():
    assert layers.MaxPool1D is MaxPooling1D and layers.MaxPool2D is MaxPooling2D
    assert layers.AvgPool1D is AveragePooling1D and layers.AvgPool2D is AveragePooling2D
    assert layers.GlobalMaxPool1D is GlobalMaxPooling1D
    assert layers.GlobalAvgPool2D is GlobalAveragePooling2D


def test_seed_shapes():
    """Example 6.10: 26 -> 13 and 11 -> 5 (odd sizes round down); seed 002: 494 -> 98."""
    pool = MaxPool2D(strides=(2, 2))
    assert pool.pool_size == (2, 2) and pool.strides == (2, 2)
    assert pool(np.zeros((1, 26, 26, 32), np.float32)).shape == (1, 13, 13, 32)
    assert pool(np.zeros((1, 11, 11, 64), np.float32)).shape == (1, 5, 5, 64)
    assert pool.compute_output_shape((None, 11, 11, 64)) == (None, 5, 5, 64)
    assert MaxPooling1D(5)(np.zeros((1, 494, 32), np.float32)).shape == (1, 98, 32)
    assert MaxPooling1D(5).compute_output_shape((None, None, 32)) == (None, None, 32)
    assert pool.name.startswith("max_pooling2d")
    assert pool.count_params() == 0


@pytest.mark.parametrize("cls,shape", [(MaxPooling2D, (2, 5, 6, 3)),
                                       (AveragePooling2D, (2, 5, 6, 3)),
                                       (MaxPooling1D, (2, 7, 3)), (AveragePooling1D, (2, 7, 3))])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_layer_shapes_and_gradients(cls, shape, padding):
    with backend.floatx_scope("float64"):
        layer = cls(pool_size=2, strides=1 if padding == "same" else None, padding=padding)
        x = distinct(*shape)
        assert layer(x).shape == layer.compute_output_shape(shape)
        result = grad_check(layer, x, eps=1e-4)
    assert result.ok, str(result)


def test_global_pooling_values_and_keepdims():
    x = distinct(2, 4, 5, 3)
    np.testing.assert_allclose(GlobalMaxPooling2D()(x).numpy(), x.max(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)),
                               rtol=1e-6)
    kept = GlobalAveragePooling2D(keepdims=True)
    assert kept(x).shape == (2, 1, 1, 3) == kept.compute_output_shape((2, 4, 5, 3))
    assert GlobalMaxPooling1D().compute_output_shape((None, None, 7)) == (None, 7)
    first = GlobalAveragePooling1D(data_format="channels_first")
    np.testing.assert_allclose(first(x[:, 0]).numpy(), x[:, 0].mean(axis=2), rtol=1e-6)


def test_global_average_pooling_1d_averages_only_unmasked_steps():
    x = np.arange(2 * 4 * 2, dtype=np.float32).reshape(2, 4, 2)
    t = Tensor(x)
    t._keras_mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    y = GlobalAveragePooling1D()(t)
    np.testing.assert_allclose(y.numpy(), [x[0, :2].mean(0), x[1].mean(0)])
    assert y._keras_mask is None


def test_global_average_pooling_1d_mask_gradient():
    with backend.floatx_scope("float64"):
        mask = np.array([[1, 0, 1], [1, 1, 0]], dtype=bool)
        layer = GlobalAveragePooling1D()
        result = grad_check(lambda x: layer(x, mask=mask), R.standard_normal((2, 3, 4)))
    assert result.ok, str(result)


def test_config_round_trip_and_errors():
    layer = MaxPooling2D(pool_size=3, strides=(1, 2), padding="same")
    config = layer.get_config()
    assert config["pool_size"] == [3, 3] and config["strides"] == [1, 2]
    assert MaxPooling2D.from_config(config).get_config() == config
    g = GlobalAveragePooling1D(keepdims=True)
    assert GlobalAveragePooling1D.from_config(g.get_config()).keepdims is True
    with pytest.raises(ValueError, match="padding"):
        MaxPooling1D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        MaxPooling2D(pool_size=(2, 2, 2))
    with pytest.raises(ValueError, match="rank"):
        MaxPooling2D()(np.zeros((1, 4, 4), np.float32))
