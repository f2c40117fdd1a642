"""``ModelCheckpoint``: save the model (or its weights) during training."""

from __future__ import annotations

import os

import numpy as np

from .callback import Callback
from .monitor import check_mode, monitored_value, resolve_mode


class ModelCheckpoint(Callback):
    """Save the model (or its weights) at the end of every epoch, or only when ``monitor``
    improved (``save_best_only``). ``filepath`` may hold fields filled from the epoch and
    the logs: ``'ckpt-{epoch:02d}-{val_loss:.2f}.keras'``."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or an integer "
                             f"number of batches, received {save_freq!r}")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = check_mode("ModelCheckpoint", mode)
        self.save_freq = save_freq
        self.best = initial_value_threshold
        self._op = None
        self._batches = 0
        self._epoch = 0

    def _path(self, epoch, logs):
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as err:
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} names {err}, which "
                           f"is not in the logs ({sorted(logs or {})})") from None

    def _save(self, epoch, logs):
        path = self._path(epoch, logs)
        if self.save_best_only:
            if self._op is None:
                mode = resolve_mode("ModelCheckpoint", self.mode, self.monitor, self.model)
                self._op = np.less if mode == "min" else np.greater
            current = monitored_value(self, logs)
            if current is None:
                return
            if self.best is not None and not self._op(current, self.best):
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose:
                before = "inf" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {before} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save(self._epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)
