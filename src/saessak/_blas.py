"""NumPy's own BLAS, for the matrix products inside numba's compiled loops.

numba compiles ``np.dot`` to a call into SciPy's copy of OpenBLAS, which is built apart from
NumPy's. On the recurrent loops' shapes it ran well behind NumPy's own ``@`` (measured with
NumPy 2.4's OpenBLAS 0.3.31 and SciPy 1.17's 0.3.30, one thread, float32 GFLOP/s):

    (20 x 100) @ (100 x 400), the Reuters LSTM's step    np.dot in numba 40, NumPy 72
    (64 x 512) @ (512 x 2048), the char LSTM LM's step   np.dot in numba 64, NumPy 78

So this module finds ``cblas_sgemm``/``cblas_dgemm`` in the BLAS that NumPy loaded, and
compiled loops call it through :func:`saessak._numba.matmul_into` (the functions are passed
to them as an argument, which keeps numba's on-disk cache usable). It finds
``cblas_?gemv`` too, for products of one row, such as every step at batch 1 (generating
text): OpenBLAS's GEMM runs them several times slower than its matrix-vector product
(measured, one thread, float32: (1 x 100) @ (100 x 400) 11 us against 4 us; (1 x 512) @
(512 x 2048) 341 us against 68 us). Where the functions are not found (another BLAS,
another system), ``blas_for`` answers None and the loops keep ``np.dot``.
"""

from __future__ import annotations

import ctypes
import functools

import numpy as np

# CBLAS's enums: the arrays are row-major (C order); a matrix as it is, or transposed
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

# the names NumPy's wheels (scipy-openblas, 64-bit integers) and plain builds export
_NAMES = (("scipy_cblas_{}64_", ctypes.c_int64), ("cblas_{}64_", ctypes.c_int64),
          ("scipy_cblas_{}", ctypes.c_int), ("cblas_{}", ctypes.c_int))


def loaded_libraries(word):
    """The paths of the shared libraries loaded in this process whose path contains
    ``word`` (any case), from Linux's ``/proc/self/maps``; [] elsewhere."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if word in line.lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/"))


def _function(library, name, arguments):
    """The library's CBLAS function ``name`` (like ``sgemm``) with its argument types set
    (``arguments`` maps an integer type to the list), or None."""
    for pattern, integer in _NAMES:
        function = getattr(library, pattern.format(name), None)
        if function is not None:
            function.argtypes = arguments(integer)
            function.restype = None
            return function
    return None


def _routines(library, letter, real):
    """(gemm, gemv) for one precision: C = alpha A B + beta C, and y = alpha A^T x + beta y."""
    pointer = ctypes.c_void_p
    gemm = _function(library, letter + "gemm", lambda n: [
        ctypes.c_int, ctypes.c_int, ctypes.c_int, n, n, n, real, pointer, n, pointer, n, real,
        pointer, n])
    gemv = _function(library, letter + "gemv", lambda n: [
        ctypes.c_int, ctypes.c_int, n, n, real, pointer, n, pointer, n, real, pointer, n])
    return (gemm, gemv) if gemm is not None and gemv is not None else None


@functools.cache  # looked up at the first compiled loop, not at import
def _find():
    for path in (p for p in loaded_libraries("blas") if "numpy" in p):  # NumPy's own
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        found = {np.float32: _routines(library, "s", ctypes.c_float),
                 np.float64: _routines(library, "d", ctypes.c_double)}
        if all(found.values()):
            return found
    return {}


def blas_for(dtype):
    """NumPy's BLAS ``(cblas_?gemm, cblas_?gemv)`` for arrays of ``dtype``, or None."""
    return _find().get(np.dtype(dtype).type)
