"""Adapted preprocessing layers in Keras 3 ``.keras`` files.

Keras 3 keeps a vocabulary learned by ``adapt`` out of the config: the tokens are the
file ``vocabulary.txt`` among the archive's ``assets/`` (special tokens first) and tf-idf
weights are a variable named ``idf_weights``, read back by the layers' ``load_assets`` and
``load_own_variables`` hooks. The fixtures (``lookup_<case>.keras``, ``lookups.npz``: each
case's input and Keras 3.15's output) come from ``scripts/make_keras_fixtures.py lookups``.
"""

import io
import json
import os
import zipfile

import numpy as np
import pytest

import saessak as keras

h5py = pytest.importorskip("h5py", reason="Keras .h5/.keras files need h5py (saessak[h5])")

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
CASES = ["text_int", "text_tfidf", "strings", "integers", "normalization", "discretization"]


def _case(case):
    with np.load(os.path.join(FIXTURES, "lookups.npz")) as data:
        return data[f"{case}_x"], data[f"{case}_y"]


def _load(path):
    return keras.models.load_model(path)


@pytest.mark.parametrize("case", CASES)
def test_keras3_files_of_adapted_layers_predict_as_keras(case):
    model = _load(os.path.join(FIXTURES, f"lookup_{case}.keras"))
    x, expected = _case(case)
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-6, atol=1e-6)


def test_the_vocabulary_comes_from_the_assets():
    model = _load(os.path.join(FIXTURES, "lookup_text_int.keras"))
    with zipfile.ZipFile(os.path.join(FIXTURES, "lookup_text_int.keras")) as archive:
        config = json.loads(archive.read("config.json"))
        text = archive.read("assets/layers/text_vectorization/vocabulary.txt").decode()
    assert config["config"]["layers"][1]["config"]["vocabulary"] is None
    assert model.layers[-1].get_vocabulary() == text.split("\n")


def test_tfidf_weights_come_from_the_variables():
    path = os.path.join(FIXTURES, "lookup_text_tfidf.keras")
    with zipfile.ZipFile(path) as archive, \
            h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as f:
        stored = f["layers/text_vectorization/vars/idf_weights"][()]
    layer = _load(path).layers[-1]
    np.testing.assert_allclose(layer.idf_weights, stored, rtol=1e-6)
    assert len(stored) == layer.vocabulary_size()  # one per index, the OOV index's first


@pytest.mark.parametrize("case", CASES)
def test_saessak_keras3_files_keep_the_adapted_state(tmp_path, case):
    model = _load(os.path.join(FIXTURES, f"lookup_{case}.keras"))
    model.save(tmp_path / "m.keras")
    x, expected = _case(case)
    np.testing.assert_allclose(np.asarray(_load(tmp_path / "m.keras")(x)), expected,
                               rtol=1e-6, atol=1e-6)


def test_saessak_writes_tfidf_weights_where_keras3_reads_them(tmp_path):
    """Keras 3's TextVectorization holds a lookup layer that loads the weights from its own
    group; saessak's has none, so both groups are written."""
    vectorize = keras.layers.TextVectorization(output_mode="tf_idf")
    vectorize.adapt(["a b c", "a b", "a"])
    inputs = keras.Input((1,), dtype="string")
    keras.Model(inputs, vectorize(inputs)).save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = json.loads(archive.read("config.json"))
        with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as f:
            name = "layers/text_vectorization"
            own = f[f"{name}/vars/idf_weights"][()]
            inner = f[f"{name}/_lookup_layer/vars/idf_weights"][()]
    np.testing.assert_allclose(own, vectorize.idf_weights)
    np.testing.assert_allclose(inner, own)
    input_layer, layer = config["config"]["layers"]
    assert input_layer["config"]["dtype"] == "string"  # Keras's name for text
    assert (layer["module"], layer["class_name"]) == ("keras.layers", "TextVectorization")


def test_integer_lookup_reads_a_vocabulary_file(tmp_path):
    path = tmp_path / "vocabulary.txt"
    path.write_text("12\n36\n1138\n42\n\n")  # trailing empty lines are dropped, as Keras
    lookup = keras.layers.IntegerLookup(vocabulary=str(path))
    np.testing.assert_array_equal(np.asarray(lookup(np.array([[12, 42, 7]]))), [[1, 4, 0]])
    path.write_text("12\nseven\n")
    with pytest.raises(ValueError, match="IntegerLookup .*'seven', not an integer"):
        keras.layers.IntegerLookup(vocabulary=str(path))


def test_text_vectorization_reads_a_vocabulary_file(tmp_path):
    path = tmp_path / "vocabulary.txt"
    path.write_text("\n[UNK]\nthe\ncat\n")
    vectorize = keras.layers.TextVectorization(vocabulary=str(path))
    assert vectorize.get_vocabulary() == ["", "[UNK]", "the", "cat"]
    np.testing.assert_array_equal(np.asarray(vectorize(["the cat sat"])), [[2, 3, 1]])
