"""The GRU over a whole sequence, as one fused Function.

Gates in Keras's order z (update), r (reset), h (candidate); kernel (in, 3u), recurrent
kernel (u, 3u). With ``reset_after=True`` (Keras's default, the cuDNN variant) the bias is
(2, 3u): an input bias and a recurrent bias, and the reset gate scales the recurrent
projection after the matmul:

    x = x_t W + b_in;   m = h_{t-1} U + b_rec
    z = sigmoid(x_z + m_z);   r = sigmoid(x_r + m_r);   hh = tanh(x_h + r * m_h)
    h_t = z * h_{t-1} + (1 - z) * hh

With ``reset_after=False`` the bias is (3u,) and r scales the state before its matmul:
``hh = tanh(x_h + (r * h_{t-1}) U_h)``.
"""

from __future__ import annotations

import numpy as np

from . import _rnn_numba
from .rnn import Recurrence


class GRU(Recurrence):
    has_compiled_loop = True

    def __init__(self, *, reset_after=True, **kwargs):
        super().__init__(**kwargs)
        self.reset_after = reset_after

    def _split_bias(self, bias):
        if self.reset_after:
            return bias[0], bias[1]
        return bias, None

    def _join_bias_grad(self, d_input_bias, d_recurrent_bias):
        if self.reset_after:
            return np.stack([d_input_bias, d_recurrent_bias])
        return d_input_bias

    def _run(self, P, U, recurrent_bias, states):
        steps, batch, _ = P.shape
        u = U.shape[0]
        dtype = P.dtype
        H = np.empty((steps + 1, batch, u), dtype)
        H[0] = states[0]
        # The reset_after variant keeps each step's recurrent projection m (its h part is
        # needed for dr); the other keeps r * h_{t-1}, the input of U_h.
        M = np.empty((steps, batch, 3 * u if self.reset_after else u), dtype)
        self.G, self.H, self.M = P, H, M
        if self.compiled:
            _rnn_numba.gru_forward(
                P, *_rnn_numba.bias_args(self.input_bias, 3 * u, dtype),
                *_rnn_numba.bias_args(recurrent_bias, 3 * u, dtype), H, M,
                np.ascontiguousarray(U), np.ascontiguousarray(U[:, :2 * u]),
                np.ascontiguousarray(U[:, 2 * u:]), self.reset_after,
                np.empty((batch, 2 * u), dtype), np.empty((batch, u), dtype),
                np.empty((batch, u), dtype), *_rnn_numba.flags(self, batch, dtype))
            return H, (H[-1],)
        hbuf, ubuf = np.empty((batch, u), dtype), np.empty((batch, u), dtype)
        rec = np.empty((batch, 2 * u), dtype)
        act, rec_act = self.act, self.rec_act
        for t in range(steps):
            a = P[t]  # holds x_t W + b_in; becomes the values z, r, hh
            zr, hh = a[:, :2 * u], a[:, 2 * u:]
            h_in = self._state_in(H[t], hbuf)
            if self.reset_after:
                m = np.matmul(h_in, U, out=M[t])
                if recurrent_bias is not None:
                    m += recurrent_bias
                zr += m[:, :2 * u]
                rec_act(zr)
                hh += np.multiply(a[:, u:2 * u], m[:, 2 * u:], out=ubuf)  # x_h + r m_h
            else:
                zr += np.matmul(h_in, U[:, :2 * u], out=rec)
                rec_act(zr)
                rh = np.multiply(a[:, u:2 * u], h_in, out=M[t])  # r * h_{t-1}
                hh += np.matmul(rh, U[:, 2 * u:], out=ubuf)
            act(hh)
            h = H[t + 1]  # h_t = hh + z (h_{t-1} - hh)
            np.subtract(H[t], hh, out=h)
            h *= a[:, :u]
            h += hh
            self._hold_masked(t, h, H[t])
        return H, (H[-1],)

    def _run_back(self, dY, d_finals):
        G, H, M, U = self.G, self.H, self.M, self.recurrent_kernel
        steps, batch, _ = G.shape
        u = U.shape[0]
        (dh,) = d_finals
        if _rnn_numba.usable(self, G, U):
            dY_ = dY if dY is not None else np.zeros((1, 1, 1), G.dtype)
            _rnn_numba.gru_backward(G, H, M, np.ascontiguousarray(U.T), self.reset_after,
                                    dY_, dY is not None, dh,
                                    np.zeros((6, batch, u), G.dtype),
                                    np.zeros((batch, 2 * u), G.dtype),
                                    *_rnn_numba.flags(self, batch, G.dtype))
            return self._weight_grads(G, H, M, U, dh)
        D = np.empty((batch, 3 * u), G.dtype)
        ubuf = np.empty((batch, u), G.dtype)
        # reset_after: dM[t] (the gradient of m) is written over M[t]; otherwise the
        # gradient of r * h_{t-1} goes through a buffer and dU is built from two products.
        d_rh = None if self.reset_after else np.empty((batch, u), G.dtype)
        for t in range(steps - 1, -1, -1):
            if dY is not None:
                dh += dY[t]
            carry = self._split_masked(t, dh)
            a = G[t]
            z, r, hh = a[:, :u], a[:, u:2 * u], a[:, 2 * u:]
            self.rec_act_grad(a[:, :2 * u], D[:, :2 * u])
            self.act_grad(hh, D[:, 2 * u:])
            # the gradient of every pre-activation goes into D, then replaces a
            np.subtract(H[t], hh, out=ubuf)  # dL/dz = dh (h_{t-1} - hh)
            ubuf *= dh
            D[:, :u] *= ubuf
            np.subtract(1, z, out=ubuf)  # dL/dhh = dh (1 - z)
            ubuf *= dh
            D[:, 2 * u:] *= ubuf
            dh *= z  # the direct path: dL/dh_{t-1} = dh z + (recurrent matmuls below)
            h_in = H[t] if self.state_dropout is None else H[t] * self.state_dropout
            if self.reset_after:
                m = M[t]
                np.multiply(D[:, 2 * u:], m[:, 2 * u:], out=ubuf)  # dL/dr = dhh' m_h
                D[:, u:2 * u] *= ubuf
                m[:, :2 * u] = D[:, :2 * u]  # dm = (dz', dr', dhh' r)
                np.multiply(D[:, 2 * u:], r, out=m[:, 2 * u:])
                d_prev = m @ U.T
            else:
                np.matmul(D[:, 2 * u:], U[:, 2 * u:].T, out=d_rh)  # dL/d(r h_{t-1})
                np.multiply(d_rh, h_in, out=ubuf)  # dL/dr = d(rh) h_{t-1}
                D[:, u:2 * u] *= ubuf
                d_prev = D[:, :2 * u] @ U[:, :2 * u].T
                d_prev += d_rh * r
            if self.state_dropout is not None:
                d_prev *= self.state_dropout
            dh += d_prev
            a[...] = D
            if carry is not None:
                dh += carry
        return self._weight_grads(G, H, M, U, dh)

    def _weight_grads(self, G, H, M, U, dh):
        """After the loop: dU (and the recurrent bias's gradient) in large matmuls."""
        u = U.shape[0]
        flat = (G.shape[0] * G.shape[1], -1)
        states_in = self._states_in(H)
        if self.reset_after:
            dM = M.reshape(flat)
            return G, states_in.T @ dM, dM.sum(axis=0), (dh,)
        dZ = G.reshape(flat)
        dU = np.empty_like(U)
        dU[:, :2 * u] = states_in.T @ dZ[:, :2 * u]  # dU_zr = H_prev^T dZ_zr
        dU[:, 2 * u:] = M.reshape(flat).T @ dZ[:, 2 * u:]  # dU_h = (r h_prev)^T dZ_h
        return G, dU, None, (dh,)


def gru(x, kernel, recurrent_kernel, bias=None, initial_state=None, *, reset_after=True,
        mask=None, go_backwards=False, return_sequences=False, zero_output_for_mask=False,
        input_dropout=None, state_dropout=None, activation="tanh",
        recurrent_activation="sigmoid"):
    """Run a GRU over ``x`` (batch, time, features); returns ``(output, h)``.

    ``bias`` is (2, 3u) with ``reset_after`` (input and recurrent biases), else (3u,).
    The other arguments are those of :func:`saessak.ops.lstm`.
    """
    fn = GRU(reset_after=reset_after, has_bias=bias is not None,
             has_initial_state=initial_state is not None, mask=mask,
             go_backwards=go_backwards, return_sequences=return_sequences,
             zero_output_for_mask=zero_output_for_mask, input_dropout=input_dropout,
             state_dropout=state_dropout, activation=activation,
             recurrent_activation=recurrent_activation)
    args = [x, kernel, recurrent_kernel] + ([bias] if bias is not None else [])
    return fn(*args, *(initial_state or ()))
