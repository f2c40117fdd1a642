"""Turn what users pass to ``fit``/``evaluate``/``predict`` into batches.

Accepted: NumPy arrays (or anything ``np.asarray`` takes), lists of arrays for models with
several inputs, dicts ``{input_name: array}``, Python generators that yield
``(x, y)`` / ``(x, y, sample_weight)`` batches, Keras-style ``Sequence`` objects
(``__len__`` + ``__getitem__``), and ``saessak.data.Dataset`` pipelines of batches.

Every adapter offers ``steps`` (batches per epoch, None when unknown) and ``batches()``,
an iterator over one epoch of ``(x, y, sample_weight)`` triples.
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend
from .packing import map_structure as _map
from .packing import unpack_x_y_sample_weight


def _leaves(structure):
    if isinstance(structure, dict):
        return [leaf for k in structure for leaf in _leaves(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _leaves(item)]
    return [structure]


def _as_array(x):
    """An array for a leaf; float64 data becomes the default float once, here, so that no
    batch has to be cast again later."""
    if x is None:
        return None
    try:
        a = backend.to_numpy(getattr(x, "data", x)) if not isinstance(x, np.ndarray) else x
        a = np.asarray(a)
    except ValueError as err:  # NumPy 2: "inhomogeneous shape"
        raise ValueError("the data is ragged (lists of different lengths); pad sequences to "
                         f"one length (pad_sequences) and pass numeric arrays ({err})") from None
    if a.dtype == np.float64 and backend.floatx() != "float64":
        a = a.astype(backend.floatx())
    if a.dtype == object:
        if all(isinstance(v, (str, bytes)) for v in a.flat):
            return a  # text (a pandas column is such an array) for a string input
        raise ValueError("the data holds Python objects (ragged lists?); pad sequences to "
                         "one length (pad_sequences) and pass numeric arrays")
    return a


def standardize(data, n_inputs=1):
    """Arrays for ``x``/``y``: a list of arrays stays a list when the model has several
    inputs (or outputs); any other list is one array (``[[0, 1], [1, 0]]``)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: _as_array(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and n_inputs > 1 and len(data) == n_inputs:
        return [_as_array(v) for v in data]
    if isinstance(data, (list, tuple)) and data and all(
            hasattr(v, "shape") and getattr(v, "ndim", 0) >= 1 for v in data) and \
            len({v.shape for v in data}) > 1:
        return [_as_array(v) for v in data]
    return _as_array(data)


def is_dataset(x) -> bool:
    """A ``saessak.data.Dataset`` (recognised by its methods: training sits below data in
    the package layers, so it does not import it)."""
    return hasattr(x, "cardinality") and hasattr(x, "batch") and hasattr(x, "__iter__")


def num_samples(*structures) -> int:
    """The common first dimension of every array; a clear error when they differ."""
    sizes = []
    for what, structure in zip(("x", "y", "sample_weight"), structures):
        for leaf in _leaves(structure) if structure is not None else []:
            if leaf is not None:
                if leaf.ndim == 0:
                    raise ValueError(f"{what} must have a batch axis; received a scalar")
                sizes.append((what, leaf.shape[0]))
    distinct = {n for _, n in sizes}
    if len(distinct) > 1:
        detail = ", ".join(f"{what} has {n}" for what, n in sizes)
        raise ValueError(f"x, y and sample_weight must have the same number of samples "
                         f"(first dimension); {detail}")
    return sizes[0][1] if sizes else 0


def class_weights_to_sample_weights(y, class_weight):
    """One weight per sample from ``{class: weight}``: the class is the integer label, the
    arg-max of a one-hot row, or the rounded value of a single probability."""
    if isinstance(y, (list, dict)):
        raise ValueError("class_weight works only for models with one output")
    labels = y
    if y.ndim >= 2 and y.shape[-1] > 1:
        labels = y.argmax(axis=-1)
    elif y.ndim >= 2:
        labels = y[..., 0]
    labels = np.round(labels).astype(np.int64)
    table = np.ones(int(max(max(class_weight), labels.max(initial=0))) + 1)
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    return table[labels].astype(backend.floatx())


def split_validation(x, y, sample_weight, validation_split):
    """Keep the first ``1 - validation_split`` of the samples for training and the rest for
    validation, before any shuffling (as Keras does)."""
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be in (0, 1), received {validation_split}")
    n = num_samples(x, y, sample_weight)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} of {n} samples leaves "
                         "an empty training or validation set")

    def head(a):
        return None if a is None else a[:split_at]

    def tail(a):
        return None if a is None else a[split_at:]

    return ((_map(head, x), _map(head, y), _map(head, sample_weight)),
            (_map(tail, x), _map(tail, y), _map(tail, sample_weight)))


class ArrayAdapter:
    """Batches sliced from in-memory arrays, reshuffled each epoch when asked."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 steps=None):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.n = num_samples(x, y, sample_weight)
        if batch_size is None:
            batch_size = 32
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, received {batch_size!r}")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.steps = math.ceil(self.n / self.batch_size) if steps is None else int(steps)

    def batches(self):
        bs, n = self.batch_size, self.n
        order = None
        if self.shuffle == "batch":
            starts = backend.rng().permutation(math.ceil(n / bs)) * bs
        else:
            starts = range(0, n, bs)
            if self.shuffle:
                order = backend.rng().permutation(n)
        for step, start in enumerate(starts):
            if step >= self.steps:
                return
            if order is None:  # a slice is a view: no copy
                index = slice(start, min(start + bs, n))
            else:
                index = order[start:start + bs]
            yield (_map(lambda a, i=index: a[i], self.x),
                   None if self.y is None else _map(lambda a, i=index: a[i], self.y),
                   None if self.sample_weight is None
                   else _map(lambda a, i=index: a[i], self.sample_weight))


class IteratorAdapter:
    """Batches from a generator, a Sequence or a Dataset.

    With ``steps`` each epoch takes that many batches, continuing the same iterator across
    epochs (a generator that never ends needs ``steps_per_epoch``); without it an epoch is
    one full pass. With ``shuffle`` a Sequence's batches are read in a new random order
    every epoch, as both Keras versions do (``fit``'s default); the batches themselves are
    the Sequence's own.
    """

    def __init__(self, source, steps=None, n_inputs=1, shuffle=False):
        self.source = source
        self.n_inputs = n_inputs
        self.steps = steps
        self.shuffle = bool(shuffle)
        self._iterator = None
        self._is_sequence = hasattr(source, "__getitem__") and hasattr(source, "__len__") \
            and not is_dataset(source)
        if steps is None:
            if self._is_sequence:
                self.steps = len(source)
            elif is_dataset(source):
                n = source.cardinality()
                self.steps = int(n) if n >= 0 else None

    def _fresh(self):
        if self._is_sequence:
            n = len(self.source)
            order = backend.rng().permutation(n) if self.shuffle else range(n)
            return (self.source[int(i)] for i in order)
        return iter(self.source)

    def batches(self):
        if self._is_sequence and hasattr(self.source, "on_epoch_begin"):  # Keras 3's PyDataset
            self.source.on_epoch_begin()
        restartable = self._is_sequence or is_dataset(self.source)
        if self._iterator is None or (restartable and self.steps is None):
            self._iterator = self._fresh()
        taken = 0
        while self.steps is None or taken < self.steps:
            try:
                item = next(self._iterator)
            except StopIteration:
                if restartable and self.steps is not None and taken == 0:
                    self._iterator = self._fresh()  # a finite dataset starts over
                    continue
                self._iterator = None  # an epoch ends early when the data runs out
                return
            x, y, w = unpack_x_y_sample_weight(item)  # a list counts as a tuple, as in Keras
            yield standardize(x, self.n_inputs), standardize(y), standardize(w)
            taken += 1
        if self._is_sequence and hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()


def make_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                 n_inputs=1, n_outputs=1, what="fit"):
    """The right adapter for ``x`` (and checks that the arguments fit together)."""
    if x is None:
        raise ValueError(f"{what}: x is required")
    if is_dataset(x) or _is_generator_like(x):
        if y is not None:
            raise ValueError(f"{what}: when x is a generator or Dataset it yields the "
                             f"targets itself; do not pass y (received y of type "
                             f"{type(y).__name__})")
        if sample_weight is not None:
            raise ValueError(f"{what}: sample_weight cannot be given with a generator or "
                             "Dataset; yield (x, y, sample_weight) instead")
        return IteratorAdapter(x, steps=steps, n_inputs=n_inputs, shuffle=shuffle)
    adapter = ArrayAdapter(standardize(x, n_inputs), standardize(y, n_outputs),
                           standardize(sample_weight, n_outputs), batch_size=batch_size,
                           shuffle=shuffle, steps=steps)
    if adapter.n == 0:  # (an unbuilt model would meet a bare StopIteration building)
        raise ValueError(f"{what}: expected x to be a non-empty array or dataset; the arrays "
                         "given hold 0 samples")
    return adapter


def _is_generator_like(x) -> bool:
    if isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "dtype"):
        return False
    return hasattr(x, "__next__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__")) \
        or hasattr(x, "__iter__")
