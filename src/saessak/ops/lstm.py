"""The LSTM over a whole sequence, as one fused Function.

Per step, with gates in Keras's order i, f, c, o (kernel (in, 4u), recurrent (u, 4u)):

    z = x_t W + h_{t-1} U + b                      (B, 4u)
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);   g = tanh(z_c)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Saved for backward: the gate values (T, B, 4u), the cell states C (T+1, B, u), tanh(C)
(T, B, u), the outputs H (T+1, B, u) and the time-major input (T, B, in).
"""

from __future__ import annotations

import numpy as np

from . import _rnn_numba
from .rnn import Recurrence


class LSTM(Recurrence):
    n_states = 2
    has_compiled_loop = True

    def _run(self, P, U, _recurrent_bias, states):
        steps, batch, _ = P.shape
        u = U.shape[0]
        dtype = P.dtype
        H = np.empty((steps + 1, batch, u), dtype)
        C = np.empty((steps + 1, batch, u), dtype)
        TC = np.empty((steps, batch, u), dtype)  # act(c_t), needed twice in backward
        H[0], C[0] = states
        self.G, self.H, self.C, self.TC = P, H, C, TC
        if self.compiled:
            # (scratch buffers made here: allocated inside the compiled loop, they made
            # it twice as slow, measured with numba 0.68)
            rec, hbuf = np.empty((batch, 4 * u), dtype), np.empty((batch, u), dtype)
            _rnn_numba.lstm_forward(P, *_rnn_numba.bias_args(self.input_bias, 4 * u, dtype),
                                    H, C, TC, np.ascontiguousarray(U), rec, hbuf,
                                    *_rnn_numba.flags(self, batch, dtype))
            return H, (H[-1], C[-1])
        if self.scale is not None:
            return self._run_tanh_sigmoid(P, U, states)
        rec = np.empty((batch, 4 * u), dtype)
        hbuf, ubuf = np.empty((batch, u), dtype), np.empty((batch, u), dtype)
        act, rec_act = self.act, self.rec_act
        for t in range(steps):
            z = P[t]  # holds x_t W + b; becomes the gate values i, f, g, o
            z += np.matmul(self._state_in(H[t], hbuf), U, out=rec)
            rec_act(z[:, :2 * u])
            act(z[:, 2 * u:3 * u])
            rec_act(z[:, 3 * u:])
            i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
            c = C[t + 1]
            np.multiply(f, C[t], out=c)  # c_t = f c_{t-1} + i g
            c += np.multiply(i, g, out=ubuf)
            tc = TC[t]
            tc[...] = c
            act(tc)
            np.multiply(o, tc, out=H[t + 1])  # h_t = o act(c_t)
            self._hold_masked(t, H[t + 1], H[t])
            self._hold_masked(t, C[t + 1], C[t])
        return H, (H[-1], C[-1])

    def _projection_scale(self, width):
        # With the default activations all four gates take ONE tanh call per step:
        # sigmoid(z) = (1 + tanh(z/2)) / 2, so the i, f, o columns of W, U and b are halved
        # (exactly: a power of two) before the matmuls, and after the tanh those columns are
        # mapped by t -> t/2 + 1/2 while the candidate's column stays tanh(z).
        # (The compiled loop computes its sigmoids directly and needs no scaling.)
        if self.compiled or self.act_name != "tanh" or self.rec_act_name != "sigmoid":
            return None
        u = width // 4
        scale = np.full(width, 0.5)
        scale[2 * u:3 * u] = 1.0
        return scale

    def _run_tanh_sigmoid(self, P, U, states):
        """The loop of ``_run`` for tanh/sigmoid: 10 NumPy calls per step instead of 16."""
        H, C, TC = self.H, self.C, self.TC
        steps, batch, width = P.shape
        u = width // 4
        scale = self.scale.astype(P.dtype)
        offset = (1 - scale).astype(P.dtype)  # 1/2 for the sigmoid gates, 0 for g
        Us = U * scale
        rec = np.empty((batch, width), P.dtype)
        hbuf, ubuf = np.empty((batch, u), P.dtype), np.empty((batch, u), P.dtype)
        for t in range(steps):
            z = P[t]  # holds (x_t W + b) * scale
            z += np.matmul(self._state_in(H[t], hbuf), Us, out=rec)
            np.tanh(z, out=z)
            z *= scale
            z += offset  # now the gate values i, f, g, o
            i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
            c = C[t + 1]
            np.multiply(f, C[t], out=c)  # c_t = f c_{t-1} + i g
            c += np.multiply(i, g, out=ubuf)
            np.tanh(c, out=TC[t])
            np.multiply(o, TC[t], out=H[t + 1])  # h_t = o tanh(c_t)
            self._hold_masked(t, H[t + 1], H[t])
            self._hold_masked(t, C[t + 1], C[t])
        return H, (H[-1], C[-1])

    def _run_back(self, dY, d_finals):
        G, H, C, TC, U = self.G, self.H, self.C, self.TC, self.recurrent_kernel
        steps, batch, _ = G.shape
        u = U.shape[0]
        dh, dc = d_finals
        if _rnn_numba.usable(self, G, U):
            dY_ = dY if dY is not None else np.zeros((1, 1, 1), G.dtype)
            _rnn_numba.lstm_backward(G, H, C, TC, np.ascontiguousarray(U.T), dY_,
                                     dY is not None, dh, dc,
                                     np.zeros((2, batch, u), G.dtype),
                                     *_rnn_numba.flags(self, batch, G.dtype))
            return G, self._states_in(H).T @ G.reshape(steps * batch, 4 * u), None, (dh, dc)
        E = np.empty((batch, 4 * u), G.dtype)  # dL/d(gate value)
        D = np.empty((batch, 4 * u), G.dtype)  # d(gate value)/d(pre-activation)
        ubuf = np.empty((batch, u), G.dtype)
        for t in range(steps - 1, -1, -1):
            if dY is not None:
                dh += dY[t]
            carry_h = self._split_masked(t, dh)
            carry_c = self._split_masked(t, dc)
            z = G[t]
            i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
            tc = TC[t]
            self.act_grad(tc, ubuf)  # dc += dh o act'(c_t)
            ubuf *= o
            ubuf *= dh
            dc += ubuf
            np.multiply(dc, g, out=E[:, :u])  # dL/di = dc g
            np.multiply(dc, C[t], out=E[:, u:2 * u])  # dL/df = dc c_{t-1}
            np.multiply(dc, i, out=E[:, 2 * u:3 * u])  # dL/dg = dc i
            np.multiply(dh, tc, out=E[:, 3 * u:])  # dL/do = dh act(c_t)
            dc *= f  # dL/dc_{t-1} = dc f
            self.rec_act_grad(z[:, :2 * u], D[:, :2 * u])
            self.act_grad(g, D[:, 2 * u:3 * u])
            self.rec_act_grad(o, D[:, 3 * u:])
            np.multiply(E, D, out=z)  # z now holds dL/dz_t
            np.matmul(z, U.T, out=dh)  # dL/dh_{t-1} = dz U^T
            if self.state_dropout is not None:
                dh *= self.state_dropout
            if carry_h is not None:
                dh += carry_h
                dc += carry_c
        dZ = G.reshape(steps * batch, 4 * u)
        dU = self._states_in(H).T @ dZ  # dU = H_prev^T dZ, every step at once
        return G, dU, None, (dh, dc)


def lstm(x, kernel, recurrent_kernel, bias=None, initial_state=None, *, mask=None,
         go_backwards=False, return_sequences=False, zero_output_for_mask=False,
         input_dropout=None, state_dropout=None, activation="tanh",
         recurrent_activation="sigmoid"):
    """Run an LSTM over ``x`` (batch, time, features); returns ``(output, h, c)``.

    ``output`` is the last ``h`` or, with ``return_sequences``, every step's ``h``.
    ``initial_state`` is ``(h0, c0)`` or None for zeros; ``mask`` a (batch, time) boolean
    array (False steps are skipped); ``input_dropout`` / ``state_dropout`` are multiplicative
    masks of shape (batch, features) / (batch, units), the same at every step.
    """
    fn = LSTM(has_bias=bias is not None, has_initial_state=initial_state is not None,
              mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
              zero_output_for_mask=zero_output_for_mask, input_dropout=input_dropout,
              state_dropout=state_dropout, activation=activation,
              recurrent_activation=recurrent_activation)
    args = [x, kernel, recurrent_kernel] + ([bias] if bias is not None else [])
    return fn(*args, *(initial_state or ()))
