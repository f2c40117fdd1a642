"""plot_model/model_to_dot: Keras arguments that would change the drawing warn when saessak
does not support them (they were swallowed), and unknown ones are errors."""

import warnings

import pytest

import saessak as keras
from saessak.utils import vis_utils


def _nested():
    inner = keras.Sequential([keras.layers.Dense(3, input_shape=(4,), name="inner_dense")],
                             name="inner")
    outer = keras.Sequential([inner, keras.layers.Dense(1, name="head")], name="outer")
    outer.build((None, 4))
    return outer


@pytest.fixture
def plain():
    return keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="only")])


def test_layer_range_warns_that_the_whole_model_is_drawn(plain):
    pytest.importorskip("pydot", reason="pydot (the 'plot' extra) is not installed")
    with pytest.warns(UserWarning, match="model_to_dot: layer_range= is not supported"):
        dot = vis_utils.model_to_dot(plain, layer_range=["only", "only"])
    assert dot.to_string() == vis_utils.model_to_dot(plain).to_string()


def test_expand_nested_warns_only_where_a_model_is_nested(plain):
    pytest.importorskip("pydot", reason="pydot (the 'plot' extra) is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vis_utils.model_to_dot(plain, expand_nested=True)
    with pytest.warns(UserWarning, match="expand_nested=True is not supported; each nested"):
        vis_utils.model_to_dot(_nested(), expand_nested=True)


@pytest.mark.parametrize("function", [vis_utils.model_to_dot, vis_utils.plot_model])
def test_an_unknown_argument_is_a_value_error_before_anything_is_drawn(plain, function,
                                                                      tmp_path, monkeypatch):
    monkeypatch.setattr(vis_utils, "_pydot", lambda: None)  # checked before pydot is needed
    with pytest.raises(ValueError, match=rf"{function.__name__}: unrecognized argument"):
        function(plain, show_everything=True)
