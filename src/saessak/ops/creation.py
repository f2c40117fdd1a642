"""Keras's functions that make new arrays: triangles, grids, spaced values, Vandermonde
matrices, copies into a dtype (saturating casts included).

None is differentiable: each gives a Tensor without a graph, in floatx unless a dtype is
given or the input has one, as in Keras.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from .keras_names import _data, _float, _tensor, convert_to_tensor


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's argument names
    """Ones at and below the ``k`` diagonal of an N x M matrix, zeros above it."""
    return Tensor(np.tri(N, M, k, dtype=_float(dtype)))


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors ('xy': Cartesian, 'ij': matrix order)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', received {indexing!r}")
    return [Tensor(g) for g in np.meshgrid(*(_tensor(v).data for v in x), indexing=indexing)]


def array(x, dtype=None):
    """A new Tensor holding a copy of ``x`` (floats as floatx, ints as int32 by default)."""
    return Tensor(np.array(convert_to_tensor(x, dtype).data))


def empty(shape, dtype=None):
    """A Tensor of ``shape`` whose values are whatever the memory held."""
    return Tensor(np.empty(shape, _float(dtype)))


def empty_like(x, dtype=None):
    """``empty`` with the shape (and by default the dtype) of ``x``."""
    return Tensor(np.empty_like(_data(x), dtype=dtype))


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``num`` values from base**start to base**stop, evenly spaced in the exponent."""
    return Tensor(np.logspace(start, stop, num, endpoint=endpoint, base=base, axis=axis)
                  .astype(_float(dtype)))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values from start to stop in a geometric progression."""
    return Tensor(np.geomspace(start, stop, num, endpoint=endpoint, axis=axis)
                  .astype(_float(dtype)))


def vander(x, N=None, increasing=False):  # noqa: N803
    """The Vandermonde matrix of ``x`` (decreasing powers unless ``increasing``)."""
    x = _tensor(x).data
    if x.ndim != 1:
        raise ValueError(f"vander: x must be 1-D, received shape {x.shape}")
    return Tensor(np.vander(x, N, increasing=increasing).astype(x.dtype))


def _limits(dtype):
    """The smallest and largest values of ``dtype``, as Python numbers."""
    if dtype.kind == "b":
        return 0, 1
    if dtype.kind in "iu":
        return int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
    return float(np.finfo(dtype).min), float(np.finfo(dtype).max)


def saturate_cast(x, dtype):
    """Cast to ``dtype``, clipping to its range first (-1 to uint8 gives 0, not 255)."""
    data = _tensor(x).data
    target = np.dtype(dtype)
    (low, high), (in_low, in_high) = _limits(target), _limits(data.dtype)
    # the limits as numbers of the input's dtype, nudged inwards where rounding took them
    # past the target's range (float32(2**31 - 1) is 2**31)
    lo = np.asarray(max(low, in_low)).astype(data.dtype)
    if lo.item() < low:  # compared as Python numbers: exactly
        lo = np.nextafter(lo, np.zeros((), data.dtype))
    hi = np.asarray(min(high, in_high)).astype(data.dtype)
    if hi.item() > high:
        hi = np.nextafter(hi, np.zeros((), data.dtype))
    return Tensor(np.clip(data, lo, hi).astype(target))
