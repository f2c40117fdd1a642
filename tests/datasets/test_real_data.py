"""Loaders on the real files in ../shared/data (SAESSAK_DATA points there in CI).

Skipped, with the reason, when SAESSAK_DATA is not set or lacks the file.
"""

import os
import time

import numpy as np
import pytest

from saessak.datasets import fashion_mnist, imdb, mnist, nsmc, reuters, text

ROOT = os.environ.get("SAESSAK_DATA")


def need(relative):
    if not ROOT:
        pytest.skip("SAESSAK_DATA is not set (point it at ../shared/data)")
    if not os.path.exists(os.path.join(ROOT, relative)):
        pytest.skip(f"$SAESSAK_DATA/{relative} is not there")


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    # a fresh cache: nothing is read from or written to the user's ~/.saessak
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAESSAK_HOME", str(tmp_path_factory.mktemp("saessak_home")))
        mp.setenv("SAESSAK_OFFLINE", "1")
        yield


def test_reuters_seed001_figures():
    need("reuters/reuters.npz")
    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=1000, test_split=0.2)
    print(f"reuters.load_data: {time.perf_counter() - start:.2f} s")
    assert len(x_train) == 8982 and len(x_test) == 2246
    assert x_train[0][:10] == [1, 2, 2, 8, 43, 10, 447, 5, 25, 207]
    assert np.max(y_train) + 1 == 46 and len(np.unique(np.concatenate([y_train, y_test]))) == 46
    assert max(max(s) for s in x_train) == 999
    word_index = reuters.get_word_index()
    assert len(word_index) == 30979
    assert len(reuters.get_label_names()) == 46


@pytest.fixture(scope="module")
def imdb_5000():
    need("imdb/aclImdb_labeled.tar.gz")
    start = time.perf_counter()
    data = imdb.load_data(num_words=5000)  # parses the tarball once for this module
    first = time.perf_counter() - start
    start = time.perf_counter()
    imdb.load_data(num_words=5000)
    print(f"imdb.load_data: first {first:.1f} s, cached {time.perf_counter() - start:.1f} s")
    return data


@pytest.mark.slow
def test_imdb_raw_build(imdb_5000):
    (x_train, y_train), (x_test, y_test) = imdb_5000
    assert len(x_train) == 25000 and len(x_test) == 25000
    assert y_train.sum() == 12500 and y_test.sum() == 12500
    assert all(s[0] == 1 for s in x_train) and all(s[0] == 1 for s in x_test)
    assert max(max(s) for s in x_train) == 4999
    assert imdb.coverage >= 0.999  # training tokens found in Keras's index
    assert imdb.test_coverage > 0.98  # test-only words are not in Keras's index
    print(f"IMDB coverage: train {imdb.coverage:.5%}, test {imdb.test_coverage:.5%}")
    assert imdb.get_word_index()["br"] == 7


@pytest.mark.slow
def test_imdb_seed001_padding(imdb_5000):
    from saessak.preprocessing.sequence import pad_sequences

    (x_train, _), _ = imdb_5000
    padded = pad_sequences(x_train[:100], maxlen=500)
    assert padded.shape == (100, 500) and padded.max() < 5000


def test_mnist_and_fashion():
    need("mnist/train-images-idx3-ubyte.gz")
    (x, y), (xt, yt) = mnist.load_data()
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    need("fashion_mnist/train-images-idx3-ubyte.gz")
    (x, y), (xt, yt) = fashion_mnist.load_data()  # checked against the sha256 values too
    assert x.shape == (60000, 28, 28) and np.bincount(y).tolist() == [6000] * 10


def test_nsmc_seed000_figures():
    need("nsmc/ratings_train.txt")
    (x, y), (xt, yt) = nsmc.load_data()
    assert len(x) == 150000 and len(xt) == 50000
    assert (y == 0).sum() == 75173 and (y == 1).sum() == 74827
    assert x[0] == "아 더빙.. 진짜 짜증나네요 목소리" and y[:5].tolist() == [0, 1, 0, 0, 1]


def test_text_corpora_seed004_figures():
    need("texts/mysterious_island_2016.txt")
    s = text.load("mysterious_island_2016")
    s = s[s.find("THE MYSTERIOUS ISLAND"):s.find("End of the Project Gutenberg")]
    assert len(s) == 1112350 and len(set(s)) == 80
    s = text.load("mysterious_island")
    s = s[s.find("THE MYSTERIOUS ISLAND"):s.find("End of the Project Gutenberg")]
    assert len(s) == 1130810 and len(set(s)) == 86
    assert len(text.load("tinyshakespeare")) == 1115394
    assert text.load("alice")
