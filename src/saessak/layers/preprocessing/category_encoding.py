"""CategoryEncoding: integer ids in, one-hot / multi-hot / count vectors out.

``encode_categorical`` is the encoder every categorical preprocessing layer shares
(``StringLookup``, ``IntegerLookup``, ``Hashing``, ``Discretization``). Its shape rules are
Keras's:

- ``'one_hot'``: each id becomes a vector; a trailing axis of size 1 is replaced, so
  ``(batch,)`` and ``(batch, 1)`` both give ``(batch, depth)``.
- ``'multi_hot'`` / ``'count'`` / ``'tf_idf'``: each row (the last axis) becomes one
  vector, so ``(batch, n)`` gives ``(batch, depth)`` and a 1-D input counts as one sample.

>>> CategoryEncoding(num_tokens=4, output_mode="count")([[0, 1], [0, 0]]).numpy()
array([[1., 1., 0., 0.],
       [2., 0., 0., 0.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from .data_layer import DataLayer, as_array, to_output

MODES = ("one_hot", "multi_hot", "count", "tf_idf")


def encode_categorical(ids, depth: int, output_mode: str, dtype="float32",
                       count_weights=None, idf_weights=None, caller="CategoryEncoding"):
    """Encode integer ``ids``; ids outside ``[0, depth)`` (a dropped mask token) are left
    out. ``count_weights`` (same shape as ``ids``) replaces each count of 1 by a weight;
    ``idf_weights`` (``depth`` of them) scales the counts for ``'tf_idf'``."""
    ids = np.asarray(ids)
    if ids.ndim == 0:
        ids = ids[None]
    if output_mode == "one_hot":  # one vector per id; a trailing axis of 1 is replaced
        if ids.shape[-1] == 1:
            ids = ids[..., 0]
        return (ids[..., None] == np.arange(depth)).astype(dtype)
    if ids.ndim > 2:
        raise ValueError(f"{caller}: output_mode={output_mode!r} gives at most rank-2 "
                         f"outputs, received inputs of shape {np.shape(ids)}")
    rows = ids.reshape(-1, ids.shape[-1]) if ids.ndim == 2 else ids[None]
    weights = None if count_weights is None else np.asarray(count_weights, np.float64)
    if weights is not None:
        weights = np.broadcast_to(weights, ids.shape).reshape(rows.shape)
    out = np.zeros((len(rows), depth), dtype=np.float64)
    keep = (rows >= 0) & (rows < depth)
    row_of = np.broadcast_to(np.arange(len(rows))[:, None], rows.shape)
    np.add.at(out, (row_of[keep], rows[keep]), 1.0 if weights is None else weights[keep])
    if output_mode in ("one_hot", "multi_hot"):
        out = np.minimum(out, 1.0)
    elif output_mode == "tf_idf":
        out = out * np.asarray(idf_weights, np.float64)
    out = out.astype(dtype)
    return out if ids.ndim == 2 else out[0]


def encoded_shape(input_shape, depth, output_mode):
    """The output shape ``encode_categorical`` gives for inputs of ``input_shape``."""
    shape = tuple(input_shape)
    if output_mode == "one_hot":
        return (shape[:-1] if shape and shape[-1] == 1 else shape) + (depth,)
    return (shape[0], depth) if len(shape) >= 2 else (depth,)


class CategoryEncoding(DataLayer):
    """Encode integer ids in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":  # the tf.keras 2.4-2.5 name of 'multi_hot'
            output_mode = "multi_hot"
        if output_mode not in ("one_hot", "multi_hot", "count"):
            raise ValueError(f"CategoryEncoding: output_mode must be 'one_hot', 'multi_hot' "
                             f"or 'count', received {output_mode!r}")
        if num_tokens is None or isinstance(num_tokens, bool) or not isinstance(
                num_tokens, (int, np.integer)) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding: num_tokens must be an int >= 1, received "
                             f"{num_tokens!r}")
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported by saessak "
                             "(its outputs are dense arrays)")
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, False

    def call(self, inputs, count_weights=None):
        ids = as_array(inputs)
        if ids.dtype.kind == "f" and np.all(ids == np.round(ids)):
            ids = ids.astype(np.int64)
        if ids.dtype.kind not in "iu":
            raise ValueError(f"CategoryEncoding {self.name!r}: expected integer ids, "
                             f"received an array of dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_tokens):
            raise ValueError(f"CategoryEncoding {self.name!r}: ids must be in "
                             f"[0, num_tokens={self.num_tokens}), received values from "
                             f"{ids.min()} to {ids.max()}")
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding {self.name!r}: count_weights is only used "
                             f"with output_mode='count', not {self.output_mode!r}")
        return to_output(encode_categorical(ids, self.num_tokens, self.output_mode,
                                            self.dtype, count_weights))

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.num_tokens, self.output_mode)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}
