"""``saessak quickstart``: an offline demo of what the seeds teach, in a minute or two.

Part 1 (seed 003): the perceptron's logic gates and XOR. One Dense unit learns AND, OR and
NAND, but no single line separates XOR; a hidden layer solves it.

Part 2 (seed 000, section 7.2.2): the "multiplication problem" from the LSTM paper. Each
input is 100 steps of (marker, number); the target is the product of the two marked numbers.
SimpleRNN, LSTM and GRU are trained the same way; the gated layers learn to remember the
marked numbers over long gaps, the plain RNN does not.

Recurrent training is chaotic: with numba (the ``fast`` extra) the compiled loops round
tanh and sigmoid an ulp or so differently from NumPy, and over a few thousand steps the two
runs end at different weights and scores. ``seed_spread`` measures how far apart runs land.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import saessak as keras
from saessak import layers
from saessak.datasets.synthetic import make_multiplication_data

from ..training.callbacks import Callback

PROBLEM = ("The multiplication problem: each input is 100 steps of (marker, number); "
           "exactly two steps are marked, and the model must output the product of their "
           "two numbers.")
WITHIN = ("|err|<=0.04 is the share of test problems whose answer is within 0.04 of the "
          "true product.")

GATES = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "XOR": [0, 1, 1, 0],
}
INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")


def truth_tables(print_fn=print, seed=0):
    """Train a perceptron on each gate, then an MLP on XOR; print the learned tables."""
    rows = []
    for gate, target in GATES.items():
        y = np.array(target, dtype="float32")
        keras.utils.set_random_seed(seed)
        perceptron = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
        perceptron.compile(keras.optimizers.SGD(1.0), "binary_crossentropy")
        perceptron.fit(INPUTS, y, epochs=300, batch_size=4, verbose=0)
        single = (perceptron.predict(INPUTS, verbose=0).ravel() > 0.5).astype(int)
        keras.utils.set_random_seed(seed)
        mlp = keras.Sequential([layers.Dense(8, activation="tanh", input_shape=(2,)),
                                layers.Dense(1, activation="sigmoid")])
        mlp.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
        mlp.fit(INPUTS, y, epochs=300, batch_size=4, verbose=0)
        hidden = (mlp.predict(INPUTS, verbose=0).ravel() > 0.5).astype(int)
        rows.append((gate, target, single, hidden))

    print_fn("Logic gates: a single perceptron vs an MLP with one hidden layer")
    print_fn(f"{'gate':6s} {'x1 x2':>8s} {'target':>7s} {'perceptron':>11s} {'MLP':>5s}")
    for gate, target, single, hidden in rows:
        for i, (a, b) in enumerate(INPUTS.astype(int)):
            name = gate if i == 0 else ""
            print_fn(f"{name:6s} {a:>5d} {b:2d} {target[i]:>7d} {single[i]:>11d} {hidden[i]:>5d}")
        ok_single = "solved" if list(single) == target else "FAILED"
        ok_mlp = "solved" if list(hidden) == target else "FAILED"
        print_fn(f"{'':6s} perceptron {ok_single}, MLP {ok_mlp}")
    return rows


class EpochProgress(Callback):
    """One status line per model while it trains: rewritten in place on a terminal,
    a line every quarter of the run (and at the end) in a log."""

    def __init__(self, label, epochs, stream=None):
        super().__init__()
        self.label, self.epochs = label, epochs
        self.stream = stream or sys.stdout
        self.in_place = hasattr(self.stream, "isatty") and self.stream.isatty()

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        done = epoch + 1
        line = (f"  {self.label:9s} epoch {done:>3d}/{self.epochs}  "
                f"loss {logs.get('loss', float('nan')):.4f}  "
                f"val_loss {logs.get('val_loss', float('nan')):.4f}  "
                f"{time.perf_counter() - self.start:5.1f} s")
        if self.in_place:
            self.stream.write("\r" + line + ("\n" if done == self.epochs else ""))
        elif done == self.epochs or done % max(1, self.epochs // 4) == 0:
            self.stream.write(line + "\n")
        self.stream.flush()


def multiplication(epochs=20, n=3000, print_fn=print, plot_path="quickstart_loss.png",
                   seed=0, verbose=0, learning_rate=0.005, kinds=("SimpleRNN", "LSTM", "GRU"),
                   progress=True):
    """Seed 000's multiplication problem with SimpleRNN, LSTM and GRU (two layers of 30).

    The seed trains 100 epochs with Adam's default rate, 0.001; a rate of 0.005 gets the
    gated layers there in about 20 epochs, so the demo takes minutes instead of a quarter
    of an hour. All three layers get the same setting. ``progress`` prints a status line
    per model while it trains."""
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"quickstart.multiplication: epochs must be a whole number of at "
                         f"least 1, received {epochs!r}")
    x, y = make_multiplication_data(n, length=100, seed=seed)
    n_train = int(n * 2560 / 3000)
    results, histories = [], {}
    if progress:
        print_fn(PROBLEM)
        print_fn(f"Training {', '.join(kinds)} for {epochs} epochs each:")
    for kind in kinds:
        keras.utils.set_random_seed(seed)
        rnn = getattr(layers, kind)
        model = keras.Sequential([rnn(30, return_sequences=True, input_shape=(100, 2)),
                                  rnn(30), layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
        callbacks = [EpochProgress(kind, epochs)] if progress else []
        start = time.perf_counter()
        history = model.fit(x[:n_train], y[:n_train], epochs=epochs, validation_split=0.2,
                            verbose=verbose, callbacks=callbacks)
        seconds = time.perf_counter() - start
        pred = model.predict(x[n_train:], verbose=0).ravel()
        test_mse = float(np.mean((pred - y[n_train:]) ** 2))
        within = float(np.mean(np.abs(pred - y[n_train:]) <= 0.04) * 100)
        histories[kind] = history.history
        results.append((kind, model.count_params(), test_mse, within, seconds))

    baseline = float(np.mean((y[n_train:] - y[:n_train].mean()) ** 2))
    print_fn(f"Multiplication problem: {n_train} training / {n - n_train} test sequences of "
             f"100 steps, {epochs} epochs, Adam({learning_rate})")
    print_fn(f"{'layer':10s} {'params':>7s} {'test MSE':>9s} {'|err|<=0.04':>12s} {'time':>7s}")
    for kind, params, mse, within, seconds in results:
        print_fn(f"{kind:10s} {params:7,d} {mse:9.4f} {within:11.1f}% {seconds:6.1f}s")
    print_fn(WITHIN)
    print_fn(f"(predicting the mean gives MSE {baseline:.4f}; the seed, with Adam(0.001) for "
             "100 epochs, reports the LSTM at 94.8% within 0.04, GRU at 98.9%, SimpleRNN at "
             "9.3%)")
    if plot_path:
        _plot_losses(histories, plot_path, print_fn)
    return results


def _plot_losses(histories, path, print_fn):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print_fn("(matplotlib is not installed: no loss curves saved; "
                 "pip install 'saessak[plot]')")
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, hist in histories.items():
        line, = ax.plot(hist["loss"], label=f"{kind} loss")
        ax.plot(hist["val_loss"], "--", color=line.get_color(), label=f"{kind} val_loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.set_yscale("log")
    ax.set_title("Multiplication problem: SimpleRNN vs LSTM vs GRU")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print_fn(f"loss curves saved to {path}")


def seed_spread(seeds=(0, 1, 2, 3, 4), kind="LSTM", epochs=20, n=3000):
    """The |err|<=0.04 score of ``kind`` for each seed (data and initial weights), as in
    the quickstart table: how far runs that differ only by chance land apart. Run it once
    with numba and once with ``SAESSAK_NUMBA=0`` to compare the two paths."""
    scores = []
    for seed in seeds:
        (_, _, _, within, _), = multiplication(epochs=epochs, n=n, print_fn=lambda *a: None,
                                               plot_path=None, seed=seed, kinds=(kind,),
                                               progress=False)
        scores.append(within)
    return scores


def main(epochs=20, quick=False, plot_path="quickstart_loss.png"):
    truth_tables()
    print()
    if quick:
        multiplication(epochs=2, n=600, plot_path=plot_path)
    else:
        multiplication(epochs=epochs, plot_path=plot_path)
