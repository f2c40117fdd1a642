"""get_file with local file:// URLs and a monkeypatched urlopen: no network."""

import hashlib
import io
import os
import tarfile
import urllib.error
import zipfile

import pytest

from saessak.utils import data_utils, get_file


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch, tmp_path):
    monkeypatch.setattr(data_utils, "_RETRY_WAIT_S", 0.0)
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAESSAK_OFFLINE", raising=False)


def _source(tmp_path, name="payload.txt", data=b"hello saessak\n"):
    p = tmp_path / "server" / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(data)
    return p, p.as_uri(), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()


def test_download_cache_and_default_location(tmp_path, capsys):
    _, url, sha, md5 = _source(tmp_path)
    path = get_file("a.txt", url, file_hash=sha)
    assert path == str(tmp_path / "home" / "datasets" / "a.txt")
    assert open(path, "rb").read() == b"hello saessak\n"
    assert "Downloading data from" in capsys.readouterr().out
    assert get_file("a.txt", url, md5_hash=md5) == path  # cached: no second download
    assert "Downloading" not in capsys.readouterr().out
    assert not [f for f in os.listdir(os.path.dirname(path)) if f.endswith(".part")]


def test_fname_from_url_and_cache_dir(tmp_path):
    _, url, _, _ = _source(tmp_path, "data.bin")
    path = get_file(origin=url, cache_dir=str(tmp_path / "c"), cache_subdir="x")
    assert path == str(tmp_path / "c" / "x" / "data.bin")


def test_checksum_mismatch_deletes_and_raises(tmp_path):
    _, url, _, _ = _source(tmp_path)
    with pytest.raises(ValueError, match="hash") as e:
        get_file("bad.txt", url, file_hash="0" * 64)
    assert "deleted" in str(e.value)
    folder = tmp_path / "home" / "datasets"
    assert os.listdir(folder) == []


def test_stale_cache_is_downloaded_again(tmp_path):
    _, url, sha, _ = _source(tmp_path)
    folder = tmp_path / "home" / "datasets"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"truncated")
    path = get_file("a.txt", url, file_hash=sha, hash_algorithm="sha256")
    assert open(path, "rb").read() == b"hello saessak\n"


def test_retries_then_clear_error(monkeypatch, tmp_path):
    calls = []

    def failing(url, timeout):
        calls.append(timeout)
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(data_utils, "urlopen", failing)
    with pytest.raises(data_utils.DownloadError, match="no route to host") as e:
        get_file("x.txt", "https://example.invalid/x.txt", retries=3, timeout=5)
    assert "https://example.invalid/x.txt" in str(e.value)
    assert calls == [5, 5, 5]
    assert os.listdir(tmp_path / "home" / "datasets") == []


def test_retry_succeeds_after_a_failure(monkeypatch):
    attempts = []

    class Response(io.BytesIO):
        headers = {"Content-Length": "4"}

    def flaky(url, timeout):
        attempts.append(url)
        if len(attempts) == 1:
            raise TimeoutError("timed out")
        return Response(b"data")

    monkeypatch.setattr(data_utils, "urlopen", flaky)
    path = get_file("y.bin", "https://example.invalid/y.bin", progress=True)
    assert open(path, "rb").read() == b"data" and len(attempts) == 2


def test_http_404_is_not_retried(monkeypatch):
    calls = []

    def not_found(url, timeout):
        calls.append(url)
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(data_utils, "urlopen", not_found)
    with pytest.raises(data_utils.DownloadError, match="Not Found"):
        get_file("z", "https://example.invalid/z")
    assert len(calls) == 1


def test_offline_switch(monkeypatch):
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    monkeypatch.setattr(data_utils, "urlopen", lambda *a, **k: pytest.fail("network used"))
    with pytest.raises(data_utils.DownloadError, match="SAESSAK_OFFLINE"):
        get_file("w", "https://example.invalid/w")


def _tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_extract_returns_keras3_folders(tmp_path):
    # Keras 3: 'name.ext' -> the archive under its name, unpacked into 'name_extracted'
    _, url, _, _ = _source(tmp_path, "pack.tar.gz", _tar_bytes([("pack/a.txt", b"A")]))
    folder = get_file("pack.tar.gz", url, extract=True)
    home = tmp_path / "home" / "datasets"
    assert folder == str(home / "pack_extracted")
    assert (home / "pack_extracted" / "pack" / "a.txt").read_bytes() == b"A"
    assert (home / "pack.tar.gz").is_file()
    # a name without a dot (the legacy untar=True call) -> folder 'name', file 'name_archive'
    _, url2, _, _ = _source(tmp_path, "legacy.tar.gz", _tar_bytes([("legacy/b.txt", b"B")]))
    folder = get_file("legacy", url2, untar=True)
    assert folder == str(home / "legacy") and (home / "legacy_archive").is_file()
    assert open(os.path.join(folder, "legacy", "b.txt")).read() == "B"
    # no fname: the URL's last part names the folder
    _, url3, _, _ = _source(tmp_path, "flat.tgz", _tar_bytes([("c.txt", b"C")]))
    folder = get_file(origin=url3, extract=True)
    assert folder == str(home / "flat.tgz") and open(os.path.join(folder, "c.txt")).read() == "C"
    assert get_file(origin=url3, extract=True) == folder  # cached: same answer
    assert not [p for p in os.listdir(home) if p.startswith(".")]  # no temporary leftovers


def test_extract_zip(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("z/c.txt", "C")
    _, url, _, _ = _source(tmp_path, "z.zip", buf.getvalue())
    folder = get_file("z.zip", url, extract=True, archive_format="zip")
    assert (tmp_path / "home" / "datasets" / "z_extracted" / "z" / "c.txt").read_text() == "C"
    assert folder.endswith("z_extracted")


def test_not_an_archive_warns(tmp_path):
    _, url, _, _ = _source(tmp_path, "plain.txt")
    with pytest.warns(UserWarning, match="could not extract"):
        folder = get_file("plain.txt", url, extract=True)
    assert not os.path.exists(folder)


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil_abs.txt", "ok/../../evil.txt"])
def test_path_traversal_is_refused(tmp_path, name):
    _, url, _, _ = _source(tmp_path, "evil.tar.gz", _tar_bytes([(name, b"x")]))
    with pytest.raises(ValueError, match="refusing"):
        get_file("evil.tar.gz", url, extract=True)
    assert not (tmp_path / "home" / "evil.txt").exists()


def test_symlink_escape_is_refused(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        link = tarfile.TarInfo("link")
        link.type, link.linkname = tarfile.SYMTYPE, "../../outside"
        tar.addfile(link)
    _, url, _, _ = _source(tmp_path, "link.tar.gz", buf.getvalue())
    with pytest.raises(ValueError, match="refusing to extract link"):
        get_file("link.tar.gz", url, extract=True)


def test_bad_arguments():
    with pytest.raises(ValueError, match="origin"):
        get_file("a")
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("a", "file:///nonexistent", hash_algorithm="sha1")
    with pytest.raises(ValueError, match="archive_format"):
        data_utils.extract_archive(__file__, ".", archive_format="rar")
