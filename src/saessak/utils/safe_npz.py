"""Read ``.npz`` files whose arrays hold Python lists, without trusting pickle.

Keras ships ``reuters.npz`` and ``imdb.npz`` as object arrays of integer lists. NumPy can
only store those with pickle, and ``np.load(..., allow_pickle=True)`` would run whatever
code a tampered file asks for. Here a restricted unpickler admits exactly what an object
array of int lists needs -- NumPy's array reconstruction (``_reconstruct``, ``ndarray``,
``dtype``) -- refuses every other global, and the result is checked to be lists of ints.

A ``.npy`` header declares a shape before any data; a tampered one can declare 10^11
floats in 150 bytes. :func:`read_npy_bytes` checks the declared size against the bytes
actually present *before* allocating anything, so a lie is a ValueError, never a
``MemoryError``. Pickled arrays are held to the same rule: a pickled array may not claim
more elements than its pickle has bytes.

    >>> data = load_npz("reuters.npz")   # doctest: +SKIP
    >>> data["x"][0][:3]                 # doctest: +SKIP
    [1, 2, 2]
"""

import io
import math
import pickle
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy_format

try:  # NumPy >= 2 keeps the array internals in numpy._core
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core.multiarray import _reconstruct


class UnsafePickleError(ValueError):
    """The file asked the unpickler for something other than integer lists in arrays."""


# --- the .npy header, checked against the bytes that follow it ----------------------------


def npy_header(raw, source):
    """``(shape, fortran_order, dtype, data_offset)`` of the ``.npy`` bytes ``raw``, after
    checking that the header is well formed (shape: non-negative ints)."""
    stream = io.BytesIO(raw)
    try:
        version = npy_format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = npy_format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"format version {version} is not read here (1.0 and 2.0 are)")
    except Exception as e:  # malformed headers raise ValueError, SyntaxError, ...
        raise ValueError(f"{source}: not a valid .npy array: the header is damaged ({e})") \
            from None
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"{source}: not a valid .npy array: shape {shape!r} is not a tuple "
                         "of non-negative integers")
    return tuple(shape), fortran, dtype, stream.tell()


def read_npy_bytes(raw, source="<npy>"):
    """A plain (numeric, boolean or string) array from ``.npy`` bytes, never pickle.

    The declared shape times the item size must be exactly the number of bytes after the
    header, so a header that lies about its size is refused before anything is allocated.
    The result is a fresh, writable array."""
    shape, fortran, dtype, offset = npy_header(raw, source)
    if dtype.hasobject:
        raise ValueError(f"{source}: not a plain NumPy array (dtype {dtype} needs pickle, "
                         "which is never loaded)")
    count = math.prod(shape)
    declared, present = count * dtype.itemsize, len(raw) - offset
    if declared != present:
        raise ValueError(f"{source}: not a valid .npy array: the header declares shape "
                         f"{shape} of {dtype} ({declared:,} bytes) but {present:,} bytes "
                         "follow it")
    flat = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


# --- pickled object arrays --------------------------------------------------------------------


def _checked_array_type(budget, source):
    """``np.ndarray`` for the unpickler, refusing (before NumPy allocates) any array that
    claims more than ``budget`` elements: both ``_reconstruct(cls, shape, dtype)`` and
    ``ndarray.__setstate__`` allocate the shape they are given."""

    def check(shape):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if not all(type(n) is int and n >= 0 for n in shape) or math.prod(shape) > budget:
            raise UnsafePickleError(f"{source}: a pickled array claims shape {shape!r}, more "
                                    f"than its {budget:,} bytes of data can hold")

    class CheckedArray(np.ndarray):
        def __setstate__(self, state):
            if not isinstance(state, tuple) or len(state) not in (4, 5):
                raise UnsafePickleError(f"{source}: malformed array state in the pickle")
            shape, data = state[-4], state[-1]
            check(shape)
            if isinstance(data, list) and len(data) != math.prod(shape):
                raise UnsafePickleError(f"{source}: a pickled array of shape {shape} holds "
                                        f"{len(data)} items")
            super().__setstate__(state)

    def reconstruct(cls, shape, dtype):
        check(shape)
        return _reconstruct(cls, shape, dtype)

    return CheckedArray, reconstruct


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, source, budget):
        super().__init__(file, encoding="latin1")  # latin1 reads Python 2 pickles too
        self.source = source
        array_type, reconstruct = _checked_array_type(budget, source)
        # The only globals an object array of int lists needs, under every NumPy spelling.
        self.allowed = {
            ("numpy.core.multiarray", "_reconstruct"): reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): reconstruct,
            ("numpy", "ndarray"): array_type,
            ("numpy", "dtype"): np.dtype,
        }

    def find_class(self, module, name):
        try:
            return self.allowed[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"{self.source}: refusing to unpickle {module}.{name}. Only object arrays of "
                "integer lists (as in Keras's reuters.npz / imdb.npz) are read; this file "
                "asks for more and may try to run code."
            ) from None

    def persistent_load(self, pid):
        raise UnsafePickleError(f"{self.source}: refusing a pickle persistent id")


def _as_int_list(item, source, position):
    if isinstance(item, np.ndarray) and np.issubdtype(item.dtype, np.integer) and item.ndim == 1:
        return item.tolist()
    if isinstance(item, (list, tuple)) and all(type(v) is int for v in item):
        return list(item)
    raise UnsafePickleError(
        f"{source}: element {position} is {type(item).__name__}, expected a list of ints"
    )


def _read_object_array(raw, offset, shape, source):
    budget = len(raw) - offset  # every element costs at least one byte of pickle
    if math.prod(shape) > budget:
        raise ValueError(f"{source}: not a valid .npy array: the header declares shape "
                         f"{shape} but only {budget:,} bytes of pickle follow it")
    try:
        array = _RestrictedUnpickler(io.BytesIO(raw[offset:]), source, budget).load()
    except UnsafePickleError:
        raise
    except Exception as e:  # truncated or malformed pickle data
        raise ValueError(f"{source}: cannot read the object array: {e}") from None
    if not isinstance(array, np.ndarray) or array.dtype != object:
        raise UnsafePickleError(
            f"{source}: expected an object array, the pickle held {type(array).__name__}"
        )
    if array.shape != shape:
        raise ValueError(f"{source}: the header declares shape {shape}, the pickled array "
                         f"has {array.shape}")
    out = np.empty(array.shape, dtype=object)
    for pos in np.ndindex(array.shape):
        out[pos] = _as_int_list(array[pos], source, pos)
    return out


def read_npy(fp, source="<npy>"):
    """Read one ``.npy`` stream; object arrays go through the restricted unpickler."""
    raw = fp.read()
    shape, _, dtype, offset = npy_header(raw, source)
    if dtype.hasobject:
        if dtype != np.dtype(object):
            raise UnsafePickleError(f"{source}: dtype {dtype} is not a plain object array")
        return _read_object_array(raw, offset, shape, source)
    return read_npy_bytes(raw, source)


def load_npz(path):
    """Load every array of an ``.npz`` file into a dict (name -> array), pickle-safely."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except Exception as e:  # BadZipFile, EOFError, OSError, NotImplementedError, struct ...
        raise ValueError(f"{path}: not an .npz (zip) file: {e}") from None
    arrays = {}
    with zf:
        for info in zf.infolist():
            member = info.filename
            key = member[:-4] if member.endswith(".npy") else member
            try:
                with zf.open(info) as fp:
                    arrays[key] = read_npy(_BoundedReader(fp, info, path), f"{path}:{member}")
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                    RuntimeError) as e:  # RuntimeError: an encrypted member
                raise ValueError(f"{path}:{member}: damaged zip member: {e}") from None
    return arrays


class _BoundedReader:
    """A zip member read whole only after its first bytes (the ``.npy`` header) show that
    the size the zip directory declares is the size the header declares: a member that
    inflates to more than its array (a zip bomb) is refused before it is inflated."""

    HEADER_BYTES = 1 << 16  # .npy headers are capped at 10,000 bytes by NumPy

    def __init__(self, fp, info, path):
        self.fp, self.info, self.path = fp, info, path

    def read(self):
        head = self.fp.read(min(self.info.file_size, self.HEADER_BYTES))
        source = f"{self.path}:{self.info.filename}"
        shape, _, dtype, offset = npy_header(head, source)
        if not dtype.hasobject:
            expected = offset + math.prod(shape) * dtype.itemsize
            if self.info.file_size != expected:
                raise ValueError(f"{source}: not a valid .npy array: the header declares "
                                 f"{expected:,} bytes, the zip entry holds "
                                 f"{self.info.file_size:,}")
        return head + self.fp.read(self.info.file_size - len(head))


__all__ = ["load_npz", "npy_header", "read_npy", "read_npy_bytes", "UnsafePickleError"]
