"""saessak.ops.decompositions, keras.ops.linalg: values against NumPy and SciPy and the
defining identities, dtypes and errors, and every gradient against central finite
differences (float64). Functions of a symmetric matrix are checked through sym(B) =
(B + B^T) / 2, so that a probe moves A_ij and A_ji together; eigen- and singular-vector
losses are invariant to the vectors' signs, with well-separated eigenvalues."""

import numpy as np
import pytest

from saessak import Tensor, grad_check
from saessak.ops import decompositions as la
from saessak.ops import swapaxes

sl = pytest.importorskip("scipy.linalg", reason="the reference values come from SciPy "
                                               "(saessak[fast])")

R = np.random.default_rng(5)


def well_conditioned(*lead, n=3):
    return R.standard_normal(lead + (n, n)) + 3 * np.eye(n)


def spd(*lead, n=3):
    m = R.standard_normal(lead + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def sym(b):
    return (b + swapaxes(b, -1, -2)) * 0.5


def t(a):
    return np.swapaxes(a, -1, -2)


def check(fn, *inputs):
    result = grad_check(fn, *inputs)
    assert result.ok, result


# --- inverses and determinants ----------------------------------------------------------------
def test_inverse_and_determinants():
    a = well_conditioned(2, 4, n=3)
    np.testing.assert_allclose(la.inv(Tensor(a)).numpy(), np.linalg.inv(a), rtol=1e-12)
    np.testing.assert_allclose(la.det(Tensor(a)).numpy(), np.linalg.det(a), rtol=1e-12)
    flipped = a[..., ::-1, :]  # one row swap: the sign turns
    sign, logabs = la.slogdet(Tensor(flipped))
    np.testing.assert_array_equal(sign.numpy(), np.linalg.slogdet(flipped)[0])
    np.testing.assert_allclose(logabs.numpy(), np.log(np.abs(np.linalg.det(a))), rtol=1e-12)
    p = spd(3)
    np.testing.assert_allclose(la.logdet(Tensor(p)).numpy(), np.log(np.linalg.det(p)), rtol=1e-12)
    single = la.det(a[0, 0].astype(np.float32))
    assert single.shape == () and single.dtype == np.float32
    assert la.inv(np.array([[2, 1], [1, 1]])).dtype == np.float32  # integers give floatx
    np.testing.assert_allclose(la.inv(np.array([[2, 1], [1, 1]])).numpy(), [[1, -1], [-1, 2]])


@pytest.mark.parametrize("fn", [la.inv, la.det, la.slogdet, la.logdet, la.cholesky, la.eigh,
                                la.eig, la.cholesky_inverse])
def test_square_matrices_only(fn):
    with pytest.raises(ValueError, match="square"):
        fn(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="matrix"):
        fn(np.ones(3))


def test_inverse_and_determinant_gradients():
    a = well_conditioned(2, n=3)
    check(la.inv, a)
    check(la.det, a)
    check(lambda x: la.slogdet(x)[1], a[..., ::-1, :])  # a negative determinant too
    check(la.logdet, spd(2))


# --- linear systems ---------------------------------------------------------------------------
def test_solve_matrices_and_vectors():
    a = well_conditioned(2, n=3)
    b = R.standard_normal((2, 3, 4))
    np.testing.assert_allclose(la.solve(Tensor(a), Tensor(b)).numpy(), np.linalg.solve(a, b),
                               rtol=1e-12)
    vectors = R.standard_normal((2, 3))  # one axis fewer than a: a stack of vectors
    x = la.solve(Tensor(a), Tensor(vectors)).numpy()
    assert x.shape == (2, 3)
    np.testing.assert_allclose(np.einsum("bij,bj->bi", a, x), vectors, rtol=1e-12, atol=1e-12)
    x = la.solve(Tensor(a), Tensor(vectors[0])).numpy()  # one vector for every matrix
    np.testing.assert_allclose(np.einsum("bij,bj->bi", a, x), np.broadcast_to(vectors[0], (2, 3)),
                               atol=1e-12)
    broadcast = la.solve(Tensor(a[0]), Tensor(b)).numpy()  # one matrix, many right sides
    np.testing.assert_allclose(a[0] @ broadcast, b, atol=1e-12)
    with pytest.raises(ValueError, match="does not fit"):
        la.solve(a, np.ones((2, 4, 2)))


def test_solve_triangular_reads_one_triangle():
    a = well_conditioned(2, n=4)
    b = R.standard_normal((2, 4, 3))
    for lower in (True, False):
        tri = np.tril(a) if lower else np.triu(a)
        x = la.solve_triangular(Tensor(a), Tensor(b), lower=lower).numpy()
        np.testing.assert_allclose(tri @ x, b, atol=1e-12)  # the other triangle is ignored
        expected = sl.solve_triangular(a[1], b[1, :, 0], lower=lower)
        np.testing.assert_allclose(la.solve_triangular(a[1], b[1, :, 0], lower).numpy(),
                                   expected.astype(np.float32), rtol=1e-5)


def test_solve_gradients():
    a = well_conditioned(2, n=3)
    check(la.solve, a, R.standard_normal((2, 3, 2)))
    check(la.solve, a, R.standard_normal((2, 3)))  # stacked vectors
    check(la.solve, a[0], R.standard_normal((2, 3, 2)))  # a broadcast over b's stack
    for lower in (True, False):  # garbage in the unread triangle gets no gradient
        def solve_it(x, y, lower=lower):
            return la.solve_triangular(x, y, lower=lower)

        check(solve_it, a, R.standard_normal((2, 3, 2)))
        check(solve_it, a[0], R.standard_normal(3))
    x = Tensor(a[0], requires_grad=True)
    la.solve_triangular(x, np.ones((3, 2)), lower=True).sum().backward()
    np.testing.assert_array_equal(np.triu(x.grad, 1), 0)


# --- Cholesky -------------------------------------------------------------------------------
def test_cholesky():
    a = spd(2, n=4)
    low = la.cholesky(Tensor(a)).numpy()
    np.testing.assert_array_equal(low, np.tril(low))
    np.testing.assert_allclose(low @ t(low), a, rtol=1e-12)
    np.testing.assert_allclose(low, np.linalg.cholesky(a), rtol=1e-12)
    up = la.cholesky(Tensor(a), upper=True).numpy()
    np.testing.assert_allclose(up, t(low), rtol=1e-12)
    assert la.cholesky(a.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="positive definite"):
        la.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]]))


def test_cholesky_inverse_takes_the_factor():
    a = np.array([[4.0, 12.0, -16.0], [12.0, 37.0, -43.0], [-16.0, -43.0, 98.0]])
    for upper in (False, True):
        factor = np.linalg.cholesky(a)
        factor = t(factor) if upper else factor
        np.testing.assert_allclose(la.cholesky_inverse(Tensor(factor), upper=upper).numpy(),
                                   np.linalg.inv(a), rtol=1e-10)
    batch = spd(3)
    got = la.cholesky_inverse(np.linalg.cholesky(batch).astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), np.linalg.inv(batch), rtol=1e-4)


def test_cholesky_gradients_are_symmetric():
    check(lambda b: la.cholesky(sym(b)), spd(2, n=3))
    check(lambda b: la.cholesky(sym(b), upper=True), spd(n=3))
    check(la.cholesky_inverse, np.linalg.cholesky(spd(n=3)))
    check(lambda f: la.cholesky_inverse(f, upper=True), t(np.linalg.cholesky(spd(n=3))))
    x = Tensor(spd(n=4), requires_grad=True)
    (la.cholesky(x) * R.standard_normal((4, 4))).sum().backward()
    np.testing.assert_allclose(x.grad, x.grad.T, rtol=1e-12)


# --- QR, eigen and singular values ----------------------------------------------------------------
def test_qr():
    a = R.standard_normal((2, 5, 3))
    q, r = (v.numpy() for v in la.qr(Tensor(a)))
    assert q.shape == (2, 5, 3) and r.shape == (2, 3, 3)
    np.testing.assert_allclose(q @ r, a, atol=1e-12)
    np.testing.assert_allclose(t(q) @ q, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)
    np.testing.assert_array_equal(r, np.triu(r))
    np.testing.assert_allclose(r, np.linalg.qr(a)[1], rtol=1e-12)
    q, r = (v.numpy() for v in la.qr(Tensor(a), mode="complete"))
    assert q.shape == (2, 5, 5) and r.shape == (2, 5, 3)
    np.testing.assert_allclose(q @ r, a, atol=1e-12)
    with pytest.raises(ValueError, match="mode"):
        la.qr(a, mode="r")


def test_qr_gradients():
    check(la.qr, R.standard_normal((2, 5, 3)))
    check(la.qr, R.standard_normal((3, 3)))
    check(lambda x: la.qr(x, mode="complete"), R.standard_normal((3, 3)))
    wide = Tensor(R.standard_normal((2, 4)), requires_grad=True)
    with pytest.raises(NotImplementedError, match="tall"):
        la.qr(wide)[1].sum().backward()


def test_eigh_and_eig():
    a = spd(2, n=4)
    w, v = (x.numpy() for x in la.eigh(Tensor(a)))
    assert (np.diff(w, axis=-1) > 0).all()  # ascending
    np.testing.assert_allclose(a @ v, v * w[..., None, :], atol=1e-10)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), rtol=1e-12)
    lower_only = np.tril(a) + np.triu(R.standard_normal((4, 4)), 1)
    np.testing.assert_allclose(la.eigh(Tensor(lower_only))[0].numpy(), w, rtol=1e-12)
    general = R.standard_normal((3, 3))
    w, v = (x.numpy() for x in la.eig(general.astype(np.float32)))
    np.testing.assert_allclose(general @ v, v * w, atol=1e-4)
    np.testing.assert_allclose(np.sort_complex(w), np.sort_complex(np.linalg.eigvals(general)),
                               rtol=1e-5)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    np.testing.assert_allclose(np.sort_complex(la.eig(Tensor(rotation))[0].numpy()), [-1j, 1j])


def test_eigh_gradients():
    # eigenvalues about 4 apart; the loss reads each vector through v v^T and v * v
    base = np.diag([1.0, 5.0, 9.0, 13.0]) + 0.3 * spd(2, n=4)

    def values_and_vectors(b):
        w, v = la.eigh(sym(b))
        return w, v * v, v[..., :, 1:2] * swapaxes(v[..., :, 1:2], -1, -2)

    check(values_and_vectors, base)
    check(lambda b: la.eigh(sym(b))[0], base)
    x = Tensor(base[0], requires_grad=True)
    (la.eigh(x)[1] ** 2 * R.standard_normal((4, 4))).sum().backward()
    np.testing.assert_allclose(x.grad, x.grad.T, rtol=1e-12)


def test_svd():
    a = R.standard_normal((2, 5, 3))
    u, s, vh = (x.numpy() for x in la.svd(Tensor(a)))
    assert u.shape == (2, 5, 5) and s.shape == (2, 3) and vh.shape == (2, 3, 3)
    np.testing.assert_allclose((u[..., :3] * s[..., None, :]) @ vh, a, atol=1e-12)
    np.testing.assert_allclose(t(u) @ u, np.broadcast_to(np.eye(5), (2, 5, 5)), atol=1e-12)
    u, s, vh = (x.numpy() for x in la.svd(Tensor(t(a)), full_matrices=False))
    assert u.shape == (2, 3, 3) and vh.shape == (2, 3, 5)
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, t(a), atol=1e-12)
    values = la.svd(a.astype(np.float32), compute_uv=False)
    assert values.dtype == np.float32
    np.testing.assert_allclose(values.numpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-5)


def _sign_free(u, s, vh):
    """What the singular vectors determine regardless of their signs."""
    k = s.shape[-1]
    return s, u[..., :, :k] ** 2, vh[..., :k, :] ** 2, u[..., :, 1:2] * vh[..., 1:2, :]


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_svd_gradients(shape):
    a = R.standard_normal(shape)
    check(lambda x: la.svd(x, compute_uv=False), a)
    check(lambda x: _sign_free(*la.svd(x, full_matrices=False)), a)
    # full matrices: the columns past min(M, N) are not unique; the rest carry gradients
    check(lambda x: _sign_free(*la.svd(x)), a)


# --- pseudo-inverse, least squares, rank ----------------------------------------------------------
def test_pinv_and_lstsq():
    for shape in ((5, 3), (3, 5), (2, 4, 3)):
        a = R.standard_normal(shape)
        p = la.pinv(Tensor(a)).numpy()
        np.testing.assert_allclose(p, np.linalg.pinv(a), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(a @ p @ a, a, atol=1e-12)  # Penrose's conditions
        np.testing.assert_allclose(p @ a @ p, p, atol=1e-12)
    for a_shape, b_shape in (((6, 3), (6, 2)), ((3, 5), (3,)), ((4, 4), (4, 1))):
        a, b = R.standard_normal(a_shape), R.standard_normal(b_shape)
        np.testing.assert_allclose(la.lstsq(Tensor(a), Tensor(b)).numpy(),
                                   np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-10, atol=1e-12)
    rank_one = np.outer([1.0, 2.0, 3.0], [1.0, -1.0]) + 1e-9 * R.standard_normal((3, 2))
    b = R.standard_normal(3)
    np.testing.assert_allclose(la.lstsq(Tensor(rank_one), Tensor(b), rcond=1e-6).numpy(),
                               np.linalg.lstsq(rank_one, b, rcond=1e-6)[0], rtol=1e-6)
    assert la.lstsq(np.ones((3, 2), np.float32), np.ones(3, np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="lstsq"):
        la.lstsq(np.ones((3, 2)), np.ones(2))


def test_pinv_and_lstsq_gradients():
    check(la.pinv, R.standard_normal((5, 3)))
    check(la.pinv, R.standard_normal((2, 3, 5)))
    check(la.lstsq, R.standard_normal((5, 3)), R.standard_normal((5, 2)))
    check(la.lstsq, R.standard_normal((3, 4)), R.standard_normal(3))


def test_matrix_rank():
    rank = la.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]], np.float32))
    assert rank.dtype == np.int32 and int(rank) == 1
    stack = np.stack([np.eye(3), np.diag([1.0, 1.0, 0.0]), np.zeros((3, 3))])
    np.testing.assert_array_equal(la.matrix_rank(stack).numpy(), [3, 2, 0])
    np.testing.assert_array_equal(la.matrix_rank(np.diag([1.0, 0.01]), tol=0.1).numpy(), 1)


# --- LU -------------------------------------------------------------------------------------
def _reassembled(lu, pivots):
    """P^T L U, the matrix the packed factors describe."""
    m, n = lu.shape
    k = min(m, n)
    low = np.tril(lu, -1)[:, :k] + np.eye(m, k)
    a = low @ np.triu(lu)[:k]
    for i in reversed(range(k)):  # undo the swaps, last first
        a[[i, pivots[i]]] = a[[pivots[i], i]]
    return a


@pytest.mark.parametrize("with_scipy", [True, False])
def test_lu_factor(with_scipy, monkeypatch):
    if not with_scipy:
        monkeypatch.setattr(la, "_scipy_linalg", lambda: None)  # the NumPy fallback
    for shape in ((2, 4, 4), (5, 3), (3, 5)):
        a = R.standard_normal(shape)
        lu, pivots = (x.numpy() for x in la.lu_factor(Tensor(a)))
        assert pivots.dtype == np.int32 and pivots.shape == shape[:-2] + (min(shape[-2:]),)
        for i in np.ndindex(shape[:-2]):
            expected_lu, expected_pivots = sl.lu_factor(a[i])
            np.testing.assert_allclose(lu[i], expected_lu, rtol=1e-12, atol=1e-14)
            np.testing.assert_array_equal(pivots[i], expected_pivots)
            np.testing.assert_allclose(_reassembled(lu[i], pivots[i]), a[i], atol=1e-12)
    assert la.lu_factor(np.eye(3, dtype=np.float32))[0].dtype == np.float32


# --- dtypes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    la.inv, la.det, la.logdet, la.cholesky, la.pinv, lambda x: la.slogdet(x)[1],
    lambda x: la.eigh(x)[1], lambda x: la.qr(x)[0], lambda x: la.svd(x)[1],
    lambda x: la.solve(x, np.ones(3)), lambda x: la.solve_triangular(x, np.ones((3, 2))),
    lambda x: la.lstsq(x, np.ones(3)), lambda x: la.cholesky_inverse(x),
])
def test_float32_stays_and_integers_become_float32(fn):
    a = np.array([[4, 1, 0], [1, 3, 1], [0, 1, 2]])
    assert fn(a.astype(np.float32)).dtype == np.float32
    assert fn(a).dtype == np.float32
    assert fn(Tensor(a.astype(np.float64))).dtype == np.float64
