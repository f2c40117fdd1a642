"""Keras's statistics and segment reductions (saessak.ops.statistics, .segments): values
against NumPy or by hand, dtypes as Keras gives them, NaN handling, and every
differentiable one's gradient against central differences."""

import warnings

import numpy as np
import pytest

from saessak import Tensor, grad_check
from saessak.ops import segments as S
from saessak.ops import statistics as T

R = np.random.default_rng(5)


def rand(*shape, low=-2.0, high=2.0):
    return R.uniform(low, high, shape)


def separated(*shape, gap=0.05):
    """Random values at least ``gap`` apart: no ties, nor a sorted order that a probe flips."""
    n = int(np.prod(shape))
    return R.permutation(np.arange(n) * gap + R.uniform(0, gap / 4, n)).reshape(shape) - 1


def same(result, expected, dtype=None):
    """``result`` is a Tensor equal to ``expected`` (NaN where it has NaN), in ``expected``'s
    dtype unless told."""
    assert isinstance(result, Tensor), type(result)
    expected = np.asarray(expected)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6, atol=1e-12)
    assert result.shape == expected.shape
    assert result.dtype == np.dtype(dtype or expected.dtype), (result.dtype, dtype)


def quiet(fn, *args, **kwargs):
    """NumPy's answer, without its warnings about empty or all-NaN slices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


X = separated(3, 4, 5).astype(np.float32)
WITH_NAN = np.array([[1.0, np.nan, 3.0, -2.0], [np.nan, np.nan, np.nan, np.nan],
                     [0.5, 4.0, np.nan, 2.5]], np.float32)


# --- products, extremes -------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_prod_amax_amin_ptp_against_numpy(axis, keepdims):
    same(T.prod(X, axis, keepdims), np.prod(X, axis, keepdims=keepdims))
    same(T.amax(X, axis, keepdims), np.amax(X, axis, keepdims=keepdims))
    same(T.amin(X, axis, keepdims), np.amin(X, axis, keepdims=keepdims))
    same(T.ptp(X, axis, keepdims), np.ptp(X, axis, keepdims=keepdims))


def test_prod_dtypes_follow_keras():
    same(T.prod(np.int32([3, 4])), np.int32(12))  # NumPy would give int64
    same(T.prod(np.int8([100, 3])), np.int32(300))
    same(T.prod([True, True]), np.int32(1))
    same(T.prod(np.float32([2, 3]), dtype="float64"), np.float64(6))
    assert T.ptp(np.int32([3, 9])).dtype == np.int32


def test_prod_gradient_by_hand_with_zeros():
    for x, expected in [([2.0, 0.0, 3.0], [0.0, 6.0, 0.0]), ([0.0, 2.0, 0.0], [0.0, 0.0, 0.0]),
                        ([2.0, 5.0, 3.0], [15.0, 6.0, 10.0])]:
        t = Tensor(x, requires_grad=True)
        T.prod(t).backward()
        np.testing.assert_allclose(t.grad, expected)


def test_amax_ties_share_the_gradient():
    x = Tensor([1.0, 3.0, 3.0, 3.0], requires_grad=True)
    T.amax(x).backward()
    np.testing.assert_allclose(x.grad, [0, 1 / 3, 1 / 3, 1 / 3])
    x = Tensor([[2.0, 2.0], [1.0, 5.0]], requires_grad=True)
    T.amin(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0.5], [1, 0]])


# --- quantiles ---------------------------------------------------------------------------------
METHODS = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("axis", [None, 1, -1, (0, 2)])
@pytest.mark.parametrize("q", [0.5, [0.0, 0.25, 0.4, 1.0]])
def test_quantile_against_numpy(method, axis, q):
    same(T.quantile(X, q, axis, method), np.quantile(X, q, axis, method=method)
         .astype(np.float32))
    same(T.quantile(X, q, axis, method, keepdims=True),
         np.quantile(X, q, axis, method=method, keepdims=True).astype(np.float32))
    same(T.percentile(X, np.multiply(q, 100), axis, method),
         np.percentile(X, np.multiply(q, 100), axis, method=method).astype(np.float32))


def test_quantile_nearest_rounds_halfway_to_even_like_numpy():
    x = np.arange(5.0)
    for q in [0.125, 0.375, 0.625, 0.875]:  # positions 0.5, 1.5, 2.5, 3.5
        same(T.quantile(x, q, method="nearest"), np.quantile(x, q, method="nearest"))


def test_median_and_quantile_dtypes():
    same(T.median(np.int32([1, 4, 2, 8])), np.float32(3))  # integers give floatx
    same(T.median(X, axis=1), np.median(X, axis=1))
    same(T.median(X.astype(np.float64), axis=(0, 1), keepdims=True),
         np.median(X.astype(np.float64), axis=(0, 1), keepdims=True))
    same(T.quantile([1, 2, 3, 4], 0.25), np.float32(1.75))
    same(T.percentile(np.int64([1, 2, 3, 4]), [50, 100]), np.float32([2.5, 4]))
    same(T.median(WITH_NAN, axis=1), np.median(WITH_NAN, axis=1))  # NaN in, NaN out
    with pytest.raises(ValueError, match="method"):
        T.quantile(X, 0.5, method="weibull")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        T.quantile(X, 1.5)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_nan_statistics_against_numpy(axis):
    x = WITH_NAN
    for ours, theirs in [(T.nansum, np.nansum), (T.nanmean, np.nanmean),
                         (T.nanmax, np.nanmax), (T.nanmin, np.nanmin),
                         (T.nanvar, np.nanvar), (T.nanstd, np.nanstd),
                         (T.nanprod, np.nanprod), (T.nanmedian, np.nanmedian)]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no warnings of ours about all-NaN rows
            result = ours(x, axis)
        same(result, quiet(theirs, x, axis=axis).astype(np.float32))
        same(ours(x, axis, keepdims=True),
             quiet(theirs, x, axis=axis, keepdims=True).astype(np.float32))
    for q in [0.3, [0.1, 0.9]]:
        same(T.nanquantile(x, q, axis), quiet(np.nanquantile, x, q, axis).astype(np.float32))
        same(T.nanpercentile(x, np.multiply(q, 100), axis, method="higher"),
             quiet(np.nanpercentile, x, np.multiply(q, 100), axis, method="higher")
             .astype(np.float32))
    if axis is not None:
        same(T.nancumsum(x, axis), np.nancumsum(x, axis))
        same(T.nancumprod(x, axis), np.nancumprod(x, axis))


def test_nan_statistics_dtypes_follow_keras():
    ints = np.int32([3, 1, 2])
    same(T.nanmean(ints), np.float32(2))
    same(T.nanstd(ints), np.float32(np.std([3, 1, 2])))
    same(T.nanmedian(ints), np.float32(2))
    same(T.nanmax(ints), np.int32(3))
    same(T.nansum(np.int8([100, 100])), np.int32(200))
    same(T.nanprod(ints), np.int32(6))
    same(T.nancumsum(ints), np.int32([3, 4, 6]))
    same(T.nanmean(np.float64([1, np.nan])), np.float64(1))


def test_nanargmax_nanargmin():
    same(T.nanargmax(WITH_NAN, axis=1), np.int32([2, -1, 1]))
    same(T.nanargmin(WITH_NAN, axis=1), np.int32([3, -1, 0]))
    same(T.nanargmax(WITH_NAN), np.int32(9))
    same(T.nanargmin(np.int32([[4, 2, 9]]), axis=1, keepdims=True), np.int32([[1]]))


# --- correlation, histograms ---------------------------------------------------------------
def test_corrcoef_against_numpy():
    x = rand(3, 6).astype(np.float32)
    same(T.corrcoef(x), np.corrcoef(x).astype(np.float32))
    same(T.corrcoef(x.astype(np.float64)), np.corrcoef(x.astype(np.float64)))
    same(T.corrcoef(np.int32([[1, 2, 4], [3, 1, 0]])),
         np.corrcoef([[1, 2, 4], [3, 1, 0]]).astype(np.float32))
    same(T.corrcoef(x[0]), np.float32(1))


def test_histogram_against_numpy():
    x = rand(50).astype(np.float32)
    counts, edges = T.histogram(x)
    expected_counts, expected_edges = np.histogram(x)
    same(counts, expected_counts.astype(np.int32))
    same(edges, expected_edges.astype(np.float32))
    counts, edges = T.histogram(np.int32([1, 2, 2, 5, 9]), bins=4, range=(0, 8))
    same(counts, np.int32([1, 2, 1, 0])), same(edges, np.float32([0, 2, 4, 6, 8]))
    with pytest.raises(ValueError, match="bins"):
        T.histogram(x, bins=2.5)
    with pytest.raises(ValueError, match="range"):
        T.histogram(x, range=(1, 0))


# --- segments -----------------------------------------------------------------------------------
def _by_hand(reduce, data, ids, n, empty):
    out = np.full((n,) + data.shape[1:], empty, data.dtype)
    for s in range(n):
        rows = data[ids == s]
        if len(rows):
            out[s] = reduce(rows, axis=0)
    return out


@pytest.mark.parametrize("kind, reduce, empty", [
    ("sum", np.sum, 0), ("max", np.max, -np.inf), ("min", np.min, np.inf),
    ("prod", np.prod, 1)])
def test_segments_against_numpy(kind, reduce, empty):
    fn = getattr(S, f"segment_{kind}")
    data = rand(7, 3).astype(np.float32)
    ids = np.array([2, 0, 2, -1, 0, 4, 2])  # unsorted, a -1 (left out), segments 1, 3 empty
    same(fn(data, ids), _by_hand(reduce, data, ids, 5, empty))
    same(fn(data, ids, num_segments=7), _by_hand(reduce, data, ids, 7, empty))
    same(fn(data, ids, num_segments=3), _by_hand(reduce, data, ids, 3, empty))  # 4 dropped
    sorted_ids = np.sort(ids)
    same(fn(data, sorted_ids, sorted=True), _by_hand(reduce, data, sorted_ids, 5, empty))
    grid_ids = np.array([[0, 1, 1], [2, 0, -1]])  # ids for the two leading axes
    cube = rand(2, 3, 2).astype(np.float32)
    same(fn(cube, grid_ids), _by_hand(reduce, cube.reshape(6, 2), grid_ids.ravel(), 3, empty))


def test_segments_on_integers():
    data, ids = np.int32([1, 20, 300]), [0, 2, 0]
    same(S.segment_sum(data, ids), np.int32([301, 0, 20]))
    same(S.segment_prod(data, ids), np.int32([300, 1, 20]))
    same(S.segment_max(data, ids), np.int32([300, np.iinfo(np.int32).min, 20]))
    same(S.segment_min(data, ids), np.int32([1, np.iinfo(np.int32).max, 20]))
    same(S.segment_sum([1.0, 2.0], [1, 1]), np.float32([0, 3]))
    with pytest.raises(ValueError, match="segment_ids"):
        S.segment_sum(np.ones((3, 2)), [0, 1])


def test_segment_max_ties_share_and_prod_handles_zeros():
    data = Tensor([[4.0], [4.0], [1.0], [0.0], [0.0], [3.0], [0.0], [2.0]], requires_grad=True)
    ids = [0, 0, 0, 1, 1, 1, 2, 2]
    S.segment_max(data, ids).sum().backward()
    np.testing.assert_allclose(data.grad.ravel(), [0.5, 0.5, 0, 0, 0, 1, 0, 1])
    data.grad = None
    S.segment_prod(data, ids).sum().backward()
    # segment 0: 4*4*1; segment 1 has two zeros (all derivatives 0); segment 2 one zero
    np.testing.assert_allclose(data.grad.ravel(), [4, 4, 16, 0, 0, 0, 2, 0])


# --- gradients ----------------------------------------------------------------------------------
NANS = np.array([[0.3, np.nan, -1.2, 0.8], [np.nan, 1.7, 0.4, -0.6], [1.1, -0.2, np.nan, 0.9]])

GRADS = {
    "prod": (lambda x: T.prod(x, axis=1), rand(3, 4)),
    "prod_all": (T.prod, rand(2, 3)),
    "prod_axes_keepdims": (lambda x: T.prod(x, axis=(0, 2), keepdims=True), rand(2, 3, 2)),
    "prod_zeros": (lambda x: T.prod(x, axis=-1),
                   np.array([[0.0, 1.5, -0.5], [0.0, 0.0, 2.0], [0.7, 1.3, -1.1]])),
    "amax": (lambda x: T.amax(x, axis=0), separated(3, 4)),
    "amin": (lambda x: T.amin(x, axis=(0, 1), keepdims=True), separated(2, 3, 2)),
    "ptp": (lambda x: T.ptp(x, axis=1), separated(3, 4)),
    "median_odd": (lambda x: T.median(x, axis=1), separated(2, 5)),
    "median_even": (lambda x: T.median(x, axis=0, keepdims=True), separated(4, 3)),
    "median_all": (T.median, separated(2, 3)),
    "percentile": (lambda x: T.percentile(x, [10, 55, 90], axis=-1), separated(2, 6)),
    "nanmean": (lambda x: T.nanmean(x, axis=1), NANS),
    "nansum": (T.nansum, NANS),
    "nanmax": (lambda x: T.nanmax(x, axis=0), NANS),
    "nanmin": (lambda x: T.nanmin(x, axis=1), NANS),
    "nanvar": (lambda x: T.nanvar(x, axis=1), NANS),
    "nanstd": (lambda x: T.nanstd(x, axis=0), NANS),
    "nanprod": (lambda x: T.nanprod(x, axis=1), NANS),
    "nancumsum": (lambda x: T.nancumsum(x, axis=1), NANS),
    "nancumprod": (lambda x: T.nancumprod(x, axis=0), NANS),
    "nanmedian": (lambda x: T.nanmedian(x, axis=1), NANS),
    "nanquantile": (lambda x: T.nanquantile(x, [0.2, 0.7], axis=1), NANS),
    "nanpercentile": (lambda x: T.nanpercentile(x, 35, axis=0, method="midpoint"), NANS),
    "corrcoef": (T.corrcoef, rand(3, 5)),
    "segment_sum": (lambda x: S.segment_sum(x, [1, 3, 1, -1, 1], num_segments=5), rand(5, 2)),
    "segment_max": (lambda x: S.segment_max(x, [1, 0, 1, 2, 1]), separated(5, 2)),
    "segment_min": (lambda x: S.segment_min(x, [[0, 1], [1, 1]]), separated(2, 2, 3)),
    "segment_prod": (lambda x: S.segment_prod(x, [0, 2, 0, 2, 0]), rand(5, 2)),  # 1 empty
    "segment_prod_zeros": (lambda x: S.segment_prod(x, [0, 1, 0, 1, 0]),
                           np.array([[0.0, 1.2], [0.0, 0.0], [1.5, 0.0], [0.8, 0.0],
                                     [-0.6, 2.0]])),
}


def finite_outputs(fn, *inputs):
    """Whether ``fn`` gives finite values: an infinite or NaN output would make the finite
    differences NaN, which no tolerance catches."""
    out = fn(*(Tensor(np.asarray(x, np.float64)) for x in inputs))
    return all(np.isfinite(o.numpy()).all() for o in (out if isinstance(out, list) else [out]))


def finite_gradients(fn, *inputs):
    """Whether every gradient is finite: grad_check cannot rank a NaN error as the worst."""
    ts = [Tensor(np.asarray(x, np.float64), requires_grad=True) for x in inputs]
    out = fn(*ts)
    (out * np.random.default_rng(0).standard_normal(out.shape)).sum().backward()
    return all(t.grad is not None and np.isfinite(t.grad).all() for t in ts)


@pytest.mark.parametrize("method", METHODS)
def test_quantile_gradients(method):
    x = separated(3, 6)
    fn = lambda x: T.quantile(x, [0.3, 0.5, 0.9], axis=1, method=method)  # noqa: E731
    assert finite_outputs(fn, x) and finite_gradients(fn, x)
    result = grad_check(fn, x)
    assert result.ok, result


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients(name):
    fn, x = GRADS[name]
    assert finite_outputs(fn, x) and finite_gradients(fn, x)
    result = grad_check(fn, x)
    assert result.ok, result
    assert result.checked == x.size


def test_no_gradient_reaches_nan_entries():
    x = Tensor(NANS.copy(), requires_grad=True)
    (T.nanmean(x) + T.nanstd(x) + T.nanmedian(x) + T.nanmax(x)).backward()
    assert np.isfinite(x.grad).all()
    np.testing.assert_array_equal(x.grad[np.isnan(NANS)], 0)
