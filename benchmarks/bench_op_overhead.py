"""Framework overhead of one small op, forward + backward, next to raw NumPy and PyTorch.

    python benchmarks/bench_op_overhead.py

The op is ``y = (a * b).sum()`` on 16-element float32 vectors followed by ``backward()``:
the arithmetic is negligible, so the time is almost all bookkeeping (graph, wrappers).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import fmt_us, machine_line, median_time, try_import  # noqa: E402

import saessak  # noqa: E402
from saessak import Tensor  # noqa: E402

N_INNER = 2000


def numpy_step(a, b):
    # the same math by hand: forward a*b, sum; backward grads of a and b
    y = (a * b).sum()
    ga, gb = b * 1.0, a * 1.0
    return y, ga, gb


def main():
    a_np = np.random.rand(16).astype(np.float32)
    b_np = np.random.rand(16).astype(np.float32)

    def raw():
        for _ in range(N_INNER):
            numpy_step(a_np, b_np)

    a = Tensor(a_np, requires_grad=True)
    b = Tensor(b_np, requires_grad=True)

    def ours():
        for _ in range(N_INNER):
            a.grad = b.grad = None
            (a * b).sum().backward()

    def ours_mul_only():
        for _ in range(N_INNER):
            a * b

    raw_t, *_ = median_time(raw)
    our_t, *_ = median_time(ours)
    mul_t, *_ = median_time(ours_mul_only)
    raw_mul_t, *_ = median_time(lambda: [a_np * b_np for _ in range(N_INNER)])

    print(f"machine: {machine_line()}")
    print(f"{'workload':44s} {'per step':>11s}")
    print(f"{'NumPy by hand (mul+sum fwd, 2 grads)':44s} {fmt_us(raw_t / N_INNER)}")
    print(f"{'saessak (mul+sum fwd + backward)':44s} {fmt_us(our_t / N_INNER)}")
    per_op = (our_t - raw_t) / N_INNER / 2
    print(f"{'saessak overhead per op (2 ops, fwd+bwd)':44s} {fmt_us(per_op)}")
    print(f"{'saessak mul forward only vs raw a*b':44s} "
          f"{fmt_us(mul_t / N_INNER)} vs {fmt_us(raw_mul_t / N_INNER)}")

    torch = try_import("torch")
    if torch is None:
        print(f"{'PyTorch':44s} skipped (not installed)")
    else:
        torch.set_num_threads(1)
        ta = torch.tensor(a_np, requires_grad=True)
        tb = torch.tensor(b_np, requires_grad=True)

        def theirs():
            for _ in range(N_INNER):
                ta.grad = tb.grad = None
                (ta * tb).sum().backward()

        th_t, *_ = median_time(theirs)
        print(f"{'PyTorch (mul+sum fwd + backward)':44s} {fmt_us(th_t / N_INNER)}")
        print(f"{'ratio saessak / PyTorch':44s} {our_t / th_t:8.2f}")
    print(f"saessak {saessak.__version__}, NumPy {np.__version__}")


if __name__ == "__main__":
    main()
