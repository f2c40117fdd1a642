"""Every loader on small files written here in the real formats; search order and errors."""

import gzip
import io
import json
import os
import struct
import tarfile
import zipfile

import numpy as np
import pytest

from saessak.datasets import (
    DatasetNotFoundError,
    fashion_mnist,
    imdb,
    jena_climate,
    mnist,
    nsmc,
    reuters,
    text,
)

# -- IMDB from raw reviews ----------------------------------------------------------------
REVIEWS = {
    "aclImdb/train/pos/1_9.txt": "Great movie!<br /><br />The BEST.",
    "aclImdb/train/neg/0_2.txt": "Bad movie, Åmål zzzunknown.",
    "aclImdb/train/neg/7_1.txt": "the the the",
    "aclImdb/test/pos/3_10.txt": "great great",
    "aclImdb/test/neg/4_3.txt": "bad newword",
    "aclImdb/train/unsup/5_0.txt": "never read",
}
WORD_INDEX = {"the": 1, "movie": 2, "great": 3, "bad": 4, "br": 5, "best": 6, "Åmål": 7}


def _write_raw_imdb(folder):
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "aclImdb_labeled.tar.gz", "w:gz") as tar:
        for name, body in REVIEWS.items():
            data = body.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (folder / "imdb_word_index.json").write_text(json.dumps(WORD_INDEX), encoding="utf-8")


def test_imdb_built_from_raw_reviews(tmp_path, offline, monkeypatch):
    _write_raw_imdb(tmp_path / "raw")
    (a, b), (c, d) = imdb.load_data(path=str(tmp_path / "raw"), seed=1, num_words=100)
    assert len(a) == 3 and len(c) == 2 and b.dtype == np.int64
    # our pre-shuffle order is negatives then positives, each by review id
    order = np.arange(3)
    np.random.RandomState(1).shuffle(order)
    expected = [[1, 7, 5, 10], [1, 4, 4, 4], [1, 6, 5, 8, 8, 4, 9]]  # ranks + 3
    assert list(a) == [expected[i] for i in order]
    assert b.tolist() == [[0, 0, 1][i] for i in order]
    assert imdb.coverage == pytest.approx(12 / 13)  # 'zzzunknown' is missing
    assert imdb.test_coverage == pytest.approx(3 / 4)
    # the parsed reviews are cached: a second load does not tokenise again
    monkeypatch.setattr(imdb, "_encode", lambda *a: pytest.fail("re-parsed"))
    (a2, _), _ = imdb.load_data(path=str(tmp_path / "raw"), seed=1, num_words=100)
    assert list(a2) == list(a)
    (texts, labels), (test_texts, _) = imdb.load_raw(path=str(tmp_path / "raw"))
    assert texts[2] == "Great movie!<br /><br />The BEST." and labels.tolist() == [0, 0, 1]
    assert len(test_texts) == 2


def test_imdb_raw_via_saessak_data(tmp_path, offline, monkeypatch):
    _write_raw_imdb(tmp_path / "data" / "imdb")
    monkeypatch.setenv("SAESSAK_DATA", str(tmp_path / "data"))
    (a, _), (c, _) = imdb.load_data()
    assert len(a) + len(c) == 5
    assert imdb.get_word_index() == WORD_INDEX


# -- MNIST / Fashion-MNIST ----------------------------------------------------------------
def _idx(array, path):
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                      *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _write_idx_set(folder, n_train=5, n_test=3):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
              "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
              "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test)}
    for name, a in arrays.items():
        _idx(a, folder / name)
    return arrays


def test_mnist_from_idx_and_npz(tmp_path, offline):
    arrays = _write_idx_set(tmp_path / "idx")
    (x, y), (xt, yt) = mnist.load_data(path=str(tmp_path / "idx"))
    assert x.dtype == np.uint8 and x.shape == (5, 28, 28) and xt.shape == (3, 28, 28)
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte.gz"])
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=y, x_test=xt, y_test=yt)
    (x2, _), _ = mnist.load_data(path=str(tmp_path / "mnist.npz"))
    np.testing.assert_array_equal(x2, x)


def test_fashion_mnist_from_saessak_data(tmp_path, offline, monkeypatch):
    _write_idx_set(tmp_path / "data" / "fashion_mnist")
    monkeypatch.setenv("SAESSAK_DATA", str(tmp_path / "data"))
    (x, y), (xt, yt) = fashion_mnist.load_data()
    assert x.shape == (5, 28, 28) and yt.shape == (3,)


def test_corrupt_idx_files(tmp_path, offline):
    folder = tmp_path / "bad"
    _write_idx_set(folder)
    with gzip.open(folder / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 10) + b"\x01\x02")  # promises 10, holds 2
    with pytest.raises(ValueError, match="promises 10"):
        mnist.load_data(path=str(folder))
    with gzip.open(folder / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(b"\x12\x34\x56\x78")
    with pytest.raises(ValueError, match="magic"):
        mnist.load_data(path=str(folder))


# -- NSMC ---------------------------------------------------------------------------------
NSMC_TEXT = ("id\tdocument\tlabel\n9976970\t아 더빙.. 진짜 짜증나네요 목소리\t0\n"
             "3819312\t흠...포스터보고 초딩영화줄....오버연기조차 가볍지 않구나\t1\n"
             "5403919\t\t0\n")


def test_nsmc_parses_tsv_and_keeps_empty_documents(tmp_path, offline):
    for name in ("ratings_train.txt", "ratings_test.txt"):
        (tmp_path / name).write_text(NSMC_TEXT, encoding="utf-8")
    (x, y), (xt, yt) = nsmc.load_data(path=str(tmp_path))
    assert x.tolist() == ["아 더빙.. 진짜 짜증나네요 목소리",
                          "흠...포스터보고 초딩영화줄....오버연기조차 가볍지 않구나", ""]
    assert y.tolist() == [0, 1, 0] and y.dtype == np.int64 and len(xt) == 3
    (x2, y2), _ = nsmc.load_data(path=str(tmp_path), drop_empty=True)
    assert len(x2) == 2 and y2.tolist() == [0, 1]


@pytest.mark.parametrize("raw, match", [
    (b"id\tdocument\tlabel\n1\tno label\n", "line 2 has 2"),
    (b"id\tdocument\tlabel\n1\ta\tb\t1\n", "line 2 has 4"),
    (b"id\tdocument\tlabel\n1\tgood\t5\n", "label must be 0 or 1"),
    (b"id\tdocument\tlabel\n1\t\xff\xfe\t1\n", "line 2 is not valid UTF-8"),
    (b"document\tlabel\n", "header"),
])
def test_nsmc_bad_rows(raw, match):
    with pytest.raises(ValueError, match=match):
        nsmc.parse(raw, "ratings_train.txt")


# -- Jena climate ------------------------------------------------------------------------
JENA_HEADER = ('"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)",'
               '"VPmax (mbar)","VPact (mbar)","VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)",'
               '"rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"')


def _jena_csv(rows):
    lines = [JENA_HEADER]
    for i in range(rows):
        values = [996.52 + i, -8.02 + 0.01 * i] + [float(j + i % 7) for j in range(12)]
        lines.append(f"01.01.2009 00:{i % 60:02d}:00," + ",".join(map(str, values)))
    return "\n".join(lines)  # the real file has no final newline


def test_jena_csv_and_zip_and_generator(tmp_path, offline):
    (tmp_path / "jena_climate_2009_2016.csv").write_text(_jena_csv(300))
    header, values = jena_climate.load_data(path=str(tmp_path))
    assert len(header) == 15 and header[2] == '"T (degC)"'
    assert values.shape == (300, 14) and values[5, 1] == pytest.approx(-7.97)
    zdir = tmp_path / "z"
    zdir.mkdir()
    with zipfile.ZipFile(zdir / "jena_climate_2009_2016.csv.zip", "w") as zf:
        zf.writestr("jena_climate_2009_2016.csv", _jena_csv(10))
    assert jena_climate.load_data(path=str(zdir))[1].shape == (10, 14)

    norm, mean, std = jena_climate.standardize(values, 200)
    np.testing.assert_allclose(norm[:200, :2].mean(axis=0), 0, atol=1e-9)
    gen = jena_climate.generator(norm, lookback=60, delay=12, min_index=0, max_index=200,
                                 batch_size=16, step=6)
    x, y = next(gen)
    assert x.shape == (16, 10, 14) and y.shape == (16,)
    # window of row 60 is rows 0, 6, ..., 54; target is row 72's temperature
    np.testing.assert_allclose(x[0, :, 1], norm[0:60:6, 1])
    assert y[0] == norm[72, 1]
    xr, _ = next(jena_climate.generator(norm, 60, 12, 0, 200, batch_size=4, reverse=True))
    np.testing.assert_allclose(xr[0, :, 1], norm[54::-6, 1][:10])
    xs, ys = next(jena_climate.generator(norm, 60, 12, 0, 200, shuffle=True, seed=0))
    assert xs.shape == (128, 10, 14)


@pytest.mark.parametrize("body, match", [
    (JENA_HEADER + "\n01.01.2009 00:10:00,1,2", "line 2 has 3 columns"),
    (JENA_HEADER + "\n01.01.2009 00:10:00," + ",".join(["x"] * 14), "not a number"),
    ("justone\n1", "header"),
])
def test_jena_bad_rows(body, match):
    with pytest.raises(ValueError, match=match):
        jena_climate.parse(body, "jena.csv")


# -- text corpora, search order and errors ------------------------------------------------
def test_text_corpus_from_saessak_data(tmp_path, offline, monkeypatch):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "alice.txt").write_bytes("\ufeffAlice was beginning".encode())
    monkeypatch.setenv("SAESSAK_DATA", str(tmp_path))
    assert text.load("alice") == "\ufeffAlice was beginning"
    with pytest.raises(ValueError, match="mysterious_island"):
        text.load("hamlet")


def test_search_order_path_then_env_then_cache(tmp_path, offline, monkeypatch):
    def npz(path, label):
        x = np.empty(1, dtype=object)
        x[0] = [5]
        np.savez(path, x=x, y=np.array([label]))

    for folder in ("explicit", "data/reuters", "home/datasets"):
        (tmp_path / folder).mkdir(parents=True)
    npz(tmp_path / "explicit" / "reuters.npz", 1)
    npz(tmp_path / "data" / "reuters" / "reuters.npz", 2)
    npz(tmp_path / "home" / "datasets" / "reuters.npz", 3)
    monkeypatch.setenv("SAESSAK_DATA", str(tmp_path / "data"))

    def label(**kw):
        (_, y), (_, yt) = reuters.load_data(test_split=0, **kw)
        return int(y[0])

    assert label(path=str(tmp_path / "explicit")) == 1
    assert label() == 2
    monkeypatch.delenv("SAESSAK_DATA")
    # a cached copy must match the published checksum, so this small one is not used
    with pytest.raises(DatasetNotFoundError):
        label()


def test_offline_error_names_file_places_and_url(tmp_path, offline):
    with pytest.raises(DatasetNotFoundError) as e:
        reuters.load_data(path=str(tmp_path / "nowhere"))
    msg = str(e.value)
    assert "'reuters.npz'" in msg
    assert str(tmp_path / "nowhere") in msg
    assert os.path.join(str(tmp_path / "home"), "datasets", "reuters.npz") in msg
    assert "SAESSAK_DATA" in msg
    assert reuters.URL in msg
    with pytest.raises(DatasetNotFoundError) as e:
        imdb.load_data()
    assert all(n in str(e.value) for n in ("imdb.npz", "aclImdb_labeled.tar.gz", imdb.URL))
    with pytest.raises(FileNotFoundError, match="fashion-mnist"):
        fashion_mnist.load_data()
    with pytest.raises(FileNotFoundError, match="greentec"):
        text.load("joseon_annals")
