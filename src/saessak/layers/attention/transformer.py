"""Transformer blocks: multi-head attention and an MLP, each wrapped in a residual
connection and a layer normalization (seed 004, figure 16-16).

Encoder (post-norm, the original arrangement; ``norm_first=True`` moves each norm to the
start of its branch, which trains more stably in deep stacks):

    x = LayerNorm(x + Dropout(MultiHeadAttention(x, x)))
    y = LayerNorm(x + Dropout(Dense(Dense(x, activation))))

The decoder adds a causal self-attention (a position never sees later ones) before the
cross-attention over the encoder's outputs.
"""

from __future__ import annotations

import numpy as np

from ... import activations, backend, initializers
from ...ops import attention as attn
from ..call_arguments import to_tensors
from ..dense import Dense
from ..layer import Layer
from ..layer_normalization import LayerNormalization
from .multi_head_attention import MultiHeadAttention, _shape


def _positive_int(layer, arg, value):
    if not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: {arg} must be a positive integer, received {value!r}")
    return int(value)


class _TransformerBlock(Layer):
    """What the encoder and the decoder share: arguments, the MLP and the residual step."""

    supports_masking = True

    def __init__(self, num_heads, intermediate_dim, dropout=0.0, norm_first=False,
                 activation="relu", layer_norm_epsilon=1e-5, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", seed=None, normalize_first=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.num_heads = _positive_int(kind, "num_heads", num_heads)
        self.intermediate_dim = _positive_int(kind, "intermediate_dim", intermediate_dim)
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"{kind}: dropout must be a number in [0, 1), received {dropout!r}")
        self.dropout = float(dropout)
        self.norm_first = bool(norm_first if normalize_first is None else normalize_first)
        self.activation = activations.get(activation)
        self.layer_norm_epsilon = float(layer_norm_epsilon)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.seed = seed
        self._rng = backend.make_rng(seed)

    def _attention(self, name, hidden_dim):
        return MultiHeadAttention(self.num_heads, max(1, hidden_dim // self.num_heads),
                                  dropout=self.dropout, kernel_initializer=self.kernel_initializer,
                                  bias_initializer=self.bias_initializer, seed=self._rng,
                                  name=name, dtype=self.dtype)

    def _norm(self, name):
        return LayerNormalization(epsilon=self.layer_norm_epsilon, name=name, dtype=self.dtype)

    def _build_feedforward(self, shape):
        hidden_dim = shape[-1]
        self.feedforward_layer_norm = self._norm("feedforward_layer_norm")
        self.feedforward_intermediate_dense = Dense(
            self.intermediate_dim, activation=self.activation,
            kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
            name="feedforward_intermediate_dense", dtype=self.dtype)
        self.feedforward_output_dense = Dense(
            hidden_dim, kernel_initializer=self.kernel_initializer,
            bias_initializer=self.bias_initializer, name="feedforward_output_dense",
            dtype=self.dtype)
        self.feedforward_layer_norm.build(shape)
        self.feedforward_intermediate_dense.build(shape)
        self.feedforward_output_dense.build(tuple(shape[:-1]) + (self.intermediate_dim,))

    def _residual(self, x, norm, branch, training):
        """x + Dropout(branch(x)), with the norm after (post-norm) or inside (pre-norm)."""
        if self.norm_first:
            return x + attn.attention_dropout(branch(norm(x)), self.dropout, training, self._rng)
        return norm(x + attn.attention_dropout(branch(x), self.dropout, training, self._rng))

    def _feedforward(self, x, training):
        return self._residual(x, self.feedforward_layer_norm, lambda h: self.
                              feedforward_output_dense(self.feedforward_intermediate_dense(h)),
                              training)

    def _check_width(self, what, x):
        if x.ndim != 3 or x.shape[-1] != self.hidden_dim:
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected {what} of shape "
                             f"(batch, time, {self.hidden_dim}), received {tuple(x.shape)}")

    def compute_output_shape(self, input_shape, *args):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads,
                "intermediate_dim": self.intermediate_dim, "dropout": self.dropout,
                "norm_first": self.norm_first,
                "activation": activations.serialize(self.activation),
                "layer_norm_epsilon": self.layer_norm_epsilon,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "seed": self.seed if isinstance(self.seed, (int, type(None))) else None}


class TransformerEncoder(_TransformerBlock):
    """One transformer encoder block on (batch, time, hidden_dim) sequences.

    Args:
        num_heads: attention heads (each of size hidden_dim // num_heads).
        intermediate_dim: width of the MLP's hidden layer.
        dropout: dropout of the attention weights and of both residual branches.
        norm_first: pre-norm instead of post-norm (``normalize_first`` is an alias).
        activation: of the MLP's hidden layer.
        layer_norm_epsilon: epsilon of both layer normalizations.

    Call arguments: ``inputs``; ``padding_mask`` (batch, time), True at real tokens (taken
    from the input's Keras mask when not given); ``attention_mask`` (batch, time, time);
    ``use_causal_mask``; ``training``. The output keeps the padding mask.

    >>> TransformerEncoder(num_heads=2, intermediate_dim=32)(np.ones((4, 10, 16))).shape
    (4, 10, 16)
    """

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"TransformerEncoder {self.name!r}: expected inputs of shape "
                             f"(batch, time, hidden_dim), received {tuple(input_shape)}")
        self.hidden_dim = input_shape[-1]
        self.self_attention_layer = self._attention("self_attention_layer", self.hidden_dim)
        self.self_attention_layer_norm = self._norm("self_attention_layer_norm")
        self.self_attention_layer.build(input_shape, input_shape)
        self.self_attention_layer_norm.build(input_shape)
        self._build_feedforward(input_shape)
        self.built = True

    def call(self, inputs, padding_mask=None, attention_mask=None, use_causal_mask=False,
             training=None, mask=None):
        self._check_width("inputs", inputs)
        padding_mask = mask if padding_mask is None else padding_mask

        def self_attention(h):
            return self.self_attention_layer(h, h, query_mask=padding_mask,
                                             value_mask=padding_mask,
                                             attention_mask=attention_mask,
                                             use_causal_mask=use_causal_mask, training=training)

        x = self._residual(inputs, self.self_attention_layer_norm, self_attention, training)
        return self._feedforward(x, training)

    def compute_mask(self, inputs, mask=None):
        return mask


class TransformerDecoder(_TransformerBlock):
    """One transformer decoder block: causal self-attention, cross-attention over the
    encoder's outputs (when ``encoder_sequence`` is given), and the MLP, each with its
    residual connection and layer normalization.

    Call arguments: ``decoder_sequence``, ``encoder_sequence=None``; padding masks
    ``decoder_padding_mask``/``encoder_padding_mask`` (from the Keras masks when not
    given); explicit ``decoder_attention_mask``/``encoder_attention_mask``;
    ``use_causal_mask=True``; ``training``.

    >>> dec = TransformerDecoder(num_heads=2, intermediate_dim=32)
    >>> dec(np.ones((4, 7, 16)), np.ones((4, 10, 16))).shape
    (4, 7, 16)
    """

    def build(self, decoder_sequence_shape, encoder_sequence_shape=None):
        shape = tuple(decoder_sequence_shape)
        if len(shape) != 3 or shape[-1] is None:
            raise ValueError(f"TransformerDecoder {self.name!r}: expected a decoder sequence of "
                             f"shape (batch, time, hidden_dim), received {shape}")
        self.hidden_dim = shape[-1]
        self.self_attention = self._attention("self_attention", self.hidden_dim)
        self.self_attention_layer_norm = self._norm("self_attention_layer_norm")
        self.self_attention.build(shape, shape)
        self.self_attention_layer_norm.build(shape)
        self.cross_attention = None
        if encoder_sequence_shape is not None:
            enc = tuple(encoder_sequence_shape)
            self.cross_attention = self._attention("cross_attention", self.hidden_dim)
            self.cross_attention_layer_norm = self._norm("cross_attention_layer_norm")
            self.cross_attention.build(shape, enc)
            self.cross_attention_layer_norm.build(shape)
        self._build_feedforward(shape)
        self.built = True

    def __call__(self, decoder_sequence, encoder_sequence=None, **kwargs):
        if not self.built:
            self.build(_shape(decoder_sequence), _shape(encoder_sequence))
        return super().__call__(decoder_sequence, encoder_sequence, **kwargs)

    def call(self, decoder_sequence, encoder_sequence=None, decoder_padding_mask=None,
             decoder_attention_mask=None, encoder_padding_mask=None,
             encoder_attention_mask=None, use_causal_mask=True, training=None, mask=None):
        x = decoder_sequence
        self._check_width("decoder_sequence", x)
        decoder_padding_mask = mask if decoder_padding_mask is None else decoder_padding_mask
        if encoder_sequence is not None:
            if self.cross_attention is None:
                raise ValueError(f"TransformerDecoder {self.name!r}: it was built without an "
                                 "encoder sequence, so it has no cross-attention; pass "
                                 "encoder_sequence on the first call too")
            encoder_sequence = to_tensors(encoder_sequence, self.dtype)
            if encoder_padding_mask is None:
                encoder_padding_mask = encoder_sequence._keras_mask

        def self_attention(h):
            return self.self_attention(h, h, query_mask=decoder_padding_mask,
                                       value_mask=decoder_padding_mask,
                                       attention_mask=decoder_attention_mask,
                                       use_causal_mask=use_causal_mask, training=training)

        def cross_attention(h):
            return self.cross_attention(h, encoder_sequence, query_mask=decoder_padding_mask,
                                        value_mask=encoder_padding_mask,
                                        attention_mask=encoder_attention_mask,
                                        training=training)

        x = self._residual(x, self.self_attention_layer_norm, self_attention, training)
        if encoder_sequence is not None:
            x = self._residual(x, self.cross_attention_layer_norm, cross_attention, training)
        return self._feedforward(x, training)

    def compute_mask(self, inputs, mask=None):
        return mask
