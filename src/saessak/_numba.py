"""Optional numba (the ``fast`` extra): compiled loops where NumPy has no fast whole-array form.

A few kernels are loops that NumPy can only write as many small calls (the recurrent time
loops, :mod:`saessak.ops._rnn_numba`) or as a slow general routine (``np.add.at``, the
embedding's scatter-add). With numba installed those loops run compiled; without it, or
with ``SAESSAK_NUMBA=0`` in the environment, the NumPy versions run and give the same
numbers. Every compiled loop has a test against its NumPy twin.

It sits beside ``backend.py``, below ``ops`` and ``optimizers``, since both compile loops
with the ``jit`` and ``plain_arrays`` defined here.
"""

from __future__ import annotations

import os

import numpy as np

from ._blas import NO_TRANS, ROW_MAJOR, TRANS

try:  # numba is optional
    import numba
except ImportError:  # pragma: no cover - depends on the machine
    numba = None

ENABLED = numba is not None and os.environ.get("SAESSAK_NUMBA", "1") != "0"
FLOATS = (np.float32, np.float64)


def plain_arrays(arrays, dtypes=FLOATS, contiguous=False) -> bool:
    """Whether the compiled loops can take these arrays: plain NumPy arrays of ``dtypes``
    (C-contiguous too, if asked); ``None`` entries are skipped. CuPy arrays, other dtypes
    and array-likes take the NumPy path."""
    return all(type(a) is np.ndarray and a.dtype in dtypes
               and (a.flags.c_contiguous or not contiguous) for a in arrays if a is not None)


def jit(fn=None, *, fastmath=False):
    """Compile ``fn`` (cached on disk). ``error_model='numpy'`` lets a division be a plain
    division (no zero check, which would keep LLVM from vectorising the loop around it).
    ``fastmath`` takes numba's flags, e.g. ``{"contract"}`` to allow fused multiply-adds."""
    if fn is None:
        return lambda f: jit(f, fastmath=fastmath)
    return numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=fastmath)(fn)


if numba is not None:

    @jit
    def scatter_add_rows(table, rows, values):
        """``table[rows[n]] += values[n]`` for every n in order: ``np.add.at`` for 2-D rows."""
        for n in range(rows.shape[0]):
            dst, src = table[rows[n]], values[n]
            for j in range(src.shape[0]):
                dst[j] += src[j]

    @jit
    def matmul_into(blas, a, b, out):
        """``out = a @ b`` for 2-D arrays whose rows are contiguous: through ``blas``, NumPy's
        own ``(gemm, gemv)`` (:mod:`saessak._blas`), when it is given, else through numba's
        ``np.dot``. One row (batch 1) goes to gemv, as ``out^T = b^T a^T``."""
        size = a.itemsize
        if (blas is None or a.strides[1] != size or b.strides[1] != size
                or out.strides[1] != size):
            np.dot(a, b, out)
        elif a.shape[0] == 1:
            k, n = b.shape
            blas[1](ROW_MAJOR, TRANS, k, n, 1.0, b.ctypes.data, b.strides[0] // size,
                    a.ctypes.data, 1, 0.0, out.ctypes.data, 1)
        else:
            m, k = a.shape
            blas[0](ROW_MAJOR, NO_TRANS, NO_TRANS, m, b.shape[1], k, 1.0, a.ctypes.data,
                    a.strides[0] // size, b.ctypes.data, b.strides[0] // size, 0.0,
                    out.ctypes.data, out.strides[0] // size)
