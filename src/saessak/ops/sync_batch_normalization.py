"""Synchronised batch normalization: the statistics of the whole global batch.

By default each replica normalizes with the mean and variance of its own shard, as Keras
does. ``BatchNormalization(synchronized=True)`` makes every replica use the statistics of
the global batch instead, so a data-parallel step is the same as one process's step with
the whole batch. Per channel, with ``r`` over the ranks and ``M = sum_r m_r`` values:

    mean = sum_r sum(x_r) / M            var = sum_r sum((x_r - mean)^2) / M

(two small ``Allreduce`` calls; the second one centres first, as one process does). Going
back, the input gradient needs the two sums of the single-process formula over the global
batch. The loss each rank differentiates is the mean over its own shard, ``L_r``, and the
global loss is ``L = sum_r f_r L_r`` with ``f_r = m_r / M`` (the weights with which the
optimizer averages the gradients), so

    S1 = sum_r f_r sum(dxhat_r)          S2 = sum_r f_r sum(dxhat_r * xhat_r)
    dx_r = dxhat_r / sigma - (S1 + xhat_r * S2) / (sigma * M * f_r)

is ``dL/dx_r`` divided by ``f_r``: the same scale as every other gradient of rank ``r``,
which the optimizer multiplies by ``f_r`` before summing.
"""

from __future__ import annotations

import numpy as np

from .._distribution import training_strategy
from .batch_normalization import BatchNormTrain, batch_norm_train


class SyncBatchNormTrain(BatchNormTrain):
    """``BatchNormTrain`` with its sums taken over every rank of ``world``; ``fraction`` is
    this rank's share of the global batch (0 for a rank that only holds a placeholder)."""

    composite = None  # its statistics span every rank: no single-process composite

    def __init__(self, world, fraction, axis=-1, epsilon=1e-3, weights=None, has_gamma=True,
                 has_beta=True):
        super().__init__(axis, epsilon, weights, has_gamma, has_beta)
        self.world, self.fraction = world, fraction

    def _sum(self, a, what):
        """Per-channel sums ``a`` (keepdims) of every rank, this rank's counted only when it
        holds real samples."""
        total = np.ascontiguousarray(a * (1.0 if self.fraction else 0.0), dtype=np.float64)
        return self.world.allreduce_(total, what).astype(a.dtype, copy=False)

    def statistics(self, x, axis, reduce, shape, w):
        """The global batch's ``(count, mean, x - mean, var)``: this rank's sums and counts
        added over every rank (two small allreduces: the variance centres first)."""
        full = tuple(1 if a in axis else n for a, n in enumerate(x.shape))
        count = np.broadcast_to(np.ones((), x.dtype) if w is None else w, full).sum(
            axis=reduce, keepdims=True) * np.ones(shape, x.dtype)
        local = x.sum(axis=reduce, keepdims=True) if w is None else \
            (x * w).sum(axis=reduce, keepdims=True)
        both = self._sum(np.concatenate([local, count], axis=axis[0]),
                         "synchronised batch norm (mean)")
        total, count = np.split(both, 2, axis=axis[0])
        mean = total / count
        centered = x - mean
        squares = centered * centered if w is None else centered * centered * w
        var = self._sum(squares.sum(axis=reduce, keepdims=True),
                        "synchronised batch norm (variance)") / count
        return count, mean, centered, var

    def backward(self, g):
        xhat, inv, reduce, f = self.xhat, self.inv, self.reduce, self.fraction
        dgamma = (g * xhat).sum(axis=reduce, keepdims=True)
        if self.gamma is None:
            dxhat, s2 = g, dgamma
        else:
            dxhat, s2 = g * self.gamma, dgamma * self.gamma
        s1 = dxhat.sum(axis=reduce, keepdims=True)
        axis = next(a for a in range(g.ndim) if a not in reduce)
        both = self._sum(np.concatenate([s1, s2], axis=axis) * f,
                         "synchronised batch norm (gradient)")
        s1, s2 = np.split(both, 2, axis=axis)
        if f:
            share = inv / (self.count * f)
            if self.w is not None:
                share = self.w * share
            dx = dxhat * inv - share * (s1 + xhat * s2)
        else:  # a placeholder sample: its gradient is weighted by zero anyway
            dx = np.zeros_like(g)
        grads = [dx]
        if self.has_gamma:
            grads.append(dgamma.reshape(-1))
        if self.has_beta:
            grads.append(g.sum(axis=reduce).reshape(-1))
        return tuple(grads)


def batch_norm_train_synchronized(x, gamma=None, beta=None, axis=-1, epsilon=1e-3,
                                  weights=None):
    """``batch_norm_train`` over the global batch while a data-parallel ``fit`` with more
    than one replica runs; otherwise exactly ``batch_norm_train``."""
    strategy = training_strategy()
    if strategy is None:
        return batch_norm_train(x, gamma, beta, axis, epsilon, weights)
    fraction = strategy._local_fraction
    fn = SyncBatchNormTrain(strategy.world, fraction, axis, epsilon, weights,
                            gamma is not None, beta is not None)
    y = fn(x, *[p for p in (gamma, beta) if p is not None])
    return y, fn.mean, fn.var
