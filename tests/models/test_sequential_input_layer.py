"""Issue 17, item 5: a Sequential model started with ``Input`` shows the public attributes
Keras shows. Keras 3 and tf.keras 2 agree here (checked against keras 3.15 and tf_keras):
``layers`` lists only the layers after the input, ``inputs``/``outputs`` are the symbolic
tensors, ``weights`` has the Dense kernels and biases, and ``summary()`` has one row per
Dense layer."""

import numpy as np
import pytest

import saessak as keras
from saessak import layers


def _with_input():
    return keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4), layers.Dense(2)])


def test_layers_leave_out_the_input_layer():
    model = _with_input()
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]
    kernel, bias = model.layers[0].get_weights()  # the first Dense, as in Keras
    assert kernel.shape == (3, 4) and bias.shape == (4,)
    assert model.get_layer(index=0) is model.layers[0]


def test_inputs_outputs_and_weights_as_in_keras():
    model = _with_input()
    assert [t.shape for t in model.inputs] == [(None, 3)]
    assert [t.shape for t in model.outputs] == [(None, 2)]
    assert [w.shape for w in model.weights] == [(3, 4), (4,), (4, 2), (2,)]
    assert model.count_params() == 26
    same = keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    assert len(same.layers) == len(model.layers)
    assert [w.shape for w in same.weights] == [w.shape for w in model.weights]


def test_summary_has_one_row_per_layer_after_the_input():
    model = _with_input()
    lines = []
    model.summary(print_fn=lines.append)
    rows = [line for line in lines if "(None," in line]  # the layer rows
    assert [row.split()[1] for row in rows] == ["(Dense)", "(Dense)"]
    assert "Total params: 26" in lines


def test_input_layer_still_sets_the_shape_and_survives_saving(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    model = _with_input()
    x = np.ones((5, 3), "float32")
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dense"]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_functional_models_keep_their_input_layer():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]
