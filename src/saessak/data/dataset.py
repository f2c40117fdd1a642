"""``Dataset``: a lazy input pipeline in the style of ``tf.data.Dataset``.

    >>> ds = Dataset.from_tensor_slices((x, y)).shuffle(1000, seed=0).batch(32)
    >>> for xb, yb in ds:          # NumPy arrays
    ...     ...

A Dataset is a recipe: each method returns a new Dataset wrapping the previous one, and
nothing runs until it is iterated. Every pass (``for`` loop, epoch) starts from the top.
Elements are NumPy arrays, or tuples / dicts of them. (Python lists count as arrays, as in
TensorFlow; use tuples for structure.)

Speed: a pipeline that starts from in-memory arrays and applies only ``shuffle`` and
``batch`` never touches single elements. It shuffles an index vector and builds each
batch with one fancy-indexing gather per array.

Cardinality (``len(ds)``, ``ds.cardinality()``) is known where it can be; it is
``INFINITE`` (-1) after ``repeat()`` and ``UNKNOWN`` (-2) after ``filter`` or for generators.

This module holds the ``Dataset`` class, its API; the elements' structure is in
:mod:`.structure`, the sources in :mod:`.sources`, the steps the methods chain on in
:mod:`.transformations` and :mod:`.batching`.
"""

from __future__ import annotations

import numpy as np

from .structure import check_int, eager, is_struct, leaves_of, map_struct, to_numpy_struct

INFINITE = -1
UNKNOWN = -2
AUTOTUNE = -1


class Dataset:
    """Base class; build one with :meth:`from_tensor_slices`, :meth:`from_generator`, ..."""

    # Subclasses implement _elements(); index-addressable ones also _order() and _gather().
    def _elements(self):
        raise NotImplementedError

    def _indexable(self):
        return False

    def __iter__(self):
        # Elements are NumPy arrays that also answer .numpy(), as tf.data's eager tensors do
        # (the seeds write ``for x in ds: x.numpy()``).
        return (map_struct(eager, element) for element in self._elements())

    def as_numpy_iterator(self):
        """Iterate over the elements as plain NumPy arrays."""
        return iter(self._elements())

    def cardinality(self):
        """Number of elements, ``INFINITE`` (-1) or ``UNKNOWN`` (-2)."""
        return UNKNOWN

    def __len__(self):
        n = self.cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    # -- sources -------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """One element per row (first axis) of ``tensors`` (an array, or a tuple/dict of
        arrays with the same number of rows)."""
        return TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors):
        """A dataset with the single element ``tensors``."""
        return FromList([to_numpy_struct(tensors)])

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None):
        """Elements from calling ``generator(*args)`` anew on every pass.

        ``output_types`` (a dtype or a structure of dtypes) casts what it yields; shapes
        and signatures are accepted for compatibility and not enforced.
        """
        if not callable(generator):
            raise ValueError("`generator` must be a callable that returns an iterator; "
                             f"received {type(generator).__name__}")
        return FromGenerator(generator, tuple(args or ()), output_types)

    @staticmethod
    def range(*args):
        """Like Python's ``range``: ``Dataset.range(5)`` gives 0, 1, 2, 3, 4 (int64)."""
        return TensorSlices(np.arange(*args, dtype=np.int64))

    @staticmethod
    def zip(*datasets):
        """Elements are tuples (or dicts) of the elements of ``datasets``, in step; it stops
        with the shortest. ``Dataset.zip((a, b))`` and ``Dataset.zip(a, b)`` both work."""
        if len(datasets) == 1 and is_struct(datasets[0]):
            datasets = datasets[0]
        for d in leaves_of(datasets):
            if not isinstance(d, Dataset):
                raise ValueError(f"`datasets` must hold Datasets; received {type(d).__name__}")
        return Zip(datasets)

    # -- transformations -----------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Apply ``map_func`` to every element (tuples are spread over its arguments)."""
        if not callable(map_func):
            raise ValueError(f"`map_func` must be callable; received {map_func!r}")
        return Map(self, map_func)

    def filter(self, predicate, name=None):
        """Keep the elements for which ``predicate`` is true."""
        if not callable(predicate):
            raise ValueError(f"`predicate` must be callable; received {predicate!r}")
        return Filter(self, predicate)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Randomly reorder elements through a buffer of ``buffer_size`` (a buffer at least
        as large as the dataset gives a uniform shuffle). With ``reshuffle_each_iteration``
        each pass gets a new order; a ``seed`` makes the sequence of orders repeatable."""
        buffer_size = check_int("buffer_size", buffer_size, 1) if buffer_size != -1 else -1
        return Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stack ``batch_size`` consecutive elements (the last batch may be smaller unless
        ``drop_remainder``)."""
        return Batch(self, check_int("batch_size", batch_size, 1), bool(drop_remainder))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Like :meth:`batch`, padding each element to a common shape first: the largest in
        the batch, or ``padded_shapes`` where given (None / -1 entries mean "largest")."""
        return PaddedBatch(self, check_int("batch_size", batch_size, 1), padded_shapes,
                            padding_values, bool(drop_remainder))

    def unbatch(self, name=None):
        """Split every element along its first axis (the inverse of :meth:`batch`)."""
        return Unbatch(self)

    def repeat(self, count=None, name=None):
        """Run through the dataset ``count`` times (None or -1: forever)."""
        if count is not None and count != -1:
            count = check_int("count", count, 0)
        else:
            count = None
        return Repeat(self, count)

    def take(self, count, name=None):
        """The first ``count`` elements (-1: all)."""
        return Take(self, -1 if count == -1 else check_int("count", count, 0))

    def skip(self, count, name=None):
        """All but the first ``count`` elements (-1: none)."""
        return Skip(self, -1 if count == -1 else check_int("count", count, 0))

    def cache(self, filename="", name=None):
        """Remember the elements of the first complete pass and replay them afterwards.
        (Kept in memory; ``filename`` is accepted and ignored.)"""
        return Cache(self)

    def prefetch(self, buffer_size=AUTOTUNE, name=None):
        """Accepted for compatibility; iteration is synchronous, so this is the identity."""
        return self

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by ``dataset``'s."""
        if not isinstance(dataset, Dataset):
            raise ValueError(f"`dataset` must be a Dataset; received {type(dataset).__name__}")
        return Concatenate(self, dataset)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Windows of ``size`` consecutive elements, each a Dataset, one starting every
        ``shift`` elements (default: ``size``), taking every ``stride``-th element; the last
        ones may be shorter unless ``drop_remainder`` (see :mod:`.windowing`)."""
        size = check_int("size", size, 1)
        shift = size if shift is None else check_int("shift", shift, 1)
        return Window(self, size, shift, check_int("stride", stride, 1), bool(drop_remainder))

    def flat_map(self, map_func, name=None):
        """``map_func`` turns each element into a Dataset; their elements follow one
        another (``ds.window(n).flat_map(lambda w: w.batch(n))``)."""
        if not callable(map_func):
            raise ValueError(f"`map_func` must be callable; received {map_func!r}")
        return FlatMap(self, map_func)

    def enumerate(self, start=0, name=None):
        """Elements become ``(index, element)`` pairs, counting from ``start``."""
        return Enumerate(self, start)

    def reduce(self, initial_state, reduce_func):
        """Fold the elements: ``state = reduce_func(state, element)``."""
        state = initial_state
        for element in self:
            state = reduce_func(state, element)
        return state

    def __repr__(self):
        n = self.cardinality()
        size = {INFINITE: "infinite", UNKNOWN: "unknown"}.get(n, n)
        return f"<{type(self).__name__.lstrip('_')} Dataset, cardinality={size}>"


# The sources and steps subclass Dataset, so they are imported once it is defined.
from .batching import Batch, PaddedBatch, Unbatch  # noqa: E402
from .sources import FromGenerator, FromList, TensorSlices  # noqa: E402
from .transformations import (  # noqa: E402
    Cache,
    Concatenate,
    Enumerate,
    Filter,
    Map,
    Repeat,
    Shuffle,
    Skip,
    Take,
    Zip,
)
from .windowing import FlatMap, Window  # noqa: E402

__all__ = ["Dataset", "AUTOTUNE", "INFINITE", "UNKNOWN"]
