"""Hostile input for the file parsers: random bytes, mutated real-format files, wrong
column counts, numbers where text should be. Each works or raises ValueError."""

import io
import pickle
import random
import zipfile

import numpy as np
import pytest

from saessak.datasets import _idx, jena_climate, nsmc
from saessak.utils.safe_npz import load_npz

NSMC_OK = "id\tdocument\tlabel\n1\t좋은 영화\t1\n2\t\t0\n3\t123.5\t0\n".encode()
JENA_OK = '"Date Time","p (mbar)","T (degC)"\n01.01.2009 00:10:00,996.52,-8.02\n'


def _mutate(r, raw):
    raw = bytearray(raw)
    for _ in range(r.randint(1, 6)):
        op = r.random()
        pos = r.randrange(len(raw) + 1)
        if op < 0.4 and raw:
            raw[min(pos, len(raw) - 1)] = r.randrange(256)
        elif op < 0.7:
            raw[pos:pos] = r.choice([b"\t", b"\n", b",", b"\xff", b"x" * 5000, b"\r\n", b"0"])
        elif raw:
            del raw[pos:pos + r.randint(1, 10)]
    return bytes(raw)


def test_nsmc_parser_fuzz():
    r = random.Random(0)
    for _ in range(400):
        raw = _mutate(r, NSMC_OK) if r.random() < 0.8 else r.randbytes(r.randint(0, 200))
        try:
            ids, docs, labels = nsmc.parse(raw, "fuzz.txt")
        except ValueError as e:
            assert "fuzz.txt" in str(e)
            continue
        assert len(ids) == len(docs) == len(labels)
        assert set(labels.tolist()) <= {0, 1}


def test_jena_parser_fuzz():
    r = random.Random(1)
    for _ in range(400):
        raw = _mutate(r, JENA_OK.encode()).decode("utf-8", errors="replace")
        try:
            header, values = jena_climate.parse(raw, "fuzz.csv")
        except ValueError as e:
            assert "fuzz.csv" in str(e)
            continue
        assert values.shape[1] == len(header) - 1


def test_idx_reader_fuzz(tmp_path):
    r = random.Random(2)
    good = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6))
    path = tmp_path / "f.idx"
    for _ in range(300):
        path.write_bytes(_mutate(r, good) if r.random() < 0.8 else r.randbytes(20))
        try:
            a = _idx.read_idx(path)
        except ValueError:
            continue
        assert a.dtype == np.uint8


def test_npz_reader_fuzz(tmp_path):
    r = random.Random(3)
    x = np.empty(2, dtype=object)
    x[0], x[1] = [1, 2], [3]
    buf = io.BytesIO()
    np.savez(buf, x=x, y=np.arange(2))
    good = buf.getvalue()
    payload = pickle.dumps(x, protocol=3)
    path = tmp_path / "f.npz"
    for i in range(400):
        if i % 2:
            path.write_bytes(_mutate(r, good))
        else:  # keep the zip valid, corrupt the pickle inside it
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                header, {"descr": "|O", "fortran_order": False, "shape": (2,)})
            with zipfile.ZipFile(path, "w") as zf:
                zf.writestr("x.npy", header.getvalue() + _mutate(r, payload))
        try:
            load_npz(str(path))
        except ValueError:
            pass


@pytest.mark.parametrize("raw", [b"", b"\x1f\x8b garbage", b"x" * 1000])
def test_imdb_archive_garbage(tmp_path, raw):
    from saessak.datasets import imdb

    path = tmp_path / "aclImdb_labeled.tar.gz"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match="aclImdb_labeled"):
        imdb.load_raw(path=str(path))
