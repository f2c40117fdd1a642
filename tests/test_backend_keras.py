"""keras.backend helpers: clear_session, get_value/set_value, int_shape, epsilon, floatx,
image_data_format."""

import numpy as np
import pytest

import saessak as keras
from saessak import backend as K
from saessak import layers


def test_clear_session_restarts_layer_names():
    layers.Dense(2)
    K.clear_session()
    assert layers.Dense(2).name == "dense" and layers.Dense(2).name == "dense_1"
    keras.keras.backend.clear_session()
    assert layers.Dense(2).name == "dense"


def test_get_and_set_value_of_a_weight():
    dense = layers.Dense(3)
    dense.build((None, 2))
    value = K.get_value(dense.kernel)
    assert isinstance(value, np.ndarray) and value.shape == (2, 3)
    value[...] = 0  # a copy: the weight is untouched
    assert np.abs(dense.kernel.numpy()).sum() > 0
    K.set_value(dense.kernel, np.full((2, 3), 0.5))
    np.testing.assert_array_equal(dense.kernel.numpy(), np.full((2, 3), 0.5, "float32"))
    K.batch_set_value([(dense.bias, np.ones(3))])
    assert K.batch_get_value([dense.bias])[0].tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match="shape"):
        K.set_value(dense.kernel, np.zeros((3, 3)))


def test_get_value_of_a_learning_rate_and_set_value_error():
    optimizer = keras.optimizers.Adam(0.01)
    assert K.get_value(optimizer.learning_rate) == pytest.approx(0.01)
    with pytest.raises(TypeError, match="optimizer.learning_rate = value"):
        K.set_value(optimizer.learning_rate, 0.1)


def test_int_shape_epsilon_floatx_image_data_format():
    assert K.int_shape(keras.Input(shape=(4, 2))) == (None, 4, 2)
    assert K.int_shape(np.zeros((3, 5))) == (3, 5)
    assert K.int_shape(keras.tensor(np.zeros((2,)))) == (2,)
    assert K.ndim(np.zeros((3, 5))) == 2 and K.count_params(np.zeros((3, 5))) == 15
    assert K.epsilon() == 1e-7 and K.floatx() == "float32"
    assert K.image_data_format() == "channels_last"
    try:
        K.set_epsilon(1e-5)
        assert K.epsilon() == 1e-5
    finally:
        K.set_epsilon(1e-7)
    with pytest.raises(ValueError, match="channels_last"):
        K.set_image_data_format("nhwc")
