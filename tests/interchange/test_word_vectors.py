"""utils.load_word_vectors: GloVe and word2vec text files -> an Embedding matrix."""

import gzip
import hashlib
import os

import numpy as np
import pytest

import saessak as keras
from saessak import layers
from saessak.utils import load_word_vectors

VECTORS = {"the": [0.1, 0.2, 0.3], "cat": [1.0, -1.0, 0.5], "sat": [0.0, 2.0, -2.0],
           "New York": [3.0, 3.0, 3.0]}


def _write(path, header=False, gz=False):
    lines = [f"{len(VECTORS)} 3"] if header else []
    lines += [w + " " + " ".join(str(v) for v in vec) for w, vec in VECTORS.items()]
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name,header,gz", [("g.txt", False, False), ("w2v.txt", True, False),
                                            ("g.txt.gz", False, True)])
def test_rows_follow_the_word_index(tmp_path, capsys, name, header, gz):
    path = _write(tmp_path / name, header, gz)
    index = {"cat": 1, "dog": 2, "the": 3, "New York": 4}
    matrix, coverage = load_word_vectors(path, index, 3, return_coverage=True)
    assert matrix.shape == (5, 3) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[0], 0)                  # padding row
    np.testing.assert_allclose(matrix[1], VECTORS["cat"])
    np.testing.assert_array_equal(matrix[2], 0)                  # no vector for "dog"
    np.testing.assert_allclose(matrix[3], VECTORS["the"])
    np.testing.assert_allclose(matrix[4], VECTORS["New York"])   # a word with a space
    assert (coverage.found, coverage.wanted, coverage.vectors_read) == (3, 4, 4)
    assert coverage.missing_examples == ["dog"]
    assert "3 of 4 words" in capsys.readouterr().out


def test_num_words_and_lower(tmp_path):
    path = _write(tmp_path / "g.txt")
    index = {"The": 1, "sat": 2, "cat": 5}
    matrix = load_word_vectors(path, index, 3, num_words=3, lower=True, verbose=0)
    assert matrix.shape == (3, 3)                                # "cat" (5) is beyond
    np.testing.assert_allclose(matrix[1], VECTORS["the"])
    np.testing.assert_allclose(matrix[2], VECTORS["sat"])


def test_wrong_dimension_is_named(tmp_path):
    path = _write(tmp_path / "g.txt")
    with pytest.raises(ValueError, match=r"line 1 .* 3 numbers, expected dim=4"):
        load_word_vectors(path, {"cat": 1}, 4, verbose=0)
    path = _write(tmp_path / "w.txt", header=True)
    with pytest.raises(ValueError, match="length 3, but dim=5"):
        load_word_vectors(path, {"cat": 1}, 5, verbose=0)
    with pytest.raises(FileNotFoundError):
        load_word_vectors(tmp_path / "none.txt", {"cat": 1}, 3)


def test_frozen_embedding_from_glove(tmp_path):
    path = _write(tmp_path / "g.txt")
    index = {"the": 1, "cat": 2, "sat": 3}
    matrix = load_word_vectors(path, index, 3, verbose=0)
    model = keras.Sequential([keras.Input((2,), dtype="int32"),
                              layers.Embedding(4, 3, trainable=False)])
    model.layers[0].set_weights([matrix])
    out = model.predict(np.array([[2, 3]]), verbose=0)
    np.testing.assert_allclose(out[0], [VECTORS["cat"], VECTORS["sat"]])
    assert model.count_params() == 12 and not model.trainable_weights


def test_shared_glove_sample():
    root = os.environ.get("SAESSAK_DATA") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "data")
    path = os.path.join(root, "glove", "glove.6B.100d.sample.txt.gz")
    if not os.path.exists(path):
        pytest.skip("the GloVe sample of ../shared/data is not here")
    with open(path, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest().startswith("156a9262a32df5a0")
    matrix, coverage = load_word_vectors(path, {"the": 1, ",": 2, "zzzzq": 3}, 100,
                                         return_coverage=True, verbose=0)
    assert coverage.vectors_read == 100 and coverage.found == 2
    assert matrix[1, 0] == pytest.approx(-0.038194)  # GloVe 6B's first number for "the"
