"""GroupQueryAttention: multi-head attention whose query heads share fewer key/value heads
(Ainslie et al., 2023), Keras 3's ``keras.layers.GroupQueryAttention``.

``num_query_heads`` H query heads of size ``head_dim`` d are split into
``num_key_value_heads`` G groups of R = H / G consecutive heads; every head of group g
attends with the same key and value head g:

    q_h = x_q U_q[:, h],   k_g = x_k U_k[:, g],   v_g = x_v U_v[:, g]
    head_h = softmax(q_h k_g^T / sqrt(d)) v_g      for h = g R, ..., g R + R - 1
    o = [head_0 ... head_{H-1}] W_o + b_o          (back to the query's width)

G = H is multi-head attention, G = 1 multi-query attention. With ``use_gate`` each head is
multiplied by sigmoid(x_q U_gate[:, h] + b_gate) before W_o; ``sliding_window`` w lets a
query at i see only keys j with |i - j| < w (and ``use_causal_mask`` then j <= i too).

The computation is :class:`.multi_head_attention.MultiHeadAttention`'s (its projections,
masks and fused attention op) with the R query heads of a group stacked along the query
axis, so each key/value head is used as is instead of being repeated R times.

Weights as Keras 3 files them, sublayers under the attributes Keras uses:
``_query_dense`` 'query' (dim, H, d) + (H, d); ``_key_dense`` 'key' and ``_value_dense``
'value' (dim, G, d) + (G, d); ``_gate_dense`` 'gate' like the query (only with
``use_gate``); ``_output_dense`` 'attention_output' (H, d, dim) + (dim,).

>>> x = np.ones((2, 5, 16))
>>> GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)(x, x).shape
(2, 5, 16)
"""

from __future__ import annotations

import math

import numpy as np

from ... import backend
from ...ops import attention as attn
from ...ops import multiply, reshape, sigmoid, transpose
from ..layer import LAYERS
from .multi_head_attention import MultiHeadAttention

__all__ = ["GroupQueryAttention", "GroupedQueryAttention"]


def _positive_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0


class GroupedQueryAttention(MultiHeadAttention):
    """``GroupQueryAttention``: grouped-query attention of ``query`` (batch, Tq, dim) over
    ``value`` (batch, Tv, dim_v) (and ``key``, default ``value``); the output has the
    query's shape.

    Args:
        head_dim: size of every query, key and value head.
        num_query_heads: number of query heads H.
        num_key_value_heads: number of key/value heads G (H must be a multiple of it).
        dropout: fraction of attention weights dropped while training.
        use_bias: whether the projections have biases.
        sliding_window: None, or a positive int w: queries see keys less than w away.
        flash_attention: accepted for Keras's signature; the result is the same without
            it. As in Keras, True cannot be combined with dropout.
        kernel_initializer, bias_initializer, *_regularizer, *_constraint: as in Dense.
        use_gate: gate each head with a sigmoid of another projection of the query.
        seed: seed of the dropout draws.

    Call arguments as MultiHeadAttention's: ``query, value, key=None``, the masks
    (``attention_mask`` (batch, Tq, Tv), True where a query may attend; ``query_mask``,
    ``value_mask``, ``key_mask``, taken from the inputs' Keras masks when not given),
    ``use_causal_mask``, ``return_attention_scores`` (also return the weights, (batch, H,
    Tq, Tv)) and ``training``.
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        for arg, val in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                         ("num_key_value_heads", num_key_value_heads)):
            if not _positive_int(val):
                raise ValueError(f"GroupQueryAttention: {arg} must be a positive integer, "
                                 f"received {val!r}")
        if num_query_heads % num_key_value_heads:
            raise ValueError(f"GroupQueryAttention: num_query_heads ({num_query_heads}) must "
                             f"be divisible by num_key_value_heads ({num_key_value_heads})")
        if sliding_window is not None and not _positive_int(sliding_window):
            raise ValueError(f"GroupQueryAttention: sliding_window must be None or a positive "
                             f"integer, received {sliding_window!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0 <= dropout < 1:
            raise ValueError(f"GroupQueryAttention: dropout must be a number in [0, 1), "
                             f"received {dropout!r}")
        if flash_attention and dropout > 0:
            raise ValueError("GroupQueryAttention: dropout cannot be used with "
                             "flash_attention=True (as in Keras); set dropout=0.0")
        super().__init__(num_query_heads, head_dim, dropout=dropout, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         seed=seed, **kwargs)
        self.head_dim = int(head_dim)
        self.num_query_heads = int(num_query_heads)
        self.num_key_value_heads = int(num_key_value_heads)
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.sliding_window = None if sliding_window is None else int(sliding_window)
        self.flash_attention = flash_attention
        self.use_gate = bool(use_gate)

    # --- building ------------------------------------------------------------------------------
    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(f"GroupQueryAttention {self.name!r}: expected {what} of "
                                 f"shape (batch, time, features) with known features, "
                                 f"received {tuple(shape)}")
        h, g, d = self.num_query_heads, self.num_key_value_heads, self.head_dim
        dim = query_shape[-1]
        # created in Keras's order, which is the order of ``weights``
        self._query_dense = self._projection("query", (dim,), (h, d))
        self._key_dense = self._projection("key", (key_shape[-1],), (g, d))
        self._gate_dense = self._projection("gate", (dim,), (h, d)) if self.use_gate else None
        self._value_dense = self._projection("value", (value_shape[-1],), (g, d))
        self._output_dense = self._projection("attention_output", (h, d), (dim,))
        for layer, shape in ((self._query_dense, query_shape), (self._key_dense, key_shape),
                             (self._gate_dense, query_shape), (self._value_dense, value_shape),
                             (self._output_dense, tuple(query_shape[:-1]) + (h, d))):
            if layer is not None:
                layer.build(shape)
        self._dims = (dim, value_shape[-1], key_shape[-1])
        self.built = True

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise TypeError(f"GroupQueryAttention {self.name!r}: call it as "
                            "layer(query, value) (self-attention: layer(x, x))")
        return super().__call__(query, value, key, **kwargs)

    # --- the computation ---------------------------------------------------------------------
    def _window_mask(self, n_queries, n_keys, xp=np):
        """(Tq, Tk): True where a key is less than ``sliding_window`` steps away."""
        i = xp.arange(n_queries)[:, None]
        j = xp.arange(n_keys)[None, :]
        return xp.abs(i - j) < self.sliding_window

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        value, key = self._checked(query, value, key)
        if key.shape[1] != value.shape[1]:
            raise ValueError(f"GroupQueryAttention {self.name!r}: key and value must have "
                             f"the same length, received {tuple(key.shape)} and "
                             f"{tuple(value.shape)}")
        mask = self._attention_mask(query, value, key, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        if mask is not None and mask.ndim > 3:
            raise ValueError(f"GroupQueryAttention {self.name!r}: attention_mask must be "
                             f"(batch, Tq, Tv) or broadcast to it, received shape "
                             f"{tuple(mask.shape)}")
        batch, n_q, n_k = query.shape[0], query.shape[1], value.shape[1]
        xp = backend.get_array_module(query.data)
        if self.sliding_window is not None:
            mask = attn.combine_masks(mask, self._window_mask(n_q, n_k, xp))
        g, r, d = self.num_key_value_heads, self.num_repeats, self.head_dim
        # queries (batch, Tq, H, d) -> (batch, G, R * Tq, d): a group's R heads one after
        # another along the query axis, all against that group's one key/value head
        q = transpose(self._query_dense(query), (0, 2, 1, 3))
        q = reshape(q, (batch, g, r * n_q, d))
        k = transpose(self._key_dense(key), (0, 2, 1, 3))  # (batch, G, Tk, d)
        v = transpose(self._value_dense(value), (0, 2, 1, 3))
        if mask is not None:  # (batch or 1, Tq, Tk) -> (batch or 1, 1, R * Tq, Tk)
            mask = mask.reshape((1,) * (3 - mask.ndim) + mask.shape)
            mask = xp.tile(xp.broadcast_to(mask, (mask.shape[0], n_q, n_k)), (1, r, 1))[:, None]
        heads, weights = attn.scaled_dot_product_attention(
            q, k, v, mask=mask, dropout=self.dropout, training=bool(training), seed=self._rng,
            scale=1.0 / math.sqrt(d), need_weights=return_attention_scores)
        heads = transpose(reshape(heads, (batch, g * r, n_q, d)), (0, 2, 1, 3))
        if self.use_gate:
            heads = multiply(heads, sigmoid(self._gate_dense(query)))
        output = self._output_dense(heads)  # (batch, Tq, dim)
        if return_attention_scores:
            weights = reshape(weights, (batch, g * r, n_q, n_k))
            self.last_attention_weights = backend.to_numpy(weights.data)
            return output, weights
        return output

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is not None and query_shape[-1] != value_shape[-1]:
            raise ValueError(f"GroupQueryAttention {self.name!r}: the query and value must "
                             f"have the same last size, received {tuple(query_shape)} and "
                             f"{tuple(value_shape)}")
        return tuple(query_shape)

    def get_config(self):
        config = MultiHeadAttention.get_config(self)
        for key in ("num_heads", "key_dim", "value_dim", "output_shape", "attention_axes"):
            config.pop(key)
        return {**config, "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_gate": self.use_gate,
                "sliding_window": self.sliding_window}


# Keras's public name. Keras's own class is GroupedQueryAttention, and its files use both
# names: the config says 'GroupQueryAttention', the weights' group 'grouped_query_attention'
# (the class name in snake case, which saessak's Keras 3 reader and writer also derive from
# the class name), so the class is called as Keras's is, and this name is registered too.
GroupQueryAttention = GroupedQueryAttention
LAYERS.register(GroupedQueryAttention, "GroupQueryAttention")
