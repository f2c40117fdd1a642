"""What the fused recurrent ops (SimpleRNN, LSTM, GRU) share: everything around the time loop.

A recurrent layer applies the same cell at every time step. Written as a graph of small
ops, one step costs a dozen graph nodes and the backward pass walks ``T`` times that many.
Instead each op is ONE :class:`Function` for the whole sequence. :class:`Recurrence` does
the part that does not depend on the cell:

1. the layout: batch-major ``(B, T, ...)`` in and out, time-major ``(T, B, ...)`` for the
   loop; Keras's ``go_backwards`` reads the sequence from its end and returns outputs in
   that (reversed) order;
2. the input projection: x_t W does not depend on the state, so every step's is made
   before the loop in one matmul, and the gradients of x and W after it. When the input is
   an embedding lookup ``table[ids]`` with more tokens than the table has rows, the table
   is projected instead: ``(table W)[ids]`` is the same numbers for fewer products (see
   :func:`lookup_behind`);
3. input dropout (a mask drawn once per sequence, the same at every step), the mask (a
   masked step copies the previous state and output), zero initial states by default;
4. the output: the whole sequence or the last step, and the final states;
5. for gradients of gradients, :meth:`Recurrence.composite`: the same recurrence unrolled
   over time in recorded ops, each step the subclass's :meth:`Recurrence.cell`.

The cell's own module (:mod:`.lstm`, :mod:`.gru`, :mod:`.simple_rnn`) holds the time loop
itself, as a plain-NumPy reference written like its equations, with its backward through
time beside it; :mod:`._rnn_numba` holds compiled loops that take the same arguments and
return the same values. :meth:`Recurrence.forward` is the one place that picks which runs.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.tensor import Function, Tensor
from . import _rnn_numba
from . import activations as recorded
from .embedding import scatter_rows
from .linalg import matmul
from .manipulation import stack, swapaxes, where

# --- element-wise activations the kernels support --------------------------------------------
# Each entry: (f, f'), where f' is computed from the OUTPUT y = f(z), so the backward needs
# only the saved gate values, never the pre-activations.

def sigmoid(z):
    """1 / (1 + exp(-z)), written as (1 + tanh(z/2)) / 2: no overflow for any z."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def hard_sigmoid(z):
    """relu6(z + 3) / 6, as :func:`saessak.ops.hard_sigmoid` (Keras 3)."""
    return np.clip(z / 6 + 0.5, 0, 1)


ACTIVATIONS = {
    "tanh": (np.tanh, lambda y: 1 - y * y),
    "sigmoid": (sigmoid, lambda y: y * (1 - y)),
    "relu": (lambda z: np.maximum(z, 0), lambda y: (y > 0).astype(y.dtype)),
    "hard_sigmoid": (hard_sigmoid, lambda y: ((y > 0) & (y < 1)).astype(y.dtype) / 6),
    "linear": (lambda z: z, np.ones_like),
}

# The same activations as recorded saessak ops, for the composite (gradients of gradients).
RECORDED_ACTIVATIONS = {
    "tanh": recorded.tanh, "sigmoid": recorded.sigmoid, "relu": recorded.relu,
    "hard_sigmoid": recorded.hard_sigmoid, "linear": lambda z: z,
}


def fused_activation_name(activation):
    """The name under which a kernel can fuse ``activation`` (a name, None or a function),
    or None when it is some other function (the layer then loops over its cell)."""
    if activation is None:
        return "linear"
    name = activation if isinstance(activation, str) else getattr(activation, "__name__", None)
    if name is not None and name.lower() in ACTIVATIONS:
        if isinstance(activation, str) or _is_saessak_function(activation):
            return name.lower()
    return None


def _is_saessak_function(fn) -> bool:
    return getattr(fn, "__module__", "").startswith("saessak")


def make_dropout_mask(shape, rate, rng, dtype):
    """A 0 / (1/(1-rate)) mask, drawn once per sequence: Keras's recurrent dropout."""
    return backend.dropout_mask(rng, shape, rate, dtype)


# --- the input projection --------------------------------------------------------------------


def _project(x, kernel):
    """Every step's input projection x_t W in one matmul: (T, B, in) -> (T, B, width)."""
    steps, batch, features = x.shape
    return (x.reshape(steps * batch, features) @ kernel).reshape(steps, batch, -1)


def lookup_behind(x):
    """``(table, ids)`` when ``x`` is the output of an embedding lookup (``x = table[ids]``,
    remembered by :func:`saessak.ops.embedding_lookup`) with more tokens than the table has
    rows, so that projecting the table (rows x in x width products) costs less than
    projecting the sequence (tokens x in x width). Else None: any other input, or a large
    vocabulary."""
    lookup = getattr(x, "_lookup", None)  # an unset slot reads as missing
    if lookup is None:
        return None
    table, ids = lookup
    if type(table.data) is not np.ndarray or len(table.data) >= ids.size:
        return None
    return lookup


# --- the shared Function ---------------------------------------------------------------------


class Recurrence(Function):
    """One recurrent layer over a whole ``(batch, time, features)`` sequence.

    Inputs: ``x, kernel, recurrent_kernel[, bias][, *initial_states]``, where with
    ``token_ids`` ``x`` is an embedding table (see :meth:`apply`). Outputs: the output (the
    whole sequence ``(batch, time, units)`` or the last step ``(batch, units)``) and the
    final states. A subclass names its two pairs of time loops, and its one step in
    recorded ops (:meth:`cell`, for :meth:`composite`):

    * ``reference = (forward, backward)``: the plain-NumPy loops of its module;
    * ``compiled = (forward, backward)``: the numba loops of :mod:`._rnn_numba`.

    ``forward(xw, *states, recurrent_kernel, bias, **options)`` takes every step's input
    projection x_t W, time-major (T, B, width), and returns the stacked states (the first
    ``n_states`` entries, each (T+1, B, u), index 0 the initial state) followed by whatever
    its backward needs. ``backward(dH, *d_states, recurrent_kernel, bias, *saved,
    **options)`` takes the gradient of every step's output (T, B, u) or None, and of the
    final states; it returns the gradients of xw, recurrent_kernel, bias and the initial
    states. The products with W, before and after, are this class's.
    """

    n_states = 1
    reference = compiled = (None, None)
    loop_options: dict = {}  # more keyword arguments for both loops (GRU: reset_after)

    def __init__(self, *, has_bias=True, has_initial_state=False, mask=None,
                 go_backwards=False, return_sequences=False, zero_output_for_mask=False,
                 input_dropout=None, state_dropout=None, activation="tanh",
                 recurrent_activation="sigmoid", token_ids=None):
        self.n_outputs = 1 + self.n_states
        # with token_ids (batch, time), input 0 is an embedding table and the sequence is
        # its rows at token_ids (see lookup_behind)
        self.token_ids = token_ids
        self.has_bias, self.has_initial_state = has_bias, has_initial_state
        self.mask, self.go_backwards = mask, go_backwards
        self.return_sequences, self.zero_output_for_mask = return_sequences, zero_output_for_mask
        self.input_dropout, self.state_dropout = input_dropout, state_dropout
        for name in (activation, recurrent_activation):
            if name not in ACTIVATIONS:
                raise ValueError(f"{type(self).__name__}: activation must be one of "
                                 f"{sorted(ACTIVATIONS)}, received {name!r}")
        self.act_name, self.rec_act_name = activation, recurrent_activation

    def options(self):
        """The keyword arguments of both loops: the mask, dropout and activations."""
        return dict(keep=self.keep, state_dropout=self.state_dropout,
                    activation=self.act_name, recurrent_activation=self.rec_act_name,
                    **self.loop_options)

    def _time_major(self, a):
        """(batch, time, ...) -> (time, batch, ...) in the order of processing."""
        a = a.swapaxes(0, 1)
        return a[::-1] if self.go_backwards else a

    def _batch_major(self, a):
        """The inverse of ``_time_major``."""
        return (a[::-1] if self.go_backwards else a).swapaxes(0, 1)

    @classmethod
    def apply(cls, x, kernel, recurrent_kernel, bias=None, initial_state=None, **options):
        """Run over ``x`` (batch, time, features) with these weights and options. An
        embedding lookup's output without input dropout is run from its table."""
        lookup = lookup_behind(x) if options.get("input_dropout") is None else None
        if lookup is not None:
            x, options["token_ids"] = lookup
        fn = cls(has_bias=bias is not None, has_initial_state=initial_state is not None,
                 **options)
        args = [x, kernel, recurrent_kernel] + ([bias] if bias is not None else [])
        return fn(*args, *(initial_state or ()))

    def forward(self, x, kernel, recurrent_kernel, *rest):
        bias = rest[0] if self.has_bias else None
        states = rest[1:] if self.has_bias else rest
        if self.token_ids is None:
            if x.ndim != 3:
                raise ValueError(f"{type(self).__name__}: expected inputs of shape (batch, "
                                 f"time, features), received shape {x.shape}")
            if x.shape[2] != kernel.shape[0]:
                raise ValueError(f"{type(self).__name__}: expected inputs with last axis "
                                 f"{kernel.shape[0]}, received shape {x.shape}")
            xt = self._time_major(x)
            xt = xt * self.input_dropout if self.input_dropout is not None else (
                np.ascontiguousarray(xt))
            xw = _project(xt, kernel)
            self.source = xt  # the gradients of x and W need it
        else:  # x is the table: row k of (table W) is x_t W wherever token k stands
            xw = (x @ kernel)[self._time_major(self.token_ids)]
            self.source = x
        _, batch, _ = xw.shape
        self.keep = None  # (T, B, 1): False where a step is masked
        if self.mask is not None:
            self.keep = np.ascontiguousarray(
                self._time_major(np.asarray(self.mask, bool))[:, :, None])
        if not states:
            units = recurrent_kernel.shape[0]
            states = tuple(np.zeros((batch, units), xw.dtype) for _ in range(self.n_states))
        self.kernel, self.args = kernel, (recurrent_kernel, bias)
        self.arrays = (x, kernel, recurrent_kernel, *rest)  # references, for the composite

        # The one place that picks the loops: compiled (numba) where they can run, else the
        # reference. The compiled forward needs float32 (see _rnn_numba), so a float64 run
        # pairs the reference forward with the compiled backward.
        arrays = (xw, recurrent_kernel, bias, *states)
        fast_forward, fast_backward = _rnn_numba.usable(self, arrays)
        forward = self.compiled[0] if fast_forward else self.reference[0]
        self.backward_loop = self.compiled[1] if fast_backward else self.reference[1]
        self.saved = forward(xw, *states, recurrent_kernel, bias, **self.options())

        H = self.saved[0]  # (T + 1, B, units), H[0] the initial state
        if self.return_sequences:
            seq = H[1:]
            if self.zero_output_for_mask and self.keep is not None:
                seq = seq * self.keep
            out = np.ascontiguousarray(seq.swapaxes(0, 1))
        else:
            out = H[-1].copy()
        return (out,) + tuple(S[-1].copy() for S in self.saved[:self.n_states])

    def backward(self, g_out, *g_states):
        if self.return_sequences:
            dY = np.ascontiguousarray(g_out.swapaxes(0, 1))  # (T, B, units)
            if self.zero_output_for_mask and self.keep is not None:
                dY *= self.keep
            d_last = g_states[0].copy()
        else:
            dY, d_last = None, g_out + g_states[0]
        d_finals = (d_last,) + tuple(g.copy() for g in g_states[1:])
        dXW, dU, db, *d_states = self.backward_loop(
            dY, *d_finals, *self.args, *self.saved, **self.options())
        dx = None  # unless the input wants a gradient (data does not)
        if self.token_ids is None:
            dXW2 = dXW.reshape(-1, dXW.shape[-1])
            dW = self.source.reshape(-1, self.source.shape[-1]).T @ dXW2  # X^T dZ
            if self.needs_input_grad(0):
                dxt = (dXW2 @ self.kernel.T).reshape(self.source.shape)  # dZ W^T
                if self.input_dropout is not None:
                    dxt *= self.input_dropout
                dx = np.ascontiguousarray(self._batch_major(dxt))
        else:  # each table row gets the dz of every step where its token stood
            table = self.source
            dRows = scatter_rows((len(table), dXW.shape[-1]),
                                 self._time_major(self.token_ids), dXW)
            dW = table.T @ dRows
            if self.needs_input_grad(0):
                dx = dRows @ self.kernel.T
        grads = [dx, dW, dU]
        if self.has_bias:
            grads.append(db)
        if self.has_initial_state:
            grads.extend(d_states)
        return tuple(grads)

    # --- gradients of gradients ------------------------------------------------------------

    def composite(self, *inputs):
        """The same recurrence in recorded ops, for gradients of gradients: the loop
        unrolled over time, each step the subclass's :meth:`cell`. Slow (a dozen nodes a
        step) but differentiable any number of times; the fused loops stay first order."""
        # a plain array passed in (no Tensor kept) is a constant
        x, kernel, recurrent_kernel, *rest = (
            Tensor(a) if t is None else t for t, a in zip(inputs, self.arrays))
        bias = rest[0] if self.has_bias else None
        states = tuple(rest[1:] if self.has_bias else rest)
        if self.token_ids is None:
            xt = swapaxes(x, 0, 1)  # time-major, in the order of processing
            xt = xt[::-1] if self.go_backwards else xt
            if self.input_dropout is not None:
                xt = xt * self.input_dropout
            xw = matmul(xt, kernel)
        else:  # x is the embedding table: the rows of (table W) at the tokens
            xw = matmul(x, kernel)[self._time_major(self.token_ids)]
        if not states:
            zeros = Tensor(np.zeros((xw.shape[1], recurrent_kernel.shape[0]), xw.dtype))
            states = (zeros,) * self.n_states
        act = RECORDED_ACTIVATIONS[self.act_name]
        rec_act = RECORDED_ACTIVATIONS[self.rec_act_name]
        hs = []
        for t in range(xw.shape[0]):
            h_in = states[0] if self.state_dropout is None else states[0] * self.state_dropout
            new = self.cell(xw[t], h_in, states, recurrent_kernel, bias, act, rec_act)
            if self.keep is not None:  # a masked step carries its states over
                new = tuple(where(self.keep[t], n, s) for n, s in zip(new, states))
            states = new
            hs.append(states[0])
        if self.return_sequences:
            seq = stack(hs, axis=0)
            if self.zero_output_for_mask and self.keep is not None:
                seq = seq * self.keep
            out = swapaxes(seq, 0, 1)
        else:
            out = states[0]
        return (out, *states)

    def cell(self, xw_t, h_in, states, recurrent_kernel, bias, act, rec_act):
        """One step in recorded ops: from x_t W (B, width), the state h_{t-1} as the
        recurrent matmul sees it (after state dropout) and the previous states, the new
        states (h first). ``act``, ``rec_act`` are the recorded activations."""
        raise NotImplementedError(f"{type(self).__name__} has no recorded cell")
