"""The optional compiled kernels of saessak.ops._fused_numba give the NumPy code's numbers.

Each case runs an op twice on the same float32 data, once through the compiled kernels and
once with them switched off (the NumPy reference path), and compares outputs and
gradients within float32 rounding; a float64 run of the NumPy path checks that the
compiled result is as close to the exact answer as the NumPy float32 one.
"""

import numpy as np
import pytest

from saessak import Tensor, ops
from saessak.ops import _fused_numba as fused

pytestmark = pytest.mark.skipif(not fused.ENABLED,
                                reason="numba (the 'fast' extra) not installed or disabled")


def ulp_distance(a, b):
    """How many float32 values lie between a and b (0: equal), for finite float32 arrays
    of one sign, or either sign via the ordered-integer view of the bits."""
    def ordered(x):
        i = np.ascontiguousarray(x, np.float32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    return np.abs(ordered(a) - ordered(b))


def run(fn, inputs, upstream, compiled, monkeypatch):
    """Outputs of ``fn(*tensors)`` and the gradients of sum(output * upstream) with respect
    to every input, with the compiled kernels on or off."""
    monkeypatch.setattr(fused, "ENABLED", compiled)
    tensors = [Tensor(x, requires_grad=True) for x in inputs]
    outs = fn(*tensors)
    outs = outs if isinstance(outs, tuple) else (outs,)
    loss = None
    for out, up in zip(outs, upstream):
        term = (out * Tensor(np.asarray(up, out.dtype))).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    monkeypatch.undo()
    return [o.numpy() for o in outs] + [t.grad for t in tensors]


def assert_compiled_matches(fn, inputs, upstream, monkeypatch, rtol=2e-5):
    """Compiled float32 == NumPy float32 within float32 rounding, and no further from the
    float64 answer than a small multiple of the NumPy float32 path's own error."""
    inputs32 = [np.asarray(x, np.float32) for x in inputs]
    compiled = run(fn, inputs32, upstream, True, monkeypatch)
    reference = run(fn, inputs32, upstream, False, monkeypatch)
    exact = run(fn, [x.astype(np.float64) for x in inputs32], upstream, False, monkeypatch)
    for c, r, e in zip(compiled, reference, exact):
        assert c.dtype == np.float32 and c.shape == r.shape
        scale = np.abs(e).max() + 1e-30  # errors relative to the array's size
        np.testing.assert_allclose(c, r, rtol=rtol, atol=rtol * scale)
        assert np.abs(c - e).max() <= 4 * np.abs(r - e).max() + 1e-6 * scale


# --- the float32 exp ---------------------------------------------------------------------------

def correctly_rounded_exp(x):
    with np.errstate(over="ignore"):
        return np.exp(x.astype(np.float64)).astype(np.float32)


def test_exp_is_within_one_ulp_on_a_dense_grid():
    # 3 million evenly spaced points across the whole range, plus the subnormal results
    # (x below -87.3) and the neighbourhood of 0, where the reduction is most delicate
    x = np.concatenate([np.linspace(-104, 89, 3_000_001, dtype=np.float32),
                        np.linspace(-104, -87, 200_001, dtype=np.float32),
                        np.linspace(-1e-3, 1e-3, 200_001, dtype=np.float32)])
    out = np.empty_like(x)
    fused.exp32_array(x, out)
    assert ulp_distance(out, correctly_rounded_exp(x)).max() <= 1


def test_exp_limits_underflow_overflow_and_nan():
    x = np.array([0.0, -0.0, -1e-30, -104.0, -104.5, -200.0, -1e9, -np.inf,
                  88.72, 89.0, 89.5, 1e9, np.inf, np.nan], np.float32)
    out = np.empty_like(x)
    fused.exp32_array(x, out)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(out, np.exp(x))  # 1, 0 (underflow), inf, NaN: exact
    assert out[0] == 1.0 and out[6] == 0.0 and out[11] == np.inf and np.isnan(out[-1])


# --- attention ---------------------------------------------------------------------------------

R = np.random.default_rng(11)


def attention(**kwargs):
    return lambda q, k, v: ops.scaled_dot_product_attention(q, k, v, **kwargs)


def qkv(lead, n_queries, n_keys, d, dv, size=1.0):
    return (R.normal(size=lead + (n_queries, d)) * size, R.normal(size=lead + (n_keys, d)),
            R.normal(size=lead + (n_keys, dv)))


def padding(batch, n_keys):
    """(batch, 1, 1, Tk) key paddings; the last sequence is all padding (fully masked)."""
    lengths = np.append(R.integers(1, n_keys + 1, batch - 1), 0)
    return (np.arange(n_keys) < lengths[:, None])[:, None, None, :]


MASK = R.random((3, 1, 6, 9)) > 0.4
MASK[0, 0, 2] = False  # a query that sees nothing: its weights are uniform


@pytest.mark.parametrize("kwargs", [
    {},
    {"mask": MASK},
    {"mask": padding(3, 9)},
    {"causal": True},
    {"mask": MASK, "causal": True},
    {"mask": MASK[0, 0]},  # one (Tq, Tk) mask for every batch entry and head
    {"scale": 0.3},
], ids=["plain", "mask", "padding", "causal", "mask+causal", "shared-mask", "scale"])
def test_attention_matches_numpy(kwargs, monkeypatch):
    q, k, v = qkv((3, 2), 6, 9, 4, 5)
    upstream = (R.normal(size=(3, 2, 6, 5)), R.normal(size=(3, 2, 6, 9)))
    assert_compiled_matches(attention(**kwargs), (q, k, v), upstream, monkeypatch)


@pytest.mark.parametrize("size", [1e-4, 30.0], ids=["tiny", "large"])
def test_attention_at_small_and_large_score_magnitudes(size, monkeypatch):
    # large: scores of several hundreds, the weights nearly one-hot (exp underflows)
    q, k, v = qkv((2, 2), 5, 7, 8, 3, size)
    upstream = (R.normal(size=(2, 2, 5, 3)), R.normal(size=(2, 2, 5, 7)))
    assert_compiled_matches(attention(mask=MASK[:2, :, :5, :7]), (q, k, v), upstream,
                            monkeypatch)


def test_attention_with_dropout_and_broadcast_keys(monkeypatch):
    # the same dropout draws on both paths (same seed); keys and values shared by heads
    q = R.normal(size=(2, 3, 4, 6))
    k, v = R.normal(size=(2, 1, 5, 6)), R.normal(size=(2, 1, 5, 2))
    upstream = (R.normal(size=(2, 3, 4, 2)), R.normal(size=(2, 3, 4, 5)))
    fn = attention(dropout=0.3, training=True, seed=5, causal=True)
    assert_compiled_matches(fn, (q, k, v), upstream, monkeypatch)


def test_attention_without_weights_on_heads_split_off_one_projection(monkeypatch):
    # as MultiHeadAttention calls it: q, k, v strided views of one (batch, T, 3, heads, d)
    packed, mask = R.normal(size=(2, 7, 3, 4, 8)), padding(2, 7)

    def fn(x):
        q, k, v = (ops.transpose(x[:, :, i], (0, 2, 1, 3)) for i in range(3))
        return ops.scaled_dot_product_attention(q, k, v, mask=mask, need_weights=False)[0]

    assert_compiled_matches(fn, (packed,), (R.normal(size=(2, 4, 7, 8)),), monkeypatch)


def test_softmax_kernels_on_blocks_against_a_direct_formula():
    # the kernels alone: softmax down each column of v = where(blocked, -1e9, scale * s)
    s = (R.normal(size=(4, 6, 5)) * 3).astype(np.float32)
    blocked = R.random((2, 6, 5)) > 0.6
    blocked[1, :, 0] = True  # a fully masked column
    block_of = np.array([0, 1, 1, 0], np.intp)
    scale = np.float32(0.7)
    v = np.where(blocked[block_of], -1e9, s * scale).astype(np.float64)  # (float32 product)
    e = np.exp(v - v.max(axis=1, keepdims=True))
    p_exact = e / e.sum(axis=1, keepdims=True)
    p = s.copy()
    scratch = np.empty(5, np.float32), np.empty(5, np.float32)
    fused.softmax_columns(p, scale, blocked, block_of, True, *scratch)
    # v - max, exp, the sum and the division each round: a few float32 ulps (1 ulp: 6e-8)
    np.testing.assert_allclose(p, p_exact, rtol=5e-7, atol=1e-12)
    np.testing.assert_allclose(p[1, :, 0], 1 / 6, rtol=1e-7)  # uniform where all masked
    g = R.normal(size=s.shape).astype(np.float32)
    dot = (g * p_exact).sum(axis=1, keepdims=True)
    ds_exact = np.where(blocked[block_of], 0.0, scale * p_exact * (g - dot))
    ds = g.copy()
    fused.softmax_columns_backward(ds, p, scale, blocked, block_of, True, scratch[0])
    np.testing.assert_allclose(ds, ds_exact, rtol=1e-5, atol=1e-7)
    assert (ds[blocked[block_of]] == 0).all()


def test_scores_far_below_the_mask_penalty_still_give_a_softmax(monkeypatch):
    # unmasked scores of -3e9 lie below what a masked score becomes (-1e9)
    q, k, v = (x.astype(np.float32) for x in qkv((1,), 3, 4, 2, 2))
    q[0, 1] = [-1e9, 0.0]
    k[0, :, 0] = [3.0, 2.0, 2.5, 2.0]  # scores -3e9, -2e9, -2.5e9, -2e9
    for compiled in (True, False):
        monkeypatch.setattr(fused, "ENABLED", compiled)
        _, w = ops.scaled_dot_product_attention(q, k, v, scale=1.0)
        np.testing.assert_allclose(w.numpy()[0, 1], [0, 0.5, 0, 0.5])


def test_a_nan_score_gives_nan_weights_as_in_numpy(monkeypatch):
    q, k, v = (x.astype(np.float32) for x in qkv((1,), 3, 4, 2, 2))
    k[0, 1, 0] = np.nan  # key 1 poisons every query's scores
    for compiled in (True, False):
        monkeypatch.setattr(fused, "ENABLED", compiled)
        _, w = ops.scaled_dot_product_attention(q, k, v)
        assert np.isnan(w.numpy()).all()


# --- layer normalization -----------------------------------------------------------------------

@pytest.mark.parametrize("axis, gamma, beta", [
    (-1, True, True), (-1, False, False), (-1, True, False), ((1, 2), True, True),
    (1, True, True),  # not trailing: the NumPy path either way
], ids=["last", "no-params", "no-beta", "last-two", "middle"])
def test_layer_norm_matches_numpy(axis, gamma, beta, monkeypatch):
    x = R.normal(size=(4, 5, 6)) * 3 + 1
    shape = (5, 6) if axis == (1, 2) else (x.shape[axis],)
    params = [R.normal(size=shape) for use in (gamma, beta) if use]

    def fn(x, *p):
        g = p[0] if gamma else None
        b = p[-1] if beta else None
        return ops.layer_norm(x, g, b, axis=axis, epsilon=1e-5)

    assert_compiled_matches(fn, (x, *params), (R.normal(size=x.shape),), monkeypatch)


def test_layer_norm_keeps_its_accuracy_with_a_large_offset_and_many_rows(monkeypatch):
    # mean 1000, spread 0.01: the kernel centres in float64, so it stays close to the exact
    # answer (the NumPy float32 path, with its float32 mean, is off by ~1e-2 here); 3000
    # rows make dgamma and dbeta long sums
    x = (1000 + R.normal(size=(3000, 16)) * 0.01).astype(np.float32)
    gamma, beta = R.normal(size=16), R.normal(size=16)
    upstream = (R.normal(size=x.shape),)

    def fn(x, g, b):
        return ops.layer_norm(x, g, b)

    compiled = run(fn, [x, gamma.astype(np.float32), beta.astype(np.float32)], upstream,
                   True, monkeypatch)
    exact = run(fn, [x.astype(np.float64), gamma, beta], upstream, False, monkeypatch)
    for c, e in zip(compiled, exact):
        np.testing.assert_allclose(c, e, rtol=2e-5, atol=2e-5 * np.abs(e).max())


# --- ReLU --------------------------------------------------------------------------------------

def test_relu_matches_numpy_also_on_strided_input(monkeypatch):
    x = R.normal(size=(6, 8))
    x[0, :3] = 0.0  # the kink: gradient 0 at x == 0, on both paths
    upstream = (R.normal(size=(6, 8)),)
    assert_compiled_matches(ops.relu, (x,), upstream, monkeypatch, rtol=0)
    assert_compiled_matches(lambda x: ops.relu(ops.transpose(x)), (x,),
                            (upstream[0].T,), monkeypatch, rtol=0)


def test_only_plain_float32_numpy_arrays_take_the_compiled_path():
    a32, a64 = np.ones(3, np.float32), np.ones(3)
    assert fused.usable(a32, None, a32)
    assert not fused.usable(a32, a64)
    assert not fused.usable(a32, [1.0, 2.0])
