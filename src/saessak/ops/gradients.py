"""Gradients that can be differentiated again: Hessians, gradient penalties, PINNs.

``backward()`` turns each node's output gradient into input gradients with NumPy: fast, but
the result is a plain array, so nothing records how it depends on the weights. A second
derivative needs the backward pass itself to be a graph. Here each node's gradient is
computed from **recorded ops** instead, so the gradients come out as Tensors with nodes of
their own, and an outer ``backward()`` (or an outer ``GradientTape``) can go through them.

An op says how, beside its ``backward``, in one of two ways:

* ``backward_ops(*grads)``: the same rule written with ops on Tensors. For ``tanh`` it is
  ``g * (1 - tanh(x)**2)``, where ``x`` is the node's input Tensor, so the second
  derivative ``-2 tanh(x) (1 - tanh(x)**2)`` follows by the chain rule.
* ``composite(*inputs)``: the op's forward written again with simpler recorded ops (a
  fused layer norm as means and square roots); its gradients are then those of the
  composite, taken by this same walk.

A bilinear op y = B(x, w) (a matmul, a convolution) needs neither: :class:`BilinearGradient`
differentiates its two gradients with B's own NumPy forward and backward.

An op with neither still gets its first derivative (its NumPy backward, wrapped in a node
that knows no derivative of its own); only differentiating that gradient again raises,
naming the op.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import backend
from ..autograd.gradcheck import GradCheckResult
from ..autograd.tensor import (
    Function,
    Tensor,
    _key,
    _topological_order,
    enable_grad,
    stretched_axes,
)
from ..autograd.tensor import _output_grads as output_grads
from ..autograd.tensor import sum_to_shape as sum_array_to_shape
from .manipulation import reshape
from .reduction import sum as _sum


def sum_to_shape(g: Tensor, shape) -> Tensor:
    """Undo broadcasting with recorded ops: sum ``g`` over the axes stretched to reach its
    shape (the recorded twin of ``autograd.tensor.sum_to_shape``)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    return reshape(_sum(g, axis=stretched_axes(g.shape, shape), keepdims=True), shape)


class _Root:
    """A stand-in node whose inputs are the targets: one topological order for them all."""

    n_outputs = 1

    def __init__(self, targets):
        self.inputs = tuple(targets)


def gradients(targets, weights, sources) -> list:
    """d sum_k <weights[k], targets[k]> / d source, for each source, as recorded Tensors
    (None where a source is not connected).

    ``weights`` are Tensors (or None for ones). Only the nodes that lie between the
    targets and the sources are visited; the graph is kept, as the results refer to it."""
    wanted = {id(s): i for i, s in enumerate(sources)}
    found = [None] * len(sources)

    def collect(i, g):
        g = sum_to_shape(g, sources[i].shape)
        found[i] = g if found[i] is None else found[i] + g

    grads = {}
    live = []
    for t, w in zip(targets, weights):
        g = w if w is not None else Tensor(backend.xp().ones(t.shape, t.dtype))
        if id(t) in wanted:
            collect(wanted[id(t)], g)
        if t._node is not None and t.requires_grad:
            if t._node.freed:
                raise RuntimeError("gradients: the graph was already used by an earlier "
                                   "gradient call; use GradientTape(persistent=True)")
            key = _key(t._node, t._index)
            grads[key] = g if key not in grads else grads[key] + g
            live.append(t)
    if not live:
        return found
    order = _topological_order(_Root(live))[1:]
    on_path = _nodes_reaching(order, wanted)
    with enable_grad():
        for node in order:
            if node not in on_path:
                continue
            out_grads = _output_grads(node, grads)
            if out_grads is None:
                continue
            # the sources lie behind these inputs only: the others' gradients may be skipped
            node.wanted = tuple(x is not None and (id(x) in wanted or x._node in on_path)
                                for x in node.inputs)
            try:
                in_grads = backward_ops(node, out_grads)
            finally:
                del node.wanted
            for x, g in zip(node.inputs, in_grads):
                if g is None or x is None or not x.requires_grad:
                    continue
                if id(x) in wanted:
                    collect(wanted[id(x)], g)
                if x._node is not None:
                    g = sum_to_shape(g, x.shape)
                    key = _key(x._node, x._index)
                    grads[key] = g if key not in grads else grads[key] + g
    return found


def _nodes_reaching(order, wanted) -> set:
    """The nodes from which some source can be reached: the only ones worth a backward."""
    reaching = set()
    for node in reversed(order):  # producers before their consumers
        if any(x is not None and (id(x) in wanted or x._node in reaching)
               for x in node.inputs):
            reaching.add(node)
    return reaching


def _output_grads(node, grads):
    """The Tensors that reached each output of ``node`` (constant zeros for an unused one
    of several), or None when none did."""
    if node.n_outputs == 1:
        g = grads.pop(node, None)
        return None if g is None else (g,)
    out = output_grads(node, grads)  # the engine's: zeros where an output was not used
    return None if out is None else tuple(g if isinstance(g, Tensor) else Tensor(g)
                                          for g in out)


def backward_ops(node: Function, out_grads) -> tuple:
    """The input gradients of ``node`` as recorded Tensors, by the first rule it offers."""
    if node.backward_ops is not None:
        result = node.backward_ops(*out_grads)
    elif node.composite is not None:
        result = _composite_gradients(node, out_grads)
    else:
        result = _first_order_only(node, out_grads)
    return result if isinstance(result, tuple) else (result,)


def _composite_gradients(node, out_grads):
    inputs = node.inputs
    outputs = node.composite(*inputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    needed = [node.needs_input_grad(i) for i in range(len(inputs))]
    found = iter(gradients(outputs, out_grads, [x for x, n in zip(inputs, needed) if n]))
    return tuple(next(found) if n else None for n in needed)


class FirstOrderOnly(Function):
    """The gradients of an op that has no recorded backward: right values, but an error
    (naming the op) if anything differentiates them again.

    Its inputs are the output gradients and the op's inputs, so it is connected to
    everything its values depend on, and a walk that never reaches it never complains."""

    def __init__(self, op_name, values):
        self.op_name, self.values = op_name, values
        self.n_outputs = len(values)

    def forward(self, *inputs):
        return self.values if self.n_outputs > 1 else self.values[0]

    def backward(self, *grads):
        raise NotImplementedError(
            f"gradient of a gradient: {self.op_name} has no second derivative in saessak "
            f"yet (it has no backward_ops or composite); the first derivative through it "
            f"is exact, differentiating it again is not available")


def _first_order_only(node, out_grads):
    arrays = node.backward(*(g.data for g in out_grads))
    arrays = arrays if isinstance(arrays, tuple) else (arrays,)
    present = [a for a in arrays if a is not None]
    if not present:
        return arrays
    connected = [*out_grads, *(x for x in node.inputs if x is not None)]
    made = FirstOrderOnly(type(node).__name__, tuple(present))(*connected)
    made = iter(made if isinstance(made, tuple) else (made,))
    return tuple(None if a is None else next(made) for a in arrays)


# --- bilinear ops ---------------------------------------------------------------------------

def _run(op, x, w):
    """B(x, w) in NumPy, by a fresh copy of the op (the node keeps its own saved arrays)."""
    fresh = copy.copy(op)
    fresh.recording = False
    return fresh.forward(x, w)


def _both_gradients(op, g, x, w, want=(True, True)):
    """(dB/dx, dB/dw) applied to ``g`` at (x, w), by the op's own NumPy backward; only the
    ones ``want`` asks for (the op may skip the others: None in their place)."""
    fresh = copy.copy(op)
    fresh.recording = True
    fresh.inputs = (Tensor(x, requires_grad=want[0]), Tensor(w, requires_grad=want[1]))
    fresh.forward(x, w)
    dx, dw = fresh.backward(g)[:2]
    return (sum_array_to_shape(dx, x.shape) if want[0] else None,
            sum_array_to_shape(dw, w.shape) if want[1] else None)


class BilinearGradient(Function):
    """The input gradients of a bilinear op y = B(x, w), as one op of (g, x, w).

    Each gradient is linear in g and in the other operand: dx = B_x^T(g; w), dw = B_w^T(g; x).
    Against cotangents (cx, cw) of the two results,

        <cx, dx> + <cw, dw> = <g, B(cx, w)> + <g, B(x, cw)>

    so  d/dg = B(cx, w) + B(x, cw),  d/dw = B_w^T(g; cx),  d/dx = B_x^T(g; cw):
    the op's own forward and backward at other arguments, and nothing else.
    ``op`` is a Function computing B(x, w) from two arguments (no bias, no activation);
    ``want`` says which of (dx, dw) to compute: the op's outputs are those only.
    """

    def __init__(self, op, want=(True, True)):
        self.op, self.want = op, tuple(want)
        self.n_outputs = sum(self.want)

    def forward(self, g, x, w):
        self.g, self.x, self.w = g, x, w
        grads = [d for d in _both_gradients(self.op, g, x, w, self.want) if d is not None]
        return tuple(grads) if self.n_outputs > 1 else grads[0]

    def _cotangents(self, cots):
        """(cx, cw) from the cotangents of the outputs computed, None for the others."""
        cots = iter(cots)
        return tuple(next(cots) if wanted else None for wanted in self.want)

    def backward(self, *cots):
        g, x, w = self.g, self.x, self.w
        cx, cw = self._cotangents(cots)
        dg = sum(_run(self.op, *pair) for pair in ((cx, w), (x, cw))
                 if pair[0] is not None and pair[1] is not None)
        dx = dw = None
        if cw is not None and self.needs_input_grad(1):
            dx = _both_gradients(self.op, g, x, cw, want=(True, False))[0]
        if cx is not None and self.needs_input_grad(2):
            dw = _both_gradients(self.op, g, cx, w, want=(False, True))[1]
        return dg, dx, dw

    def backward_ops(self, *cots):  # the same, recorded: third derivatives
        g, x, w = (self.input_or_saved(i, a) for i, a in enumerate((self.g, self.x, self.w)))
        cx, cw = self._cotangents(cots)
        dg = sum(copy.copy(self.op)(*pair) for pair in ((cx, w), (x, cw))
                 if pair[0] is not None and pair[1] is not None)
        dx = None if cw is None else BilinearGradient(self.op, (True, False))(g, x, cw)
        dw = None if cx is None else BilinearGradient(self.op, (False, True))(g, cx, w)
        return dg, dx, dw


def bilinear_gradients(op, g, x, w, has_bias=False, want=(True, True)):
    """(dx, dw) of y = B(x, w) for the output gradient ``g``, recorded (None for those
    ``want`` leaves out); ``op`` computes B. With ``has_bias`` (y = B(x, w) + b), db too:
    the sum of g over all axes but the last."""
    made = BilinearGradient(op, want)(g, x, w) if any(want) else ()
    made = iter(made if isinstance(made, tuple) else (made,))
    dx, dw = (next(made) if wanted else None for wanted in want)
    return (dx, dw, sum_to_shape(g, g.shape[-1:])) if has_bias else (dx, dw)


# --- linear maps ------------------------------------------------------------------------------

class LinearMap(Function):
    """A fixed linear map g -> A g as an op, from ``apply`` (A) and ``transpose`` (A^T) on
    arrays. Its backward is A^T, and recorded it is LinearMap(A^T, A): the pair closes on
    itself, so gradients of any order pass through. The backward of a linear op is such a
    map (:func:`adjoint_op`), and so is max pooling's, its arg-max positions held fixed."""

    def __init__(self, apply, transpose):
        self.apply, self.transpose = apply, transpose

    def forward(self, *g):
        out = self.apply(*g)
        self.n_outputs = len(out) if isinstance(out, tuple) else 1
        return out

    def backward(self, *c):
        return self.transpose(*c)

    def backward_ops(self, *c):
        return LinearMap(self.transpose, self.apply)(*c)


def adjoint_op(op, **changes):
    """The backward of a linear op (``op.forward`` computes A x) as a recorded op: A^T,
    whose own backward is ``op.forward`` again. A copy of the op (with ``changes`` to its
    attributes): backward() clears a node's saved arrays, the copy keeps them."""
    op = copy.copy(op)
    op.__dict__.update(changes)
    return LinearMap(op.backward, op.forward)


# --- checking a recorded backward -----------------------------------------------------------

def second_order_check(fn, *arrays, eps=1e-6, tol=1e-5, floor=1e-3, seed=0) -> GradCheckResult:
    """Check the recorded gradients of ``fn`` by differentiating them once more.

    With a fixed random v_i per input, h(x) = sum_i <v_i, d sum(fn(x)) / dx_i> is built from
    the recorded gradients and differentiated by ``backward()``; each partial of h is then
    compared with central differences of h computed from first-order gradients alone (the
    NumPy backward, which ``grad_check`` tests). Inputs are taken in float64.
    """
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(a, np.float64) for a in arrays]
    directions = [rng.standard_normal(a.shape) for a in arrays]

    def h_by_first_order(point):
        xs = [Tensor(a, requires_grad=True) for a in point]
        fn(*xs).sum().backward()
        return sum(float((x.grad * v).sum()) for x, v in zip(xs, directions)
                   if x.grad is not None)

    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    h = None
    for g, v in zip(gradients([fn(*xs)], [None], xs), directions):
        if g is not None and g.requires_grad:  # else a constant: its derivative is 0
            h = (g * v).sum() if h is None else h + (g * v).sum()
    if h is not None:
        h.backward()
    analytic = [np.zeros(a.shape) if x.grad is None else backend.to_numpy(x.grad)
                for x, a in zip(xs, arrays)]

    result = GradCheckResult(True, 0.0, None, None, None, None, 0)
    for i, a in enumerate(arrays):
        for j in range(a.size):
            up, down = [b.copy() for b in arrays], [b.copy() for b in arrays]
            up[i].reshape(-1)[j] += eps
            down[i].reshape(-1)[j] -= eps
            numeric = (h_by_first_order(up) - h_by_first_order(down)) / (2 * eps)
            exact = float(analytic[i].reshape(-1)[j])
            err = abs(exact - numeric) / max(abs(exact), abs(numeric), floor)
            result.checked += 1
            if err > result.max_error:
                result.max_error, result.input_index = err, i
                result.position = tuple(int(k) for k in np.unravel_index(j, a.shape))
                result.analytic, result.numeric = exact, numeric
    result.ok = result.max_error <= tol
    return result
