"""Attention (Luong) and AdditiveAttention (Bahdanau): Keras semantics against NumPy written
here (use_scale, concat scores, masks as -1e9, query masks, causal masks), weights, config,
and float64 gradient checks with and without masks and dropout."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.layers import AdditiveAttention, Attention

R = np.random.default_rng(11)


def softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def reference(q, v, k, scores_fn, value_mask=None, query_mask=None, causal=False):
    """Keras's recipe, one batch entry and one query at a time."""
    out = np.zeros(q.shape[:2] + (v.shape[-1],))
    weights = np.zeros((q.shape[0], q.shape[1], k.shape[1]))
    for b in range(q.shape[0]):
        for i in range(q.shape[1]):
            s = np.array([scores_fn(q[b, i], k[b, j]) for j in range(k.shape[1])])
            allowed = np.ones(k.shape[1], bool)
            if value_mask is not None:
                allowed &= value_mask[b]
            if causal:
                allowed &= np.arange(k.shape[1]) <= i
            s = np.where(allowed, s, s - 1e9)  # Keras: masked scores pushed to -1e9
            weights[b, i] = softmax(s)
            out[b, i] = weights[b, i] @ v[b]
            if query_mask is not None and not query_mask[b, i]:
                out[b, i] = 0.0
    return out, weights


@pytest.fixture(autouse=True)
def _float64():
    """Layers made in these tests take float64 weights and inputs (exact comparisons)."""
    with backend.floatx_scope("float64"):
        yield


def f64(*arrays):
    return [Tensor(a) for a in arrays]


Q, V, K = R.normal(size=(2, 3, 4)), R.normal(size=(2, 5, 6)), R.normal(size=(2, 5, 4))
VALUE_MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
QUERY_MASK = np.array([[1, 1, 0], [1, 1, 1]], bool)


def build64(layer, shapes):
    layer.build(shapes)
    return layer


def test_dot_attention_without_scale_matches_numpy():
    layer = Attention()
    out, w = layer(f64(Q, V, K), return_attention_scores=True)
    ref_out, ref_w = reference(Q, V, K, lambda q, k: q @ k)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(w.numpy(), ref_w, rtol=1e-6, atol=1e-7)
    assert layer.weights == []  # no scale: nothing to learn
    np.testing.assert_allclose(layer.last_attention_weights, ref_w, rtol=1e-6, atol=1e-7)


def test_use_scale_learns_one_scalar_that_multiplies_the_scores():
    layer = build64(Attention(use_scale=True), [Q.shape, V.shape, K.shape])
    assert [(w.name, w.shape) for w in layer.weights] == [("scale", ())]
    assert float(layer.scale.numpy()) == 1.0  # Keras starts it at ones
    layer.set_weights([np.array(2.5)])
    out = layer(f64(Q, V, K)).numpy()
    ref_out, _ = reference(Q, V, K, lambda q, k: 2.5 * (q @ k))
    np.testing.assert_allclose(out, ref_out, rtol=1e-10)


def test_concat_score_mode():
    layer = build64(Attention(use_scale=True, score_mode="concat"), [Q.shape, V.shape, K.shape])
    assert [w.name for w in layer.weights] == ["scale", "concat_score_weight"]
    layer.set_weights([np.array(0.7), np.array(1.3)])
    out = layer(f64(Q, V, K)).numpy()
    ref_out, _ = reference(Q, V, K, lambda q, k: 1.3 * np.tanh(0.7 * (q + k)).sum())
    np.testing.assert_allclose(out, ref_out, rtol=1e-10)


def test_value_and_query_masks_follow_keras():
    layer = Attention()
    out, w = layer(f64(Q, V, K), mask=[QUERY_MASK, VALUE_MASK], return_attention_scores=True)
    ref_out, ref_w = reference(Q, V, K, lambda q, k: q @ k, VALUE_MASK, QUERY_MASK)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.numpy(), ref_w, rtol=1e-10, atol=1e-12)
    assert (w.numpy()[0, :, 3:] == 0).all()  # padded values get no weight
    np.testing.assert_array_equal(out._keras_mask, QUERY_MASK)  # the output keeps q's mask


def test_masks_are_read_from_the_inputs_keras_masks():
    q, v = f64(Q, V)
    q._keras_mask, v._keras_mask = QUERY_MASK, VALUE_MASK
    out = Attention()([q, v, Tensor(K)]).numpy()
    ref_out, _ = reference(Q, V, K, lambda a, b: a @ b, VALUE_MASK, QUERY_MASK)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)


def test_causal_mask_blocks_later_values():
    x = R.normal(size=(2, 4, 3))
    out, w = Attention()(f64(x, x), use_causal_mask=True, return_attention_scores=True)
    ref_out, _ = reference(x, x, x, lambda a, b: a @ b, causal=True)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-10, atol=1e-12)
    assert (np.triu(w.numpy()[0], 1) == 0).all()


def test_additive_attention_matches_numpy_and_keras_weights():
    layer = build64(AdditiveAttention(), [Q.shape, V.shape, K.shape])
    assert [(w.name, w.shape) for w in layer.weights] == [("scale", (4,))]
    scale = R.normal(size=4)
    layer.set_weights([scale])
    out = layer(f64(Q, V, K), mask=[None, VALUE_MASK]).numpy()
    ref_out, _ = reference(Q, V, K, lambda q, k: (scale * np.tanh(q + k)).sum(), VALUE_MASK)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)
    plain = AdditiveAttention(use_scale=False)
    ref_plain, _ = reference(Q, V, K, lambda q, k: np.tanh(q + k).sum())
    np.testing.assert_allclose(plain(f64(Q, V, K)).numpy(), ref_plain, rtol=1e-10)
    assert plain.weights == []


def test_dropout_only_in_training_and_repeatable_with_seed():
    x = R.normal(size=(2, 6, 4))
    a = Attention(dropout=0.5, seed=3)
    b = Attention(dropout=0.5, seed=3)
    np.testing.assert_array_equal(a([x, x]).numpy(), Attention()([x, x]).numpy())
    ya, yb = a([x, x], training=True).numpy(), b([x, x], training=True).numpy()
    np.testing.assert_array_equal(ya, yb)
    assert not np.allclose(ya, Attention()([x, x]).numpy())


@pytest.mark.parametrize("make,kwargs", [
    (lambda: Attention(), {}),
    (lambda: Attention(use_scale=True), {"mask": [QUERY_MASK, VALUE_MASK]}),
    (lambda: Attention(use_scale=True, score_mode="concat"), {"use_causal_mask": True}),
    (lambda: Attention(use_scale=True, dropout=0.3, seed=1),
     {"training": True, "mask": [None, VALUE_MASK]}),
    (lambda: AdditiveAttention(), {"mask": [QUERY_MASK, VALUE_MASK]}),
    (lambda: AdditiveAttention(dropout=0.3, seed=2), {"training": True}),
], ids=["dot", "scaled+masks", "concat+causal", "dropout", "additive+masks", "additive+dropout"])
def test_gradients(make, kwargs):
    # contiguous copies: grad_check perturbs its inputs in place through a flat view
    q, v, k = (np.ascontiguousarray(a) for a in (Q[:, :3], V[:, :4, :3], K[:, :4]))
    layer = build64(make(), [q.shape, v.shape, k.shape])
    if layer.weights:
        layer.set_weights([R.uniform(0.5, 1.5, size=w.shape) for w in layer.weights])
    masks = kwargs.get("mask")
    if masks is not None:
        kwargs = {**kwargs, "mask": [None if m is None else m[:, :n]
                                     for m, n in zip(masks, (3, 4))]}

    def fn(q, v, k):
        if "training" in kwargs:  # a fresh dropout draw per call would break the check
            layer._rng = backend.make_rng(5)
        return layer([q, v, k], return_attention_scores=True, **kwargs)

    result = grad_check(fn, q, v, k, wrt=layer.trainable_weights or None)
    assert result.ok, str(result)


def test_shapes_config_and_errors():
    layer = Attention(use_scale=True, score_mode="concat", dropout=0.1, name="att")
    assert layer.compute_output_shape([(None, 3, 4), (None, 5, 6)]) == (None, 3, 6)
    config = layer.get_config()
    assert {k: config[k] for k in ("use_scale", "score_mode", "dropout")} == {
        "use_scale": True, "score_mode": "concat", "dropout": 0.1}
    assert Attention.from_config(config).score_mode == "concat"
    assert "score_mode" not in AdditiveAttention().get_config()
    assert AdditiveAttention.from_config(AdditiveAttention(use_scale=False).get_config()) \
        .use_scale is False
    with pytest.raises(ValueError, match="score_mode"):
        Attention(score_mode="general")
    with pytest.raises(ValueError, match="dropout"):
        Attention(dropout=1.5)
    with pytest.raises(ValueError, match=r"\[query, value\]"):
        Attention()(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="mask"):
        Attention()([np.ones((2, 3, 4))] * 2, mask=np.ones((2, 3), bool))
