"""SequenceAttention, the seed-001 pooling attention: parameter count, the computation
against NumPy, masks, the stored weights, and float64 gradient checks."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.layers import LSTM, Embedding, SequenceAttention

R = np.random.default_rng(21)


def softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def luong_np(h, w, w_c, allowed=None):
    """Seed 001's attention, one review at a time."""
    outs, alphas = [], []
    for b in range(h.shape[0]):
        h_t = h[b, -1]  # the last hidden state is the query
        score = np.array([h_t @ (h[b, s] @ w) for s in range(h.shape[1])])  # h_T . W h_s
        if allowed is not None:
            score = np.where(allowed[b], score, -1e9)
        alpha = softmax(score)
        context = (alpha[:, None] * h[b]).sum(0)
        outs.append(np.tanh(np.concatenate([context, h_t]) @ w_c))
        alphas.append(alpha)
    return np.array(outs), np.array(alphas)


def test_seed_001_shapes_and_parameter_count():
    # LSTM(64, return_sequences=True) -> Attention(): (batch, 500, 64) -> (batch, 128)
    layer = SequenceAttention()
    layer.build((None, 500, 64))
    assert layer.units == 128
    assert layer.count_params() == 64 * 64 + 128 * 128 == 20480
    assert [(w.name, w.shape) for w in layer.weights] == [("kernel", (64, 64)),
                                                          ("kernel", (128, 128))]
    assert layer.compute_output_shape((None, 500, 64)) == (None, 128)
    bahdanau = SequenceAttention(units=32, score="bahdanau")
    bahdanau.build((None, 10, 8))
    assert bahdanau.count_params() == 8 * 8 + 8 * 8 + 8 + 16 * 32


def test_luong_computation_matches_numpy_and_weights_are_kept():
    with backend.floatx_scope("float64"):
        layer = SequenceAttention(units=5)
        h = R.normal(size=(3, 7, 4))
        out, alpha = layer(h, return_attention_scores=True)
    w, w_c = (x.numpy() for x in layer.weights)
    ref_out, ref_alpha = luong_np(h, w, w_c)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-10)
    np.testing.assert_allclose(alpha.numpy(), ref_alpha, rtol=1e-10)
    np.testing.assert_allclose(layer.last_attention_weights, ref_alpha, rtol=1e-10)
    np.testing.assert_allclose(layer.last_attention_weights.sum(-1), 1.0)


def test_bahdanau_computation_matches_numpy():
    with backend.floatx_scope("float64"):
        layer = SequenceAttention(units=3, score="bahdanau")
        h = R.normal(size=(2, 5, 4))
        out = layer(h).numpy()
    w1, w2, v, w_c = (x.numpy() for x in layer.weights)
    for b in range(2):
        h_t = h[b, -1]
        score = np.array([v[:, 0] @ np.tanh(h_t @ w1 + h[b, s] @ w2) for s in range(5)])
        alpha = softmax(score)
        context = alpha @ h[b]
        np.testing.assert_allclose(out[b], np.tanh(np.concatenate([context, h_t]) @ w_c),
                                   rtol=1e-10)


def test_padded_steps_get_no_weight_behind_embedding_and_lstm():
    ids = np.array([[0, 0, 3, 4, 5], [0, 7, 8, 9, 2]])  # pre-padded, as pad_sequences does
    x = Embedding(10, 6, mask_zero=True)(ids)
    h = LSTM(4, return_sequences=True)(x)
    layer = SequenceAttention(units=3)
    out = layer(h)
    assert out.shape == (2, 3)
    alpha = layer.last_attention_weights
    np.testing.assert_array_equal(alpha[ids == 0], 0.0)
    np.testing.assert_allclose(alpha.sum(-1), 1.0, rtol=1e-6)
    assert getattr(out, "_keras_mask", None) is None  # the time axis (and its mask) is gone


@pytest.mark.parametrize("score", ["luong", "bahdanau"])
@pytest.mark.parametrize("masked", [False, True])
def test_gradients(score, masked):
    with backend.floatx_scope("float64"):
        layer = SequenceAttention(units=3, score=score)
        h = R.normal(size=(2, 4, 3))
        layer.build(h.shape)
        mask = np.array([[False, True, True, True], [True, True, True, True]]) if masked \
            else None
        result = grad_check(lambda h: layer(h, mask=mask, return_attention_scores=True), h,
                            wrt=layer.trainable_weights)
    assert result.ok, str(result)


def test_config_and_errors():
    layer = SequenceAttention(units=16, score="bahdanau", name="att")
    config = layer.get_config()
    assert config["units"] == 16 and config["score"] == "bahdanau"
    assert SequenceAttention.from_config(config).units == 16
    with pytest.raises(ValueError, match="units"):
        SequenceAttention(units=0)
    with pytest.raises(ValueError, match="score"):
        SequenceAttention(score="dot")
    with pytest.raises(ValueError, match="batch, time, features"):
        SequenceAttention()(Tensor(np.ones((2, 4), np.float32)))
