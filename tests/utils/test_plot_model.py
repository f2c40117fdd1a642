"""plot_model: importable without pydot; draws with pydot + Graphviz when both exist, and
otherwise raises Keras's ImportError naming what to install."""

import shutil

import numpy as np
import pytest

import saessak as keras
from saessak.utils import vis_utils


def _functional():
    inputs = keras.Input(shape=(4,), name="features")
    left = keras.layers.Dense(3, activation="relu", name="left")(inputs)
    right = keras.layers.Dense(2, name="right")(inputs)
    merged = keras.layers.Concatenate(name="joined")([left, right])
    return keras.Model(inputs, keras.layers.Dense(1, name="score")(merged))


def test_import_paths_work_without_calling():
    from saessak.keras.utils import plot_model  # the line seed programs write

    from saessak.utils.vis_utils import plot_model as same  # tf.keras 2's module path
    assert plot_model is same is keras.utils.plot_model


def test_missing_pydot_raises_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(vis_utils, "_pydot", lambda: None)
    target = tmp_path / "m.png"
    with pytest.raises(ImportError, match=r"pip install pydot"):
        keras.utils.plot_model(_functional(), to_file=str(target))
    assert not target.exists()


def test_missing_graphviz_raises_what_to_install(monkeypatch, tmp_path):
    pydot = pytest.importorskip("pydot", reason="pydot (the 'plot' extra) is not installed")
    monkeypatch.setattr(vis_utils, "_graphviz_works", lambda module: False)
    assert vis_utils._pydot() is pydot
    with pytest.raises(ImportError, match="install graphviz"):
        keras.utils.plot_model(_functional(), to_file=str(tmp_path / "m.png"))


def test_graph_has_one_box_per_layer_and_the_connections():
    pytest.importorskip("pydot", reason="pydot (the 'plot' extra) is not installed")
    model = _functional()
    dot = keras.utils.model_to_dot(model, show_shapes=True, show_layer_activations=True)
    labels = [n.get("label") for n in dot.get_nodes() if n.get("label")]
    assert len(labels) == 5 and any("joined (Concatenate)" in label for label in labels)
    assert any("(None, 5)" in label for label in labels)  # the concatenation's width
    assert any("activation: relu" in label for label in labels)
    ids = {layer.name: str(id(layer)) for layer in model.layers}
    edges = {(e.get_source(), e.get_destination()) for e in dot.get_edges()}
    assert (ids["features"], ids["left"]) in edges and (ids["right"], ids["joined"]) in edges
    assert len(edges) == 5


def test_draws_a_png(tmp_path):
    pytest.importorskip("pydot", reason="pydot (the 'plot' extra) is not installed")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2),
                              keras.layers.Dense(1)])
    model.predict(np.zeros((1, 3)), verbose=0)
    target = tmp_path / "model.png"
    keras.utils.plot_model(model, to_file=str(target), show_shapes=True)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
