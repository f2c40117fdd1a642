"""SpectralNormalization: the power iteration against NumPy's SVD and a NumPy rewrite of
Keras's update, training-only updates, gradients of W / sigma, configs, errors, and models
saved by Keras 3 and tf.keras 2 (scripts/make_layer3d_fixtures.py): the same predictions,
and the same outputs, vector and kernel after one training call."""

import os
import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import backend, grad_check
from saessak.layers import Conv2D, Dense, Dropout, Embedding
from saessak.layers.spectral_normalization import SpectralNormalization

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
R = np.random.default_rng(11)


def keras_update(kernel, u, iterations):
    """Keras's normalized_weights in NumPy (float64): (new u, kernel / sigma)."""
    w = kernel.reshape(-1, kernel.shape[-1]).astype("float64")
    u = u.astype("float64")
    for _ in range(iterations):
        v = u @ w.T
        v = v / np.linalg.norm(v)
        u = v @ w
        u = u / np.linalg.norm(u)
    sigma = (v @ w @ u.T).item()
    return u, kernel / sigma


def top_singular_value(kernel):
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


def test_weights_as_keras_files_them():
    sn = SpectralNormalization(Dense(3, name="inner"), name="sn")
    sn.build((None, 4))
    assert [w.path for w in sn.weights] == ["inner/kernel", "sn/vector_u", "inner/bias"]
    # its own variables: the wrapped kernel first, then u (Keras 3's vars/0 and vars/1)
    assert [w.path.split("/")[-1] for w in sn._own_weights_in_order()] == ["kernel",
                                                                           "vector_u"]
    assert sn.vector_u.shape == (1, 3) and not sn.vector_u.requires_grad
    assert [w.path.split("/")[-1] for w in sn.trainable_weights] == ["kernel", "bias"]
    assert sn.count_params() == 4 * 3 + 3 + 3
    assert abs(float(sn.vector_u.numpy().std()) - 0.02) < 0.02  # TruncatedNormal(0.02)


def test_training_call_divides_the_kernel_as_keras_does():
    sn = SpectralNormalization(Dense(5), power_iterations=2)
    x = R.normal(size=(3, 4)).astype("float32")
    sn(x)  # build
    kernel, u = sn.layer.kernel.numpy().copy(), sn.vector_u.numpy().copy()
    y = sn(x, training=True).numpy()
    want_u, want_kernel = keras_update(kernel, u, 2)
    np.testing.assert_allclose(sn.vector_u.numpy(), want_u, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sn.layer.kernel.numpy(), want_kernel, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y, x @ want_kernel + sn.layer.bias.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_inference_leaves_kernel_and_vector_alone():
    sn = SpectralNormalization(Conv2D(2, 2))
    x = R.normal(size=(1, 5, 5, 3)).astype("float32")
    first = sn(x).numpy()
    kernel, u = sn.layer.kernel.numpy().copy(), sn.vector_u.numpy().copy()
    np.testing.assert_array_equal(sn(x, training=False).numpy(), first)
    np.testing.assert_array_equal(sn.layer.kernel.numpy(), kernel)
    np.testing.assert_array_equal(sn.vector_u.numpy(), u)
    np.testing.assert_array_equal(first, sn.layer(x).numpy())  # just the wrapped layer


def test_repeated_training_calls_reach_spectral_norm_one():
    sn = SpectralNormalization(Conv2D(4, 3, kernel_initializer="random_normal"))
    x = R.normal(size=(1, 6, 6, 2)).astype("float32")
    sn(x)
    assert abs(top_singular_value(sn.layer.kernel.numpy()) - 1) > 0.05
    for _ in range(30):
        sn(x, training=True)
    assert top_singular_value(sn.layer.kernel.numpy()) == pytest.approx(1.0, abs=1e-4)
    # u has become the top right singular vector
    _, _, vt = np.linalg.svd(sn.layer.kernel.numpy().reshape(-1, 4))
    assert abs(float(vt[0] @ sn.vector_u.numpy()[0])) == pytest.approx(1.0, abs=1e-4)


def test_many_power_iterations_divide_by_the_largest_singular_value():
    with backend.floatx_scope("float64"):
        sn = SpectralNormalization(Dense(6), power_iterations=200)
        sn.build((None, 9))
        before = sn.layer.kernel.numpy().copy()
        sn(np.ones((1, 9)), training=True)
    np.testing.assert_allclose(sn.layer.kernel.numpy(), before / top_singular_value(before),
                               rtol=1e-9)


def test_a_zero_kernel_is_left_alone():
    sn = SpectralNormalization(Dense(2, kernel_initializer="zeros"))
    sn(np.ones((1, 3)))
    u = sn.vector_u.numpy().copy()
    sn(np.ones((1, 3)), training=True)
    assert not sn.layer.kernel.numpy().any()
    np.testing.assert_array_equal(sn.vector_u.numpy(), u)


def test_embeddings_are_normalized_too():
    sn = SpectralNormalization(Embedding(7, 3))
    ids = np.array([[1, 2, 6]])
    assert sn(ids).shape == (1, 3, 3)
    assert sn.kernel is sn.layer.embeddings and sn.vector_u.shape == (1, 3)
    for _ in range(30):
        sn(ids, training=True)
    assert top_singular_value(sn.layer.embeddings.numpy()) == pytest.approx(1.0, abs=1e-4)


def test_gradient_of_the_normalized_kernel():
    """normalized_weights() is W / (v W u^T) with u, v held constant (Keras stops their
    gradients); once the power iteration has converged, that is also the true derivative
    of W / sigma_max(W), so finite differences (which rerun the iteration) agree."""
    with backend.floatx_scope("float64"):
        sn = SpectralNormalization(Dense(3), power_iterations=300)
        sn.build((None, 4))
        result = grad_check(lambda: sn.normalized_weights()[1], wrt=[sn.layer.kernel])
        assert result.ok, str(result)
        conv = SpectralNormalization(Conv2D(2, 2), power_iterations=300)
        conv.build((None, 4, 4, 2))
        result = grad_check(lambda: conv.normalized_weights()[1], wrt=[conv.layer.kernel])
        assert result.ok, str(result)
        # and a training call's gradients are the wrapped layer's, at the divided kernel
        x = R.normal(size=(2, 4))
        result = grad_check(lambda t: sn.layer(t), x, wrt=sn.trainable_weights)
        assert result.ok, str(result)


def test_fit_keeps_the_kernel_near_norm_one_and_learns():
    x = R.normal(size=(64, 4)).astype("float32")
    y = (x @ np.array([[0.6], [-0.3], [0.2], [0.1]])).astype("float32")
    sn = SpectralNormalization(Dense(1))
    model = keras.Sequential([keras.Input((4,)), sn])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    u = sn.vector_u.numpy()
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    # after each step the optimizer moves the divided kernel a little: norm stays near 1
    assert top_singular_value(sn.layer.kernel.numpy()) == pytest.approx(1.0, abs=0.05)
    assert abs(float(np.linalg.norm(u)) - 1) < 1e-5


def test_config_round_trip():
    sn = SpectralNormalization(Dense(3, activation="relu", name="inner"), power_iterations=4,
                               name="sn")
    config = sn.get_config()
    assert config["power_iterations"] == 4
    assert config["layer"]["class_name"] == "Dense" and config["layer"]["config"]["units"] == 3
    copy = SpectralNormalization.from_config(config)
    assert isinstance(copy.layer, Dense) and copy.layer.name == "inner"
    assert copy.get_config() == config
    x = R.normal(size=(2, 5)).astype("float32")
    sn(x)
    copy(x)
    copy.set_weights(sn.get_weights())
    np.testing.assert_array_equal(copy(x, training=True).numpy(), sn(x, training=True).numpy())
    rebuilt = keras.layers.deserialize(keras.layers.serialize(sn))
    assert isinstance(rebuilt, SpectralNormalization) and rebuilt.power_iterations == 4


def test_saved_and_loaded_by_saessak(tmp_path):
    pytest.importorskip("h5py")
    model = keras.Sequential([keras.Input((3,)), SpectralNormalization(Dense(2))])
    x = R.normal(size=(4, 3)).astype("float32")
    model(x, training=True)
    path = str(tmp_path / "sn.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded(x, training=True).numpy(),
                                  model(x, training=True).numpy())


def test_clear_errors():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="power_iterations must be a positive integer"):
            SpectralNormalization(Dense(2), power_iterations=bad)
    with pytest.raises(ValueError, match="layer must be a Layer instance"):
        SpectralNormalization("dense")
    with pytest.raises(ValueError, match="neither a 'kernel' nor an 'embeddings'"):
        SpectralNormalization(Dropout(0.5))(np.ones((1, 3)))
    sn = SpectralNormalization(Dense(2))
    sn(np.ones((1, 3)))
    with pytest.raises(ValueError):
        sn(np.ones((1, 4)))  # the input spec Keras sets: last axis 3


def _load(name, suffix):
    pytest.importorskip("h5py")
    with np.load(os.path.join(FIXTURES, f"more_{name}.npz")) as data:
        ref = {k: data[k] for k in data.files}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.models.load_model(os.path.join(FIXTURES, f"more_{name}{suffix}"))
    return model, ref


@pytest.mark.parametrize("suffix,key", [(".keras", "keras3"), ("_tk2.h5", "tk2")])
def test_keras_model_predicts_and_trains_as_keras(suffix, key):
    """SpectralNormalization(Conv2D) and (Dense, power_iterations=3): inference is the
    wrapped layers on the stored kernels; one training call from the saved state gives
    Keras's outputs, vectors u and divided kernels."""
    model, ref = _load("spectral", suffix)
    assert [type(layer).__name__ for layer in model.layers[1:]] == [
        "SpectralNormalization", "Flatten", "SpectralNormalization"]
    assert model.layers[3].power_iterations == 3
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref[key], rtol=1e-5,
                               atol=1e-5)
    y = model(ref["x"], training=True).numpy()
    np.testing.assert_allclose(y, ref[f"{key}_train"], rtol=1e-5, atol=1e-5)
    after = model.get_weights()
    assert len(after) == 6
    for i, w in enumerate(after):
        np.testing.assert_allclose(w, ref[f"keras3_after_{i}"], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("suffix", [".keras", "_tk2.h5"])
def test_keras_embedding_model(suffix):
    """SpectralNormalization(Embedding) then SpectralNormalization(Dense). tf.keras 2's
    predictions are matched. Keras 3 casts a wrapper's output to the dtype of its *input*,
    so its embedding vectors came out as int32 (truncated) and so did the Dense's: saessak
    keeps the vectors (as tf.keras 2); Keras 3's numbers are saessak's on truncated vectors."""
    model, ref = _load("spectral_embedding", suffix)
    x = ref["x"]
    y = model.predict(x, verbose=0)
    np.testing.assert_allclose(y, ref["tk2"], rtol=1e-5, atol=1e-6)
    first, second = model.layers[1], model.layers[2]
    truncated = np.trunc(first(x).numpy())
    np.testing.assert_array_equal(np.trunc(second(truncated).numpy()), ref["keras3"])
    assert np.abs(y - ref["keras3"]).max() > 0.1  # the cast is not saessak's
    model(x, training=True)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ref[f"keras3_after_{i}"], rtol=1e-5, atol=1e-7)
