"""``EarlyStopping``: end ``fit`` when the monitored value stops improving."""

from __future__ import annotations

import math

import numpy as np

from .callback import Callback
from .monitor import check_mode, monitored_value, resolve_mode


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving for ``patience`` epochs.

    An epoch improves when the value beats the best so far by more than ``min_delta``. With
    ``baseline``, the wait only restarts for values that also beat the baseline. Epochs
    before ``start_from_epoch`` are ignored. ``restore_best_weights`` puts back the weights
    of the best epoch when training ends. (Keras 3's rules, step for step.)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.min_delta = baseline, abs(min_delta)
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.mode = check_mode("EarlyStopping", mode)
        self.wait, self.stopped_epoch, self.best_weights, self.best_epoch = 0, 0, None, 0
        self.monitor_op = None
        self.best = None

    def _set_monitor_op(self):
        mode = resolve_mode("EarlyStopping", self.mode, self.monitor, self.model)
        if mode == "min":
            self.monitor_op = np.less
            self.min_delta = -abs(self.min_delta)
            self.best = math.inf
        else:
            self.monitor_op = np.greater
            self.best = -math.inf

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_weights, self.best_epoch = 0, 0, None, 0

    def _is_improvement(self, value, reference):
        # min mode: value + |min_delta| < reference; max mode: value - min_delta > reference
        return bool(self.monitor_op(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = monitored_value(self, logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
