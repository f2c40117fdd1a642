"""Keras's distribution strategies, data-parallel over MPI processes.

A strategy is one replica per process. Create the model and ``compile`` it inside
``strategy.scope()``; ``fit``, ``evaluate`` and ``predict`` then run data-parallel (see
``saessak.distribute`` for what that means step by step):

>>> strategy = MultiWorkerMirroredStrategy()
>>> with strategy.scope():
...     model = keras.Sequential([...])
...     model.compile("adam", "sparse_categorical_crossentropy")
>>> model.fit(x, y, batch_size=64)       # 64 is the global batch, split over the ranks

Without an MPI launcher the world is this one process and everything runs as usual.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .allreduce import GradientReducer
from .comm import LocalWorld
from .comm import world as current_world

_REDUCE_OPS = ("SUM", "MEAN")


class MPIClusterResolver:
    """Who is who in the job: ``task_id`` (the MPI rank), ``num_workers`` (the number of
    ranks) and the host of each. Rank 0 is the chief (``task_type`` ``'chief'``)."""

    def __init__(self, world=None):
        self._world = world if world is not None else current_world()

    @property
    def task_id(self) -> int:
        return self._world.rank

    rank = task_id

    @property
    def num_workers(self) -> int:
        return self._world.size

    size = num_workers

    @property
    def task_type(self) -> str:
        return "chief" if self._world.rank == 0 else "worker"

    @property
    def is_chief(self) -> bool:
        return self._world.rank == 0

    def cluster_spec(self) -> dict:
        """``{'worker': [host of rank 0, host of rank 1, ...]}``."""
        return {"worker": list(self._world.host_names)}

    def __repr__(self):
        return f"<MPIClusterResolver task_id={self.task_id} num_workers={self.num_workers}>"


_stack: list = []  # the strategies whose scope is open, innermost last


class Strategy:
    """What every strategy offers; subclasses only check how the job is laid out."""

    def __init__(self, world=None):
        self._world = world if world is not None else current_world()
        self._cluster_resolver = MPIClusterResolver(self._world)
        self._reducer = GradientReducer(self._world)
        self._local_fraction = None  # this rank's share of the current global batch
        self._sync_optimizer = False  # broadcast the optimizer's state at the next step

    @property
    def num_replicas_in_sync(self) -> int:
        """The number of replicas (processes) whose gradients are averaged each step."""
        return self._world.size

    @property
    def cluster_resolver(self) -> MPIClusterResolver:
        return self._cluster_resolver

    @property
    def world(self):
        return self._world

    @contextlib.contextmanager
    def scope(self):
        """Models created and compiled inside train with this strategy."""
        _stack.append(self)
        try:
            yield self
        finally:
            _stack.remove(self)

    def run(self, fn, args=(), kwargs=None):
        """Run ``fn`` on this replica (each process is one replica)."""
        return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """``value`` (one per replica) summed or averaged over the replicas; with ``axis``
        it is first summed (or averaged) over that axis on each replica."""
        op = getattr(reduce_op, "name", reduce_op)
        op = str(op).upper().rsplit(".", 1)[-1]
        if op not in _REDUCE_OPS:
            raise ValueError(f"{type(self).__name__}.reduce: reduce_op must be 'SUM' or "
                             f"'MEAN', received {reduce_op!r}")
        a = np.asarray(getattr(value, "data", value), dtype=np.float64)
        count = 1 if axis is None else a.shape[axis]
        if axis is not None:
            a = a.sum(axis=axis)
        total = np.append(np.ravel(a), count).astype(np.float64)
        self._world.allreduce_(total, "strategy.reduce")
        out = total[:-1].reshape(np.shape(a))
        if op == "MEAN":
            out = out / (total[-1] if axis is not None else self.num_replicas_in_sync)
        return out if out.ndim else float(out)

    def gather(self, value, axis=0):
        """Every replica's ``value`` joined along ``axis`` (in rank order)."""
        parts = self._world.allgather(np.asarray(getattr(value, "data", value)),
                                      "strategy.gather")
        return np.concatenate(parts, axis=axis)

    def __repr__(self):
        return f"<{type(self).__name__} num_replicas_in_sync={self.num_replicas_in_sync}>"


class MultiWorkerMirroredStrategy(Strategy):
    """Data-parallel training over any number of hosts: one process per replica, started by
    an MPI launcher (``saessak launch``, ``mpirun``, ``srun --mpi=pmix``)."""

    def __init__(self, cluster_resolver=None, communication_options=None):
        super().__init__()
        if cluster_resolver is not None and not isinstance(cluster_resolver,
                                                           MPIClusterResolver):
            raise ValueError(f"MultiWorkerMirroredStrategy: the cluster comes from the MPI "
                             f"launcher; cluster_resolver must be None or an "
                             f"MPIClusterResolver, received {type(cluster_resolver).__name__}")


class MirroredStrategy(Strategy):
    """Data-parallel training on one machine: one process per replica, every process on
    the same host (use :class:`MultiWorkerMirroredStrategy` across hosts)."""

    def __init__(self, devices=None, cross_device_ops=None):
        super().__init__()
        if self._world.local_size != self._world.size:
            raise ValueError(f"MirroredStrategy: its {self._world.size} processes must all run "
                             f"on one host, but only {self._world.local_size} share this one; "
                             f"use MultiWorkerMirroredStrategy across hosts")


class _DefaultStrategy(Strategy):
    """The strategy outside any scope: this process alone."""

    def __init__(self):
        super().__init__(LocalWorld())


_default = None


def get_strategy() -> Strategy:
    """The strategy whose scope is open, else the default one (one replica)."""
    global _default
    if _stack:
        return _stack[-1]
    if _default is None:
        _default = _DefaultStrategy()
    return _default


def has_strategy() -> bool:
    """Whether a strategy's scope is open."""
    return bool(_stack)


def in_cross_replica_context() -> bool:
    """Keras's question; here code always runs in one replica's process, so it is the same
    as :func:`has_strategy`."""
    return has_strategy()
