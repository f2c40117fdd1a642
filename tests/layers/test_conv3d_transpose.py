"""Conv3DTranspose: values against a scatter written here in NumPy, the adjoint of Conv3D
(the definition of a transposed convolution, also where TensorFlow's CPU kernels cannot
follow: dilation, channels first), shapes, gradients, configs, errors, and a model saved by
Keras 3 and tf.keras 2 (scripts/make_layer3d_fixtures.py) that must predict as Keras."""

import os
import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import backend, grad_check
from saessak.layers import Conv3D
from saessak.layers.conv3d_transpose import Conv3DTranspose, Convolution3DTranspose
from saessak.layers.reshaping_volume import ZeroPadding3D  # (registers the volume layers)
from saessak.layers.serialization import LAYERS

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
R = np.random.default_rng(3)


def scatter(x, w, b, strides, dilation, out_sizes):
    """Each input voxel adds x[p] W[o]^T at p * s + o * d, for every kernel offset o; the
    output keeps ``out_sizes`` from the front (Keras's 'valid'), zeros past the span."""
    k, f = w.shape[:3], w.shape[3]
    span = [(n - 1) * s + (kk - 1) * d + 1 for n, s, kk, d in zip(x.shape[1:4], strides, k,
                                                                  dilation)]
    full = np.zeros((x.shape[0], *[max(a, o) for a, o in zip(span, out_sizes)], f))
    for p in np.ndindex(*x.shape[1:4]):
        for o in np.ndindex(*k):
            at = tuple(pp * s + oo * d for pp, oo, s, d in zip(p, o, strides, dilation))
            full[(slice(None),) + at] += x[(slice(None),) + p] @ w[o].T
    out = full[:, :out_sizes[0], :out_sizes[1], :out_sizes[2]]
    return out if b is None else out + b


@pytest.mark.parametrize("kernel,strides,dilation,output_padding,want", [
    ((2, 3, 2), (2, 1, 3), (1, 1, 1), None, (4, 5, 9)),  # stride > kernel: trailing zeros
    ((3, 2, 2), (1, 1, 1), (2, 1, 3), None, (6, 4, 6)),  # dilated
    ((2, 2, 3), (2, 3, 2), (1, 1, 1), (1, 2, 0), (5, 10, 7)),  # output_padding
])
def test_valid_padding_matches_the_scatter(kernel, strides, dilation, output_padding, want):
    x = R.normal(size=(2, 2, 3, 3, 4)).astype("float32")
    layer = Conv3DTranspose(3, kernel, strides=strides, dilation_rate=dilation,
                            output_padding=output_padding, bias_initializer="random_normal")
    y = layer(x).numpy()
    assert y.shape == (2,) + want + (3,)
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + want + (3,)
    expected = scatter(x.astype("float64"), layer.kernel.numpy(), layer.bias.numpy(), strides,
                       dilation, want)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def _conv3d(x, kernel, strides, padding, dilation):
    conv = Conv3D(kernel.shape[-1], kernel.shape[:3], strides=strides, padding=padding,
                  dilation_rate=dilation, use_bias=False)
    conv.build(x.shape)
    conv.kernel.assign(kernel)
    return conv(x).numpy()


@pytest.mark.parametrize("padding,strides,dilation", [
    ("same", (2, 1, 3), (1, 1, 1)), ("same", (1, 1, 1), (2, 1, 2)),
    ("valid", (3, 2, 1), (1, 1, 1)), ("valid", (1, 1, 1), (1, 3, 2))])
def test_it_is_the_adjoint_of_conv3d(padding, strides, dilation):
    """<conv3d(x, K), y> = <conv3d_transpose(y, K), x>: Keras's kernel (k, filters, in) of
    the transpose is the kernel (k, in, out) of the convolution it transposes."""
    with backend.floatx_scope("float64"):
        layer = Conv3DTranspose(2, (3, 2, 2), strides=strides, padding=padding,
                                dilation_rate=dilation, use_bias=False)
        y = R.normal(size=(2, 3, 4, 2, 3))
        x_shape = layer.compute_output_shape(y.shape)
        x = R.normal(size=x_shape[:-1] + (2,))
        t = layer(y).numpy()
        assert t.shape == x.shape
        c = _conv3d(x, layer.kernel.numpy(), strides, padding, dilation)
        assert c.shape == y.shape
        np.testing.assert_allclose(np.vdot(c, y), np.vdot(t, x), rtol=1e-10)


def test_channels_first_is_channels_last_transposed():
    x = R.normal(size=(2, 3, 2, 4, 3)).astype("float32")
    last = Conv3DTranspose(2, 2, strides=2, padding="same", bias_initializer="ones")
    y = last(x).numpy()
    first = Conv3DTranspose(2, 2, strides=2, padding="same", data_format="channels_first")
    first.build((None, 3, 3, 2, 4))
    first.set_weights(last.get_weights())
    got = first(np.ascontiguousarray(np.moveaxis(x, -1, 1))).numpy()
    np.testing.assert_allclose(got, np.moveaxis(y, -1, 1), rtol=1e-6)
    assert first.compute_output_shape((None, 3, 3, 2, 4)) == (None, 2, 6, 4, 8)


def test_weights_in_keras_layout_and_symbolic_shapes():
    layer = Conv3DTranspose(5, (1, 2, 3))
    model = keras.Sequential([keras.Input((None, 4, 4, 2)), layer])
    assert [(w.path, w.shape) for w in layer.weights] == [
        (f"{layer.name}/kernel", (1, 2, 3, 5, 2)), (f"{layer.name}/bias", (5,))]
    assert model.output_shape == (None, None, 5, 6, 5)
    assert Conv3DTranspose(2, 3, use_bias=False)(np.ones((1, 2, 2, 2, 1))).shape == (
        1, 4, 4, 4, 2)
    assert Convolution3DTranspose is Conv3DTranspose
    assert LAYERS.lookup("Convolution3DTranspose") is Conv3DTranspose


def test_keras3_positional_order_puts_data_format_before_output_padding():
    layer = Conv3DTranspose(2, 2, 2, "valid", "channels_first", 1)
    assert layer.data_format == "channels_first" and layer.output_padding == (1, 1, 1)


def test_gradients_match_finite_differences():
    x = R.normal(size=(1, 2, 2, 1, 2))
    with backend.floatx_scope("float64"):
        for layer in (Conv3DTranspose(2, (2, 1, 2), strides=(2, 1, 2), padding="same",
                                      bias_initializer="random_normal", activation="tanh"),
                      Conv3DTranspose(2, 2, dilation_rate=(2, 1, 1), output_padding=None),
                      Conv3DTranspose(1, 2, strides=2, output_padding=(1, 0, 1),
                                      data_format="channels_first")):
            layer(x)
            result = grad_check(layer, x, wrt=layer.trainable_weights)
            assert result.ok, f"{layer.name}: {result}"


def test_trains_in_a_model():
    x = R.normal(size=(8, 2, 2, 2, 1)).astype("float32")
    target = np.repeat(np.repeat(np.repeat(x, 2, 1), 2, 2), 2, 3)  # upsample by 2
    model = keras.Sequential([keras.Input((2, 2, 2, 1)),
                              Conv3DTranspose(1, 2, strides=2, use_bias=False)])
    model.compile(keras.optimizers.Adam(0.05), "mse")
    history = model.fit(x, target, epochs=200, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 1e-3 * history.history["loss"][0]
    np.testing.assert_allclose(model.layers[-1].kernel.numpy(), 1.0, atol=0.02)


def test_config_round_trip_with_keras_keys():
    layer = Conv3DTranspose(4, (1, 2, 3), strides=(1, 2, 3), padding="same",
                            output_padding=(0, 1, 2), activation="relu",
                            data_format="channels_first", use_bias=False)
    config = layer.get_config()
    keras_keys = {"filters", "kernel_size", "strides", "padding", "output_padding",
                  "data_format", "dilation_rate", "activation", "use_bias",
                  "kernel_initializer", "bias_initializer", "kernel_regularizer",
                  "bias_regularizer", "activity_regularizer", "kernel_constraint",
                  "bias_constraint"}
    assert set(config) - {"name", "trainable", "dtype"} == keras_keys
    assert config["output_padding"] == [0, 1, 2] and config["kernel_size"] == [1, 2, 3]
    copy = Conv3DTranspose.from_config(config)
    assert copy.get_config() == config
    x = R.normal(size=(1, 2, 2, 2, 2)).astype("float32")
    copy.build(x.shape)
    layer.build(x.shape)
    copy.set_weights(layer.get_weights())
    np.testing.assert_array_equal(copy(x).numpy(), layer(x).numpy())


def test_clear_errors():
    with pytest.raises(ValueError, match="output_padding .* must be smaller than strides"):
        Conv3DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding must be a non-negative int or 3"):
        Conv3DTranspose(2, 3, output_padding=(0, 0))
    with pytest.raises(ValueError, match="padding must be one of"):
        Conv3DTranspose(2, 3, padding="causal")
    with pytest.raises(ValueError, match="strides > 1 cannot be combined with dilation"):
        Conv3DTranspose(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv3DTranspose(2, (3, 3))
    with pytest.raises(ValueError, match="expected inputs of rank 5"):
        Conv3DTranspose(2, 3)(np.ones((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        Conv3DTranspose(0, 3)


@pytest.mark.parametrize("suffix,key", [(".keras", "keras3"), ("_tk2.h5", "tk2")])
def test_keras_model_predicts_as_keras(suffix, key):
    """Three Conv3DTranspose ('same' with strides and tanh, output_padding, no bias) between
    ZeroPadding3D, Cropping3D and UpSampling3D, as Keras 3 and tf.keras 2 saved them."""
    pytest.importorskip("h5py")
    with np.load(os.path.join(FIXTURES, "more_volume.npz")) as data:
        x, want = data["x"], data[key]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.models.load_model(os.path.join(FIXTURES, f"more_volume{suffix}"))
    convs = [layer for layer in model.layers if isinstance(layer, Conv3DTranspose)]
    assert isinstance(model.layers[1], ZeroPadding3D)
    assert [c.output_padding for c in convs] == [None, (1, 0, 1), None]
    assert convs[2].bias is None
    y = model.predict(x, verbose=0)
    assert y.shape == want.shape == (2, 5, 6, 10, 2)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)
