"""Attention ops: seed 004's equations on small worked examples, masks, causality, dropout,
and finite-difference checks of the fused forward/backward (float64)."""

import numpy as np
import pytest

from saessak import Tensor, grad_check, ops

R = np.random.default_rng(3)


def f64(*arrays):
    """Tensors keep float64; bare NumPy arrays would join the default float32."""
    return [Tensor(np.asarray(a, np.float64)) for a in arrays]


def softmax_np(s, axis=-1):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention_np(q, k, v, allowed=None, scale=None):
    """An independent reference: loop over the queries, one at a time."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    out = np.zeros(q.shape[:-1] + (v.shape[-1],))
    weights = np.zeros(q.shape[:-1] + (k.shape[-2],))
    for idx in np.ndindex(q.shape[:-1]):
        lead = idx[:-1]
        s = k[lead] @ q[idx] * scale
        if allowed is not None:
            s = np.where(np.broadcast_to(allowed, weights.shape)[idx], s, -1e9)
        w = softmax_np(s)
        weights[idx] = w
        out[idx] = w @ v[lead]
    return out, weights


# --- seed 004, section 16.4: the basic self-attention, step by step ---------------------------

def test_basic_self_attention_on_a_worked_example():
    # three 2-d "word embeddings"
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    out, w = ops.basic_self_attention(Tensor(x))
    out, w = out.numpy(), w.numpy()
    omega = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 2]], float)  # x(i) . x(j) by hand
    expected_w = np.exp(omega) / np.exp(omega).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(w, expected_w, rtol=1e-6)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-6)  # each row sums to 1
    for i in range(3):  # o(i) = sum_j W_ij x(j)
        np.testing.assert_allclose(out[i], sum(w[i, j] * x[j] for j in range(3)), rtol=1e-6)
    # the last word is most similar to itself (2 > 1), so it gets the largest weight
    assert w[2].argmax() == 2


def test_qkv_attention_with_identity_projections_and_no_scale_is_the_basic_version():
    x = R.normal(size=(2, 5, 4))
    u = np.eye(4)  # U_q = U_k = U_v = I
    q, k, v = Tensor(x @ u), Tensor(x @ u), Tensor(x @ u)
    out, w = ops.scaled_dot_product_attention(q, k, v, scale=1.0)
    basic_out, basic_w = ops.basic_self_attention(Tensor(x))
    np.testing.assert_allclose(out.numpy(), basic_out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(w.numpy(), basic_w.numpy(), rtol=1e-6)


def test_scaled_dot_product_attention_against_a_numpy_loop():
    q, k, v = R.normal(size=(2, 3, 4, 5)), R.normal(size=(2, 3, 6, 5)), R.normal(size=(2, 3, 6, 7))
    out, w = ops.scaled_dot_product_attention(*f64(q, k, v))  # scale 1/sqrt(5) by default
    ref_out, ref_w = attention_np(q, k, v)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.numpy(), ref_w, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.numpy().sum(-1), 1.0, rtol=1e-12)


def test_float32_stays_float32_and_large_scores_do_not_overflow():
    q = (R.normal(size=(1, 4, 8)) * 1000).astype(np.float32)
    out, w = ops.scaled_dot_product_attention(q, q, q)
    assert out.dtype == np.float32 and w.dtype == np.float32
    assert np.isfinite(out.numpy()).all()
    np.testing.assert_allclose(w.numpy().sum(-1), 1.0, rtol=1e-5)


# --- masks -------------------------------------------------------------------------------------

def test_masked_keys_get_zero_weight_like_keras_minus_1e9():
    q, k, v = R.normal(size=(2, 4, 3)), R.normal(size=(2, 5, 3)), R.normal(size=(2, 5, 2))
    allowed = R.random((2, 4, 5)) > 0.4
    allowed[:, :, 0] = True  # every query can see at least one key
    out, w = ops.scaled_dot_product_attention(*f64(q, k, v), mask=allowed)
    ref_out, ref_w = attention_np(q, k, v, allowed)
    np.testing.assert_allclose(w.numpy(), ref_w, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-10, atol=1e-12)
    assert (w.numpy()[~allowed] == 0).all()


def test_a_query_that_sees_nothing_spreads_its_weight_evenly():
    # Keras replaces every masked score by -1e9; a fully masked row is then uniform.
    q, k, v = R.normal(size=(1, 2, 3)), R.normal(size=(1, 4, 3)), R.normal(size=(1, 4, 2))
    allowed = np.array([[[True, True, False, False], [False, False, False, False]]])
    _, w = ops.scaled_dot_product_attention(*f64(q, k, v), mask=allowed)
    np.testing.assert_allclose(w.numpy()[0, 1], 0.25)


def test_causal_mask_is_lower_triangular():
    m = ops.causal_mask(3, 4)
    np.testing.assert_array_equal(m, [[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]])


def test_causal_attention_never_reads_the_future():
    x = R.normal(size=(2, 6, 4))
    out1, w1 = ops.scaled_dot_product_attention(*f64(x, x, x), causal=True)
    changed = x.copy()
    changed[:, 4:] = R.normal(size=(2, 2, 4)) * 10  # rewrite the last two steps
    out2, _ = ops.scaled_dot_product_attention(*f64(changed, changed, changed), causal=True)
    np.testing.assert_allclose(out1.numpy()[:, :4], out2.numpy()[:, :4], rtol=1e-12)
    assert not np.allclose(out1.numpy()[:, 4:], out2.numpy()[:, 4:])
    assert (np.triu(w1.numpy(), k=1) == 0).all()


def test_masked_softmax_matches_reference_and_ignores_masked_scores():
    s = R.normal(size=(2, 3, 4))
    allowed = R.random((2, 3, 4)) > 0.3
    allowed[..., 0] = True
    w = ops.masked_softmax(Tensor(s), allowed).numpy()
    np.testing.assert_allclose(w, softmax_np(np.where(allowed, s, -1e9)), rtol=1e-12)
    s2 = np.where(allowed, s, 123.0)  # masked scores may hold anything
    np.testing.assert_allclose(ops.masked_softmax(Tensor(s2), allowed).numpy(), w, rtol=1e-12)


# --- dropout -----------------------------------------------------------------------------------

def test_dropout_on_weights_is_off_at_inference_and_repeatable_with_a_seed():
    q, k, v = R.normal(size=(2, 5, 3)), R.normal(size=(2, 5, 3)), R.normal(size=(2, 5, 3))
    plain, _ = ops.scaled_dot_product_attention(q, k, v)
    inference, _ = ops.scaled_dot_product_attention(q, k, v, dropout=0.5, training=False)
    np.testing.assert_array_equal(plain.numpy(), inference.numpy())
    a, w = ops.scaled_dot_product_attention(q, k, v, dropout=0.5, training=True, seed=7)
    b, _ = ops.scaled_dot_product_attention(q, k, v, dropout=0.5, training=True, seed=7)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), plain.numpy())
    # the returned weights are those before dropout: rows still sum to 1
    np.testing.assert_allclose(w.numpy().sum(-1), 1.0)
    # inverted dropout keeps the expected output: average over many draws
    draws = [ops.scaled_dot_product_attention(q, k, v, dropout=0.5, training=True,
                                              seed=s)[0].numpy() for s in range(400)]
    np.testing.assert_allclose(np.mean(draws, axis=0), plain.numpy(), atol=0.15)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="expected q"):
        ops.scaled_dot_product_attention(np.ones((2, 3, 4)), np.ones((2, 3, 5)), np.ones((2, 3, 5)))
    with pytest.raises(ValueError, match="dropout"):
        ops.scaled_dot_product_attention(np.ones((1, 2, 2)), np.ones((1, 2, 2)),
                                         np.ones((1, 2, 2)), dropout=1.0)


# --- gradients ---------------------------------------------------------------------------------

QKV = (R.normal(size=(2, 2, 3, 4)), R.normal(size=(2, 2, 5, 4)), R.normal(size=(2, 2, 5, 3)))
MASK = R.random((2, 1, 3, 5)) > 0.3
MASK[0, 0, 1] = False  # one query that sees nothing


@pytest.mark.parametrize("kwargs", [
    {},
    {"mask": MASK},
    {"causal": True},
    {"mask": MASK, "causal": True},
    {"dropout": 0.4, "training": True, "seed": 11},
    {"scale": 0.7},
], ids=["plain", "mask", "causal", "mask+causal", "dropout", "scale"])
def test_scaled_dot_product_attention_gradients(kwargs):
    # both outputs (values and weights) feed the checked objective
    result = grad_check(lambda q, k, v: ops.scaled_dot_product_attention(q, k, v, **kwargs),
                        *QKV)
    assert result.ok, str(result)
    result = grad_check(lambda q, k, v: ops.scaled_dot_product_attention(
        q, k, v, need_weights=False, **kwargs)[0], *QKV)
    assert result.ok, str(result)


def test_masked_softmax_and_basic_self_attention_gradients():
    s = R.normal(size=(2, 3, 5))
    result = grad_check(lambda s: ops.masked_softmax(s, MASK[:, 0], causal=True), s)
    assert result.ok, str(result)
    result = grad_check(lambda x: ops.basic_self_attention(x), R.normal(size=(2, 4, 3)))
    assert result.ok, str(result)


def test_attention_dropout_gradient_and_identity_at_inference():
    x = R.normal(size=(3, 4))
    np.testing.assert_array_equal(ops.attention_dropout(Tensor(x), 0.5).numpy(), x)
    result = grad_check(lambda x: ops.attention_dropout(x, 0.5, True, seed=2), x)
    assert result.ok, str(result)


# --- layer norm and RMS norm ops -------------------------------------------------------------

def layer_norm_np(x, gamma, beta, axes, eps):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def test_layer_norm_and_rms_norm_match_numpy():
    x = R.normal(size=(2, 3, 4)) * 3 + 1
    g, b = R.normal(size=4), R.normal(size=4)
    np.testing.assert_allclose(ops.layer_norm(Tensor(x), g, b).numpy(),
                               layer_norm_np(x, g, b, -1, 1e-3), rtol=1e-10)
    g2 = R.normal(size=(3, 4))
    np.testing.assert_allclose(ops.layer_norm(Tensor(x), g2, None, axis=(1, 2),
                                              epsilon=1e-5).numpy(),
                               layer_norm_np(x, g2, 0, (1, 2), 1e-5), rtol=1e-10)
    rms = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * g
    np.testing.assert_allclose(ops.rms_norm(Tensor(x), g).numpy(), rms, rtol=1e-10)


@pytest.mark.parametrize("axis", [-1, 1, (1, 2)])
def test_layer_norm_gradients(axis):
    x = R.normal(size=(2, 3, 4))
    shape = (3, 4) if axis == (1, 2) else (x.shape[axis],)
    g, b = R.normal(size=shape), R.normal(size=shape)
    result = grad_check(lambda x, g, b: ops.layer_norm(x, g, b, axis=axis), x, g, b)
    assert result.ok, str(result)
    result = grad_check(lambda x: ops.layer_norm(x, axis=axis), x)  # no gamma, no beta
    assert result.ok, str(result)
    result = grad_check(lambda x, g: ops.rms_norm(x, g, axis=axis), x, g)
    assert result.ok, str(result)


def test_a_one_dimensional_key_mask_applies_to_every_query():
    rng = np.random.default_rng(3)
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    keys = np.array([True, False, True])
    one_d = ops.scaled_dot_product_attention(q, q, q, mask=keys)
    full = ops.scaled_dot_product_attention(q, q, q, mask=np.broadcast_to(keys, (2, 3, 3)))
    np.testing.assert_array_equal(one_d[0].numpy(), full[0].numpy())
    assert np.all(one_d[1].numpy()[..., 1] == 0)  # the masked key gets no weight
