"""``BackupAndRestore``: back up a training run every epoch, and resume it after a crash."""

from __future__ import annotations

import os

from .callback import Callback


class BackupAndRestore(Callback):
    """Back up the training run in ``backup_dir`` at the end of each epoch (or every
    ``save_freq`` batches); if training is interrupted, the next ``fit`` with the same
    callback resumes from the last backup. The backup is deleted when training ends
    normally (unless ``delete_checkpoint=False``).

    The backup is one file written atomically (:mod:`saessak.models.backup`): weights,
    optimizer state, the epoch and the state of every random generator. With the default
    ``save_freq='epoch'`` a resumed run ends with exactly the weights of a run that was
    never interrupted. With a number of batches, a run resumes, as in Keras, from the start
    of the epoch it was in, with the weights of the last backup."""

    FILENAME = "latest.backup"

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True,
                 save_before_preemption=False, double_checkpoint=False):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir is required (a folder for the "
                             f"backup), received {backup_dir!r}")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError("BackupAndRestore: save_freq must be 'epoch' or a positive "
                             f"number of batches, received {save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, self.FILENAME)
        self._epoch = 0
        self._batches = 0

    def on_train_begin(self, logs=None):
        self._batches = 0
        if os.path.exists(self._path):  # the model reads and writes the file: models sit
            self.model._initial_epoch = self.model._read_backup(self._path)  # above training
        self._epoch = self.model._initial_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq != "epoch":
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._backup(self._epoch)  # resumes at the start of this epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch + 1)

    def _backup(self, next_epoch):
        self.model._write_backup(self._path, next_epoch)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self._path):
            os.remove(self._path)
