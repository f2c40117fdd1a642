"""Attention: Luong-style (dot-product) attention of a query sequence over a value sequence.

For every query vector q_i the layer scores each key k_j, turns the scores into weights
with a softmax, and returns the weighted sum of the values:

    scores_ij = q_i . k_j          (score_mode="dot"; times a learned scalar if use_scale)
    weights_i = softmax_j(scores_ij)
    output_i  = sum_j weights_ij v_j

The inputs are ``[query, value]`` or ``[query, value, key]`` (the key defaults to the
value), of shapes (batch, Tq, dim), (batch, Tv, dim) and (batch, Tv, dim).
"""

from __future__ import annotations

from ... import backend
from ...ops import attention as attn
from ...ops import matmul, reshape, tanh
from ...ops import sum as reduce_sum
from ..layer import Layer


def _split_inputs(layer, inputs):
    if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: expected inputs [query, value] "
                         f"or [query, value, key], received {_describe(inputs)}")
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) == 3 else value
    return query, value, key


def _describe(inputs):
    if isinstance(inputs, (list, tuple)):
        return f"a list of {len(inputs)} with shapes {[getattr(x, 'shape', x) for x in inputs]}"
    return f"one tensor of shape {getattr(inputs, 'shape', None)}"


def _split_mask(layer, mask):
    """``mask=[query_mask, value_mask]``: (batch, Tq) and (batch, Tv) booleans, or None."""
    if mask is None:
        return None, None
    if not isinstance(mask, (list, tuple)) or len(mask) not in (2, 3):
        raise ValueError(f"{type(layer).__name__} {layer.name!r}: mask must be a list "
                         f"[query_mask, value_mask], received {mask!r}")
    return mask[0], mask[1]


class Attention(Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    Args:
        use_scale: learn a scalar ``scale`` (starting at 1) that multiplies the scores.
        score_mode: ``"dot"`` (q . k) or ``"concat"`` (sum(tanh(q + k)) times a learned
            scalar ``concat_score_weight``).
        dropout: fraction of attention weights dropped while training.
        seed: seed of the dropout draws.

    Call arguments: ``inputs=[query, value(, key)]``, ``mask=[query_mask, value_mask]``
    (taken from the inputs' Keras masks when not given), ``training``,
    ``return_attention_scores`` (also return the (batch, Tq, Tv) weights),
    ``use_causal_mask`` (query i sees values 0..i only).

    >>> q, v = np.ones((2, 3, 4)), np.ones((2, 5, 4))
    >>> Attention()([q, v]).shape
    (2, 3, 4)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{type(self).__name__}: score_mode must be 'dot' or 'concat', "
                             f"received {score_mode!r}")
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"{type(self).__name__}: dropout must be a number in [0, 1), "
                             f"received {dropout!r}")
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout, self.seed = float(dropout), seed
        self._rng = backend.make_rng(seed)
        self.last_attention_weights = None

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight("scale", (), "ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight("concat_score_weight", (), "ones")
        self.built = True

    def _check_shapes(self, input_shape):
        if (not isinstance(input_shape, (list, tuple)) or len(input_shape) not in (2, 3)
                or not all(isinstance(s, (list, tuple)) for s in input_shape)):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected inputs [query, "
                             f"value] or [query, value, key], received shapes {input_shape}")
        q, v = input_shape[0], input_shape[1]
        k = input_shape[2] if len(input_shape) == 3 else v
        if len(q) < 3 or q[-1] != k[-1] or v[-2] != k[-2]:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected query (batch, Tq, "
                             f"dim), value (batch, Tv, dim_v), key (batch, Tv, dim); received "
                             f"shapes {[tuple(s) for s in input_shape]}")

    def _fused_dot_product(self):
        return self.score_mode == "dot"

    def _scores(self, query, key):
        """(batch, Tq, Tv) raw scores of the "concat" mode ("dot" goes to the fused op)."""
        q = reshape(query, query.shape[:-1] + (1, query.shape[-1]))  # (B, Tq, 1, dim)
        k = reshape(key, key.shape[:-2] + (1,) + key.shape[-2:])  # (B, 1, Tv, dim)
        total = q + k
        if self.scale is not None:
            total = total * self.scale
        return self.concat_score_weight * reduce_sum(tanh(total), axis=-1)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        query, value, key = _split_inputs(self, inputs)
        q_mask, v_mask = _split_mask(self, mask)
        allowed = None
        if v_mask is not None:
            allowed = attn._as_array(v_mask)[..., None, :]  # (B, 1, Tv): every query alike
        rate = self.dropout if training else 0.0
        if self._fused_dot_product():
            q = query * self.scale if self.scale is not None else query
            result, weights = attn.scaled_dot_product_attention(
                q, key, value, mask=allowed, causal=use_causal_mask, dropout=rate,
                training=bool(training), seed=self._rng, scale=1.0)
        else:
            weights = attn.masked_softmax(self._scores(query, key), allowed, use_causal_mask)
            used = attn.attention_dropout(weights, rate, bool(training), self._rng)
            result = matmul(used, value)
        if q_mask is not None:  # padded queries give zero vectors
            keep = attn._as_array(q_mask)[..., None].astype(result.dtype)
            result = result * keep
        self.last_attention_weights = backend.to_numpy(weights.data)
        if return_attention_scores:
            return result, weights
        return result

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)) or mask[0] is None:
            return None
        return attn._as_array(mask[0])

    def compute_output_shape(self, input_shape):
        q, v = input_shape[0], input_shape[1]
        return tuple(q[:-1]) + (v[-1],)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout,
                "seed": self.seed if isinstance(self.seed, (int, type(None))) else None}

