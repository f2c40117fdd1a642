"""ZeroPadding, Cropping and UpSampling: values, shapes, gradients, config."""

import numpy as np
import pytest

from saessak import backend, grad_check
from saessak.layers import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)

R = np.random.default_rng(6)


def test_zero_padding_values_and_shapes():
    x = R.random((2, 3, 4, 1)).astype(np.float32)
    layer = ZeroPadding2D(((1, 2), (0, 3)))
    y = layer(x).numpy()
    assert y.shape == (2, 6, 7, 1) == layer.compute_output_shape(x.shape)
    np.testing.assert_array_equal(y[:, 1:4, 0:4], x)
    assert y.sum() == pytest.approx(x.sum())
    assert ZeroPadding2D(1)(x).shape == (2, 5, 6, 1)
    assert ZeroPadding1D((1, 3))(np.ones((2, 5, 3), np.float32)).shape == (2, 9, 3)
    assert ZeroPadding2D(1).compute_output_shape((None, None, 4, 1)) == (None, None, 6, 1)


def test_cropping_values_and_shapes():
    x = R.random((2, 6, 7, 3)).astype(np.float32)
    y = Cropping2D(((1, 2), (3, 0)))(x).numpy()
    np.testing.assert_array_equal(y, x[:, 1:4, 3:])
    np.testing.assert_array_equal(Cropping1D((1, 2))(x[:, 0]).numpy(), x[:, 0, 1:5])
    with pytest.raises(ValueError, match="leaves nothing"):
        Cropping1D((3, 4))(x[:, 0])


def test_upsampling_nearest_and_bilinear():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)[None, :, :, None]
    near = UpSampling2D(2)(x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(near, [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4],
                                         [3, 3, 4, 4]])
    # half-pixel centres: output rows sample input rows at -0.25, 0.25, 0.75, 1.25
    bil = UpSampling2D(2, interpolation="bilinear")(x).numpy()[0, :, 0, 0]
    np.testing.assert_allclose(bil, [1, 1.5, 2.5, 3])
    assert UpSampling1D(3)(np.ones((2, 4, 5), np.float32)).shape == (2, 12, 5)


@pytest.mark.parametrize("layer,shape", [
    (ZeroPadding2D(((1, 0), (2, 1))), (2, 3, 3, 2)), (Cropping2D(1), (2, 4, 5, 2)),
    (UpSampling2D((2, 3)), (2, 2, 3, 2)), (UpSampling2D(2, interpolation="bilinear"),
                                           (2, 3, 2, 2)),
    (ZeroPadding1D(2), (2, 4, 3)), (UpSampling1D(2), (2, 3, 2))])
def test_gradients(layer, shape):
    with backend.floatx_scope("float64"):
        layer.dtype = "float64"
        result = grad_check(layer, R.standard_normal(shape))
    assert result.ok, str(result)


def test_config_round_trip_and_errors():
    for layer in (ZeroPadding2D((1, 2)), Cropping2D(((1, 0), (0, 2))), UpSampling2D(3),
                  ZeroPadding1D((0, 2)), Cropping1D(1), UpSampling1D(4)):
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="padding"):
        ZeroPadding2D(-1)
    with pytest.raises(ValueError, match="interpolation"):
        UpSampling2D(2, interpolation="cubic")
