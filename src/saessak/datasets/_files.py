"""Where dataset files come from (shared by every loader).

A file is looked for, in order:

1. the loader's explicit ``path=`` / ``data_dir=`` argument (a file, or a folder holding it);
2. ``$SAESSAK_DATA/<dataset>/<file>``;
3. the cache, ``$SAESSAK_HOME/datasets/<file>`` (default ``~/.saessak/datasets``);
4. the dataset's canonical URL, downloaded into the cache and checked against its sha256.

Copies found in places 1 and 2 are trusted as they are (so tests and offline machines can
use small or repacked files); cached and downloaded files are checked. With no copy and no
network, :class:`DatasetNotFoundError` names the file, every place searched and the URL.
"""

import os

from ..utils.data_utils import DownloadError, get_file, saessak_home, validate_file


class DatasetNotFoundError(FileNotFoundError):
    """No local copy of a dataset file, and downloading it failed."""


def cache_dir():
    """The dataset cache folder (created if needed)."""
    path = os.path.join(saessak_home(), "datasets")
    os.makedirs(path, exist_ok=True)
    return path


def split_path_arg(path, fname):
    """Keras's ``path='reuters.npz'`` names the file in the cache, while saessak also takes
    a real location. Returns ``(location or None, file name)``: a bare name that is not a
    file in the working folder only renames the file looked for."""
    if not path:
        return None, fname
    path = os.path.expanduser(os.fspath(path))
    if os.path.basename(path) == path and not os.path.exists(path):
        return None, path
    return path, fname


def _explicit_candidates(path, fname):
    if not path:
        return []
    path = os.path.expanduser(os.fspath(path))
    if os.path.isdir(path):
        return [(os.path.join(path, fname), "path= argument")]
    return [(path, "path= argument")]


def candidates(dataset, fname, path=None, cache_subdir=""):
    """Every local place ``fname`` may be, as ``(file path, description)`` pairs.
    ``path`` is a location (file or folder), already passed through :func:`split_path_arg`."""
    places = _explicit_candidates(path, fname)
    root = os.environ.get("SAESSAK_DATA")
    if root:
        places.append((os.path.join(root, dataset, fname), "$SAESSAK_DATA"))
    places.append((os.path.join(cache_dir(), cache_subdir, fname), "cache"))
    return places


def find_local(dataset, fname, path=None, file_hash=None, cache_subdir=""):
    """The first local copy of ``fname``, or None. A cached copy must match ``file_hash``."""
    for place, kind in candidates(dataset, fname, path, cache_subdir):
        if os.path.isfile(place):
            if kind == "cache" and file_hash and not validate_file(place, file_hash):
                continue
            return place
    return None


def describe_search(dataset, fnames, path=None, cache_subdir=""):
    lines = []
    for fname in fnames:
        lines += [f"  - {p} ({kind})"
                  for p, kind in candidates(dataset, fname, path, cache_subdir)]
    if not os.environ.get("SAESSAK_DATA"):
        lines.append(f"  - $SAESSAK_DATA/{dataset}/ (SAESSAK_DATA is not set)")
    return "\n".join(lines)


def not_found(dataset, fnames, url, path=None, reason=None, cache_subdir=""):
    """The error for "no copy anywhere and no download"."""
    fnames = [fnames] if isinstance(fnames, str) else list(fnames)
    why = f": {reason}" if reason else ""
    error = DatasetNotFoundError(
        f"Dataset file {' / '.join(repr(f) for f in fnames)} for '{dataset}' was not found.\n"
        f"Looked in:\n{describe_search(dataset, fnames, path, cache_subdir)}\n"
        f"and could not download it from {url}{why}.\n"
        f"Fetch it from that URL yourself and pass path=..., or set SAESSAK_DATA to a folder "
        f"holding {dataset}/{fnames[0]}."
    )
    # the pieces, for callers that word their own short message (the saessak command)
    error.dataset, error.fnames, error.url, error.reason = dataset, fnames, url, reason
    return error


def fetch(dataset, fname, url, sha256=None, path=None, extra_names=(), cache_subdir=""):
    """Return a local path for ``fname``: a local copy, else a checked download.

    ``extra_names`` are other files that would also have satisfied the loader; they are
    listed in the error message.
    """
    local = find_local(dataset, fname, path, sha256, cache_subdir)
    if local:
        return local
    names = [fname, *extra_names]
    if url is None:
        raise not_found(dataset, names, "(no public URL)", path, cache_subdir=cache_subdir)
    try:
        return get_file(fname, url, file_hash=sha256, cache_dir=saessak_home(),
                        cache_subdir=os.path.join("datasets", cache_subdir))
    except DownloadError as e:
        raise not_found(dataset, names, url, path, reason=str(e),
                        cache_subdir=cache_subdir) from e
