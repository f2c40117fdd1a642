"""Issue 19, item 2: ``scripts/keras_twin.py`` runs an example in real Keras with only its
import lines changed. Keras itself is not needed here: these tests check the rewriting."""

import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import keras_twin as kt  # noqa: E402

from saessak.apps import examples as registry  # noqa: E402


@pytest.mark.parametrize("line, twin", [
    ("import saessak as keras", "import keras"),
    ("from saessak import layers", "from keras import layers"),
    ("from saessak.callbacks import EarlyStopping", "from keras.callbacks import EarlyStopping"),
    ("from saessak.layers import GRU, LSTM", "from keras.layers import GRU, LSTM"),
    ("    from saessak.optimizers.schedules import X",
     "    from keras.optimizers.schedules import X"),
    # the data side stays saessak's, so both frameworks train on the same arrays
    ("from saessak.datasets import reuters", "from saessak.datasets import reuters"),
    ("from saessak.preprocessing import sequence", "from saessak.preprocessing import sequence"),
    ("from saessak.utils import to_categorical", "from saessak.utils import to_categorical"),
    ("from saessak.data import Dataset", "from keras_twin import Dataset"),
    ("x = 1  # saessak", "x = 1  # saessak"),
])
def test_import_lines_point_at_keras(line, twin):
    assert kt.twin_line(line) == twin


def test_a_mixed_import_is_refused_rather_than_half_rewritten():
    with pytest.raises(ValueError, match="cannot split"):
        kt.twin_line("from saessak import layers, datasets")


def test_an_import_keras_cannot_take_is_named():
    with pytest.raises(ValueError, match="import saessak.backend"):
        kt.twin_source("import numpy\nimport saessak.backend\n")


@pytest.mark.parametrize("name", ["s000_multiplication_lstm", "s000_sequence_prediction",
                                  "s001_reuters_lstm", "s002_imdb_embedding_flatten",
                                  "s004_imdb_bisimplernn_100"])
def test_the_compared_examples_twin_with_only_imports_changed(name):
    path = os.path.join(registry.examples_dir(), registry.get(name).script + ".py")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    twin, changed = kt.twin_source(source)
    assert changed and all(before.startswith(("import", "from")) for before, _ in changed)
    different = [(a, b) for a, b in zip(source.splitlines(), twin.splitlines()) if a != b]
    assert len(different) == len(changed)  # nothing but those lines
    compile(twin, path, "exec")


def test_the_tf_keras_flavour_imports_tf_keras():
    assert kt.twin_line("import saessak as keras", "tf_keras") == "import tf_keras as keras"
    assert kt.twin_line("from saessak import layers", "tf_keras") == "from tf_keras import layers"
    assert (kt.twin_line("from saessak.callbacks import EarlyStopping", "tf_keras")
            == "from tf_keras.callbacks import EarlyStopping")
