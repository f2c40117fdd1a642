"""The array backend: which array module holds the numbers, the float policy, and the seeds.

Everything above this module reaches NumPy (or CuPy, on a GPU) through the few names
defined here, so the rest of saessak never has to know which one is in use.
"""

from __future__ import annotations

import os
import random as _pyrandom

import numpy as np

from . import _memory  # noqa: F401  (at import: keep freed large arrays' memory, glibc)
from ._fpmode import denormals_flushed, flush_denormal  # noqa: F401 - re-exported

try:  # CuPy is an optional extra; without it everything runs on NumPy.
    import cupy as _cupy  # type: ignore
except Exception:  # pragma: no cover - depends on the machine
    _cupy = None

_FLOAT_DTYPES = ("float16", "float32", "float64")
_floatx = "float32"
_device = "cpu"


# --- array module ------------------------------------------------------------------


def xp():
    """The array module of the current device: ``numpy`` on the CPU, ``cupy`` on a GPU."""
    return np if _device == "cpu" else _cupy


def get_array_module(*arrays):
    """The module (numpy or cupy) that owns ``arrays``, like ``cupy.get_array_module``."""
    if _cupy is not None:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


def device() -> str:
    return _device


def set_device(name: str) -> None:
    """Select ``'cpu'`` (NumPy) or ``'gpu'`` (CuPy) for newly created arrays."""
    global _device
    if name not in ("cpu", "gpu"):
        raise ValueError(f"set_device: expected 'cpu' or 'gpu', received {name!r}")
    if name == "gpu" and _cupy is None:
        raise RuntimeError("set_device('gpu') needs CuPy; install the 'gpu' extra (cupy)")
    _device = name


def gpu_available() -> bool:
    if _cupy is None:
        return False
    try:
        return _cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # pragma: no cover
        return False


def to_numpy(a):
    """A NumPy copy (or view) of any backend array, scalar or Tensor-like with ``.data``."""
    a = getattr(a, "data", a)
    if _cupy is not None and isinstance(a, _cupy.ndarray):
        return _cupy.asnumpy(a)
    return np.asarray(a)


def asarray(a, dtype=None):
    """``a`` as an array of the current device."""
    if _device == "cpu":
        return np.asarray(to_numpy(a) if _cupy is not None else a, dtype=dtype)
    return _cupy.asarray(a, dtype=dtype)


# --- float policy ---------------------------------------------------------------------


def floatx() -> str:
    """The default float type of weights and data, ``'float32'`` as in Keras."""
    return _floatx


def set_floatx(dtype: str) -> None:
    global _floatx
    dtype = np.dtype(dtype).name
    if dtype not in _FLOAT_DTYPES:
        raise ValueError(f"set_floatx: expected one of {_FLOAT_DTYPES}, received {dtype!r}")
    _floatx = dtype


class floatx_scope:
    """``with floatx_scope('float64'):`` builds weights in float64, e.g. for gradient checks."""

    def __init__(self, dtype: str):
        self.dtype = dtype

    def __enter__(self):
        self.previous = floatx()
        set_floatx(self.dtype)
        return self

    def __exit__(self, *exc):
        set_floatx(self.previous)


def epsilon() -> float:
    """The fuzz factor Keras adds to avoid division by zero and log(0)."""
    return 1e-7


# --- randomness -------------------------------------------------------------------------

_rng = np.random.default_rng()


def rng() -> np.random.Generator:
    """The global random generator (NumPy's); reseed it with :func:`set_random_seed`."""
    return _rng


def set_random_seed(seed: int) -> None:
    """Seed Python, NumPy and saessak at once, so that a run repeats exactly."""
    global _rng
    _pyrandom.seed(seed)
    np.random.seed(seed % 2**32)
    _rng = np.random.default_rng(seed)
    if _cupy is not None and _device == "gpu":  # pragma: no cover
        _cupy.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def make_rng(seed=None) -> np.random.Generator:
    """A generator of its own when ``seed`` is given, else one drawn from the global one."""
    if seed is None:
        return np.random.default_rng(_rng.integers(2**63))
    return np.random.default_rng(seed)
