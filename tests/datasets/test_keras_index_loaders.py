"""Reuters and IMDB loaders on small files in Keras's npz format, checked against a plain
transcription of Keras's documented steps."""

import numpy as np
import pytest

from saessak.datasets import imdb, reuters
from saessak.utils.safe_npz import UnsafePickleError


def _objects(lists):
    a = np.empty(len(lists), dtype=object)
    for i, s in enumerate(lists):
        a[i] = list(s)
    return a


def _random_corpus(rng, n, vocab=50):
    return [rng.integers(1, vocab, size=rng.integers(0, 12)).tolist() for _ in range(n)]


def _keras_steps(xs, labels, num_words, skip_top, maxlen, start_char, oov_char, index_from,
                 limit=True):
    """Keras's load_data after the shuffle, written the slow obvious way."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    if maxlen:
        kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
        xs, labels = [x for x, _ in kept], [y for _, y in kept]
    if not limit:
        return xs, list(labels)
    if not num_words:
        num_words = max(max(x) for x in xs if x)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return xs, list(labels)


ARGS = [dict(num_words=None, skip_top=0, maxlen=None, start_char=1, oov_char=2, index_from=3),
        dict(num_words=20, skip_top=5, maxlen=10, start_char=1, oov_char=2, index_from=3),
        dict(num_words=30, skip_top=0, maxlen=None, start_char=None, oov_char=None,
             index_from=0),
        dict(num_words=15, skip_top=2, maxlen=8, start_char=None, oov_char=7, index_from=2)]


@pytest.mark.parametrize("args", ARGS)
def test_reuters_matches_keras_steps(tmp_path, offline, args):
    rng = np.random.default_rng(0)
    xs, ys = _random_corpus(rng, 40), rng.integers(0, 46, size=40)
    path = tmp_path / "reuters.npz"
    np.savez(path, x=_objects(xs), y=ys)
    (xtr, ytr), (xte, yte) = reuters.load_data(path=str(path), test_split=0.25, seed=5, **args)
    order = np.arange(40)
    np.random.RandomState(5).shuffle(order)
    exp_x, exp_y = _keras_steps([xs[i] for i in order], ys[order], **args)
    split = int(len(exp_x) * 0.75)
    assert list(xtr) == exp_x[:split] and list(xte) == exp_x[split:]
    assert ytr.tolist() == exp_y[:split] and yte.tolist() == exp_y[split:]
    assert xtr.dtype == object and all(type(v) is int for s in xtr for v in s)


@pytest.mark.parametrize("args", ARGS[:2])
def test_imdb_npz_matches_keras_steps(tmp_path, offline, args):
    rng = np.random.default_rng(1)
    tr, te = _random_corpus(rng, 30), _random_corpus(rng, 20)
    ytr, yte = rng.integers(0, 2, 30), rng.integers(0, 2, 20)
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=_objects(tr), y_train=ytr, x_test=_objects(te), y_test=yte)
    (a, b), (c, d) = imdb.load_data(path=str(path), seed=9, **args)
    rs = np.random.RandomState(9)
    o1 = np.arange(30)
    rs.shuffle(o1)
    o2 = np.arange(20)
    rs.shuffle(o2)  # the same generator continues for the test split
    # Keras filters each split by maxlen, then limits the vocabulary over both together
    x1, y1 = _keras_steps([tr[i] for i in o1], ytr[o1], None, 0, args["maxlen"],
                          args["start_char"], None, args["index_from"], limit=False)
    x2, y2 = _keras_steps([te[i] for i in o2], yte[o2], None, 0, args["maxlen"],
                          args["start_char"], None, args["index_from"], limit=False)
    both, _ = _keras_steps(x1 + x2, y1 + y2, args["num_words"], args["skip_top"], None, None,
                           args["oov_char"], 0)
    assert list(a) == both[: len(x1)] and list(c) == both[len(x1):]
    assert b.tolist() == y1 and d.tolist() == y2
    assert imdb.coverage is None


def test_imdb_maxlen_too_small(tmp_path, offline):
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=_objects([[1, 2, 3]]), y_train=[0], x_test=_objects([[1, 2]]),
             y_test=[1])
    with pytest.raises(ValueError, match="Increase maxlen"):
        imdb.load_data(path=str(path), maxlen=2)


def test_hostile_reuters_file_is_refused(tmp_path, offline):
    import io
    import os
    import pickle
    import zipfile

    class Evil:
        def __reduce__(self):
            return os.system, (f"touch {tmp_path / 'pwned'}",)

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False,
                                                  "shape": (1,)})
    with zipfile.ZipFile(tmp_path / "reuters.npz", "w") as zf:
        zf.writestr("x.npy", header.getvalue() + pickle.dumps(Evil()))
    with pytest.raises(UnsafePickleError, match="refusing"):
        reuters.load_data(path=str(tmp_path / "reuters.npz"))
    assert not (tmp_path / "pwned").exists()


def test_bad_arguments(tmp_path, offline):
    with pytest.raises(ValueError, match="skip_top"):
        reuters.load_data(path=str(tmp_path), skip_top=-1)
    with pytest.raises(ValueError, match="test_split"):
        reuters.load_data(path=str(tmp_path), test_split=1.5)
    with pytest.raises(TypeError, match="bogus"):
        imdb.load_data(bogus=1)
