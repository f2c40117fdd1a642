"""The compiled loops' matrix products go to NumPy's own BLAS (issue 18, item 2).

``saessak._blas`` finds ``cblas_?gemm`` and ``cblas_?gemv`` in the BLAS NumPy loaded;
``_numba.matmul_into`` calls them (gemv for one row), or numba's ``np.dot`` where they are
not given or the arrays' rows are not contiguous. Either way the product must be the
product."""

import numpy as np
import pytest

from saessak import _blas, _numba

needs_numba = pytest.mark.skipif(not _numba.ENABLED, reason="numba (the fast extra) is absent")


def test_numpy_wheels_blas_is_found():
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    if blas.get("name") != "scipy-openblas":
        pytest.skip(f"NumPy is built with {blas.get('name')}: the loops keep np.dot")
    for dtype in (np.float32, np.float64):
        gemm, gemv = _blas.blas_for(dtype)
        assert gemm is not None and gemv is not None
    assert _blas.blas_for(np.int32) is None  # no integer GEMM: np.dot


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shapes", [((5, 7), (7, 3)), ((20, 100), (100, 400)), ((1, 4), (4, 1)),
                                    ((1, 100), (100, 400)), ((1, 7), (7, 1))])
def test_matmul_into_is_the_product(dtype, shapes):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(shape).astype(dtype) for shape in shapes)
    expected = a.astype(np.float64) @ b.astype(np.float64)
    for blas in (_blas.blas_for(dtype), None):
        out = np.full((a.shape[0], b.shape[1]), np.nan, dtype)
        _numba.matmul_into(blas, a, b, out)
        np.testing.assert_allclose(out, expected, rtol=1e-4 if dtype == np.float32 else 1e-12,
                                   atol=1e-4 if dtype == np.float32 else 1e-12)


@needs_numba
@pytest.mark.filterwarnings("ignore:np.vdot:Warning")  # numba's note on the np.dot fallback
def test_views_with_a_row_stride_and_strided_columns():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((6, 5)).astype(np.float32)
    wide = rng.standard_normal((5, 12)).astype(np.float32)
    out = np.empty((6, 4), np.float32)
    blas = _blas.blas_for(np.float32)
    _numba.matmul_into(blas, a, wide[:, 4:8], out)  # rows contiguous, leading dimension 12
    np.testing.assert_allclose(out, a @ wide[:, 4:8], rtol=1e-5, atol=1e-5)
    _numba.matmul_into(blas, a, wide[:, ::3], out)  # columns strided: np.dot instead
    np.testing.assert_allclose(out, a @ wide[:, ::3], rtol=1e-5, atol=1e-5)
    row = np.empty((1, 4), np.float32)  # one row of a view with a leading dimension: gemv
    _numba.matmul_into(blas, a[2:3], wide[:, 4:8], row)
    np.testing.assert_allclose(row, a[2:3] @ wide[:, 4:8], rtol=1e-5, atol=1e-5)
