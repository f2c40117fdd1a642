"""``LearningRateScheduler``: set the learning rate at each epoch from a schedule; and the
two helpers every callback that changes the learning rate uses.
"""

from __future__ import annotations

import math

from .callback import Callback


def get_learning_rate(model):
    opt = model.optimizer
    lr = getattr(opt, "learning_rate", None)
    if lr is None:
        lr = opt.lr
    return float(lr() if callable(lr) else getattr(lr, "data", lr))


def set_learning_rate(model, value):
    opt = model.optimizer
    if hasattr(opt, "learning_rate"):
        opt.learning_rate = float(value)
    else:
        opt.lr = float(value)


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)`` for a one-argument function)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = get_learning_rate(self.model)
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        new = float(new)
        if not math.isfinite(new):
            raise ValueError(f"LearningRateScheduler: the schedule returned {new} for epoch "
                             f"{epoch}; it must be a finite number")
        set_learning_rate(self.model, new)
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model)
