"""One training epoch of the seed's Fashion-MNIST CNN (example 6.10): saessak vs peers.

Model (seed 000, example 6.10, 241,546 parameters):
    Conv2D(32, 3) -> MaxPool2D -> Conv2D(64, 3) -> MaxPool2D -> Conv2D(128, 3) -> Flatten
    -> Dense(128, relu) -> Dropout(0.3) -> Dense(10, softmax)
Workload: 28x28x1 images, batch 32 (Keras's default, as the seed's ``fit`` uses), forward +
backward + Adam, float32 on the CPU. An epoch of 60,000 images is 1,875 batches; by default
the script times ``--batches`` of them (repeated, median taken) and extrapolates to the
epoch, saying so. ``--full`` times the whole epoch once instead. Data are random images
(speed does not depend on the pixels); PyTorch and Keras (TensorFlow backend, timed through
its own ``model.fit``) run the same network in the same process when installed, else they
are reported as skipped.

    python benchmarks/bench_cnn.py [--batches 100] [--repeat 5] [--full]

Every framework uses its default threads (all cores); to compare on one core, run with
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1. On a machine shared with other jobs, multi-threaded
BLAS slows down many times over: read figures from a quiet machine only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine_line, try_import  # noqa: E402

import saessak  # noqa: E402
from saessak import layers, losses, optimizers  # noqa: E402

BATCH, EPOCH_IMAGES = 32, 60000
STEPS_PER_EPOCH = EPOCH_IMAGES // BATCH + (EPOCH_IMAGES % BATCH > 0)


def data(n):
    rng = np.random.default_rng(0)
    return rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)


def _layer(name, module):
    """``layers.<name>``; while it is not registered yet, from its own module."""
    import importlib
    return getattr(layers, name, None) or getattr(
        importlib.import_module(f"saessak.layers.{module}"), name)


def saessak_step_fn():
    Flatten, Dropout = _layer("Flatten", "reshaping"), _layer("Dropout", "dropout")
    net = [layers.Conv2D(32, (3, 3)), layers.MaxPool2D(strides=(2, 2)),
           layers.Conv2D(64, (3, 3)), layers.MaxPool2D(strides=(2, 2)),
           layers.Conv2D(128, (3, 3)), Flatten(), layers.Dense(128, activation="relu"),
           Dropout(0.3), layers.Dense(10)]  # softmax folded into the loss
    x = np.zeros((1, 28, 28, 1), np.float32)
    for layer in net:
        x = layer(x)
    params = [w for layer in net for w in layer.trainable_weights]
    assert sum(p.size for p in params) == 241546
    opt = optimizers.Adam()

    def step(xb, yb):
        with saessak.layers.learning_phase(True):
            h = xb
            for layer in net:
                h = layer(h)
        loss = losses.sparse_categorical_crossentropy(yb, h, from_logits=True).mean()
        for p in params:
            p.grad = None
        loss.backward()
        opt.step(params)

    def as_fit():  # the same built layers trained through fit, as the seed compiles them
        from bench_rnn import saessak_fit_step
        return saessak_fit_step(net, losses.SparseCategoricalCrossentropy(from_logits=True),
                                ["accuracy"])

    step.count_params = lambda: sum(p.size for p in params)
    step.as_fit = as_fit
    return step


def torch_step_fn(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                          nn.MaxPool2d(2), nn.Conv2d(64, 128, 3), nn.Flatten(),
                          nn.Linear(1152, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
    assert sum(p.numel() for p in model.parameters()) == 241546
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def step(xb, yb):
        xb = torch.from_numpy(xb).permute(0, 3, 1, 2)  # NCHW, as PyTorch expects
        yb = torch.from_numpy(yb)
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

    def predict(x, batch_size):  # inference mode, NCHW
        model.eval()
        with torch.no_grad():
            out = [model(torch.from_numpy(x[i:i + batch_size]).permute(0, 3, 1, 2))
                   for i in range(0, len(x), batch_size)]
        model.train()
        return out

    step.predict = predict
    step.count_params = lambda: sum(p.numel() for p in model.parameters())
    return step


def keras_cnn(keras):
    """The same network in Keras (softmax output, sparse cross-entropy, Adam), compiled."""
    model = keras.Sequential([
        keras.layers.Input((28, 28, 1)), keras.layers.Conv2D(32, (3, 3)),
        keras.layers.MaxPool2D(strides=(2, 2)), keras.layers.Conv2D(64, (3, 3)),
        keras.layers.MaxPool2D(strides=(2, 2)), keras.layers.Conv2D(128, (3, 3)),
        keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.3), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def keras_step_fn(tf):
    model = keras_cnn(tf.keras)

    def run(xs, ys):  # Keras's own loop over the batches: what model.fit costs a user
        model.fit(xs, ys, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)

    return run


def per_batch(step):
    """Turn a one-batch step into a function that trains on every batch of its arrays."""
    def run(xs, ys):
        for j in range(0, len(xs), BATCH):
            step(xs[j:j + BATCH], ys[j:j + BATCH])
    return run


def time_batches(runs, x, y, n_batches, repeat):
    """Median, min and max seconds per batch of each runner, over ``repeat`` rounds of
    ``n_batches`` consecutive batches. The runners take turns within each round, so a
    change in the machine's load touches them all alike."""
    for run in runs.values():
        run(x[:2 * BATCH], y[:2 * BATCH])  # warm up (first-call allocations, tracing)
    times = {name: [] for name in runs}
    for r in range(repeat):
        part = slice(r * n_batches * BATCH, (r + 1) * n_batches * BATCH)
        for name, run in runs.items():
            t0 = time.perf_counter()
            run(x[part], y[part])
            times[name].append((time.perf_counter() - t0) / n_batches)
    return {name: (statistics.median(t), min(t), max(t)) for name, t in times.items()}


def time_epoch(run, x, y):
    run(x[:2 * BATCH], y[:2 * BATCH])
    t0 = time.perf_counter()
    run(x, y)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="time one whole epoch")
    args = parser.parse_args()

    print(f"machine: {machine_line()}")
    if args.full:
        x, y = data(EPOCH_IMAGES)
        print(f"one full epoch: {EPOCH_IMAGES} images, batch {BATCH}, {STEPS_PER_EPOCH} steps")
    else:
        x, y = data(BATCH * args.batches * args.repeat)
        print(f"{args.batches} batches of {BATCH} x {args.repeat} runs (median), "
              f"extrapolated to one epoch of {STEPS_PER_EPOCH} batches")

    peers = {"saessak": lambda: per_batch(saessak_step_fn())}
    torch = try_import("torch")
    if torch is not None:
        peers["pytorch"] = lambda: per_batch(torch_step_fn(torch))
    tf = try_import("tensorflow")
    if tf is not None:
        peers["keras (tf)"] = lambda: keras_step_fn(tf)

    runs = {name: make() for name, make in peers.items()}
    epoch = {}
    if args.full:
        for name, run in runs.items():
            epoch[name] = time_epoch(run, x, y)
            print(f"{name:12s} epoch {epoch[name]:7.1f} s")
    else:
        for name, (med, lo, hi) in time_batches(runs, x, y, args.batches,
                                                 args.repeat).items():
            epoch[name] = med * STEPS_PER_EPOCH
            print(f"{name:12s} {med * 1e3:7.2f} ms/batch (min {lo * 1e3:.2f}, max "
                  f"{hi * 1e3:.2f})  -> epoch ~{epoch[name]:6.1f} s")
    for missing, module in (("pytorch", torch), ("keras (tf)", tf)):
        if module is None:
            print(f"{missing:12s} skipped (not installed)")
    for name in epoch:
        if name != "saessak":
            print(f"saessak / {name}: {epoch['saessak'] / epoch[name]:.2f}x the time")


if __name__ == "__main__":
    main()
