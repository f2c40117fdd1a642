"""The fully connected recurrent layer (Keras's SimpleRNN) as one fused Function.

    h_t = act(x_t W + h_{t-1} U + b)        kernel (in, u), recurrent kernel (u, u)

The output is the state. Saved for backward: H (T+1, B, u) and the time-major input.
"""

from __future__ import annotations

import numpy as np

from . import _rnn_numba
from .rnn import Recurrence


class SimpleRNN(Recurrence):
    has_compiled_loop = True

    def _run(self, P, U, _recurrent_bias, states):
        steps, batch, u = P.shape
        H = np.empty((steps + 1, batch, u), P.dtype)
        H[0] = states[0]
        self.H = H
        hbuf, rec = np.empty((batch, u), P.dtype), np.empty((batch, u), P.dtype)
        if self.compiled:
            _rnn_numba.simple_forward(P, *_rnn_numba.bias_args(self.input_bias, u, P.dtype),
                                      H, np.ascontiguousarray(U), rec, hbuf,
                                      *_rnn_numba.flags(self, batch, P.dtype))
            return H, (H[-1],)
        H[1:] = P  # each step's x_t W + b, completed in place below
        for t in range(steps):
            h = H[t + 1]
            h += np.matmul(self._state_in(H[t], hbuf), U, out=rec)
            self.act(h)
            self._hold_masked(t, h, H[t])
        return H, (H[-1],)

    def _run_back(self, dY, d_finals):
        H, U = self.H, self.recurrent_kernel
        steps, batch, u = H.shape[0] - 1, H.shape[1], H.shape[2]
        (dh,) = d_finals
        dZ = np.empty((steps, batch, u), H.dtype)
        if _rnn_numba.usable(self, H, U):
            dY_ = dY if dY is not None else np.zeros((1, 1, 1), H.dtype)
            _rnn_numba.simple_backward(H, np.ascontiguousarray(U.T), dZ, dY_,
                                       dY is not None, dh, np.zeros((2, batch, u), H.dtype),
                                       *_rnn_numba.flags(self, batch, H.dtype))
            return dZ, self._states_in(H).T @ dZ.reshape(steps * batch, u), None, (dh,)
        for t in range(steps - 1, -1, -1):
            if dY is not None:
                dh += dY[t]
            carry = self._split_masked(t, dh)
            dz = dZ[t]
            self.act_grad(H[t + 1], dz)  # dz = dh act'(.)
            dz *= dh
            np.matmul(dz, U.T, out=dh)  # dL/dh_{t-1} = dz U^T
            if self.state_dropout is not None:
                dh *= self.state_dropout
            if carry is not None:
                dh += carry
        dU = self._states_in(H).T @ dZ.reshape(steps * batch, u)
        return dZ, dU, None, (dh,)


def simple_rnn(x, kernel, recurrent_kernel, bias=None, initial_state=None, *, mask=None,
               go_backwards=False, return_sequences=False, zero_output_for_mask=False,
               input_dropout=None, state_dropout=None, activation="tanh"):
    """Run a SimpleRNN over ``x`` (batch, time, features); returns ``(output, h)``.

    The arguments are those of :func:`saessak.ops.lstm`; ``initial_state`` is ``(h0,)``.
    """
    fn = SimpleRNN(has_bias=bias is not None, has_initial_state=initial_state is not None,
                   mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
                   zero_output_for_mask=zero_output_for_mask, input_dropout=input_dropout,
                   state_dropout=state_dropout, activation=activation)
    args = [x, kernel, recurrent_kernel] + ([bias] if bias is not None else [])
    return fn(*args, *(initial_state or ()))
