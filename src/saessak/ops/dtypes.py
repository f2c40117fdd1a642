"""Keras's dtype rules for the inputs of an op: which dtype a mix of Tensors, arrays, lists
and numbers computes in, and the conversions that bring them there.

A float keeps its precision, Python numbers never widen a tensor, and an integer or bool
input to a float function becomes floatx (float32), as Keras's ops give.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor, _coerce
from .math import cast


def strong_dtype(x):
    """The dtype ``x`` brings, or None for a Python number (which takes its partner's)."""
    if isinstance(x, Tensor):
        return x.dtype
    if hasattr(x, "dtype"):  # NumPy or CuPy arrays and NumPy scalars
        return np.dtype(x.dtype)
    if isinstance(x, (bool, int, float, complex)):
        return None
    dtype = np.asarray(x).dtype  # a list: its floats are floatx, its integers int32
    return np.dtype(backend.floatx()) if dtype.kind == "f" else \
        np.dtype("int32") if dtype.kind == "i" else dtype


def result_dtype(xs, floating=False):
    """The one dtype of the result, by Keras's rules: floats win over integers (the widest
    float among them), Python numbers never widen a tensor, and a float function of integers
    or bools gives floatx."""
    dtypes = [strong_dtype(x) for x in xs]
    strong = [d for d in dtypes if d is not None]
    weak = [x for x, d in zip(xs, dtypes) if d is None]
    floats = [d for d in strong if d.kind in "fc"]
    ints = [d for d in strong if d.kind in "iu"]
    if floats:
        dtype = np.result_type(*floats)
    elif any(isinstance(w, (float, complex)) for w in weak):
        dtype = np.dtype(backend.floatx())
    elif ints:
        dtype = np.result_type(*ints)
    elif any(not isinstance(w, bool) for w in weak):
        dtype = np.dtype("int32")
    else:
        dtype = np.dtype(bool)
    if floating and dtype.kind not in "fc":
        dtype = np.dtype(backend.floatx())
    return dtype


def common_tensors(xs, floating=False):
    """The inputs as Tensors of their common dtype (a cast, differentiable, where needed)."""
    dtype = result_dtype(xs, floating)
    return [(x if x.dtype == dtype else cast(x, dtype)) if isinstance(x, Tensor)
            else Tensor(x, dtype=dtype) for x in xs]


def common_arrays(xs, floating=False, dtype=None):
    """The inputs as arrays of their common dtype, for the functions without a gradient."""
    dtype = result_dtype(xs, floating) if dtype is None else dtype
    return [Tensor(x.data if isinstance(x, Tensor) else x, dtype=dtype).data for x in xs]


def float_tensor(x):
    return common_tensors((x,), floating=True)[0]


def floating(x):
    """``x`` with a float dtype: integers and booleans become floatx, as Keras's ops give.
    Tensors and float arrays pass as they are (an op casts a float array to its tensors')."""
    if isinstance(x, Tensor):
        return x if x.dtype.kind == "f" else Tensor(x.data.astype(backend.floatx()))
    x = x if hasattr(x, "dtype") and hasattr(x, "shape") else np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(backend.floatx())


def float_values(x):
    """The float array an op sees for ``x`` alone (float64 arrays become floatx, as a
    Function's input does): for the ops without a gradient."""
    x = floating(x)
    return x.data if isinstance(x, Tensor) else _coerce(np.asarray(x), None)
