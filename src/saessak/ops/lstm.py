"""The LSTM over a whole sequence, as one fused Function.

Per step, with gates in Keras's order i, f, c, o (kernel (in, 4u), recurrent (u, 4u)):

    z = x_t W + h_{t-1} U + b                      (B, 4u)
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);   g = tanh(z_c)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Backward through time, from dh (the gradient reaching h_t) and dc (reaching c_t):

    dc += dh * o * tanh'(c_t)
    dz = (dc g sigmoid'(i), dc c_{t-1} sigmoid'(f), dc i tanh'(g), dh tanh(c_t) sigmoid'(o))
    dh_{t-1} = dz U^T,   dc_{t-1} = dc f;   dW = sum_t x_t^T dz,  dU = sum_t h_{t-1}^T dz

:func:`lstm_reference` and :func:`lstm_reference_backward` say exactly this in NumPy, from
the input projections x_t W to their gradients dz (the products with W, before and after
the loop, are :class:`.Recurrence`'s); the compiled loops (:func:`._rnn_numba.lstm_forward`)
run the same equations faster.
"""

from __future__ import annotations

import numpy as np

from . import _rnn_numba
from .manipulation import split
from .rnn import ACTIVATIONS, Recurrence


def lstm_reference(xw, h0, c0, recurrent_kernel, bias=None, *, keep=None,
                   state_dropout=None, activation="tanh", recurrent_activation="sigmoid"):
    """The LSTM's time loop in plain NumPy, one step at a time.

    ``xw`` holds every step's input projection x_t W, time-major (T, B, 4u): it does not
    depend on the state, so :class:`.Recurrence` makes it before the loop, in one matmul.
    ``keep`` (T, B, 1) is False at masked steps, which carry the states over;
    ``state_dropout`` (B, u) multiplies h_{t-1} before U. Returns H and C (T+1, B, u), the
    states with H[0] = h0, C[0] = c0, and the gate values i, f, g, o (T, B, 4u).
    """
    act, rec_act = ACTIVATIONS[activation][0], ACTIVATIONS[recurrent_activation][0]
    xw = xw if bias is None else xw + bias  # x_t W + b
    H, C, gates = [h0], [c0], []
    for t in range(len(xw)):
        h_in = H[t] if state_dropout is None else H[t] * state_dropout
        i, f, g, o = np.split(xw[t] + h_in @ recurrent_kernel, 4, axis=1)
        i, f, g, o = rec_act(i), rec_act(f), act(g), rec_act(o)
        c = f * C[t] + i * g
        h = o * act(c)
        if keep is not None:  # a masked step carries its states over
            h, c = np.where(keep[t], h, H[t]), np.where(keep[t], c, C[t])
        H.append(h)
        C.append(c)
        gates.append(np.concatenate([i, f, g, o], axis=1))
    return np.stack(H), np.stack(C), np.stack(gates)


def lstm_reference_backward(dH, dh, dc, recurrent_kernel, bias, H, C, gates, *,
                            keep=None, state_dropout=None, activation="tanh",
                            recurrent_activation="sigmoid"):
    """Backpropagation through time for :func:`lstm_reference`, in plain NumPy.

    ``dH`` (T, B, u) is the gradient of every step's output h_t (or None: only the final
    states have one), ``dh`` and ``dc`` those of the final states; the other arguments are
    those of the forward and what it returned. Returns the gradients of xw (dL/dz_t, every
    step), recurrent_kernel, bias, h0 and c0.
    """
    act, act_grad = ACTIVATIONS[activation]
    rec_grad = ACTIVATIONS[recurrent_activation][1]
    U = recurrent_kernel
    dZ = np.empty_like(gates)  # dL/dz_t: the gradient of every step's pre-activations
    for t in reversed(range(len(gates))):
        if dH is not None:
            dh = dh + dH[t]
        if keep is not None:  # a masked step passed its states straight through
            carry_h, carry_c = np.where(keep[t], 0, dh), np.where(keep[t], 0, dc)
            dh, dc = np.where(keep[t], dh, 0), np.where(keep[t], dc, 0)
        i, f, g, o = np.split(gates[t], 4, axis=1)
        tc = act(C[t + 1])
        dc = dc + dh * o * act_grad(tc)
        dZ[t] = np.concatenate([dc * g * rec_grad(i), dc * C[t] * rec_grad(f),
                                dc * i * act_grad(g), dh * tc * rec_grad(o)], axis=1)
        dc = dc * f
        dh = dZ[t] @ U.T
        if state_dropout is not None:
            dh = dh * state_dropout
        if keep is not None:
            dh, dc = dh + carry_h, dc + carry_c
    h_in = H[:-1] if state_dropout is None else H[:-1] * state_dropout
    dU = np.tensordot(h_in, dZ, axes=([0, 1], [0, 1]))  # sum over t and the batch
    return dZ, dU, dZ.sum(axis=(0, 1)), dh, dc


class LSTM(Recurrence):
    """The LSTM over a whole sequence: :class:`.Recurrence` with these loops."""

    n_states = 2
    reference = (lstm_reference, lstm_reference_backward)
    compiled = (_rnn_numba.lstm_forward, _rnn_numba.lstm_backward)

    def cell(self, xw_t, h_in, states, recurrent_kernel, bias, act, rec_act):
        z = xw_t if bias is None else xw_t + bias
        i, f, g, o = split(z + h_in @ recurrent_kernel, 4, axis=1)
        i, f, g, o = rec_act(i), rec_act(f), act(g), rec_act(o)
        c = f * states[1] + i * g
        return o * act(c), c


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
    return LSTM.apply(x, kernel, recurrent_kernel, bias, initial_state, mask=mask,
                      go_backwards=go_backwards, return_sequences=return_sequences,
                      zero_output_for_mask=zero_output_for_mask, input_dropout=input_dropout,
                      state_dropout=state_dropout, activation=activation,
                      recurrent_activation=recurrent_activation)
