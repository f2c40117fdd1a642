"""The fused loss nodes: each cross-entropy and error as one Function, forward and backward
side by side.

``saessak.losses`` builds the Keras loss API on these. Each takes the targets ``t`` and the
predictions ``p`` (or logits ``z``) as arrays and gives one loss per sample, reduced over the
last axis (or ``axis``). The cross-entropies from logits use ``log_softmax`` / ``softplus``
forms that never overflow; from probabilities they clip to ``[eps, 1 - eps]`` (eps =
``backend.epsilon()``, 1e-7) as Keras does, and the gradient is 0 where the clip is flat.
The sparse ones take integer labels (no gradient) and may leave out an ``ignore_class``.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.tensor import Function
from .activations import _sigmoid, log_softmax, softplus
from .manipulation import reshape
from .math import abs, clip, log, log1p  # noqa: A004 - Keras's name
from .reduction import logsumexp, mean, sum


def _axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise ValueError(f"losses: axis {axis} is out of range for predictions of rank {ndim}")
    return axis % ndim


class MeanSquaredErrorFn(Function):
    """mean((p - t)^2) over the last axis; d/dp = 2 (p - t) / n."""

    def forward(self, t, p):
        self.t, self.d = t, p - t
        self.n = self.d.shape[-1] if self.d.ndim else 1
        if not self.d.ndim:
            return self.d * self.d
        # each row's d . d, as einsum's dot products: NumPy's mean along a short last axis
        # is several times slower
        return np.einsum("...i,...i->...", self.d, self.d) / self.n

    def backward(self, g):
        gp = self.d * (np.expand_dims(g, -1) * (2.0 / self.n))
        return (-gp if self.needs_input_grad(0) else None), gp

    def composite(self, t, p):
        d = p - self.input_or_saved(0, self.t)
        return d * d if not self.d.ndim else mean(d * d, axis=-1)


class MeanAbsoluteErrorFn(Function):
    """mean(|p - t|) over the last axis; d/dp = sign(p - t) / n."""

    def forward(self, t, p):
        d, self.t = p - t, t
        self.sign = np.sign(d)
        self.n = d.shape[-1] if d.ndim else 1
        return np.abs(d).mean(axis=-1)

    def backward(self, g):
        gp = self.sign * (np.expand_dims(g, -1) / self.n)
        return (-gp if self.needs_input_grad(0) else None), gp

    def composite(self, t, p):
        return mean(abs(p - self.input_or_saved(0, self.t)), axis=-1)


class BinaryCrossentropyFn(Function):
    """mean over ``axis`` of -[t log p + (1 - t) log(1 - p)], p clipped to [eps, 1 - eps].

    d/dp = (p - t) / (p (1 - p)) inside the clip range (0 outside, as the clip is flat);
    d/dt = log(1 - p) - log(p).
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, p):
        eps = backend.epsilon()
        pc = np.clip(p, eps, 1 - eps)
        self.inside = (p >= eps) & (p <= 1 - eps)
        self.log_p, self.log_q = np.log(pc), np.log1p(-pc)
        self.pc, self.t = pc, t
        loss = -(t * self.log_p + (1 - t) * self.log_q)
        self.axis = _axis(self.axis, loss.ndim)
        self.n = loss.shape[self.axis]
        return loss.mean(axis=self.axis)

    def backward(self, g):
        g = np.expand_dims(g, self.axis) / self.n
        pc = self.pc
        gp = g * self.inside * (pc - self.t) / (pc * (1 - pc))
        gt = g * (self.log_q - self.log_p) if self.needs_input_grad(0) else None
        return gt, gp

    def composite(self, t, p):
        t, eps = self.input_or_saved(0, self.t), backend.epsilon()
        pc = clip(p, eps, 1 - eps)
        return mean(-(t * log(pc) + (1 - t) * log1p(-pc)), axis=self.axis)


class BinaryCrossentropyWithLogitsFn(Function):
    """The same loss with p = sigmoid(z), written so it never overflows:
    max(z, 0) - z t + log(1 + e^-|z|).  d/dz = sigmoid(z) - t;  d/dt = -z."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, z):
        self.t, self.z = t, z
        loss = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        self.axis = _axis(self.axis, loss.ndim)
        self.n = loss.shape[self.axis]
        return loss.mean(axis=self.axis)

    def backward(self, g):
        g = np.expand_dims(g, self.axis) / self.n
        gz = g * (_sigmoid(self.z) - self.t)
        gt = -g * self.z if self.needs_input_grad(0) else None
        return gt, gz

    def composite(self, t, z):  # softplus(z) - z t: the same, by an op that never overflows
        t, z = self.input_or_saved(0, self.t), self.input_or_saved(1, self.z)
        return mean(softplus(z) - z * t, axis=self.axis)


class CategoricalCrossentropyFn(Function):
    """-sum(t log q) over ``axis``, q = p / sum(p) clipped to [eps, 1 - eps].

    With G = dL/dq = -t / q (0 where clipped): dL/dp = (G - sum(G q)) / sum(p), the
    derivative of the normalisation; dL/dt = -log q.
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, p):
        eps = backend.epsilon()
        self.axis = _axis(self.axis, max(p.ndim, np.ndim(t)))
        self.s = p.sum(axis=self.axis, keepdims=True)
        self.q = p / self.s
        qc = np.clip(self.q, eps, 1 - eps)
        self.inside = (self.q >= eps) & (self.q <= 1 - eps)
        self.t, self.qc, self.log_q = t, qc, np.log(qc)
        return -(t * self.log_q).sum(axis=self.axis)

    def backward(self, g):
        g = np.expand_dims(g, self.axis)
        dq = -g * self.inside * self.t / self.qc
        gp = (dq - (dq * self.q).sum(axis=self.axis, keepdims=True)) / self.s
        gt = -g * self.log_q if self.needs_input_grad(0) else None
        return gt, gp

    def composite(self, t, p):
        t, eps = self.input_or_saved(0, self.t), backend.epsilon()
        q = clip(p / sum(p, axis=self.axis, keepdims=True), eps, 1 - eps)
        return -sum(t * log(q), axis=self.axis)


class CategoricalCrossentropyWithLogitsFn(Function):
    """-sum(t log_softmax(z)) over ``axis``.  d/dz = softmax(z) sum(t) - t;  d/dt = -log_softmax."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, t, z):
        self.axis = _axis(self.axis, max(z.ndim, np.ndim(t)))
        shifted = z - z.max(axis=self.axis, keepdims=True)  # no overflow in exp
        self.log_p = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.t = t
        return -(t * self.log_p).sum(axis=self.axis)

    def backward(self, g):
        g = np.expand_dims(g, self.axis)
        t = self.t
        gz = g * (np.exp(self.log_p) * t.sum(axis=self.axis, keepdims=True) - t)
        gt = -g * self.log_p if self.needs_input_grad(0) else None
        return gt, gz

    def composite(self, t, z):
        t = self.input_or_saved(0, self.t)
        return -sum(t * log_softmax(z, self.axis), axis=self.axis)


def _check_labels(labels, n_classes, valid):
    picked = labels[valid] if valid is not None else labels
    if picked.size and (picked.min() < 0 or picked.max() >= n_classes):
        raise ValueError(f"sparse_categorical_crossentropy: labels must lie in [0, "
                         f"{n_classes}) for predictions with {n_classes} classes; received "
                         f"values from {picked.min()} to {picked.max()}")


class SparseCategoricalCrossentropyFn(Function):
    """-log q[label], q = p / sum(p) clipped to [eps, 1 - eps]; the labels are integers.

    Only q[label] matters: dL/dp_k = c (delta_k,label - q_label) with c = -1 / (q_label sum p).
    Entries whose label is ``ignore_class`` get loss 0 and no gradient.
    """

    def __init__(self, ignore_class=None):
        self.ignore_class = ignore_class

    def forward(self, p, labels):
        eps = backend.epsilon()
        n_classes = p.shape[-1]
        p2, y = p.reshape(-1, n_classes), labels.reshape(-1)
        self.valid = None if self.ignore_class is None else y != self.ignore_class
        if self.valid is not None:
            y = np.where(self.valid, y, 0)
        _check_labels(y, n_classes, self.valid)
        rows = backend.get_array_module(p).arange(len(y))
        s = p2.sum(axis=1)
        q = p2[rows, y] / s
        qc = np.clip(q, eps, 1 - eps)
        loss = -np.log(qc)
        # everything backward needs, per row: c = -1 / (q s) where not clipped (or ignored)
        c = -((q >= eps) & (q <= 1 - eps)).astype(p.dtype) / (qc * s)
        if self.valid is not None:
            loss, c = loss * self.valid, c * self.valid
        self.c, self.q, self.rows, self.y, self.shape = c, q, rows, y, p.shape
        self.labels_shape = labels.shape
        return loss.reshape(labels.shape).astype(p.dtype, copy=False)

    def backward(self, g):
        c = self.c * g.reshape(-1)
        gp = backend.get_array_module(g).empty((len(c), self.shape[-1]), dtype=g.dtype)
        gp[...] = (-c * self.q)[:, None]
        gp[self.rows, self.y] += c
        return gp.reshape(self.shape), None

    def composite(self, p, labels):  # the labels are constants (saved)
        eps = backend.epsilon()
        p2 = reshape(p, (-1, self.shape[-1]))
        q = p2[self.rows, self.y] / sum(p2, axis=1)
        return reshape(_ignoring(-log(clip(q, eps, 1 - eps)), self.valid), self.labels_shape)


class SparseCategoricalCrossentropyWithLogitsFn(Function):
    """logsumexp(z) - z[label];  d/dz = softmax(z) - onehot(label)."""

    def __init__(self, ignore_class=None):
        self.ignore_class = ignore_class

    def forward(self, z, labels):
        n_classes = z.shape[-1]
        z2, y = z.reshape(-1, n_classes), labels.reshape(-1)
        self.valid = None if self.ignore_class is None else y != self.ignore_class
        if self.valid is not None:
            y = np.where(self.valid, y, 0)
        _check_labels(y, n_classes, self.valid)
        rows = backend.get_array_module(z).arange(len(y))
        m = z2.max(axis=1, keepdims=True)
        e = np.exp(z2 - m)  # shifted: no overflow
        s = e.sum(axis=1, keepdims=True)
        loss = (np.log(s) + m)[:, 0] - z2[rows, y]
        if self.valid is not None:
            loss = loss * self.valid
        self.e, self.s, self.rows, self.y, self.shape = e, s, rows, y, z.shape
        self.labels_shape = labels.shape
        return loss.reshape(labels.shape)

    def backward(self, g):
        p = self.e / self.s  # softmax (a new array: backward may run twice)
        p[self.rows, self.y] -= 1
        g = g.reshape(-1, 1)
        if self.valid is not None:
            g = g * self.valid[:, None]
        p *= g
        return p.reshape(self.shape), None

    def composite(self, z, labels):
        z2 = reshape(z, (-1, self.shape[-1]))
        loss = logsumexp(z2, axis=1) - z2[self.rows, self.y]
        return reshape(_ignoring(loss, self.valid), self.labels_shape)


def _ignoring(loss, valid):
    """``loss`` with the entries of ignore_class made 0 (a constant mask)."""
    return loss if valid is None else loss * valid.astype(loss.dtype)
