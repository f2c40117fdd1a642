"""Matrix products: the op that does almost all the arithmetic of a neural network."""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.tensor import Function
from . import _fused_numba as fused
from .gradients import bilinear_gradients, sum_to_shape
from .manipulation import broadcast_to, reshape


def sum_rows(m):
    """``m.sum(axis=0)`` for a tall matrix, as a matrix-vector product: BLAS sums the rows
    of a narrow matrix several times faster than NumPy's column-wise reduction."""
    xp = backend.get_array_module(m)
    return xp.ones(m.shape[0], dtype=m.dtype) @ m


class MatMul(Function):
    """``a @ b`` with NumPy's rules: batched over leading axes, which broadcast."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul: scalars are not allowed; use multiply")
        k_a = a.shape[-1]
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if k_a != k_b:
            raise ValueError(
                f"matmul: inner dimensions differ: a has shape {a.shape} (last axis {k_a}) "
                f"but b has shape {b.shape} (expected {k_a} on axis "
                f"{0 if b.ndim == 1 else -2}, received {k_b})")
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        a, b = self.a, self.b
        # Treat vectors as matrices so one rule serves: dA = G B^T, dB = A^T G.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if self.needs_input_grad(0):
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if self.needs_input_grad(1):
            gb = np.swapaxes(a2, -1, -2) @ g2
            if b.ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb

    def backward_ops(self, g):  # a @ b is bilinear in (a, b)
        return bilinear_gradients(MatMul(), g, self.input_or_saved(0, self.a),
                                  self.input_or_saved(1, self.b),
                                  want=self.wanted_grads())


class Linear(Function):
    """``x @ W + b`` in one node: the Dense layer's forward, with its backward written out.

    ``x`` may have any number of leading axes (batch, time, ...). With ``relu`` the node is
    ``max(0, x W + b)``, Dense(activation='relu'): the bias and the ReLU take one pass over
    y instead of two, and in backward the ReLU's gate and the bias gradient (the column sums
    of the gated G) take one more, where numba is present.
    """

    def __init__(self, relu=False):
        self.relu = relu

    def forward(self, x, w, b=None):
        if x.shape[-1] != w.shape[0]:
            raise ValueError(f"linear: expected inputs with last axis {w.shape[0]}, "
                             f"received shape {x.shape}")
        self.x, self.w, self.has_bias = x, w, b is not None
        # one (rows, in) @ (in, out) product: NumPy would loop over a 3-D x matrix by matrix
        y = x.reshape(-1, x.shape[-1]) @ w
        if self.relu and b is not None and fused.usable(y, b):
            fused.bias_relu(y, b)
        else:
            if b is not None:
                y += b
            if self.relu:
                np.maximum(y, 0, out=y)
        if self.relu:
            self.y = y  # y > 0 exactly where the ReLU let the gradient through
        return y.reshape(x.shape[:-1] + (w.shape[1],))

    def backward(self, g):
        x2 = self.x.reshape(-1, self.x.shape[-1])
        g2 = g.reshape(-1, g.shape[-1])
        db = None
        if self.relu:
            if self.has_bias and g2.flags.c_contiguous and fused.usable(g2, self.y):
                gated, sums = np.empty_like(g2), np.empty(g2.shape[1], np.float64)
                fused.relu_backward_rows(g2, self.y, gated, sums)
                g2, db = gated, sums.astype(g2.dtype)
            else:
                g2 = g2 * (self.y > 0)  # dL/d(x W + b): G where the ReLU was open
        gx = (g2 @ self.w.T).reshape(self.x.shape) if self.needs_input_grad(0) else None  # G W^T
        gw = x2.T @ g2 if self.needs_input_grad(1) else None  # dW = X^T G, over all rows at once
        if self.has_bias:
            return gx, gw, sum_rows(g2) if db is None else db  # db = sum of G's rows
        return gx, gw

    def backward_ops(self, g):
        if self.relu:  # the ReLU's gate is a constant
            g = g * (self.y > 0).astype(g.dtype).reshape(g.shape)
        return bilinear_gradients(Linear(), g, self.input_or_saved(0, self.x),
                                  self.input_or_saved(1, self.w), self.has_bias,
                                  want=self.wanted_grads())


def matmul(a, b):
    return MatMul()(a, b)


class Einsum(Function):
    """``einsum(equation, *operands)``: Einstein summation, e.g. ``"bij,ijkl->bkl"``.

    Each operand's gradient is an einsum too: the output's gradient G contracted with every
    *other* operand, onto this operand's subscripts. For ``"ij,jk->ik"`` (a matmul)

        dA = einsum("ik,jk->ij", G, B)        dB = einsum("ij,ik->jk", A, G)

    A subscript only its own operand carries (``j`` in ``"ij->i"``, summed away) appears in
    neither G nor the others; the sum's gradient is the same along it, so the product is
    taken without it and then broadcast along it. ``...`` is written out as letters once
    the operands' ranks are known, so the gradients need no special case for it.
    """

    def __init__(self, equation):
        equation = equation.replace(" ", "")
        inputs, arrow, output = equation.partition("->")
        self.subscripts = inputs.split(",")
        if not arrow:  # NumPy's implicit output: the subscripts used once, sorted, "..." first
            letters = inputs.replace(",", "").replace(".", "")
            output = ("..." if "..." in inputs else "") + "".join(
                sorted(c for c in set(letters) if letters.count(c) == 1))
        self.output, self.equation = output, f"{inputs}->{output}"

    def forward(self, *xs):
        if len(xs) != len(self.subscripts):
            raise ValueError(f"einsum: {self.equation!r} names {len(self.subscripts)} "
                             f"operands, received {len(xs)}")
        xp = backend.get_array_module(*xs)
        try:
            self.spelled, self.spelled_output = _spell_out_ellipsis(
                self.subscripts, self.output, [x.ndim for x in xs])
            y = xp.einsum(self.equation, *xs, optimize=len(xs) > 2)
        except ValueError as error:
            shapes = [x.shape for x in xs]
            raise ValueError(f"einsum: {self.equation!r} does not fit operands of shapes "
                             f"{shapes}: {error}") from None
        self.xs = xs
        return y

    def _gradient_spec(self, k):
        """The einsum that gives operand k's gradient, and the letters it keeps."""
        subs = self.spelled[k]
        if len(set(subs)) != len(subs):
            raise NotImplementedError(f"einsum: no gradient for an operand with a "
                                      f"repeated subscript ({subs!r} in {self.equation!r})")
        others = self.spelled[:k] + self.spelled[k + 1:]
        seen = set(self.spelled_output + "".join(others))
        spec = ",".join([self.spelled_output] + others) + "->" + "".join(
            c for c in subs if c in seen)
        return spec, subs, seen

    def backward(self, g):
        xp = backend.get_array_module(g)
        grads = []
        for k, x in enumerate(self.xs):
            if not self.needs_input_grad(k):
                grads.append(None)
                continue
            spec, subs, seen = self._gradient_spec(k)
            grad = xp.einsum(spec, g, *(o for j, o in enumerate(self.xs) if j != k),
                             optimize=len(self.xs) > 2)
            grad = grad[tuple(slice(None) if c in seen else None for c in subs)]
            # an axis of size 1 that broadcast against the others sums its gradient back
            summed = tuple(i for i, (n, m) in enumerate(zip(x.shape, grad.shape))
                           if n == 1 and m != 1)
            if summed:
                grad = grad.sum(axis=summed, keepdims=True)
            grads.append(grad if grad.shape == x.shape
                         else xp.broadcast_to(grad, x.shape).copy())
        return tuple(grads)

    def backward_ops(self, g):  # the same einsums, recorded (einsum is multilinear)
        xs = [self.input_or_saved(k, x) for k, x in enumerate(self.xs)]
        grads = []
        for k, x in enumerate(xs):
            if not self.needs_input_grad(k):
                grads.append(None)
                continue
            spec, subs, seen = self._gradient_spec(k)
            grad = Einsum(spec)(g, *(o for j, o in enumerate(xs) if j != k))
            kept = iter(grad.shape)
            grad = reshape(grad, tuple(next(kept) if c in seen else 1 for c in subs))
            grads.append(broadcast_to(sum_to_shape(grad, x.shape), x.shape))
        return tuple(grads)


def _spell_out_ellipsis(subscripts, output, ranks):
    """The subscripts with every ``...`` replaced by letters of its own, right-aligned as
    NumPy broadcasts them: ``(["...ij", "jk"], "...ik", [3, 2])`` gives
    ``(["aij", "jk"], "aik")``."""
    used = set("".join(subscripts) + output)
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    widths = []
    for subs, rank in zip(subscripts, ranks):
        letters = len(subs.replace("...", ""))
        if "..." not in subs and letters != rank:
            raise ValueError(f"{subs!r} names {letters} axes for an operand of rank {rank}")
        widths.append(rank - letters if "..." in subs else 0)
    if min(widths, default=0) < 0:
        raise ValueError("an operand has fewer axes than its subscripts name")
    dots = "".join(free[:max(widths, default=0)])
    spelled = [subs.replace("...", dots[len(dots) - w:] if w else "")
               for subs, w in zip(subscripts, widths)]
    return spelled, output.replace("...", dots)


def einsum(equation, *operands):
    """Einstein summation over the operands (Tensors or arrays), differentiable."""
    return Einsum(equation)(*operands)


def dot(a, b):
    """Keras's ``dot`` for tensors of rank >= 1: the same as ``matmul`` here."""
    return MatMul()(a, b)


def linear(x, w, b=None, relu=False):
    """``x @ w + b``; with ``relu``, ``max(0, x @ w + b)`` as one node."""
    fn = Linear(relu)
    return fn(x, w) if b is None else fn(x, w, b)

