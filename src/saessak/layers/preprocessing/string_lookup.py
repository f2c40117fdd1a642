"""StringLookup: strings in, integer indices out (or back, with ``invert=True``).

>>> chars = StringLookup(vocabulary=list("abcd"))
>>> chars([["a", "c", "d"], ["d", "z", "b"]]).numpy()      # '[UNK]' is index 0
array([[1, 3, 4],
       [4, 0, 2]])
>>> StringLookup(vocabulary=list("abcd"), invert=True)([[1, 0]]).numpy()
array([[b'a', b'[UNK]']], dtype=object)

The layout of the indices, the output modes and ``adapt`` are ``IndexLookup``'s. Inverted
lookups return byte strings, as TensorFlow's string tensors hold them.
"""

from __future__ import annotations

import numpy as np

from .index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Map strings to indices through a vocabulary (see ``index_lookup``)."""

    _kind = "StringLookup"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, **kwargs)

    def _key(self, value):
        if isinstance(value, bytes):
            return value.decode(self.encoding)
        if isinstance(value, str):
            return str(value)
        raise ValueError(f"StringLookup: expected strings, received {type(value).__name__} "
                         f"{value!r} (use IntegerLookup for integer values)")

    def _values_out(self, flat: list) -> np.ndarray:
        out = np.empty(len(flat), dtype=object)
        out[:] = [t.encode(self.encoding) for t in flat]
        return out

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}
