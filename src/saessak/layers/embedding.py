"""Embedding: turn integer token ids into dense vectors, rows of a trainable table."""

from __future__ import annotations

import numpy as np

from .. import backend, constraints, initializers, regularizers
from ..autograd import Tensor
from ..ops.embedding import embedding_lookup
from .layer import Layer


class Embedding(Layer):
    """A lookup table of ``input_dim`` vectors of size ``output_dim``.

    ``mask_zero=True`` treats id 0 as padding: the output carries a mask ``ids != 0`` that
    the following recurrent layers use to skip those steps (and then ``input_dim`` must
    count the padding id too). ``input_length`` fixes the sequence length, as tf.keras 2
    allowed, for ``summary()``.

    >>> layer = Embedding(1000, 64)         # a (1000, 64) table: 64,000 weights
    >>> layer(np.array([[4, 20, 7]])).shape
    (1, 3, 64)
    """

    _integer_inputs = True  # token ids index the table: never cast to float

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"Embedding: {arg} must be a positive integer, received "
                                 f"{value!r}")
        if input_length is not None and "input_shape" not in kwargs and (
                "batch_input_shape" not in kwargs):
            kwargs["input_shape"] = (input_length,)
        elif "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (None,)  # as tf.keras 2: a Sequential model is built
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer,
            self.embeddings_regularizer, constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        ids = inputs.data if isinstance(inputs, Tensor) else backend.asarray(inputs)
        return embedding_lookup(self.embeddings, ids, name=f"Embedding {self.name!r}")

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        ids = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return ids != 0

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.input_length is not None and len(shape) == 2 and shape[1] is None:
            shape = (shape[0], self.input_length)
        return shape + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "input_length": self.input_length}
