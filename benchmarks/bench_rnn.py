"""Recurrent training speed: saessak against PyTorch (and Keras, where installed), same run.

Three workloads from the seeds, each timed per epoch of train steps (forward, loss,
backward, Adam update), on synthetic data of the right shapes:

* ``reuters``: Embedding(1000, 100) -> LSTM(100) -> Dense(46, softmax), categorical
  cross-entropy, batch 20, length 100, 8,982 rows (seed 001).
* ``imdb``: Embedding(5000, 100) -> Dropout(0.5) -> Conv1D(64, 5, relu) -> MaxPooling1D(4)
  -> LSTM(55) -> Dense(1, sigmoid), batch 40, length 500, 18,750 rows (seed 001); needs
  saessak's Conv1D, else it is skipped.
* ``jena``: (128, 120, 14) -> GRU(32) -> Dense(1), mse, 500 steps per epoch (seed 002).

    python benchmarks/bench_rnn.py                    # all, 3 timed epochs each
    python benchmarks/bench_rnn.py reuters --epochs 5 --fraction 0.25

Prints the median epoch time of each framework, the ratio saessak / PyTorch (<= 1 means
saessak is at least as fast) and the share of saessak's epoch that the recurrent layer's
matrix products alone take (timed by running exactly those matmuls). NumPy and PyTorch
use the same number of threads (``OMP_NUM_THREADS``, else every core).

The frameworks share one process here, and so share its C allocator: importing saessak
sets glibc's malloc thresholds (:mod:`saessak._memory`), which PyTorch then runs under
too, and before that setting PyTorch's frees had sped saessak up by a quarter (see that
module). For each framework alone in its own process, use ``benchmarks/run.py``. On a
machine loaded by other work, time with one thread: two BLAS threads then wait on each
other and every framework's step gets several times slower.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

import numpy as np

THREADS = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))

# --- the workloads ---------------------------------------------------------------------------

WORKLOADS = {
    "reuters": dict(rows=8982, batch=20, length=100, vocab=1000),
    "imdb": dict(rows=18750, batch=40, length=500, vocab=5000),
    "jena": dict(rows=500 * 128, batch=128, length=120, features=14),
}


def make_data(name, fraction, seed=0):
    spec = WORKLOADS[name]
    rng = np.random.default_rng(seed)
    rows = max(spec["batch"], int(spec["rows"] * fraction))
    if name == "jena":
        x = rng.standard_normal((rows, spec["length"], spec["features"])).astype(np.float32)
        y = rng.standard_normal((rows, 1)).astype(np.float32)
    elif name == "reuters":
        x = rng.integers(1, spec["vocab"], (rows, spec["length"]))
        y = rng.integers(0, 46, rows)
    else:
        x = rng.integers(1, spec["vocab"], (rows, spec["length"]))
        y = rng.integers(0, 2, (rows, 1)).astype(np.float32)
    return x, y, spec["batch"]


def batches(x, y, batch):
    for start in range(0, len(x), batch):
        yield x[start:start + batch], y[start:start + batch]


# --- saessak ---------------------------------------------------------------------------------


def saessak_fit_step(stack, loss, metrics=None):
    """The same layers as a compiled ``Sequential``, trained the way users train it: through
    ``model.fit`` (its data adapter, metrics, callbacks and progress bar included). Returns
    ``step(xb, yb)`` (one ``train_on_batch``, for the warm-up) with ``step.fit(x, y, batch)``:
    one epoch of ``fit`` over ``x``, unshuffled, so the batches are exactly the given ones."""
    import saessak
    from saessak.optimizers import Adam

    model = saessak.Sequential(list(stack))
    model.compile(optimizer=Adam(), loss=loss, metrics=metrics)

    def step(xb, yb):
        return model.train_on_batch(xb, yb)

    def fit(x, y, batch_size):
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False)

    step.fit = fit
    step.predict = lambda x, batch_size: model.predict(x, batch_size=batch_size, verbose=0)
    step.model = model
    step.count_params = model.count_params
    return step


def saessak_stack_step(stack, loss_fn, fit_loss=None, metrics=None):
    """A train step over a list of saessak layers: forward in training mode, loss, backward,
    Adam (Keras defaults). Returns ``step(xb, yb) -> loss``. With ``fit_loss`` (the loss as
    ``compile`` takes it, and the seed's ``metrics``), ``step.as_fit()`` gives the same fresh
    layers trained through ``fit`` instead (:func:`saessak_fit_step`); call one or the other."""
    from saessak import layers
    from saessak.optimizers import Adam

    opt = Adam()
    weights = []

    def step(xb, yb):
        h = xb
        with layers.learning_phase(True):
            for layer in stack:
                h = layer(h)
        if not weights:
            weights.extend(w for layer in stack for w in layer.trainable_weights)
        for w in weights:
            w.grad = None
        loss = loss_fn(yb, h)
        loss.backward()
        opt.step(weights)
        return float(loss.data)

    step.count_params = lambda: sum(w.size for layer in stack for w in layer.trainable_weights)
    if fit_loss is not None:
        step.as_fit = lambda: saessak_fit_step(stack, fit_loss, metrics)
    return step


def saessak_model(name, gru_options=None):
    """``gru_options``: extra GRU arguments for ``jena`` (e.g. the seed's dropouts)."""
    import saessak
    from saessak import layers, losses, ops

    saessak.backend.set_random_seed(0)
    if name == "reuters":
        stack = [layers.Embedding(1000, 100), layers.LSTM(100, activation="tanh"),
                 layers.Dense(46, activation="softmax")]
        eye = np.eye(46, dtype=np.float32)

        def loss_fn(y, p):
            return ops.mean(losses.categorical_crossentropy(eye[y], p))
        # the seed one-hot encodes the topics; the integer labels here say the same
        compiled = ("sparse_categorical_crossentropy", ["accuracy"])
    elif name == "imdb":
        if not hasattr(layers, "Conv1D") or not hasattr(layers, "MaxPooling1D"):
            return None
        stack = [layers.Embedding(5000, 100), layers.Dropout(0.5),
                 layers.Conv1D(64, 5, padding="valid", activation="relu", strides=1),
                 layers.MaxPooling1D(pool_size=4), layers.LSTM(55),
                 layers.Dense(1, activation="sigmoid")]

        def loss_fn(y, p):
            return ops.mean(losses.binary_crossentropy(y, p))
        compiled = ("binary_crossentropy", ["accuracy"])
    else:
        stack = [layers.GRU(32, **(gru_options or {})), layers.Dense(1)]

        def loss_fn(y, p):
            return ops.mean(losses.mean_squared_error(y, p))
        compiled = ("mse", None)

    return saessak_stack_step(stack, loss_fn, *compiled)


# --- PyTorch ---------------------------------------------------------------------------------


def torch_module_step(model, loss_fn):
    """A train step of a PyTorch module: forward, loss, backward, Adam with Keras's
    defaults (lr 1e-3, eps 1e-7). Returns ``step(xb, yb) -> loss``."""
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    model.train()

    def step(xb, yb):
        xt = torch.from_numpy(xb)
        yt = torch.from_numpy(yb)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return loss.item()

    def predict(x, batch_size):  # inference mode, no graph kept
        model.eval()
        with torch.no_grad():
            out = [model(torch.from_numpy(x[i:i + batch_size]))
                   for i in range(0, len(x), batch_size)]
        model.train()
        return out

    step.predict = predict
    step.count_params = lambda: sum(p.numel() for p in model.parameters())
    return step


def torch_model(name, input_dropout=0.0):
    """``input_dropout``: dropout on ``jena``'s inputs (PyTorch's GRU has no dropout of its
    own inputs or of its recurrent state)."""
    try:
        import torch
        from torch import nn
    except ImportError:
        return None
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)

    class Reuters(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(1000, 100)
            self.lstm = nn.LSTM(100, 100, batch_first=True)
            self.out = nn.Linear(100, 46)

        def forward(self, x):
            _, (h, _) = self.lstm(self.emb(x))
            return self.out(h[-1])  # logits; the loss applies the softmax

    class Imdb(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(5000, 100)
            self.drop = nn.Dropout(0.5)
            self.conv = nn.Conv1d(100, 64, 5)
            self.pool = nn.MaxPool1d(4)
            self.lstm = nn.LSTM(64, 55, batch_first=True)
            self.out = nn.Linear(55, 1)

        def forward(self, x):
            h = self.drop(self.emb(x)).transpose(1, 2)
            h = self.pool(torch.relu(self.conv(h))).transpose(1, 2)
            _, (h, _) = self.lstm(h)
            return self.out(h[-1])

    class Jena(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(input_dropout) if input_dropout else nn.Identity()
            self.gru = nn.GRU(14, 32, batch_first=True)
            self.out = nn.Linear(32, 1)

        def forward(self, x):
            _, h = self.gru(self.drop(x))
            return self.out(h[-1])

    model = {"reuters": Reuters, "imdb": Imdb, "jena": Jena}[name]()
    loss_fn = {"reuters": nn.CrossEntropyLoss(), "imdb": nn.BCEWithLogitsLoss(),
               "jena": nn.MSELoss()}[name]
    return torch_module_step(model, loss_fn)


# --- Keras -----------------------------------------------------------------------------------


def keras_model(name, gru_options=None):
    try:
        import keras
    except ImportError:
        return None
    from keras import layers

    if name == "reuters":
        model = keras.Sequential([layers.Embedding(1000, 100), layers.LSTM(100),
                                  layers.Dense(46, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    elif name == "imdb":
        model = keras.Sequential([layers.Embedding(5000, 100), layers.Dropout(0.5),
                                  layers.Conv1D(64, 5, activation="relu"),
                                  layers.MaxPooling1D(4), layers.LSTM(55),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    else:
        model = keras.Sequential([layers.GRU(32, **(gru_options or {})), layers.Dense(1)])
        model.compile("adam", "mse")

    def step(xb, yb):  # the loss, and the metrics' values after it when compiled with some
        return float(np.ravel(model.train_on_batch(xb, yb))[0])

    step.predict = lambda x, batch_size: model.predict(x, batch_size=batch_size, verbose=0)
    step.count_params = model.count_params
    return step


# --- timing ----------------------------------------------------------------------------------


def epoch_times(step, x, y, batch, epochs):
    xb, yb = x[:batch], y[:batch]
    step(xb, yb)  # warm-up: builds weights, optimizer slots, JIT caches
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for xb, yb in batches(x, y, batch):
            step(xb, yb)
        times.append(time.perf_counter() - start)
    return times


def recurrent_matmuls(name, batch):
    """The matrix products of one saessak train step of the recurrent part (and the Dense
    head) of a workload, as (a, b) shape pairs: what BLAS must do whatever the framework."""
    spec = WORKLOADS[name]
    T = spec["length"] if name != "imdb" else (spec["length"] - 4) // 4
    n_in, units, gates, head = {"reuters": (100, 100, 4, 46), "imdb": (64, 55, 4, 1),
                                "jena": (14, 32, 3, 1)}[name]
    G, TB = gates * units, T * batch
    return ([((TB, n_in), (n_in, G))] + [((batch, units), (units, G))] * T  # forward
            + [((batch, G), (G, units))] * T  # backward through time
            + [((n_in, TB), (TB, G)), ((units, TB), (TB, G)), ((TB, G), (G, n_in))]
            + [((batch, units), (units, head)), ((batch, head), (head, units)),
               ((units, batch), (batch, head))])


def matmul_seconds(pairs, repeats=5):
    """Median time of running exactly these matmuls (float32, preallocated inputs)."""
    rng = np.random.default_rng(0)
    arrays = {}
    for a, b in pairs:
        for shape in (a, b):
            if shape not in arrays:
                arrays[shape] = rng.standard_normal(shape).astype(np.float32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for a, b in pairs:
            np.matmul(arrays[a], arrays[b])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def profile_epoch(step, x, y, batch):
    prof = cProfile.Profile()
    prof.enable()
    for xb, yb in batches(x, y, batch):
        step(xb, yb)
    prof.disable()
    return pstats.Stats(prof)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (median taken)")
    parser.add_argument("--fraction", type=float, default=1.0,
                        help="fraction of an epoch's rows to use (for quick runs)")
    parser.add_argument("--profile", action="store_true",
                        help="print saessak's top functions of a profiled epoch")
    args = parser.parse_args(argv)
    print(f"threads: {THREADS} (NumPy BLAS and torch.set_num_threads); numpy {np.__version__}")
    try:
        import numba  # noqa: F401
        print("numba: installed (saessak's fused recurrent kernels use it)")
    except ImportError:
        print("numba: not installed (pure NumPy kernels)")
    for name in args.workloads:
        x, y, batch = make_data(name, args.fraction)
        steps = -(-len(x) // batch)
        print(f"\n== {name}: {len(x)} rows, batch {batch}, {steps} steps per epoch ==")
        results = {}
        for framework, make in (("saessak", saessak_model), ("pytorch", torch_model),
                                ("keras", keras_model)):
            step = make(name)
            if step is None:
                why = ("Conv1D/MaxPooling1D not available" if framework == "saessak"
                       else "not installed")
                print(f"  {framework:8s} skipped ({why})")
                continue
            times = epoch_times(step, x, y, batch, args.epochs)
            results[framework] = statistics.median(times)
            spread = ", ".join(f"{t:.2f}" for t in times)
            print(f"  {framework:8s} median {results[framework]:7.2f} s/epoch  "
                  f"({1e3 * results[framework] / steps:6.2f} ms/step; runs: {spread})")
            sys.stdout.flush()
            if framework == "saessak":
                per_step = matmul_seconds(recurrent_matmuls(name, batch))
                share = per_step * steps / results[framework]
                print(f"  saessak  the recurrent layer's and head's matmuls alone take "
                      f"{1e3 * per_step:.2f} ms/step: {100 * share:.0f}% of the epoch; "
                      f"the rest is gate math, Python and the other layers")
                if args.profile:
                    profile_epoch(step, x, y, batch).sort_stats("tottime").print_stats(12)
        if "saessak" in results and "pytorch" in results:
            print(f"  ratio saessak / pytorch = {results['saessak'] / results['pytorch']:.2f}")


if __name__ == "__main__":
    main()
