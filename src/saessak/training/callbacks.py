"""Callbacks: code that ``fit``, ``evaluate`` and ``predict`` run at fixed moments.

Subclass :class:`Callback` and override the hooks you need. ``self.model`` is the model being
trained; ``logs`` is a dict of the current numbers (``loss``, ``accuracy``, ``val_loss`` ...).
Set ``self.model.stop_training = True`` to end ``fit`` after the current epoch.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import warnings

import numpy as np

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
          "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
          "on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Base class; every hook does nothing until overridden."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    # tf.keras 2 names: on_batch_* are the training batch hooks
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...


def _overrides(callback, hook):
    """Whether ``callback`` does something in ``hook`` (so the loop can skip the rest)."""
    if isinstance(callback, LambdaCallback):
        return hook in callback.given
    cls = type(callback)
    if getattr(cls, hook) is not getattr(Callback, hook):
        return True
    if hook == "on_train_batch_begin":
        return cls.on_batch_begin is not Callback.on_batch_begin
    if hook == "on_train_batch_end":
        return cls.on_batch_end is not Callback.on_batch_end
    return False


class CallbackList:
    """Calls one hook on every callback. Batch hooks go only to the callbacks that override
    them, so a plain ``fit`` pays almost nothing per batch for this."""

    def __init__(self, callbacks=None, model=None, params=None, add_history=False,
                 add_progbar=False, verbose=1):
        self.callbacks = list(callbacks or [])
        if add_progbar and verbose and not any(isinstance(c, ProgbarLogger)
                                               for c in self.callbacks):
            self.callbacks.append(ProgbarLogger(verbose=verbose))
        self.history = None
        if add_history:
            self.history = next((c for c in self.callbacks if isinstance(c, History)), None)
            if self.history is None:
                self.history = History()
                self.callbacks.append(self.history)
        for c in self.callbacks:
            if model is not None:
                c.set_model(model)
            c.set_params(dict(params or {}))
        self._listeners = {hook: [getattr(c, hook) for c in self.callbacks
                                  if _overrides(c, hook)] for hook in _HOOKS}

    def wants(self, hook) -> bool:
        return bool(self._listeners[hook])

    def call(self, hook, *args):
        for fn in self._listeners[hook]:
            fn(*args)

    def __iter__(self):
        return iter(self.callbacks)


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
        from .progbar import Progbar
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
        if not self.params.get("in_fit"):
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if not self.params.get("in_fit"):
            self.bar.update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if not self.params.get("in_fit"):
            self.bar.finish(logs)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self.bar.update(batch + 1)

    def on_predict_end(self, logs=None):
        self.bar.finish()


def _resolve_mode(callback_name, mode, monitor, model):
    """``'min'``/``'max'``, with ``'auto'`` decided as Keras 3 does: a loss is minimised;
    otherwise the direction of the model's metric of that name."""
    if mode in ("min", "max"):
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss"):
        return "min"
    for metric in getattr(model, "metrics", None) or []:
        if metric.name == name or name.endswith("_" + metric.name):
            return "max" if getattr(metric, "_direction", "up") == "up" else "min"
    raise ValueError(
        f"{callback_name}: cannot tell whether monitor={monitor!r} should go up or down; "
        "pass mode='max' to keep the highest value or mode='min' to keep the lowest")


def _check_mode(callback_name, mode):
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{callback_name}: mode {mode!r} is unknown; using 'auto'",
                      stacklevel=3)
        return "auto"
    return mode


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
        self.mode = _check_mode("EarlyStopping", mode)
        self.wait, self.stopped_epoch, self.best_weights, self.best_epoch = 0, 0, None, 0
        self.monitor_op = None
        self.best = None

    def _set_monitor_op(self):
        mode = _resolve_mode("EarlyStopping", self.mode, self.monitor, self.model)
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
        current = _monitored(self, logs)
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


def _monitored(callback, logs):
    value = (logs or {}).get(callback.monitor)
    if value is None:
        warnings.warn(f"{type(callback).__name__}: the monitored value {callback.monitor!r} "
                      f"is not in the logs; available: {sorted(logs or {})}", stacklevel=3)
    return value


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
        self.mode = _check_mode("ModelCheckpoint", mode)
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
                mode = _resolve_mode("ModelCheckpoint", self.mode, self.monitor, self.model)
                self._op = np.less if mode == "min" else np.greater
            current = _monitored(self, logs)
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


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for
    ``patience`` epochs; then wait ``cooldown`` epochs; never go below ``min_lr``."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be below 1, received {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode = _check_mode("ReduceLROnPlateau", mode)
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.wait, self.cooldown_counter, self.best, self._op = 0, 0, None, None

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter = 0, 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(_get_lr(self.model))
        if self._op is None:
            mode = _resolve_mode("ReduceLROnPlateau", self.mode, self.monitor, self.model)
            if mode == "min":
                self._op, self.best = (lambda a, b: a < b - self.min_delta), math.inf
            else:
                self._op, self.best = (lambda a, b: a > b + self.min_delta), -math.inf
        current = _monitored(self, logs)
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
                old = float(_get_lr(self.model))
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    _set_lr(self.model, new)
                    if self.verbose:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                              f"rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


def _get_lr(model):
    opt = model.optimizer
    lr = getattr(opt, "learning_rate", None)
    if lr is None:
        lr = opt.lr
    return float(lr() if callable(lr) else getattr(lr, "data", lr))


def _set_lr(model, value):
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
        lr = _get_lr(self.model)
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        new = float(new)
        if not math.isfinite(new):
            raise ValueError(f"LearningRateScheduler: the schedule returned {new} for epoch "
                             f"{epoch}; it must be a finite number")
        _set_lr(self.model, new)
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model)


class CSVLogger(Callback):
    """Append one row per epoch (``epoch`` then the logs, keys sorted) to a CSV file."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys, self._file, self._writer = None, None, None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and \
            os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._header_written = exists

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys,
                                          delimiter=self.sep)
            if not self._header_written:
                self._writer.writeheader()
        row = {"epoch": epoch}
        row.update({k: logs.get(k, "NA") for k in self.keys})
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
        self._file, self._writer, self.keys = None, None, None


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``.
    Accepts every hook name, plus ``on_batch_begin``/``on_batch_end`` for training batches."""

    def __init__(self, **hooks):
        super().__init__()
        allowed = set(_HOOKS) | {"on_batch_begin", "on_batch_end"}
        unknown = set(hooks) - allowed
        if unknown:
            raise ValueError(f"LambdaCallback: unknown hook(s) {sorted(unknown)}; allowed: "
                             f"{sorted(allowed)}")
        if "on_batch_begin" in hooks:
            hooks.setdefault("on_train_batch_begin", hooks.pop("on_batch_begin"))
        if "on_batch_end" in hooks:
            hooks.setdefault("on_train_batch_end", hooks.pop("on_batch_end"))
        self.given = set(hooks)
        for name, fn in hooks.items():
            setattr(self, name, fn)


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
        from ..models.backup import read_backup  # models sit above training: import here
        self._batches = 0
        if os.path.exists(self._path):
            self.model._initial_epoch = read_backup(self._path, self.model)
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
        from ..models.backup import write_backup
        write_backup(self._path, self.model, next_epoch)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self._path):
            os.remove(self._path)


class RemoteMonitor(Callback):  # pragma: no cover - accepted for compatibility only
    def __init__(self, *args, **kwargs):
        super().__init__()
        warnings.warn("RemoteMonitor: saessak sends nothing over the network; ignored",
                      stacklevel=2)
