"""The container of saessak's files: a zip of stored entries, checked before it is read.

Every entry but ``manifest.json`` is listed in the manifest with its size and SHA-256.
Opening a file checks, before any entry is read whole:

- the zip directory: plain relative names (no ``..``, no absolute paths, no links, no
  duplicates), no encryption, and every entry *stored*: saessak never compresses, so a
  compressed entry (a zip bomb, say) is refused without inflating a byte, and a stored
  entry can be no larger than the file that holds it;
- the manifest: exactly the entries present, each of the size it promises;
- every entry's checksum (read in 1 MiB chunks), and every ``.npy`` header against its
  entry's size, so that no array is ever allocated from a size the file merely claims;
- ``metadata.json`` against its schema (:mod:`.file_schema`).

So a truncated, edited, bit-flipped or hostile file fails with one ValueError naming the
file and the entry, and loading one never takes more memory than the entries it reads.
Files are written atomically (:mod:`saessak.utils.atomic`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import zipfile

import numpy as np

from .. import backend
from ..utils.atomic import atomic_write_bytes, refuse_to_overwrite
from ..utils.safe_npz import npy_header, read_npy_bytes
from . import file_schema

FORMAT = "saessak-model"
VERSION = 1
CHUNK = 1 << 20
_NAME = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*")


def npy_bytes(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(backend.to_numpy(array)), allow_pickle=False)
    return buf.getvalue()


def write_archive(path, entries: dict, overwrite: bool = True) -> None:
    """``entries`` (name -> bytes) and their manifest, as one stored zip, atomically."""
    path = os.fspath(path)
    refuse_to_overwrite(path, overwrite)
    manifest = {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for name, data in entries.items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())


class Archive:
    """A saved file opened for reading; see the module docstring for what is checked."""

    def __init__(self, path, kinds=("model", "weights")):
        self.path = os.fspath(path)
        self._zip = None
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"no such model file: {self.path}")
        try:
            self.file_size = os.path.getsize(self.path)
            with zipfile.ZipFile(self.path) as archive:
                self.infos = self._check_directory(archive.infolist())
                manifest = self._json_from(archive, "manifest.json")
                self.manifest = file_schema.manifest(manifest, self.where("manifest.json"))
                self._check_against_manifest()
                for name in self.manifest:
                    self._check_entry(archive, name)
        except ValueError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as err:
            raise ValueError(f"{self.path}: not a readable saessak file; it is truncated or "
                             f"corrupted ({err})") from None
        except Exception as err:  # zlib and struct errors on damaged archives
            raise ValueError(f"{self.path}: the archive is damaged ({err})") from None
        self.meta = file_schema.metadata(self.json("metadata.json"),
                                         self.where("metadata.json"), FORMAT, VERSION, kinds)

    def where(self, name) -> str:
        return f"{self.path}: {name}"

    # --- the checks made on opening ------------------------------------------------------

    def _check_directory(self, infos) -> dict:
        by_name = {}
        for info in infos:
            name, where = info.filename, self.where(repr(info.filename))
            if not _NAME.fullmatch(name) or {".", ".."} & set(name.split("/")):
                raise ValueError(f"{where}: not a plain relative entry name; saessak files "
                                 "hold only names like 'weights/0000.npy'")
            if name in by_name:
                raise ValueError(f"{where}: the entry appears twice in the archive")
            if stat.S_ISLNK(info.external_attr >> 16) or info.is_dir():
                raise ValueError(f"{where}: a link or folder entry; saessak writes only files")
            if info.flag_bits & 0x1:
                raise ValueError(f"{where}: the entry is encrypted")
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{where}: the entry is compressed (method "
                                 f"{info.compress_type}); saessak writes every entry stored, "
                                 "so it is not read")
            if info.compress_size != info.file_size or info.file_size > self.file_size:
                raise ValueError(f"{where}: declares {info.file_size:,} bytes, more than the "
                                 f"file's {self.file_size:,} can hold")
            by_name[name] = info
        if "manifest.json" not in by_name:
            raise ValueError(f"{self.path}: no manifest.json; this is not a file written by "
                             "saessak's save()")
        return by_name

    def _check_against_manifest(self):
        for name, (_, size) in self.manifest.items():
            info = self.infos.get(name)
            if info is None:
                raise ValueError(f"{self.path}: the entry {name!r} listed in the manifest is "
                                 "missing (truncated file?)")
            if size is not None and info.file_size != size:
                raise ValueError(f"{self.path}: the entry {name!r} holds {info.file_size:,} "
                                 f"bytes, the manifest promises {size:,}")
        extra = set(self.infos) - set(self.manifest) - {"manifest.json"}
        if extra:
            raise ValueError(f"{self.path}: entries not covered by the manifest: "
                             f"{sorted(extra)}")

    def _check_entry(self, archive, name):
        """The checksum, read in chunks; for a ``.npy`` entry also its header's size."""
        digest, first = hashlib.sha256(), None
        with archive.open(self.infos[name]) as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                first = chunk if first is None else first
        if digest.hexdigest() != self.manifest[name][0]:
            raise ValueError(f"{self.path}: the checksum of {name!r} does not match; the "
                             "file was modified or damaged after it was saved")
        if name.endswith(".npy"):
            shape, _, dtype, offset = npy_header(first or b"", self.where(name))
            if dtype.hasobject:
                raise ValueError(f"{self.where(name)} is not a plain NumPy array (dtype "
                                 f"{dtype} needs pickle, which is never loaded)")
            declared = offset + int(np.prod(shape, dtype=object)) * dtype.itemsize
            if declared != self.infos[name].file_size:
                raise ValueError(f"{self.where(name)}: the .npy header declares shape "
                                 f"{shape} of {dtype} ({declared:,} bytes), the entry holds "
                                 f"{self.infos[name].file_size:,}")

    # --- reading entries -------------------------------------------------------------------

    def read(self, name) -> bytes:
        if name not in self.manifest:
            raise ValueError(f"{self.path}: the entry {name!r} is missing")
        try:
            if self._zip is None:  # opened once (closed with the Archive): opening it per
                self._zip = zipfile.ZipFile(self.path)  # entry re-reads the directory, O(n^2)
            data = self._zip.read(self.infos[name])
        except Exception as err:  # the file changed since it was opened
            raise ValueError(f"{self.where(name)}: cannot be read ({err})") from None
        if hashlib.sha256(data).hexdigest() != self.manifest[name][0]:
            raise ValueError(f"{self.path}: the checksum of {name!r} does not match; the "
                             "file was modified while it was read")
        return data

    def _json_from(self, archive, name):
        info = self.infos[name]
        return _parse_json(archive.read(info), self.where(name))

    def json(self, name):
        return _parse_json(self.read(name), self.where(name))

    def has(self, name) -> bool:
        return name in self.manifest

    def array(self, name):
        return read_npy_bytes(self.read(name), self.where(name))

    def arrays(self, prefix) -> dict:
        names = sorted(n for n in self.manifest if n.startswith(prefix) and n.endswith(".npy"))
        return {n[len(prefix):-4]: self.array(n) for n in names}


def _parse_json(data, where):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{where} is not valid JSON ({err})") from None
    except RecursionError:
        raise ValueError(f"{where} is nested too deeply to be a saessak file") from None
