"""Optional numba versions of the recurrent time loops (the ``fast`` extra).

The reference loops in :mod:`saessak.ops.lstm`, :mod:`~saessak.ops.gru` and
:mod:`~saessak.ops.simple_rnn` make 15-30 small NumPy calls per time step, and each call
costs about a microsecond of Python overhead, more than the arithmetic itself at the usual
sizes. Here each whole loop is one compiled function: the step's recurrent matmul is still a
BLAS call (NumPy's own BLAS, through :func:`saessak._numba.matmul_into`), and the gate math
around it is one pass over each row of (units) elements, written in place and without
branches so that LLVM turns it into SIMD code. They compute what the references compute,
for the default activations (tanh, with sigmoid gates);
:meth:`saessak.ops.rnn.Recurrence.forward` picks.

Each op has two entry points with its reference's signature and return values
(``lstm_forward``/``lstm_backward`` beside ``lstm_reference``/``lstm_reference_backward``):
they take every step's input projection ``X W`` (made by :class:`.rnn.Recurrence`), do the
large matmul after the loop (``dU = H_prev^T dZ``) and call the compiled ``*_loop``
functions, which work in place on time-major buffers.

The backward loops need no exp or tanh (they read the saved gate values) and run for
float32 and float64. The forward loops need tanh, and numba's scalar ``math.tanh``
is a libm call per element (about 20 times slower than NumPy's SIMD tanh), so it uses
:func:`_tanh` below, a rational function that vectorises and is accurate to float32
precision only: the compiled forward loop runs for float32, float64 takes the reference.

Masks arrive as a (T, B) boolean array ``keep`` and recurrent dropout as a (B, u) array
``rd``; a flag says whether each is in use (numba needs arrays of fixed types).
``SAESSAK_NUMBA=0`` turns this module off.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from .._blas import blas_for
from .._numba import ENABLED as _NUMBA_ENABLED
from .._numba import jit, numba, plain_arrays

# numba's np.dot (the fallback of matmul_into) calls the BLAS that SciPy ships; without SciPy
# the loops cannot compile.
ENABLED = _NUMBA_ENABLED and importlib.util.find_spec("scipy") is not None


def usable(fn, arrays):
    """(forward, backward): whether the compiled loops can run ``fn`` (a Recurrence) on
    these arrays. Both need the default activations; the forward needs float32 too."""
    fits = ENABLED and fn.act_name == "tanh" and fn.rec_act_name == "sigmoid"
    return (fits and plain_arrays(arrays, (np.float32,)), fits and plain_arrays(arrays))


def bias_args(bias, width, dtype):
    """(bias, has_bias) as the compiled loops take them: a contiguous array either way."""
    if bias is None:
        return np.zeros(width, dtype), False
    return np.ascontiguousarray(bias, dtype), True


def flags(keep, state_dropout, batch, dtype):
    """(keep, has_keep, rd, has_rd): the mask and the recurrent dropout as numba wants them."""
    keep_ = keep[:, :, 0] if keep is not None else np.ones((1, 1), bool)
    rd = state_dropout if state_dropout is not None else np.ones((1, 1), dtype)
    return keep_, keep is not None, np.ascontiguousarray(rd, dtype), state_dropout is not None


def _upstream(dH, dtype):
    """(dY, has_dY): the gradient of every step's output, or a placeholder."""
    return (np.zeros((1, 1, 1), dtype), False) if dH is None else (dH, True)


def _flat(a):
    return a.reshape(-1, a.shape[-1])


def _states_in(H, state_dropout):
    """All T previous states (T*B, u) as the recurrent matmuls saw them."""
    prev = H[:-1] if state_dropout is None else H[:-1] * state_dropout
    return _flat(prev)


# --- the entry points: the references' signatures -------------------------------------------


def lstm_forward(xw, h0, c0, recurrent_kernel, bias=None, *, keep=None, state_dropout=None,
                 **_activations):
    """:func:`saessak.ops.lstm.lstm_reference`, compiled (``xw`` is used up: it becomes
    the gate values); also returns tanh(C[1:])."""
    steps, batch, _ = xw.shape
    u = recurrent_kernel.shape[0]
    dtype = xw.dtype
    G = xw  # becomes the gate values (the loop adds the bias)
    H, C = np.empty((steps + 1, batch, u), dtype), np.empty((steps + 1, batch, u), dtype)
    TC = np.empty((steps, batch, u), dtype)  # tanh(c_t), needed twice in backward
    H[0], C[0] = h0, c0
    # (scratch buffers made here: allocated inside the compiled loop, they made it twice
    # as slow, measured with numba 0.68)
    lstm_forward_loop(blas_for(dtype), G, *bias_args(bias, 4 * u, dtype), H, C, TC,
                      np.ascontiguousarray(recurrent_kernel), np.empty((batch, 4 * u), dtype),
                      np.empty((batch, u), dtype), *flags(keep, state_dropout, batch, dtype))
    return H, C, G, TC


def lstm_backward(dH, dh, dc, recurrent_kernel, bias, H, C, gates, TC=None, *, keep=None,
                  state_dropout=None, **_activations):
    """:func:`saessak.ops.lstm.lstm_reference_backward`, compiled (``gates`` is used up)."""
    batch, u = dh.shape
    if TC is None:  # the reference forward ran (float64)
        TC = np.tanh(C[1:])
    lstm_backward_loop(blas_for(dh.dtype), gates, H, C, TC,
                       np.ascontiguousarray(recurrent_kernel.T), *_upstream(dH, dh.dtype), dh,
                       dc, np.zeros((2, batch, u), dh.dtype),
                       *flags(keep, state_dropout, batch, dh.dtype))
    dZ = gates  # now dL/dz, every step
    dU = _states_in(H, state_dropout).T @ _flat(dZ)
    return dZ, dU, _flat(dZ).sum(axis=0), dh, dc


def gru_forward(xw, h0, recurrent_kernel, bias=None, *, reset_after=True, keep=None,
                state_dropout=None, **_activations):
    """:func:`saessak.ops.gru.gru_reference`, compiled (``xw`` is used up)."""
    steps, batch, _ = xw.shape
    U = recurrent_kernel
    u = U.shape[0]
    dtype = xw.dtype
    b_in, b_rec = (bias[0], bias[1]) if reset_after and bias is not None else (bias, None)
    G = xw  # becomes the values z, r, hh (the loop adds the input bias)
    H = np.empty((steps + 1, batch, u), dtype)
    H[0] = h0
    M = np.empty((steps, batch, 3 * u if reset_after else u), dtype)
    gru_forward_loop(blas_for(dtype), G, *bias_args(b_in, 3 * u, dtype),
                     *bias_args(b_rec, 3 * u, dtype), H, M, np.ascontiguousarray(U),
                     np.ascontiguousarray(U[:, :2 * u]), np.ascontiguousarray(U[:, 2 * u:]),
                     reset_after,
                     np.empty((batch, 2 * u), dtype), np.empty((batch, u), dtype),
                     np.empty((batch, u), dtype), *flags(keep, state_dropout, batch, dtype))
    return H, G, M


def gru_backward(dH, dh, recurrent_kernel, bias, H, gates, M, *, reset_after=True,
                 keep=None, state_dropout=None, **_activations):
    """:func:`saessak.ops.gru.gru_reference_backward`, compiled (``gates``, ``M`` used up)."""
    batch, u = dh.shape
    gru_backward_loop(blas_for(dh.dtype), gates, H, M,
                      np.ascontiguousarray(recurrent_kernel.T), reset_after,
                      *_upstream(dH, dh.dtype), dh, np.zeros((6, batch, u), dh.dtype),
                      np.zeros((batch, 2 * u), dh.dtype),
                      *flags(keep, state_dropout, batch, dh.dtype))
    dA = gates  # now dL/d(x_t W + b_in); with reset_after M is now dL/dm
    states_in, dA2 = _states_in(H, state_dropout), _flat(dA)
    if reset_after:
        dM = _flat(M)
        return dA, states_in.T @ dM, np.stack([dA2.sum(axis=0), dM.sum(axis=0)]), dh
    dU = np.empty_like(recurrent_kernel)
    dU[:, :2 * u] = states_in.T @ dA2[:, :2 * u]  # dU_zr = H_prev^T dA_zr
    dU[:, 2 * u:] = _flat(M).T @ dA2[:, 2 * u:]  # dU_h = (r h_prev)^T dA_h
    return dA, dU, dA2.sum(axis=0), dh


def simple_forward(xw, h0, recurrent_kernel, bias=None, *, keep=None, state_dropout=None,
                   **_activations):
    """:func:`saessak.ops.simple_rnn.simple_rnn_reference`, compiled."""
    steps, batch, _ = xw.shape
    u = recurrent_kernel.shape[0]
    dtype = xw.dtype
    H = np.empty((steps + 1, batch, u), dtype)
    H[0] = h0
    simple_forward_loop(blas_for(dtype), xw, *bias_args(bias, u, dtype), H,
                        np.ascontiguousarray(recurrent_kernel), np.empty((batch, u), dtype),
                        np.empty((batch, u), dtype), *flags(keep, state_dropout, batch, dtype))
    return (H,)


def simple_backward(dH, dh, recurrent_kernel, bias, H, *, keep=None, state_dropout=None,
                    **_activations):
    """:func:`saessak.ops.simple_rnn.simple_rnn_reference_backward`, compiled."""
    batch, u = dh.shape
    dZ = np.empty((H.shape[0] - 1, batch, u), H.dtype)
    simple_backward_loop(blas_for(H.dtype), H, np.ascontiguousarray(recurrent_kernel.T), dZ,
                         *_upstream(dH, H.dtype), dh, np.zeros((2, batch, u), H.dtype),
                         *flags(keep, state_dropout, batch, H.dtype))
    dU = _states_in(H, state_dropout).T @ _flat(dZ)
    return dZ, dU, _flat(dZ).sum(axis=0), dh


# --- the compiled loops ---------------------------------------------------------------------

# tanh(x) ~ x P(x^2) / Q(x^2) on |x| <= 9, coefficients fitted here (Lawson-weighted least
# squares on [0, 9]) to a relative error below 2.3e-8; beyond 9, tanh(x) rounds to +-1 in
# float32. Evaluated in float64 and rounded once, it is within one float32 ulp of the true
# tanh everywhere (tests/ops/test_rnn.py checks it on a dense grid).
_TANH_P = (9.99999978e-01, 1.33808601e-01, 3.49540668e-03, 2.06067377e-05, 1.33526733e-08)
_TANH_Q = (1.0, 4.67141751e-01, 2.58762521e-02, 3.28536539e-04, 7.77547497e-07)
_TANH_LIMIT = 9.0


if numba is not None:
    from .._numba import matmul_into

    _p0, _p1, _p2, _p3, _p4 = _TANH_P
    _q0, _q1, _q2, _q3, _q4 = _TANH_Q

    @jit(fastmath={"contract"})  # fused multiply-adds: 20% faster, as accurate
    def _tanh(x):
        x = np.float64(x)
        if x > _TANH_LIMIT:  # (written as two ifs so that NaN stays NaN)
            x = _TANH_LIMIT
        elif x < -_TANH_LIMIT:
            x = -_TANH_LIMIT
        s = x * x
        return (x * (_p0 + s * (_p1 + s * (_p2 + s * (_p3 + s * _p4))))
                / (_q0 + s * (_q1 + s * (_q2 + s * (_q3 + s * _q4)))))

    @jit
    def _sigmoid(x):  # (1 + tanh(x/2)) / 2, as the NumPy loops compute it
        return 0.5 + 0.5 * _tanh(0.5 * np.float64(x))

    @jit
    def tanh_array(x):
        """``_tanh`` over an array, for the tests."""
        out = np.empty_like(x)
        flat_in, flat_out = x.ravel(), out.ravel()
        for k in range(flat_in.size):
            flat_out[k] = _tanh(flat_in[k])
        return out

    # A row of gates side by side, as one slice per gate: the loops index each with the
    # same j, so LLVM sees contiguous accesses (``row[u + j]`` would add a negative-index
    # check per element, which keeps the loop from vectorising).
    @jit
    def _split3(row):
        u = row.shape[0] // 3
        return row[:u], row[u:2 * u], row[2 * u:]

    @jit
    def _split4(row):
        u = row.shape[0] // 4
        return row[:u], row[u:2 * u], row[2 * u:3 * u], row[3 * u:]

    @jit
    def _state_in(h, rd, has_rd, buf):
        """The state as the recurrent matmul sees it (with recurrent dropout, in buf)."""
        if not has_rd:
            return h
        for b in range(h.shape[0]):
            for j in range(h.shape[1]):
                buf[b, j] = h[b, j] * rd[b, j]
        return buf

    @jit
    def _next_dh(dh, prev, rd, has_rd, direct):
        """dh = prev (* rd) + direct: the gradient reaching h_{t-1}."""
        for b in range(dh.shape[0]):
            for j in range(dh.shape[1]):
                p = prev[b, j] * rd[b, j] if has_rd else prev[b, j]
                dh[b, j] = p + direct[b, j]

    # --- LSTM -------------------------------------------------------------------------------

    @jit
    def _add_bias(rec, bias, has_bias):
        """rec += bias (each row), where there is a bias."""
        if has_bias:
            for b in range(rec.shape[0]):
                row = rec[b]
                for j in range(row.shape[0]):
                    row[j] += bias[j]

    @jit
    def lstm_forward_loop(blas, G, bias, has_bias, H, C, TC, U, rec, hbuf, keep, has_keep, rd,
                          has_rd):
        """G holds every step's x_t W and becomes the gate values i, f, g, o (the bias is
        added here, with h_{t-1} U); H[0] and C[0] hold the initial states; fills H, C and
        TC = tanh(C[1:]). rec (B, 4u) and hbuf (B, u) are scratch buffers."""
        steps, batch, width = G.shape
        u = width // 4
        for t in range(steps):
            matmul_into(blas, _state_in(H[t], rd, has_rd, hbuf), U, rec)
            _add_bias(rec, bias, has_bias)
            for b in range(batch):
                i, f, g, o = _split4(G[t, b])
                ri, rf, rg, ro = _split4(rec[b])
                c_prev, c, tc, h = C[t, b], C[t + 1, b], TC[t, b], H[t + 1, b]
                for j in range(u):
                    i[j] = _sigmoid(i[j] + ri[j])
                    f[j] = _sigmoid(f[j] + rf[j])
                    g[j] = _tanh(g[j] + rg[j])
                    o[j] = _sigmoid(o[j] + ro[j])
                    c[j] = f[j] * c_prev[j] + i[j] * g[j]  # c_t = f c_{t-1} + i g
                    tc[j] = _tanh(c[j])
                    h[j] = o[j] * tc[j]  # h_t = o tanh(c_t)
                if has_keep and not keep[t, b]:  # a masked step keeps its states
                    H[t + 1, b] = H[t, b]
                    C[t + 1, b] = c_prev

    @jit
    def lstm_backward_loop(blas, G, H, C, TC, UT, dY, has_dY, dh, dc, work, keep, has_keep, rd,
                           has_rd):
        """G becomes dL/dz (every step's pre-activations); dh, dc end as dL/dh_0, dL/dc_0.
        UT is U^T (contiguous), work a (2, B, u) scratch buffer."""
        steps, batch, width = G.shape
        u = width // 4
        carry, prev = work[0], work[1]
        for t in range(steps - 1, -1, -1):
            if has_dY:
                dh += dY[t]
            for b in range(batch):
                z, gh, gc, c_prev, tcs = G[t, b], dh[b], dc[b], C[t, b], TC[t, b]
                if has_keep and not keep[t, b]:
                    # the step copied its states: their gradients go straight on
                    carry[b] = gh
                    z[:] = 0.0
                    continue
                carry[b] = 0.0
                zi, zf, zg, zo = _split4(z)
                for j in range(u):
                    i, f, g, o = zi[j], zf[j], zg[j], zo[j]
                    tc = tcs[j]
                    d_c = gc[j] + gh[j] * o * (1.0 - tc * tc)
                    zi[j] = d_c * g * i * (1.0 - i)
                    zf[j] = d_c * c_prev[j] * f * (1.0 - f)
                    zg[j] = d_c * i * (1.0 - g * g)
                    zo[j] = gh[j] * tc * o * (1.0 - o)
                    gc[j] = d_c * f
            matmul_into(blas, G[t], UT, prev)
            _next_dh(dh, prev, rd, has_rd, carry)

    # --- GRU ----------------------------------------------------------------------------------

    @jit
    def gru_forward_loop(blas, G, b_in, has_b_in, b_rec, has_b_rec, H, M, U, U_zr, U_h, reset_after,
                    rec_zr, rec_h, hbuf, keep, has_keep, rd, has_rd):
        """G holds every step's x_t W and becomes the values z, r, hh (the input bias b_in
        is added here); H[0] holds the initial state. M gets what the backward needs: with
        reset_after each step's recurrent projection m = h_in U + b_rec, otherwise r * h_in.
        U_zr, U_h are U's column blocks (contiguous); rec_zr (B, 2u), rec_h, hbuf (B, u)
        scratch buffers."""
        steps, batch, width = G.shape
        u = width // 3
        for t in range(steps):
            _add_bias(G[t], b_in, has_b_in)
            h_in = _state_in(H[t], rd, has_rd, hbuf)
            if reset_after:
                matmul_into(blas, h_in, U, M[t])
                _add_bias(M[t], b_rec, has_b_rec)
            else:
                matmul_into(blas, h_in, U_zr, rec_zr)
            for b in range(batch):
                z, r, hh = _split3(G[t, b])
                h_prev, h = H[t, b], H[t + 1, b]
                if reset_after:
                    mz, mr, mh = _split3(M[t, b])
                    for j in range(u):
                        z[j] = _sigmoid(z[j] + mz[j])
                        r[j] = _sigmoid(r[j] + mr[j])
                        hh[j] = _tanh(hh[j] + r[j] * mh[j])  # x_h + r m_h
                        h[j] = (h_prev[j] - hh[j]) * z[j] + hh[j]  # z h + (1 - z) hh
                else:
                    rz, rr = rec_zr[b, :u], rec_zr[b, u:]
                    rh = M[t, b]
                    for j in range(u):
                        z[j] = _sigmoid(z[j] + rz[j])
                        r[j] = _sigmoid(r[j] + rr[j])
                        rh[j] = r[j] * h_in[b, j]  # r * h_{t-1}
            if not reset_after:
                matmul_into(blas, M[t], U_h, rec_h)
                for b in range(batch):
                    _, _, hh = _split3(G[t, b])
                    h_prev, h, rh_u = H[t, b], H[t + 1, b], rec_h[b]
                    for j in range(u):
                        hh[j] = _tanh(hh[j] + rh_u[j])
                        h[j] = (h_prev[j] - hh[j]) * G[t, b, j] + hh[j]
            if has_keep:
                for b in range(batch):
                    if not keep[t, b]:  # a masked step keeps its state
                        H[t + 1, b] = H[t, b]

    @jit
    def gru_backward_loop(blas, G, H, M, UT, reset_after, dY, has_dY, dh, work, dzr, keep,
                          has_keep, rd, has_rd):
        """G becomes dL/d(input projection); with reset_after, M becomes dL/d(recurrent
        projection); dh ends as dL/dh_0. UT is U^T (contiguous), work a (6, B, u) and dzr a
        (B, 2u) scratch buffer. (A masked step leaves zeros everywhere but in the direct
        path, so it needs no special case after the first loop.)"""
        steps, batch, width = G.shape
        u = width // 3
        UT_zr, UT_h = UT[:2 * u], UT[2 * u:]
        direct, dhh, through_r, prev, d_rh, h_buf = (work[0], work[1], work[2], work[3],
                                                     work[4], work[5])
        for t in range(steps - 1, -1, -1):
            if has_dY:
                dh += dY[t]
            for b in range(batch):
                a, gh = G[t, b], dh[b]
                if has_keep and not keep[t, b]:
                    direct[b] = gh
                    a[:u] = 0.0
                    a[2 * u:] = 0.0
                    dhh[b] = 0.0
                    continue
                h_prev, (az, _, ah) = H[t, b], _split3(a)
                for j in range(u):
                    z, hh = az[j], ah[j]
                    direct[b, j] = gh[j] * z
                    az[j] = gh[j] * (h_prev[j] - hh) * z * (1.0 - z)
                    dhh[b, j] = gh[j] * (1.0 - z) * (1.0 - hh * hh)
                    ah[j] = dhh[b, j]
            if reset_after:
                for b in range(batch):
                    az, ar, _ = _split3(G[t, b])
                    mz, mr, mh = _split3(M[t, b])
                    for j in range(u):
                        r = ar[j]
                        dr = dhh[b, j] * mh[j] * r * (1.0 - r)
                        mz[j] = az[j]
                        mr[j] = dr
                        mh[j] = dhh[b, j] * r
                        ar[j] = dr
                matmul_into(blas, M[t], UT, prev)
            else:
                matmul_into(blas, dhh, UT_h, d_rh)  # dL/d(r * h_in)
                h_in = _state_in(H[t], rd, has_rd, h_buf)
                for b in range(batch):
                    az, ar, _ = _split3(G[t, b])
                    for j in range(u):
                        r = ar[j]
                        through_r[b, j] = d_rh[b, j] * r
                        ar[j] = d_rh[b, j] * h_in[b, j] * r * (1.0 - r)
                    dzr[b, :u] = az
                    dzr[b, u:] = ar
                matmul_into(blas, dzr, UT_zr, prev)
                prev += through_r
            _next_dh(dh, prev, rd, has_rd, direct)

    # --- SimpleRNN ---------------------------------------------------------------------------

    @jit
    def simple_forward_loop(blas, P, bias, has_bias, H, U, rec, hbuf, keep, has_keep, rd, has_rd):
        """h_t = tanh(x_t W + b + h_{t-1} U): P holds every step's x_t W; H[0] holds the
        initial state and H[1:] gets the outputs. rec and hbuf (B, u) are scratch buffers."""
        steps, batch, u = P.shape
        for t in range(steps):
            matmul_into(blas, _state_in(H[t], rd, has_rd, hbuf), U, rec)
            _add_bias(rec, bias, has_bias)
            for b in range(batch):
                if has_keep and not keep[t, b]:  # a masked step keeps its state
                    H[t + 1, b] = H[t, b]
                    continue
                p, r, h = P[t, b], rec[b], H[t + 1, b]
                for j in range(u):
                    h[j] = _tanh(p[j] + r[j])

    @jit
    def simple_backward_loop(blas, H, UT, dZ, dY, has_dY, dh, work, keep, has_keep, rd, has_rd):
        """dZ gets dL/dz of every step; dh ends as dL/dh_0. UT is U^T (contiguous), work
        a (2, B, u) scratch buffer."""
        steps = H.shape[0] - 1
        batch, u = H.shape[1], H.shape[2]
        carry, prev = work[0], work[1]
        for t in range(steps - 1, -1, -1):
            if has_dY:
                dh += dY[t]
            for b in range(batch):
                if has_keep and not keep[t, b]:
                    dZ[t, b] = 0.0
                    carry[b] = dh[b]
                    continue
                carry[b] = 0.0
                y, dz, gh = H[t + 1, b], dZ[t, b], dh[b]
                for j in range(u):
                    dz[j] = gh[j] * (1.0 - y[j] * y[j])
            matmul_into(blas, dZ[t], UT, prev)
            _next_dh(dh, prev, rd, has_rd, carry)
