"""The training loop (compile / fit / evaluate / predict), metrics, callbacks and progress."""

from . import callbacks, metrics
from .callbacks import Callback, EarlyStopping, History, ModelCheckpoint
from .trainer import Trainer
