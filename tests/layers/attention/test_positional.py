"""Position layers: the sine table against its formula, learned position and token
embeddings (weights, masks, limits), and gradient checks."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.layers import PositionalEmbedding, SinePositionEncoding, TokenAndPositionEmbedding

R = np.random.default_rng(51)


def test_sine_position_encoding_formula():
    x = np.zeros((2, 6, 8), np.float32)
    enc = SinePositionEncoding()(x).numpy()
    assert enc.shape == x.shape
    np.testing.assert_array_equal(enc[0], enc[1])  # the same for every sample
    for p in range(6):
        for i in range(8):
            angle = p / 10000 ** (2 * (i // 2) / 8)
            expected = np.sin(angle) if i % 2 == 0 else np.cos(angle)
            assert abs(enc[0, p, i] - expected) < 1e-6
    np.testing.assert_allclose(enc[0, 0], [0, 1] * 4)  # position 0: sin 0 = 0, cos 0 = 1
    shifted = SinePositionEncoding(max_wavelength=100)(x, start_index=3).numpy()
    assert abs(shifted[0, 0, 2] - np.sin(3 / 100 ** (2 / 8))) < 1e-6


def test_positional_embedding_adds_learned_positions_to_vectors():
    with backend.floatx_scope("float64"):
        layer = PositionalEmbedding(sequence_length=10)
        x = R.normal(size=(2, 4, 3))
        y = layer(Tensor(x)).numpy()
    table = layer.position_embedding.embeddings.numpy()
    assert table.shape == (10, 3) and len(layer.weights) == 1
    np.testing.assert_allclose(y, x + table[:4], rtol=1e-12)


def test_token_and_position_embedding_weights_and_mask():
    layer = TokenAndPositionEmbedding(vocabulary_size=30, sequence_length=12, embedding_dim=5,
                                      mask_zero=True)
    ids = np.array([[4, 7, 0, 0], [1, 2, 3, 0]])
    y = layer(ids)
    assert y.shape == (2, 4, 5)
    assert [(w.path, w.shape) for w in layer.weights] == [
        ("token_embedding/embeddings", (30, 5)), ("position_embedding/embeddings", (12, 5))]
    tokens, positions = (w.numpy() for w in layer.weights)
    np.testing.assert_allclose(y.numpy(), tokens[ids] + positions[:4], rtol=1e-6)
    np.testing.assert_array_equal(y._keras_mask, ids != 0)
    assert PositionalEmbedding(12, 30, 5)(ids)._keras_mask is None  # no mask_zero, no mask


def test_gradients_reach_both_tables_and_the_inputs():
    with backend.floatx_scope("float64"):
        ids = np.array([[1, 2, 2], [0, 3, 1]])
        layer = TokenAndPositionEmbedding(4, 5, 3)
        layer.build(ids.shape)
        result = grad_check(lambda: layer(ids) * layer(ids), wrt=layer.trainable_weights)
        assert result.ok, str(result)
        layer = PositionalEmbedding(6)
        layer.build((2, 4, 3))
        result = grad_check(lambda x: layer(x) ** 2, R.normal(size=(2, 4, 3)),
                            wrt=layer.trainable_weights)
        assert result.ok, str(result)


def test_config_and_errors():
    layer = TokenAndPositionEmbedding(100, 16, 8, mask_zero=True)
    config = layer.get_config()
    assert (config["vocabulary_size"], config["sequence_length"], config["embedding_dim"]) == (
        100, 16, 8)
    clone = TokenAndPositionEmbedding.from_config(config)
    assert clone.mask_zero and clone.input_dim == 100
    assert PositionalEmbedding.from_config(PositionalEmbedding(7, 50, 4).get_config()) \
        .sequence_length == 7
    assert SinePositionEncoding.from_config(
        SinePositionEncoding(500).get_config()).max_wavelength == 500
    with pytest.raises(ValueError, match="longer than sequence_length"):
        TokenAndPositionEmbedding(10, 3, 4)(np.ones((1, 5), int))
    with pytest.raises(ValueError, match="output_dim"):
        PositionalEmbedding(10, input_dim=5)
    with pytest.raises(ValueError, match="sequence_length"):
        PositionalEmbedding(0)
    with pytest.raises(ValueError, match="max_wavelength"):
        SinePositionEncoding(max_wavelength=0)
