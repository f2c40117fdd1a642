"""ReversibleEmbedding: an Embedding that can also be called backwards, from vectors to
one logit per token of the vocabulary (a language model's input and output layers).

Forward, ``layer(ids)`` looks up rows of ``embeddings`` (input_dim, output_dim), as
:class:`~.embedding.Embedding`. With ``reverse=True``, ``layer(h)`` for h (..., output_dim)
gives the logits h E^T (..., input_dim) against the same table ("tied" weights, the
default), or h R against a separate trainable ``reverse_embeddings`` R (output_dim,
input_dim) when ``tie_weights=False``. ``logit_soft_cap`` c bounds the logits smoothly:
c tanh(logits / c). No bias. Weights in Keras 3's order: ``embeddings``, then
``reverse_embeddings``.

>>> layer = ReversibleEmbedding(100, 8)
>>> h = layer(np.array([[4, 20, 7]]))          # (1, 3, 8)
>>> layer(h, reverse=True).shape
(1, 3, 100)
"""

from __future__ import annotations

import numpy as np

from ..ops import cast, divide, matmul, multiply, tanh, transpose
from .embedding import Embedding

__all__ = ["ReversibleEmbedding"]


class ReversibleEmbedding(Embedding):
    """An :class:`~.embedding.Embedding` whose call with ``reverse=True`` projects vectors
    of size ``output_dim`` back to ``input_dim`` logits.

    Args:
        input_dim, output_dim, embeddings_*, mask_zero: as Embedding.
        tie_weights: reverse through the transposed ``embeddings`` (default) or through a
            separate ``reverse_embeddings`` weight (output_dim, input_dim), initialised as
            the embeddings are.
        reverse_dtype: a float dtype to compute the reverse projection in (default: the
            layer's).
        logit_soft_cap: if set (c > 0), reverse logits become c * tanh(logits / c).

    Call arguments: ``inputs`` and ``reverse`` (default False). Forward, ``mask_zero`` marks
    id 0 as padding as in Embedding; the reverse call's output carries no mask.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        if reverse_dtype is not None:
            try:
                kind = np.dtype(reverse_dtype).kind
            except TypeError:
                kind = None
            if kind != "f":
                raise ValueError(f"ReversibleEmbedding: reverse_dtype must be a float dtype "
                                 f"or None, received {reverse_dtype!r}")
            reverse_dtype = np.dtype(reverse_dtype).name
        if logit_soft_cap is not None and (
                isinstance(logit_soft_cap, bool) or not isinstance(
                    logit_soft_cap, (int, float, np.integer, np.floating))
                or not logit_soft_cap > 0):
            raise ValueError(f"ReversibleEmbedding: logit_soft_cap must be a positive number "
                             f"or None, received {logit_soft_cap!r}")
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = None if logit_soft_cap is None else float(logit_soft_cap)
        self._reversing = False  # set while a reverse call runs (see __call__)

    def build(self, input_shape=None):
        super().build(input_shape)
        self.reverse_embeddings = None
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                "reverse_embeddings", (self.output_dim, self.input_dim),
                self.embeddings_initializer)
        self.built = True

    def __call__(self, inputs, reverse=False, **kwargs):
        # The direction decides the output shape and mask, which Layer.__call__ asks of
        # compute_output_shape and compute_mask with the inputs alone: they read it here.
        previous, self._reversing = self._reversing, bool(reverse)
        try:
            return super().__call__(inputs, reverse=bool(reverse), **kwargs)
        finally:
            self._reversing = previous

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if inputs.dtype.kind != "f":
            raise ValueError(f"ReversibleEmbedding {self.name!r}: a reverse call takes float "
                             f"vectors (..., {self.output_dim}), received {inputs.dtype} "
                             "data")
        if inputs.ndim < 1 or inputs.shape[-1] != self.output_dim:
            raise ValueError(f"ReversibleEmbedding {self.name!r}: a reverse call takes inputs "
                             f"(..., {self.output_dim}), received shape {tuple(inputs.shape)}")
        kernel = (transpose(self.embeddings) if self.tie_weights
                  else self.reverse_embeddings)
        if self.reverse_dtype is not None:
            inputs, kernel = cast(inputs, self.reverse_dtype), cast(kernel, self.reverse_dtype)
        logits = matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = multiply(tanh(divide(logits, cap)), cap)
        return logits

    def compute_mask(self, inputs, mask=None):
        if self._reversing:
            return None
        return super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape, reverse=None):
        reverse = self._reversing if reverse is None else reverse
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
