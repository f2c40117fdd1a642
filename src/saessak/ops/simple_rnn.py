"""The fully connected recurrent layer (Keras's SimpleRNN) as one fused Function.

    h_t = act(x_t W + h_{t-1} U + b)        kernel (in, u), recurrent kernel (u, u)

Backward through time, from dh (the gradient reaching h_t):
``dz = dh act'(z_t)``, ``dh_{t-1} = dz U^T``; ``dW = sum_t x_t^T dz``, ``dU = sum_t h_{t-1}^T dz``.
The output is the state. :func:`simple_rnn_reference` and its backward say this in plain
NumPy; the compiled loops (:func:`._rnn_numba.simple_forward`) run it faster.
"""

from __future__ import annotations

import numpy as np

from . import _rnn_numba
from .rnn import ACTIVATIONS, Recurrence


def simple_rnn_reference(xw, h0, recurrent_kernel, bias=None, *, keep=None,
                         state_dropout=None, activation="tanh", recurrent_activation=None):
    """The SimpleRNN's time loop in plain NumPy: ``xw`` every step's x_t W, time-major
    (T, B, u), ``keep`` and ``state_dropout`` as in :func:`.lstm_reference`. Returns
    H (T+1, B, u), H[0] = h0."""
    act = ACTIVATIONS[activation][0]
    xw = xw if bias is None else xw + bias  # x_t W + b
    H = [h0]
    for t in range(len(xw)):
        h_in = H[t] if state_dropout is None else H[t] * state_dropout
        h = act(xw[t] + h_in @ recurrent_kernel)
        if keep is not None:  # a masked step carries its state over
            h = np.where(keep[t], h, H[t])
        H.append(h)
    return (np.stack(H),)


def simple_rnn_reference_backward(dH, dh, recurrent_kernel, bias, H, *, keep=None,
                                  state_dropout=None, activation="tanh",
                                  recurrent_activation=None):
    """Backpropagation through time for :func:`simple_rnn_reference`, in plain NumPy.
    Returns the gradients of xw (dL/dz_t), recurrent_kernel, bias and h0."""
    act_grad = ACTIVATIONS[activation][1]
    dZ = np.empty(H[1:].shape, H.dtype)  # dL/dz_t: the gradient of every pre-activation
    for t in reversed(range(len(dZ))):
        if dH is not None:
            dh = dh + dH[t]
        if keep is not None:  # a masked step passed its state straight through
            carry, dh = np.where(keep[t], 0, dh), np.where(keep[t], dh, 0)
        dZ[t] = dh * act_grad(H[t + 1])
        dh = dZ[t] @ recurrent_kernel.T
        if state_dropout is not None:
            dh = dh * state_dropout
        if keep is not None:
            dh = dh + carry
    h_in = H[:-1] if state_dropout is None else H[:-1] * state_dropout
    dU = np.tensordot(h_in, dZ, axes=([0, 1], [0, 1]))  # sum over t and the batch
    return dZ, dU, dZ.sum(axis=(0, 1)), dh


class SimpleRNN(Recurrence):
    """The SimpleRNN over a whole sequence: :class:`.Recurrence` with these loops."""

    reference = (simple_rnn_reference, simple_rnn_reference_backward)
    compiled = (_rnn_numba.simple_forward, _rnn_numba.simple_backward)

    def cell(self, xw_t, h_in, states, recurrent_kernel, bias, act, rec_act):
        z = xw_t if bias is None else xw_t + bias
        return (act(z + h_in @ recurrent_kernel),)


def simple_rnn(x, kernel, recurrent_kernel, bias=None, initial_state=None, *, mask=None,
               go_backwards=False, return_sequences=False, zero_output_for_mask=False,
               input_dropout=None, state_dropout=None, activation="tanh"):
    """Run a SimpleRNN over ``x`` (batch, time, features); returns ``(output, h)``.

    The arguments are those of :func:`saessak.ops.lstm`; ``initial_state`` is ``(h0,)``.
    """
    return SimpleRNN.apply(x, kernel, recurrent_kernel, bias, initial_state, mask=mask,
                           go_backwards=go_backwards, return_sequences=return_sequences,
                           zero_output_for_mask=zero_output_for_mask,
                           input_dropout=input_dropout, state_dropout=state_dropout,
                           activation=activation)
