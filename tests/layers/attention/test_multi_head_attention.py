"""MultiHeadAttention: Keras weight layout, the computation against NumPy written here,
masks (padding, explicit, causal), no leakage from the future, and gradient checks."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.layers import MultiHeadAttention

R = np.random.default_rng(31)


@pytest.fixture(autouse=True)
def _float64():
    with backend.floatx_scope("float64"):
        yield


def softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def mha_np(layer, query, value, key=None, allowed=None):
    """Seed 004's recipe: per head q = x U_q, k = x U_k, v = x U_v, softmax(q k^T/sqrt(m)) v,
    heads joined into z, then z W_o + b_o."""
    key = value if key is None else key
    wq, bq, wk, bk, wv, bv, wo, bo = (w.numpy() for w in layer.weights)
    heads = []
    for h in range(layer.num_heads):
        q = query @ wq[:, h] + bq[h]
        k = key @ wk[:, h] + bk[h]
        v = value @ wv[:, h] + bv[h]
        s = q @ np.swapaxes(k, -1, -2) / np.sqrt(layer.key_dim)
        if allowed is not None:
            s = np.where(allowed, s, -1e9)
        heads.append(softmax(s) @ v)
    z = np.concatenate(heads, axis=-1)  # (batch, Tq, heads * value_dim)
    return z @ wo.reshape(-1, wo.shape[-1]) + bo


def test_keras_weight_names_shapes_and_count():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, output_shape=7)
    layer(Tensor(R.normal(size=(1, 4, 6))), Tensor(R.normal(size=(1, 9, 8))))
    assert [(w.path, w.shape) for w in layer.weights] == [
        ("query/kernel", (6, 2, 3)), ("query/bias", (2, 3)),
        ("key/kernel", (8, 2, 3)), ("key/bias", (2, 3)),
        ("value/kernel", (8, 2, 5)), ("value/bias", (2, 5)),
        ("attention_output/kernel", (2, 5, 7)), ("attention_output/bias", (7,))]
    small = MultiHeadAttention(num_heads=2, key_dim=2)
    small.build((None, 3, 4), (None, 3, 4))
    assert small.count_params() == 4 * 20  # Keras prints 80 for this layer
    assert len(MultiHeadAttention(2, 2, use_bias=False)(np.ones((1, 3, 4)),
                                                       np.ones((1, 3, 4))).shape) == 3


def test_self_and_cross_attention_match_numpy():
    x = R.normal(size=(2, 5, 6))
    layer = MultiHeadAttention(num_heads=3, key_dim=2)
    out, scores = layer(Tensor(x), Tensor(x), return_attention_scores=True)
    np.testing.assert_allclose(out.numpy(), mha_np(layer, x, x), rtol=1e-10)
    assert scores.shape == (2, 3, 5, 5)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0)
    # cross-attention with a separate key, different widths and lengths
    q, v, k = R.normal(size=(2, 3, 6)), R.normal(size=(2, 4, 5)), R.normal(size=(2, 4, 7))
    cross = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)
    out = cross(Tensor(q), Tensor(v), Tensor(k))
    assert out.shape == (2, 3, 6)
    np.testing.assert_allclose(out.numpy(), mha_np(cross, q, v, k), rtol=1e-10)


def test_padding_masks_and_explicit_attention_mask_combine():
    x = R.normal(size=(2, 4, 6))
    pad = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    explicit = R.random((2, 4, 4)) > 0.3
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    xt = Tensor(x)
    xt._keras_mask = pad  # as if from Embedding(mask_zero=True)
    out = layer(xt, xt, attention_mask=explicit)
    allowed = pad[:, :, None] & pad[:, None, :] & explicit
    np.testing.assert_allclose(out.numpy(), mha_np(layer, x, x, allowed=allowed),
                               rtol=1e-10)
    np.testing.assert_array_equal(out._keras_mask, pad)  # compute_mask: the query mask
    # explicit masks given as arguments win over the tensors' own
    out2 = layer(Tensor(x), Tensor(x), query_mask=pad, value_mask=pad, attention_mask=explicit)
    np.testing.assert_allclose(out2.numpy(), out.numpy(), rtol=1e-12)


def test_causal_mask_prevents_leakage_from_future_tokens():
    layer = MultiHeadAttention(num_heads=2, key_dim=4)
    x = R.normal(size=(2, 7, 8))
    before = layer(Tensor(x), Tensor(x), use_causal_mask=True).numpy()
    later = x.copy()
    later[:, 4:] = R.normal(size=(2, 3, 8)) * 5
    after = layer(Tensor(later), Tensor(later), use_causal_mask=True).numpy()
    np.testing.assert_allclose(after[:, :4], before[:, :4], rtol=1e-12)  # the past is intact
    assert not np.allclose(after[:, 4:], before[:, 4:])
    # without the mask the past does change
    free = layer(Tensor(later), Tensor(later)).numpy()
    assert not np.allclose(free[:, :4], layer(Tensor(x), Tensor(x)).numpy()[:, :4])
    causal = np.tril(np.ones((7, 7), bool))
    np.testing.assert_allclose(before, mha_np(layer, x, x, allowed=causal), rtol=1e-10)


def test_dropout_is_off_at_inference_and_seeded_in_training():
    x = Tensor(R.normal(size=(2, 5, 4)))
    a, b = (MultiHeadAttention(2, 2, dropout=0.5, seed=4) for _ in range(2))
    a(x, x)
    b(x, x)
    b.set_weights(a.get_weights())
    np.testing.assert_allclose(a(x, x).numpy(), mha_np(a, x.numpy(), x.numpy()), rtol=1e-10)
    np.testing.assert_array_equal(a(x, x, training=True).numpy(),
                                  b(x, x, training=True).numpy())
    assert not np.allclose(a(x, x, training=True).numpy(), a(x, x).numpy())


@pytest.mark.parametrize("kwargs", [
    {},
    {"use_causal_mask": True},
    {"masks": True},
    {"training": True},
    {"cross": True},
], ids=["plain", "causal", "padding+explicit", "dropout", "cross+key"])
def test_gradients(kwargs):
    kwargs = dict(kwargs)
    cross = kwargs.pop("cross", False)
    masks = kwargs.pop("masks", False)
    layer = MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3, dropout=0.3, seed=0)
    q = R.normal(size=(2, 3, 4))
    v = R.normal(size=(2, 4, 3)) if cross else q
    k = R.normal(size=(2, 4, 5)) if cross else None
    layer.build(q.shape, v.shape, None if k is None else k.shape)
    if masks:
        kwargs["value_mask"] = np.array([[1, 1, 0], [1, 1, 1]], bool)
        kwargs["attention_mask"] = np.array([[[1, 0, 1]] * 3, [[1, 1, 1]] * 3], bool)

    def fn(*inputs):
        layer._rng = backend.make_rng(9)  # the same dropout draw in every evaluation
        query = inputs[0]
        value = inputs[1] if cross else query
        key = inputs[2] if cross else None
        return layer(query, value, key, return_attention_scores=True, **kwargs)

    inputs = (q, v, k) if cross else (q,)
    result = grad_check(fn, *inputs, wrt=layer.trainable_weights)
    assert result.ok, str(result)


def test_config_round_trip_and_errors():
    layer = MultiHeadAttention(num_heads=4, key_dim=8, value_dim=6, dropout=0.1,
                               output_shape=10, use_bias=False, name="mha")
    config = layer.get_config()
    clone = MultiHeadAttention.from_config(config)
    assert (clone.num_heads, clone.key_dim, clone.value_dim, clone.dropout, clone.use_bias) == \
        (4, 8, 6, 0.1, False)
    assert clone.compute_output_shape((None, 5, 16)) == (None, 5, 10)
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(NotImplementedError, match="attention_axes"):
        MultiHeadAttention(2, 2, attention_axes=(2, 3))
    with pytest.raises(TypeError, match="query, value"):
        MultiHeadAttention(2, 2)(np.ones((1, 3, 4)))
    layer = MultiHeadAttention(2, 2)
    layer(np.ones((1, 3, 4)), np.ones((1, 3, 4)))
    with pytest.raises(ValueError, match="expected value"):
        layer(np.ones((1, 3, 4)), np.ones((1, 3, 5)))


def test_fused_self_attention_projection_equals_three_separate_ones():
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    x = Tensor(R.normal(size=(2, 4, 5)))
    layer.build(x.shape)
    fused = layer(x, x)  # the same tensor three times: one matmul for q, k and v
    separate = layer(x, Tensor(x.numpy()))  # a copy: three matmuls
    np.testing.assert_allclose(fused.numpy(), separate.numpy(), rtol=1e-12)
    np.testing.assert_allclose(fused.numpy(), mha_np(layer, x.numpy(), x.numpy()), rtol=1e-10)
    result = grad_check(lambda x: layer(x, x, use_causal_mask=True), x.numpy(),
                        wrt=layer.trainable_weights)
    assert result.ok, str(result)
