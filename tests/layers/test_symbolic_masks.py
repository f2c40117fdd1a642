"""Symbolic tensors report the mask their data will carry (``x._keras_mask``), as in the
Keras guide "Understanding masking & padding", and a layer whose ``call`` takes ``mask``
gets one while the functional model is being built, as it does when data flows."""

import numpy as np

import saessak as keras
from saessak import layers, ops


class TemporalSoftmax(layers.Layer):
    """From the guide: a softmax over the time axis that skips the masked steps."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=1, keepdims=True)
        return inputs_exp / inputs_sum


def test_masks_are_reported_on_symbolic_tensors():
    inputs = keras.Input(shape=(None,), dtype="int32")
    assert inputs._keras_mask is None
    x = layers.Embedding(input_dim=50, output_dim=4, mask_zero=True)(inputs)
    assert x._keras_mask.shape == (None, None) and x._keras_mask.dtype == "bool"
    assert layers.Dense(3)(x)._keras_mask.shape == (None, None)  # passed on
    assert layers.LSTM(5, return_sequences=True)(x)._keras_mask is not None
    assert layers.LSTM(5)(x)._keras_mask is None  # one vector per sequence: no mask
    assert layers.Embedding(50, 4)(inputs)._keras_mask is None  # mask_zero=False
    floats = keras.Input((7, 3))
    assert layers.Masking()(floats)._keras_mask.shape == (None, 7)


def test_a_layer_that_needs_its_mask_gets_it_while_the_model_is_built():
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=10, output_dim=8, mask_zero=True)(inputs)
    x = layers.Dense(1)(x)
    model = keras.Model(inputs, TemporalSoftmax()(x))
    tokens = np.array([[3, 4, 5, 0, 0], [1, 2, 3, 4, 5]])
    y = model(tokens).numpy()[..., 0]
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)  # over the unmasked steps
    assert np.all(y[0, 3:] == 0)


def test_a_compute_mask_that_cannot_run_on_zeros_leaves_no_mask():
    class Picky(layers.Layer):
        def call(self, inputs):
            return inputs

        def compute_output_shape(self, input_shape):
            return input_shape

        def compute_mask(self, inputs, mask=None):
            raise RuntimeError("only for real data")

    assert Picky()(keras.Input((3,)))._keras_mask is None
