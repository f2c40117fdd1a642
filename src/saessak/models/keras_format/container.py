"""Opening Keras files as hostile input: the checks made before anything is read whole.

A Keras file carries no manifest or checksum of saessak's (:mod:`saessak.models.archive`),
so these checks stand in for them:

- a ``.keras`` zip: plain entry names, no encryption, entries *stored* or *deflated* (what
  Keras and zip tools write), each no larger than the file can hold (stored) or than
  ``MAX_RATIO`` times its compressed size (deflated, against zip bombs), ``config.json``
  under ``MAX_JSON``; the zip's CRC-32 of every entry read is checked, so a truncated,
  bit-flipped or edited file is refused;
- HDF5 (``.h5``, and ``model.weights.h5`` inside a ``.keras``): an attribute's declared size
  is checked against the file before it is read, and a dataset's shape against the weight
  it fills (by the caller), its dtype (numbers only) and, when uncompressed, its stored
  bytes against its shape; HDF5's own errors on damaged data become ValueErrors.

Every failure is one ValueError naming the file and the entry (``path: entry``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import zipfile

import numpy as np

MAX_JSON = 64 << 20  # a config far larger than any real model's
MAX_RATIO = 32  # deflated entries: no more than this many bytes out per byte in
_NAME = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*/?")
# what damaged files make zipfile, zlib and HDF5 raise
_DAMAGE = (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError,
           RuntimeError, TypeError, AttributeError, IndexError, OverflowError,
           RecursionError, UnicodeDecodeError, MemoryError)


def h5py_module():
    """h5py, or an ImportError that says how to get it."""
    try:
        import h5py
    except ImportError:
        raise ImportError("reading and writing Keras .h5/.keras files needs h5py: "
                          "pip install 'saessak[h5]' (or pip install h5py)") from None
    return h5py


@contextlib.contextmanager
def damage(where):
    """Low-level errors from a damaged file -> one ValueError naming ``where``."""
    try:
        yield
    except (ImportError, Warning):  # already clear (warnings made errors too)
        raise
    except ValueError as err:  # ours name the file; NumPy's and codecs' do not
        if where.split(": ")[0] in str(err):
            raise
        raise ValueError(f"{where}: the file is damaged or not what it claims to be "
                         f"({type(err).__name__}: {err})") from None
    except _DAMAGE as err:
        raise ValueError(f"{where}: the file is damaged or not what it claims to be "
                         f"({type(err).__name__}: {err})") from None
    except Exception as err:  # zlib.error, struct.error and HDF5's own exception classes
        raise ValueError(f"{where}: the file is damaged ({type(err).__name__}: {err})") \
            from None


def parse_json(data, where):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"{where} is not valid JSON ({err})") from None
    try:
        return json.loads(data)
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where} is not valid JSON ({err})") from None
    except RecursionError:
        raise ValueError(f"{where} is nested too deeply to be a Keras config") from None


# --- .keras zips --------------------------------------------------------------------------


def _check_info(info, path, file_size):
    where = f"{path}: {info.filename!r}"
    if not _NAME.fullmatch(info.filename) or {".", ".."} & set(info.filename.split("/")):
        raise ValueError(f"{where}: not a plain relative entry name")
    if info.flag_bits & 0x1:
        raise ValueError(f"{where}: the entry is encrypted")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size or info.file_size > file_size:
            raise ValueError(f"{where}: declares {info.file_size:,} bytes, more than the "
                             f"file's {file_size:,} can hold")
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        if info.file_size > MAX_RATIO * info.compress_size + (1 << 16) \
                or info.compress_size > file_size:
            raise ValueError(f"{where}: declares {info.file_size:,} bytes from "
                             f"{info.compress_size:,} compressed, more than {MAX_RATIO}x; "
                             "refused as a possible zip bomb")
    else:
        raise ValueError(f"{where}: compression method {info.compress_type} is not read "
                         "(Keras writes entries stored)")


def read_keras3(path):
    """``(config, weights bytes, assets)`` of a Keras 3 ``.keras`` archive, checked (see
    above); ``assets`` maps each file under ``assets/`` (its name below that folder) to its
    bytes."""
    path = os.fspath(path)
    with damage(path):
        file_size = os.path.getsize(path)
        with zipfile.ZipFile(path) as archive:
            infos = {}
            for info in archive.infolist():
                if info.filename in infos:
                    raise ValueError(f"{path}: {info.filename!r} appears twice in the archive")
                _check_info(info, path, file_size)
                infos[info.filename] = info
            for name in ("config.json", "model.weights.h5"):
                if name not in infos:
                    raise ValueError(f"{path}: {name!r} is missing; a Keras 3 .keras archive "
                                     "holds config.json and model.weights.h5")
            if infos["config.json"].file_size > MAX_JSON:
                raise ValueError(f"{path}: 'config.json' declares "
                                 f"{infos['config.json'].file_size:,} bytes, more than the "
                                 f"{MAX_JSON:,} a model config may take")
            with damage(f"{path}: 'config.json'"):
                config = archive.read(infos["config.json"])
            with damage(f"{path}: 'model.weights.h5'"):
                weights = archive.read(infos["model.weights.h5"])
            assets = {}
            for name, info in infos.items():
                if name.startswith("assets/") and not name.endswith("/"):
                    with damage(f"{path}: {name!r}"):
                        assets[name[len("assets/"):]] = archive.read(info)
    return parse_json(config, f"{path}: config.json"), weights, assets


# --- HDF5 -----------------------------------------------------------------------------------


def read_attr(obj, name, where, default=None):
    """The attribute ``name`` of an HDF5 object, after checking its declared size against
    the file (an attribute may claim a shape far larger than the bytes present)."""
    if name not in obj.attrs:
        return default
    with damage(f"{where}: attribute {name!r} of {obj.name}"):
        attr = obj.attrs.get_id(name)
        declared = int(np.prod(attr.shape or (), dtype=np.int64)) * attr.dtype.itemsize
        file_size = obj.file.id.get_filesize()
        if declared > file_size:
            raise ValueError(f"{where}: attribute {name!r} of {obj.name} declares "
                             f"{declared:,} bytes, more than the file's {file_size:,}")
        return obj.attrs[name]


def read_dataset(data, where, dtype):
    """The array in HDF5 dataset ``data`` (its shape was checked by the caller): numbers
    only, and when stored uncompressed, exactly the bytes its shape needs."""
    entry = f"{where}: {data.name}"
    with damage(entry):
        if data.dtype.kind not in "biuf":
            raise ValueError(f"{entry}: holds {data.dtype}, not numbers")
        needed = int(np.prod(data.shape, dtype=np.int64)) * data.dtype.itemsize
        stored = data.id.get_storage_size()
        if data.compression is None and data.chunks is None and stored not in (0, needed):
            raise ValueError(f"{entry}: stores {stored:,} bytes, its shape {data.shape} of "
                             f"{data.dtype} needs {needed:,}")
        return np.asarray(data[()], dtype=dtype)


def user_defines(cls, method) -> bool:
    """Whether a class of the user's (not saessak's) in ``cls``'s lineage defines ``method``:
    Keras 3's hooks (``get_build_config``, ``compile_from_config`` ...) are called only then."""
    return any(method in vars(c) and not c.__module__.startswith("saessak") for c in cls.__mro__)
