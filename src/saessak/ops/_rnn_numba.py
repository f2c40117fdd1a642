"""Optional numba versions of the backward time loops (the ``fast`` extra).

The NumPy backward loops in :mod:`saessak.ops.lstm`, :mod:`~saessak.ops.gru` and
:mod:`~saessak.ops.rnn_simple` make 15-25 small NumPy calls per time step, and each call
costs about a microsecond of Python overhead, more than the arithmetic itself at the usual
sizes. Here each whole backward loop is one compiled function: the step's recurrent matmul
is still a BLAS call (``np.dot``), and the gate math around it is one fused pass over the
(batch, units) elements. The backward pass needs no exp or tanh (it reads the saved gate
values), which is what makes it a good fit: the forward loops, whose time goes into tanh
and sigmoid, stay in NumPy, whose vectorised tanh is several times faster than a compiled
scalar loop. They compute the same thing as the NumPy loops, on the same buffers, for the
default activations (tanh, with sigmoid gates); other activations use the NumPy loops.
``SAESSAK_NUMBA=0`` turns this module off.

Masks arrive as a (T, B) boolean array ``keep`` and recurrent dropout as a (B, u) array
``rd``; a flag says whether each is in use (numba needs arrays of fixed types).
"""

from __future__ import annotations

import os

import numpy as np

try:  # numba is optional; without it the NumPy loops run
    import numba
except ImportError:  # pragma: no cover - depends on the machine
    numba = None

ENABLED = numba is not None and os.environ.get("SAESSAK_NUMBA", "1") != "0"


def usable(fn, *arrays) -> bool:
    """True when the compiled loops can run ``fn`` (a Recurrence) on these arrays."""
    return (ENABLED and fn.act_name == "tanh" and fn.rec_act_name == "sigmoid"
            and all(type(a) is np.ndarray and a.dtype in (np.float32, np.float64)
                    for a in arrays))


def flags(fn, batch, dtype):
    """(keep, has_keep, rd, has_rd): the mask and the recurrent dropout as numba wants them."""
    keep = fn.keep[:, :, 0] if fn.keep is not None else np.ones((1, 1), bool)
    rd = fn.state_dropout if fn.state_dropout is not None else np.ones((1, 1), dtype)
    return keep, fn.keep is not None, np.ascontiguousarray(rd, dtype), (
        fn.state_dropout is not None)


if numba is not None:
    jit = numba.njit(cache=True, nogil=True)

    @jit
    def _state_in(h, rd, has_rd):
        return h * rd if has_rd else h

    # --- LSTM -------------------------------------------------------------------------------

    @jit
    def lstm_backward(G, H, C, TC, U, dY, has_dY, dh, dc, keep, has_keep, rd, has_rd):
        steps, batch, width = G.shape
        u = width // 4
        UT = np.ascontiguousarray(U.T)
        carry = np.zeros_like(dh)
        for t in range(steps - 1, -1, -1):
            for b in range(batch):
                kept = (not has_keep) or keep[t, b]
                for j in range(u):
                    gh = dh[b, j] + dY[t, b, j] if has_dY else dh[b, j]
                    if not kept:  # the step copied its state: the gradient goes straight on
                        carry[b, j] = gh
                        for k in range(4):
                            G[t, b, k * u + j] = 0.0
                        continue
                    carry[b, j] = 0.0
                    i, f = G[t, b, j], G[t, b, u + j]
                    g, o = G[t, b, 2 * u + j], G[t, b, 3 * u + j]
                    tc = TC[t, b, j]
                    d_c = dc[b, j] + gh * o * (1.0 - tc * tc)
                    G[t, b, j] = d_c * g * i * (1.0 - i)
                    G[t, b, u + j] = d_c * C[t, b, j] * f * (1.0 - f)
                    G[t, b, 2 * u + j] = d_c * i * (1.0 - g * g)
                    G[t, b, 3 * u + j] = gh * tc * o * (1.0 - o)
                    dc[b, j] = d_c * f
            prev = np.dot(G[t], UT)
            if has_rd:
                prev *= rd
            dh[:] = prev + carry

    # --- GRU ----------------------------------------------------------------------------------

    @jit
    def gru_backward(G, H, M, U, reset_after, dY, has_dY, dh, keep, has_keep, rd, has_rd):
        """G becomes dL/d(input projection); with reset_after, M becomes dL/d(recurrent
        projection); dh ends as dL/dh_0. (A masked step leaves zeros everywhere but in
        the direct path, so it needs no special case after the first loop.)"""
        steps, batch, width = G.shape
        u = width // 3
        UT = np.ascontiguousarray(U.T)
        UT_zr = np.ascontiguousarray(U[:, :2 * u].T)
        UT_h = np.ascontiguousarray(U[:, 2 * u:].T)
        direct = np.zeros_like(dh)
        dhh = np.zeros_like(dh)
        through_r = np.zeros_like(dh)
        dzr = np.empty((batch, 2 * u), G.dtype)
        for t in range(steps - 1, -1, -1):
            for b in range(batch):
                kept = (not has_keep) or keep[t, b]
                for j in range(u):
                    gh = dh[b, j] + dY[t, b, j] if has_dY else dh[b, j]
                    if not kept:
                        direct[b, j] = gh
                        G[t, b, j] = 0.0
                        G[t, b, 2 * u + j] = 0.0
                        dhh[b, j] = 0.0
                        continue
                    z, hh = G[t, b, j], G[t, b, 2 * u + j]
                    direct[b, j] = gh * z
                    G[t, b, j] = gh * (H[t, b, j] - hh) * z * (1.0 - z)
                    dhh[b, j] = gh * (1.0 - z) * (1.0 - hh * hh)
                    G[t, b, 2 * u + j] = dhh[b, j]
            if reset_after:
                for b in range(batch):
                    for j in range(u):
                        r = G[t, b, u + j]
                        dr = dhh[b, j] * M[t, b, 2 * u + j] * r * (1.0 - r)
                        M[t, b, j] = G[t, b, j]
                        M[t, b, u + j] = dr
                        M[t, b, 2 * u + j] = dhh[b, j] * r
                        G[t, b, u + j] = dr
                prev = np.dot(M[t], UT)
            else:
                d_rh = np.dot(dhh, UT_h)  # dL/d(r * h_in)
                h_in = _state_in(H[t], rd, has_rd)
                for b in range(batch):
                    for j in range(u):
                        r = G[t, b, u + j]
                        through_r[b, j] = d_rh[b, j] * r
                        G[t, b, u + j] = d_rh[b, j] * h_in[b, j] * r * (1.0 - r)
                        dzr[b, j] = G[t, b, j]
                        dzr[b, u + j] = G[t, b, u + j]
                prev = np.dot(dzr, UT_zr) + through_r
            if has_rd:
                prev *= rd
            dh[:] = prev + direct

    # --- SimpleRNN ---------------------------------------------------------------------------

    @jit
    def simple_backward(H, U, dZ, dY, has_dY, dh, keep, has_keep, rd, has_rd):
        steps = H.shape[0] - 1
        batch, u = H.shape[1], H.shape[2]
        UT = np.ascontiguousarray(U.T)
        carry = np.zeros_like(dh)
        for t in range(steps - 1, -1, -1):
            for b in range(batch):
                kept = (not has_keep) or keep[t, b]
                for j in range(u):
                    gh = dh[b, j] + dY[t, b, j] if has_dY else dh[b, j]
                    if kept:
                        y = H[t + 1, b, j]
                        dZ[t, b, j] = gh * (1.0 - y * y)
                        carry[b, j] = 0.0
                    else:
                        dZ[t, b, j] = 0.0
                        carry[b, j] = gh
            prev = np.dot(dZ[t], UT)
            if has_rd:
                prev *= rd
            dh[:] = prev + carry
