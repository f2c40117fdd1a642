"""keras.io "Customizing the convolution operation of a Conv2D layer": a StandardizedConv2D
that overrides convolution_op (with tf.nn.moments and tf.nn.conv2d) and one that calls
convolution_op from its own call, in a Sequential MNIST classifier; then the Keras 3 form
of the recipe (keras.ops.moments and keras.ops.conv)."""

import numpy as np

import saessak as keras
import saessak.compat as tf
import saessak.layers as layers
from saessak import ops


class StandardizedConv2DWithOverride(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        mean, var = tf.nn.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return tf.nn.conv2d(inputs, (kernel - mean) / tf.sqrt(var + 1e-10), padding="VALID",
                            strides=list(self.strides), name=self.__class__.__name__)


class StandardizedConv2DWithCall(layers.Conv2D):
    def call(self, inputs):
        mean, var = tf.nn.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
        result = self.convolution_op(inputs, (self.kernel - mean) / tf.sqrt(var + 1e-10))
        if self.use_bias:
            result = result + self.bias
        return result


class StandardizedConv2DWithOverrideK3(layers.Conv2D):
    def convolution_op(self, inputs, kernel):
        mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
        return ops.conv(inputs, (kernel - mean) / ops.sqrt(var + 1e-10), padding="valid",
                        strides=list(self.strides), data_format=self.data_format)


class StandardizedConv2DWithCallK3(layers.Conv2D):
    def call(self, inputs):
        mean, var = ops.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
        result = self.convolution_op(inputs, (self.kernel - mean) / ops.sqrt(var + 1e-10))
        if self.use_bias:
            result = result + self.bias
        return result


num_classes = 10
input_shape = (28, 28, 1)


def mnist_like():
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (40, 28, 28)).astype("uint8")
    y_train = rng.integers(0, 10, 40)
    x_train = x_train.astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    return x_train, y_train


def standardized(kernel):
    kernel = np.asarray(kernel)
    mean, var = kernel.mean(axis=(0, 1, 2)), kernel.var(axis=(0, 1, 2))
    return (kernel - mean) / np.sqrt(var + 1e-10)


def test_both_standardized_layers_in_a_classifier():
    keras.utils.set_random_seed(0)
    x_train, y_train = mnist_like()
    for with_call, with_override, first in (
            (StandardizedConv2DWithCall, StandardizedConv2DWithOverride, keras.layers.InputLayer(
                input_shape=input_shape)),
            (StandardizedConv2DWithCallK3, StandardizedConv2DWithOverrideK3, keras.layers.Input(
                shape=input_shape))):
        model = keras.Sequential([
            first,
            with_call(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            with_override(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ])
        assert model.count_params() == 34826  # keras.io's summary
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        history = model.fit(x_train, y_train, batch_size=20, epochs=1, validation_split=0.1,
                            verbose=0)
        assert np.isfinite(history.history["loss"] + history.history["val_loss"]).all()

        # each layer convolves with its standardized kernel
        x = x_train[:2]
        call_layer, override_layer = model.layers[0], model.layers[2]
        got = call_layer(x).numpy()  # this call adds the bias, no activation (as keras.io)
        want = ops.conv(x, standardized(call_layer.kernel)).numpy() + call_layer.bias.numpy()
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        h = np.random.default_rng(1).normal(size=(2, 13, 13, 32)).astype("float32")
        want = np.maximum(ops.conv(h, standardized(override_layer.kernel)).numpy()
                          + override_layer.bias.numpy(), 0)
        np.testing.assert_allclose(override_layer(h).numpy(), want, rtol=1e-4, atol=1e-4)
