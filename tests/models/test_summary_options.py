"""summary()'s Keras options that change what is printed: layer_range, show_trainable,
expand_nested (not supported: it warns)."""

import warnings

import pytest

from saessak.layers import Dense, Input, clear_session, concatenate
from saessak.models import Model, Sequential


def lines_of(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    return out


def rows(lines):
    """The layer names printed, in order."""
    return [line.split()[0] for line in lines if "(Dense)" in line or "(Sequential)" in line]


@pytest.fixture
def chain():
    return Sequential([Dense(3, input_shape=(2,), name="first"),
                       Dense(3, name="middle", trainable=False),
                       Dense(1, name="last")])


def test_layer_range_prints_only_those_rows_and_the_whole_models_totals(chain):
    lines = lines_of(chain, layer_range=["middle", "last"])
    assert rows(lines) == ["middle", "last"]
    assert "Total params: 25" in lines and "Non-trainable params: 12" in lines


def test_layer_range_takes_patterns_and_either_order(chain):
    assert rows(lines_of(chain, layer_range=["mid", "mid"])) == ["middle"]
    assert rows(lines_of(chain, layer_range=("last", "first"))) == ["first", "middle", "last"]
    assert rows(lines_of(chain, layer_range=[".*", ".*"])) == ["first", "middle", "last"]


@pytest.mark.parametrize("layer_range, message", [
    (["first"], "list or tuple of 2"),
    ("first", "list or tuple of 2"),
    (["first", 2], "must hold strings"),
    (["nope", "last"], "does not match the names"),
])
def test_bad_layer_range_is_a_clear_error(chain, layer_range, message):
    with pytest.raises(ValueError, match=f"summary: layer_range.*{message}"):
        lines_of(chain, layer_range=layer_range)


def test_show_trainable_adds_a_y_n_column_11_wide(chain):
    lines = lines_of(chain, show_trainable=True)
    assert lines[2].rstrip().endswith("Trainable") and len(lines[1]) == 65 + 11
    flags = {line.split()[0]: line.split()[-1] for line in lines if "(Dense)" in line}
    assert flags == {"first": "Y", "middle": "N", "last": "Y"}


def test_show_trainable_on_a_graph_keeps_the_connections_column():
    clear_session()  # the concatenate layer's name counts from zero
    a, b = Input((2,), name="a"), Input((2,), name="b")
    model = Model([a, b], Dense(1, name="out")(concatenate([a, b])))
    lines = lines_of(model, show_trainable=True)
    header = lines[2].split()
    assert header[-3:] == ["Connected", "to", "Trainable"]
    out_row = next(line for line in lines if line.startswith("out (Dense)"))
    assert out_row.split()[-2:] == ["concatenate[0][0]", "Y"]


def test_expand_nested_warns_only_where_a_nested_model_would_expand(chain):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lines_of(chain, expand_nested=True)  # nothing nested: nothing to say
    outer = Sequential([chain, Dense(2, name="head")])
    outer.build((None, 2))
    with pytest.warns(UserWarning, match="expand_nested=True is not supported"):
        lines = lines_of(outer, expand_nested=True)
    assert rows(lines) == [chain.name, "head"]
