"""Writing files so that a crash never leaves half a file behind.

The bytes go to a temporary file in the target's directory, named
``.saessak-tmp-<pid>-<random>-<name>``; they are flushed to disk (fsync) and only then
renamed over the target (``os.replace`` is atomic on one file system). A process killed
midway leaves the previous file untouched, and its temporary file behind: the next save to
that directory removes every such file whose process no longer runs.

The file gets the permissions ``open()`` would give it (0666 less the umask), not the
0600 of ``tempfile.mkstemp``.
"""

from __future__ import annotations

import os
import re
import tempfile

PREFIX = ".saessak-tmp-"
_TEMP = re.compile(re.escape(PREFIX) + r"(\d+)-")


def refuse_to_overwrite(path, overwrite: bool) -> None:
    """Keras's ``overwrite=False``: an existing file at ``path`` is an error, checked before
    any work is done."""
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(directory)
    fd, tmp = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-",
                               suffix="-" + os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), 0o666 & ~current_umask())
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


def remove_stale_temporaries(directory) -> list:
    """Delete our temporary files in ``directory`` left by processes that no longer run
    (killed during a save); returns their names. Files of live processes, this one
    included, are left alone: they may be saves in progress."""
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _TEMP.match(name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        try:
            os.remove(os.path.join(directory, name))
            removed.append(name)
        except OSError:  # another process removed it first, or it is not ours to remove
            pass
    return removed


def _process_alive(pid) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):  # another user's process (alive)
        return True
    return True


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (the
    ``os.umask`` round trip below is not thread-safe)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
