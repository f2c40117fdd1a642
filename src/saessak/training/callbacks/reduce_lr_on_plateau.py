"""``ReduceLROnPlateau``: lower the learning rate when the monitored value stops improving."""

from __future__ import annotations

import math
import warnings

from .callback import Callback
from .learning_rate_scheduler import get_learning_rate, set_learning_rate
from .monitor import check_mode, monitored_value, resolve_mode


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for
    ``patience`` epochs; then wait ``cooldown`` epochs; never go below ``min_lr``."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be below 1, received {factor}")
        if "epsilon" in kwargs:  # tf.keras 2's old name of min_delta
            min_delta = kwargs.pop("epsilon")
            warnings.warn("ReduceLROnPlateau: epsilon= is the old name of min_delta; use "
                          "min_delta", DeprecationWarning, stacklevel=2)
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unexpected argument(s) {sorted(kwargs)}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode = check_mode("ReduceLROnPlateau", mode)
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.wait, self.cooldown_counter, self.best, self._op = 0, 0, None, None

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter = 0, 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(get_learning_rate(self.model))
        if self._op is None:
            mode = resolve_mode("ReduceLROnPlateau", self.mode, self.monitor, self.model)
            if mode == "min":
                self._op, self.best = (lambda a, b: a < b - self.min_delta), math.inf
            else:
                self._op, self.best = (lambda a, b: a > b + self.min_delta), -math.inf
        current = monitored_value(self, logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._op(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(get_learning_rate(self.model))
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    set_learning_rate(self.model, new)
                    if self.verbose:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                              f"rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0
