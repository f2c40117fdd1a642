"""``timeseries_dataset_from_array``: sliding windows over a series, as a Dataset.

Same arguments and windows as ``keras.utils.timeseries_dataset_from_array``. Window ``i``
starts at row ``start_index + p_i`` with ``p_i = i * sequence_stride`` and holds
``sequence_length`` rows taken every ``sampling_rate``; its target is
``targets[start_index + p_i]`` (the row where the window *starts*, so shift ``targets``
to predict the future). Seed 002's Jena model, 24 h ahead from 10 days sampled hourly::

    ds = timeseries_dataset_from_array(
        data[:-delay], targets=temperature[delay:], sequence_length=240,
        sampling_rate=6, batch_size=128, shuffle=True, seed=0)

Windows are gathered a whole batch at a time by fancy indexing, never one by one.
"""

import numpy as np

from .dataset import Dataset


class _Windows(Dataset):
    """Index-addressable windows, so shuffle and batch take the fast path."""

    def __init__(self, data, targets, starts, offsets):
        self.data, self.targets = data, targets
        self.starts, self.offsets = starts, offsets

    def cardinality(self):
        return len(self.starts)

    def _indexable(self):
        return True

    def _order(self):
        return np.arange(len(self.starts))

    def _gather(self, idx):
        starts = self.starts[idx]
        windows = self.data[np.add.outer(starts, self.offsets)]
        if self.targets is None:
            return windows
        return windows, self.targets[starts]

    def _elements(self):
        for i in range(len(self.starts)):
            yield self._gather(i)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """A Dataset of ``(window, target)`` batches (or windows alone if ``targets`` is None).

    Args:
        data: array with time on the first axis.
        targets: array aligned with ``data`` (``targets[i]`` goes with the window starting at
            row ``i``), or None.
        sequence_length: rows per window.
        sequence_stride: rows between the starts of consecutive windows.
        sampling_rate: keep every ``sampling_rate``-th row inside a window.
        batch_size: windows per batch (None: unbatched windows).
        shuffle, seed: shuffle the windows (seeded with NumPy's RandomState as in Keras).
        start_index, end_index: use only rows ``[start_index, end_index)``.
    """
    data = np.asarray(data)
    n = len(data)
    for name, value in (("sequence_length", sequence_length),
                        ("sequence_stride", sequence_stride), ("sampling_rate", sampling_rate)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{name}` must be an int >= 1; received {value!r}")
    if sampling_rate >= n:
        raise ValueError(f"`sampling_rate` must be lower than the length of the data ({n}); "
                         f"received sampling_rate={sampling_rate}")
    if sequence_stride >= n:
        raise ValueError(f"`sequence_stride` must be lower than the length of the data ({n}); "
                         f"received sequence_stride={sequence_stride}")
    if batch_size is not None and (isinstance(batch_size, bool) or batch_size < 1):
        raise ValueError(f"`batch_size` must be None or an int >= 1; received {batch_size!r}")
    if start_index is not None and not 0 <= start_index < n:
        raise ValueError(f"`start_index` must be in [0, {n}); received start_index={start_index}")
    if end_index is not None and not (start_index or 0) < end_index <= n:
        raise ValueError(f"`end_index` must be in ({start_index or 0}, {n}]; received "
                         f"end_index={end_index}")
    start_index = start_index or 0
    end_index = n if end_index is None else end_index

    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        num_seqs = min(num_seqs, len(targets) - start_index)
    num_seqs = max(num_seqs, 0)
    index_dtype = "int32" if num_seqs < 2**31 - 1 else "int64"
    starts = np.arange(0, num_seqs, sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1_000_000)
        np.random.RandomState(seed).shuffle(starts)
    starts = starts.astype(np.int64) + start_index
    offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate

    dataset = _Windows(data, targets, starts, offsets)
    if batch_size is None:
        return dataset.shuffle(1024, seed=seed) if shuffle else dataset
    if shuffle:
        dataset = dataset.shuffle(batch_size * 8, seed=seed)
    return dataset.batch(batch_size)


__all__ = ["timeseries_dataset_from_array"]
