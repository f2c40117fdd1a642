"""Keras's statistics: products, extremes and ranges, medians and quantiles, the NaN-skipping
reductions, correlation coefficients and histograms.

A quantile sorts each lane (``argsort``, no gradient) and gathers the one or two sorted
values it interpolates between, so its gradient reaches exactly those elements. The
``nan*`` functions replace NaN by the value that leaves the reduction unchanged (0 for a
sum, 1 for a product, -inf for a max) and count only the rest; NaN never reaches the
gradient. Integer inputs to a statistic that needs fractions give floatx, as in Keras.
"""

from __future__ import annotations

import builtins

import numpy as np

from ..autograd.tensor import Function, Tensor
from .arrays import _accumulator, _summed, cumprod, cumsum
from .dtypes import float_tensor
from .keras_names import _data, _tensor, take_along_axis
from .manipulation import concatenate, getitem, reshape, transpose, where
from .math import cast, clip, sqrt
from .products import outer
from .reduction import _axes, _kept_shape, max, mean, min, sum


class Prod(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.axes, self.x = _axes(self.axis, x.ndim), x
        return np.prod(x, axis=self.axes, keepdims=self.keepdims, dtype=x.dtype)

    def backward(self, g):
        # d prod / d x_j = the product of the others: (before j) * (after j), two running
        # products with no division, so zeros are no trouble
        x = self.x
        reduced = list(range(x.ndim)) if self.axes is None else list(self.axes)
        order = [a for a in range(x.ndim) if a not in reduced] + reduced
        moved = x.transpose(order)
        n = int(np.prod([x.shape[a] for a in reduced]))
        if n == 0:
            return np.zeros_like(x)
        lanes = moved.reshape(moved.shape[:x.ndim - len(reduced)] + (n,))
        ones = np.ones(lanes.shape[:-1] + (1,), x.dtype)
        before = np.cumprod(np.concatenate([ones, lanes[..., :-1]], axis=-1), axis=-1)
        after = np.cumprod(np.concatenate([ones, lanes[..., :0:-1]], axis=-1), axis=-1)
        others = (before * after[..., ::-1]).reshape(moved.shape).transpose(np.argsort(order))
        return g.reshape(_kept_shape(x.shape, self.axes)) * others

    def composite(self, x):
        # the reduced axes moved last and flattened, then multiplied in halves: log2(n)
        # products, exact with zeros too
        reduced = list(range(x.ndim)) if self.axes is None else list(self.axes)
        kept = [a for a in range(x.ndim) if a not in reduced]
        shape = _kept_shape(x.shape, self.axes) if self.keepdims else \
            tuple(x.shape[a] for a in kept)
        if 0 in x.shape:  # nothing to differentiate: a constant (ones, or empty)
            return Tensor(np.ones(shape, x.dtype))
        lanes = reshape(transpose(x, kept + reduced), [x.shape[a] for a in kept] + [-1])
        while lanes.shape[-1] > 1:
            n, half = lanes.shape[-1], lanes.shape[-1] // 2
            pairs = lanes[..., :half] * lanes[..., half:2 * half]
            lanes = concatenate([pairs, lanes[..., 2 * half:]], axis=-1) if n % 2 else pairs
        return reshape(lanes, shape)


def prod(x, axis=None, keepdims=False, dtype=None):
    """The product over ``axis`` (all axes when None)."""
    x = _tensor(x)
    dtype = np.dtype(dtype) if dtype is not None else _accumulator(x.dtype)
    return Prod(axis, keepdims)(x if x.dtype == dtype else cast(x, dtype))


def amax(x, axis=None, keepdims=False):
    """The largest element; tied elements share the gradient equally."""
    return max(_tensor(x), axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """The smallest element; tied elements share the gradient equally."""
    return min(_tensor(x), axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    """The range, largest minus smallest element, over ``axis``."""
    x = _tensor(x)
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


# --- quantiles ---------------------------------------------------------------------------------
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lanes(x, axis):
    """``x`` with the reduced axes moved last and merged into one, and the kept shape."""
    axes = _axes(axis, x.ndim)
    reduced = list(range(x.ndim)) if axes is None else list(axes)
    rest = [a for a in range(x.ndim) if a not in reduced]
    lanes = reshape(transpose(x, rest + reduced), [x.shape[a] for a in rest] + [-1])
    return lanes, _kept_shape(x.shape, axes)


def _quantile(x, q, axis, method, keepdims, skip_nan):
    if method not in _METHODS:
        raise ValueError(f"quantile: method must be one of {_METHODS}, received {method!r}")
    x = float_tensor(x)
    qs = np.asarray(_data(q), np.float64)
    if qs.ndim > 1 or ((qs < 0) | (qs > 1)).any():
        raise ValueError(f"quantile: q must be a number or a 1-D list in [0, 1], received {q}")
    lanes, kept = _lanes(x, axis)
    data = lanes.data
    nan = np.isnan(data)
    ordered = take_along_axis(lanes, np.argsort(data, axis=-1, kind="stable"), axis=-1)
    n = data.shape[-1]
    count = (~nan).sum(axis=-1) if skip_nan else np.full(data.shape[:-1], n)
    # where each q falls among each lane's sorted values, as NumPy's methods place it
    spot = qs.reshape(qs.shape + (1,) * (data.ndim - 1)) * (count - 1)
    low = np.clip(np.floor(spot), 0, builtins.max(n - 1, 0)).astype(np.int64)
    high = np.clip(np.ceil(spot), 0, builtins.max(n - 1, 0)).astype(np.int64)
    lane = np.indices(spot.shape, sparse=True)[qs.ndim:]  # the lane of each (q, lane) pair

    def pick(position):  # NaN sorts last, after every number a quantile may pick
        return getitem(ordered, lane + (position,))

    if method == "lower":
        value = pick(low)
    elif method == "higher":
        value = pick(high)
    elif method == "nearest":  # halfway rounds to the even index, as NumPy does
        value = pick(np.clip(np.around(spot), 0, builtins.max(n - 1, 0)).astype(np.int64))
    else:
        weight = spot - low if method == "linear" else np.where(spot == low, 0.0, 0.5)
        below, above = pick(low), pick(high)
        step = above - below  # from the nearer end, as NumPy's lerp: exact at both ends
        late = weight >= 0.5
        value = where(late, above - step * (1 - weight).astype(x.dtype),
                      below + step * weight.astype(x.dtype))
    undefined = (count == 0) if skip_nan else nan.any(axis=-1)
    if undefined.any():
        value = where(np.broadcast_to(undefined, spot.shape), np.array(np.nan, x.dtype), value)
    out_shape = qs.shape + (kept if keepdims else tuple(lanes.shape[:-1]))
    return reshape(value, out_shape)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles (q in [0, 1]) over ``axis``; a list of q adds a first axis."""
    return _quantile(_tensor(x), q, axis, method, keepdims, skip_nan=False)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (q in [0, 100]) over ``axis``."""
    return quantile(x, np.asarray(_data(q), np.float64) / 100, axis, method, keepdims)


def median(x, axis=None, keepdims=False):
    """The median over ``axis`` (the mean of the middle two for an even count)."""
    return quantile(x, 0.5, axis, keepdims=keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """``quantile`` of the elements that are not NaN (NaN where there are none)."""
    return _quantile(_tensor(x), q, axis, method, keepdims, skip_nan=True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """``percentile`` of the elements that are not NaN."""
    return nanquantile(x, np.asarray(_data(q), np.float64) / 100, axis, method, keepdims)


def nanmedian(x, axis=None, keepdims=False):
    """``median`` of the elements that are not NaN."""
    return nanquantile(x, 0.5, axis, keepdims=keepdims)


# --- skipping NaN ------------------------------------------------------------------------------
def _without_nan(x, fill):
    """``x`` with each NaN replaced by ``fill``, and where the NaNs were."""
    nan = np.isnan(x.data) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    return (where(nan, np.array(fill, x.dtype), x) if nan.any() else x), nan


def _count(nan, axis, keepdims):
    """How many elements are not NaN, as a float array with NaN where none are (so that a
    mean over nothing is NaN, as in NumPy, without a division by zero)."""
    count = np.sum(~nan, axis=_axes(axis, nan.ndim), keepdims=keepdims).astype(np.float64)
    return np.where(count == 0, np.nan, count)


def nansum(x, axis=None, keepdims=False):
    """The sum of the elements that are not NaN."""
    return _summed(_without_nan(_tensor(x), 0)[0], axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    """The product of the elements that are not NaN."""
    return prod(_without_nan(_tensor(x), 1)[0], axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    """The mean of the elements that are not NaN."""
    filled, nan = _without_nan(float_tensor(x), 0)
    return sum(filled, axis, keepdims) / _count(nan, axis, keepdims).astype(filled.dtype)


def nanvar(x, axis=None, keepdims=False):
    """The variance of the elements that are not NaN."""
    x = float_tensor(x)
    centred, nan = _without_nan(x - nanmean(x, axis, keepdims=True), 0)
    return sum(centred * centred, axis, keepdims) / _count(nan, axis, keepdims).astype(x.dtype)


def nanstd(x, axis=None, keepdims=False):
    """The standard deviation of the elements that are not NaN."""
    return sqrt(nanvar(x, axis, keepdims))


def _nan_extreme(x, axis, keepdims, largest):
    x = _tensor(x)
    filled, nan = _without_nan(x, -np.inf if largest else np.inf)
    out = (max if largest else min)(filled, axis=axis, keepdims=keepdims)
    everything = np.all(nan, axis=_axes(axis, x.ndim), keepdims=keepdims)
    return where(everything, np.array(np.nan, x.dtype), out) if everything.any() else out


def nanmax(x, axis=None, keepdims=False):
    """The largest element that is not NaN (NaN where all are)."""
    return _nan_extreme(x, axis, keepdims, largest=True)


def nanmin(x, axis=None, keepdims=False):
    """The smallest element that is not NaN (NaN where all are)."""
    return _nan_extreme(x, axis, keepdims, largest=False)


def nancumsum(x, axis=None, dtype=None):
    """Running sum, NaN counted as 0."""
    return cumsum(_without_nan(_tensor(x), 0)[0], axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    """Running product, NaN counted as 1."""
    return cumprod(_without_nan(_tensor(x), 1)[0], axis, dtype)


def _nan_arg(x, axis, keepdims, largest):
    data = _data(x)
    pick = np.argmax if largest else np.argmin
    if data.dtype.kind != "f":
        return Tensor(pick(data, axis=axis, keepdims=keepdims).astype(np.int32))
    nan = np.isnan(data)
    found = pick(np.where(nan, -np.inf if largest else np.inf, data), axis=axis,
                 keepdims=keepdims)
    everything = np.all(nan, axis=axis, keepdims=keepdims)
    return Tensor(np.where(everything, -1, found).astype(np.int32))


def nanargmax(x, axis=None, keepdims=False):
    """Index of the largest element that is not NaN (-1 where all are); no gradient."""
    return _nan_arg(x, axis, keepdims, largest=True)


def nanargmin(x, axis=None, keepdims=False):
    """Index of the smallest element that is not NaN (-1 where all are); no gradient."""
    return _nan_arg(x, axis, keepdims, largest=False)


# --- correlation and histograms ------------------------------------------------------------
def corrcoef(x):
    """Pearson correlation coefficients between the rows (variables) of ``x``."""
    x = float_tensor(x)
    rows = reshape(x, (1, -1)) if x.ndim == 1 else x
    centred = rows - mean(rows, axis=1, keepdims=True)
    covariance = centred @ transpose(centred)
    scale = sqrt(sum(centred * centred, axis=1))
    r = clip(covariance / outer(scale, scale), -1.0, 1.0)
    return reshape(r, ()) if x.ndim == 1 else r


def histogram(x, bins=10, range=None):  # noqa: A002 - Keras's argument name
    """(counts, bin edges) of the flattened ``x`` in ``bins`` equal bins; no gradient."""
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or bins < 0:
        raise ValueError(f"histogram: bins must be a non-negative integer, received {bins!r}")
    if range is not None and (len(range) != 2 or range[1] < range[0]):
        raise ValueError(f"histogram: range must be (low, high) with low <= high, received "
                         f"{range!r}")
    data = float_tensor(x).data.ravel()
    counts, edges = np.histogram(data, bins=int(bins), range=range)
    return Tensor(counts.astype(np.int32)), Tensor(edges.astype(data.dtype))
