"""Normalization and Discretization. Expected values follow Keras's documented rules
(population variance, ``max(sqrt(var), epsilon)``, ``[b_i, b_i+1)`` bins) and match Keras
3.15's outputs on the same data."""

import numpy as np
import pytest

import saessak as keras
from saessak.layers import Discretization, Normalization

TABLE = np.array([[0., 7., 4.], [2., 9., 6.], [0., 7., 4.], [2., 9., 6.]])


def test_keras_documentation_examples():
    scalar = Normalization(axis=None)
    scalar.adapt(np.array([1., 2., 3., 4., 5.]))
    np.testing.assert_allclose(scalar(np.array([1., 2., 3.])).numpy(),
                               [-np.sqrt(2), -np.sqrt(0.5), 0.0], rtol=1e-6)
    per_feature = Normalization(axis=-1)
    per_feature.adapt(TABLE)
    np.testing.assert_allclose(per_feature(np.array([[0., 7., 4.]])).numpy(), [[-1, -1, -1]])
    given = Normalization(mean=3., variance=2.)
    np.testing.assert_allclose(given(np.array([[1.], [2.], [3.]])).numpy().ravel(),
                               [-np.sqrt(2), -np.sqrt(0.5), 0.0], rtol=1e-6)
    assert given.weights == []
    inverse = Normalization(axis=-1, invert=True)
    inverse.adapt(TABLE)
    np.testing.assert_allclose(inverse(np.array([[1., 2., 3.]])).numpy(), [[2., 10., 8.]])


def test_weights_are_mean_variance_count():
    layer = Normalization()
    layer.adapt(TABLE)
    mean, var, count = layer.get_weights()
    np.testing.assert_allclose(mean, [1, 8, 5])
    np.testing.assert_allclose(var, [1, 1, 1])  # population variance: sum / n, not n - 1
    assert count == 0 and [w.path.split("/")[-1] for w in layer.weights] == [
        "mean", "variance", "count"]
    assert layer.trainable_weights == []
    # Keras's mean/variance attributes: broadcast against the inputs
    assert layer.mean.shape == (1, 3) and layer.variance.numpy().tolist() == [[1, 1, 1]]
    assert Normalization().mean is None


def test_adapt_over_batches_equals_adapt_on_the_array():
    data = (np.arange(12.).reshape(6, 2)) ** 2
    whole = Normalization()
    whole.adapt(data)
    batched = Normalization()
    batched.adapt(keras.data.Dataset.from_tensor_slices(data).batch(4))  # batches of 4 and 2
    np.testing.assert_allclose(batched.get_weights()[0], data.mean(0), rtol=1e-6)
    np.testing.assert_allclose(batched.get_weights()[1], data.var(0), rtol=1e-6)
    np.testing.assert_allclose(whole.get_weights()[1], batched.get_weights()[1], rtol=1e-6)
    unbatched = Normalization()
    unbatched.adapt(keras.data.Dataset.from_tensor_slices(data))  # one feature row each
    np.testing.assert_allclose(unbatched.get_weights()[1], data.var(0), rtol=1e-6)
    pairs = Normalization()
    pairs.adapt([(data[:3], None), (data[3:], None)])  # (x, y) batches: x is used
    np.testing.assert_allclose(pairs.get_weights()[0], data.mean(0), rtol=1e-6)


def test_axes_and_zero_variance():
    layer = Normalization(axis=(1, 2))
    layer.adapt(np.arange(24.).reshape(2, 3, 4))
    assert [w.shape for w in layer.weights] == [(3, 4), (3, 4), ()]
    flat = Normalization()
    flat.adapt(np.zeros((3, 2)))
    # the scale is max(sqrt(0), epsilon = 1e-7), as in Keras
    np.testing.assert_allclose(flat(np.array([[1., 2.]])).numpy(), [[1e7, 2e7]], rtol=1e-6)
    ints = Normalization(mean=[1., 2.], variance=[1., 4.])
    np.testing.assert_allclose(ints(np.array([[3, 4]])).numpy(), [[2., 1.]])


def test_normalization_errors():
    with pytest.raises(ValueError, match="together"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        Normalization(mean=[1., 2.], variance=[1.])
    layer = Normalization()
    layer.adapt(TABLE)
    with pytest.raises(ValueError, match="built for inputs of shape"):
        layer.adapt(np.zeros((2, 4)))


def test_normalization_in_a_model_and_saved(tmp_path):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    norm = Normalization()
    norm.adapt(TABLE)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="ones")(norm(inputs)))
    path = str(tmp_path / "norm.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.array([[2., 9., 6.]])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), [[3.0]], rtol=1e-6)


def test_discretization_boundaries():
    layer = Discretization(bin_boundaries=[0., 1., 2.])
    out = layer(np.array([[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]]))
    np.testing.assert_array_equal(out.numpy(), [[0, 2, 3, 1], [1, 3, 2, 1]])
    assert out.dtype == np.int32
    one_hot = Discretization(bin_boundaries=[0., 1.], output_mode="one_hot")
    np.testing.assert_array_equal(one_hot(np.array([-1., .5, 2.])).numpy(), np.eye(3))


def test_discretization_adapt_matches_keras_quantiles():
    # Keras 3.15 learns these boundaries from the same data
    layer = Discretization(num_bins=4, epsilon=0.01)
    layer.adapt(np.array([[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]]))
    np.testing.assert_allclose(layer.bin_boundaries, [0.0, 0.5, 1.3], rtol=1e-6)
    thirds = Discretization(num_bins=3)
    thirds.adapt(np.arange(10.))
    np.testing.assert_allclose(thirds.bin_boundaries, [2.3333333, 5.6666665], rtol=1e-6)
    fifths = Discretization(num_bins=5)
    fifths.adapt(np.arange(100.))
    np.testing.assert_allclose(fifths.bin_boundaries, [18.999985, 38.99998, 58.99998, 78.99999],
                               rtol=1e-6)
    counts = np.bincount(fifths(np.arange(100.)).numpy(), minlength=5)
    assert counts.tolist() == [19, 20, 20, 20, 21]
    clone = Discretization.from_config(fifths.get_config())
    assert clone.bin_boundaries == fifths.bin_boundaries


def test_discretization_errors():
    with pytest.raises(ValueError, match="exactly one"):
        Discretization()
    with pytest.raises(ValueError, match="exactly one"):
        Discretization(bin_boundaries=[1.], num_bins=2)
    with pytest.raises(ValueError, match="sorted"):
        Discretization(bin_boundaries=[2., 1.])
    with pytest.raises(ValueError, match="no bin boundaries yet"):
        Discretization(num_bins=3)([1.0])
