"""Convolution layers: Keras shapes, weight layouts, parameter counts of the seeds' models,
gradients, argument checks, config round trips, and a small learning task."""

import itertools

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check, layers, ops
from saessak.layers import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    MaxPool2D,
    MaxPooling1D,
    SeparableConv1D,
    SeparableConv2D,
)

R = np.random.default_rng(11)


def run(model_layers, shape):
    """Call the layers in turn on zeros of ``shape`` (builds them); returns the output."""
    x = np.zeros(shape, dtype=np.float32)
    for layer in model_layers:
        x = layer(x)
    return x


# --- shapes and weights ---------------------------------------------------------------------------


def test_seed_conv2d_example_6_1():
    conv1 = Conv2D(kernel_size=(3, 3), strides=(2, 2), padding="valid", filters=16)
    y = conv1(np.zeros((4, 28, 28, 1), dtype=np.float32))
    assert y.shape == (4, 13, 13, 16)
    assert conv1.kernel.shape == (3, 3, 1, 16) and conv1.bias.shape == (16,)
    assert conv1.compute_output_shape((None, 28, 28, 1)) == (None, 13, 13, 16)
    assert conv1.count_params() == 3 * 3 * 16 + 16
    assert [w.path.split("/")[1] for w in conv1.weights] == ["kernel", "bias"]


@pytest.mark.parametrize("padding,strides,dilation", [
    ("valid", 1, 1), ("same", 1, 1), ("valid", 2, 1), ("same", 2, 1), ("same", 3, 1),
    ("valid", 1, 2), ("same", 1, 2)])
def test_conv2d_output_shape_matches_call(padding, strides, dilation):
    layer = Conv2D(5, (3, 2), strides=strides, padding=padding, dilation_rate=dilation)
    y = layer(np.zeros((2, 11, 10, 3), dtype=np.float32))
    assert layer.compute_output_shape((2, 11, 10, 3)) == y.shape
    assert layer.compute_output_shape((None, None, 10, 3))[1] is None


def test_conv1d_causal_dilated_shapes_and_weights():
    layer = Conv1D(8, 3, padding="causal", dilation_rate=4, groups=2)
    y = layer(np.zeros((2, 20, 6), dtype=np.float32))
    assert y.shape == (2, 20, 8)
    assert layer.kernel.shape == (3, 3, 8)  # (k, in / groups, filters)
    assert layer.compute_output_shape((None, None, 6)) == (None, None, 8)


def test_seed_002_conv1d_parameter_counts():
    first, second = Conv1D(32, 7, activation="relu"), Conv1D(32, 7, activation="relu")
    y = run([first, MaxPooling1D(5), second], (1, 500, 128))
    assert first.count_params() == 28704 and second.count_params() == 7200
    assert y.shape == (1, 92, 32)


def test_seed_001_imdb_conv_lstm_parameter_count():
    """Embedding(5000, 100) -> Dropout -> Conv1D(64, 5) -> MaxPooling1D(4) -> LSTM(55)
    -> Dense(1) = 558,520 in total; the convolution holds 5*100*64 + 64 = 32,064."""
    conv = Conv1D(64, 5, padding="valid", activation="relu", strides=1)
    y = run([conv, MaxPooling1D(pool_size=4)], (2, 100, 100))
    assert conv.count_params() == 32064
    assert y.shape == (2, 24, 64)
    if hasattr(layers, "LSTM") and hasattr(layers, "Embedding"):
        emb, lstm, dense = layers.Embedding(5000, 100), layers.LSTM(55), layers.Dense(1)
        out = dense(lstm(MaxPooling1D(4)(conv(emb(np.ones((2, 100), dtype=np.int64))))))
        assert out.shape == (2, 1)
        total = sum(layer.count_params() for layer in (emb, conv, lstm, dense))
        assert total == 558520


def seed_models():
    """The three Fashion-MNIST CNNs of seed 000 and the totals its summaries print."""
    Dense, Dropout, Flatten = layers.Dense, layers.Dropout, layers.Flatten
    example_6_9 = [Conv2D(input_shape=(28, 28, 1), kernel_size=(3, 3), filters=16),
                   Conv2D(kernel_size=(3, 3), filters=32), Conv2D(kernel_size=(3, 3), filters=64),
                   Flatten(), Dense(units=128, activation="relu"),
                   Dense(units=10, activation="softmax")]
    example_6_10 = [Conv2D(input_shape=(28, 28, 1), kernel_size=(3, 3), filters=32),
                    MaxPool2D(strides=(2, 2)), Conv2D(kernel_size=(3, 3), filters=64),
                    MaxPool2D(strides=(2, 2)), Conv2D(kernel_size=(3, 3), filters=128),
                    Flatten(), Dense(units=128, activation="relu"), Dropout(rate=0.3),
                    Dense(units=10, activation="softmax")]
    vgg = [Conv2D(input_shape=(28, 28, 1), kernel_size=(3, 3), filters=32, padding="same",
                  activation="relu"),
           Conv2D(kernel_size=(3, 3), filters=64, padding="same", activation="relu"),
           MaxPool2D(pool_size=(2, 2)), Dropout(rate=0.5),
           Conv2D(kernel_size=(3, 3), filters=128, padding="same", activation="relu"),
           Conv2D(kernel_size=(3, 3), filters=256, padding="valid", activation="relu"),
           MaxPool2D(pool_size=(2, 2)), Dropout(rate=0.5), Flatten(),
           Dense(units=512, activation="relu"), Dropout(rate=0.5),
           Dense(units=256, activation="relu"), Dropout(rate=0.5),
           Dense(units=10, activation="softmax")]
    return {"6.9": (example_6_9, 3989642, [160, 4640, 18496, 0, 3965056, 1290],
                    (26, 24, 22)),
            "6.10": (example_6_10, 241546, [320, 0, 18496, 0, 73856, 0, 147584, 0, 1290],
                     (26, 13, 11, 5, 3)),
            "vgg": (vgg, 5240842, [320, 18496, 0, 0, 73856, 295168, 0, 0, 0, 4719104, 0,
                                   131328, 0, 2570], (28, 28, 14, 14, 14, 12, 6, 6))}


@pytest.mark.parametrize("name", ["6.9", "6.10", "vgg"])
def test_seed_000_cnn_parameter_counts(name):
    model_layers, total, per_layer, sizes = seed_models()[name]
    shape = (None, 28, 28, 1)
    seen = []
    for layer in model_layers:
        shape = layer.compute_output_shape(shape)
        if len(shape) == 4:
            seen.append(shape[1])
    run(model_layers, (1, 28, 28, 1))
    assert [layer.count_params() for layer in model_layers] == per_layer
    assert sum(layer.count_params() for layer in model_layers) == total
    assert tuple(seen) == sizes


def bright_half(n, rng):
    """28x28 noise images whose left (class 1) or right (class 0) half is brighter."""
    x = rng.normal(0, 0.1, (n, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 2, n)
    x[y == 1, :, :14] += 0.5
    x[y == 0, :, 14:] += 0.5
    return x, y


@pytest.mark.parametrize("name", ["6.9", "6.10", "vgg"])
def test_seed_000_cnns_train(name):
    """Each seed model, compiled as the seed compiles it (Adam, sparse categorical
    cross-entropy), reaches >= 90% on fresh images after 2 epochs of 64 images (4 Adam
    steps; each model reached 100% with three other seeds)."""
    from saessak.models import Sequential
    from saessak.optimizers import Adam

    model_layers, total, _, _ = seed_models()[name]
    model = Sequential(model_layers)
    model.compile(optimizer=Adam(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    assert model.count_params() == total
    rng = np.random.default_rng(0)
    x, y = bright_half(64, rng)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    x_test, y_test = bright_half(100, rng)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.9, accuracy


# --- gradients ------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding,strides,dilation", list(itertools.product(
    ["valid", "same"], [1, 2], [1, 2])))
def test_conv2d_layer_gradients(padding, strides, dilation):
    if strides > 1 and dilation > 1:  # Keras refuses this pair; the op itself is checked
        with pytest.raises(ValueError, match="dilation_rate"):
            Conv2D(3, 3, strides=strides, dilation_rate=dilation)
        return
    with backend.floatx_scope("float64"):
        layer = Conv2D(3, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                       activation="tanh", bias_initializer="glorot_uniform")
        x = R.standard_normal((2, 7, 6, 2))
        layer(x)
        result = grad_check(layer, x, wrt=layer.trainable_weights, eps=1e-5)
    assert result.ok, str(result)


@pytest.mark.parametrize("padding,groups", list(itertools.product(["valid", "same", "causal"],
                                                                  [1, 2])))
def test_conv1d_layer_gradients(padding, groups):
    with backend.floatx_scope("float64"):
        layer = Conv1D(4, 3, padding=padding, groups=groups, dilation_rate=2)
        x = R.standard_normal((2, 9, 4))
        layer(x)
        result = grad_check(layer, x, wrt=layer.trainable_weights, eps=1e-4)
    assert result.ok, str(result)


@pytest.mark.parametrize("make,shape", [
    (lambda: Conv2DTranspose(2, 3, strides=2, padding="same"), (2, 3, 4, 3)),
    (lambda: Conv1DTranspose(2, 3, strides=2), (2, 5, 3)),
    (lambda: DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (2, 5, 5, 3)),
    (lambda: SeparableConv2D(4, 3, depth_multiplier=2), (2, 5, 5, 3)),
    (lambda: SeparableConv1D(4, 3, padding="same"), (2, 6, 3)),
    (lambda: Conv2D(4, 3, data_format="channels_first"), (2, 3, 5, 6)),
])
def test_other_convolution_layers_gradients(make, shape):
    with backend.floatx_scope("float64"):
        layer = make()
        x = R.standard_normal(shape)
        layer(x)
        result = grad_check(layer, x, wrt=layer.trainable_weights, eps=1e-4)
    assert result.ok, str(result)
    assert layer.compute_output_shape(shape) == layer(x).shape


def test_weight_layouts_follow_keras():
    t = Conv2DTranspose(8, (3, 2))
    t(np.zeros((1, 5, 5, 4), dtype=np.float32))
    assert t.kernel.shape == (3, 2, 8, 4)  # (kh, kw, filters, in)
    d = DepthwiseConv2D(3, depth_multiplier=2)
    d(np.zeros((1, 5, 5, 4), dtype=np.float32))
    assert d.depthwise_kernel.shape == (3, 3, 4, 2) and d.bias.shape == (8,)
    s = SeparableConv2D(6, 3)
    s(np.zeros((1, 5, 5, 4), dtype=np.float32))
    assert [w.shape for w in s.weights] == [(3, 3, 4, 1), (1, 1, 4, 6), (6,)]
    assert s.name.startswith("separable_conv2d") and d.name.startswith("depthwise_conv2d")


def test_set_weights_gives_the_known_result():
    """A layer loaded with the hand-set edge filter reproduces the op's answer."""
    layer = Conv2D(1, 3, use_bias=False)
    image = np.array([[0, 0, 1, 1]] * 4, dtype=np.float32)[None, :, :, None]
    layer(image)
    layer.set_weights([np.array([[-1, 0, 1]] * 3, dtype=np.float32)[:, :, None, None]])
    np.testing.assert_array_equal(layer(image).numpy()[0, :, :, 0], [[3, 3], [3, 3]])


def test_channels_first_matches_channels_last():
    x = R.standard_normal((2, 6, 7, 3)).astype(np.float32)
    last = Conv2D(4, 3, padding="same")
    first = Conv2D(4, 3, padding="same", data_format="channels_first")
    last(x)
    first(x.transpose(0, 3, 1, 2))
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).numpy().transpose(0, 2, 3, 1),
                               last(x).numpy(), rtol=1e-5, atol=1e-6)


# --- arguments and config -------------------------------------------------------------------------


def test_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="filters"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="padding"):
        Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="groups"):
        Conv1D(5, 3, groups=2)
    with pytest.raises(ValueError, match="divisible by groups"):
        Conv1D(4, 3, groups=2)(np.zeros((1, 5, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="rank"):
        Conv2D(4, 3)(np.zeros((1, 5, 3), dtype=np.float32))
    with pytest.raises(TypeError, match="unexpected"):
        Conv2D(4, 3, kernal_size=3)


def test_config_round_trip():
    layer = Conv1D(8, 5, strides=2, padding="causal", activation="relu", groups=2,
                   name="my_conv")
    config = layer.get_config()
    assert config["kernel_size"] == [5] and config["padding"] == "causal"
    assert config["activation"] == "relu" and config["groups"] == 2
    clone = Conv1D.from_config(config)
    assert clone.get_config() == config
    t = Conv2DTranspose(3, 3, strides=2, output_padding=1)
    assert Conv2DTranspose.from_config(t.get_config()).output_padding == (1, 1)
    for cls in (DepthwiseConv2D, SeparableConv2D):
        layer = cls(3, 3) if cls is DepthwiseConv2D else cls(4, 3)
        assert cls.from_config(layer.get_config()).get_config() == layer.get_config()


def test_conv_does_not_pass_masks_on():
    x = Tensor(np.ones((2, 6, 3), dtype=np.float32))
    x._keras_mask = np.array([[1, 1, 1, 0, 0, 0]] * 2, dtype=bool)
    assert Conv1D(2, 3)(x)._keras_mask is None  # as in Keras: convolutions drop the mask


# --- learning ---------------------------------------------------------------------------------


def test_tiny_cnn_learns_bars():
    """Horizontal vs vertical bars at random places: a conv -> pool -> dense network trained
    with plain SGD for 60 steps reaches at least 95% accuracy on fresh examples."""
    rng = np.random.default_rng(0)

    def batch(n):
        x = rng.normal(0, 0.3, (n, 10, 10, 1)).astype(np.float32)
        y = rng.integers(0, 2, n)
        where = rng.integers(1, 9, n)
        for i in range(n):
            if y[i]:
                x[i, :, where[i], 0] += 1.0
            else:
                x[i, where[i], :, 0] += 1.0
        return x, y

    conv = Conv2D(8, 3, activation="relu")
    pool = layers.GlobalMaxPooling2D()
    dense = layers.Dense(2)
    params = None
    for _ in range(60):
        x, y = batch(32)
        logits = dense(pool(conv(x)))
        params = params or conv.trainable_weights + dense.trainable_weights
        loss = -(ops.log_softmax(logits) * np.eye(2, dtype=np.float32)[y]).sum() / len(y)
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= 0.5 * p.grad
    x, y = batch(400)
    accuracy = (dense(pool(conv(x))).numpy().argmax(-1) == y).mean()
    assert accuracy >= 0.95, accuracy


class _StandardizedConv2D(layers.Conv2D):
    """Keras's recipe: the convolution_op hook convolves with a standardized kernel."""

    def convolution_op(self, inputs, kernel):
        mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return super().convolution_op(inputs, (kernel - mean) / ops.sqrt(var + 1e-10))


def test_an_overridden_convolution_op_is_what_call_uses():
    x = np.random.default_rng(1).normal(size=(2, 6, 6, 3)).astype("float32")
    layer = _StandardizedConv2D(4, 3, activation="relu", bias_initializer="ones")
    y = layer(x).numpy()
    k = layer.kernel.numpy()
    k = (k - k.mean(axis=(0, 1, 2))) / np.sqrt(k.var(axis=(0, 1, 2)) + 1e-10)
    want = np.maximum(ops.conv(x, k).numpy() + 1.0, 0)
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)
    # the plain layer's convolution_op is the convolution alone: no bias, no activation
    plain = layers.Conv2D(4, 3, activation="relu", bias_initializer="ones")
    plain.build(x.shape)
    np.testing.assert_allclose(plain.convolution_op(x, plain.kernel).numpy(),
                               ops.conv(x, plain.kernel).numpy(), rtol=1e-5, atol=1e-6)


def test_convolution_op_called_from_a_users_call_and_channels_first():
    class Halved(layers.Conv2D):
        def call(self, inputs):
            result = self.convolution_op(inputs, self.kernel * 0.5)
            if self.use_bias:
                result = result + ops.reshape(self.bias, (-1, 1, 1))
            return result

    x = np.random.default_rng(2).normal(size=(1, 3, 5, 5)).astype("float32")
    layer = Halved(2, 3, data_format="channels_first", bias_initializer="ones")
    y = layer(x)
    assert y.shape == (1, 2, 3, 3)
    want = ops.conv(x, layer.kernel.numpy() * 0.5, data_format="channels_first").numpy() + 1
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-5, atol=1e-6)
    over = _StandardizedConv2D(2, 3, data_format="channels_first", use_bias=True,
                               bias_initializer="ones")
    assert over(x).shape == (1, 2, 3, 3)
