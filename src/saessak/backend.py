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
_epsilon = 1e-7
_image_data_format = "channels_last"
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
    return _epsilon


def set_epsilon(value: float) -> None:
    global _epsilon
    _epsilon = float(value)


def image_data_format() -> str:
    """Where image channels sit: ``'channels_last'`` (Keras's default) or first."""
    return _image_data_format


def set_image_data_format(data_format: str) -> None:
    global _image_data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"set_image_data_format: expected 'channels_last' or "
                         f"'channels_first', received {data_format!r}")
    _image_data_format = data_format


# --- keras.backend helpers ---------------------------------------------------------------


_uids: dict[str, int] = {}  # how many objects of each name prefix this session has made


def get_uid(prefix: str = "") -> int:
    """1, 2, 3 ... for successive calls with the same prefix (``keras.backend.get_uid``):
    what makes layer names unique (``dense``, ``dense_1``, ...)."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def clear_session(free_memory=True) -> None:
    """Start naming layers afresh (``dense``, ``dense_1`` ... again), as
    ``keras.backend.clear_session()`` does; models already made keep working."""
    _uids.clear()


def get_value(x):
    """The value of a weight or Tensor as a NumPy array; anything else (a Python float
    such as an optimizer's learning rate) is returned as it is, as in tf.keras 2."""
    if hasattr(x, "data") and hasattr(x, "shape"):
        return to_numpy(x.data).copy()
    if isinstance(x, np.ndarray):
        return x
    return x.numpy() if hasattr(x, "numpy") else x


def batch_get_value(tensors) -> list:
    return [get_value(t) for t in tensors]


def set_value(x, value) -> None:
    """Overwrite a weight (a Variable, or any Tensor) in place with ``value``."""
    if not (hasattr(x, "data") and hasattr(x, "shape")):
        raise TypeError(f"set_value: x must be a weight (Variable) or Tensor; received "
                        f"{type(x).__name__} {x!r}. A plain number cannot change in place: "
                        f"to change an optimizer's learning rate assign it, "
                        f"optimizer.learning_rate = value")
    value = np.asarray(to_numpy(value))
    if value.shape != tuple(x.shape) and value.size != 1:
        raise ValueError(f"set_value: x has shape {tuple(x.shape)}, received a value of "
                         f"shape {value.shape}")
    x.data[...] = asarray(value.astype(x.data.dtype, copy=False))


def batch_set_value(tuples) -> None:
    for x, value in tuples:
        set_value(x, value)


def int_shape(x):
    """The shape of a Tensor, array or symbolic input as a tuple of ints (None where
    unknown, e.g. the batch axis of an ``Input``)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        shape = np.shape(x)
    return tuple(None if n is None else int(n) for n in shape)


def ndim(x) -> int:
    return len(int_shape(x))


def count_params(x) -> int:
    """The number of values in a weight."""
    return int(np.prod(int_shape(x)))


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


def dropout_mask(rng, shape, rate, dtype):
    """Inverted dropout's multiplier as a NumPy array: ``1/(1 - rate)`` where an element is
    kept (probability ``1 - rate``), else 0; so ``x * mask`` keeps E[x].

    An element is kept when 32 random bits, read as an integer ``u``, fall below
    ``t = (1 - rate) 2^32``: P(keep) = 1 - rate to within 2^-32. The bits are the
    generator's raw output, which skips turning every draw into a float (half the time).
    """
    if not 0 <= rate < 1:
        raise ValueError(f"dropout_mask: rate must be in [0, 1), received {rate!r}")
    dtype = np.dtype(dtype)
    shape = tuple(int(n) for n in shape)
    count = int(np.prod(shape))
    words = rng.bit_generator.random_raw((count + 1) // 2)  # 64 bits: two draws each
    bits = words.view(np.uint32)[:count].reshape(shape)
    # kept: u < t, i.e. u <= t - 1, which fits 32 bits even for t = 2^32 (rate 0)
    last_kept = np.uint32(max(round((1.0 - rate) * 2.0**32), 1) - 1)
    return (bits <= last_kept).astype(dtype) * dtype.type(1.0 / (1.0 - rate))
