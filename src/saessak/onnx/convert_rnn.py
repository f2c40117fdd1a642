"""ONNX for SimpleRNN, LSTM, GRU and Bidirectional, as ``Scan`` loops.

ONNX's own LSTM/GRU operators know only right-padded sequences (``sequence_lens``), while
Keras masks any step. So each layer is a ``Scan`` over time whose body is the cell written
out in MatMul/Sigmoid/Tanh, with Keras's mask rule: at a masked step the state is carried
over unchanged, and the output is the carried state (or zero with
``zero_output_for_mask``). ``go_backwards`` scans from the end and, like Keras, returns
the outputs in the order they were computed.
"""

from __future__ import annotations

import numpy as np

from . import _onnx
from .builder import GraphBuilder
from .convert_core import activation, weight


def _cell_step(b, cell, x, states):
    """One step of ``cell`` in the body builder ``b``: new states (h first)."""
    kind = type(cell).__name__
    u = cell.units
    xw = b.op("MatMul", x, b.const(weight(cell.kernel)))
    bias = None if cell.bias is None else weight(cell.bias)
    h = states[0]
    if kind == "SimpleRNNCell":
        z = b.op("Add", xw, b.op("MatMul", h, b.const(weight(cell.recurrent_kernel))))
        if bias is not None:
            z = b.op("Add", z, b.const(bias))
        return [activation(b, z, cell.activation, cell.name)]
    if kind == "LSTMCell":
        z = b.op("Add", xw, b.op("MatMul", h, b.const(weight(cell.recurrent_kernel))))
        if bias is not None:
            z = b.op("Add", z, b.const(bias))
        i, f, g, o = b.op("Split", z, b.ints([u] * 4), axis=1, outputs=4)
        rec = cell.recurrent_activation
        c = b.op("Add", b.op("Mul", activation(b, f, rec, cell.name), states[1]),
                 b.op("Mul", activation(b, i, rec, cell.name),
                      activation(b, g, cell.activation, cell.name)))
        h_new = b.op("Mul", activation(b, o, rec, cell.name),
                     activation(b, c, cell.activation, cell.name))
        return [h_new, c]
    if kind == "GRUCell":
        rk = weight(cell.recurrent_kernel)
        rec = cell.recurrent_activation
        if cell.reset_after:
            if bias is not None:
                xw = b.op("Add", xw, b.const(bias[0]))
            hu = b.op("MatMul", h, b.const(rk))
            if bias is not None:
                hu = b.op("Add", hu, b.const(bias[1]))
            xz, xr, xh = b.op("Split", xw, b.ints([u] * 3), axis=1, outputs=3)
            hz, hr, hh = b.op("Split", hu, b.ints([u] * 3), axis=1, outputs=3)
            z = activation(b, b.op("Add", xz, hz), rec, cell.name)
            r = activation(b, b.op("Add", xr, hr), rec, cell.name)
            cand = activation(b, b.op("Add", xh, b.op("Mul", r, hh)), cell.activation,
                              cell.name)
        else:
            if bias is not None:
                xw = b.op("Add", xw, b.const(bias))
            xz, xr, xh = b.op("Split", xw, b.ints([u] * 3), axis=1, outputs=3)
            hz = b.op("MatMul", h, b.const(rk[:, :u]))
            hr = b.op("MatMul", h, b.const(rk[:, u:2 * u]))
            z = activation(b, b.op("Add", xz, hz), rec, cell.name)
            r = activation(b, b.op("Add", xr, hr), rec, cell.name)
            cand = activation(b, b.op("Add", xh, b.op("MatMul", b.op("Mul", r, h),
                                                       b.const(rk[:, 2 * u:]))),
                              cell.activation, cell.name)
        one_minus_z = b.op("Sub", b.const(np.float32(1)), z)
        return [b.op("Add", b.op("Mul", z, h), b.op("Mul", one_minus_z, cand))]
    raise ValueError(f"ONNX export: recurrent cell {cell.name!r} ({kind}) is not supported")


def _scan(g, layer, x, mask):
    """Run ``layer`` (SimpleRNN/LSTM/GRU) over ``x``; returns (sequence, final states)."""
    onnx = _onnx.onnx()
    cell = layer.cell
    n_states = getattr(cell, "n_states", 1)
    body = GraphBuilder(f"{layer.name}_step", parent=g)
    states = [body.add_input(body.fresh("state"), onnx.TensorProto.FLOAT, None)
              for _ in range(n_states)]
    x_t = body.add_input(body.fresh("x_t"), onnx.TensorProto.FLOAT, None)
    m_t = body.add_input(body.fresh("m_t"), onnx.TensorProto.BOOL, None) if mask else None
    new = _cell_step(body, cell, x_t, states)
    out = new[0]
    if m_t is not None:
        keep = body.op("Unsqueeze", m_t, body.ints([1]))  # (B, 1)
        new = [body.op("Where", keep, s_new, s_old) for s_new, s_old in zip(new, states)]
        out = body.op("Where", keep, out, body.const(np.float32(0))) \
            if layer.zero_output_for_mask else new[0]
    for s in new:
        body.add_output(body.op("Identity", s))
    body.add_output(body.op("Identity", out))

    initial = [g.batch_zeros(x, cell.units) for _ in range(n_states)]
    scan_inputs = [x] + ([mask] if mask else [])
    direction = 1 if layer.go_backwards else 0
    results = g.op("Scan", *initial, *scan_inputs, outputs=n_states + 1, body=body.graph(),
                   num_scan_inputs=len(scan_inputs), scan_input_axes=[1] * len(scan_inputs),
                   scan_input_directions=[direction] * len(scan_inputs),
                   scan_output_axes=[1])
    return results[-1], results[:-1]


def _check(layer):
    if getattr(layer, "stateful", False):
        raise ValueError(f"ONNX export: {layer.name!r}: stateful RNNs are not supported")
    if getattr(layer, "time_major", False):
        raise ValueError(f"ONNX export: {layer.name!r}: time_major is not supported")


def rnn(g, layer, xs, masks, kwargs=None):
    _check(layer)
    if kwargs and kwargs.get("initial_state") is not None:
        raise ValueError(f"ONNX export: {layer.name!r}: initial_state is not supported")
    sequence, finals = _scan(g, layer, xs[0], masks[0])
    first = sequence if layer.return_sequences else finals[0]
    outputs = [first] + (list(finals) if layer.return_state else [])
    return outputs, masks[0] if layer.return_sequences else None


def bidirectional(g, layer, xs, masks, kwargs=None):
    fwd, bwd = layer.forward_layer, layer.backward_layer
    _check(fwd)
    if layer.return_state:
        raise ValueError(f"ONNX export: Bidirectional {layer.name!r}: return_state is not "
                         "supported")
    y_f = rnn(g, fwd, xs, masks)[0][0]
    y_b = rnn(g, bwd, xs, masks)[0][0]
    if layer.return_sequences:
        y_b = g.reverse_time(y_b)  # back to the input's time order, as Keras does
    mode = layer.merge_mode
    if mode == "concat":
        y = [g.op("Concat", y_f, y_b, axis=-1)]
    elif mode == "sum":
        y = [g.op("Add", y_f, y_b)]
    elif mode == "mul":
        y = [g.op("Mul", y_f, y_b)]
    elif mode == "ave":
        y = [g.op("Mul", g.op("Add", y_f, y_b), g.const(np.float32(0.5)))]
    elif mode is None:
        y = [y_f, y_b]
    else:
        raise ValueError(f"ONNX export: Bidirectional {layer.name!r}: merge_mode {mode!r}")
    return y, masks[0] if layer.return_sequences else None
