"""A user's classes inside wrappers and inside each other reload, by each of Keras's three
ways of making them known: ``custom_objects``, ``custom_object_scope`` and
``register_keras_serializable`` (issue 20: TimeDistributed and RNN used fixed tables)."""

import json

import numpy as np
import pytest

import saessak as keras


class Scale(keras.layers.Layer):
    """Multiplies by one learned factor per feature."""

    def build(self, input_shape):
        self.s = self.add_weight("s", (input_shape[-1],), "random_normal")

    def call(self, inputs):
        return inputs * self.s

    def compute_output_shape(self, input_shape):
        return input_shape


class MinimalCell(keras.layers.Layer):
    """Keras's own example of a custom cell: h_t = tanh(x_t W + h_{t-1} U)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units))

    def call(self, inputs, states):
        h = keras.ops.tanh(keras.ops.matmul(inputs, self.kernel)
                           + keras.ops.matmul(states[0], self.recurrent_kernel))
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Outer(keras.layers.Layer):
    """A layer that holds another layer and saves it inside its own config."""

    def __init__(self, inner, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner

    def build(self, input_shape):
        if not self.inner.built:
            self.inner.build(input_shape)
            self.inner.built = True

    def call(self, inputs):
        return self.inner(inputs) + inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "inner": keras.layers.serialize(self.inner)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["inner"] = keras.layers.deserialize(config["inner"])
        return cls(**config)


class MyLSTM(keras.layers.LSTM):
    """A user's subclass of a built-in recurrent layer."""


class MyRNN(keras.layers.RNN):
    """A user's subclass of RNN itself: its config holds the cell, as RNN's does."""


CLASSES = {"Scale": Scale, "MinimalCell": MinimalCell, "Outer": Outer, "MyLSTM": MyLSTM,
           "MyRNN": MyRNN}


def time_distributed():
    return keras.Sequential([keras.Input((5, 3)), keras.layers.TimeDistributed(Scale()),
                             keras.layers.Dense(2)])


def rnn_custom_cell():
    inputs = keras.Input((6, 3))
    return keras.Model(inputs, keras.layers.RNN(MinimalCell(4))(inputs))


def bidirectional_custom_cell():
    return keras.Sequential([keras.Input((6, 3)),
                             keras.layers.Bidirectional(keras.layers.RNN(MinimalCell(4)))])


def bidirectional_custom_backward():
    forward = keras.layers.RNN(MinimalCell(4), return_sequences=True)
    backward = keras.layers.RNN(MinimalCell(3), return_sequences=True, go_backwards=True)
    return keras.Sequential([keras.Input((6, 3)),
                             keras.layers.Bidirectional(forward, backward_layer=backward)])


def bidirectional_lstm_subclass():
    return keras.Sequential([keras.Input((6, 3)),
                             keras.layers.Bidirectional(MyLSTM(4), merge_mode="sum")])


def rnn_subclass_custom_cell():
    return keras.Sequential([keras.Input((6, 3)), MyRNN(MinimalCell(4))])


def stacked_custom_cells():
    return keras.Sequential([keras.Input((6, 3)),
                             keras.layers.RNN([MinimalCell(4), keras.layers.GRUCell(2),
                                               MinimalCell(3)])])


def nested_custom_layers():
    return keras.Sequential([keras.Input((3,)), Outer(Outer(Scale())), keras.layers.Dense(2)])


ROUTES = ["file", "keras_file", "json", "config", "model_from_config"]
MODELS = [time_distributed, rnn_custom_cell, bidirectional_custom_cell,
          bidirectional_custom_backward, bidirectional_lstm_subclass, rnn_subclass_custom_cell,
          stacked_custom_cells, nested_custom_layers]


@pytest.fixture
def registered():
    """The test's classes registered as ``tests>Name`` for one test (tests/conftest.py
    forgets them after it)."""
    for cls in CLASSES.values():
        keras.saving.register_keras_serializable(package="tests")(cls)


def reload(model, route, tmp_path, custom_objects):
    """The model rebuilt from a saessak file, a Keras 3 ``.keras`` file, its JSON, or its
    config."""
    if route in ("file", "keras_file"):
        if route == "keras_file":
            pytest.importorskip("h5py", reason="Keras's .keras archive needs h5py (extra h5)")
        path = tmp_path / ("model.saessak" if route == "file" else "model.keras")
        model.save(path)
        return keras.models.load_model(path, custom_objects=custom_objects)
    if route == "json":
        new = keras.models.model_from_json(model.to_json(), custom_objects=custom_objects)
    elif route == "model_from_config":
        new = keras.models.model_from_config(keras.layers.serialize(model),
                                             custom_objects=custom_objects)
    else:
        new = type(model).from_config(model.get_config(), custom_objects=custom_objects)
    new.set_weights(model.get_weights())
    return new


def inputs_for(model):
    shape = (4,) + tuple(model.inputs[0].shape[1:])
    return np.random.default_rng(0).normal(size=shape).astype("float32")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("make", MODELS, ids=lambda f: f.__name__)
def test_reload_with_custom_objects(make, route, tmp_path):
    model = make()
    x = inputs_for(model)
    expected = model.predict(x, verbose=0)
    loaded = reload(model, route, tmp_path, CLASSES)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("make", MODELS, ids=lambda f: f.__name__)
def test_reload_inside_custom_object_scope(make, route, tmp_path):
    model = make()
    x = inputs_for(model)
    expected = model.predict(x, verbose=0)
    with keras.utils.custom_object_scope(CLASSES):
        loaded = reload(model, route, tmp_path, None)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("make", MODELS, ids=lambda f: f.__name__)
def test_reload_registered_classes(make, route, tmp_path, registered):
    model = make()
    x = inputs_for(model)
    expected = model.predict(x, verbose=0)
    loaded = reload(model, route, tmp_path, None)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)


def test_the_nested_config_holds_the_inner_layers_description(registered):
    config = Outer(Scale(name="s")).get_config()
    assert config["inner"]["class_name"] == "Scale"
    assert config["inner"]["registered_name"] == "tests>Scale"
    assert config["inner"]["config"]["name"] == "s"
    rebuilt = Outer.from_config(json.loads(json.dumps(config)))
    assert type(rebuilt.inner) is Scale and rebuilt.inner.name == "s"


@pytest.mark.parametrize("make", MODELS, ids=lambda f: f.__name__)
def test_unknown_class_is_one_clear_error(make, tmp_path):
    model = make()
    path = tmp_path / "model.saessak"
    model.save(path)
    for load in (lambda: keras.models.load_model(path),
                 lambda: keras.models.model_from_json(model.to_json())):
        with pytest.raises(ValueError) as err:
            load()
        message = str(err.value)
        missing = [name for name in CLASSES if f"unknown layer class {name!r}" in message]
        assert len(missing) == 1, message
        assert f"custom_objects={{{missing[0]!r}: ...}}" in message
        assert "register_keras_serializable" in message


def test_a_user_class_named_dense_does_not_replace_the_builtin(tmp_path):
    class Dense(keras.layers.Layer):  # the user's own "Dense"
        def call(self, inputs):
            return inputs

    assert keras.layers.deserialize(
        {"class_name": "Dense", "config": {"units": 2}}).__class__ is keras.layers.Dense
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.save(tmp_path / "m.saessak")
    loaded = keras.models.load_model(tmp_path / "m.saessak")
    assert type(loaded.layers[0]) is keras.layers.Dense
    # registered under its package, it still leaves the bare name to the built-in
    keras.saving.register_keras_serializable(package="mine")(Dense)
    assert type(keras.models.load_model(tmp_path / "m.saessak").layers[0]) is keras.layers.Dense
    mine = keras.Sequential([keras.Input((3,)), Dense()])
    assert type(keras.models.model_from_json(mine.to_json()).layers[0]) is Dense


def test_clone_model_keeps_the_users_classes():
    model = bidirectional_custom_cell()
    clone = keras.models.clone_model(model)
    cells = [type(layer.cell) for layer in
             (clone.layers[0].forward_layer, clone.layers[0].backward_layer)]
    assert cells == [MinimalCell, MinimalCell]
    assert clone.count_params() == model.count_params()


def test_builtin_layers_register_themselves_and_serialize_round_trips():
    assert keras.layers.deserialize(keras.layers.serialize(keras.layers.LSTM(3))).units == 3
    assert keras.layers.serialization.LAYERS.own("Functional") is keras.Model
    assert keras.layers.serialization.LAYERS.own("Sequential") is keras.Sequential
    assert keras.layers.serialization.LAYERS.own("InputLayer") is keras.layers.InputLayer
    assert keras.layers.serialization.LAYERS.own("Scale") is None  # the user's: not built in
    with pytest.raises(ValueError, match="layers.deserialize: expected a layer description"):
        keras.layers.deserialize("Dense")


class TokenAndPositionEmbedding(keras.layers.Layer):
    """The text-classification example's own layer, named as saessak's built-in one."""

    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.maxlen, self.vocab_size, self.embed_dim = maxlen, vocab_size, embed_dim
        self.token_emb = keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = keras.layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = keras.ops.arange(start=0, stop=keras.ops.shape(x)[-1], step=1)
        return self.token_emb(x) + self.pos_emb(positions)

    def get_config(self):
        return {**super().get_config(), "maxlen": self.maxlen,
                "vocab_size": self.vocab_size, "embed_dim": self.embed_dim}


def test_a_user_class_named_as_a_saessak_only_layer_is_saved_as_the_users(tmp_path):
    inputs = keras.Input((5,))
    model = keras.Model(inputs, TokenAndPositionEmbedding(5, 10, 4)(inputs))
    path = tmp_path / "m.keras"
    model.save(path)
    import zipfile
    spec = json.loads(zipfile.ZipFile(path).read("config.json"))["config"]["layers"][1]
    assert spec["module"] is None and spec["registered_name"] == "TokenAndPositionEmbedding"
    # without the class, one clear error, not saessak's layer of that name built wrongly
    with pytest.raises(ValueError, match="your own class 'TokenAndPositionEmbedding'.*"
                                         "custom_objects"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(
        path, custom_objects={"TokenAndPositionEmbedding": TokenAndPositionEmbedding})
    assert type(loaded.layers[1]) is TokenAndPositionEmbedding
    x = np.array([[1, 2, 3, 4, 5]])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
