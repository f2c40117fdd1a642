"""Each rank's shard of every global batch.

Every rank walks the same sequence of global batches (the arrays shuffled by the same
permutation: rank 0's random state is given to every rank at the start of each epoch; a
generator or ``Dataset`` must yield the same batches on every rank) and keeps a contiguous
slice of each, the sizes differing by at most one: with ``n`` samples and ``p`` ranks, rank
``r`` takes rows ``[n*r // p, n*(r+1) // p)``. This is Keras's "shard by data" policy: no
rank needs to know where the others' data lives.

A global batch smaller than the number of ranks leaves some ranks nothing to do; such a rank
repeats the batch's first sample with weight zero in the gradient average (it must still
join the ``Allreduce``) and reports no samples.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from .._distribution import set_training_strategy
from ..autograd import no_grad
from ..training.data_adapter import ArrayAdapter, _map, num_samples


def shard_bounds(n, rank, size):
    """Rows ``[start, stop)`` of rank ``rank`` in a batch of ``n`` samples."""
    return n * rank // size, n * (rank + 1) // size


def _slice(structure, index):
    return None if structure is None else _map(lambda a: a[index], structure)


class ShardedAdapter:
    """Wrap a data adapter (``batches()``, ``steps``) so that it yields this rank's shards.

    ``samples`` counts the real samples this rank took in the current pass (for reducing
    the logs), ``local_sizes`` the real size of each shard of the pass (for ``predict``).
    """

    def __init__(self, inner, strategy, model=None, training=False):
        self.inner, self.strategy, self.model, self.training = inner, strategy, model, training
        self.steps = inner.steps
        self.samples, self.local_sizes = 0, []
        self._first = True  # the first batch of a fit call synchronises the weights

    def batches(self):
        world = self.strategy.world
        rank, size = world.rank, world.size
        rng = _sync_random_state(world)
        self.samples, self.local_sizes = 0, []
        jump = rank > 0 and isinstance(self.inner, ArrayAdapter)
        if self.training:
            set_training_strategy(self.strategy)
        try:
            yield from self._shards(rank, size, rng, jump)
        finally:
            if self.training:
                self.strategy._local_fraction = None
                set_training_strategy(None)

    def _shards(self, rank, size, rng, jump):
        for x, y, w in self.inner.batches():
            if jump:  # the permutation is drawn: from here on each rank draws its own
                rng.bit_generator.state = rng.bit_generator.jumped(rank).state
                jump = False
            n = num_samples(x, y, w)
            start, stop = shard_bounds(n, rank, size)
            real = stop - start
            if real == 0:  # fewer samples than ranks: join in with a zero-weight copy
                start, stop = 0, 1
            self.samples += real
            self.local_sizes.append(real)
            index = slice(start, stop)
            x, y, w = _slice(x, index), _slice(y, index), _slice(w, index)
            if self.training:
                self.strategy._local_fraction = real / n if n else 0.0
                if self._first:
                    self._first = False
                    self._synchronise(x)
            yield x, y, w

    def _synchronise(self, x):
        """Build the model if the data must show its shape, then give every rank rank 0's
        weights; the optimizer's state follows at the first update."""
        model = self.model
        if not model.built:
            with no_grad():
                model(x)
        broadcast_weights(self.strategy.world, model.weights)
        self.strategy._sync_optimizer = True


def broadcast_weights(world, weights):
    """Overwrite every weight with rank 0's (one flat buffer per dtype, one broadcast each)."""
    by_dtype = {}
    for w in weights:
        by_dtype.setdefault(w.data.dtype.str, []).append(w)
    for dtype, group in by_dtype.items():
        flat = np.concatenate([w.data.ravel() for w in group]).astype(dtype, copy=False)
        world.bcast_array_(flat, "weight broadcast")
        offset = 0
        for w in group:
            w.data[...] = flat[offset:offset + w.data.size].reshape(w.data.shape)
            offset += w.data.size


def _sync_random_state(world):
    """Give every rank rank 0's global random state (so the arrays shuffle alike)."""
    rng = backend.rng()
    state = world.bcast(rng.bit_generator.state if world.rank == 0 else None,
                        "random state broadcast")
    rng.bit_generator.state = state
    return rng
