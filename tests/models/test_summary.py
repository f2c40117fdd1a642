"""summary(): tf.keras 2's table, as the seeds print it."""

import pytest

from saessak.layers import Dense, Input, clear_session, concatenate
from saessak.models import Model, Sequential

# The seed's table (seed 003, model M3). Rows are padded with spaces to the full 65
# columns, as tf.keras prints them.
SEED_003_M3 = "\n".join([
    'Model: "sequential"',
    "_" * 65,
    "Layer (type)                 Output Shape              Param #".ljust(65),
    "=" * 65,
    "dense (Dense)                (None, 8)                 40".ljust(65),
    "_" * 65,
    "dense_1 (Dense)              (None, 1)                 9".ljust(65),
    "=" * 65,
    "Total params: 49",
    "Trainable params: 49",
    "Non-trainable params: 0",
    "_" * 65,
])


def lines_of(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    return out


def test_sequential_summary_is_the_seed_table_character_for_character():
    clear_session()
    model = Sequential([Dense(8, input_dim=4, activation="relu"),
                        Dense(1, activation="sigmoid")])
    assert "\n".join(lines_of(model)) == SEED_003_M3


def test_counts_use_thousands_separators_and_non_trainable():
    model = Sequential([Dense(1000, input_shape=(100,)), Dense(10)])
    model.layers[0].trainable = False
    text = "\n".join(lines_of(model))
    assert "Total params: 111,010" in text
    assert "Trainable params: 10,010" in text
    assert "Non-trainable params: 101,000" in text


def test_branching_graph_gets_a_connected_to_column():
    clear_session()
    a, b = Input(shape=(3,)), Input(shape=(5,))
    model = Model([a, b], Dense(1)(concatenate([a, b])))
    lines = lines_of(model)
    assert len(lines[1]) == 98
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#",
                                "Connected", "to"]
    joined = "\n".join(lines)
    assert "input_1 (InputLayer)            [(None, 3)]          0" in joined
    assert "concatenate (Concatenate)       (None, 8)            0           input_1[0][0]" \
        in joined
    assert any(line.strip() == "input_2[0][0]" for line in lines)


def test_line_length_and_unbuilt_model():
    model = Sequential([Dense(2, input_shape=(3,))])
    assert all(len(line) <= 80 for line in lines_of(model, line_length=80))
    assert lines_of(model, line_length=80)[1] == "_" * 80
    with pytest.raises(ValueError, match="not been built"):
        Sequential([Dense(2)]).summary()
