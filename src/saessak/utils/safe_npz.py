"""Read ``.npz`` files whose arrays hold Python lists, without trusting pickle.

Keras ships ``reuters.npz`` and ``imdb.npz`` as object arrays of integer lists. NumPy can
only store those with pickle, and ``np.load(..., allow_pickle=True)`` would run whatever
code a tampered file asks for. Here a restricted unpickler admits exactly what an object
array of int lists needs -- NumPy's array reconstruction (``_reconstruct``, ``ndarray``,
``dtype``) -- refuses every other global, and the result is checked to be lists of ints.

    >>> data = load_npz("reuters.npz")   # doctest: +SKIP
    >>> data["x"][0][:3]                 # doctest: +SKIP
    [1, 2, 2]
"""

import io
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


# The only globals an object array of int lists needs, under every NumPy spelling.
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, source):
        super().__init__(file, encoding="latin1")  # latin1 reads Python 2 pickles too
        self.source = source

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
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


def _read_object_array(fp, source):
    try:
        array = _RestrictedUnpickler(fp, source).load()
    except UnsafePickleError:
        raise
    except Exception as e:  # truncated or malformed pickle data
        raise ValueError(f"{source}: cannot read the object array: {e}") from None
    if not isinstance(array, np.ndarray) or array.dtype != object:
        raise UnsafePickleError(
            f"{source}: expected an object array, the pickle held {type(array).__name__}"
        )
    out = np.empty(array.shape, dtype=object)
    for pos in np.ndindex(array.shape):
        out[pos] = _as_int_list(array[pos], source, pos)
    return out


def read_npy(fp, source="<npy>"):
    """Read one ``.npy`` stream; object arrays go through the restricted unpickler."""
    raw = fp.read()
    try:
        return npy_format.read_array(io.BytesIO(raw), allow_pickle=False)
    except ValueError as e:
        if "allow_pickle" not in str(e):
            raise ValueError(f"{source}: not a valid .npy array: {e}") from None
    stream = io.BytesIO(raw)
    version = npy_format.read_magic(stream)
    if version == (1, 0):
        npy_format.read_array_header_1_0(stream)
    else:
        npy_format.read_array_header_2_0(stream)
    return _read_object_array(stream, source)


def load_npz(path):
    """Load every array of an ``.npz`` file into a dict (name -> array), pickle-safely."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise ValueError(f"{path}: not an .npz (zip) file: {e}") from None
    arrays = {}
    with zf:
        for member in zf.namelist():
            key = member[:-4] if member.endswith(".npy") else member
            try:
                with zf.open(member) as fp:
                    arrays[key] = read_npy(fp, source=f"{path}:{member}")
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
                raise ValueError(f"{path}:{member}: damaged zip member: {e}") from None
    return arrays


__all__ = ["load_npz", "read_npy", "UnsafePickleError"]
