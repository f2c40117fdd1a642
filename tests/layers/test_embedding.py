"""Embedding (lookup, scatter-add gradient, masks, errors) and Masking."""

import numpy as np
import pytest

from saessak import Tensor, _numba, backend, grad_check, layers, ops


def test_lookup_and_default_initializer():
    layer = layers.Embedding(10, 4)
    ids = np.array([[1, 2, 2], [9, 0, 3]])
    out = layer(ids)
    table = layer.get_weights()[0]
    assert out.shape == (2, 3, 4) and layer.count_params() == 40
    np.testing.assert_array_equal(out.numpy(), table[ids])
    assert table.dtype == np.float32 and np.all(np.abs(table) <= 0.05)  # uniform(-0.05, 0.05)
    assert np.abs(table).max() > 0.01


def test_gradient_scatter_adds_repeated_ids(rng):
    with backend.floatx_scope("float64"):
        layer = layers.Embedding(6, 3)
    ids = np.array([[1, 2, 2, 5], [2, 0, 1, 1]])
    layer(ids)
    g = rng.standard_normal((2, 4, 3))
    (layer(ids) * Tensor(g)).sum().backward()
    expected = np.zeros((6, 3))
    for pos, i in np.ndenumerate(ids):
        expected[i] += g[pos]
    np.testing.assert_allclose(layer.embeddings.grad, expected)
    assert np.all(layer.embeddings.grad[[3, 4]] == 0)  # rows never used get nothing
    result = grad_check(lambda: layer(ids), wrt=layer.trainable_weights)
    assert result.ok, str(result)


def test_mask_zero_and_shapes():
    layer = layers.Embedding(5, 2, mask_zero=True)
    out = layer(np.array([[3, 4, 0, 0], [1, 0, 2, 0]]))
    np.testing.assert_array_equal(out._keras_mask, [[1, 1, 0, 0], [1, 0, 1, 0]])
    assert layers.Embedding(5, 2)(np.array([[1, 0]]))._keras_mask is None
    assert layers.Embedding(1000, 64, input_length=10).compute_output_shape((None, None)) == (
        None, 10, 64)
    assert layers.Embedding(1000, 64).compute_output_shape((None, None)) == (None, None, 64)


def test_mask_flows_into_an_lstm():
    backend.set_random_seed(0)
    ids = np.array([[4, 2, 7, 0, 0], [3, 0, 0, 0, 0]])
    emb, lstm = layers.Embedding(8, 3, mask_zero=True), layers.LSTM(2)
    masked = lstm(emb(ids)).numpy()
    trimmed = [lstm(emb(ids[b:b + 1, :n])).numpy()[0] for b, n in ((0, 3), (1, 1))]
    # a batch of two and a batch of one sum the gate products in different orders: agreement
    # to a few float32 ulps of the unit-scale gate values, absolute, not relative to a state
    # that happens to be near zero
    np.testing.assert_allclose(masked, np.stack(trimmed), rtol=1e-6, atol=1e-7)


def test_out_of_range_ids_name_the_layer_and_the_value():
    layer = layers.Embedding(10, 2, name="words")
    with pytest.raises(IndexError, match=r"Embedding 'words'.*\[0, 10\).*12"):
        layer(np.array([[1, 12]]))
    with pytest.raises(IndexError, match="-1"):
        layer(np.array([[-1, 3]]))
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        layers.Embedding(0, 3)
    with pytest.raises(TypeError, match="integer token ids"):
        ops.embedding_lookup(Tensor(np.ones((3, 2))), np.array([0.5]))


def test_float_ids_that_are_whole_numbers_are_accepted():
    layer = layers.Embedding(5, 2)
    np.testing.assert_array_equal(layer(np.array([[1.0, 4.0]])).numpy(),
                                  layer(np.array([[1, 4]])).numpy())


def test_config_round_trip():
    layer = layers.Embedding(7, 3, mask_zero=True, input_length=4,
                             embeddings_regularizer="l2")
    clone = layers.Embedding.from_config(layer.get_config())
    assert (clone.input_dim, clone.output_dim, clone.mask_zero, clone.input_length) == (
        7, 3, True, 4)


def test_masking_layer():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    layer = layers.Masking(mask_value=0.0)
    out = layer(x)
    np.testing.assert_array_equal(out._keras_mask, [[True, False, True]])
    np.testing.assert_array_equal(out.numpy(), x)
    other = layers.Masking(mask_value=3.0)(np.array([[[3.0], [1.0]]]))
    np.testing.assert_array_equal(other.numpy(), [[[0.0], [1.0]]])  # masked steps zeroed
    np.testing.assert_array_equal(other._keras_mask, [[False, True]])
    lstm = layers.LSTM(2)
    np.testing.assert_allclose(lstm(layer(x)).numpy(), lstm(x[:, [0, 2]]).numpy(), rtol=1e-6)


@pytest.mark.skipif(not _numba.ENABLED, reason="numba (the 'fast' extra) not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_scatter_add_equals_add_at(rng, dtype, monkeypatch):
    ids = rng.integers(0, 50, (7, 30))  # many repeats: the order of the sums matters
    g = rng.standard_normal((7, 30, 5)).astype(dtype)
    grads = {}
    for enabled in (True, False):
        monkeypatch.setattr(_numba, "ENABLED", enabled)
        table = Tensor(rng.standard_normal((50, 5)).astype(dtype), requires_grad=True)
        (ops.embedding_lookup(table, ids) * Tensor(g)).sum().backward()
        grads[enabled] = table.grad
    assert grads[True].dtype == dtype
    np.testing.assert_array_equal(grads[True], grads[False])
