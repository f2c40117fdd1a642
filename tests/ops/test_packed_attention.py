"""packed_self_attention: multi-head self-attention read straight from one packed
(batch, T, heads * (2 key_dim + value_dim)) projection gives what splitting it into heads
and calling scaled_dot_product_attention gives, values and gradients, on both the compiled
float32 path and the NumPy float64 path; finite-difference checks in float64."""

import numpy as np
import pytest

from saessak import Tensor, grad_check, ops
from saessak.ops import attention as attn

R = np.random.default_rng(5)
BATCH, LENGTH, HEADS, KEY_DIM, VALUE_DIM = 2, 6, 3, 4, 5
WIDTH = HEADS * (2 * KEY_DIM + VALUE_DIM)


def split_then_attend(qkv, **kwargs):
    """The reference: split the packed projection, heads to axis 1, attend, join heads."""
    q, k, v = ops.split(qkv, [HEADS * KEY_DIM, HEADS * KEY_DIM, HEADS * VALUE_DIM], axis=-1)
    q, k, v = (ops.transpose(ops.reshape(t, (BATCH, LENGTH, HEADS, -1)), (0, 2, 1, 3))
               for t in (q, k, v))
    heads, weights = ops.scaled_dot_product_attention(q, k, v, **kwargs)
    joined = ops.reshape(ops.transpose(heads, (0, 2, 1, 3)), (BATCH, LENGTH, -1))
    return joined, weights


def packed(qkv, **kwargs):
    return attn.packed_self_attention(qkv, HEADS, KEY_DIM, VALUE_DIM, **kwargs)


def values_and_grads(fn, qkv, upstream, **kwargs):
    x = Tensor(qkv, requires_grad=True)
    joined, weights = fn(x, **kwargs)
    loss = (joined * Tensor(upstream[0].astype(qkv.dtype))).sum()
    if weights is not None:
        loss = loss + (weights * Tensor(upstream[1].astype(qkv.dtype))).sum()
    loss.backward()
    return [joined.numpy(), None if weights is None else weights.numpy(), x.grad]


MASK = R.random((BATCH, 1, LENGTH, LENGTH)) > 0.3
MASK[1, 0, 2] = False  # a query that sees nothing


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("kwargs", [
    {},
    {"mask": MASK, "causal": True},
    {"mask": MASK, "need_weights": False},
    {"dropout": 0.4, "training": True, "seed": 3},
], ids=["plain", "mask+causal", "no-weights", "dropout"])
def test_packed_equals_split_heads(kwargs, dtype, rtol):
    qkv = R.normal(size=(BATCH, LENGTH, WIDTH)).astype(dtype)
    upstream = (R.normal(size=(BATCH, LENGTH, HEADS * VALUE_DIM)),
                R.normal(size=(BATCH, HEADS, LENGTH, LENGTH)))
    ours = values_and_grads(packed, qkv, upstream, **kwargs)
    reference = values_and_grads(split_then_attend, qkv, upstream, **kwargs)
    for a, b in zip(ours, reference):
        if b is None:
            assert a is None
            continue
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


@pytest.mark.parametrize("kwargs", [{}, {"causal": True, "mask": MASK},
                                    {"dropout": 0.3, "training": True, "seed": 8}],
                         ids=["plain", "mask+causal", "dropout"])
def test_packed_gradients(kwargs):
    qkv = R.normal(size=(BATCH, LENGTH, WIDTH))
    result = grad_check(lambda x: packed(x, **kwargs), qkv)
    assert result.ok, str(result)


def test_packed_rejects_a_width_that_does_not_fit_the_heads():
    with pytest.raises(ValueError, match="expected qkv"):
        attn.packed_self_attention(np.ones((1, 3, 10)), 2, 2)
    with pytest.raises(ValueError, match="dropout"):
        attn.packed_self_attention(np.ones((1, 3, 12)), 2, 2, dropout=1.0)
