"""What the fused recurrent kernels (SimpleRNN, LSTM, GRU) share.

A recurrent layer applies the same cell at every time step. Written as a graph of small
ops, one step costs a dozen graph nodes and the backward pass walks ``T`` times that many.
Instead each kernel here is ONE :class:`Function` for the whole sequence:

1. the input projection of every step at once, ``x (T*B, in) @ W + b``, one big matmul;
2. the time loop over preallocated time-major buffers ``(T, B, ...)``, gate math in place;
3. backward through time by hand, storing the gradient of every step's pre-activations
   in a ``(T, B, gates)`` buffer (written over the saved gate values, which are no longer
   needed), and then the weight gradients in one large matmul each after the loop:
   ``dW = X^T dZ``, ``dU = H_prev^T dZ``, ``dX = dZ W^T``.

Keras conventions kept here: ``go_backwards`` reads the sequence from its end and returns
outputs in that (reversed) order; a masked step copies the previous state and output;
dropout masks are drawn once per sequence and are the same at every step.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Function
from . import _rnn_numba

# --- element-wise activations that the kernels can fuse -----------------------------------
# Each entry: apply(z) overwrites z with f(z); grad(y, out) writes f'(z) into out, computed
# from the output y = f(z), so the pre-activation never has to be kept.


def _tanh(z):
    np.tanh(z, out=z)


def _tanh_grad(y, out):  # tanh' = 1 - y^2
    np.multiply(y, y, out=out)
    np.subtract(1, out, out=out)


def _sigmoid(z):  # sigmoid(z) = (1 + tanh(z/2)) / 2: no overflow for any z
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5


def _sigmoid_grad(y, out):  # sigmoid' = y (1 - y)
    np.subtract(1, y, out=out)
    out *= y


def _relu(z):
    np.maximum(z, 0, out=z)


def _relu_grad(y, out):
    np.greater(y, 0, out=out, casting="unsafe")


def _hard_sigmoid(z):  # relu6(z + 3) / 6, as saessak.ops.hard_sigmoid (Keras 3)
    z /= 6
    z += 0.5
    np.clip(z, 0, 1, out=z)


def _hard_sigmoid_grad(y, out):  # 1/6 on the slope, 0 where clipped
    np.logical_and(y > 0, y < 1, out=out, casting="unsafe")
    out /= 6


def _linear(z):
    pass


def _linear_grad(y, out):
    out.fill(1)


FUSED_ACTIVATIONS = {
    "tanh": (_tanh, _tanh_grad),
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "relu": (_relu, _relu_grad),
    "hard_sigmoid": (_hard_sigmoid, _hard_sigmoid_grad),
    "linear": (_linear, _linear_grad),
}


def fused_activation_name(activation):
    """The name under which a kernel can fuse ``activation`` (a name, None or a function),
    or None when it is some other function (the layer then loops over its cell)."""
    if activation is None:
        return "linear"
    name = activation if isinstance(activation, str) else getattr(activation, "__name__", None)
    if name is not None and name.lower() in FUSED_ACTIVATIONS:
        if isinstance(activation, str) or _is_saessak_function(activation):
            return name.lower()
    return None


def _is_saessak_function(fn) -> bool:
    return getattr(fn, "__module__", "").startswith("saessak")


# --- the shared Function ---------------------------------------------------------------------


class Recurrence(Function):
    """One recurrent layer over a whole ``(batch, time, features)`` sequence.

    Inputs: ``x, kernel, recurrent_kernel[, bias][, *initial_states]``. Outputs: the output
    (the whole sequence ``(batch, time, units)`` or the last step ``(batch, units)``) and the
    final states. Subclasses write the time loop (``_run``) and its backward (``_run_back``)
    on time-major buffers; everything about layout, masks, dropout and the large matmuls
    before and after the loop lives here.
    """

    n_states = 1
    has_compiled_loop = False  # a numba forward loop in _rnn_numba (LSTM, GRU)

    def __init__(self, *, has_bias=True, has_initial_state=False, mask=None,
                 go_backwards=False, return_sequences=False, zero_output_for_mask=False,
                 input_dropout=None, state_dropout=None, activation="tanh",
                 recurrent_activation="sigmoid"):
        self.n_outputs = 1 + self.n_states
        self.has_bias, self.has_initial_state = has_bias, has_initial_state
        self.mask, self.go_backwards = mask, go_backwards
        self.return_sequences, self.zero_output_for_mask = return_sequences, zero_output_for_mask
        self.input_dropout, self.state_dropout = input_dropout, state_dropout
        for name in (activation, recurrent_activation):
            if name not in FUSED_ACTIVATIONS:
                raise ValueError(f"{type(self).__name__}: activation must be one of "
                                 f"{sorted(FUSED_ACTIVATIONS)}, received {name!r}")
        self.act_name, self.rec_act_name = activation, recurrent_activation
        self.act, self.act_grad = FUSED_ACTIVATIONS[activation]
        self.rec_act, self.rec_act_grad = FUSED_ACTIVATIONS[recurrent_activation]

    def _projection_scale(self, width):
        """A per-column factor applied to the kernels and bias before the matmuls, or None."""
        return None

    # The bias of most cells is all "input" bias, added to the projection of the inputs;
    # GRU(reset_after=True) also has a recurrent bias and overrides these two.
    def _split_bias(self, bias):
        return bias, None

    def _join_bias_grad(self, d_input_bias, d_recurrent_bias):
        return d_input_bias

    def _time_major(self, a):
        """(batch, time, ...) -> contiguous (time, batch, ...) in the order of processing."""
        a = a.swapaxes(0, 1)
        return a[::-1] if self.go_backwards else a

    def _batch_major(self, a):
        """The inverse of ``_time_major``."""
        return (a[::-1] if self.go_backwards else a).swapaxes(0, 1)

    def forward(self, x, kernel, recurrent_kernel, *rest):
        if x.ndim != 3:
            raise ValueError(f"{type(self).__name__}: expected inputs of shape (batch, time, "
                             f"features), received shape {x.shape}")
        bias = rest[0] if self.has_bias else None
        states = rest[1:] if self.has_bias else rest
        batch, steps, features = x.shape
        if features != kernel.shape[0]:
            raise ValueError(f"{type(self).__name__}: expected inputs with last axis "
                             f"{kernel.shape[0]}, received shape {x.shape}")
        xt = self._time_major(x)
        xt = xt * self.input_dropout if self.input_dropout is not None else (
            np.ascontiguousarray(xt))
        self.xt, self.kernel, self.recurrent_kernel = xt, kernel, recurrent_kernel
        self.keep = None
        if self.mask is not None:
            keep = self._time_major(np.asarray(self.mask, bool))[:, :, None]
            self.keep = np.ascontiguousarray(keep)
        units = recurrent_kernel.shape[0]
        if not states:
            states = tuple(np.zeros((batch, units), x.dtype) for _ in range(self.n_states))
        input_bias, recurrent_bias = (None, None) if bias is None else self._split_bias(bias)
        # float32 with the default activations: the compiled loop runs (when there is one)
        self.compiled = self.has_compiled_loop and _rnn_numba.usable_forward(
            self, x, kernel, recurrent_kernel, *rest)

        # 1. every step's input projection in one matmul
        self.scale = self._projection_scale(kernel.shape[1])
        if self.scale is not None:  # see LSTM._projection_scale
            kernel = kernel * self.scale.astype(kernel.dtype)
            if input_bias is not None:
                input_bias = input_bias * self.scale.astype(kernel.dtype)
        proj = xt.reshape(steps * batch, features) @ kernel
        self.input_bias = input_bias
        if input_bias is not None and not self.compiled:  # (a compiled loop adds it itself,
            proj += input_bias  # saving a pass over the (T, B, gates) projections)
        # 2. the time loop (subclass), returning H: (T + 1, B, units), H[0] the initial state
        H, finals = self._run(proj.reshape(steps, batch, -1), recurrent_kernel,
                              recurrent_bias, states)
        if self.return_sequences:
            seq = H[1:]
            if self.zero_output_for_mask and self.keep is not None:
                seq = seq * self.keep
            out = np.ascontiguousarray(seq.swapaxes(0, 1))
        else:
            out = H[-1].copy()
        return (out,) + tuple(s.copy() for s in finals)

    def backward(self, g_out, *g_states):
        xt, kernel = self.xt, self.kernel
        steps, batch, features = xt.shape
        if self.return_sequences:
            dY = np.ascontiguousarray(g_out.swapaxes(0, 1))  # (T, B, units)
            if self.zero_output_for_mask and self.keep is not None:
                dY *= self.keep
            d_last = g_states[0].copy()
        else:
            dY, d_last = None, g_out + g_states[0]
        d_finals = (d_last,) + tuple(g.copy() for g in g_states[1:])
        # 3. backward through time (subclass): the gradient of every step's input
        # projection, the recurrent kernel's gradient and the initial states' gradients
        dP, dU, d_rec_bias, d_states = self._run_back(dY, d_finals)
        dP2 = dP.reshape(steps * batch, -1)
        dW = xt.reshape(steps * batch, features).T @ dP2  # dW = X^T dP
        dxt = (dP2 @ kernel.T).reshape(steps, batch, features)  # dX = dP W^T
        if self.input_dropout is not None:
            dxt *= self.input_dropout
        dx = np.ascontiguousarray(self._batch_major(dxt))
        grads = [dx, dW, dU]
        if self.has_bias:
            grads.append(self._join_bias_grad(dP2.sum(axis=0), d_rec_bias))
        if self.has_initial_state:
            grads.extend(d_states)
        return tuple(grads)

    # --- helpers for the loops ------------------------------------------------------------
    def _state_in(self, h, buf):
        """The state as the recurrent matmul sees it: with recurrent dropout applied."""
        if self.state_dropout is None:
            return h
        return np.multiply(h, self.state_dropout, out=buf)

    def _states_in(self, H):
        """All T previous states (T*B, units) as the recurrent matmuls saw them."""
        prev = H[:-1]
        if self.state_dropout is not None:
            prev = prev * self.state_dropout
        return prev.reshape(-1, prev.shape[-1])

    def _hold_masked(self, t, new, old):
        """Keras masking: where step t is masked, the state keeps its previous value."""
        if self.keep is not None:
            np.copyto(new, old, where=~self.keep[t])

    def _split_masked(self, t, grad):
        """Backward of ``_hold_masked``: the part of ``grad`` that flows straight to the
        previous state at masked steps (returned), the rest stays in ``grad``."""
        if self.keep is None:
            return None
        carry = np.where(self.keep[t], 0, grad)
        np.copyto(grad, 0, where=~self.keep[t])  # exact zeros (grad * keep makes inf * 0 NaN)
        return carry


def make_dropout_mask(shape, rate, rng, dtype):
    """A 0 / (1/(1-rate)) mask, drawn once per sequence: Keras's recurrent dropout."""
    keep = rng.random(shape) >= rate
    return (keep / (1.0 - rate)).astype(dtype)
