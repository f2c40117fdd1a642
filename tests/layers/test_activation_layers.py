"""ReLU, LeakyReLU, PReLU, ELU and Softmax layers: values, Keras's arguments, and gradients
checked against central differences in float64."""

import numpy as np
import pytest

import saessak as keras
from saessak import Tensor, grad_check
from saessak.backend import floatx_scope
from saessak.layers import ELU, LeakyReLU, PReLU, ReLU, Softmax

X = np.array([[-2.0, -0.5, 0.5, 3.0, 7.0]])


def _x(rng, shape=(4, 3, 5)):
    # keep away from the kinks at 0 and at the thresholds used below, where the finite
    # difference straddles two pieces
    x = rng.uniform(-3, 8, size=shape)
    return Tensor(np.where(np.abs(x) < 0.05, 0.3, x), requires_grad=True)


def test_relu_options():
    np.testing.assert_allclose(ReLU()(X).numpy(), [[0, 0, .5, 3, 7]])
    np.testing.assert_allclose(ReLU(max_value=6.0)(X).numpy(), [[0, 0, .5, 3, 6]])
    clipped = ReLU(max_value=6, negative_slope=0.1, threshold=1)(X).numpy()
    # below the threshold: 0.1 * (x - 1); above max_value: 6
    np.testing.assert_allclose(clipped, [[-.3, -.15, -.05, 3, 6]], rtol=1e-6)
    assert ReLU().name.startswith("re_lu")
    for bad in ({"max_value": -1}, {"negative_slope": -0.1}):
        with pytest.raises(ValueError, match="ReLU"):
            ReLU(**bad)


def test_leaky_relu_takes_keras_2_and_3_names():
    assert LeakyReLU().negative_slope == 0.3  # Keras's default
    np.testing.assert_allclose(LeakyReLU(alpha=0.1)(X).numpy(), [[-.2, -.05, .5, 3, 7]],
                               rtol=1e-6)
    np.testing.assert_allclose(LeakyReLU(negative_slope=0.1)(X).numpy(),
                               LeakyReLU(alpha=0.1)(X).numpy())


def test_elu_values():
    np.testing.assert_allclose(ELU(alpha=2.0)(X).numpy(),
                               [[2 * np.expm1(-2), 2 * np.expm1(-.5), .5, 3, 7]], rtol=1e-6)


def test_prelu_weight_shape_and_values():
    layer = PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2])
    out = layer(np.full((2, 3, 4, 5), -4.0))
    assert [w.shape for w in layer.weights] == [(1, 1, 5)]
    np.testing.assert_allclose(out.numpy(), -1.0)
    assert PReLU()(X).numpy().tolist() == [[0, 0, .5, 3, 7]]  # alpha starts at zero
    with pytest.raises(ValueError, match="shared_axes"):
        PReLU(shared_axes=[0])


@pytest.mark.parametrize("make", [
    lambda: ReLU(), lambda: ReLU(max_value=6.0, negative_slope=0.2, threshold=1.0),
    lambda: LeakyReLU(0.2), lambda: ELU(0.7), lambda: Softmax(), lambda: Softmax(axis=1),
    lambda: Softmax(axis=(1, 2)),
])
def test_gradients(make, rng):
    with floatx_scope("float64"):
        layer = make()
        x = _x(rng)
        x.data[np.abs(x.data - 1.0) < 0.05] = 1.3   # off the threshold
        x.data[np.abs(x.data - 6.0) < 0.05] = 5.7   # and off max_value
        result = grad_check(lambda: layer(x), wrt=[x])
    assert result.ok, str(result)


def test_prelu_gradient_reaches_alpha(rng):
    with floatx_scope("float64"):
        layer = PReLU(alpha_initializer="random_normal", shared_axes=[1])
        x = _x(rng)
        layer(x)
        result = grad_check(lambda: layer(x), wrt=[x, *layer.trainable_weights])
    assert result.ok, str(result)
    assert layer.alpha.shape == (1, 5)


def test_softmax_mask():
    layer = Softmax()
    out = layer(np.array([[1., 2., 3.]]), mask=np.array([[True, False, True]])).numpy()
    np.testing.assert_allclose(out, [[1 / (1 + np.e ** 2), 0, 1 / (1 + np.e ** -2)]],
                               rtol=1e-6)
    empty = layer(np.array([[1., 2., 3.]]), mask=np.array([[False, False, False]])).numpy()
    np.testing.assert_array_equal(empty, [[0, 0, 0]])  # a fully masked row is all zeros


def test_softmax_mask_gradient(rng):
    with floatx_scope("float64"):
        layer = Softmax()
        x = _x(rng, (3, 6))
        mask = rng.uniform(size=(3, 6)) > 0.3
        result = grad_check(lambda: layer(x, mask=mask), wrt=[x])
    assert result.ok, str(result)


def test_configs_round_trip_and_model_use(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(6)(inputs)
    hidden = PReLU(alpha_initializer="ones")(LeakyReLU(0.1)(ReLU(max_value=3.0)(hidden)))
    outputs = Softmax()(ELU()(keras.layers.Dense(3)(hidden)))
    model = keras.Model(inputs, outputs)
    path = str(tmp_path / "acts.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    relu = [layer for layer in loaded.layers if isinstance(layer, ReLU)]
    assert len(relu) == 1 and relu[0].get_config()["max_value"] == 3.0
