"""Attention: every output is a weighted average of values, weighted by query-key similarity.

Self-attention in three steps (seed 004, section 16.4), for a sequence x(0), ..., x(T):

1. similarities   w_ij = x(i) . x(j)
2. weights        W_ij = softmax_j(w_ij)          (each row sums to 1)
3. outputs        o(i) = sum_j W_ij x(j)

The transformer version first projects the inputs to queries q = U_q x, keys k = U_k x and
values v = U_v x, and divides the similarities by sqrt(m), m the size of a query, so that
the softmax does not saturate as m grows:  W = softmax(q k^T / sqrt(m)),  o = W v.

``basic_self_attention`` is the first form, written step by step with saessak ops.
``scaled_dot_product_attention`` is the second, as one fused node with its backward
written out: one node instead of seven saves the intermediate (T x T) tensors and the
graph bookkeeping, which is where the time goes when T is a few hundred.

Masks follow Keras: ``True`` (or 1) marks a key that may be attended to. Masked scores are
replaced by -1e9 before the softmax, so their weights underflow to exactly zero (and a
query that may see nothing spreads its weight evenly, as in Keras).
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd.tensor import Function, Tensor
from . import _fused_numba as fused
from .activations import softmax
from .linalg import matmul
from .manipulation import reshape, swapaxes, transpose, where

MASK_PENALTY = 1e9  # what Keras subtracts from the score of a masked key


def causal_mask(n_queries: int, n_keys: int | None = None, xp=np):
    """Lower-triangular boolean (n_queries, n_keys): query i may see keys 0..i, never later
    ones (Keras's rule, also when there are more keys than queries)."""
    n_keys = n_queries if n_keys is None else n_keys
    return xp.tri(n_queries, n_keys, dtype=bool)


def _as_array(mask):
    if mask is None:
        return None
    return mask.data if isinstance(mask, Tensor) else backend.get_array_module(mask).asarray(mask)


def combine_masks(*masks):
    """Logical AND of boolean masks that broadcast together (``None`` entries are skipped)."""
    out = None
    for m in masks:
        m = _as_array(m)
        if m is None:
            continue
        m = m.astype(bool, copy=False)
        out = m if out is None else out & m
    return out


def _blocked(mask, causal, n_queries, n_keys, xp):
    """Where attending is *not* allowed (boolean, broadcastable to the scores), or None."""
    allowed = _as_array(mask)
    if causal:
        allowed = combine_masks(allowed, causal_mask(n_queries, n_keys, xp))
    if allowed is None:
        return None
    if allowed.ndim < 2:  # one row of keys, for every query: (Tk,) -> (1, Tk)
        allowed = allowed.reshape((1,) * (2 - allowed.ndim) + allowed.shape)
    return ~allowed.astype(bool, copy=False)


def _softmax_rows(scores, blocked, axis=-1):
    """In place: blocked scores become -1e9 (as Keras writes them), then a stable softmax."""
    if blocked is not None:
        np.copyto(scores, scores.dtype.type(-MASK_PENALTY), where=blocked)
    scores -= scores.max(axis=axis, keepdims=True)  # subtract the maximum: no overflow
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=axis, keepdims=True)
    return scores


def _softmax_rows_backward(g, p, blocked, axis=-1):
    """In place on ``g``: dS = P * (dP - sum_j dP_j P_j), zero where the score was replaced."""
    g -= (g * p).sum(axis=axis, keepdims=True)
    g *= p
    if blocked is not None:
        np.copyto(g, g.dtype.type(0), where=blocked)
    return g


def _masked_softmax_ops(scores, blocked):
    """:func:`_softmax_rows` in recorded ops: blocked scores become -1e9 (their gradient 0)."""
    return softmax(scores if blocked is None else where(blocked, -MASK_PENALTY, scores))


def _t(a):
    """Swap the last two axes (a view)."""
    return np.swapaxes(a, -1, -2)


def _dropout_keep(shape, rate, rng, dtype, xp):
    """Inverted dropout as one array: 0 for dropped weights, 1/(1-rate) for kept ones."""
    return xp.asarray(backend.dropout_mask(rng, shape, rate, dtype))


def _kernel_mask(blocked, lead, n_queries, n_keys):
    """The mask as the compiled kernels take it: (blocks, Tk, Tq) key-major boolean blocks,
    the block index for each of the scores' leading positions ``lead``, and whether there
    is a mask at all. Only the mask's own blocks are materialised, not its broadcast."""
    n_lead = math.prod(lead)
    if blocked is None:  # one all-False block (never read), so that every index is valid
        return np.zeros((1, n_keys, n_queries), bool), np.zeros(n_lead, np.intp), False
    m = blocked.reshape((1,) * (len(lead) + 2 - blocked.ndim) + blocked.shape)
    m_lead = m.shape[:-2]
    m = np.broadcast_to(m, m_lead + (n_queries, n_keys))
    blocks = np.ascontiguousarray(_t(m)).reshape(-1, n_keys, n_queries)
    block_of = np.broadcast_to(np.arange(blocks.shape[0]).reshape(m_lead), lead)
    return blocks, np.ascontiguousarray(block_of).reshape(n_lead), True


def _laid_out_like(a, shape):
    """An empty array of ``shape`` whose axes lie in memory in the order of ``a``'s (when
    the ranks match). Outputs and gradients made this way follow their inputs' layout:
    for heads split off a (batch, T, heads, size) projection, the transposes back to that
    layout and the joins of the heads are then free instead of copies."""
    if a.ndim == len(shape):
        return np.empty_like(a, shape=shape)
    return backend.get_array_module(a).empty(shape, a.dtype)


class ScaledDotProductAttention(Function):
    """``O = dropout(softmax(scale * Q K^T, masked)) V`` for inputs of shape
    (..., Tq, d), (..., Tk, d), (..., Tk, dv), batched over the leading axes.

    Outputs O and, when ``need_weights``, the attention weights P (before dropout).

    Inside, the (T x T) arrays are kept key-major, S^T = K Q^T of shape (..., Tk, Tq), so
    the softmax reduces over the second-to-last axis: NumPy runs those reductions and their
    broadcasts two to three times faster than along short last axes. For float32 with
    numba, compiled kernels (:mod:`._fused_numba`) run the softmax and its backward in one
    visit to each (Tk x Tq) block, the scale and the mask included. The matmuls read
    transposed and strided views directly (BLAS takes them), and write O and the gradients
    in the memory layout of q, k and v (:func:`_laid_out_like`).
    """

    def __init__(self, scale, blocked=None, dropout_rate=0.0, rng=None, need_weights=True):
        self.scale, self.rate, self.rng = scale, dropout_rate, rng
        self.blocked = blocked
        self.blocked_t = None if blocked is None else _t(blocked)
        self.n_outputs = 2 if need_weights else 1

    def forward(self, q, k, v):
        return self._attend(q, k, v)

    def backward(self, g_out, g_p=None):
        lead = g_out.shape[:-2]
        buffers = (_laid_out_like(a, lead + a.shape[-2:]) for a in (self.q, self.k, self.v))
        return self._gradients(g_out, g_p, *buffers)

    def _attend(self, q, k, v, out=None):
        """The forward, writing O into ``out`` when given."""
        xp = backend.get_array_module(q)
        self.q, self.k, self.v = q, k, v
        self.compiled = fused.usable(q, k, v)
        if self.compiled:  # scale and mask inside the kernel
            p_t = self.p_t = k @ _t(q)  # S^T (..., Tk, Tq)
            n_keys, n_queries = p_t.shape[-2:]
            self.mask_args = _kernel_mask(self.blocked, p_t.shape[:-2], n_queries, n_keys)
            fused.softmax_columns(p_t.reshape(-1, n_keys, n_queries), np.float32(self.scale),
                                  *self.mask_args, np.empty(n_queries, np.float32),
                                  np.empty(n_queries, np.float32))
        else:
            q_t = xp.ascontiguousarray(_t(q))  # (..., d, Tq)
            q_t *= q_t.dtype.type(self.scale)  # scale the small factor, not the (T x T) product
            p_t = self.p_t = _softmax_rows(k @ q_t, self.blocked_t, axis=-2)
        self.keep_t = None
        p_used_t = p_t
        if self.rate > 0:
            self.keep_t = _dropout_keep(p_t.shape, self.rate, self.rng, p_t.dtype, xp)
            p_used_t = p_t * self.keep_t
        self.p_used_t = p_used_t
        if out is None:
            out = _laid_out_like(q, p_t.shape[:-2] + (p_t.shape[-1], v.shape[-1]))
        np.matmul(_t(p_used_t), v, out=out)  # O = P' V
        return (out, _t(p_t)) if self.n_outputs == 2 else out

    def _gradients(self, g_out, g_p, g_q, g_k, g_v):
        """The backward, filling the buffers ``g_q``, ``g_k``, ``g_v``."""
        xp = backend.get_array_module(g_out)
        q, k, v = self.q, self.k, self.v
        np.matmul(self.p_used_t, g_out, out=g_v)  # dV = P'^T dO
        g_p_t = v @ xp.ascontiguousarray(_t(g_out))  # dP'^T = V dO^T (copied: faster here)
        if self.keep_t is not None:
            g_p_t *= self.keep_t
        if g_p is not None:
            g_p_t += _t(g_p)
        if self.compiled:  # dS^T, scaled, in place
            n_keys, n_queries = g_p_t.shape[-2:]
            fused.softmax_columns_backward(
                g_p_t.reshape(-1, n_keys, n_queries), self.p_t.reshape(-1, n_keys, n_queries),
                np.float32(self.scale), *self.mask_args, np.empty(n_queries, np.float32))
            g_s_t = g_p_t
        else:
            g_s_t = _softmax_rows_backward(g_p_t, self.p_t, self.blocked_t, axis=-2)
            g_s_t *= g_s_t.dtype.type(self.scale)
        np.matmul(g_s_t, q, out=g_k)  # dK = dS^T Q
        np.matmul(_t(g_s_t), k, out=g_q)  # dQ = dS K
        return g_q, g_k, g_v

    def composite(self, q, k, v):
        """The same attention in recorded ops, for gradients of gradients (arrays passed in
        for q, k or v are constants)."""
        given = zip((q, k, v), (self.q, self.k, self.v))  # Tensors keep a float64 array's dtype
        return self._attention_ops(*(x if x is not None else Tensor(a) for x, a in given))

    def _attention_ops(self, q, k, v):
        p = _masked_softmax_ops(matmul(q, swapaxes(k, -1, -2)) * self.scale, self.blocked)
        used = p if self.keep_t is None else p * _t(self.keep_t)  # the dropout: a constant
        out = matmul(used, v)
        return (out, p) if self.n_outputs == 2 else out


class PackedSelfAttention(ScaledDotProductAttention):
    """Multi-head self-attention straight from one packed projection.

    ``qkv`` (batch, T, heads * (2 key_dim + value_dim)) holds [queries | keys | values],
    each part laid out (heads, size), as one matmul of x with the three projection
    kernels side by side produces them. The output is the heads joined,
    (batch, T, heads * value_dim), and the weights (batch, heads, T, T).

    It computes what splitting qkv into heads and calling
    :class:`ScaledDotProductAttention` computes, minus the copies: forward reads the
    three parts in place (strided views), writes O with the heads already side by side,
    and backward writes the three gradients straight into one packed array (split ops
    would join them with one more copy).
    """

    def __init__(self, num_heads, key_dim, value_dim, scale, blocked=None, dropout_rate=0.0,
                 rng=None, need_weights=True):
        super().__init__(scale, blocked, dropout_rate, rng, need_weights)
        self.sizes = (key_dim, key_dim, value_dim)
        self.num_heads = num_heads

    def _heads(self, packed):
        """The (batch, heads, T, size) views of the three parts of a packed array."""
        batch, length, _ = packed.shape
        views, start = [], 0
        for size in self.sizes:
            width = self.num_heads * size
            part = packed[:, :, start:start + width].reshape(batch, length, self.num_heads, size)
            views.append(part.transpose(0, 2, 1, 3))
            start += width
        return views

    def forward(self, qkv):
        batch, length, _ = qkv.shape
        self.packed_shape = qkv.shape
        joined = np.empty_like(qkv, shape=(batch, length, self.num_heads, self.sizes[2]))
        result = self._attend(*self._heads(qkv), out=joined.transpose(0, 2, 1, 3))
        joined = joined.reshape(batch, length, -1)
        return (joined, result[1]) if self.n_outputs == 2 else joined

    def backward(self, g_joined, g_p=None):
        batch, length, _ = g_joined.shape
        g_out = g_joined.reshape(batch, length, self.num_heads, -1).transpose(0, 2, 1, 3)
        g_qkv = np.empty_like(g_joined, shape=self.packed_shape)
        self._gradients(g_out, g_p, *self._heads(g_qkv))
        return g_qkv

    def composite(self, qkv):
        """Split the heads, attend and join them, in recorded ops."""
        batch, length, _ = qkv.shape
        heads, start = [], 0
        for size in self.sizes:
            width = self.num_heads * size
            part = reshape(qkv[:, :, start:start + width], (batch, length, self.num_heads, size))
            heads.append(transpose(part, (0, 2, 1, 3)))
            start += width
        result = self._attention_ops(*heads)
        out = result[0] if self.n_outputs == 2 else result
        joined = reshape(transpose(out, (0, 2, 1, 3)), (batch, length, -1))
        return (joined, result[1]) if self.n_outputs == 2 else joined


def scaled_dot_product_attention(q, k, v, mask=None, causal=False, dropout=0.0, training=False,
                                 seed=None, scale=None, need_weights=True):
    """Attention of queries ``q`` (..., Tq, d) over keys ``k`` (..., Tk, d) and values
    ``v`` (..., Tk, dv). Returns ``(output, weights)``: (..., Tq, dv) and (..., Tq, Tk).

    ``mask``: boolean, broadcastable to (..., Tq, Tk), True where a query may attend.
    ``causal``: also forbid attending to later positions. ``dropout`` drops attention
    weights while ``training`` (``seed``: an int or a NumPy Generator, for repeatable
    masks). ``scale`` defaults to 1/sqrt(d). ``weights`` are those before dropout, and
    None when ``need_weights`` is False (which skips a little work in backward).

    >>> q = k = v = saessak.tensor(np.eye(2)[None])
    >>> out, w = scaled_dot_product_attention(q, k, v, scale=1.0)
    >>> w.numpy().sum(-1)     # each query's weights add up to 1
    array([[1., 1.]])
    """
    shape_q, shape_k, shape_v = np.shape(q), np.shape(k), np.shape(v)
    if len(shape_q) < 2 or shape_q[-1] != shape_k[-1] or shape_k[-2] != shape_v[-2]:
        raise ValueError(f"scaled_dot_product_attention: expected q (..., Tq, d), k (..., Tk, d) "
                         f"and v (..., Tk, dv); received {shape_q}, {shape_k}, {shape_v}")
    if not 0 <= dropout < 1:
        raise ValueError(f"scaled_dot_product_attention: dropout must be in [0, 1), "
                         f"received {dropout}")
    if scale is None:
        scale = 1.0 / math.sqrt(shape_q[-1])
    data = q.data if isinstance(q, Tensor) else np.asarray(q)
    xp = backend.get_array_module(data)
    blocked = _blocked(mask, causal, shape_q[-2], shape_k[-2], xp)
    rate = dropout if training else 0.0
    rng = backend.make_rng(seed) if rate > 0 else None
    fn = ScaledDotProductAttention(scale, blocked, rate, rng, need_weights)
    if need_weights:
        return fn(q, k, v)
    return fn(q, k, v), None


def packed_self_attention(qkv, num_heads, key_dim, value_dim=None, mask=None, causal=False,
                          dropout=0.0, training=False, seed=None, scale=None,
                          need_weights=True):
    """Multi-head self-attention from one packed projection ``qkv`` (batch, T,
    num_heads * (2 key_dim + value_dim)), [queries | keys | values] with each part laid
    out (num_heads, size). Returns ``(heads, weights)``: the heads joined,
    (batch, T, num_heads * value_dim), and (batch, num_heads, T, T) (None unless
    ``need_weights``). The other arguments are those of
    :func:`scaled_dot_product_attention`; ``mask`` broadcasts to (batch, heads, T, T).
    """
    value_dim = key_dim if value_dim is None else value_dim
    shape = np.shape(qkv)
    if len(shape) != 3 or shape[-1] != num_heads * (2 * key_dim + value_dim):
        raise ValueError(f"packed_self_attention: expected qkv of shape (batch, T, "
                         f"{num_heads * (2 * key_dim + value_dim)}), received {shape}")
    if not 0 <= dropout < 1:
        raise ValueError(f"packed_self_attention: dropout must be in [0, 1), received "
                         f"{dropout}")
    scale = 1.0 / math.sqrt(key_dim) if scale is None else scale
    data = qkv.data if isinstance(qkv, Tensor) else np.asarray(qkv)
    blocked = _blocked(mask, causal, shape[1], shape[1], backend.get_array_module(data))
    rate = dropout if training else 0.0
    rng = backend.make_rng(seed) if rate > 0 else None
    fn = PackedSelfAttention(num_heads, key_dim, value_dim, scale, blocked, rate, rng,
                             need_weights)
    if need_weights:
        return fn(qkv)
    return fn(qkv), None


class MaskedSoftmax(Function):
    """Softmax along the last axis after blocked scores are set to -1e9: the attention
    weights of any kind of score (dot, concat, additive)."""

    def __init__(self, blocked):
        self.blocked = blocked

    def forward(self, scores):
        self.p = _softmax_rows(scores.copy(), self.blocked)
        return self.p

    def backward(self, g):
        return _softmax_rows_backward(g.copy(), self.p, self.blocked)

    def composite(self, scores):
        return _masked_softmax_ops(scores, self.blocked)


def masked_softmax(scores, mask=None, causal=False):
    """Attention weights from raw ``scores`` (..., Tq, Tk); masked keys get weight zero."""
    data = scores.data if isinstance(scores, Tensor) else np.asarray(scores)
    xp = backend.get_array_module(data)
    blocked = _blocked(mask, causal, data.shape[-2], data.shape[-1], xp)
    return MaskedSoftmax(blocked)(scores)


class Dropout(Function):
    """Inverted dropout: zero each element with probability ``rate``, scale the rest by
    1/(1-rate), so the expected value is unchanged and inference needs no rescaling."""

    def __init__(self, rate, rng):
        self.rate, self.rng = rate, rng

    def forward(self, x):
        self.keep = _dropout_keep(x.shape, self.rate, self.rng, x.dtype,
                                  backend.get_array_module(x))
        return x * self.keep

    def backward(self, g):
        return g * self.keep

    def backward_ops(self, g):  # the mask is a constant
        return g * self.keep


def attention_dropout(x, rate, training=False, seed=None):
    """Dropout for attention weights and residual branches; the identity unless training."""
    if not training or rate == 0:
        return x
    return Dropout(rate, backend.make_rng(seed))(x)


def basic_self_attention(x):
    """Parameter-free self-attention of a sequence ``x`` (..., T, d), as in seed 004.

    Returns ``(outputs, weights)``: (..., T, d) and (..., T, T).
    """
    # 1. similarity of every element with every other: omega_ij = x(i) . x(j)
    omega = matmul(x, swapaxes(x, -1, -2))
    # 2. normalise each row with the softmax: W_ij = exp(omega_ij) / sum_j exp(omega_ij)
    weights = softmax(omega, axis=-1)
    # 3. each output is the weighted sum of the whole sequence: o(i) = sum_j W_ij x(j)
    outputs = matmul(weights, x)
    return outputs, weights
