"""How many threads saessak's math uses: the BLAS pools behind its matrix products.

The heavy work of a train step is matrix products, run by OpenBLAS: NumPy's copy (also
called from the compiled recurrent loops, :mod:`saessak._blas`), and SciPy's copy, behind
numba's ``np.dot`` where NumPy's cannot be found. Both
read ``OMP_NUM_THREADS`` (or ``OPENBLAS_NUM_THREADS``) when they load, else use every core,
so the environment is respected as it is for NumPy. ``set_num_threads(n)`` changes every
loaded pool at run time, the way ``torch.set_num_threads`` does; numba's own pool (used by
no saessak kernel today) follows too.

OpenBLAS is reached through ``threadpoolctl`` where it is installed, else through the
pools' own ``*_set_num_threads`` functions, found among the libraries this process has
loaded (Linux's ``/proc/self/maps``); where neither works the call says so.
"""

from __future__ import annotations

import ctypes
import os

from . import _numba
from ._blas import loaded_libraries

_SETTERS = ("openblas_set_num_threads", "openblas_set_num_threads64_",
            "scipy_openblas_set_num_threads", "scipy_openblas_set_num_threads64_")
_GETTERS = tuple(name.replace("set_", "get_") for name in _SETTERS)


def _load_numba_blas():
    """numba's compiled np.dot calls SciPy's BLAS: load it, so that its pool is set too."""
    if _numba.ENABLED:
        try:
            import scipy.linalg.cython_blas  # noqa: F401
        except ImportError:  # pragma: no cover - numba without scipy computes no np.dot
            pass


def _openblas_libraries():
    """The OpenBLAS libraries loaded in this process, as ctypes handles (Linux)."""
    return [ctypes.CDLL(path) for path in loaded_libraries("openblas")]


def _call_each(names, *args):
    """Call the first of ``names`` each loaded OpenBLAS has; their results."""
    results = []
    for library in _openblas_libraries():
        function = next((getattr(library, n) for n in names if hasattr(library, n)), None)
        if function is not None:
            results.append(function(*args))
    return results


def set_num_threads(n):
    """Use ``n`` threads for saessak's math from now on (every BLAS pool, and numba's)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads: n must be a whole number, received {n!r}")
    if n < 1:
        raise ValueError(f"set_num_threads: n must be at least 1, received {n}")
    _load_numba_blas()
    try:
        import threadpoolctl
        threadpoolctl.threadpool_limits(limits=n, user_api="blas")
        done = True
    except ImportError:
        done = bool(_call_each(_SETTERS, n))
    if _numba.ENABLED:
        _numba.numba.set_num_threads(min(n, _numba.numba.config.NUMBA_NUM_THREADS))
    if not done:
        raise RuntimeError("set_num_threads: no BLAS library whose threads can be set was "
                           "found (install threadpoolctl, or set OMP_NUM_THREADS before "
                           "starting Python)")


def get_num_threads():
    """The threads saessak's matrix products use (NumPy's BLAS pool)."""
    try:
        import threadpoolctl
        pools = [p["num_threads"] for p in threadpoolctl.threadpool_info()
                 if p.get("user_api") == "blas"]
    except ImportError:
        pools = _call_each(_GETTERS)
    if pools:
        return max(pools)
    return int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
