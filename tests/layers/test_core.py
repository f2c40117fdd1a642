"""Core layers: Input, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
Identity."""

import numpy as np
import pytest

import saessak
from saessak.backend import floatx_scope
from saessak.layers import (
    Activation,
    Dropout,
    Flatten,
    Identity,
    Input,
    InputLayer,
    Lambda,
    Permute,
    RepeatVector,
    Reshape,
    learning_phase,
)


def test_input_makes_a_placeholder_with_an_unknown_batch():
    x = Input(shape=(20, 8))
    assert x.shape == (None, 20, 8) and x.dtype == "float32"
    assert isinstance(x.node.layer, InputLayer)
    assert Input(shape=(3,), batch_size=4).shape == (4, 3)
    assert Input(batch_shape=(2, None), dtype="int32").dtype == "int32"
    with pytest.raises(ValueError, match="shape="):
        Input()
    with pytest.raises(TypeError, match="no length"):
        len(x)


def test_input_layer_names_count_from_one():
    saessak.layers.clear_session()
    assert [Input(shape=(1,)).name, Input(shape=(1,)).name] == ["input_1", "input_2"]


def test_activation_layer_applies_the_function():
    x = np.array([[-1.0, 2.0]], "float32")
    np.testing.assert_allclose(Activation("relu")(x).numpy(), [[0.0, 2.0]])
    assert Activation("tanh").compute_output_shape((None, 2)) == (None, 2)
    np.testing.assert_array_equal(Activation(None)(x).numpy(), x)  # Keras: the identity


def test_dropout_is_identity_at_inference_and_inverted_in_training():
    x = np.ones((200, 50), "float32")
    layer = Dropout(0.3, seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02  # 10,000 draws: 4 standard deviations ~ 0.018
    with learning_phase(True):
        assert (layer(x).numpy() == 0).any()


def test_dropout_noise_shape_shares_the_draw_and_seed_repeats():
    x = np.ones((4, 6, 5), "float32")
    y = Dropout(0.5, noise_shape=(None, 1, None), seed=3)(x, training=True).numpy()
    assert (y == y[:, :1, :]).all()  # the same features dropped at every step
    a = Dropout(0.5, seed=7)(x, training=True).numpy()
    b = Dropout(0.5, seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.5)


def test_dropout_gradient_is_the_same_mask():
    x = saessak.Tensor(np.ones((3, 4)), requires_grad=True)
    y = Dropout(0.5, seed=0, dtype="float64")(x, training=True)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.numpy())  # d(x*m)/dx = m, and y = 1*m


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_dropout_mask_keeps_one_minus_rate_with_independent_draws(rate):
    n = 400_001  # odd: the last 64-bit word gives only one of its two 32-bit draws
    mask = saessak.backend.dropout_mask(np.random.default_rng(5), (n,), rate, "float32")
    assert mask.dtype == np.float32 and mask.shape == (n,)
    assert set(np.unique(mask)) <= {0.0, np.float32(1 / (1 - rate))}
    kept = mask != 0
    p = 1 - rate
    assert abs(kept.mean() - p) < 5 * np.sqrt(p * (1 - p) / n)
    # neighbours share a 64-bit word: both kept as often as independent draws would be
    both = (kept[:-1:2] & kept[1::2]).mean()
    assert abs(both - p * p) < 5 * np.sqrt(p * p * (1 - p * p) / (n // 2))
    again = saessak.backend.dropout_mask(np.random.default_rng(5), (n,), rate, "float32")
    np.testing.assert_array_equal(mask, again)


def test_dropout_mask_edges_and_bad_rates():
    rng = np.random.default_rng(0)
    assert (saessak.backend.dropout_mask(rng, (3, 5, 7), 0.0, "float64") == 1).all()
    assert saessak.backend.dropout_mask(rng, (0, 4), 0.5, "float32").shape == (0, 4)
    tiny = saessak.backend.dropout_mask(rng, (1000,), 1 - 1e-12, "float64")
    assert (tiny == 0).all()  # kept with probability 2^-32 at most
    for rate in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match="rate must be in"):
            saessak.backend.dropout_mask(rng, (2,), rate, "float32")


def test_flatten_reshape_permute_repeat_shapes():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert Flatten()(x).shape == (2, 12)
    assert Flatten().compute_output_shape((None, 3, None)) == (None, None)
    np.testing.assert_array_equal(Reshape((4, 3))(x).numpy(), x.reshape(2, 4, 3))
    assert Reshape((-1, 2))(x).shape == (2, 6, 2)
    assert Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    np.testing.assert_array_equal(Permute((2, 1))(x).numpy(), x.transpose(0, 2, 1))
    v = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(RepeatVector(4)(v).numpy(), np.repeat(v[:, None], 4, 1))
    assert RepeatVector(4).compute_output_shape((None, 3)) == (None, 4, 3)


def test_flatten_channels_first_moves_channels_last_first():
    x = np.arange(12, dtype="float32").reshape(1, 3, 2, 2)  # (batch, C, H, W)
    out = Flatten(data_format="channels_first")(x).numpy()
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(1, -1))


def test_reshape_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"cannot reshape input of shape \(None, 5\)"):
        Reshape((2, 2), name="r").compute_output_shape((None, 5))
    with pytest.raises(ValueError, match="at most"):
        Reshape((-1, -1))
    with pytest.raises(ValueError, match="permutation"):
        Permute((1, 3))


def test_shape_layers_pass_gradients_back():
    with floatx_scope("float64"):
        x = saessak.Tensor(np.random.default_rng(0).normal(size=(2, 3, 4)), requires_grad=True)
        for layer in (Permute((2, 1)), Reshape((12,)), Flatten()):
            result = saessak.grad_check(lambda t, lay=layer: (lay(t) ** 2).sum(), x)
            assert result.ok, str(result)
        v = saessak.Tensor(np.random.default_rng(1).normal(size=(2, 3)), requires_grad=True)
        result = saessak.grad_check(lambda t: (RepeatVector(3)(t) ** 2).sum(), v)
        assert result.ok, str(result)


def test_lambda_calls_its_function_and_finds_shapes_by_trial():
    double = Lambda(lambda t: t * 2.0)
    np.testing.assert_allclose(double(np.ones((1, 2), "float32")).numpy(), [[2.0, 2.0]])
    x = Input(shape=(None, 3))
    y = Lambda(lambda t: t[:, :, :2])(x)
    assert y.shape == (None, None, 2)
    z = Lambda(lambda t, k: t * k, arguments={"k": 3.0}, output_shape=(3,))(Input((3,)))
    assert z.shape == (None, 3)


def test_identity_keeps_values():
    x = np.ones((2, 2), "float32")
    np.testing.assert_array_equal(Identity()(x).numpy(), x)


def test_keras_tensor_arithmetic_records_layers():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    model = saessak.Model([a, b], (a + b) * 2.0 - b[:, :1])
    x, y = np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")
    np.testing.assert_allclose(model.predict([x, y], verbose=0), (x + y) * 2 - y[:, :1])


def test_thresholded_relu_as_tf_keras_2():
    from saessak.layers import ThresholdedReLU
    layer = ThresholdedReLU(theta=0.5)
    x = np.array([[-1.0, 0.5, 0.50001, 2.0]], "float32")
    np.testing.assert_array_equal(layer(x).numpy(), np.where(x > 0.5, x, 0))  # tf.keras 2
    assert layer.name.startswith("thresholded_re_lu") and layer.get_config()["theta"] == 0.5
    with pytest.raises(ValueError, match="ThresholdedReLU: theta"):
        ThresholdedReLU(theta=-1)
