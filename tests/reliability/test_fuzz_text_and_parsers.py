"""Seeded fuzzing of the text tools and every dataset parser: 10,000 cases each.

Every case must give a result or a ValueError/TypeError with a message; any other
exception (OverflowError, KeyError, IndexError, RecursionError, MemoryError ...) fails, and
a loop that takes more than 60 s counts as a hang. The inputs are built to be cheap, so
that each 10,000-case loop takes about a second.
"""

import gzip
import io
import json
import os
import pathlib
import random
import shutil
import signal
import tarfile
import tempfile
from contextlib import contextmanager

import numpy as np
import pytest

from saessak.datasets import _idx, imdb, jena_climate, nsmc
from saessak.layers import TextVectorization
from saessak.preprocessing.sequence import pad_sequences
from saessak.preprocessing.text import Tokenizer, tokenizer_from_json
from saessak.text import korean
from saessak.utils.safe_npz import load_npz

CASES = 10_000
ALLOWED = (ValueError, TypeError)


@contextmanager
def deadline(seconds=60):
    """Fail instead of hanging (SIGALRM where the platform has it)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hang(signum, frame):
        raise TimeoutError(f"a fuzz loop ran past {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def fuzz(name, case, n=CASES, seed=0):
    """Run ``case(r)`` n times; return counts of results and of allowed errors."""
    r = random.Random(f"{name}-{seed}")
    counts = {"result": 0, "error": 0}
    with deadline():
        for i in range(n):
            try:
                case(r)
            except ALLOWED as err:
                assert str(err), f"{name} case {i}: {type(err).__name__} without a message"
                counts["error"] += 1
            except Exception as err:  # noqa: BLE001 - this is what the test looks for
                raise AssertionError(f"{name} case {i}: {type(err).__name__}: {err}") from err
            else:
                counts["result"] += 1
    assert counts["result"] > 0  # the fuzzer also reaches the working paths
    return counts


@pytest.fixture
def scratch(tmp_path):
    """A folder in memory (/dev/shm) where there is one: the parsers that take a path get
    10,000 small files, which cost ~2 ms each on a disk folder and ~20 us in memory."""
    if not (os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK)):
        yield tmp_path
        return
    folder = tempfile.mkdtemp(dir="/dev/shm")
    try:
        yield pathlib.Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- random building blocks -------------------------------------------------------------------

ALPHABET = ("abc XYZ 가나다한글 ㄱㅏㅎ \u1100\u1161\u11a8 \t\n\r.,!?'\"-_/\\#@ 0123456789 "
            "\u00e9\u0301 \u200b \ufeff \U0001F600 \x00\x07 \ud7a3\uac00\u3131\u314f")


def text(r, n=12):
    return "".join(r.choice(ALPHABET) for _ in range(r.randint(0, n)))


def number(r):
    return r.choice([0, 1, 2, 5, -1, -7, 2**31, 2**40, -2**63, 2**64, 3.0, 2.5, -0.5,
                     float("nan"), float("inf"), -float("inf"), 1e300, np.int64(4),
                     np.float32(2), True, None, "3", "a", [1], (2,), b"x"])


def sequence(r, n=6):
    kind = r.random()
    if kind < 0.6:
        return [r.randint(0, 30) for _ in range(r.randint(0, n))]
    if kind < 0.9:
        return [number(r) for _ in range(r.randint(0, n))]
    return r.choice([[], "abc", 5, None, np.arange(r.randint(0, 4)), [[1, 2], [3, 4]],
                     {1: 2}, [[1], [2, 3]], np.zeros((2, 2))])


# --- Tokenizer --------------------------------------------------------------------------------


def tokenizer_case(r):
    tok = Tokenizer(num_words=r.choice([None, 0, 1, 3, 10, 1000]),
                    oov_token=r.choice([None, "<OOV>", "", "가"]),
                    char_level=r.random() < 0.2, lower=r.random() < 0.8,
                    filters=r.choice(['!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', "", "가 "]),
                    split=r.choice([" ", ",", "가"]))
    if r.random() < 0.7:
        texts = [text(r) for _ in range(r.randint(0, 4))]
        if r.random() < 0.1:
            texts = r.choice([text(r), [["a", "b"]], [["a", 1]], [None], 5])
        tok.fit_on_texts(texts)
    op = r.randrange(5)
    if op == 0:
        out = tok.texts_to_sequences([text(r) for _ in range(r.randint(0, 3))])
        assert all(isinstance(i, int) for s in out for i in s), out  # never None
    elif op == 1:
        out = tok.sequences_to_texts([sequence(r) for _ in range(r.randint(0, 3))])
        assert all(isinstance(t, str) for t in out)
    elif op == 2:
        tok.texts_to_matrix([text(r)], mode=r.choice(["binary", "count", "freq", "tfidf",
                                                      "bogus"]))
    elif op == 3:
        tok.sequences_to_matrix([sequence(r)], mode=r.choice(["binary", "count", "tfidf"]))
    else:
        again = tokenizer_from_json(tok.to_json())
        assert again.word_index == tok.word_index


def test_tokenizer_fuzz():
    fuzz("tokenizer", tokenizer_case)


def test_tokenizer_review_cases():
    """The review's failures: inf in sequences_to_texts, an oov_token with nothing fitted."""
    tok = Tokenizer(oov_token="<OOV>")
    assert tok.texts_to_sequences(["a b"]) == [[1, 1]]  # was [None, None]
    assert tok.sequences_to_texts([[1, 2]]) == ["<OOV> <OOV>"]  # was KeyError: None
    tok.fit_on_texts(["a b a"])
    assert tok.sequences_to_texts([[float("inf"), 2, float("nan"), -1]]) == [
        "<OOV> a <OOV> <OOV>"]  # was OverflowError
    plain = Tokenizer()
    plain.fit_on_texts(["a b"])
    assert plain.sequences_to_texts([[float("inf"), 1, 2.0]]) == ["a b"]


# --- pad_sequences ----------------------------------------------------------------------------


def pad_case(r):
    sequences = [sequence(r) for _ in range(r.randint(0, 4))]
    if r.random() < 0.05:
        sequences = r.choice(["abc", 5, None, {"a": 1}, np.zeros((2, 3)), [np.zeros((2, 2))]])
    kwargs = {}
    if r.random() < 0.5:
        kwargs["maxlen"] = r.choice([None, 0, 1, 3, 8, -1, 2.5, "3", True])
    if r.random() < 0.5:
        kwargs["dtype"] = r.choice(["int32", "int64", "uint8", "float32", "float64", "bool",
                                    object, "str", "bogus"])
    if r.random() < 0.5:
        kwargs["padding"] = r.choice(["pre", "post", "middle"])
    if r.random() < 0.5:
        kwargs["truncating"] = r.choice(["pre", "post", None])
    if r.random() < 0.5:
        kwargs["value"] = number(r)
    out = pad_sequences(sequences, **kwargs)
    assert isinstance(out, np.ndarray) and out.shape[0] == len(sequences)


def test_pad_sequences_fuzz():
    fuzz("pad_sequences", pad_case)


def test_pad_sequences_review_cases():
    with pytest.raises(ValueError, match=r"sequence 0 .*int32.*int64"):
        pad_sequences([[2**40]])
    with pytest.raises(ValueError, match="`value`"):
        pad_sequences([[1]], maxlen=3, value=2**40)
    with pytest.raises(ValueError, match="`value`"):
        pad_sequences([[1]], maxlen=3, dtype="uint8", value=-1)
    assert pad_sequences([[2**40]], dtype="int64")[0, 0] == 2**40
    assert pad_sequences([[1]], maxlen=2, value=-1).tolist() == [[-1, 1]]


# --- TextVectorization ------------------------------------------------------------------------


def test_text_vectorization_fuzz():
    r = random.Random("tv-configs")
    layers = []
    for _ in range(40):  # layer configurations, each adapted once; the 10,000 calls below
        try:
            layer = TextVectorization(
                max_tokens=r.choice([None, 3, 50]),
                standardize=r.choice(["lower_and_strip_punctuation", "lower",
                                      "strip_punctuation", None]),
                split=r.choice(["whitespace", "character", None]),
                ngrams=r.choice([None, 2]),
                output_mode=r.choice(["int", "multi_hot", "count", "tf_idf"]),
                output_sequence_length=r.choice([None, 4]))
            layer.adapt([text(r) for _ in range(r.randint(1, 6))])
        except ALLOWED:
            continue
        layers.append(layer)
    assert layers

    def case(r):
        data = r.choice([[text(r) for _ in range(r.randint(1, 3))], text(r),
                         np.array([text(r)]), [[text(r)]], [], [1, 2], None])
        r.choice(layers)(data)

    fuzz("TextVectorization", case)


# --- the jamo tools ---------------------------------------------------------------------------


def jamo_case(r):
    op = r.randrange(4)
    s = text(r, 10) if r.random() < 0.95 else r.choice([None, 5, b"x", ["가"]])
    jamo_type = "COMPAT" if r.random() < 0.45 else "JAMO" if r.random() < 0.9 else "bad"
    if op == 0:
        out = korean.split_syllables(s, jamo_type)
        if not any("\u1100" <= c <= "\u11ff" or "\u3131" <= c <= "\u318e" for c in s):
            assert korean.join_jamos(out, jamo_type) == s  # no jamo of its own: round trip
    elif op == 1:
        korean.join_jamos(s, jamo_type)
    elif op == 2:
        assert korean.is_syllable(s) in (True, False)
    else:
        korean.split_syllable(s, jamo_type)


def test_jamo_tools_fuzz():
    fuzz("jamo", jamo_case)


def test_jamo_single_character_tools_reject_what_they_cannot_split():
    assert korean.split_syllable("한") == ("ㅎ", "ㅏ", "ㄴ")
    assert not korean.is_syllable("ab") and not korean.is_syllable("") \
        and not korean.is_syllable(None)
    for bad in ("a", "", "한글", 5):
        with pytest.raises(ValueError, match="split_syllable"):
            korean.split_syllable(bad)


# --- dataset parsers --------------------------------------------------------------------------


def mutate(r, raw):
    raw = bytearray(raw)
    for _ in range(r.randint(1, 4)):
        pos = r.randrange(len(raw) + 1)
        op = r.random()
        if op < 0.4 and raw:
            raw[min(pos, len(raw) - 1)] = r.randrange(256)
        elif op < 0.7:
            raw[pos:pos] = r.choice([b"\t", b"\n", b",", b"\xff", b"\r\n", b"0", b"1",
                                     b"nan", b"1e999", b"\xea\xb0\x80"])
        elif raw:
            del raw[pos:pos + r.randint(1, 8)]
    return bytes(raw)


NSMC = "id\tdocument\tlabel\n1\t좋은 영화\t1\n2\t\t0\n3\t별로\t0\n".encode()
JENA = b'"Date Time","p (mbar)","T (degC)"\n01.01.2009 00:10:00,996.52,-8.02\n'


def test_nsmc_parser_fuzz():
    def case(r):
        ids, docs, labels = nsmc.parse(mutate(r, NSMC), "fuzz.txt",
                                       drop_empty=r.random() < 0.5)
        assert len(ids) == len(docs) == len(labels) and set(labels.tolist()) <= {0, 1}

    fuzz("nsmc", case)


def test_jena_parser_fuzz():
    def case(r):
        header, values = jena_climate.parse(mutate(r, JENA).decode("utf-8", "replace"),
                                            "fuzz.csv")
        assert values.shape[1] == len(header) - 1

    fuzz("jena", case)


def test_idx_reader_fuzz(scratch):
    good = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]) + bytes(range(8))
    plain, packed = scratch / "f.idx", scratch / "f.idx.gz"

    def case(r):
        raw = mutate(r, good) if r.random() < 0.9 else r.randbytes(r.randint(0, 24))
        if r.random() < 0.2:
            data = gzip.compress(raw)
            if r.random() < 0.5:
                data = mutate(r, data)
            packed.write_bytes(data)
            a = _idx.read_idx(packed)
        else:
            plain.write_bytes(raw)
            a = _idx.read_idx(plain)
        assert a.dtype == np.uint8

    fuzz("idx", case)


def test_npz_reader_fuzz():
    x = np.empty(2, dtype=object)
    x[0], x[1] = [1, 2], [3]
    buf = io.BytesIO()
    np.savez(buf, x=x, y=np.arange(2))
    stored = buf.getvalue()
    buf = io.BytesIO()
    np.savez_compressed(buf, x=x, y=np.arange(2))
    deflated = buf.getvalue()

    def case(r):
        data = mutate(r, r.choice([stored, deflated]))
        arrays = load_npz(io.BytesIO(data))
        assert isinstance(arrays, dict)

    fuzz("npz", case)


def test_mnist_npz_fuzz():
    from saessak.datasets import mnist

    buf = io.BytesIO()
    np.savez(buf, x_train=np.zeros((2, 3, 3), np.uint8), y_train=np.arange(2, dtype=np.uint8),
             x_test=np.ones((1, 3, 3), np.uint8), y_test=np.zeros(1, np.uint8))
    good = buf.getvalue()

    def case(r):
        (x, y), _ = mnist.load_npz(io.BytesIO(mutate(r, good)))
        assert x.dtype != object and y.dtype != object

    fuzz("mnist npz", case)


def _tar(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_imdb_archive_fuzz(scratch):
    good = _tar([("aclImdb/train/pos/1_10.txt", b"great film"),
                 ("aclImdb/train/neg/2_1.txt", "형편없다".encode()),
                 ("aclImdb/test/pos/3_9.txt", b"fine"), ("aclImdb/test/neg/4_2.txt", b"bad")])
    raw_tar = gzip.decompress(good)
    path = scratch / "aclImdb_labeled.tar.gz"

    def case(r):
        if r.random() < 0.5:
            data = gzip.compress(mutate(r, raw_tar), compresslevel=1)
        else:
            data = mutate(r, good)
        path.write_bytes(data)
        (texts_train, y_train), (texts_test, y_test) = imdb.load_raw(path=str(path))
        assert len(texts_train) == len(y_train)

    fuzz("imdb archive", case)


def test_imdb_archive_refuses_a_review_bomb(tmp_path):
    """A review that inflates to 64 MB is refused before it is read (real reviews are
    under 14 KB)."""
    path = tmp_path / "aclImdb_labeled.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("aclImdb/train/pos/1_10.txt")
        info.size = 64 << 20
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    path.write_bytes(buf.getvalue())
    with pytest.raises(ValueError, match="1_10.txt"):
        imdb.load_raw(path=str(path))


def test_imdb_word_index_fuzz(scratch):
    path = scratch / "imdb_word_index.json"
    good = json.dumps({"the": 1, "그": 2, "br": 7}).encode()

    def case(r):
        data = mutate(r, good) if r.random() < 0.9 else r.choice(
            [b"[" * 5000 + b"]" * 5000, b"[1, 2]", b'{"a": "b"}', b'{"a": 1.5}', b"null"])
        path.write_bytes(data)
        index = imdb.get_word_index(path=str(path))
        assert all(isinstance(k, str) and isinstance(v, int) for k, v in index.items())

    fuzz("imdb word index", case)

