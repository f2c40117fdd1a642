"""saessak.saved_model: TensorFlow's save/load names onto saessak's own format."""

import numpy as np
import pytest

import saessak as keras
from saessak import saved_model


def _model():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_save_and_load_a_folder(tmp_path):
    model = _model()
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    export = tmp_path / "export" / "1"
    with pytest.warns(UserWarning, match="not TensorFlow's SavedModel"):
        saved_model.save(model, str(export))
    assert (export / saved_model.MODEL_FILE).is_file()
    assert "NOT a TensorFlow SavedModel" in (export / "README.txt").read_text()
    assert saved_model.contains_saved_model(export)
    with pytest.warns(UserWarning, match="not TensorFlow's SavedModel"):
        loaded = saved_model.load(str(export))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.filterwarnings("ignore:saessak.saved_model writes:UserWarning")
def test_clear_errors(tmp_path):
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match="TensorFlow SavedModel"):
        saved_model.load(str(tmp_path / "tf"))
    with pytest.raises(FileNotFoundError, match="saessak.saved_model.save"):
        saved_model.load(str(tmp_path))
    with pytest.raises(TypeError, match="expected a saessak model"):
        saved_model.save(object(), str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()
