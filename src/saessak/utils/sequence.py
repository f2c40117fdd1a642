"""A dataset indexed by batch: ``keras.utils.Sequence`` (tf.keras 2) and ``PyDataset``
(Keras 3), the base classes of the data generators users write for ``fit``.

Subclass one, give it ``__len__`` (batches per epoch) and ``__getitem__(index)`` returning
one batch, ``(x, y)`` or ``(x, y, sample_weight)``; ``fit`` reads batches 0, 1, ... in
order and calls ``on_epoch_end`` after every epoch, the place to reshuffle. saessak reads
the batches in the main process: ``workers``, ``use_multiprocessing`` and
``max_queue_size`` are accepted and kept, not acted on.
"""

from __future__ import annotations


class Sequence:
    """tf.keras 2's base class of batch-indexed data (``keras.utils.Sequence``)."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), "
                                  "returning one batch")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__, the number "
                                  "of batches in an epoch")

    def on_epoch_end(self):
        """Called after every epoch; does nothing unless overridden."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


class PyDataset(Sequence):
    """Keras 3's base class of batch-indexed data (``keras.utils.PyDataset``), which also
    has ``on_epoch_begin``. A subclass need not call ``super().__init__()``."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    @property
    def num_batches(self):
        """Batches per epoch: ``len(self)``."""
        return len(self)

    def on_epoch_begin(self):
        """Called before every epoch; does nothing unless overridden."""
