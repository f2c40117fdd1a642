"""Data-parallel training over MPI, with Keras's strategy API (``tf.distribute``'s names).

One process is one replica; an MPI launcher starts them (``saessak launch -n 4 train.py``,
``mpirun``, ``srun --mpi=pmix``). Under ``strategy.scope()`` the user's unchanged
``compile`` / ``fit`` train data-parallel:

1. at the first batch of ``fit`` every rank takes rank 0's weights, and at the first update
   rank 0's optimizer state (so a resumed or pre-trained model starts alike everywhere);
2. ``batch_size`` is the global batch: every rank walks the same global batches and keeps
   its own contiguous shard (``sharding``);
3. after backward the optimizer sums ``(n_local / N) * gradient`` over the ranks in a few
   flat buffers (``allreduce``), so each rank applies the update that one process would
   make with the whole batch;
4. the epoch's logs are averaged over the ranks before callbacks see them; the progress bar
   and the callbacks that write files run on rank 0 (``callbacks``);
5. ``evaluate`` shards and averages; ``predict`` shards and gathers the outputs in order.

BatchNormalization keeps per-replica batch statistics by default, as Keras does (its moving
averages are averaged over the replicas at every step); ``BatchNormalization(
synchronized=True)`` uses the statistics of the whole global batch instead.

Without an MPI launcher, or with one rank, nothing changes, and ``mpi4py`` is not imported.
"""

from .. import _distribution
from . import hooks
from .comm import launched_by_mpi
from .strategy import (
    MirroredStrategy,
    MPIClusterResolver,
    MultiWorkerMirroredStrategy,
    Strategy,
    get_strategy,
    has_strategy,
    in_cross_replica_context,
)

__all__ = ["MirroredStrategy", "MultiWorkerMirroredStrategy", "MPIClusterResolver",
           "Strategy", "get_strategy", "has_strategy", "in_cross_replica_context",
           "launched_by_mpi"]

_distribution.install_loop_hooks(hooks)  # the training loop calls these from now on
