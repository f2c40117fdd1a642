"""Transformer blocks: wiring checked against PyTorch's encoder layer (when installed) and
against the block's own sublayers, masks flowing from token embeddings, causal decoding,
gradient checks, and a one-block classifier that must learn a task only attention solves."""

import numpy as np
import pytest

import saessak
from saessak import Tensor, backend, grad_check, losses, ops, optimizers
from saessak.layers import (
    Dense,
    TokenAndPositionEmbedding,
    TransformerDecoder,
    TransformerEncoder,
)

R = np.random.default_rng(41)


def randomize(layer):
    """Weights away from the defaults (gamma 1, beta 0, zero biases) so all paths count."""
    layer.set_weights([R.normal(size=w.shape) * 0.5 + (1.0 if w.name == "gamma" else 0.0)
                       for w in layer.weights])


def test_encoder_is_post_norm_attention_then_mlp():
    with backend.floatx_scope("float64"):
        block = TransformerEncoder(num_heads=2, intermediate_dim=8, layer_norm_epsilon=1e-5)
        x = Tensor(R.normal(size=(2, 5, 6)))
        block.build(x.shape)
        randomize(block)
        y = block(x).numpy()
        # the same computation spelled out with the block's own sublayers
        h = block.self_attention_layer_norm(x + block.self_attention_layer(x, x))
        mlp = block.feedforward_output_dense(block.feedforward_intermediate_dense(h))
        expected = block.feedforward_layer_norm(h + mlp).numpy()
        np.testing.assert_allclose(y, expected, rtol=1e-12)
        block.norm_first = True
        h = x + block.self_attention_layer(*(2 * [block.self_attention_layer_norm(x)]))
        mlp = block.feedforward_output_dense(block.feedforward_intermediate_dense(
            block.feedforward_layer_norm(h)))
        np.testing.assert_allclose(block(x).numpy(), (h + mlp).numpy(), rtol=1e-12)


def copy_to_torch(torch, block, layer):
    d = block.hidden_dim
    mha = block.self_attention_layer
    proj = [mha.query_dense, mha.key_dense, mha.value_dense]

    def t(a):
        return torch.tensor(np.ascontiguousarray(a))

    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(t(np.concatenate(
            [p.kernel.numpy().reshape(d, d).T for p in proj])))
        layer.self_attn.in_proj_bias.copy_(t(np.concatenate(
            [p.bias.numpy().reshape(d) for p in proj])))
        layer.self_attn.out_proj.weight.copy_(t(mha.output_dense.kernel.numpy().reshape(d, d).T))
        layer.self_attn.out_proj.bias.copy_(t(mha.output_dense.bias.numpy()))
        for lin, dense in ((layer.linear1, block.feedforward_intermediate_dense),
                           (layer.linear2, block.feedforward_output_dense)):
            lin.weight.copy_(t(dense.kernel.numpy().T))
            lin.bias.copy_(t(dense.bias.numpy()))
        for norm, ours in ((layer.norm1, block.self_attention_layer_norm),
                           (layer.norm2, block.feedforward_layer_norm)):
            norm.weight.copy_(t(ours.gamma.numpy()))
            norm.bias.copy_(t(ours.beta.numpy()))


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_matches_pytorch_with_the_same_weights(norm_first):
    torch = pytest.importorskip("torch")
    with backend.floatx_scope("float64"):
        block = TransformerEncoder(num_heads=2, intermediate_dim=16, norm_first=norm_first)
        x = R.normal(size=(3, 6, 8))
        block.build(x.shape)
        randomize(block)
        pad = np.array([[1] * 6, [1] * 4 + [0] * 2, [1] * 5 + [0]], bool)
        y = block(Tensor(x), padding_mask=pad).numpy()
    layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                             batch_first=True, norm_first=norm_first).double()
    copy_to_torch(torch, block, layer)
    layer.eval()
    with torch.no_grad():
        ref = layer(torch.tensor(x), src_key_padding_mask=torch.tensor(~pad)).numpy()
    # PyTorch masks padded keys only; compare the real (unpadded) positions
    np.testing.assert_allclose(y[pad], ref[pad], rtol=1e-9, atol=1e-10)


def test_padding_mask_flows_from_token_embedding_and_hides_padding():
    saessak.set_random_seed(1)
    embed = TokenAndPositionEmbedding(vocabulary_size=20, sequence_length=8, embedding_dim=8,
                                      mask_zero=True)
    block = TransformerEncoder(num_heads=2, intermediate_dim=16)
    ids = np.array([[5, 6, 7, 0, 0], [3, 4, 0, 0, 0]])
    y = block(embed(ids))
    np.testing.assert_array_equal(y._keras_mask, ids != 0)  # compute_mask keeps the padding
    other = ids.copy()
    other[ids == 0] = 9  # change only what sits under the padding ...
    y_other = block(embed(Tensor(other)), padding_mask=ids != 0)
    # ... and the real tokens do not notice
    np.testing.assert_allclose(y_other.numpy()[ids != 0], y.numpy()[ids != 0], rtol=1e-5)


def test_decoder_is_causal_and_reads_the_encoder():
    saessak.set_random_seed(2)
    dec = TransformerDecoder(num_heads=2, intermediate_dim=16)
    target = R.normal(size=(2, 6, 8)).astype(np.float32)
    memory = R.normal(size=(2, 4, 8)).astype(np.float32)
    y = dec(target, memory).numpy()
    later = target.copy()
    later[:, 3:] = R.normal(size=(2, 3, 8))
    y_later = dec(later, memory).numpy()
    np.testing.assert_allclose(y_later[:, :3], y[:, :3], rtol=1e-5, atol=1e-6)
    assert not np.allclose(y_later[:, 3:], y[:, 3:])
    other_memory = dec(target, memory + 1.0).numpy()
    assert not np.allclose(other_memory, y)  # the cross-attention does read the encoder
    # two attentions (4 * (8*8 + 8) each), three norms (2 * 8), MLP 8*16+16 + 16*8+8
    assert dec.count_params() == 2 * 288 + 3 * 16 + 280


@pytest.mark.parametrize("kind,kwargs", [
    ("encoder", {}),
    ("encoder", {"norm_first": True, "use_causal_mask": True}),
    ("encoder", {"padding_mask": True}),
    ("encoder", {"dropout": 0.3, "training": True}),
    ("decoder", {"padding_mask": True}),
    ("decoder", {"norm_first": True, "dropout": 0.3, "training": True}),
], ids=["encoder", "encoder-prenorm-causal", "encoder-padding", "encoder-dropout",
        "decoder-padding", "decoder-prenorm-dropout"])
def test_gradients(kind, kwargs):
    kwargs = dict(kwargs)
    options = {k: kwargs.pop(k) for k in ("norm_first", "dropout") if k in kwargs}
    pad = np.array([[1, 1, 0], [1, 1, 1]], bool) if kwargs.pop("padding_mask", False) else None
    with backend.floatx_scope("float64"):
        x, memory = R.normal(size=(2, 3, 4)), R.normal(size=(2, 2, 4))
        if kind == "encoder":
            block = TransformerEncoder(2, 5, seed=0, **options)
            block.build(x.shape)
        else:
            block = TransformerDecoder(2, 5, seed=0, **options)
            block.build(x.shape, memory.shape)
        randomize(block)

        def fn(x, memory):
            for layer in [block] + block.layers:  # one dropout draw for every evaluation
                layer._rng = backend.make_rng(3)
            if kind == "encoder":
                return block(x, padding_mask=pad, **kwargs)
            return block(x, memory, decoder_padding_mask=pad, **kwargs)

        result = grad_check(fn, x, memory, wrt=block.trainable_weights, max_checks=12)
    assert result.ok, str(result)


def a_before_b(n, length, rng):
    """Token 1 (A) and token 2 (B) appear once each among fillers 3..7; label: A before B.
    Counting tokens cannot solve it: only comparing positions (attention) can."""
    x = rng.integers(3, 8, size=(n, length))
    for row in x:
        a, b = rng.choice(length, 2, replace=False)
        row[a], row[b] = 1, 2
    y = (np.argmax(x == 1, axis=1) < np.argmax(x == 2, axis=1)).astype(np.float32)
    return x, y


def test_one_block_transformer_learns_which_token_comes_first():
    saessak.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = a_before_b(2000, 10, rng)
    x_test, y_test = a_before_b(500, 10, rng)
    embed = TokenAndPositionEmbedding(8, 10, 16)
    block = TransformerEncoder(num_heads=2, intermediate_dim=32)
    head = Dense(1)

    def logits(x, training):
        return head(ops.mean(block(embed(x), training=training), axis=1))

    logits(x_train[:1], False)
    params = embed.trainable_weights + block.trainable_weights + head.trainable_weights
    opt = optimizers.Adam(learning_rate=3e-3)
    for _ in range(12):  # about two seconds
        order = rng.permutation(len(x_train))
        for i in range(0, len(x_train), 64):
            batch = order[i:i + 64]
            for p in params:
                p.grad = None
            loss = losses.binary_crossentropy(y_train[batch, None], logits(x_train[batch], True),
                                              from_logits=True)
            ops.mean(loss).backward()
            opt.step(params)
    with saessak.no_grad():
        accuracy = ((logits(x_test, False).numpy()[:, 0] > 0) == y_test).mean()
    assert accuracy >= 0.95, accuracy  # chance is 0.5


def test_config_and_errors():
    block = TransformerEncoder(num_heads=4, intermediate_dim=64, dropout=0.1, norm_first=True,
                               activation="gelu", layer_norm_epsilon=1e-6, name="enc")
    config = block.get_config()
    clone = TransformerEncoder.from_config(config)
    assert (clone.num_heads, clone.intermediate_dim, clone.dropout, clone.norm_first,
            clone.layer_norm_epsilon) == (4, 64, 0.1, True, 1e-6)
    assert TransformerEncoder(2, 8, normalize_first=True).norm_first is True
    assert block.compute_output_shape((None, 7, 16)) == (None, 7, 16)
    with pytest.raises(ValueError, match="num_heads"):
        TransformerEncoder(num_heads=0, intermediate_dim=8)
    with pytest.raises(ValueError, match="intermediate_dim"):
        TransformerDecoder(num_heads=2, intermediate_dim=-1)
    with pytest.raises(ValueError, match="dropout"):
        TransformerEncoder(2, 8, dropout=1.0)
    with pytest.raises(ValueError, match="batch, time, hidden_dim"):
        TransformerEncoder(2, 8)(np.ones((2, 3), np.float32))
    dec = TransformerDecoder(2, 8)
    dec(np.ones((1, 3, 4), np.float32))  # built without an encoder: no cross-attention
    with pytest.raises(ValueError, match="encoder"):
        dec(np.ones((1, 3, 4), np.float32), np.ones((1, 2, 4), np.float32))
