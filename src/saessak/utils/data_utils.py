"""``get_file``: download a file once, check it, cache it, optionally unpack it.

Works like ``tf.keras.utils.get_file``, with saessak's cache::

    path = get_file("train.txt",
                    "https://raw.githubusercontent.com/e9t/nsmc/master/ratings_train.txt")

- The cache is ``$SAESSAK_HOME`` (default ``~/.saessak``, or ``/tmp/.saessak`` when the home
  folder is not writable) plus ``cache_subdir`` (default ``datasets``).
- A cached file whose hash does not match ``file_hash`` is downloaded again.
- Downloads go to a temporary file in the cache folder and are renamed into place only
  when complete and verified, so an interrupted download never looks like a cached file.
  A file whose checksum does not match after download is deleted and a ``ValueError``
  raised.
- Failed connections are retried (``retries`` times, ``timeout`` seconds each).
  ``SAESSAK_OFFLINE=1`` forbids downloading altogether.
- Archives are unpacked only if no member would land outside the target folder, into a
  temporary folder that is renamed into place when complete. With ``extract=True`` (or
  ``untar=True``) the returned path is that folder, as in Keras 3 (see ``get_file``).
"""

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import warnings
import zipfile
from urllib.parse import urlparse
from urllib.request import urlopen

_RETRY_WAIT_S = 1.0  # seconds before the 1st retry; doubled each time
_CHUNK = 1 << 16


class DownloadError(OSError):
    """A file could not be fetched from its URL."""


# -- where things go -------------------------------------------------------------------
def saessak_home():
    """The folder saessak caches into: ``$SAESSAK_HOME``, else ``~/.saessak``; falls back to
    ``/tmp/.saessak`` when that cannot be written."""
    home = os.environ.get("SAESSAK_HOME") or os.path.join(os.path.expanduser("~"), ".saessak")
    try:
        os.makedirs(home, exist_ok=True)
    except OSError:
        home = os.path.join(tempfile.gettempdir(), ".saessak")
        os.makedirs(home, exist_ok=True)
    if not os.access(home, os.W_OK):
        home = os.path.join(tempfile.gettempdir(), ".saessak")
        os.makedirs(home, exist_ok=True)
    return home


# -- hashes ---------------------------------------------------------------------------
def _resolve_algorithm(file_hash, algorithm):
    if algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(
            f"`hash_algorithm` must be 'auto', 'sha256' or 'md5'; received {algorithm!r}"
        )
    if algorithm == "auto":
        return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"
    return algorithm


def hash_file(fpath, algorithm="sha256", chunk_size=_CHUNK):
    """Hex digest of a file (``'sha256'`` or ``'md5'``)."""
    h = hashlib.sha256() if algorithm in ("sha256", "auto") else hashlib.md5()
    with open(fpath, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            h.update(block)
    return h.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto"):
    """True when the file's hash equals ``file_hash``."""
    algorithm = _resolve_algorithm(file_hash, algorithm)
    return hash_file(fpath, algorithm) == str(file_hash).lower()


# -- progress ------------------------------------------------------------------------
class _Progress:
    """tqdm when installed, else a one-line bar like Keras's ``[=====>....]``."""

    def __init__(self, total, stream=None):
        self.total, self.done, self.stream = total, 0, stream or sys.stdout
        self._last = 0.0
        try:
            from tqdm import tqdm
            self._bar = tqdm(total=total, unit="B", unit_scale=True, file=self.stream)
        except ImportError:
            self._bar = None

    def update(self, n):
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last < 0.2 and self.done != self.total:
            return
        self._last = now
        if self.total:
            filled = int(30 * self.done / self.total)
            bar = "=" * filled + (">" if filled < 30 else "") + "." * (29 - filled)
            self.stream.write(f"\r{self.done}/{self.total} [{bar[:30]}]")
        else:
            self.stream.write(f"\r{self.done} bytes")
        self.stream.flush()

    def close(self):
        if self._bar is not None:
            self._bar.close()
        else:
            self.stream.write("\n")
            self.stream.flush()


# -- downloading ---------------------------------------------------------------------
def _is_permanent(error):
    # 4xx answers will not change on retry; timeouts and 5xx may.
    return isinstance(error, urllib.error.HTTPError) and 400 <= error.code < 500


def _fetch(origin, dest_dir, fname, retries, timeout, progress):
    """Download ``origin`` into a temporary file in ``dest_dir``; return its path."""
    if os.environ.get("SAESSAK_OFFLINE", "") not in ("", "0"):
        raise DownloadError(f"URL fetch failure on {origin}: downloads are disabled "
                            "(SAESSAK_OFFLINE is set)")
    print(f"Downloading data from {origin}")  # only once a download will really be tried
    last_error = None
    for attempt in range(max(1, retries)):
        if attempt:
            time.sleep(_RETRY_WAIT_S * 2 ** (attempt - 1))
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(fname)}.", suffix=".part",
                                   dir=dest_dir)
        try:
            with os.fdopen(fd, "wb") as out, urlopen(origin, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0) if hasattr(
                    response, "headers") and response.headers is not None else 0
                bar = _Progress(total) if progress else None
                for block in iter(lambda: response.read(_CHUNK), b""):
                    out.write(block)
                    if bar:
                        bar.update(len(block))
                if bar:
                    bar.close()
            return tmp
        except (urllib.error.URLError, OSError, ValueError) as e:
            last_error = e
            os.remove(tmp)
            if _is_permanent(e) or isinstance(e, ValueError):
                break
        except BaseException:  # KeyboardInterrupt: leave no partial file behind
            os.remove(tmp)
            raise
    reason = getattr(last_error, "reason", None) or last_error
    raise DownloadError(f"URL fetch failure on {origin}: {reason}") from last_error


# -- archives ------------------------------------------------------------------------
def _inside(root, target):
    root = os.path.realpath(root)
    return os.path.commonpath([root, os.path.realpath(target)]) == root


def _check_tar_members(tar, path):
    for m in tar.getmembers():
        dest = os.path.join(path, m.name)
        if os.path.isabs(m.name) or not _inside(path, dest):
            raise ValueError(f"refusing to extract {m.name!r}: it points outside {path}")
        if m.issym() or m.islnk():
            base = os.path.dirname(dest) if m.issym() else path
            if os.path.isabs(m.linkname) or not _inside(path, os.path.join(base, m.linkname)):
                raise ValueError(f"refusing to extract link {m.name!r} -> {m.linkname!r}: "
                                 f"it points outside {path}")
        if m.ischr() or m.isblk() or m.isfifo():
            raise ValueError(f"refusing to extract device or pipe {m.name!r}")


def extract_archive(file_path, path=".", archive_format="auto"):
    """Unpack a tar(.gz/.bz2/.xz) or zip file into ``path``. Returns False if the file is
    not an archive of the given format(s). Members escaping ``path`` raise ValueError."""
    if archive_format is None:
        return False
    formats = {"auto": ["tar", "zip"], "tar": ["tar"], "zip": ["zip"]}
    if isinstance(archive_format, str):
        if archive_format not in formats:
            raise ValueError(f"`archive_format` must be 'auto', 'tar', 'zip', a list of those "
                             f"or None; received {archive_format!r}")
        archive_format = formats[archive_format]
    for fmt in archive_format:
        if fmt == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as tar:
                _check_tar_members(tar, path)
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(path, filter="data")
                else:  # pragma: no cover - Python without extraction filters
                    tar.extractall(path)
            return True
        if fmt == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as zf:
                for name in zf.namelist():
                    if os.path.isabs(name) or not _inside(path, os.path.join(path, name)):
                        raise ValueError(f"refusing to extract {name!r}: it points outside "
                                         f"{path}")
                zf.extractall(path)
            return True
    return False


# -- the public function -------------------------------------------------------------
def _targets(datadir, fname, provided, extract):
    """Where the download goes and, when extracting, the folder it unpacks into (Keras 3's
    layout): ``name.ext`` given -> file ``name.ext``, folder ``name_extracted``; a name
    without a dot (or the URL's name) -> folder ``name``, file ``name_archive``."""
    if not extract:
        return os.path.join(datadir, fname), None
    if provided and "." in fname:
        return (os.path.join(datadir, fname),
                os.path.join(datadir, fname[:fname.find(".")] + "_extracted"))
    return os.path.join(datadir, fname + "_archive"), os.path.join(datadir, fname)


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False, *, retries=3,
             timeout=60, progress=True):
    """Return the local path of ``fname``, downloading it from ``origin`` when not cached.

    With ``extract=True`` (or the legacy ``untar=True``) the archive is unpacked and the
    path of the folder it was unpacked into is returned, as Keras 3 does: for
    ``fname='data.tar.gz'`` that is ``<cache>/data_extracted``; for a name without a dot
    (or no ``fname``, when the URL's last part is used) it is ``<cache>/<name>``, the
    archive itself being kept as ``<name>_archive``.

    Args:
        fname: file name in the cache (default: the last part of the URL). An absolute path
            is used as is.
        origin: the URL.
        untar: (legacy) same as ``extract=True`` with ``archive_format='tar'``.
        md5_hash: (legacy) same as ``file_hash`` with ``hash_algorithm='md5'``.
        file_hash: expected sha256 or md5 hex digest (None: no check).
        cache_subdir: folder under the cache root (an absolute path is used as is).
        hash_algorithm: ``'auto'`` (sha256 for 64 hex digits, else md5), ``'sha256'``, ``'md5'``.
        extract: unpack a tar or zip archive; return the folder it was unpacked into.
        archive_format: ``'auto'``, ``'tar'``, ``'zip'``, a list of them, or None.
        cache_dir: cache root (default ``$SAESSAK_HOME`` or ``~/.saessak``).
        force_download: download again even when a cached copy exists.
        retries, timeout, progress: download attempts, seconds per attempt, progress bar.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if not isinstance(origin, str):
        raise ValueError(f"`origin` must be a URL string; received {type(origin).__name__}")
    provided = bool(fname)
    fname = os.fspath(fname) if fname else os.path.basename(urlparse(origin).path)
    if not fname:
        raise ValueError(f"Can't parse a file name from `origin` {origin!r}; pass `fname`.")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    hash_algorithm = _resolve_algorithm(file_hash, hash_algorithm)

    cache_dir = os.path.expanduser(cache_dir) if cache_dir else saessak_home()
    datadir = os.path.join(cache_dir, cache_subdir)
    if os.path.isabs(fname):
        datadir, fname = os.path.split(fname)
    os.makedirs(datadir, exist_ok=True)
    fpath, extract_dir = _targets(datadir, fname, provided, extract or untar)

    download = force_download or not os.path.exists(fpath)
    if not download and file_hash is not None and not validate_file(fpath, file_hash,
                                                                     hash_algorithm):
        print(f"A local file was found at {fpath}, but its {hash_algorithm} hash does not "
              f"match {file_hash}; downloading it again.")
        download = True

    if download:
        tmp = _fetch(origin, datadir, fname, retries, timeout, progress)
        if file_hash is not None:
            actual = hash_file(tmp, hash_algorithm)
            if actual != str(file_hash).lower():
                os.remove(tmp)
                raise ValueError(
                    f"Incomplete or corrupted file from {origin}: its {hash_algorithm} hash "
                    f"is {actual}, expected {file_hash}. The download was deleted."
                )
        os.replace(tmp, fpath)  # atomic on the same file system

    if extract_dir is None:
        return fpath
    if download or not os.path.isdir(extract_dir):
        _extract_into(fpath, extract_dir, "tar" if untar else archive_format)
    return extract_dir


def _extract_into(fpath, folder, archive_format):
    """Unpack into a fresh temporary folder beside ``folder``, then move it into place, so
    a failed extraction leaves nothing half-written under the real name."""
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.", dir=os.path.dirname(folder))
    try:
        if not _extract_safely(fpath, tmp, archive_format):
            warnings.warn(f"get_file: could not extract {fpath}: it is not a "
                          f"{archive_format} archive", stacklevel=3)
            return
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)


def _extract_safely(fpath, path, archive_format):
    try:
        return extract_archive(fpath, path, archive_format)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as e:
        raise ValueError(f"cannot extract {fpath}: {e}") from None


__all__ = ["get_file", "extract_archive", "hash_file", "validate_file", "saessak_home",
           "DownloadError"]
