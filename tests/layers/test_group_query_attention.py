"""GroupQueryAttention: Keras's weights and sublayer names, the computation against NumPy
written here (heads sharing key/value heads, gate, sliding window, masks), equality with
MultiHeadAttention when every head has its own keys, no leakage from the future, dropout,
gradients, configs, errors, and models saved by Keras 3 (scripts/make_layer3d_fixtures.py)
that must predict as Keras."""

import os
import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import Tensor, backend, grad_check
from saessak.layers import Embedding, MultiHeadAttention
from saessak.layers.attention.group_query_attention import (
    GroupedQueryAttention,
    GroupQueryAttention,
)
from saessak.layers.serialization import LAYERS

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
R = np.random.default_rng(17)


@pytest.fixture(autouse=True)
def _float64():
    with backend.floatx_scope("float64"):
        yield


def softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def gqa_np(layer, query, value, key=None, allowed=None):
    """Query head h attends with key/value head h // (H / G): scores q k^T / sqrt(d),
    softmax over the allowed keys, the weighted values, a sigmoid gate when the layer has
    one, then the output projection of the heads joined."""
    key = value if key is None else key
    get = {w.path: w.numpy() for w in layer.weights}

    def proj(name, x):
        y = np.einsum("btm,mhd->bthd", x, get[f"{name}/kernel"])
        return y + get[f"{name}/bias"] if layer.use_bias else y

    q, k, v = proj("query", query), proj("key", key), proj("value", value)
    repeats = layer.num_query_heads // layer.num_key_value_heads
    heads = []
    for h in range(layer.num_query_heads):
        g = h // repeats
        s = q[:, :, h] @ np.swapaxes(k[:, :, g], -1, -2) / np.sqrt(layer.head_dim)
        if allowed is not None:
            s = np.where(allowed, s, -1e9)
        heads.append(softmax(s) @ v[:, :, g])
    z = np.stack(heads, axis=2)  # (batch, Tq, H, d)
    if layer.use_gate:
        z = z / (1 + np.exp(-proj("gate", query)))
    out = np.einsum("bthd,hdm->btm", z, get["attention_output/kernel"])
    return out + get["attention_output/bias"] if layer.use_bias else out


def test_keras_weights_sublayer_attributes_and_count():
    layer = GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2,
                                use_gate=True)
    layer(Tensor(R.normal(size=(1, 5, 6))), Tensor(R.normal(size=(1, 7, 6))),
          Tensor(R.normal(size=(1, 7, 8))))
    assert [(w.path, w.shape) for w in layer.weights] == [
        ("query/kernel", (6, 4, 3)), ("query/bias", (4, 3)),
        ("key/kernel", (8, 2, 3)), ("key/bias", (2, 3)),
        ("gate/kernel", (6, 4, 3)), ("gate/bias", (4, 3)),
        ("value/kernel", (6, 2, 3)), ("value/bias", (2, 3)),
        ("attention_output/kernel", (4, 3, 6)), ("attention_output/bias", (6,))]
    # the attributes Keras 3 files the sublayers under
    assert [layer._query_dense.name, layer._key_dense.name, layer._gate_dense.name,
            layer._value_dense.name, layer._output_dense.name] == [
        "query", "key", "gate", "value", "attention_output"]
    small = GroupQueryAttention(2, 4, 1, use_bias=False)
    small.build((None, 3, 8), (None, 3, 8))
    assert small.count_params() == 8 * 8 + 8 * 2 * 2 + 8 * 8
    assert small.name.startswith("grouped_query_attention")  # Keras's default name


@pytest.mark.parametrize("kv_heads", [1, 2, 4])
def test_matches_numpy(kv_heads):
    q, v, k = R.normal(size=(2, 3, 6)), R.normal(size=(2, 5, 6)), R.normal(size=(2, 5, 4))
    layer = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=kv_heads,
                                bias_initializer="random_normal")
    out, scores = layer(Tensor(q), Tensor(v), Tensor(k), return_attention_scores=True)
    assert out.shape == (2, 3, 6) and scores.shape == (2, 4, 3, 5)
    np.testing.assert_allclose(out.numpy(), gqa_np(layer, q, v, k), rtol=1e-10)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0)
    np.testing.assert_array_equal(layer.last_attention_weights, scores.numpy())
    if kv_heads == 1:  # multi-query: every head's scores come from one key head
        assert not np.allclose(scores.numpy()[:, 0], scores.numpy()[:, 1])


def test_gate_and_no_bias_match_numpy():
    x = R.normal(size=(2, 4, 5))
    layer = GroupQueryAttention(3, 6, 3, use_gate=True, use_bias=False)
    out = layer(Tensor(x), Tensor(x)).numpy()
    np.testing.assert_allclose(out, gqa_np(layer, x, x), rtol=1e-10)
    assert len(layer.weights) == 5


def test_as_many_key_heads_as_query_heads_is_multi_head_attention():
    x, y = R.normal(size=(2, 4, 6)), R.normal(size=(2, 5, 6))
    gqa = GroupQueryAttention(head_dim=3, num_query_heads=2, num_key_value_heads=2,
                              bias_initializer="random_normal")
    mha = MultiHeadAttention(num_heads=2, key_dim=3)
    gqa(Tensor(x), Tensor(y))
    mha(Tensor(x), Tensor(y))
    mha.set_weights(gqa.get_weights())  # the same layout, in the same order
    np.testing.assert_allclose(gqa(Tensor(x), Tensor(y)).numpy(),
                               mha(Tensor(x), Tensor(y)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(gqa(Tensor(x), Tensor(x), use_causal_mask=True).numpy(),
                               mha(Tensor(x), Tensor(x), use_causal_mask=True).numpy(),
                               rtol=1e-12)


def test_masks_sliding_window_and_causal():
    x = R.normal(size=(2, 6, 4))
    pad = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
    explicit = R.random((2, 6, 6)) > 0.3
    explicit[:, np.arange(6), np.arange(6)] = True  # every query may see itself
    layer = GroupQueryAttention(2, 4, 2, sliding_window=2)
    xt = Tensor(x)
    xt._keras_mask = pad  # as if from Embedding(mask_zero=True)
    out = layer(xt, xt, attention_mask=explicit, use_causal_mask=True)
    i, j = np.arange(6)[:, None], np.arange(6)[None]
    band = (np.abs(i - j) < 2) & (j <= i)
    allowed = pad[:, :, None] & pad[:, None, :] & explicit & band
    np.testing.assert_allclose(out.numpy(), gqa_np(layer, x, x, allowed=allowed), rtol=1e-10)
    np.testing.assert_array_equal(out._keras_mask, pad)  # the query's mask goes on
    # only the window: the scores are zero outside the band |i - j| < 2
    window = GroupQueryAttention(2, 2, 1, sliding_window=2)
    _, scores = window(Tensor(x), Tensor(x), return_attention_scores=True)
    assert not scores.numpy()[:, :, np.abs(i - j) >= 2].any()
    assert (scores.numpy()[:, :, np.abs(i - j) < 2] > 0).all()
    # an attention mask without the batch axis broadcasts over it
    two_d = layer(Tensor(x), Tensor(x), attention_mask=explicit[0])
    np.testing.assert_allclose(two_d.numpy(),
                               gqa_np(layer, x, x, allowed=explicit[0] & (np.abs(i - j) < 2)),
                               rtol=1e-10)


def test_causal_mask_prevents_leakage_from_future_tokens():
    layer = GroupQueryAttention(2, 4, 1)
    x = R.normal(size=(2, 7, 8))
    before = layer(Tensor(x), Tensor(x), use_causal_mask=True).numpy()
    later = x.copy()
    later[:, 4:] = R.normal(size=(2, 3, 8)) * 5
    after = layer(Tensor(later), Tensor(later), use_causal_mask=True).numpy()
    np.testing.assert_allclose(after[:, :4], before[:, :4], rtol=1e-12)
    assert not np.allclose(after[:, 4:], before[:, 4:])


def test_dropout_is_off_at_inference_and_seeded_in_training():
    x = Tensor(R.normal(size=(2, 5, 4)))
    a, b = (GroupQueryAttention(2, 4, 2, dropout=0.5, seed=4) for _ in range(2))
    a(x, x)
    b(x, x)
    b.set_weights(a.get_weights())
    np.testing.assert_allclose(a(x, x).numpy(), gqa_np(a, x.numpy(), x.numpy()), rtol=1e-10)
    np.testing.assert_array_equal(a(x, x, training=True).numpy(),
                                  b(x, x, training=True).numpy())
    assert not np.allclose(a(x, x, training=True).numpy(), a(x, x).numpy())


@pytest.mark.parametrize("kwargs", [
    {}, {"use_causal_mask": True}, {"masks": True}, {"training": True}, {"cross": True}],
    ids=["plain", "causal", "padding+explicit", "dropout", "cross+key"])
def test_gradients(kwargs):
    kwargs = dict(kwargs)
    cross, masks = kwargs.pop("cross", False), kwargs.pop("masks", False)
    layer = GroupQueryAttention(2, 4, 2, dropout=0.3, use_gate=True, sliding_window=3,
                                seed=0, bias_initializer="random_normal")
    q = R.normal(size=(2, 4, 3))
    v = R.normal(size=(2, 5, 3)) if cross else q
    k = R.normal(size=(2, 5, 2)) if cross else None
    layer.build(q.shape, v.shape, None if k is None else k.shape)
    if masks:
        kwargs["value_mask"] = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
        kwargs["attention_mask"] = np.array([[[1, 0, 1, 1]] * 4, [[1, 1, 1, 1]] * 4], bool)

    def fn(*inputs):
        layer._rng = backend.make_rng(9)  # the same dropout draw in every evaluation
        query = inputs[0]
        value = inputs[1] if cross else query
        key = inputs[2] if cross else None
        return layer(query, value, key, **kwargs)

    inputs = (q, v, k) if cross else (q,)
    result = grad_check(fn, *inputs, wrt=layer.trainable_weights, max_checks=10)
    assert result.ok, str(result)


def test_names_and_registry():
    assert GroupQueryAttention is GroupedQueryAttention
    assert LAYERS.lookup("GroupQueryAttention") is GroupedQueryAttention
    assert LAYERS.lookup("GroupedQueryAttention") is GroupedQueryAttention


def test_config_round_trip_with_keras_keys():
    layer = GroupQueryAttention(head_dim=4, num_query_heads=6, num_key_value_heads=3,
                                dropout=0.1, use_bias=False, sliding_window=5, use_gate=True,
                                kernel_initializer="he_normal", seed=3, name="gqa")
    config = layer.get_config()
    keras_keys = {"head_dim", "num_query_heads", "num_key_value_heads", "use_bias",
                  "use_gate", "sliding_window", "dropout", "kernel_initializer",
                  "bias_initializer", "kernel_regularizer", "bias_regularizer",
                  "activity_regularizer", "kernel_constraint", "bias_constraint", "seed"}
    assert set(config) - {"name", "trainable", "dtype"} == keras_keys
    copy = GroupQueryAttention.from_config(config)
    assert copy.get_config() == config
    x = R.normal(size=(1, 3, 5))
    layer(Tensor(x), Tensor(x))
    copy(Tensor(x), Tensor(x))
    copy.set_weights(layer.get_weights())
    np.testing.assert_array_equal(copy(Tensor(x), Tensor(x)).numpy(),
                                  layer(Tensor(x), Tensor(x)).numpy())
    rebuilt = keras.layers.deserialize({"class_name": "GroupQueryAttention",
                                        "config": config})
    assert isinstance(rebuilt, GroupedQueryAttention) and rebuilt.num_key_value_heads == 3


def test_in_a_model_saved_and_loaded_by_saessak(tmp_path):
    pytest.importorskip("h5py")
    ids = keras.Input((5,), dtype="int32")
    x = Embedding(9, 6, mask_zero=True)(ids)
    out = GroupQueryAttention(3, 4, 2)(x, x, use_causal_mask=True)
    model = keras.Model(ids, out)
    assert model.output_shape == (None, 5, 6)
    data = R.integers(0, 9, size=(3, 5))
    path = str(tmp_path / "gqa.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(data, verbose=0), model.predict(data, verbose=0))


def test_clear_errors():
    with pytest.raises(ValueError, match=r"num_query_heads \(6\) must be divisible by "
                                         r"num_key_value_heads \(4\)"):
        GroupQueryAttention(2, 6, 4)
    for arg in ({"head_dim": 0}, {"num_query_heads": -2}, {"num_key_value_heads": 1.5}):
        args = {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2, **arg}
        with pytest.raises(ValueError, match=f"{next(iter(arg))} must be a positive integer"):
            GroupQueryAttention(**args)
    with pytest.raises(ValueError, match="sliding_window must be None or a positive"):
        GroupQueryAttention(2, 4, 2, sliding_window=0)
    with pytest.raises(ValueError, match="dropout must be a number in"):
        GroupQueryAttention(2, 4, 2, dropout=1.0)
    with pytest.raises(ValueError, match="dropout cannot be used with flash_attention"):
        GroupQueryAttention(2, 4, 2, dropout=0.1, flash_attention=True)
    layer = GroupQueryAttention(2, 4, 2)
    x = Tensor(R.normal(size=(1, 3, 4)))
    with pytest.raises(TypeError, match=r"call it as layer\(query, value\)"):
        layer(x)
    layer(x, x)
    with pytest.raises(ValueError, match=r"expected value of shape \(batch, time, 4\)"):
        layer(x, Tensor(R.normal(size=(1, 3, 5))))
    with pytest.raises(ValueError, match="attention_mask must be"):
        layer(x, x, attention_mask=np.ones((1, 4, 3, 3), bool))
    with pytest.raises(ValueError, match="expected query of shape"):
        GroupQueryAttention(2, 4, 2)(Tensor(np.ones((3, 4))), Tensor(np.ones((3, 4))))
    with pytest.raises(ValueError, match="same last size"):
        layer.compute_output_shape((None, 3, 4), (None, 3, 5))


def _load(name):
    pytest.importorskip("h5py")
    with np.load(os.path.join(FIXTURES, f"more_{name}.npz")) as data:
        ref = {k: data[k] for k in data.files}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.models.load_model(os.path.join(FIXTURES, f"more_{name}.keras"))
    return model, ref


def test_keras_model_predicts_as_keras():
    """Cross-attention with a separate key of another width (4 query heads, 2 key/value);
    self-attention with a gate, no biases, a sliding window of 2 and the causal mask (3
    query heads, 1 key/value); plain self-attention (2 and 2)."""
    model, ref = _load("gqa")
    layers = [lay for lay in model.layers if isinstance(lay, GroupedQueryAttention)]
    assert [(lay.num_query_heads, lay.num_key_value_heads, lay.use_gate, lay.use_bias,
             lay.sliding_window) for lay in layers] == [
        (4, 2, False, True, None), (3, 1, True, False, 2), (2, 2, False, True, None)]
    y = model.predict([ref["x_0"], ref["x_1"]], verbose=0)
    assert y.shape == (2, 5, 8)
    np.testing.assert_allclose(y.astype("float32"), ref["keras3"], rtol=1e-5, atol=1e-5)


def test_keras_padded_model_predicts_as_keras():
    """Embedding(mask_zero=True) then self-attention: the padding masks the keys (and
    the padded queries, which see nothing, spread their weight evenly as in Keras)."""
    model, ref = _load("gqa_masked")
    assert (ref["x"] == 0).any()
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0).astype("float32"),
                               ref["keras3"], rtol=1e-5, atol=1e-5)


def test_keras3_files_name_it_as_keras_exports_it(tmp_path):
    """Keras 3's class is GroupedQueryAttention but its files say GroupQueryAttention (the
    exported name, which Keras 3.15 loads back; checked by hand)."""
    import json
    import zipfile

    pytest.importorskip("h5py", reason=".keras files need h5py (saessak[h5])")
    model = keras.models.load_model(os.path.join(FIXTURES, "more_gqa.keras"))
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        layers = json.loads(archive.read("config.json"))["config"]["layers"]
    assert "GroupQueryAttention" in [layer["class_name"] for layer in layers]
