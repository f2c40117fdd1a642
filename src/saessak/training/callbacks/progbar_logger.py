"""``ProgbarLogger``: the progress bar (or line) of ``fit``, ``evaluate`` and ``predict``."""

from __future__ import annotations

import sys

from ..progbar import Progbar
from .callback import Callback


class ProgbarLogger(Callback):
    """Prints the progress of ``fit``/``evaluate``/``predict`` (``verbose=1``: a bar per
    epoch; ``verbose=2``: one line per epoch)."""

    def __init__(self, count_mode="steps", verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream
        self.bar = None
        self.epochs = 1

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", self.verbose)
        self.epochs = params.get("epochs", 1)

    def _new_bar(self, target):
        self.bar = Progbar(target, verbose=self.verbose, stream=self.stream or sys.stdout)

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.epochs}", file=self.stream or sys.stdout,
                  flush=True)
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        self.bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.bar.finish(logs)

    def on_test_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        self.bar.update(batch + 1, logs)

    def on_test_end(self, logs=None):
        self.bar.finish(logs)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self.bar.update(batch + 1)

    def on_predict_end(self, logs=None):
        self.bar.finish()
