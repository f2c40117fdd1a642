"""Data-parallel fit over MPI on this machine: 2 ranks x 1 thread against 1 process x 1 thread.

Measures, and prints as a table (and JSON with ``--json PATH``):

1. the α-β parameters of loopback: medians of ``Allreduce`` on 2 ranks for 8 B .. 32 MiB,
   fitted to the ring model ``T(n) = 2(p-1) α + 2(p-1)/p · n β`` (p = 2: ``2α + nβ``);
2. for the Reuters LSTM and the Fashion-MNIST CNN (the seeds' models, synthetic data of the
   seeds' shapes, ``model.fit``): samples per second of 1 process at the seed's batch and of
   2 ranks each at the seed's batch (global batch twice as big), the share of the 2-rank
   step spent in the gradient allreduce, and peak memory (RSS) per process;
3. the cost model's prediction for the 2-rank run (``t_step = t_compute + T(bytes)``) and
   how far the measurement is from it.

    python benchmarks/bench_distributed.py [--steps 60] [--json results/distributed.json]

It needs ``pip install "saessak[distributed]"`` (mpi4py + Open MPI). The machine has 2 cores:
the 2-rank run uses both, so other jobs running at the same time slow it down more.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

# one thread per process, set before NumPy's BLAS starts its threads
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

WORKLOADS = {
    # name: (seed batch, what one rank trains on)
    "reuters_lstm": 20,
    "fashion_cnn": 32,
    "imdb_conv_lstm": 40,
}


def build(name):
    """The seed's model of ``name``, compiled (under whatever strategy scope is open)."""
    import saessak as keras
    from saessak import layers

    keras.backend.set_random_seed(0)
    if name == "reuters_lstm":
        model = keras.Sequential([layers.Embedding(1000, 100, input_shape=(100,)),
                                  layers.LSTM(100), layers.Dense(46, activation="softmax")])
    elif name == "imdb_conv_lstm":
        model = keras.Sequential([layers.Embedding(5000, 100, input_shape=(500,)),
                                  layers.Dropout(0.25),
                                  layers.Conv1D(64, 5, activation="relu"),
                                  layers.MaxPooling1D(4), layers.LSTM(55),
                                  layers.Dense(1, activation="sigmoid")])
    else:
        model = keras.Sequential([
            layers.Conv2D(32, 3, input_shape=(28, 28, 1)), layers.MaxPool2D(),
            layers.Conv2D(64, 3), layers.MaxPool2D(), layers.Conv2D(128, 3), layers.Flatten(),
            layers.Dense(128, activation="relu"), layers.Dropout(0.3),
            layers.Dense(10, activation="softmax")])
    loss = "binary_crossentropy" if name == "imdb_conv_lstm" else \
        "sparse_categorical_crossentropy"
    model.compile("adam", loss)
    return model


def data(name, n):
    r = np.random.default_rng(0)
    if name == "reuters_lstm":
        return r.integers(1, 1000, (n, 100)), r.integers(0, 46, n)
    if name == "imdb_conv_lstm":
        return r.integers(1, 5000, (n, 500)), r.integers(0, 2, (n, 1)).astype(np.float32)
    return r.random((n, 28, 28, 1), dtype=np.float32), r.integers(0, 10, n)


# --- what runs on each rank --------------------------------------------------------------
def worker_train(name, steps):
    """Train ``steps`` global batches (after 3 to warm up); print rank 0's figures as JSON."""
    import saessak as keras

    strategy = keras.distribute.MultiWorkerMirroredStrategy()
    ranks = strategy.num_replicas_in_sync
    batch = WORKLOADS[name] * ranks  # each rank trains on the seed's batch
    x, y = data(name, batch * (steps + 3))
    if ranks > 1:
        with strategy.scope():
            model = build(name)
    else:
        model = build(name)
    model.fit(x[:3 * batch], y[:3 * batch], batch_size=batch, verbose=0)  # warm-up
    reducer = strategy._reducer
    before = reducer.seconds
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(x[3 * batch:], y[3 * batch:], batch_size=batch, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    cpu_shares = strategy.world.allgather((time.process_time() - cpu) / seconds, "cpu share")
    allreduce = reducer.seconds - before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    peaks = strategy.world.allgather(peak, "peak memory")
    grad_bytes = sum(w.data.nbytes for w in model.trainable_weights)
    if strategy.cluster_resolver.task_id == 0:
        print(json.dumps({"workload": name, "ranks": ranks, "global_batch": batch,
                          "steps": steps, "seconds": seconds,
                          "samples_per_s": batch * steps / seconds,
                          "step_ms": 1e3 * seconds / steps,
                          "allreduce_ms": 1e3 * allreduce / steps,
                          "allreduce_share": allreduce / seconds,
                          "grad_bytes": grad_bytes, "peak_mib": peaks,
                          "cpu_share": cpu_shares}), flush=True)


def worker_alphabeta(repeats=30):
    """Median seconds of one Allreduce of n bytes on every rank; rank 0 prints JSON."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    sizes = [2 ** k for k in range(3, 26, 2)]
    out = {}
    for n in sizes:
        buf = np.ones(n // 4, dtype=np.float32)
        times = []
        for _ in range(repeats + 3):
            comm.Barrier()
            t0 = time.perf_counter()
            comm.Allreduce(MPI.IN_PLACE, buf)
            times.append(time.perf_counter() - t0)
        out[n] = float(np.median(times[3:]))
    if comm.Get_rank() == 0:
        print(json.dumps({"p": comm.Get_size(), "seconds": out}), flush=True)


# --- the driver --------------------------------------------------------------------------
def fit_alpha_beta(seconds, p=2):
    """α, β of ``T = 2(p-1) α + 2(p-1)/p · n β``, least squares in the relative error (so
    small and large messages count alike)."""
    n = np.array([float(k) for k in seconds])
    t = np.array(list(seconds.values()))
    a = np.stack([np.full_like(n, 2 * (p - 1)), 2 * (p - 1) / p * n], axis=1) / t[:, None]
    (alpha, beta), *_ = np.linalg.lstsq(a, np.ones_like(t), rcond=None)
    return float(alpha), float(beta)


def ring_allreduce_seconds(nbytes, p, alpha, beta):
    return 0.0 if p == 1 else 2 * (p - 1) * alpha + 2 * (p - 1) / p * nbytes * beta


EPOCH_ROWS = {"reuters_lstm": 8982, "fashion_cnn": 60000, "imdb_conv_lstm": 18750}
# Assumed networks (α, β): 10 Gbit/s Ethernet with TCP, 100 Gbit/s InfiniBand/RoCE (RDMA).
NETWORKS = {"10 Gbit/s": (25e-6, 8 / 10e9), "100 Gbit/s": (3e-6, 8 / 100e9)}
WORKERS = (1, 2, 8, 64, 512)


def scaling_table(name, step_s, grad_bytes, networks=NETWORKS, workers=WORKERS):
    """Markdown rows of the predicted scaling of ``name``: each worker trains the seed's
    batch per step (``step_s`` seconds of compute), then the ring allreduce of the
    gradients; an epoch is ``ceil(rows / (p * batch))`` such steps."""
    batch, rows = WORKLOADS[name], EPOCH_ROWS[name]
    epoch_1 = -(-rows // batch) * step_s
    lines = []
    for net, (alpha, beta) in networks.items():
        for p in workers:
            comm = ring_allreduce_seconds(grad_bytes, p, alpha, beta)
            steps = -(-rows // (p * batch))
            epoch = steps * (step_s + comm)
            lines.append(f"| {name} | {net} | {p} | {p * batch} | {steps} | "
                         f"{1e3 * comm:.2f} | {100 * step_s / (step_s + comm):.0f}% | "
                         f"{epoch:.2f} | {epoch_1 / epoch:.1f}x |")
    return lines


def _run(cmd, timeout=900):
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40, help="timed global batches")
    parser.add_argument("--workloads", default="reuters_lstm,fashion_cnn,imdb_conv_lstm")
    parser.add_argument("--json", default=None, help="also write the figures here")
    parser.add_argument("--worker", choices=["train", "alphabeta"], help=argparse.SUPPRESS)
    parser.add_argument("--workload", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "train":
        return worker_train(args.workload, args.steps)
    if args.worker == "alphabeta":
        return worker_alphabeta()

    from saessak.distribute import launch

    here = os.path.abspath(__file__)

    def on_ranks(n, *extra):
        cmd, env = launch.build_command(n, here, list(extra), threads=1)
        os.environ.update(env)
        return _run(cmd)

    ab = on_ranks(2, "--worker", "alphabeta")
    alpha, beta = fit_alpha_beta({int(k): v for k, v in ab["seconds"].items()})
    print(f"loopback, 2 ranks: alpha = {alpha * 1e6:.2f} us, beta = {beta * 1e9:.3f} ns/B "
          f"({1 / beta / 1e9:.2f} GB/s)")
    results = {"alpha_s": alpha, "beta_s_per_byte": beta, "allreduce": ab["seconds"],
               "workloads": []}
    for name in args.workloads.split(","):
        one = _run([sys.executable, here, "--worker", "train", "--workload", name,
                    "--steps", str(args.steps)])
        two = on_ranks(2, "--worker", "train", "--workload", name, "--steps", str(args.steps))
        predicted_ms = one["step_ms"] + 1e3 * ring_allreduce_seconds(two["grad_bytes"], 2,
                                                                     alpha, beta)
        predicted = two["global_batch"] / predicted_ms * 1e3
        # the machine is shared: a rank that got a fraction of a core ran that much slower,
        # so compare CPU-seconds per step too (wall time x the share of a core it had)
        cpu_one = one["step_ms"] * one["cpu_share"][0]
        cpu_two = two["step_ms"] * float(np.mean(two["cpu_share"]))
        cpu_predicted = cpu_one + 1e3 * ring_allreduce_seconds(two["grad_bytes"], 2, alpha,
                                                               beta)
        row = {"workload": name, "one": one, "two": two, "cpu_step_ms_one": cpu_one,
               "cpu_step_ms_two": cpu_two, "cpu_predicted_step_ms": cpu_predicted,
               "predicted_step_ms": predicted_ms, "predicted_samples_per_s": predicted,
               "measured_over_predicted": two["samples_per_s"] / predicted,
               "memory_ratio": max(two["peak_mib"]) / one["peak_mib"][0]}
        results["workloads"].append(row)
        print(f"{name}: 1 x batch {one['global_batch']}: {one['samples_per_s']:.0f} samples/s "
              f"({one['step_ms']:.1f} ms/step, peak {one['peak_mib'][0]:.0f} MiB); "
              f"2 ranks x {two['global_batch'] // 2}: {two['samples_per_s']:.0f} samples/s "
              f"({two['step_ms']:.1f} ms/step, allreduce {two['allreduce_ms']:.2f} ms = "
              f"{100 * two['allreduce_share']:.1f}%, peak "
              f"{'/'.join(f'{m:.0f}' for m in two['peak_mib'])} MiB, CPU "
              f"{'/'.join(f'{100 * c:.0f}%' for c in two['cpu_share'])} of wall time); speed-up "
              f"{two['samples_per_s'] / one['samples_per_s']:.2f}x; model predicts "
              f"{predicted:.0f} samples/s ({predicted_ms:.1f} ms/step): measured/predicted "
              f"{row['measured_over_predicted']:.2f}; memory per rank "
              f"{row['memory_ratio']:.2f}x one process; per full core: step {cpu_one:.1f} ms "
              f"(1 process), {cpu_two:.1f} ms (2 ranks), predicted {cpu_predicted:.1f} ms")
    print("| workload | network | workers | global batch | steps/epoch | allreduce ms | "
          "compute share | epoch s | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in results["workloads"]:  # compute: one process's step on a whole core
        print("\n".join(scaling_table(row["workload"], row["cpu_step_ms_one"] / 1e3,
                                       row["two"]["grad_bytes"])))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
