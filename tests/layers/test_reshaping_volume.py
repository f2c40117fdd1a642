"""ZeroPadding3D, Cropping3D and UpSampling3D: Keras's argument forms, values worked out
with NumPy slicing, both data formats, gradients, configs, errors, and a model saved by
Keras 3 and by tf.keras 2 (scripts/make_layer3d_fixtures.py) that must predict as Keras."""

import os
import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import Tensor, backend, grad_check
from saessak.layers.reshaping_volume import Cropping3D, UpSampling3D, ZeroPadding3D

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
R = np.random.default_rng(7)
X = R.normal(size=(2, 3, 4, 5, 2)).astype("float32")  # (batch, depth, height, width, channels)


def test_zero_padding_puts_the_volume_inside_zeros():
    y = ZeroPadding3D(((1, 0), (2, 1), (0, 3)))(X).numpy()
    assert y.shape == (2, 4, 7, 8, 2)
    np.testing.assert_array_equal(y[:, 1:, 2:6, 0:5], X)
    inside = np.zeros(y.shape, bool)
    inside[:, 1:, 2:6, 0:5] = True
    assert not y[~inside].any()


@pytest.mark.parametrize("padding,pairs", [
    (2, ((2, 2), (2, 2), (2, 2))),
    ((1, 2, 3), ((1, 1), (2, 2), (3, 3))),
    (((0, 1), (2, 0), (1, 1)), ((0, 1), (2, 0), (1, 1))),
    ((1, (0, 2), 3), ((1, 1), (0, 2), (3, 3))),  # Keras also takes a mix
])
def test_every_keras_form_of_padding_and_cropping(padding, pairs):
    assert ZeroPadding3D(padding).padding == pairs
    assert Cropping3D(padding).cropping == pairs
    y = ZeroPadding3D(padding)(X)
    back = Cropping3D(padding)(y).numpy()  # cropping what was added gives the volume back
    np.testing.assert_array_equal(back, X)


def test_defaults_are_keras():
    assert ZeroPadding3D().padding == ((1, 1), (1, 1), (1, 1))
    assert Cropping3D().cropping == ((1, 1), (1, 1), (1, 1))
    assert UpSampling3D().size == (2, 2, 2)


def test_cropping_is_slicing():
    y = Cropping3D(((1, 0), (0, 2), (1, 3)))(X).numpy()
    np.testing.assert_array_equal(y, X[:, 1:, :2, 1:2])


def test_upsampling_repeats_each_voxel():
    y = UpSampling3D((2, 1, 3))(X).numpy()
    assert y.shape == (2, 6, 4, 15, 2)
    np.testing.assert_array_equal(y, np.repeat(np.repeat(X, 2, axis=1), 3, axis=3))
    np.testing.assert_array_equal(y[:, 5, 3, 14], X[:, 2, 3, 4])  # the last block


def test_channels_first_acts_on_the_last_three_axes():
    xf = np.ascontiguousarray(np.moveaxis(X, -1, 1))  # (batch, channels, d, h, w)
    layers = [(ZeroPadding3D, {"padding": ((1, 2), (0, 1), (3, 0))}),
              (Cropping3D, {"cropping": ((1, 0), (1, 1), (2, 1))}),
              (UpSampling3D, {"size": (1, 3, 2)})]
    for cls, args in layers:
        want = np.moveaxis(cls(**args)(X).numpy(), -1, 1)
        got = cls(**args, data_format="channels_first")(xf).numpy()
        np.testing.assert_array_equal(got, want)


def test_output_shapes_known_and_unknown_sizes():
    assert ZeroPadding3D((1, 2, 3)).compute_output_shape((None, 4, None, 6, 2)) == (
        None, 6, None, 12, 2)
    assert Cropping3D(1, data_format="channels_first").compute_output_shape(
        (None, 3, 5, None, 7)) == (None, 3, 3, None, 5)
    assert UpSampling3D((2, 3, 4)).compute_output_shape((None, None, 2, 2, 1)) == (
        None, None, 6, 8, 1)
    model = keras.Sequential([keras.Input((3, 4, 5, 2)), ZeroPadding3D(1), Cropping3D(2),
                              UpSampling3D(2)])
    assert model.output_shape == (None, 2, 4, 6, 2)
    assert model.predict(X, verbose=0).shape == (2, 2, 4, 6, 2)


def test_gradients_match_finite_differences():
    x = R.normal(size=(1, 2, 3, 2, 2))
    with backend.floatx_scope("float64"):
        for layer in (ZeroPadding3D(((1, 0), (0, 2), (1, 1))),
                      Cropping3D(((0, 1), (1, 0), (0, 1))), UpSampling3D((2, 1, 3))):
            result = grad_check(layer, x)
            assert result.ok, f"{layer.name}: {result}"
    # upsampling's gradient gathers each block's gradients back onto its voxel
    t = Tensor(X, requires_grad=True)
    g = R.normal(size=(2, 6, 4, 10, 2)).astype("float32")
    (UpSampling3D((2, 1, 2))(t) * g).sum().backward()
    np.testing.assert_allclose(t.grad, g.reshape(2, 3, 2, 4, 5, 2, 2).sum(axis=(2, 5)),
                               rtol=1e-5)


def test_configs_round_trip_with_keras_keys():
    for layer, keys in [
        (ZeroPadding3D(((1, 2), (3, 4), (5, 6)), data_format="channels_first"),
         {"padding", "data_format"}),
        (Cropping3D((1, 1, 2)), {"cropping", "data_format"}),
        (UpSampling3D((1, 2, 3)), {"size", "data_format"}),
    ]:
        config = layer.get_config()
        assert keys <= set(config) and not set(config) - keys - {"name", "trainable", "dtype"}
        copy = type(layer).from_config(config)
        assert copy.get_config() == config
        x = X if layer.data_format == "channels_last" else np.moveaxis(X, -1, 1)
        np.testing.assert_array_equal(copy(x).numpy(), layer(x).numpy())
    assert ZeroPadding3D(((1, 2), (3, 4), (5, 6))).get_config()["padding"] == [
        [1, 2], [3, 4], [5, 6]]


def test_clear_errors():
    with pytest.raises(ValueError, match=r"ZeroPadding3D: padding must be .* 3"):
        ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match="non-negative"):
        ZeroPadding3D(-1)
    with pytest.raises(ValueError, match="Cropping3D: cropping"):
        Cropping3D(((1, 2), (3, 4)))
    with pytest.raises(ValueError, match="leaves nothing"):
        Cropping3D(((2, 1), (0, 0), (0, 0)))(X)
    with pytest.raises(ValueError, match="expected inputs of rank 5"):
        UpSampling3D(2)(np.ones((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="size"):
        UpSampling3D((2, 2))
    with pytest.raises(TypeError, match="interpolation"):
        UpSampling3D(2, interpolation="bilinear")
    with pytest.raises(ValueError, match="data_format"):
        ZeroPadding3D(1, data_format="channels_middle")


@pytest.mark.parametrize("suffix,key", [(".keras", "keras3"), ("_tk2.h5", "tk2")])
def test_keras_model_predicts_as_keras(suffix, key):
    """ZeroPadding3D, Cropping3D and UpSampling3D in channels-first form, all argument
    forms (ints, triples, pairs), as Keras 3 and tf.keras 2 saved them."""
    pytest.importorskip("h5py")
    with np.load(os.path.join(FIXTURES, "more_volume_cf.npz")) as data:
        x, want = data["x"], data[key]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.models.load_model(os.path.join(FIXTURES, f"more_volume_cf{suffix}"))
    kinds = [type(layer).__name__ for layer in model.layers[1:]]
    assert kinds == ["ZeroPadding3D", "Cropping3D", "UpSampling3D"]
    assert all(layer.data_format == "channels_first" for layer in model.layers[1:])
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=0)
