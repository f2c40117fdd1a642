"""Position information for attention, which by itself ignores word order.

Attention treats its input as a set: shuffle the tokens and every output is shuffled the
same way. Adding a vector that depends on the position brings the order back:

* ``PositionalEmbedding`` learns one vector per position (and, given ``input_dim``, also
  looks the tokens up, returning token + position embeddings);
* ``TokenAndPositionEmbedding`` is the same with KerasNLP's argument names;
* ``SinePositionEncoding`` uses fixed sines and cosines of geometrically spaced
  wavelengths, for position p and feature i (i even: sin, i odd: cos):
  angle = p / max_wavelength ** (2 * (i // 2) / d).
"""

from __future__ import annotations

import numpy as np

from ... import backend, initializers
from ...autograd import Tensor
from ..embedding import Embedding
from ..layer import Layer


def _check_positive(layer, arg, value, optional=False):
    if optional and value is None:
        return None
    if not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: {arg} must be a positive integer, received {value!r}")
    return int(value)


class PositionalEmbedding(Layer):
    """Learned position embeddings, added to the input.

    * ``input_dim=None``: inputs (batch, time, features) of floats; returns
      inputs + positions (``output_dim`` defaults to the features).
    * ``input_dim=vocabulary size``: inputs (batch, time) of token ids; returns
      token embeddings + positions, (batch, time, output_dim). ``mask_zero=True`` makes id 0
      padding: the output carries the mask (ids != 0) for the layers that follow.

    ``sequence_length`` is the longest sequence the layer accepts.

    >>> PositionalEmbedding(20, input_dim=100, output_dim=8)(np.ones((2, 5), int)).shape
    (2, 5, 8)
    """

    _integer_inputs = True  # token ids index the table: never cast to float

    def __init__(self, sequence_length, input_dim=None, output_dim=None, mask_zero=False,
                 embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.sequence_length = _check_positive(kind, "sequence_length", sequence_length)
        self.input_dim = _check_positive(kind, "input_dim", input_dim, optional=True)
        self.output_dim = _check_positive(kind, "output_dim", output_dim, optional=True)
        if self.input_dim is not None and self.output_dim is None:
            raise ValueError(f"{kind}: output_dim is required when input_dim (the vocabulary "
                             "size) is given")
        if mask_zero and self.input_dim is None:
            raise ValueError(f"{kind}: mask_zero needs token ids, i.e. input_dim")
        self.mask_zero = bool(mask_zero)
        self.embeddings_initializer = embeddings_initializer
        self.supports_masking = not self.input_dim  # float inputs pass their mask through

    def build(self, input_shape):
        kind = f"{type(self).__name__} {self.name!r}"
        if self.input_dim is None:
            if len(input_shape) != 3 or input_shape[-1] is None:
                raise ValueError(f"{kind}: expected inputs (batch, time, features), received "
                                 f"{tuple(input_shape)}")
            if self.output_dim not in (None, input_shape[-1]):
                raise ValueError(f"{kind}: output_dim {self.output_dim} differs from the input "
                                 f"features {input_shape[-1]}")
            self.output_dim = input_shape[-1]
            self.token_embedding = None
        else:
            if len(input_shape) != 2:
                raise ValueError(f"{kind}: expected token ids (batch, time), received "
                                 f"{tuple(input_shape)}")
            self.token_embedding = Embedding(self.input_dim, self.output_dim,
                                             self.embeddings_initializer,
                                             name="token_embedding", dtype=self.dtype)
            self.token_embedding.build(input_shape)
        # one learned vector per position: a (sequence_length, dim) table, read by slicing
        self.position_embedding = Embedding(self.sequence_length, self.output_dim,
                                            self.embeddings_initializer,
                                            name="position_embedding", dtype=self.dtype)
        self.position_embedding.build((self.sequence_length,))
        self.built = True

    def call(self, inputs):
        length = inputs.shape[1]
        if length > self.sequence_length:
            raise ValueError(f"{type(self).__name__} {self.name!r}: sequences of length "
                             f"{length} are longer than sequence_length={self.sequence_length}")
        positions = self.position_embedding.embeddings[:length]  # (time, dim), broadcast
        if self.token_embedding is None:
            return inputs + positions
        return self.token_embedding(inputs) + positions

    def compute_mask(self, inputs, mask=None):
        if self.input_dim is None:
            return mask
        if not self.mask_zero:
            return None
        return getattr(inputs, "data", inputs) != 0

    def compute_output_shape(self, input_shape):
        if self.input_dim is None:
            return tuple(input_shape)
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "sequence_length": self.sequence_length,
                "input_dim": self.input_dim, "output_dim": self.output_dim,
                "mask_zero": self.mask_zero,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer)}


class TokenAndPositionEmbedding(PositionalEmbedding):
    """Token embeddings plus learned position embeddings, KerasNLP's way of naming them.

    >>> TokenAndPositionEmbedding(1000, 64, 32, mask_zero=True)(np.ones((2, 10), int)).shape
    (2, 10, 32)
    """

    def __init__(self, vocabulary_size, sequence_length, embedding_dim, mask_zero=False,
                 embeddings_initializer="uniform", **kwargs):
        super().__init__(sequence_length, input_dim=vocabulary_size, output_dim=embedding_dim,
                         mask_zero=mask_zero, embeddings_initializer=embeddings_initializer,
                         **kwargs)

    def get_config(self):
        config = super().get_config()
        config["vocabulary_size"] = config.pop("input_dim")
        config["embedding_dim"] = config.pop("output_dim")
        return config


class SinePositionEncoding(Layer):
    """Fixed sinusoidal position encodings of the input's shape (batch, time, features).

    It returns the encodings only; add them yourself: ``x = x + SinePositionEncoding()(x)``.
    Nothing is learned, so it works for any length.

    >>> enc = SinePositionEncoding()(np.zeros((1, 3, 4))).numpy()[0]
    >>> enc[1, :3].round(4)    # position 1: sin(1), cos(1), sin(1/100)
    array([0.8415, 0.5403, 0.01  ], dtype=float32)
    """

    supports_masking = True

    def __init__(self, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(max_wavelength, (int, float)) or max_wavelength <= 1:
            raise ValueError(f"SinePositionEncoding: max_wavelength must be a number > 1, "
                             f"received {max_wavelength!r}")
        self.max_wavelength = max_wavelength

    def call(self, inputs, start_index=0):
        if inputs.ndim < 2:
            raise ValueError(f"SinePositionEncoding {self.name!r}: expected inputs (batch, "
                             f"time, features), received {tuple(inputs.shape)}")
        length, dim = inputs.shape[-2], inputs.shape[-1]
        position = np.arange(start_index, start_index + length, dtype=np.float64)[:, None]
        feature = np.arange(dim)
        rate = (1.0 / self.max_wavelength) ** (2 * (feature // 2) / dim)
        angle = position * rate
        table = np.where(feature % 2 == 0, np.sin(angle), np.cos(angle))
        dtype = inputs.dtype if inputs.dtype.kind == "f" else np.dtype(backend.floatx())
        table = np.broadcast_to(table.astype(dtype), inputs.shape).copy()
        return Tensor(backend.asarray(table))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_wavelength": self.max_wavelength}
