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
"""

import itertools

import numpy as np

from .. import backend

INFINITE = -1
UNKNOWN = -2
AUTOTUNE = -1


# -- nested structures: tuples and dicts of arrays ----------------------------------------
class EagerArray(np.ndarray):
    """A NumPy array with TensorFlow's ``.numpy()``: what iterating a Dataset yields.

    A single value taken out of one (``batch[0]``, or a loop over a batch) is a 0-d
    EagerArray, so it keeps ``.numpy()``, which gives a NumPy scalar, or ``bytes`` for a
    string, as TensorFlow's eager tensors do.
    """

    def numpy(self):
        plain = self.view(np.ndarray)
        return plain[()] if plain.ndim == 0 else plain

    def __getitem__(self, index):
        out = super().__getitem__(index)
        return out if isinstance(out, np.ndarray) else _eager(out)


def _eager(x):
    if isinstance(x, (np.ndarray, np.generic)):  # 0-d elements come as NumPy scalars
        return np.asarray(x).view(EagerArray)
    if isinstance(x, (bytes, str)):  # a string element is a 0-d string tensor in tf.data
        scalar = np.empty((), dtype=object)
        scalar[()] = x
        return scalar.view(EagerArray)
    return x


def _is_struct(x):
    return isinstance(x, (tuple, dict))


def _map_struct(fn, *structs):
    """Apply ``fn`` leaf by leaf to structures of the same shape."""
    first = structs[0]
    if isinstance(first, dict):
        return {k: _map_struct(fn, *(s[k] for s in structs)) for k in first}
    if isinstance(first, tuple):
        return tuple(_map_struct(fn, *parts) for parts in zip(*structs))
    return fn(*structs)


def _leaves(struct):
    if isinstance(struct, dict):
        return [leaf for k in struct for leaf in _leaves(struct[k])]
    if isinstance(struct, tuple):
        return [leaf for part in struct for leaf in _leaves(part)]
    return [struct]


def _to_numpy(x):
    if hasattr(x, "numpy") and callable(x.numpy):  # a saessak (or other framework) tensor
        x = x.numpy()
    return np.asarray(x)


def _to_numpy_struct(struct):
    return _map_struct(_to_numpy, struct)


def _call(fn, element):
    """Tuples are spread over the function's arguments, as tf.data does."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}; received {value!r}")
    return int(value)


def _buffer_shuffle(items, buffer_size, rng):
    """tf.data's shuffle: keep ``buffer_size`` items, emit a random one, refill."""
    buf = []
    uniforms = iter(())
    for item in items:
        if len(buf) < buffer_size:
            buf.append(item)
            continue
        u = next(uniforms, None)
        if u is None:
            uniforms = iter(rng.random(4096).tolist())
            u = next(uniforms)
        j = int(u * len(buf))
        yield buf[j]
        buf[j] = item
    order = rng.permutation(len(buf))
    for j in order:
        yield buf[j]


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
        return (_map_struct(_eager, element) for element in self._elements())

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
        return _TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors):
        """A dataset with the single element ``tensors``."""
        return _FromList([_to_numpy_struct(tensors)])

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
        return _FromGenerator(generator, tuple(args or ()), output_types)

    @staticmethod
    def range(*args):
        """Like Python's ``range``: ``Dataset.range(5)`` gives 0, 1, 2, 3, 4 (int64)."""
        return _TensorSlices(np.arange(*args, dtype=np.int64))

    @staticmethod
    def zip(*datasets):
        """Elements are tuples (or dicts) of the elements of ``datasets``, in step; it stops
        with the shortest. ``Dataset.zip((a, b))`` and ``Dataset.zip(a, b)`` both work."""
        if len(datasets) == 1 and _is_struct(datasets[0]):
            datasets = datasets[0]
        for d in _leaves(datasets):
            if not isinstance(d, Dataset):
                raise ValueError(f"`datasets` must hold Datasets; received {type(d).__name__}")
        return _Zip(datasets)

    # -- transformations -----------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Apply ``map_func`` to every element (tuples are spread over its arguments)."""
        if not callable(map_func):
            raise ValueError(f"`map_func` must be callable; received {map_func!r}")
        return _Map(self, map_func)

    def filter(self, predicate, name=None):
        """Keep the elements for which ``predicate`` is true."""
        if not callable(predicate):
            raise ValueError(f"`predicate` must be callable; received {predicate!r}")
        return _Filter(self, predicate)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Randomly reorder elements through a buffer of ``buffer_size`` (a buffer at least
        as large as the dataset gives a uniform shuffle). With ``reshuffle_each_iteration``
        each pass gets a new order; a ``seed`` makes the sequence of orders repeatable."""
        buffer_size = _check_int("buffer_size", buffer_size, 1) if buffer_size != -1 else -1
        return _Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stack ``batch_size`` consecutive elements (the last batch may be smaller unless
        ``drop_remainder``)."""
        return _Batch(self, _check_int("batch_size", batch_size, 1), bool(drop_remainder))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Like :meth:`batch`, padding each element to a common shape first: the largest in
        the batch, or ``padded_shapes`` where given (None / -1 entries mean "largest")."""
        return _PaddedBatch(self, _check_int("batch_size", batch_size, 1), padded_shapes,
                            padding_values, bool(drop_remainder))

    def unbatch(self, name=None):
        """Split every element along its first axis (the inverse of :meth:`batch`)."""
        return _Unbatch(self)

    def repeat(self, count=None, name=None):
        """Run through the dataset ``count`` times (None or -1: forever)."""
        if count is not None and count != -1:
            count = _check_int("count", count, 0)
        else:
            count = None
        return _Repeat(self, count)

    def take(self, count, name=None):
        """The first ``count`` elements (-1: all)."""
        return _Take(self, -1 if count == -1 else _check_int("count", count, 0))

    def skip(self, count, name=None):
        """All but the first ``count`` elements (-1: none)."""
        return _Skip(self, -1 if count == -1 else _check_int("count", count, 0))

    def cache(self, filename="", name=None):
        """Remember the elements of the first complete pass and replay them afterwards.
        (Kept in memory; ``filename`` is accepted and ignored.)"""
        return _Cache(self)

    def prefetch(self, buffer_size=AUTOTUNE, name=None):
        """Accepted for compatibility; iteration is synchronous, so this is the identity."""
        return self

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by ``dataset``'s."""
        if not isinstance(dataset, Dataset):
            raise ValueError(f"`dataset` must be a Dataset; received {type(dataset).__name__}")
        return _Concatenate(self, dataset)

    def enumerate(self, start=0, name=None):
        """Elements become ``(index, element)`` pairs, counting from ``start``."""
        return _Enumerate(self, start)

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


# -- sources ------------------------------------------------------------------------------
class _TensorSlices(Dataset):
    def __init__(self, tensors):
        def convert(x):
            try:
                a = _to_numpy(x)
            except ValueError as e:
                raise ValueError(f"from_tensor_slices: cannot make an array of {e}") from None
            if a.ndim == 0:
                raise ValueError("from_tensor_slices needs arrays with at least one axis; "
                                 f"received a scalar {a!r}")
            return a

        self.tensors = _map_struct(convert, tensors)
        sizes = {len(a) for a in _leaves(self.tensors)}
        if len(sizes) > 1:
            raise ValueError("from_tensor_slices: all arrays need the same number of rows; "
                             f"received {sorted(sizes)}")
        self.n = sizes.pop() if sizes else 0

    def cardinality(self):
        return self.n

    def _indexable(self):
        return True

    def _order(self):
        return np.arange(self.n)

    def _gather(self, idx):
        return _map_struct(lambda a: a[idx], self.tensors)

    def _elements(self):
        tensors = self.tensors
        for i in range(self.n):
            yield _map_struct(lambda a, i=i: a[i], tensors)


class _FromList(Dataset):
    def __init__(self, items):
        self.items = items

    def cardinality(self):
        return len(self.items)

    def _elements(self):
        return iter(self.items)


class _FromGenerator(Dataset):
    def __init__(self, generator, args, output_types):
        self.generator, self.args, self.output_types = generator, args, output_types

    def _elements(self):
        for item in self.generator(*self.args):
            if self.output_types is None:
                yield _to_numpy_struct(item)
            elif _is_struct(self.output_types):
                yield _map_struct(lambda x, t: np.asarray(_to_numpy(x), dtype=_dtype(t)),
                                  item, self.output_types)
            else:
                yield np.asarray(_to_numpy(item), dtype=_dtype(self.output_types))


def _dtype(t):
    """Accept NumPy dtypes, strings, and tf-style objects with a ``name`` or ``as_numpy_dtype``."""
    if hasattr(t, "as_numpy_dtype"):
        return t.as_numpy_dtype
    if not isinstance(t, (str, type, np.dtype)) and hasattr(t, "name"):
        return t.name
    return t


# -- element-wise transformations ------------------------------------------------------------
class _Wrapper(Dataset):
    def __init__(self, parent):
        self.parent = parent

    def cardinality(self):
        return self.parent.cardinality()


class _Map(_Wrapper):
    def __init__(self, parent, fn):
        super().__init__(parent)
        self.fn = fn

    def _elements(self):
        for element in self.parent:
            out = _call(self.fn, element)
            if isinstance(out, list):  # tf.data reads a returned list as a tuple of parts
                out = tuple(out)
            yield _to_numpy_struct(out)


class _Filter(_Wrapper):
    def __init__(self, parent, predicate):
        super().__init__(parent)
        self.predicate = predicate

    def cardinality(self):
        return INFINITE if self.parent.cardinality() == INFINITE else UNKNOWN

    def _elements(self):
        for element in self.parent:
            keep = _to_numpy(_call(self.predicate, element))
            if keep.shape != ():
                raise ValueError(f"`predicate` must return one boolean; it returned shape "
                                 f"{keep.shape}")
            if bool(keep):
                yield element


class _Shuffle(_Wrapper):
    def __init__(self, parent, buffer_size, seed, reshuffle):
        super().__init__(parent)
        self.buffer_size, self.reshuffle = buffer_size, reshuffle
        self.seed = seed if seed is not None else int(backend.make_rng().integers(2**63))
        self._rng = np.random.default_rng(self.seed)

    def _epoch_rng(self):
        # reshuffling advances one generator; otherwise every pass starts from the seed
        return self._rng if self.reshuffle else np.random.default_rng(self.seed)

    def _indexable(self):
        return self.parent._indexable()

    def _order(self):
        order = self.parent._order()
        rng = self._epoch_rng()
        if self.buffer_size == -1 or self.buffer_size >= len(order):
            return order[rng.permutation(len(order))]
        return np.fromiter(_buffer_shuffle(order.tolist(), self.buffer_size, rng),
                           dtype=order.dtype, count=len(order))

    def _gather(self, idx):
        return self.parent._gather(idx)

    def _elements(self):
        if self._indexable():
            for i in self._order():
                yield self.parent._gather(i)
            return
        size = self.buffer_size if self.buffer_size != -1 else float("inf")
        yield from _buffer_shuffle(iter(self.parent), size, self._epoch_rng())


class _Enumerate(_Wrapper):
    def __init__(self, parent, start):
        super().__init__(parent)
        self.start = start

    def _elements(self):
        for i, element in enumerate(self.parent, self.start):
            yield np.int64(i), element


class _Batch(_Wrapper):
    def __init__(self, parent, batch_size, drop_remainder):
        super().__init__(parent)
        self.batch_size, self.drop_remainder = batch_size, drop_remainder

    def cardinality(self):
        n = self.parent.cardinality()
        if n < 0:
            return n
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def _elements(self):
        bs = self.batch_size
        if self.parent._indexable():  # fast path: gather whole blocks of rows at once
            order = self.parent._order()
            for start in range(0, len(order), bs):
                idx = order[start:start + bs]
                if self.drop_remainder and len(idx) < bs:
                    break
                yield self.parent._gather(idx)
            return
        for chunk in _chunks(iter(self.parent), bs):
            if self.drop_remainder and len(chunk) < bs:
                break
            yield _stack(chunk)


def _chunks(iterator, size):
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


def _stack(elements):
    try:
        return _map_struct(lambda *xs: np.stack(xs), *elements)
    except ValueError as e:
        raise ValueError(f"batch: elements have different shapes ({e}); use padded_batch "
                         "for variable-length elements") from None


class _PaddedBatch(_Batch):
    def __init__(self, parent, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(parent, batch_size, drop_remainder)
        self.padded_shapes, self.padding_values = padded_shapes, padding_values

    def _pad_leaf(self, xs, shape, value):
        xs = [np.asarray(x) for x in xs]
        ndim = xs[0].ndim
        if any(x.ndim != ndim for x in xs):
            raise ValueError("padded_batch: elements differ in rank")
        target = [max(x.shape[d] for x in xs) for d in range(ndim)]
        if shape is not None:
            shape = list(np.atleast_1d(shape)) if ndim else []
            if len(shape) != ndim:
                raise ValueError(f"`padded_shapes` {shape} does not match element rank {ndim}")
            for d, s in enumerate(shape):
                if s is not None and s != -1:
                    if s < target[d]:
                        raise ValueError(f"padded_batch: an element has size {target[d]} on "
                                         f"axis {d}, more than padded_shapes allows ({s})")
                    target[d] = int(s)
        fill = 0 if value is None else value
        out = np.full([len(xs), *target], fill, dtype=xs[0].dtype)
        for i, x in enumerate(xs):
            out[(i, *(slice(0, n) for n in x.shape))] = x
        return out

    def _elements(self):
        for chunk in _chunks(iter(self.parent), self.batch_size):
            if self.drop_remainder and len(chunk) < self.batch_size:
                break
            first = chunk[0]
            shapes = self.padded_shapes if self.padded_shapes is not None else _map_struct(
                lambda _: None, first)
            values = self.padding_values if self.padding_values is not None else _map_struct(
                lambda _: None, first)
            if not _is_struct(first):
                yield self._pad_leaf(chunk, shapes, values)
            else:
                yield _map_struct(lambda s, v, *xs: self._pad_leaf(xs, s, v),
                                  shapes, values, *chunk)


class _Unbatch(_Wrapper):
    def cardinality(self):
        return INFINITE if self.parent.cardinality() == INFINITE else UNKNOWN

    def _elements(self):
        for element in self.parent:
            leaves = _leaves(element)
            if any(np.ndim(a) == 0 for a in leaves):
                raise ValueError("unbatch: elements must have a first (batch) axis")
            for i in range(len(leaves[0])):
                yield _map_struct(lambda a, i=i: a[i], element)


class _Repeat(_Wrapper):
    def __init__(self, parent, count):
        super().__init__(parent)
        self.count = count

    def cardinality(self):
        n = self.parent.cardinality()
        if self.count is None:
            return 0 if n == 0 else INFINITE
        return n * self.count if n >= 0 else n

    def _elements(self):
        passes = itertools.count() if self.count is None else range(self.count)
        for _ in passes:
            empty = True
            for element in self.parent:
                empty = False
                yield element
            if empty:  # repeating nothing forever would hang
                return


class _Take(_Wrapper):
    def __init__(self, parent, count):
        super().__init__(parent)
        self.count = count

    def cardinality(self):
        n = self.parent.cardinality()
        if self.count == -1:
            return n
        if n == INFINITE:
            return self.count
        return min(n, self.count) if n >= 0 else UNKNOWN

    def _elements(self):
        if self.count == -1:
            return iter(self.parent)
        return itertools.islice(iter(self.parent), self.count)


class _Skip(_Take):
    def cardinality(self):
        n = self.parent.cardinality()
        if self.count == -1:
            return 0 if n != INFINITE else INFINITE
        return max(0, n - self.count) if n >= 0 else n

    def _elements(self):
        if self.count == -1:
            return iter(())
        return itertools.islice(iter(self.parent), self.count, None)


class _Cache(_Wrapper):
    def __init__(self, parent):
        super().__init__(parent)
        self._cached = None

    def _elements(self):
        if self._cached is not None:
            yield from self._cached
            return
        seen = []
        for element in self.parent:
            seen.append(element)
            yield element
        self._cached = seen  # only a complete pass is kept


class _Zip(Dataset):
    def __init__(self, datasets):
        self.datasets = datasets

    def cardinality(self):
        ns = [d.cardinality() for d in _leaves(self.datasets)]
        finite = [n for n in ns if n >= 0]
        if finite:
            return min(finite) if UNKNOWN not in ns else UNKNOWN
        return UNKNOWN if UNKNOWN in ns else INFINITE

    def _elements(self):
        structure = self.datasets
        iterators = [iter(d) for d in _leaves(structure)]
        for items in zip(*iterators):
            it = iter(items)
            yield _map_struct(lambda _d, it=it: next(it), structure)


class _Concatenate(Dataset):
    def __init__(self, first, second):
        self.first, self.second = first, second

    def cardinality(self):
        a, b = self.first.cardinality(), self.second.cardinality()
        if INFINITE in (a, b):
            return INFINITE
        return a + b if a >= 0 and b >= 0 else UNKNOWN

    def _elements(self):
        yield from self.first
        yield from self.second


__all__ = ["Dataset", "AUTOTUNE", "INFINITE", "UNKNOWN"]
