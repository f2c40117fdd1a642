"""Check analytic gradients against central finite differences, in float64."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import backend
from .tensor import Tensor, no_grad


@dataclass
class GradCheckResult:
    """The outcome of :func:`grad_check`; true when every gradient agreed."""

    ok: bool
    max_error: float  # worst |analytic - numeric| / max(|analytic|, |numeric|, floor)
    input_index: int | None  # which input (or ``wrt`` tensor, counted after the inputs)
    position: tuple | None  # where in that input
    analytic: float | None
    numeric: float | None
    checked: int  # how many scalar partial derivatives were compared

    def __bool__(self):
        return self.ok

    def __str__(self):
        where = "" if self.position is None else (
            f" at input {self.input_index}{list(self.position)}: analytic {self.analytic:.6g}"
            f" vs numeric {self.numeric:.6g}")
        return (f"grad_check {'passed' if self.ok else 'FAILED'}: worst relative error "
                f"{self.max_error:.3g}{where} ({self.checked} partials)")


def grad_check(fn, *inputs, wrt=None, eps=1e-6, tol=1e-5, floor=1e-3, seed=0,
               max_checks=None) -> GradCheckResult:
    """Compare the gradients of ``fn(*inputs)`` with central differences.

    ``inputs`` are arrays (turned into float64 Tensors that require grad) or Tensors.
    ``wrt`` lists more Tensors that ``fn`` reads without taking them as arguments, such as a
    layer's weights. A non-scalar output is projected onto a fixed random direction ``r``,
    so the check covers every output: L = sum(r * fn(x)). ``max_checks`` samples that many
    positions per tensor instead of all of them (for big tensors).
    """
    if wrt is not None and len(wrt) == 0:
        raise ValueError("grad_check: wrt= was given but is empty (is the layer built yet?); "
                         "call the layer once before collecting its weights")
    rng = np.random.default_rng(seed)
    tensors = [x if isinstance(x, Tensor) else Tensor(np.asarray(x, np.float64),
                                                      requires_grad=True) for x in inputs]
    params = tensors + list(wrt or ())
    for i, p in enumerate(params):
        if p.dtype != np.float64:
            raise TypeError(f"grad_check: input {i} is {p.dtype}; checks need float64 "
                            "(build layers inside backend.floatx_scope('float64'))")
        p.requires_grad = True

    directions = []

    def objective():
        out = fn(*tensors)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        if not directions:
            directions.extend(rng.standard_normal(o.shape) for o in outs)
        total = None
        for o, r in zip(outs, directions):
            term = (o * r).sum()
            total = term if total is None else total + term
        return total

    for p in params:
        p.grad = None
    objective().backward()
    analytic = [np.zeros(p.shape) if p.grad is None else backend.to_numpy(p.grad).copy()
                for p in params]

    worst = GradCheckResult(True, 0.0, None, None, None, None, 0)
    with no_grad():
        for i, p in enumerate(params):
            data = p.data  # perturbed in place, by index: works for any memory layout
            positions = np.arange(data.size)
            if max_checks is not None and data.size > max_checks:
                positions = rng.choice(data.size, max_checks, replace=False)
            for j in positions:
                at = np.unravel_index(j, data.shape)
                old = data[at]
                data[at] = old + eps
                up = float(objective().data)
                data[at] = old - eps
                down = float(objective().data)
                data[at] = old
                numeric = (up - down) / (2 * eps)
                a = float(analytic[i].reshape(-1)[j])
                err = abs(a - numeric) / max(abs(a), abs(numeric), floor)
                worst.checked += 1
                if err > worst.max_error:
                    worst.max_error, worst.input_index = err, i
                    worst.position = tuple(int(k) for k in at)
                    worst.analytic, worst.numeric = a, numeric
    worst.ok = worst.max_error <= tol
    return worst
