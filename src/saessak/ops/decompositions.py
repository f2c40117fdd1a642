"""Linear algebra beyond the matrix product, as Keras 3's ``keras.ops.linalg``: inverses,
determinants, linear solves, least squares and the factorizations (Cholesky, QR, eigen,
singular value, LU).

Every op works on stacks of matrices (..., M, N), and the differentiable ones carry their
gradient, batched too. With G the gradient that reaches an output:

    inv        Y = A^-1            dA = -Y^T G Y^T
    det        d = det A           dA = g d A^-T
    slogdet    l = log|det A|      dA = g A^-T          (the sign is piecewise constant)
    solve      X = A^-1 B          dB = A^-T G,  dA = -dB X^T
    pinv       P = A^+             see :class:`Pinv` (constant rank)

Functions of a symmetric matrix (cholesky, eigh) read one triangle of it, but the matrix
is one variable: their gradients are symmetric, split evenly between A_ij and A_ji, as in
TensorFlow, JAX and PyTorch. Eigen- and singular-vector gradients divide by the gaps
between eigenvalues (squared singular values): they exist only where those are distinct.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Function, Tensor
from .attention import _t
from .dtypes import float_values, floating
from .linalg import matmul
from .manipulation import reshape, swapaxes


def _scipy_linalg():
    """SciPy's linear algebra (triangular solves, LU) when installed, else None; imported
    on first use, since it takes a tenth of a second and most programs never need it."""
    try:
        import scipy.linalg
    except Exception:  # pragma: no cover - depends on the machine
        return None
    return scipy.linalg


def _check(x, owner, square=True):
    shape = np.shape(x)
    if len(shape) < 2:
        raise ValueError(f"{owner}: expected a matrix (..., M, N), received shape {shape}")
    if square and shape[-1] != shape[-2]:
        raise ValueError(f"{owner}: expected square matrices, received shape {shape}")


def _diagonal_index(n):
    i = np.arange(n)
    return (..., i, i)


def _triangular_solve(a, b, lower, trans=False):
    """A^-1 B (A^-T B with ``trans``) for triangular A (..., M, M) and B (..., M, K), batched;
    only A's ``lower`` (else upper) triangle is read."""
    _sl = _scipy_linalg()
    if _sl is None:
        tri = np.tril(a) if lower else np.triu(a)
        return np.linalg.solve(_t(tri) if trans else tri, b)
    lead = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a, b = np.broadcast_to(a, lead + a.shape[-2:]), np.broadcast_to(b, lead + b.shape[-2:])
    x = np.empty(b.shape, np.result_type(a, b))
    for i in np.ndindex(lead):
        x[i] = _sl.solve_triangular(a[i], b[i], trans=int(trans), lower=lower)
    return x


# --- inverses and determinants ----------------------------------------------------------------
class Inv(Function):
    def forward(self, a):
        self.y = np.linalg.inv(a)
        return self.y

    def backward(self, g):  # dA = -Y^T G Y^T
        yt = _t(self.y)
        return -(yt @ g @ yt)

    def backward_ops(self, g):
        yt = _swap(Inv()(self.inputs[0]))
        return -matmul(matmul(yt, g), yt)


class Det(Function):
    def forward(self, a):
        self.a, self.d = a, np.asarray(np.linalg.det(a))
        return self.d

    def backward(self, g):  # d det A / dA = det A * A^-T
        return np.asarray(g * self.d)[..., None, None] * _t(np.linalg.inv(self.a))

    def backward_ops(self, g):
        a = self.inputs[0]
        return _matrices(g * Det()(a)) * _swap(Inv()(a))


class Slogdet(Function):
    n_outputs = 2

    def forward(self, a):
        self.a = a
        sign, logabs = np.linalg.slogdet(a)
        return np.asarray(sign), np.asarray(logabs)

    def backward(self, g_sign, g_log):  # d log|det A| / dA = A^-T; the sign has no slope
        return np.asarray(g_log)[..., None, None] * _t(np.linalg.inv(self.a))

    def backward_ops(self, g_sign, g_log):
        return _matrices(g_log) * _swap(Inv()(self.inputs[0]))


def _swap(x):
    """X^T of a stack of matrices, recorded."""
    return swapaxes(x, -1, -2)


def _matrices(x):
    """x (...) as a stack of 1x1 matrices (..., 1, 1), recorded."""
    return reshape(x, tuple(x.shape) + (1, 1))


def inv(x):
    """A^-1 of square matrices (..., M, M)."""
    _check(x, "inv")
    return Inv()(floating(x))


def det(x):
    """det A of square matrices (..., M, M): shape (...)."""
    _check(x, "det")
    return Det()(floating(x))


def slogdet(x):
    """(sign, log|det A|): the determinant as sign * exp(logabsdet), without overflow."""
    _check(x, "slogdet")
    return Slogdet()(floating(x))


def logdet(x):
    """log|det A|, for A positive definite the log of its determinant."""
    return slogdet(x)[1]


# --- linear systems ---------------------------------------------------------------------------
class Solve(Function):
    """X = A^-1 B; with ``vector``, B and X are (..., M), one axis fewer than A."""

    def __init__(self, vector=False):
        self.vector = vector

    def forward(self, a, b):
        self.a, self.b = a, b  # b: a reference, for backward_ops
        self.x = np.linalg.solve(a, b[..., None] if self.vector else b)
        return self.x[..., 0] if self.vector else self.x

    def backward(self, g):  # dB = A^-T G, dA = -dB X^T
        gb = np.linalg.solve(_t(self.a), g[..., None] if self.vector else g)
        return -gb @ _t(self.x), gb[..., 0] if self.vector else gb

    def backward_ops(self, g):  # the same, with the solves as recorded ops
        a, b = self.input_or_saved(0, self.a), self.input_or_saved(1, self.b)
        gb, x = self._again(_swap(a), g, True), self._again(a, b)
        if self.vector:  # dA = -gb x^T, an outer product
            return -reshape(gb, gb.shape + (1,)) * reshape(x, x.shape[:-1] + (1, -1)), gb
        return -matmul(gb, _swap(x)), gb

    def _again(self, a, b, transposed=False):
        """A^-1 B as a recorded op like this one (``transposed``: ``a`` is A^T)."""
        return Solve(self.vector)(a, b)


class SolveTriangular(Solve):
    """X = A^-1 B for A triangular (only its ``lower``, else upper, triangle is read)."""

    def __init__(self, lower, vector=False):
        self.lower, self.vector = lower, vector

    def forward(self, a, b):
        self.a, self.b = a, b
        self.x = _triangular_solve(a, b[..., None] if self.vector else b, self.lower)
        return self.x[..., 0] if self.vector else self.x

    def backward(self, g):  # dB = A^-T G, dA = -dB X^T on A's triangle
        gb = _triangular_solve(self.a, g[..., None] if self.vector else g, self.lower, True)
        ga = -gb @ _t(self.x)
        return np.tril(ga) if self.lower else np.triu(ga), gb[..., 0] if self.vector else gb

    def backward_ops(self, g):  # Solve's, on A's triangle (a constant mask)
        ga, gb = super().backward_ops(g)
        m = self.a.shape[-1]
        ones = np.ones((m, m), self.a.dtype)
        return ga * (np.tril(ones) if self.lower else np.triu(ones)), gb

    def _again(self, a, b, transposed=False):  # A^T's triangle is the other one
        return SolveTriangular(self.lower != transposed, self.vector)(a, b)


def _is_vector(a, b, owner):
    """Whether ``b`` is a stack of vectors (one axis fewer than ``a``, or one vector),
    checking the sizes."""
    _check(a, owner)
    vector = np.ndim(b) in (1, np.ndim(a) - 1)
    m, axis = np.shape(a)[-1], -1 if vector else -2
    if np.ndim(b) < -axis or np.shape(b)[axis] != m:
        raise ValueError(f"{owner}: a of shape {np.shape(a)} does not fit b of shape "
                         f"{np.shape(b)}; expected b (..., {m}) or (..., {m}, K)")
    return vector


def solve(a, b):
    """X with A X = B, for A (..., M, M) and B (..., M, K), or B (..., M) one axis shorter
    (or (M,))."""
    return Solve(_is_vector(a, b, "solve"))(floating(a), floating(b))


def solve_triangular(a, b, lower=False):
    """X with A X = B for triangular A: only its lower (``lower``) or upper triangle is read."""
    return SolveTriangular(lower, _is_vector(a, b, "solve_triangular"))(floating(a),
                                                                       floating(b))


# --- Cholesky -------------------------------------------------------------------------------
def _half_diagonal_tril(x):
    """The lower triangle of x with its diagonal halved (Phi in the Cholesky gradient)."""
    x = np.tril(x)
    x[_diagonal_index(x.shape[-1])] *= 0.5
    return x


class Cholesky(Function):
    """L lower triangular with L L^T = A (``upper``: U = L^T, from A's upper triangle).

    A = L L^T gives L^-1 dA L^-T = X + X^T with X = L^-1 dL lower triangular, so
    dL = L Phi(L^-1 dA L^-T), and the adjoint, made symmetric:
        S = L^-T Phi(L^T G) L^-1,   dA = (S + S^T) / 2.
    """

    def __init__(self, upper):
        self.upper = upper

    def forward(self, a):
        try:  # NumPy reads the lower triangle; the upper one is the lower one of A^T
            self.l = np.linalg.cholesky(_t(a) if self.upper else a)
        except np.linalg.LinAlgError as error:
            raise ValueError(f"cholesky: the matrix is not positive definite ({error})") from None
        return _t(self.l) if self.upper else self.l

    def backward(self, g):
        low = self.l
        p = _half_diagonal_tril(_t(low) @ (_t(g) if self.upper else g))
        s = _triangular_solve(low, _t(_triangular_solve(low, p, True, True)), True, True)
        return (s + _t(s)) / 2  # s above is S^T: L^-T (L^-T P)^T

    def backward_ops(self, g):  # the same, with L and the solves recorded; Phi is a mask
        a = self.inputs[0]
        low = Cholesky(False)(_swap(a) if self.upper else a)
        m = self.l.shape[-1]
        phi = np.tril(np.ones((m, m), self.l.dtype)) - np.eye(m, dtype=self.l.dtype) / 2
        p = matmul(_swap(low), _swap(g) if self.upper else g) * phi
        lt = _swap(low)  # upper triangular
        s = SolveTriangular(False)(lt, _swap(SolveTriangular(False)(lt, p)))  # L^-T (L^-T P)^T
        return (s + _swap(s)) / 2


def cholesky(x, upper=False):
    """The Cholesky factor of symmetric positive definite A: lower L with A = L L^T, or
    with ``upper`` U = L^T."""
    _check(x, "cholesky")
    return Cholesky(upper)(floating(x))


def cholesky_inverse(x, upper=False):
    """A^-1 from the Cholesky factor ``x`` of A: L^-T L^-1, or U^-1 U^-T with ``upper``."""
    _check(x, "cholesky_inverse")
    eye = np.broadcast_to(np.eye(np.shape(x)[-1]), np.shape(x))  # matrices, never vectors
    inverse = solve_triangular(x, eye, lower=not upper)
    if upper:
        return matmul(inverse, swapaxes(inverse, -1, -2))
    return matmul(swapaxes(inverse, -1, -2), inverse)


# --- QR, eigen and singular value decompositions ------------------------------------------------
class Qr(Function):
    """A = Q R. For reduced Q (M, N), M >= N, with C = Q^T dQ antisymmetric:
        N = G_R R^T - Q^T G_Q,  W = triu(N) + triu(N, 1)^T,  dA = (G_Q + Q W) R^-T."""

    n_outputs = 2

    def __init__(self, mode):
        self.mode = mode

    def forward(self, a):
        self.q, self.r = np.linalg.qr(a, mode=self.mode)
        return self.q, self.r

    def backward(self, g_q, g_r):
        q, r = self.q, self.r
        if q.shape[-2] < r.shape[-1] or q.shape[-1] != r.shape[-1]:
            raise NotImplementedError("qr: gradients exist here for square or tall matrices "
                                      "with mode='reduced' only")
        n = g_r @ _t(r) - _t(q) @ g_q
        b = g_q + q @ (np.triu(n) + _t(np.triu(n, 1)))
        return _t(_triangular_solve(r, _t(b), lower=False))  # B R^-T = (R^-1 B^T)^T


def qr(x, mode="reduced"):
    """(Q, R) with x = Q R, Q orthonormal columns: (M, K) and (K, N) with K = min(M, N),
    or with mode='complete' (M, M) and (M, N)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    _check(x, "qr", square=False)
    return Qr(mode)(floating(x))


class Eigh(Function):
    """A = V diag(w) V^T for symmetric A (its lower triangle is read), w ascending:
        dA = V (diag(G_w) + F o (K - K^T) / 2) V^T,  K = V^T G_V,  F_ij = 1 / (w_j - w_i)."""

    n_outputs = 2

    def forward(self, a):
        self.w, self.v = np.linalg.eigh(a)
        return self.w, self.v

    def backward(self, g_w, g_v):
        w, v = self.w, self.v
        gap = w[..., None, :] - w[..., :, None]
        diagonal = _diagonal_index(w.shape[-1])
        gap[diagonal] = np.inf  # F_ii = 0
        k = _t(v) @ g_v
        inner = (k - _t(k)) / (2 * gap)
        inner[diagonal] += g_w
        return v @ inner @ _t(v)


def eigh(x):
    """(eigenvalues ascending (..., M), eigenvectors as columns (..., M, M)) of symmetric
    matrices; only their lower triangle is read."""
    _check(x, "eigh")
    return Eigh()(floating(x))


def eig(x):
    """(eigenvalues, eigenvectors as columns) of general square matrices; complex where
    they are (NumPy's dtypes). No gradient."""
    _check(x, "eig")
    w, v = np.linalg.eig(float_values(x))
    return Tensor(w), Tensor(v)


class SingularValues(Function):
    def forward(self, a):
        if not self.recording:
            return np.linalg.svd(a, compute_uv=False)
        self.u, s, self.vh = np.linalg.svd(a, full_matrices=False)
        return s

    def backward(self, g):  # ds_i = u_i^T dA v_i, so dA = U diag(G) V^T
        return (self.u * g[..., None, :]) @ self.vh


class Svd(Function):
    """A = U diag(s) V^T (returned as U, s, Vh = V^T), K = min(M, N) singular values.

    With J = skew(U^T G_U), L = skew(V^T G_V) (skew(X) = X - X^T) and E_ij = s_j^2 - s_i^2:
        inner = (J diag(s) + diag(s) L) / E + diag(G_s)
        dA = U inner V^T + (I - U U^T) G_U diag(s)^-1 V^T + U diag(s)^-1 G_Vh (I - V V^T).
    Of full matrices, the columns past K are not unique: they get no gradient."""

    n_outputs = 3

    def __init__(self, full_matrices):
        self.full = full_matrices

    def forward(self, a):
        u, s, vh = np.linalg.svd(a, full_matrices=self.full)
        k = s.shape[-1]
        self.u, self.s, self.vh = u[..., :k], s, vh[..., :k, :]
        return u, s, vh

    def backward(self, g_u, g_s, g_vh):
        u, s, vh = self.u, self.s, self.vh
        k = s.shape[-1]
        g_u, g_vh = g_u[..., :k], g_vh[..., :k, :]
        j, m = _t(u) @ g_u, vh @ _t(g_vh)
        s2 = s * s
        gap = s2[..., None, :] - s2[..., :, None]
        diagonal = _diagonal_index(k)
        gap[diagonal] = 1  # the skew parts are 0 there
        inner = ((j - _t(j)) * s[..., None, :] + s[..., :, None] * (m - _t(m))) / gap
        inner[diagonal] += g_s
        if u.shape[-2] > k:  # tall: U^T G_U misses the part of G_U outside U's span
            return (u @ inner + (g_u - u @ (_t(u) @ g_u)) / s[..., None, :]) @ vh
        if vh.shape[-1] > k:  # wide: likewise for V
            return u @ (inner @ vh + (g_vh - (g_vh @ _t(vh)) @ vh) / s[..., :, None])
        return u @ inner @ vh


def svd(x, full_matrices=True, compute_uv=True):
    """(U, s, Vh) with x = U diag(s) Vh, s descending; s alone without ``compute_uv``."""
    _check(x, "svd", square=False)
    if not compute_uv:
        return SingularValues()(floating(x))
    return Svd(full_matrices)(floating(x))


# --- pseudo-inverse and least squares -----------------------------------------------------------
class Pinv(Function):
    """P = A^+, the Moore-Penrose pseudo-inverse (singular values below rcond * the largest
    count as 0). Where A's rank stays constant:
        dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)."""

    def __init__(self, rcond, lstsq=False):
        self.rcond, self.lstsq = rcond, lstsq

    def forward(self, a):
        rcond = self.rcond
        if rcond is None:  # NumPy's defaults: pinv 1e-15, lstsq eps * max(M, N)
            rcond = np.finfo(a.dtype).eps * max(a.shape[-2:]) if self.lstsq else 1e-15
        self.a, self.p = a, np.linalg.pinv(a, rcond=rcond)
        return self.p

    def backward(self, g):
        a, p = self.a, self.p
        pt, gt = _t(p), _t(g)
        ga = -(pt @ g @ pt)
        ga += (gt - a @ (p @ gt)) @ (p @ pt)
        ga += (pt @ p) @ (gt - (gt @ p) @ a)
        return ga

    def backward_ops(self, g):  # the same products, with P recorded
        a = self.inputs[0]
        p = Pinv(self.rcond, self.lstsq)(a)
        pt, gt = _swap(p), _swap(g)
        return (-matmul(matmul(pt, g), pt)
                + matmul(gt - matmul(a, matmul(p, gt)), matmul(p, pt))
                + matmul(matmul(pt, p), gt - matmul(matmul(gt, p), a)))


def pinv(x, rcond=None):
    """The pseudo-inverse (..., N, M) of x (..., M, N), by the SVD."""
    _check(x, "pinv", square=False)
    return Pinv(rcond)(floating(x))


def lstsq(a, b, rcond=None):
    """x minimising |a x - b| (the shortest such x): pinv(a) b, b (M,) or (M, K); singular
    values below rcond * the largest (default eps * max(M, N)) count as 0."""
    _check(a, "lstsq", square=False)
    m = np.shape(a)[-2]
    if np.ndim(b) not in (1, 2) or np.shape(b)[0] != m or np.ndim(a) != 2:
        raise ValueError(f"lstsq: expected a (M, N) and b (M,) or (M, K), received shapes "
                         f"{np.shape(a)} and {np.shape(b)}")
    return matmul(Pinv(rcond, lstsq=True)(floating(a)), floating(b))


def matrix_rank(x, tol=None):
    """How many singular values exceed ``tol`` (NumPy's default: s_max * max(M, N) * eps);
    int32 of shape (...). No gradient."""
    _check(x, "matrix_rank", square=False)
    return Tensor(np.asarray(np.linalg.matrix_rank(float_values(x), tol=tol), np.int32))


# --- LU -------------------------------------------------------------------------------------
def _lu_partial_pivoting(a):
    """LAPACK's getrf in NumPy: L (unit diagonal, below) and U packed in one matrix, and the
    row swapped with row i at step i (0-based)."""
    lu = a.copy()
    k = min(lu.shape)
    pivots = np.empty(k, np.int32)
    for i in range(k):
        p = i + int(np.argmax(np.abs(lu[i:, i])))
        pivots[i] = p
        lu[[i, p]] = lu[[p, i]]
        if lu[i, i] != 0:
            lu[i + 1:, i] /= lu[i, i]
            lu[i + 1:, i + 1:] -= np.outer(lu[i + 1:, i], lu[i, i + 1:])
    return lu, pivots


def lu_factor(x):
    """(LU, pivots) with P A = L U, as SciPy's lu_factor: L below the diagonal (its unit
    diagonal implied), U on and above it; row i was swapped with row pivots[i]. No gradient."""
    _check(x, "lu_factor", square=False)
    a = float_values(x)
    _sl = _scipy_linalg()
    factor = _sl.lu_factor if _sl is not None else _lu_partial_pivoting
    lu = np.empty_like(a)
    pivots = np.empty(a.shape[:-2] + (min(a.shape[-2:]),), np.int32)
    for i in np.ndindex(a.shape[:-2]):
        lu[i], pivots[i] = factor(a[i])
    return Tensor(lu), Tensor(pivots)
