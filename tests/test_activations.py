"""The activation registry: names to functions and back."""

import numpy as np
import pytest

import saessak
from saessak import activations, ops


def test_get_by_name_gives_the_op():
    assert activations.get("relu") is ops.relu
    assert activations.get("softmax") is ops.softmax
    assert activations.get("silu") is activations.get("swish")
    assert activations.get(None) is activations.linear
    assert activations.get(np.tanh) is np.tanh  # any callable passes through


def test_each_name_computes_its_function():
    x = saessak.tensor(np.array([-2.0, 0.5, 3.0]))
    sig = 1 / (1 + np.exp(-x.numpy()))
    expected = {"relu": [0, 0.5, 3], "linear": x.numpy(), "sigmoid": sig,
                "tanh": np.tanh(x.numpy()), "softplus": np.log1p(np.exp(x.numpy())),
                "swish": x.numpy() * sig, "elu": [np.exp(-2) - 1, 0.5, 3],
                "softmax": np.exp(x.numpy()) / np.exp(x.numpy()).sum()}
    for name, want in expected.items():
        got = activations.get(name)(x)
        np.testing.assert_allclose(np.asarray(got.data), want, rtol=1e-6, err_msg=name)


def test_serialize_round_trip():
    for name in ("relu", "sigmoid", "softmax", "tanh", "linear", "gelu", "selu", "elu",
                 "softplus", "softsign", "exponential", "hard_sigmoid", "leaky_relu",
                 "relu6", "mish", "log_softmax", "silu"):
        fn = activations.get(name)
        assert activations.serialize(fn) == name
        assert activations.deserialize(name) is fn
    assert activations.serialize(activations.swish) == "silu"  # one function, Keras 3 name
    assert activations.serialize(None) == "linear"

    def my_act(x):
        return x

    assert activations.serialize(my_act) == "my_act"
    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'rellu'.*'relu'.*'softmax'"):
        activations.get("rellu")
    with pytest.raises(ValueError, match="received 3"):
        activations.get(3)


def test_hard_sigmoid_of_keras3_and_of_tf_keras2():
    from saessak import activations, grad_check
    x = np.linspace(-4, 4, 9).astype("float32")
    # Keras 3.15: relu6(x + 3) / 6; tf.keras 2.21: clip(0.2 x + 0.5) (values printed by each)
    np.testing.assert_allclose(activations.hard_sigmoid(x).numpy(),
                               [0, 0, 1 / 6, 1 / 3, 0.5, 2 / 3, 5 / 6, 1, 1], rtol=1e-6)
    np.testing.assert_allclose(activations.get("hard_sigmoid_keras2")(x).numpy(),
                               [0, 0, 0.1, 0.3, 0.5, 0.7, 0.9, 1, 1], atol=1e-7)
    inside = np.array([-2.0, -0.5, 0.7, 2.4])
    assert grad_check(activations.hard_sigmoid_keras2, inside).ok
    assert grad_check(activations.hard_sigmoid, inside).ok
