"""saessak.ops.windows: window functions, extract_sequences, adaptive pooling, unfold and
fold. Values against NumPy, plain loops and numbers worked by hand (the same ones Keras 3
gives), dtypes, errors, and every gradient against central finite differences (float64)."""

import numpy as np
import pytest

from saessak import Tensor, backend, grad_check
from saessak.ops import windows as w

R = np.random.default_rng(31)


def distinct(*shape):
    """Distinct values (no ties, so every max is differentiable at every probe)."""
    return R.permutation(int(np.prod(shape))).reshape(shape) / 7.0 - 2.0


# --- window functions ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_windows_match_numpy_in_floatx(name, n):
    out = getattr(w, name)(n)
    assert out.dtype == np.float32 and out.shape == (n,) and not out.requires_grad
    np.testing.assert_allclose(out.numpy(), getattr(np, name)(n).astype(np.float32))


def test_windows_by_hand_and_from_tensors():
    np.testing.assert_array_equal(w.bartlett(Tensor(np.int32(5))).numpy(),
                                  [0.0, 0.5, 1.0, 0.5, 0.0])
    np.testing.assert_allclose(w.hamming([5]).numpy(), [0.08, 0.54, 1.0, 0.54, 0.08],
                               rtol=1e-6)
    np.testing.assert_allclose(w.hanning(5).numpy(), [0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-7)
    # I0(14 sqrt(1 - (2n/4 - 1)^2)) / I0(14): 1/I0(14) = 7.7268669e-06 at the ends
    np.testing.assert_allclose(w.kaiser(5, 14.0).numpy(),
                               [7.7268669e-06, 1.6493219e-01, 1.0, 1.6493219e-01,
                                7.7268669e-06], rtol=1e-6)
    np.testing.assert_allclose(w.kaiser(Tensor(np.int32(9)), 5).numpy(), np.kaiser(9, 5),
                               rtol=1e-6)
    with backend.floatx_scope("float64"):
        assert w.blackman(4).dtype == np.float64


# --- extract_sequences -----------------------------------------------------------------------
def test_extract_sequences_keras_example_and_batches():
    out = w.extract_sequences(np.array([1, 2, 3, 4, 5, 6]), 3, 2)
    np.testing.assert_array_equal(out.numpy(), [[1, 2, 3], [3, 4, 5]])
    x = R.normal(size=(2, 3, 10)).astype(np.float32)
    out = w.extract_sequences(x, 4, 3)
    assert out.shape == (2, 3, 3, 4) and out.dtype == np.float32
    for f in range(3):
        np.testing.assert_array_equal(out.numpy()[:, :, f], x[..., 3 * f:3 * f + 4])
    assert w.extract_sequences(np.ones(3), 5, 1).shape == (0, 5)


def test_extract_sequences_errors_and_gradient():
    with pytest.raises(ValueError, match="positive"):
        w.extract_sequences(np.ones(5), 0, 1)
    with pytest.raises(ValueError, match="rank 1"):
        w.extract_sequences(np.float32(1), 1, 1)
    for length, stride in [(4, 2), (3, 3), (2, 5)]:  # overlapping, tiling, skipping
        result = grad_check(lambda x, n=length, s=stride: w.extract_sequences(x, n, s),
                            R.normal(size=(2, 11)))
        assert result.ok, result
    # overlapping frames add their gradients: element 2 of [0..5] is read by frames 0 and 1
    x = Tensor(np.arange(6.0), requires_grad=True)
    w.extract_sequences(x, 3, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 1, 2, 1, 1, 0])


# --- adaptive pooling ------------------------------------------------------------------------
def bins(n, m):
    return [(int(np.floor(i * n / m)), int(np.ceil((i + 1) * n / m))) for i in range(m)]


def adaptive_reference(x, out, reduce):
    """Loop over output positions; x channels last."""
    nd = x.ndim - 2
    y = np.zeros((x.shape[0], *out, x.shape[-1]))
    for pos in np.ndindex(*out):
        box = tuple(slice(*bins(n, m)[i]) for n, m, i in zip(x.shape[1:-1], out, pos))
        y[(slice(None),) + pos] = reduce(x[(slice(None),) + box], axis=tuple(range(1, nd + 1)))
    return y


def test_adaptive_pool_by_hand():
    # n = 10 into 4 bins: [0, 3), [2, 5), [5, 8), [7, 10)
    x = np.arange(10.0, dtype=np.float32).reshape(1, 10, 1)
    np.testing.assert_array_equal(w.adaptive_average_pool(x, 4).numpy().ravel(),
                                  [1.0, 3.0, 6.0, 8.0])
    x = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], np.float32).reshape(1, 10, 1)
    np.testing.assert_array_equal(w.adaptive_max_pool(x, 4).numpy().ravel(),
                                  [4.0, 5.0, 9.0, 6.0])


@pytest.mark.parametrize("shape,out", [((2, 10, 3), (4,)), ((2, 7, 5, 3), (3, 4)),
                                       ((1, 5, 6, 4, 2), (2, 4, 3)), ((2, 4, 6, 1), (6, 2)),
                                       ((1, 9, 8, 2), (3, 8))])
@pytest.mark.parametrize("mode", ["average", "max"])
def test_adaptive_pool_values(shape, out, mode):
    x = distinct(*shape)
    pool = w.adaptive_average_pool if mode == "average" else w.adaptive_max_pool
    expected = adaptive_reference(x, out, np.mean if mode == "average" else np.max)
    np.testing.assert_allclose(pool(x, out).numpy(), expected, rtol=1e-12)
    first = np.moveaxis(x, -1, 1)  # the same through channels_first
    got = pool(first, out, data_format="channels_first").numpy()
    np.testing.assert_allclose(np.moveaxis(got, 1, -1), expected, rtol=1e-12)


def test_adaptive_pool_int_output_size_dtypes_and_errors():
    x = R.normal(size=(2, 9, 7, 3)).astype(np.float32)
    out = w.adaptive_average_pool(x, 3)
    assert out.shape == (2, 3, 3, 3) and out.dtype == np.float32
    assert w.adaptive_max_pool(np.arange(16).reshape(1, 4, 4, 1), 2).dtype == np.int64
    assert w.adaptive_average_pool(np.arange(16).reshape(1, 4, 4, 1), 2).dtype == np.float32
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        w.adaptive_max_pool(np.ones((2, 3)), 1)
    with pytest.raises(ValueError, match="output_size"):
        w.adaptive_average_pool(x, (2, 2, 2))
    with pytest.raises(ValueError, match="data_format"):
        w.adaptive_average_pool(x, 2, data_format="nchw")


@pytest.mark.parametrize("shape,out,data_format", [
    ((2, 10, 2), 4, "channels_last"),
    ((2, 5, 7, 2), (3, 2), "channels_last"),
    ((1, 2, 7, 5), (3, 4), "channels_first"),
    ((1, 4, 5, 3, 2), (2, 3, 2), "channels_last"),
])
@pytest.mark.parametrize("mode", ["average", "max"])
def test_adaptive_pool_gradients(shape, out, data_format, mode):
    pool = w.adaptive_average_pool if mode == "average" else w.adaptive_max_pool
    result = grad_check(lambda x: pool(x, out, data_format=data_format), distinct(*shape))
    assert result.ok, result


def test_adaptive_max_pool_gradient_goes_to_the_maximum_of_overlapping_bins():
    # bins [0, 2) and [1, 3) share element 1, the largest: it gets both gradients
    x = Tensor(np.array([0.0, 5.0, 1.0]).reshape(1, 3, 1), requires_grad=True)
    (w.adaptive_max_pool(x, 2) * np.array([2.0, 3.0]).reshape(1, 2, 1)).sum().backward()
    np.testing.assert_array_equal(x.grad.ravel(), [0.0, 5.0, 0.0])


# --- unfold and fold -------------------------------------------------------------------------
def unfold_reference(x, k, d, p, s):
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (wd + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c * k[0] * k[1], oh * ow))
    for ch in range(c):
        for i in range(k[0]):
            for j in range(k[1]):
                for r in range(oh):
                    for q in range(ow):
                        out[:, (ch * k[0] + i) * k[1] + j, r * ow + q] = \
                            xp[:, ch, r * s[0] + i * d[0], q * s[1] + j * d[1]]
    return out


GEOMETRIES = [  # kernel, dilation, padding, stride
    ((2, 2), (1, 1), (0, 0), (1, 1)),
    ((3, 2), (1, 2), (1, 0), (2, 1)),
    ((2, 3), (2, 1), (2, 1), (1, 3)),
]


@pytest.mark.parametrize("k,d,p,s", GEOMETRIES)
def test_unfold_values_and_fold_is_its_adjoint(k, d, p, s):
    x = R.normal(size=(2, 3, 7, 6))
    cols = w.unfold(x, k, dilation=d, padding=p, stride=s)
    np.testing.assert_array_equal(cols.numpy(), unfold_reference(x, k, d, p, s))
    # <unfold(x), c> == <x, fold(c)> for every x and c
    c = R.normal(size=cols.shape)
    folded = w.fold(c, (7, 6), k, dilation=d, padding=p, stride=s)
    assert folded.shape == x.shape
    np.testing.assert_allclose(np.sum(cols.numpy() * c), np.sum(x * folded.numpy()),
                               rtol=1e-12)


def test_unfold_fold_keras_example_and_by_hand():
    x = np.ones((1, 2, 4, 4), np.float32)
    patches = w.unfold(x, kernel_size=2, stride=2)
    assert patches.shape == (1, 8, 4) and patches.dtype == np.float32
    y = w.fold(patches, output_size=(4, 4), kernel_size=2, stride=2)
    np.testing.assert_array_equal(y.numpy(), x)  # tiling blocks put every pixel back once
    # overlapping 2x2 blocks, stride 1, on a 3x3 image: the centre is in all four blocks
    counts = w.fold(w.unfold(np.ones((1, 1, 3, 3)), 2), 3, 2).numpy()[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    ints = w.unfold(np.arange(9).reshape(1, 1, 3, 3), 2)
    assert ints.dtype == np.int64
    np.testing.assert_array_equal(ints.numpy()[0], [[0, 1, 3, 4], [1, 2, 4, 5],
                                                    [3, 4, 6, 7], [4, 5, 7, 8]])


def test_unfold_fold_errors():
    with pytest.raises(ValueError, match="4-d"):
        w.unfold(np.ones((2, 3, 4)), 2)
    with pytest.raises(ValueError, match="no \\(5, 5\\) block fits"):
        w.unfold(np.ones((1, 1, 4, 4)), 5)
    with pytest.raises(ValueError, match="padding"):
        w.unfold(np.ones((1, 1, 4, 4)), 2, padding=-1)
    with pytest.raises(ValueError, match="3-d"):
        w.fold(np.ones((1, 4, 4, 1)), 4, 2)
    with pytest.raises(ValueError, match="does not hold"):
        w.fold(np.ones((1, 4, 8)), (3, 3), 2)  # 2x2 blocks on 3x3 fit at 4 positions
    with pytest.raises(ValueError, match="does not hold"):
        w.fold(np.ones((1, 6, 4)), (3, 3), 2)  # 6 rows are not whole 4-element blocks


@pytest.mark.parametrize("k,d,p,s", GEOMETRIES)
def test_unfold_fold_gradients(k, d, p, s):
    result = grad_check(lambda x: w.unfold(x, k, dilation=d, padding=p, stride=s),
                        R.normal(size=(2, 2, 6, 7)))
    assert result.ok, result
    cols = w.unfold(np.zeros((2, 2, 6, 7)), k, dilation=d, padding=p, stride=s)
    result = grad_check(lambda c: w.fold(c, (6, 7), k, dilation=d, padding=p, stride=s),
                        R.normal(size=cols.shape))
    assert result.ok, result
