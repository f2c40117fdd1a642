"""Writing files so that a crash never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all.

    The bytes go to a temporary file in the same directory, are flushed to disk (fsync),
    and only then renamed over ``path`` (``os.replace`` is atomic on one file system). A
    process killed midway leaves the previous ``path`` untouched.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(path),
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write_all(f, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)


def write_all(f, data: bytes, chunk: int = 1 << 20) -> None:
    """Write in chunks (a seam that tests use to simulate a crash midway)."""
    view = memoryview(data)
    for start in range(0, len(view), chunk):
        f.write(view[start:start + chunk])
