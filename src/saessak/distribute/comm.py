"""The processes of a data-parallel run and the few collective calls they make, over MPI.

One process is one replica. Under an MPI launcher (``mpirun``, ``mpiexec``, ``srun
--mpi=pmix``, ``saessak launch``) the world is MPI's ``COMM_WORLD``; anywhere else it is a
world of one process, and ``mpi4py`` is never imported (so a plain run pays nothing).

Every blocking collective here waits with a deadline: MPI itself never times out, so a rank
that died or hung would leave the others waiting forever. The non-blocking call is polled
until it completes or ``SAESSAK_DISTRIBUTE_TIMEOUT`` seconds (default 300) pass; then the
rank prints what it was waiting for and aborts the whole job with ``MPI_Abort``.
"""

from __future__ import annotations

import os
import pickle
import socket
import sys
import time

import numpy as np

# Variables that MPI launchers set in every process they start (Open MPI, MPICH/Hydra,
# PMI-1/2, PMIx as used by ``srun --mpi=pmix``).
_LAUNCHER_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK",
                       "MPI_LOCALNRANKS", "HYDI_CONTROL_FD")
DEFAULT_TIMEOUT = 300.0


def launched_by_mpi() -> bool:
    """True when an MPI launcher started this process."""
    return any(name in os.environ for name in _LAUNCHER_VARIABLES)


def collective_timeout() -> float:
    """Seconds a collective may wait for the other ranks (``SAESSAK_DISTRIBUTE_TIMEOUT``)."""
    value = os.environ.get("SAESSAK_DISTRIBUTE_TIMEOUT", "")
    try:
        timeout = float(value) if value else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(f"SAESSAK_DISTRIBUTE_TIMEOUT must be a number of seconds, received "
                         f"{value!r}") from None
    if timeout <= 0:
        raise ValueError(f"SAESSAK_DISTRIBUTE_TIMEOUT must be positive, received {value!r}")
    return timeout


class LocalWorld:
    """A world of one process: every collective returns its input."""

    rank, size, local_size = 0, 1, 1
    hosts = None

    def allreduce_(self, buffer, what="allreduce"):
        return buffer

    def start_allreduce_(self, buffer):
        return None

    def wait(self, requests, what="allreduce"):
        return None

    def bcast(self, obj, what="broadcast"):
        return obj

    def bcast_array_(self, array, what="broadcast"):
        return array

    def allgather(self, obj, what="allgather"):
        return [obj]

    def abort(self, message, code=1):  # pragma: no cover - one process just raises
        raise RuntimeError(message)

    @property
    def host_names(self):
        return [socket.gethostname()]


class MPIWorld:
    """``COMM_WORLD`` with deadlines on every collective (see the module docstring)."""

    def __init__(self):
        try:
            from mpi4py import MPI
        except ImportError as err:
            raise ImportError("saessak.distribute: this process was started by an MPI "
                              "launcher but mpi4py is not installed; install it with "
                              "`pip install \"saessak[distributed]\"` (mpi4py + Open MPI)"
                              ) from err
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.local_size = self.comm.Split_type(MPI.COMM_TYPE_SHARED).Get_size()
        self._host_names = None

    # --- arrays, in place ------------------------------------------------------------------
    def start_allreduce_(self, buffer):
        """Begin summing ``buffer`` over all ranks, in place; returns the request."""
        return self.comm.Iallreduce(self.MPI.IN_PLACE, buffer, op=self.MPI.SUM)

    def wait(self, requests, what="allreduce"):
        """Wait for ``requests`` (a list), aborting the job when the deadline passes."""
        requests = [r for r in requests if r is not None]
        if not requests:
            return
        if self.MPI.Request.Testall(requests):
            return
        deadline = time.monotonic() + collective_timeout()
        pause = 0.0
        while not self.MPI.Request.Testall(requests):
            if time.monotonic() > deadline:
                self.abort(f"{what} did not complete within {collective_timeout():g} s: "
                           f"another rank has probably died or hung")
            if pause:  # spin first (a step's allreduce is short), then back off to 1 ms
                time.sleep(pause)
            pause = min(1e-3, pause * 2 if pause else 1e-5)

    def allreduce_(self, buffer, what="allreduce"):
        """Sum ``buffer`` (a contiguous array) over all ranks, in place."""
        self.wait([self.start_allreduce_(buffer)], what)
        return buffer

    def bcast_array_(self, array, what="broadcast"):
        """Overwrite ``array`` with rank 0's (a contiguous array of the same shape)."""
        self.wait([self.comm.Ibcast(array, root=0)], what)
        return array

    # --- Python objects (small: states, counts, logs), pickled into byte buffers ----------
    def bcast(self, obj, what="broadcast"):
        """Rank 0's ``obj`` on every rank."""
        data = pickle.dumps(obj) if self.rank == 0 else b""
        size = self.bcast_array_(np.array([len(data)], dtype=np.int64), what)
        buffer = np.frombuffer(data, np.uint8).copy() if self.rank == 0 else \
            np.empty(int(size[0]), np.uint8)
        return pickle.loads(self.bcast_array_(buffer, what).tobytes())

    def allgather(self, obj, what="allgather"):
        """``[obj of rank 0, obj of rank 1, ...]`` on every rank."""
        data = np.frombuffer(pickle.dumps(obj), np.uint8)
        sizes = np.empty(self.size, dtype=np.int64)
        self.wait([self.comm.Iallgather(np.array([data.size], np.int64), sizes)], what)
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        out = np.empty(int(offsets[-1]), np.uint8)
        self.wait([self.comm.Iallgatherv(data, [out, sizes, offsets[:-1], self.MPI.BYTE])],
                  what)
        return [pickle.loads(out[a:b].tobytes()) for a, b in zip(offsets[:-1], offsets[1:])]

    def abort(self, message, code=1):
        """Print ``message`` (naming this rank) and end every process of the job."""
        sys.stderr.write(f"saessak.distribute: rank {self.rank} of {self.size}: {message}; "
                         f"aborting the job\n")
        sys.stderr.flush()
        self.comm.Abort(code)

    @property
    def host_names(self):
        if self._host_names is None:
            self._host_names = self.allgather(self.MPI.Get_processor_name(), "host names")
        return self._host_names


_world = None


def world():
    """The world of this process: MPI's when launched by MPI, else one process."""
    global _world
    if _world is None:
        _world = MPIWorld() if launched_by_mpi() else LocalWorld()
    return _world
