"""NumPy's own BLAS, for the matrix products inside numba's compiled loops.

numba compiles ``np.dot`` to a call into SciPy's copy of OpenBLAS, which is built apart from
NumPy's. On the recurrent loops' shapes it ran well behind NumPy's own ``@`` (measured with
NumPy 2.4's OpenBLAS 0.3.31 and SciPy 1.17's 0.3.30, one thread, float32 GFLOP/s):

    (20 x 100) @ (100 x 400), the Reuters LSTM's step    np.dot in numba 40, NumPy 72
    (64 x 512) @ (512 x 2048), the char LSTM LM's step   np.dot in numba 64, NumPy 78

So this module finds ``cblas_sgemm``/``cblas_dgemm`` in the BLAS that NumPy loaded, and
compiled loops call it through :func:`saessak._numba.matmul_into` (the function is passed
to them as an argument, which keeps numba's on-disk cache usable). Where no such function
is found (another BLAS, another system), ``gemm_for`` answers None and the loops keep
``np.dot``.
"""

from __future__ import annotations

import ctypes
import functools

import numpy as np

# CBLAS's enums: the arrays are row-major (C order), neither is transposed
ROW_MAJOR, NO_TRANS = 101, 111

# the names NumPy's wheels (scipy-openblas, 64-bit integers) and plain builds export
_NAMES = (("scipy_cblas_{}gemm64_", ctypes.c_int64), ("cblas_{}gemm64_", ctypes.c_int64),
          ("scipy_cblas_{}gemm", ctypes.c_int), ("cblas_{}gemm", ctypes.c_int))


def loaded_libraries(word):
    """The paths of the shared libraries loaded in this process whose path contains
    ``word`` (any case), from Linux's ``/proc/self/maps``; [] elsewhere."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if word in line.lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/"))


def _gemm(library, letter, real):
    """The library's ``cblas_?gemm`` with its argument types set, or None."""
    for pattern, integer in _NAMES:
        function = getattr(library, pattern.format(letter), None)
        if function is not None:
            pointer = ctypes.c_void_p
            function.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, integer, integer,
                                 integer, real, pointer, integer, pointer, integer, real,
                                 pointer, integer]
            function.restype = None
            return function
    return None


@functools.cache  # looked up at the first compiled loop, not at import
def _find():
    for path in (p for p in loaded_libraries("blas") if "numpy" in p):  # NumPy's own
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        found = {np.float32: _gemm(library, "s", ctypes.c_float),
                 np.float64: _gemm(library, "d", ctypes.c_double)}
        if all(found.values()):
            return found
    return {}


def gemm_for(dtype):
    """NumPy's BLAS ``cblas_?gemm`` for arrays of ``dtype``, or None."""
    return _find().get(np.dtype(dtype).type)
