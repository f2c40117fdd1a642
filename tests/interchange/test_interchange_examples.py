"""The transfer-learning and GloVe examples run end to end in quick mode, on tiny data written
here in the real file formats (Fashion-MNIST IDX, the IMDB review archive, GloVe text)."""

import gzip
import io
import struct
import tarfile

import numpy as np
import pytest

from saessak.apps import examples as registry


def _idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_transfer_learning_quick(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    folder = tmp_path / "data" / "fashion_mnist"
    folder.mkdir(parents=True)
    for prefix, n in (("train", 400), ("t10k", 200)):
        labels = np.arange(n) % 10
        images = rng.integers(0, 60, (n, 28, 28))
        images[:, 4 + labels, :] = 250  # a class-dependent bright row
        _idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        _idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    # through the registry, as `saessak examples run s000_transfer_learning --quick` does
    metrics = registry.run("s000_transfer_learning", quick=True,
                           data_dir=str(tmp_path / "data"), out_dir=str(tmp_path / "out"))
    assert registry.get("s000_transfer_learning").metric in metrics
    assert 0.0 <= metrics["frozen_accuracy"] <= 1.0
    assert 0.0 <= metrics["fine_tuned_accuracy"] <= 1.0
    # unfrozen: block_13 onwards without batch normalization, plus the head
    assert 250_000 < metrics["trainable_when_tuning"] < 410_208


def test_glove_example_quick(tmp_path, monkeypatch):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    rng = np.random.default_rng(0)
    words = "good bad great awful movie film plot the a and of fun boring".split()
    root = tmp_path / "data"
    (root / "imdb").mkdir(parents=True)
    with tarfile.open(root / "imdb" / "aclImdb_labeled.tar.gz", "w:gz") as tar:
        for split in ("train", "test"):
            for label in ("pos", "neg"):
                for i in range(160):
                    text = " ".join(rng.choice(words, 30)).encode()
                    info = tarfile.TarInfo(f"aclImdb/{split}/{label}/{i}_7.txt")
                    info.size = len(text)
                    tar.addfile(info, io.BytesIO(text))
    (root / "glove").mkdir()
    with gzip.open(root / "glove" / "glove.6B.100d.sample.txt.gz", "wt") as f:
        for w in words[:8]:
            f.write(w + " " + " ".join(f"{v:.4f}" for v in rng.normal(size=100)) + "\n")
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    metrics = registry.run("s002_glove_embedding", quick=True, data_dir=str(root),
                           out_dir=str(tmp_path / "out"))
    assert registry.get("s002_glove_embedding").metric in metrics
    assert metrics["glove_sample_only"] is True
    assert metrics["glove_coverage"] == pytest.approx(8 / 13)
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert (tmp_path / "out" / "pre_trained_glove_model.weights.h5").exists()
