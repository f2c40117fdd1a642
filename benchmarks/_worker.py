"""One framework running one workload in its own process, driven by ``run.py`` over a pipe.

    python benchmarks/_worker.py --framework saessak --workload reuters_lstm --threads 1

The worker builds the model, trains ``--warmup`` steps (weights, optimizer slots, traced
graphs, JIT caches), answers ``{"ok": true, ...}`` and then waits for commands, one JSON
object per line on stdin, answering each with one JSON line:

* ``{"op": "time", "steps": n}``: train n steps, answer the seconds they took;
* ``{"op": "predict", "batch": b, "samples": k}``: ``predict`` on k samples in batches of
  b (the model in inference mode), answer the seconds;
* ``{"op": "profile", "steps": n, "top": k}``: the same under cProfile, answer the k
  functions with the most time of their own (share of the profiled total);
* ``{"op": "rss"}``: this process's peak resident memory so far (``getrusage``);
* ``{"op": "quit"}``.

Framework ``saessak`` trains through ``model.fit`` (one ``fit`` call of n batches per
``time``: data adapter, metrics, callbacks and progress bar included), as users train;
``saessak_step`` runs the hand-written train step on the same layers, so the difference is
what the training loop costs.

Its own process per framework keeps the peak RSS per framework and keeps the libraries
from sharing thread pools; ``run.py`` makes the workers take turns, so only one computes at a
time. The answers go to a private copy of stdout; whatever the libraries print goes to
stderr (which ``run.py`` keeps in a log).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import pin_threads  # noqa: E402


def _short_path(filename):
    for marker in ("/src/", "/site-packages/", "/benchmarks/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _label(func):
    """'name (package/module.py:line)' for Python functions, the name for built-ins."""
    filename, line, name = func
    if filename == "~":
        return name
    return f"{name} ({_short_path(filename)}:{line})"


def time_by_file(stats, top):
    """Own time summed per source file (built-ins, i.e. C functions called by name, as one
    group): the ``top`` files as (file, share)."""
    total = stats.total_tt or 1.0
    files = {}
    for (filename, _, _), (_, _, tt, _, _) in stats.stats.items():
        key = "built-ins" if filename == "~" else _short_path(filename)
        files[key] = files.get(key, 0.0) + tt
    ranked = sorted(files.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return [{"file": name, "own": tt / total} for name, tt in ranked]


def hot_spots(stats, top):
    """The ``top`` functions by own time: label, own share, cumulative share, calls."""
    total = stats.total_tt or 1.0
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    return [{"function": _label(func), "own": tt / total, "cumulative": ct / total,
             "calls": nc} for func, (cc, nc, tt, ct, callers) in rows]


def _versions(framework):
    import numpy as np
    found = {"numpy": np.__version__, "python": sys.version.split()[0]}
    if framework.startswith("saessak"):
        import saessak
        found["saessak"] = saessak.__version__
        try:
            import numba
            found["numba"] = numba.__version__
        except ImportError:
            found["numba"] = "not installed"
    elif framework == "pytorch":
        import torch
        found["torch"] = torch.__version__
    else:
        import keras
        import tensorflow as tf
        found["keras"], found["tensorflow"] = keras.__version__, tf.__version__
    return found


def _threads_in_use(framework):
    """The thread count the framework itself reports (Keras: None, TensorFlow has no
    getter for a running session's pool)."""
    if framework.startswith("saessak"):
        import saessak
        return saessak.config.get_num_threads()
    if framework == "pytorch":
        import torch
        return torch.get_num_threads()
    return None


def _import_framework(framework, threads):
    if framework.startswith("saessak"):
        import saessak
        # saessak's fit/evaluate/predict run with subnormal floats flushed to zero (FTZ/DAZ,
        # as TensorFlow's threads do); the hand-written train steps here run the same way.
        saessak.backend.flush_denormal(True)
        # set, as for the peers: NumPy's BLAS read its thread count from the environment
        # when this module imported NumPy, before main() pinned the count asked for
        saessak.config.set_num_threads(threads)
    elif framework == "pytorch":
        import torch
        torch.set_num_threads(threads)
    elif framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        import keras  # noqa: F401


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--pool", type=int, default=4, help="distinct batches to cycle")
    args = parser.parse_args(argv)
    pin_threads(args.threads)

    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # C libraries that print to fd 1 now print to stderr
    sys.stdout = sys.stderr

    def answer(**reply):
        answers.write(json.dumps(reply) + "\n")
        answers.flush()

    try:
        _import_framework(args.framework, args.threads)
        from workloads import builder_of, get_workload
        workload = get_workload(args.workload)
        build = builder_of(workload, args.framework)
        if build is None:
            answer(ok=False, missing=True, error=f"no {args.framework} version of this workload")
            return
        step = build(workload.params)
        if step is None:
            raise ImportError(f"{args.framework} is not installed")
        if args.framework == "saessak":
            if not hasattr(step, "as_fit"):
                answer(ok=False, missing=True, error="no fit version of this workload")
                return
            step = step.as_fit()
        batches = workload.batches(args.pool)
        start = time.perf_counter()
        for i in range(args.warmup):
            step(*batches[i % len(batches)])
        warmup = time.perf_counter() - start
    except ImportError as error:
        answer(ok=False, missing=True, error=f"{type(error).__name__}: {error}")
        return
    except Exception as error:  # a broken build is reported, never hidden
        traceback.print_exc()
        answer(ok=False, missing=False, error=f"{type(error).__name__}: {error}")
        return
    count = getattr(step, "count_params", None)
    answer(ok=True, warmup_s=warmup, versions=_versions(args.framework), pid=os.getpid(),
           params=int(count()) if count else None, threads=_threads_in_use(args.framework))

    cursor = args.warmup
    joined = {}  # (first batch, n) -> the n batches as one array pair, for fit

    def prepare(n):
        """A function training the next n batches; the arrays for fit are joined before it
        is timed."""
        nonlocal cursor
        first, cursor = cursor, cursor + n
        if not hasattr(step, "fit"):
            def train():
                for i in range(first, first + n):
                    step(*batches[i % len(batches)])
            return train
        key = (first % len(batches), n)
        if key not in joined:
            chosen = [batches[i % len(batches)] for i in range(first, first + n)]
            joined[key] = tuple(np.concatenate(part) for part in zip(*chosen))
        x, y = joined[key]
        return lambda: step.fit(x, y, len(batches[0][0]))

    def inputs(samples):
        """``samples`` rows of inputs, cycling through the batches."""
        rows = np.concatenate([b[0] for b in batches])
        return rows[np.arange(samples) % len(rows)]

    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        try:
            if op == "time":
                train = prepare(command["steps"])
                start = time.perf_counter()
                train()
                answer(ok=True, seconds=time.perf_counter() - start)
            elif op == "predict":
                if not hasattr(step, "predict"):
                    answer(ok=False, missing=True, error="no predict in this step")
                    continue
                x = inputs(command["samples"])
                step.predict(x[:command["batch"]], command["batch"])  # warm-up, new shapes
                start = time.perf_counter()
                step.predict(x, command["batch"])
                answer(ok=True, seconds=time.perf_counter() - start)
            elif op == "profile":
                profiler = cProfile.Profile()
                train = prepare(command["steps"])
                start = time.perf_counter()
                profiler.runcall(train)
                elapsed = time.perf_counter() - start
                stats = pstats.Stats(profiler)
                answer(ok=True, seconds=elapsed, rows=hot_spots(stats, command.get("top", 8)),
                       files=time_by_file(stats, 5))
            elif op == "rss":
                # ru_maxrss is in kilobytes on Linux (bytes on macOS)
                scale = 1 if sys.platform == "darwin" else 1024
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
                answer(ok=True, max_rss_mb=peak / 2**20)
            elif op == "quit":
                answer(ok=True)
                return
            else:
                answer(ok=False, error=f"unknown op {op!r}")
        except Exception as error:
            traceback.print_exc()
            answer(ok=False, error=f"{type(error).__name__}: {error}")


if __name__ == "__main__":
    main()
