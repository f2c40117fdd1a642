"""Hashing: strings or integers in, bucket ids out (the "hashing trick").

The buckets are TensorFlow's, so a model trained with Keras's ``Hashing`` sees the same ids:

- no ``salt``: ``bucket = fingerprint64(str(x)) % num_bins`` with FarmHash Fingerprint64
  (``tf.strings.to_hash_bucket_fast``);
- ``salt=s`` (an int, or two): SipHash-2-4 keyed by ``(s, s)`` (or the pair)
  (``tf.strings.to_hash_bucket_strong``);
- ``mask_value=m``: ``m`` maps to 0 and the rest to ``1 + hash % (num_bins - 1)``.

Integers are hashed as their decimal text (``tf.as_string``); floats are truncated to
integers first, as Keras casts them.

>>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).numpy().ravel()
array([1, 0, 1, 1, 2])
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .category_encoding import MODES, encode_categorical, encoded_shape
from .data_layer import DataLayer, as_array, to_output
from .fingerprint import fingerprint64, siphash64

_fast = lru_cache(maxsize=1 << 16)(fingerprint64)
_strong = lru_cache(maxsize=1 << 16)(siphash64)


def as_bytes(value, encoding="utf-8") -> bytes:
    """The bytes TensorFlow hashes for one value."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode(encoding)
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Hashing: booleans cannot be hashed, received {value!r}")
    if isinstance(value, (int, np.integer)):
        return str(int(value)).encode()
    if isinstance(value, (float, np.floating)):  # Keras casts floats to int64 first
        return str(int(value)).encode()
    raise ValueError(f"Hashing: expected strings or numbers, received "
                     f"{type(value).__name__} {value!r}")


def hash_to_buckets(flat: list, num_buckets: int, key=None) -> np.ndarray:
    """Bucket of each value in ``flat`` (bytes; FarmHash, or SipHash under ``key``)."""
    if key is None:
        hashes = [_fast(b) % num_buckets for b in flat]
    else:
        hashes = [_strong(key, b) % num_buckets for b in flat]
    return np.asarray(hashes, dtype=np.int64)


class Hashing(DataLayer):
    """Hash each value into one of ``num_bins`` buckets (see the module docstring)."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) \
                or num_bins < 1:
            raise ValueError(f"Hashing: num_bins must be an int >= 1, received {num_bins!r}")
        if mask_value is not None and num_bins < 2:
            raise ValueError(f"Hashing: with a mask_value, num_bins must be >= 2 (bin 0 is "
                             f"the mask's), received num_bins={num_bins}")
        if output_mode not in ("int",) + MODES[:3]:
            raise ValueError(f"Hashing: output_mode must be 'int', 'one_hot', 'multi_hot' or "
                             f"'count', received {output_mode!r}")
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported by saessak")
        if salt is None:
            self.salt = None
        elif isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
            self.salt = [int(salt), int(salt)]
        elif isinstance(salt, (list, tuple)) and len(salt) == 2:
            self.salt = [int(s) for s in salt]
        else:
            raise ValueError(f"Hashing: salt must be None, an int or a pair of ints, "
                             f"received {salt!r}")
        self.num_bins, self.mask_value = int(num_bins), mask_value
        self.output_mode, self.sparse = output_mode, False

    def _bins(self, values: np.ndarray) -> np.ndarray:
        key = None if self.salt is None else tuple(self.salt)
        flat = [as_bytes(v) for v in values.ravel().tolist()]
        if self.mask_value is None:
            return hash_to_buckets(flat, self.num_bins, key).reshape(values.shape)
        ids = hash_to_buckets(flat, self.num_bins - 1, key) + 1
        masked = np.asarray([b == as_bytes(self.mask_value) for b in flat], dtype=bool)
        return np.where(masked, 0, ids).reshape(values.shape)

    def call(self, inputs):
        values = as_array(inputs)
        ids = self._bins(values)
        if self.output_mode == "int":
            return to_output(ids)
        return to_output(encode_categorical(ids, self.num_bins, self.output_mode, self.dtype,
                                            caller=f"Hashing {self.name!r}"))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.num_bins, self.output_mode)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "mask_value": self.mask_value, "salt": self.salt,
                "output_mode": self.output_mode, "sparse": self.sparse}
