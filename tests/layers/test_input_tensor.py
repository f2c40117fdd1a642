"""Input(tensor=...) wraps an existing KerasTensor, as Keras 3 does (it was ignored)."""

import numpy as np
import pytest

from saessak.layers import Dense, Input, InputLayer
from saessak.models import Model


def test_input_wraps_the_given_placeholder_and_takes_its_shape_and_dtype():
    x = Input(shape=(3,), dtype="float64")
    wrapped = Input(tensor=x, name="wrapped")
    assert wrapped is x
    layer = wrapped._keras_history[0]
    assert isinstance(layer, InputLayer) and layer.name == "wrapped"
    assert layer.get_config()["batch_input_shape"] == [None, 3]
    assert layer.dtype == "float64"
    model = Model(wrapped, Dense(2)(wrapped))
    assert model.predict(np.ones((4, 3)), verbose=0).shape == (4, 2)


@pytest.mark.parametrize("kwargs, argument", [
    ({"shape": (5,)}, "shape"), ({"batch_size": 8}, "batch_size"),
    ({"batch_shape": (None, 4)}, "batch_shape"), ({"dtype": "int32"}, "dtype"),
])
def test_a_shape_or_dtype_that_disagrees_with_the_tensor_is_a_clear_error(kwargs, argument):
    x = Input(shape=(3,))
    with pytest.raises(ValueError, match=f"InputLayer: {argument}=.* does not match the "
                                         "input_tensor"):
        Input(tensor=x, **kwargs)
    assert Input(tensor=x, shape=(3,), dtype="float32") is x  # agreeing ones are fine


def test_a_concrete_array_is_a_clear_error():
    with pytest.raises(ValueError, match="InputLayer: input_tensor must be a KerasTensor.*"
                                         "received ndarray"):
        Input(tensor=np.ones((2, 3)))
