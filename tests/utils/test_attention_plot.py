"""plot_attention: a heat map saved to a file, Hangul font choice with a clean fallback,
input checks, and a clear error without matplotlib."""

import sys

import numpy as np
import pytest

from saessak.utils import attention_plot, plot_attention

WEIGHTS = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])


def test_saves_a_heat_map_with_token_labels(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "attention.png"
    fig = plot_attention(WEIGHTS, ["I", "love", "you"], ["a", "b"], path=path, title="t")
    assert path.exists() and path.stat().st_size > 1000
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["I", "love", "you"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    np.testing.assert_allclose(ax.images[0].get_array(), WEIGHTS)


def test_one_query_weights_become_one_row(tmp_path):
    pytest.importorskip("matplotlib")
    fig = plot_attention(np.array([0.2, 0.3, 0.5]), ["x", "y", "z"], path=tmp_path / "a.png")
    assert fig.axes[0].images[0].get_array().shape == (1, 3)


@pytest.mark.filterwarnings("ignore:Glyph")  # the stand-in font has no Hangul glyphs
def test_hangul_labels_use_a_korean_font_when_one_exists(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(attention_plot, "find_hangul_font", lambda: "DejaVu Sans")
    fig = plot_attention(WEIGHTS, ["나는", "너를", "사랑해"], ["I", "you"], path=tmp_path / "k.png")
    assert fig.axes[0].get_xticklabels()[0].get_fontfamily() == ["DejaVu Sans"]


def test_hangul_without_a_font_warns_and_still_draws(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(attention_plot, "find_hangul_font", lambda: None)
    path = tmp_path / "k.png"
    with pytest.warns(UserWarning, match="Hangul"):
        plot_attention(WEIGHTS, ["오늘", "주가가", "몇이야"], ["당신께", "you"], path=path)
    assert path.exists()


def test_label_counts_and_shapes_are_checked():
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="x_tokens has 2 labels for 3 columns"):
        plot_attention(WEIGHTS, ["a", "b"])
    with pytest.raises(ValueError, match="output_len, input_len"):
        plot_attention(np.ones((2, 2, 2)))


def test_missing_matplotlib_gives_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_attention(WEIGHTS)
