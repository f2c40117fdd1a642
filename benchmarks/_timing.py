"""Shared timing helpers for the benchmarks: medians of repeated runs, peers when installed."""

from __future__ import annotations

import os
import platform
import statistics
import time

# every library's thread-count variable, read when the library loads
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def pin_threads(threads):
    """Set every library's thread count: before NumPy (and its BLAS) is imported."""
    for var in THREAD_VARIABLES:
        os.environ[var] = str(threads)


def median_time(fn, repeat=7, number=1, warmup=1):
    """Median, min and max seconds of ``number`` calls of ``fn``, over ``repeat`` runs."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number)
    return statistics.median(runs), min(runs), max(runs)


def try_import(name):
    """The module, or None when the optional peer is not installed."""
    try:
        return __import__(name)
    except Exception:
        return None


def machine_line():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def fmt_us(seconds):
    return f"{seconds * 1e6:8.2f} us"
