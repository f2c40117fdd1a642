"""IntegerLookup: integer values (ids, codes, years...) in, contiguous indices out.

>>> IntegerLookup(vocabulary=[12, 36, 1138, 42])([[12, 1138, 42], [42, 1000, 36]]).numpy()
array([[1, 3, 4],
       [4, 0, 2]])

The OOV token is -1 (what ``invert=True`` returns for unknown indices); with several OOV
indices a value goes to ``value mod num_oov_indices`` of them. The rest is ``IndexLookup``.
"""

from __future__ import annotations

import numpy as np

from .index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Map integers to indices through a vocabulary (see ``index_lookup``)."""

    _kind = "IntegerLookup"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 output_mode="int", sparse=False, vocabulary=None, vocabulary_dtype="int64",
                 idf_weights=None, invert=False, pad_to_max_tokens=False, **kwargs):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(f"IntegerLookup: vocabulary_dtype must be 'int32' or 'int64', "
                             f"received {vocabulary_dtype!r}")
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, **kwargs)

    def _key(self, value):
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            return int(value)
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return int(value)
        raise ValueError(f"IntegerLookup: expected integers, received "
                         f"{type(value).__name__} {value!r} (use StringLookup for strings)")

    def _token_from_text(self, line):
        try:
            return int(line)
        except ValueError:
            raise ValueError(f"IntegerLookup {self.name!r}: the vocabulary file holds "
                             f"{line!r}, not an integer") from None

    def _values_out(self, flat: list) -> np.ndarray:
        return np.asarray(flat, dtype=self.vocabulary_dtype)

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
