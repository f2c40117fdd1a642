"""How much time does ``fit`` add per batch on top of the math?

A tiny model (Dense(16, relu) -> Dense(1) on 8 features, batch 32) makes the math cheap, so
what is left is the loop itself: slicing batches, the forward/backward bookkeeping of the
layers, the loss, the optimizer call, metrics, callbacks and the progress bar.

Three figures per batch, each the median of several repeats:

- ``raw step``: forward, loss, backward and ``optimizer.apply`` written by hand in a loop
  (the compute, with saessak's autograd);
- ``fit (verbose=0)`` and ``fit (verbose=1, callbacks)``: the same updates through
  ``model.fit``; the difference to the raw step is the loop's overhead.

PyTorch's hand-written loop on the same model is printed beside it when torch is installed.

    python benchmarks/bench_training_loop.py
"""

from __future__ import annotations

import io
import statistics
import sys
import time

import numpy as np
from _timing import machine_line, try_import

import saessak
from saessak.layers import Dense
from saessak.models import Sequential

N, FEATURES, BATCH, EPOCHS, REPEATS = 8192, 8, 32, 3, 5
STEPS = N // BATCH * EPOCHS


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x @ rng.normal(size=(FEATURES, 1))).astype("float32")
    return x, y


def model_and_optimizer():
    model = Sequential([Dense(16, activation="relu", input_shape=(FEATURES,)), Dense(1)])
    model.compile(optimizer=saessak.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
    return model


def raw_step_time(x, y):
    """Per-batch time of a hand-written loop: forward, loss, backward, update."""
    model = model_and_optimizer()
    params = model.trainable_weights
    opt = model.optimizer
    mse = saessak.losses.MeanSquaredError()
    start = time.perf_counter()
    for _ in range(EPOCHS):
        for i in range(0, N, BATCH):
            xb, yb = saessak.Tensor(x[i:i + BATCH]), y[i:i + BATCH]
            with saessak.layers.learning_phase(True):
                loss = mse(yb, model(xb))
            for p in params:
                p.grad = None
            loss.backward()
            opt.apply([p.grad for p in params], params)
    return (time.perf_counter() - start) / STEPS


def fit_time(x, y, verbose, with_callbacks):
    model = model_and_optimizer()
    callbacks = []
    if with_callbacks:
        callbacks = [saessak.callbacks.EarlyStopping(monitor="loss", patience=100),
                     saessak.callbacks.TerminateOnNaN(),
                     saessak.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: None)]
    stdout, sys.stdout = sys.stdout, io.StringIO()  # progress goes nowhere, but is built
    try:
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=verbose, shuffle=True,
                  callbacks=callbacks)
        elapsed = time.perf_counter() - start
    finally:
        sys.stdout = stdout
    return elapsed / STEPS


def torch_step_time(x, y):
    import torch
    torch.set_num_threads(1)
    net = torch.nn.Sequential(torch.nn.Linear(FEATURES, 16), torch.nn.ReLU(),
                              torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    start = time.perf_counter()
    for _ in range(EPOCHS):
        perm = torch.randperm(N)
        for i in range(0, N, BATCH):
            idx = perm[i:i + BATCH]
            loss = torch.nn.functional.mse_loss(net(tx[idx]), ty[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return (time.perf_counter() - start) / STEPS


def median_us(fn, *args):
    return statistics.median(fn(*args) for _ in range(REPEATS)) * 1e6


def main():
    x, y = data()
    raw = median_us(raw_step_time, x, y)
    quiet = median_us(fit_time, x, y, 0, False)
    loud = median_us(fit_time, x, y, 1, True)
    torch_us = median_us(torch_step_time, x, y) if try_import("torch") else None
    print(machine_line())
    print(f"tiny model, batch {BATCH}, {STEPS} steps; medians of {REPEATS} runs, per batch:")
    print(f"  raw step (forward+loss+backward+update)   {raw:8.1f} us")
    print(f"  fit, verbose=0                             {quiet:8.1f} us   "
          f"overhead {quiet - raw:+7.1f} us ({(quiet - raw) / raw:+.0%})")
    print(f"  fit, verbose=1 + 3 callbacks               {loud:8.1f} us   "
          f"overhead {loud - raw:+7.1f} us ({(loud - raw) / raw:+.0%})")
    if torch_us is None:
        print("  torch: skipped (not installed)")
    else:
        print(f"  torch hand-written loop (1 thread)         {torch_us:8.1f} us   "
              f"saessak fit / torch = {quiet / torch_us:.2f}")


if __name__ == "__main__":
    main()
