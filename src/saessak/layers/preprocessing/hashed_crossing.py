"""HashedCrossing: several categorical features in, one hashed bin of their combination out.

``bin = cross_hash(x1, ..., xk) % num_bins``, bit for bit as Keras 3's layer (which calls
``tf.sparse.cross_hashed``) computes it, so a model trained with Keras sees the same bins:

- each value is first hashed to 64 bits: a string (or bytes) by FarmHash Fingerprint64 of
  its UTF-8 bytes, an integer as itself (its two's-complement bits, so -1 is 2**64 - 1);
- the hashes are folded left to right, starting from TensorFlow's default key
  ``0xDECAFCAFFE``, with ``FingerprintCat64`` (a Murmur-style mix of two words), so the
  order of the features matters;
- the unsigned 64-bit result is taken modulo ``num_bins``.

Inputs are two or more arrays of integers or strings (floats are refused, as in Keras), all
of shape ``()``, ``(batch,)`` or ``(batch, 1)``; the bins have that shape (int64), or with
``output_mode='one_hot'`` one float vector of ``num_bins`` per value.

>>> HashedCrossing(num_bins=5)((np.array(["A", "B", "A", "B", "A"]),
...                             np.array([101, 101, 101, 102, 102]))).numpy()
array([1, 4, 1, 1, 3])
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .data_layer import DataLayer, as_array, to_output
from .fingerprint import fingerprint64

DEFAULT_HASH_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's hash_key when none is given
_MUL = np.uint64(0xC6A4A7935BD1E995)  # FingerprintCat64's multiplier
_SHIFT = np.uint64(47)
_fingerprint = lru_cache(maxsize=1 << 16)(fingerprint64)


def _shift_mix(v: np.ndarray) -> np.ndarray:
    return v ^ (v >> _SHIFT)


def fingerprint_cat64(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """TensorFlow's ``FingerprintCat64`` of two arrays of unsigned 64-bit words (NumPy's
    uint64 products wrap modulo 2**64, as the C++ ``uint64_t`` ones do)."""
    out = first ^ _MUL
    out = out ^ (_shift_mix(second * _MUL) * _MUL)
    out = out * _MUL
    out = _shift_mix(out) * _MUL
    return _shift_mix(out)


def _value_hashes(values: np.ndarray, caller: str) -> np.ndarray:
    """The 64-bit word each value enters the cross as (see the module docstring)."""
    flat = values.ravel()
    if values.dtype.kind in "iu":
        return flat.astype(np.int64).view(np.uint64) if values.dtype.kind == "i" \
            else flat.astype(np.uint64)
    if values.dtype.kind != "O":
        raise ValueError(f"{caller}: inputs must hold integers or strings, received an "
                         f"array of dtype {values.dtype}")
    words = np.empty(flat.size, dtype=np.uint64)
    for i, value in enumerate(flat.tolist()):
        if isinstance(value, str):
            words[i] = _fingerprint(value.encode("utf-8"))
        elif isinstance(value, bytes):
            words[i] = _fingerprint(value)
        elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            words[i] = int(value) & 0xFFFFFFFFFFFFFFFF
        else:
            raise ValueError(f"{caller}: inputs must hold integers or strings, received "
                             f"{type(value).__name__} {value!r}")
    return words


def cross_hash(columns: list, num_bins: int, key: int = DEFAULT_HASH_KEY) -> np.ndarray:
    """The bin of each row of ``columns`` (arrays of one shape): the folded hashes of the
    row's values modulo ``num_bins`` (int64, flat)."""
    caller = "HashedCrossing"
    size = columns[0].size
    acc = np.full(size, key, dtype=np.uint64)
    for column in columns:
        acc = fingerprint_cat64(acc, _value_hashes(column, caller))
    return (acc % np.uint64(num_bins)).astype(np.int64)


class HashedCrossing(DataLayer):
    """Cross categorical features by hashing their combination (see the module docstring).

    ``num_bins``: how many bins; ``output_mode``: ``'int'`` (the bins) or ``'one_hot'``.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) \
                or not 1 <= num_bins < 2**64:
            raise ValueError(f"HashedCrossing: num_bins must be an int >= 1, received "
                             f"{num_bins!r}")
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"HashedCrossing: output_mode must be 'int' or 'one_hot', "
                             f"received {output_mode!r}")
        if sparse:
            raise ValueError("HashedCrossing: sparse=True is not supported by saessak (its "
                             "outputs are dense arrays; Keras allows it only with the "
                             "TensorFlow backend)")
        self.num_bins, self.output_mode, self.sparse = int(num_bins), output_mode, False

    def _check(self, inputs) -> list:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"HashedCrossing {self.name!r}: call it on a list or tuple of "
                             f"inputs, received {type(inputs).__name__}")
        if len(inputs) < 2:
            raise ValueError(f"HashedCrossing {self.name!r}: call it on at least two inputs, "
                             f"received {len(inputs)}")
        arrays = [as_array(x) for x in inputs]
        shape = arrays[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"HashedCrossing {self.name!r}: every input must have shape (), "
                             f"(batch_size,) or (batch_size, 1), received {shape}")
        if any(a.shape != shape for a in arrays[1:]):
            raise ValueError(f"HashedCrossing {self.name!r}: the inputs must have equal "
                             f"shapes, received {[a.shape for a in arrays]}")
        for a in arrays:
            if a.dtype.kind not in "iuO":
                raise ValueError(f"HashedCrossing {self.name!r}: every input must hold "
                                 f"integers or strings, received dtype {a.dtype}")
        return arrays

    def call(self, inputs):
        arrays = self._check(inputs)
        shape = arrays[0].shape
        bins = cross_hash(arrays, self.num_bins).reshape(shape)
        if self.output_mode == "int":
            return to_output(bins)
        # Keras's one-hot rule: a scalar counts as one sample, and only a trailing axis of
        # 1 after a batch axis is replaced, so (batch,) and (batch, 1) both give
        # (batch, num_bins), even for a batch of one
        if bins.ndim == 0:
            bins = bins[None]
        elif bins.ndim == 2:
            bins = bins[:, 0]
        return to_output((bins[:, None] == np.arange(self.num_bins)).astype(self.dtype))

    def compute_output_shape(self, input_shape):
        shapes = list(input_shape) if isinstance(input_shape, (list, tuple)) else []
        if len(shapes) < 2 or not all(isinstance(s, (list, tuple)) for s in shapes):
            raise ValueError(f"HashedCrossing {self.name!r}: expected the shapes of at least "
                             f"two inputs, received {input_shape!r}")
        first = tuple(shapes[0])
        if any(len(s) != len(first) or (s and first and s[-1] != first[-1]) for s in shapes):
            raise ValueError(f"HashedCrossing {self.name!r}: the inputs must have equal "
                             f"shapes, received {input_shape!r}")
        if self.output_mode == "int":
            return first
        return ((first[0] if first else 1), self.num_bins)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "output_mode": self.output_mode, "sparse": self.sparse}


__all__ = ["HashedCrossing", "cross_hash", "fingerprint_cat64"]
