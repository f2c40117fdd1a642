"""Keras 2's legacy input_length= and input_dim= arguments."""

import numpy as np
import pytest

import saessak as keras
from saessak import layers


@pytest.mark.parametrize("cls", [layers.SimpleRNN, layers.LSTM, layers.GRU])
def test_recurrent_layers_take_input_length_and_input_dim(cls):
    # seed 003: model.add(SimpleRNN(3, input_length=2, input_dim=10))
    model = keras.Sequential([cls(3, input_length=2, input_dim=10)])
    assert model.input_shape == (None, 2, 10)
    same = keras.Sequential([cls(3, input_shape=(2, 10))])
    assert model.count_params() == same.count_params()
    assert keras.Sequential([cls(3, input_dim=10)]).input_shape == (None, None, 10)


def test_conv1d_dense_and_embedding_legacy_arguments():
    conv = keras.Sequential([layers.Conv1D(4, 3, input_length=20, input_dim=5)])
    assert conv.input_shape == (None, 20, 5) and conv.output_shape == (None, 18, 4)
    dense = keras.Sequential([layers.Dense(4, input_dim=5)])
    assert dense.input_shape == (None, 5)
    embed = keras.Sequential([layers.Embedding(100, 6, input_length=20)])
    assert embed.output_shape == (None, 20, 6) and embed.count_params() == 600
    out = conv.predict(np.zeros((2, 20, 5)), verbose=0)
    assert out.shape == (2, 18, 4)


def test_input_length_on_a_layer_without_a_time_axis_is_an_error():
    with pytest.raises(TypeError, match=r"Dense: unexpected keyword argument\(s\) "
                                        r"\['input_length'\]"):
        layers.Dense(3, input_length=4)


def test_weights_argument_sets_the_initial_weights_once_built():
    # tf.keras 2: Embedding(vocab, dim, weights=[embedding_matrix], input_length=..., ...)
    matrix = np.arange(40, dtype="float32").reshape(10, 4)
    model = keras.Sequential([layers.Embedding(10, 4, weights=[matrix], input_length=3,
                                               trainable=False)])
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], matrix)
    assert model.trainable_weights == []
    dense = layers.Dense(2, weights=[np.ones((3, 2)), np.full(2, 0.5)])
    np.testing.assert_array_equal(dense(np.ones((1, 3), "float32")).numpy(), [[3.5, 3.5]])
    with pytest.raises(ValueError, match=r"has shape \(3, 2\), received an array of shape"):
        layers.Dense(2, weights=[np.ones((4, 2)), np.zeros(2)])(np.ones((1, 3), "float32"))
