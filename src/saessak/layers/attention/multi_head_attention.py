"""MultiHeadAttention: several scaled dot-product attentions side by side (seed 004, 16.4).

Each of the ``num_heads`` heads projects the inputs with its own matrices,

    q = x_q U_q,  k = x_k U_k,  v = x_v U_v           (sizes key_dim, key_dim, value_dim)
    head = softmax(q k^T / sqrt(key_dim)) v

and the heads, joined into one vector z of size num_heads * value_dim, go through an output
matrix W_o back to the model's width:  o = z W_o + b_o.

Weights use Keras's layout so they move between saessak and Keras unchanged:
``query/kernel`` (dim, num_heads, key_dim) and ``query/bias`` (num_heads, key_dim), the same
for ``key`` and ``value`` (value_dim), and ``attention_output/kernel``
(num_heads, value_dim, output_dim) with ``attention_output/bias`` (output_dim,).
"""

from __future__ import annotations

import math

import numpy as np

from ... import backend, constraints, initializers, regularizers
from ...ops import attention as attn
from ...ops import concatenate, linear, reshape, transpose
from ..call_arguments import to_tensors
from ..layer import Layer


class HeadDense(Layer):
    """A dense layer whose input and output features are laid out over several axes:
    the last ``len(in_shape)`` input axes are contracted with a kernel of shape
    ``in_shape + out_shape``, giving ``out_shape`` (plus ``bias`` of that shape).
    It is Keras's EinsumDense for the equations multi-head attention uses."""

    def __init__(self, in_shape, out_shape, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", self.in_shape + self.out_shape,
                                      self.kernel_initializer, self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", self.out_shape, self.bias_initializer,
                                        self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        n_in, n_out = math.prod(self.in_shape), math.prod(self.out_shape)
        lead = inputs.shape[:inputs.ndim - len(self.in_shape)]
        x = reshape(inputs, lead + (n_in,)) if len(self.in_shape) != 1 else inputs
        w = reshape(self.kernel, (n_in, n_out))
        b = None if self.bias is None else reshape(self.bias, (n_out,))
        y = linear(x, w, b)
        return reshape(y, lead + self.out_shape) if len(self.out_shape) != 1 else y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:len(input_shape) - len(self.in_shape)]) + self.out_shape


def _shape(x):
    return None if x is None else tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


class MultiHeadAttention(Layer):
    """Multi-head attention of ``query`` (batch, Tq, dim) over ``value`` (batch, Tv, dim_v)
    (and ``key``, which defaults to ``value``). Self-attention is ``layer(x, x)``.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head's queries and keys.
        value_dim: size of each head's values (default ``key_dim``).
        dropout: fraction of attention weights dropped while training.
        use_bias: whether the four projections have biases.
        output_shape: last-axis size of the output (default: the query's).
        attention_axes: only ``None`` (or the time axis) for sequences of vectors.
        kernel_initializer, bias_initializer, *_regularizer, *_constraint: as in Dense.
        seed: seed of the dropout draws.

    Call arguments: ``query, value, key=None``; ``attention_mask`` boolean
    (batch, Tq, Tv), True where a query may attend; ``query_mask``/``value_mask``/
    ``key_mask`` (batch, T) paddings (taken from the inputs' Keras masks when not given);
    ``use_causal_mask``; ``return_attention_scores`` (also return the weights,
    (batch, num_heads, Tq, Tv)); ``training``.

    >>> x = np.ones((2, 5, 16))
    >>> MultiHeadAttention(num_heads=4, key_dim=8)(x, x).shape
    (2, 5, 16)
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        for arg, val in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not isinstance(val, (int, np.integer)) or val <= 0:
                raise ValueError(f"MultiHeadAttention: {arg} must be a positive integer, "
                                 f"received {val!r}")
        if value_dim is not None and (not isinstance(value_dim, (int, np.integer))
                                      or value_dim <= 0):
            raise ValueError(f"MultiHeadAttention: value_dim must be a positive integer or "
                             f"None, received {value_dim!r}")
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention: dropout must be a number in [0, 1), "
                             f"received {dropout!r}")
        if isinstance(output_shape, (list, tuple)):
            if len(output_shape) != 1:
                raise NotImplementedError("MultiHeadAttention: output_shape with more than one "
                                          f"axis is not supported, received {output_shape!r}")
            output_shape = output_shape[0]
        if output_shape is not None and (not isinstance(output_shape, (int, np.integer))
                                         or output_shape <= 0):
            raise ValueError(f"MultiHeadAttention: output_shape must be a positive integer, "
                             f"received {output_shape!r}")
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        if attention_axes is not None and tuple(attention_axes) not in ((1,), (-2,)):
            raise NotImplementedError(
                "MultiHeadAttention: only attention over the time axis of (batch, time, "
                f"features) inputs is supported (attention_axes None or (1,)); received "
                f"{attention_axes!r}")
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim is not None else self.key_dim
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        self._output_shape = None if output_shape is None else int(output_shape)
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.seed = seed
        self._rng = backend.make_rng(seed)
        self.last_attention_weights = None

    # --- building ------------------------------------------------------------------------------
    def _projection(self, name, in_shape, out_shape):
        return HeadDense(in_shape, out_shape, use_bias=self.use_bias,
                         kernel_initializer=self.kernel_initializer,
                         bias_initializer=self.bias_initializer,
                         kernel_regularizer=self.kernel_regularizer,
                         bias_regularizer=self.bias_regularizer,
                         kernel_constraint=self.kernel_constraint,
                         bias_constraint=self.bias_constraint, name=name, dtype=self.dtype)

    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(f"MultiHeadAttention {self.name!r}: expected {what} of shape "
                                 f"(batch, time, features) with known features, received "
                                 f"{tuple(shape)}")
        h = self.num_heads
        self.query_dense = self._projection("query", (query_shape[-1],), (h, self.key_dim))
        self.key_dense = self._projection("key", (key_shape[-1],), (h, self.key_dim))
        self.value_dense = self._projection("value", (value_shape[-1],), (h, self.value_dim))
        out = self._output_shape or query_shape[-1]
        self.output_dense = self._projection("attention_output", (h, self.value_dim), (out,))
        for layer, shape in ((self.query_dense, query_shape), (self.key_dense, key_shape),
                             (self.value_dense, value_shape),
                             (self.output_dense, tuple(query_shape[:-1]) + (h, self.value_dim))):
            layer.build(shape)
        self._dims = (query_shape[-1], value_shape[-1], key_shape[-1])
        self.built = True

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise TypeError(f"MultiHeadAttention {self.name!r}: call it as layer(query, value) "
                            "(self-attention: layer(x, x))")
        if not self.built:
            self.build(_shape(query), _shape(value), _shape(key))
        return super().__call__(query, value, key, **kwargs)

    # --- the computation ---------------------------------------------------------------------
    def _attention_mask(self, query, value, key, query_mask, value_mask, key_mask,
                        attention_mask, use_causal_mask):
        """One boolean (batch, Tq, Tv) mask from the paddings, the causal rule and the
        explicit mask; None when nothing is masked."""
        query_mask = query._keras_mask if query_mask is None else query_mask
        value_mask = value._keras_mask if value_mask is None else value_mask
        key_mask = key._keras_mask if key_mask is None and key is not value else key_mask
        parts = []
        if query_mask is not None:
            parts.append(attn._as_array(query_mask)[:, :, None])
        for m in (value_mask, key_mask):
            if m is not None:
                parts.append(attn._as_array(m)[:, None, :])
        if use_causal_mask:
            xp = backend.get_array_module(query.data)
            parts.append(attn.causal_mask(query.shape[1], value.shape[1], xp)[None])
        if attention_mask is not None:
            parts.append(attn._as_array(attention_mask))
        return attn.combine_masks(*parts)

    fuse_projections = True  # self-attention: one matmul for queries, keys and values

    def _attend_self(self, x, mask, training, need_weights):
        """Self-attention of one sequence with a single (dim, 3 * heads * size) projection
        instead of three (as PyTorch's ``in_proj_weight``): the same numbers, one pass
        over ``x``, and the attention reads its heads straight from the packed product.
        Returns the heads joined as (batch, T, heads, value_dim), and the weights."""
        layers = (self.query_dense, self.key_dense, self.value_dense)
        kernel = concatenate([reshape(d.kernel, (x.shape[-1], -1)) for d in layers], axis=1)
        bias = None
        if self.use_bias:
            bias = concatenate([reshape(d.bias, (-1,)) for d in layers], axis=0)
        heads, weights = attn.packed_self_attention(
            linear(x, kernel, bias), self.num_heads, self.key_dim, self.value_dim,
            mask=None if mask is None else mask[:, None], dropout=self.dropout,
            training=bool(training), seed=self._rng, need_weights=need_weights)
        return reshape(heads, x.shape[:-1] + (self.num_heads, self.value_dim)), weights

    def _checked(self, query, value, key):
        """``value`` and ``key`` as Tensors (``key`` defaults to ``value``), each of the
        three checked against the feature sizes the layer was built for."""
        value = to_tensors(value, self.dtype)
        key = value if key is None else to_tensors(key, self.dtype)
        for what, t, dim in (("query", query, self._dims[0]), ("value", value, self._dims[1]),
                             ("key", key, self._dims[2])):
            if t.ndim != 3 or t.shape[-1] != dim:
                raise ValueError(f"{type(self).__name__} {self.name!r}: expected {what} of "
                                 f"shape (batch, time, {dim}), received {tuple(t.shape)}")
        return value, key

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        value, key = self._checked(query, value, key)
        mask = self._attention_mask(query, value, key, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        if query is value and key is value and self.fuse_projections:
            heads, weights = self._attend_self(query, mask, training, return_attention_scores)
        else:
            q, k, v = self.query_dense(query), self.key_dense(key), self.value_dense(value)
            # (batch, T, heads, size) -> (batch, heads, T, size): one attention per head
            q, k, v = (transpose(t, (0, 2, 1, 3)) for t in (q, k, v))
            heads, weights = attn.scaled_dot_product_attention(
                q, k, v, mask=None if mask is None else mask[:, None], dropout=self.dropout,
                training=bool(training), seed=self._rng, scale=1.0 / math.sqrt(self.key_dim),
                need_weights=return_attention_scores)
            heads = transpose(heads, (0, 2, 1, 3))  # (batch, Tq, heads, value_dim)
        # join the heads: output projection of (batch, Tq, heads * value_dim)
        output = self.output_dense(heads)
        if return_attention_scores:
            self.last_attention_weights = backend.to_numpy(weights.data)
            return output, weights
        return output

    def compute_mask(self, query, mask=None):
        own = getattr(query, "_keras_mask", None)
        return own if own is not None else mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        out = self._output_shape or query_shape[-1]
        return tuple(query_shape[:-1]) + (out,)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "output_shape": self._output_shape,
                "attention_axes": (None if self.attention_axes is None
                                   else list(self.attention_axes)),
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed if isinstance(self.seed, (int, type(None))) else None}
