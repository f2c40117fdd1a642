"""Average the gradients of all replicas with a few ``Allreduce`` calls on flat buffers.

One ``Allreduce`` per weight would pay the network's latency (α) once per weight, dozens
of times a step. Instead the gradients are copied into a few preallocated flat buffers
("buckets", about ``bucket_bytes`` each, one dtype per bucket), each bucket is summed over
the ranks with one non-blocking ``Iallreduce`` as soon as it is filled (so filling the next
bucket overlaps with sending this one), and the reduced gradients come back as views of
the buffers: no allocation per step.

The buckets are filled from the last weight to the first, the order in which backward
produces them; overlapping the sends with backward itself would need a per-weight
"gradient ready" hook in the autograd engine, which saessak does not have.

Each rank scales its gradient by its share of the global batch, ``n_local / n_global``,
before the sum, so that ``sum_r (n_r / N) * grad(mean loss over r's n_r samples)`` is the
gradient of the mean loss over all ``N`` samples: the update of one process with the whole
batch, also when the last batch does not split evenly.
"""

from __future__ import annotations

import time

import numpy as np

BUCKET_BYTES = 4 * 2**20  # a few MiB: big enough to amortise α, small enough to overlap


class GradientReducer:
    """Sum lists of arrays over the ranks of ``world`` through flat bucketed buffers.

    ``seconds`` and ``calls`` count the time spent and the ``Iallreduce`` calls made (for the
    allreduce share of a step in benchmarks).
    """

    def __init__(self, world, bucket_bytes=BUCKET_BYTES):
        if not isinstance(bucket_bytes, int) or bucket_bytes < 1:
            raise ValueError(f"GradientReducer: bucket_bytes must be a positive integer, "
                             f"received {bucket_bytes!r}")
        self.world, self.bucket_bytes = world, bucket_bytes
        self._signature = None
        self._buckets = []  # each: (flat buffer, [(index, offset, size, shape), ...])
        self.seconds, self.calls, self.bytes = 0.0, 0, 0

    def _layout(self, arrays):
        """Group the arrays, last first, into buckets of one dtype and ~bucket_bytes."""
        self._buckets = []
        open_by_dtype = {}  # dtype -> [entries, bytes so far]
        for i in reversed(range(len(arrays))):
            a = arrays[i]
            entries = open_by_dtype.setdefault(a.dtype.str, [[], 0])
            entries[0].append((i, a.size, a.shape))
            entries[1] += a.nbytes
            if entries[1] >= self.bucket_bytes:
                self._close(a.dtype, *open_by_dtype.pop(a.dtype.str))
        for dtype, (entries, nbytes) in open_by_dtype.items():
            self._close(np.dtype(dtype), entries, nbytes)

    def _close(self, dtype, entries, nbytes):
        buffer = np.empty(sum(size for _, size, _ in entries), dtype=dtype)
        placed, offset = [], 0
        for i, size, shape in entries:
            placed.append((i, offset, size, shape))
            offset += size
        self._buckets.append((buffer, placed))

    def reduce(self, arrays, scales):
        """``sum over ranks of scales[i] * arrays[i]``, for every i, as views of the buffers.

        ``scales`` holds one number per array (this rank's weight in the sum).
        """
        signature = tuple((a.shape, a.dtype.str) for a in arrays)
        if signature != self._signature:
            self._layout(arrays)
            self._signature = signature
        start = time.perf_counter()
        out = [None] * len(arrays)
        requests = []
        for buffer, placed in self._buckets:
            for i, offset, size, shape in placed:
                view = buffer[offset:offset + size].reshape(shape)
                np.multiply(arrays[i], scales[i], out=view)
                out[i] = view
            requests.append(self.world.start_allreduce_(buffer))
            self.bytes += buffer.nbytes
        self.world.wait(requests, "gradient allreduce")
        self.calls += len(requests)
        self.seconds += time.perf_counter() - start
        return out
