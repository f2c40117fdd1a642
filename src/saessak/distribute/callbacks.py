"""The callbacks that keep the ranks of a data-parallel ``fit`` in step, and which of the
user's callbacks run on rank 0 only.

Callbacks that write files (checkpoints, backups, CSV and TensorBoard logs) and the
progress bar run on rank 0 alone: the others would write the same files at the same time.
Callbacks that decide (``EarlyStopping``, ``ReduceLROnPlateau``, ``LearningRateScheduler``)
run on every rank and decide alike, because they see the same logs: the epoch's logs are
averaged over the ranks, each rank weighted by the samples it saw, before any callback
reads them. That average is exact for the mean-type metrics (the loss, accuracy,
crossentropies, errors) and close for ratio metrics (precision, recall, AUC). The logs of
single batches stay each rank's own.
"""

from __future__ import annotations

import numpy as np

from ..training.callbacks import (
    BackupAndRestore,
    Callback,
    CSVLogger,
    ModelCheckpoint,
    ProgbarLogger,
    TensorBoard,
)

_CHIEF_ONLY = (BackupAndRestore, CSVLogger, ModelCheckpoint, ProgbarLogger, TensorBoard)


def chief_only(callback) -> bool:
    """Whether ``callback`` runs on rank 0 only (it writes files or prints progress); a
    callback of one's own can ask for that with a ``chief_only = True`` attribute."""
    return isinstance(callback, _CHIEF_ONLY) or bool(getattr(callback, "chief_only", False))


class ReduceLogs(Callback):
    """First of the callbacks: replace the epoch's (and ``evaluate``'s) logs by their
    average over the ranks, in place, so every later callback sees the same numbers."""

    def __init__(self, strategy, train=None, test=None):
        super().__init__()
        self.strategy, self.train, self.test = strategy, train, test

    def on_epoch_end(self, epoch, logs=None):
        self._reduce(logs)

    def on_test_end(self, logs=None):
        if self.train is None:  # evaluate() itself, not the validation inside fit
            self._reduce(logs, test_only=True)

    def _reduce(self, logs, test_only=False):
        if not logs:
            return
        keys = sorted(k for k, v in logs.items() if isinstance(v, (int, float, np.number)))
        weights = np.array([self.test.samples if test_only or k.startswith("val_")
                            else self.train.samples for k in keys], dtype=np.float64)
        values = np.array([logs[k] for k in keys], dtype=np.float64)
        both = np.concatenate([values * weights, weights])
        self.strategy.world.allreduce_(both, "log reduction")
        totals, counts = both[:len(keys)], both[len(keys):]
        for k, total, count in zip(keys, totals, counts):
            logs[k] = float(total / count) if count else logs[k]


class EpochSync(Callback):
    """Last of the callbacks at the start of ``fit``: give every rank the epoch rank 0
    starts from (``BackupAndRestore``, run on rank 0, may have moved it)."""

    def __init__(self, strategy):
        super().__init__()
        self.strategy = strategy

    def on_train_begin(self, logs=None):
        world = self.strategy.world
        self.model._initial_epoch = world.bcast(self.model._initial_epoch,
                                                "initial epoch broadcast")
