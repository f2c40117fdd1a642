"""Which of saessak's files one training step passes through, in order.

    python scripts/trace_training_step.py            # an Embedding -> LSTM -> Dense model
    python scripts/trace_training_step.py --all      # every file change, not only the first

A small LSTM classifier is trained with ``fit``; during its second batch (the first one
builds the weights and compiles the kernels) every Python call is watched
(``sys.setprofile``), and each time the running code moves to another file of the package
the file is written down. The list shows how a step travels: ``fit`` -> the layers -> the
fused LSTM kernel -> the loss -> backward -> Adam -> back to ``fit``. A file that shows up
more than once in the list is one the step leaves and comes back to.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import saessak as keras

PACKAGE = os.path.dirname(os.path.abspath(keras.__file__))


def trace_one_step(model, x, y):
    """The package files entered during the second batch of ``fit``, in order."""
    entered = []

    def watch(frame, event, arg):
        if event != "call":
            return
        path = frame.f_code.co_filename
        if path.startswith(PACKAGE):
            name = os.path.relpath(path, PACKAGE)
            if not entered or entered[-1] != name:
                entered.append(name)

    class Tracer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 1:
                sys.setprofile(watch)

        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                sys.setprofile(None)

    model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False, callbacks=[Tracer()])
    # the tracer's own hook calls land in callbacks' dispatch at both ends; drop them
    return [f for f in entered if not f.endswith(os.path.join("scripts", "trace_training_step.py"))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every file change")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).integers(1, 100, size=(48, 20))
    y = np.random.default_rng(1).integers(0, 5, size=(48,))
    model = keras.Sequential([keras.layers.Embedding(100, 16), keras.layers.LSTM(32),
                              keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    entered = trace_one_step(model, x, y)
    first_seen = list(dict.fromkeys(entered))
    print(f"one training step of Embedding -> LSTM(32) -> Dense (fit, adam): "
          f"{len(first_seen)} files, {len(entered)} file changes")
    for i, name in enumerate(entered if args.all else first_seen, 1):
        print(f"{i:3d}. {name}  (entered {entered.count(name)}x)")


if __name__ == "__main__":
    main()
