"""The GRU over a whole sequence, as one fused Function.

Gates in Keras's order z (update), r (reset), h (candidate); kernel (in, 3u), recurrent
kernel (u, 3u). With ``reset_after=True`` (Keras's default, the cuDNN variant) the bias is
(2, 3u): an input bias and a recurrent bias, and the reset gate scales the recurrent
projection after the matmul:

    a = x_t W + b_in;   m = h_{t-1} U + b_rec
    z = sigmoid(a_z + m_z);   r = sigmoid(a_r + m_r);   hh = tanh(a_h + r * m_h)
    h_t = z * h_{t-1} + (1 - z) * hh

With ``reset_after=False`` the bias is (3u,) and r scales the state before its matmul:
``hh = tanh(a_h + (r * h_{t-1}) U_h)``.

:func:`gru_reference` and :func:`gru_reference_backward` say this in plain NumPy (from
the projections x_t W to their gradients; the products with W are :class:`.Recurrence`'s);
the compiled loops (:func:`._rnn_numba.gru_forward`) run the same equations faster.
"""

from __future__ import annotations

import numpy as np

from . import _rnn_numba
from .manipulation import split
from .rnn import ACTIVATIONS, Recurrence


def _split_bias(bias, reset_after):
    """(input bias, recurrent bias): with reset_after the bias is (2, 3u), else (3u,)."""
    if bias is None:
        return 0, 0
    return (bias[0], bias[1]) if reset_after else (bias, 0)


def gru_reference(xw, h0, recurrent_kernel, bias=None, *, reset_after=True,
                  keep=None, state_dropout=None, activation="tanh",
                  recurrent_activation="sigmoid"):
    """The GRU's time loop in plain NumPy, one step at a time.

    ``xw`` is every step's x_t W, time-major (T, B, 3u); ``keep`` and ``state_dropout`` are
    those of :func:`.lstm_reference`. Returns H (T+1, B, u) with H[0] = h0, the values z, r, hh
    (T, B, 3u), and M, what the recurrent matmul made (reset_after: m, (T, B, 3u)) or took
    (otherwise: r * h_{t-1}, (T, B, u)).
    """
    act, rec_act = ACTIVATIONS[activation][0], ACTIVATIONS[recurrent_activation][0]
    b_in, b_rec = _split_bias(bias, reset_after)
    u = recurrent_kernel.shape[0]
    U_zr, U_h = recurrent_kernel[:, :2 * u], recurrent_kernel[:, 2 * u:]
    xw = xw + b_in  # x_t W + b_in
    H, gates, M = [h0], [], []
    for t in range(len(xw)):
        h_in = H[t] if state_dropout is None else H[t] * state_dropout
        a_z, a_r, a_h = np.split(xw[t], 3, axis=1)
        if reset_after:
            m = h_in @ recurrent_kernel + b_rec
            m_z, m_r, m_h = np.split(m, 3, axis=1)
            z, r = rec_act(a_z + m_z), rec_act(a_r + m_r)
            hh = act(a_h + r * m_h)
        else:
            m_z, m_r = np.split(h_in @ U_zr, 2, axis=1)
            z, r = rec_act(a_z + m_z), rec_act(a_r + m_r)
            m = r * h_in
            hh = act(a_h + m @ U_h)
        h = z * H[t] + (1 - z) * hh
        if keep is not None:  # a masked step carries its state over
            h = np.where(keep[t], h, H[t])
        H.append(h)
        gates.append(np.concatenate([z, r, hh], axis=1))
        M.append(m)
    return np.stack(H), np.stack(gates), np.stack(M)


def gru_reference_backward(dH, dh, recurrent_kernel, bias, H, gates, M, *,
                           reset_after=True, keep=None, state_dropout=None,
                           activation="tanh", recurrent_activation="sigmoid"):
    """Backpropagation through time for :func:`gru_reference`, in plain NumPy.

    ``dH`` and ``dh`` are as in :func:`.lstm_reference_backward`. Returns the gradients of
    xw (dL/da_t), recurrent_kernel, bias and h0.
    """
    act_grad = ACTIVATIONS[activation][1]
    rec_grad = ACTIVATIONS[recurrent_activation][1]
    u = recurrent_kernel.shape[0]
    U_zr, U_h = recurrent_kernel[:, :2 * u], recurrent_kernel[:, 2 * u:]
    dA = np.empty_like(gates)  # dL/d(x_t W + b_in), every step
    dM = np.empty_like(M) if reset_after else None  # dL/dm, every step
    for t in reversed(range(len(gates))):
        if dH is not None:
            dh = dh + dH[t]
        if keep is not None:  # a masked step passed its state straight through
            carry, dh = np.where(keep[t], 0, dh), np.where(keep[t], dh, 0)
        h_in = H[t] if state_dropout is None else H[t] * state_dropout
        z, r, hh = np.split(gates[t], 3, axis=1)
        dz = dh * (H[t] - hh) * rec_grad(z)
        d_hh = dh * (1 - z) * act_grad(hh)  # the gradient of hh's pre-activation
        if reset_after:
            dr = d_hh * M[t][:, 2 * u:] * rec_grad(r)
            dM[t] = np.concatenate([dz, dr, d_hh * r], axis=1)
            d_in = dM[t] @ recurrent_kernel.T
        else:
            d_rh = d_hh @ U_h.T  # dL/d(r * h_{t-1})
            dr = d_rh * h_in * rec_grad(r)
            d_in = np.concatenate([dz, dr], axis=1) @ U_zr.T + d_rh * r
        dA[t] = np.concatenate([dz, dr, d_hh], axis=1)
        dh = dh * z + (d_in if state_dropout is None else d_in * state_dropout)
        if keep is not None:
            dh = dh + carry
    h_in = H[:-1] if state_dropout is None else H[:-1] * state_dropout
    if reset_after:
        dU = np.tensordot(h_in, dM, axes=([0, 1], [0, 1]))
        db = np.stack([dA.sum(axis=(0, 1)), dM.sum(axis=(0, 1))])
    else:  # U_zr saw h_{t-1}, U_h saw r * h_{t-1}
        dU = np.concatenate([np.tensordot(h_in, dA[..., :2 * u], axes=([0, 1], [0, 1])),
                             np.tensordot(M, dA[..., 2 * u:], axes=([0, 1], [0, 1]))], axis=1)
        db = dA.sum(axis=(0, 1))
    return dA, dU, db, dh


class GRU(Recurrence):
    """The GRU over a whole sequence: :class:`.Recurrence` with these loops."""

    reference = (gru_reference, gru_reference_backward)
    compiled = (_rnn_numba.gru_forward, _rnn_numba.gru_backward)

    def __init__(self, *, reset_after=True, **kwargs):
        super().__init__(**kwargs)
        self.reset_after = reset_after
        self.loop_options = {"reset_after": reset_after}

    def cell(self, xw_t, h_in, states, recurrent_kernel, bias, act, rec_act):
        u = recurrent_kernel.shape[0]
        b_in, b_rec = (None, None) if bias is None else (
            (bias[0], bias[1]) if self.reset_after else (bias, None))
        a = xw_t if b_in is None else xw_t + b_in
        a_z, a_r, a_h = split(a, 3, axis=1)
        if self.reset_after:  # r scales the recurrent projection
            m = h_in @ recurrent_kernel
            m_z, m_r, m_h = split(m if b_rec is None else m + b_rec, 3, axis=1)
            z, r = rec_act(a_z + m_z), rec_act(a_r + m_r)
            hh = act(a_h + r * m_h)
        else:  # r scales the state before its matmul
            m_z, m_r = split(h_in @ recurrent_kernel[:, :2 * u], 2, axis=1)
            z, r = rec_act(a_z + m_z), rec_act(a_r + m_r)
            hh = act(a_h + (r * h_in) @ recurrent_kernel[:, 2 * u:])
        return (z * states[0] + (1 - z) * hh,)


def gru(x, kernel, recurrent_kernel, bias=None, initial_state=None, *, reset_after=True,
        mask=None, go_backwards=False, return_sequences=False, zero_output_for_mask=False,
        input_dropout=None, state_dropout=None, activation="tanh",
        recurrent_activation="sigmoid"):
    """Run a GRU over ``x`` (batch, time, features); returns ``(output, h)``.

    ``bias`` is (2, 3u) with ``reset_after`` (input and recurrent biases), else (3u,).
    The other arguments are those of :func:`saessak.ops.lstm`.
    """
    return GRU.apply(x, kernel, recurrent_kernel, bias, initial_state, reset_after=reset_after,
                     mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
                     zero_output_for_mask=zero_output_for_mask, input_dropout=input_dropout,
                     state_dropout=state_dropout, activation=activation,
                     recurrent_activation=recurrent_activation)
