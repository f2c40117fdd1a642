"""Seed 004, section 16.4: self-attention, step by step.

Basic self-attention has no weights of its own. For a sequence x(0) .. x(T) of d-vectors:

1. similarity of every element with every other: omega_ij = x(i) . x(j)
2. a softmax over j turns each row into weights that add up to 1: W_ij
3. each output is the weighted sum of the whole sequence: o(i) = sum_j W_ij x(j)

The transformer's version first projects the inputs to queries q = Uq x, keys k = Uk x and
values v = Uv x, uses omega_ij = q(i) . k(j), and divides by sqrt(m) before the softmax so
that longer vectors do not push the softmax into saturation. Multi-head attention runs
several of these side by side and mixes their outputs with one more matrix.

We compute each on a small "sentence" of random 16-d word vectors three ways: with NumPy
written out, with ``saessak.ops`` (``basic_self_attention``, ``scaled_dot_product_attention``)
and, for the projected version, with ``saessak.layers.MultiHeadAttention`` given the same
matrices. All must agree.

    python examples/s004_self_attention.py
"""

import numpy as np
from _common import RESULTS, cli

import saessak
from saessak.layers import MultiHeadAttention


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def main(epochs=None, quick=False, data_dir=None, out_dir=RESULTS, seed=1):
    rng = np.random.default_rng(seed)
    sentence = "Can you help me to translate this sentence".split()
    d, m = 16, 16
    x = rng.normal(size=(len(sentence), d))                # one embedding per word

    # -- 1. basic self-attention, by hand
    omega = x @ x.T                                        # (T, T) dot products
    weights = softmax(omega)                               # rows add up to 1
    outputs = weights @ x                                  # (T, d)
    print("row sums of the attention weights:", np.round(weights.sum(axis=1), 6))
    lib_out, lib_w = saessak.ops.basic_self_attention(saessak.tensor(x))
    diff_basic = max(np.abs(lib_out.numpy() - outputs).max(), np.abs(lib_w.numpy() - weights).max())
    print(f"basic self-attention: saessak.ops differs by {diff_basic:.1e}")

    # -- 2. with query, key and value projections, scaled by 1/sqrt(m)
    u_q, u_k, u_v = (rng.normal(size=(m, d)) for _ in range(3))
    q, k, v = x @ u_q.T, x @ u_k.T, x @ u_v.T              # q(i) = Uq x(i), ...
    scaled = softmax(q @ k.T / np.sqrt(m))
    context = scaled @ v
    word = sentence.index("translate")
    top = np.argsort(scaled[word])[::-1][:3]
    print(f"'{sentence[word]}' attends most to: {[sentence[j] for j in top]}")
    lib_ctx, lib_scaled = saessak.ops.scaled_dot_product_attention(
        saessak.tensor(q), saessak.tensor(k), saessak.tensor(v))
    diff_scaled = max(np.abs(lib_ctx.numpy() - context).max(),
                      np.abs(lib_scaled.numpy() - scaled).max())
    print(f"scaled dot-product attention: saessak.ops differs by {diff_scaled:.1e}")

    # -- 3. the same as a one-head MultiHeadAttention layer (Keras weight layout)
    with saessak.backend.floatx_scope("float64"):
        layer = MultiHeadAttention(num_heads=1, key_dim=m, use_bias=False)
        layer(x[None], x[None])                            # build the weights
        shapes = [w.shape for w in layer.get_weights()]
        eye = np.eye(d).reshape(shapes[-1])                # output projection: identity
        layer.set_weights([u_q.T.reshape(shapes[0]), u_k.T.reshape(shapes[1]),
                           u_v.T.reshape(shapes[2]), eye])
        mha = np.asarray(layer(x[None], x[None]).numpy())[0]
    diff_layer = float(np.abs(mha - context).max())
    print(f"MultiHeadAttention(num_heads=1) differs by {diff_layer:.1e}")
    difference = float(max(diff_basic, diff_scaled, diff_layer))
    return {"max_abs_diff": difference, "top_words_for_translate": [sentence[j] for j in top]}


if __name__ == "__main__":
    cli(main, __doc__.splitlines()[0])
