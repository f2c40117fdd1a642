"""A small aclImdb archive in the real layout, written from ``{path: text}``."""

import io
import tarfile

import pytest


@pytest.fixture
def write_imdb_archive(tmp_path):
    """``write(reviews)`` puts ``aclImdb_labeled.tar.gz`` (``aclImdb/<path>`` for each
    review) in a temporary folder and returns the folder, as ``data_dir`` takes it."""
    def write(reviews):
        with tarfile.open(tmp_path / "aclImdb_labeled.tar.gz", "w:gz") as tar:
            for name, text in reviews.items():
                data = text.encode("utf-8")
                info = tarfile.TarInfo(f"aclImdb/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return str(tmp_path)
    return write
