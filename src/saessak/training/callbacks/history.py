"""``History``: the logs of every epoch, which ``fit`` returns."""

from __future__ import annotations

from .callback import Callback


class History(Callback):
    """Records the logs of every epoch: ``history.history['loss']`` is the list of losses,
    ``history.epoch`` the epoch numbers. ``fit`` returns it."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self
