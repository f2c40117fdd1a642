"""The IDX format of MNIST and Fashion-MNIST (usually gzipped).

A big-endian header -- two zero bytes, a type code (0x08 = uint8), the number of
dimensions -- then one uint32 per dimension, then the values row by row.
"""

import gzip
import zlib

import numpy as np


def read_idx(path):
    """Read a ``.gz`` or plain IDX file of unsigned bytes into a uint8 array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:  # a damaged gzip stream
        raise ValueError(f"{path}: cannot read IDX data: {e}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise ValueError(f"{path}: IDX type code {raw[2]:#04x} is not 0x08 (unsigned bytes)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    size = int(np.prod(shape))
    if len(raw) - header != size:
        raise ValueError(f"{path}: IDX header promises {size} values of shape {shape}, "
                         f"the file holds {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def load_four(paths):
    """``(x_train, y_train), (x_test, y_test)`` from the four IDX files, checked."""
    x_train, y_train, x_test, y_test = (read_idx(p) for p in paths)
    for x, y, name in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{name}: images {x.shape} and labels {y.shape} do not match")
    return (x_train, y_train), (x_test, y_test)
