"""Sequential, functional and subclassed models: building, shapes, counts, errors."""

import numpy as np
import pytest

import saessak
from saessak.layers import Dense, Dropout, Flatten, Input, concatenate
from saessak.models import Model, Sequential


def test_sequential_with_input_shape_builds_at_once():
    model = Sequential([Dense(8, activation="relu", input_dim=4), Dense(1)])
    assert model.built and model.input_shape == (None, 4) and model.output_shape == (None, 1)
    assert model.count_params() == 4 * 8 + 8 + 8 + 1
    assert [layer.name for layer in model.layers] == [model.layers[0].name,
                                                      model.layers[1].name]


def test_sequential_without_input_shape_builds_on_first_call():
    model = Sequential()
    model.add(Dense(3))
    model.add(Dense(2))
    assert not model.built
    out = model(np.ones((5, 7), "float32"))
    assert out.shape == (5, 2) and model.built
    assert model.input_shape == (None, 7)  # the batch size stays unknown


def test_sequential_add_pop_and_input_first():
    model = Sequential([Input(shape=(6,)), Dense(4)])
    model.add(Dense(2))
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert isinstance(popped, Dense) and model.output_shape == (None, 4)
    with pytest.raises(TypeError, match="expected a Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique name"):
        model.add(Dense(1, name=model.layers[0].name))


def test_seed_002_embedding_flatten_dense_has_80161_params():
    Embedding = getattr(saessak.layers, "Embedding", None)
    if Embedding is None:
        pytest.skip("Embedding has not landed yet")
    model = Sequential([Embedding(10000, 8, input_length=20), Flatten(),
                        Dense(1, activation="sigmoid")])
    assert model.layers[0].output_shape == (None, 20, 8)
    assert model.count_params() == 80_161


def test_fashion_mnist_mlp_of_seed_000_chapter_5():
    # Flatten(28x28) -> Dense(128, relu) -> Dense(10, softmax): 784*128+128 + 128*10+10
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"),
                        Dense(10, activation="softmax")])
    assert model.count_params() == 101_770


def test_seed_003_functional_models():
    # M6: Input(10) -> Dense(64) -> Dense(64) -> Dense(1): 704 + 4,160 + 65
    inputs = Input(shape=(10,))
    hidden = Dense(64, activation="relu")(Dense(64, activation="relu")(inputs))
    m6 = Model(inputs=inputs, outputs=Dense(1, activation="sigmoid")(hidden))
    assert m6.count_params() == 4_929
    # M10: two branches joined by concatenate: 11,813
    input_a, input_b = Input(shape=(64,)), Input(shape=(128,))
    x = Dense(8, activation="relu")(Dense(16, activation="relu")(input_a))
    x = Model(inputs=input_a, outputs=x)
    y = Dense(64, activation="relu")(input_b)
    y = Dense(8, activation="relu")(Dense(32, activation="relu")(y))
    y = Model(inputs=input_b, outputs=y)
    z = Dense(1)(Dense(2, activation="relu")(concatenate([x.output, y.output])))
    m10 = Model(inputs=[x.input, y.input], outputs=z)
    assert m10.count_params() == 11_813
    out = m10.predict([np.ones((3, 64)), np.ones((3, 128))], verbose=0)
    assert out.shape == (3, 1)


def test_functional_model_matches_layer_by_layer_computation():
    inputs = Input(shape=(3,))
    d1, d2 = Dense(4, activation="tanh"), Dense(2)
    model = Model(inputs, d2(d1(inputs)))
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    np.testing.assert_allclose(model(x).numpy(), d2(d1(x)).numpy(), rtol=1e-6)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense"]


def test_shared_layers_and_nested_models():
    shared = Dense(3, name="shared")
    a, b = Input(shape=(4,)), Input(shape=(4,))
    model = Model([a, b], [shared(a), shared(b)])
    assert model.count_params() == 15  # one kernel and bias, used twice
    x, y = np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")
    out_a, out_b = model([x, y])
    np.testing.assert_allclose(out_b.numpy(), np.broadcast_to(shared.bias.numpy(), (2, 3)))
    inner = Sequential([Dense(5, input_shape=(4,)), Dense(2)])
    c = Input(shape=(4,))
    outer = Model(c, Dense(1)(inner(c)))
    assert outer.count_params() == inner.count_params() + 3
    assert outer.get_layer(inner.name) is inner
    np.testing.assert_allclose(outer.predict(x, verbose=0),
                               outer.layers[-1](inner(x)).numpy(), rtol=1e-6)


def test_dict_inputs_by_name_and_input_checks():
    a, b = Input(shape=(2,), name="left"), Input(shape=(3,), name="right")
    model = Model([a, b], concatenate([a, b]))
    out = model({"left": np.ones((1, 2)), "right": np.zeros((1, 3))})
    np.testing.assert_array_equal(out.numpy(), [[1, 1, 0, 0, 0]])
    with pytest.raises(ValueError, match="lacks"):
        model({"left": np.ones((1, 2))})
    with pytest.raises(ValueError, match=r"expected shape \(None, 3\), received shape \(1, 4\)"):
        model([np.ones((1, 2)), np.ones((1, 4))])


def test_graph_errors_are_clear():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, Dense(1)(concatenate([a, b])))
    with pytest.raises(TypeError, match="symbolic"):
        Model(a, np.ones(2))
    with pytest.raises(ValueError, match="Dense 'd'.*known last axis"):
        Dense(3, name="d")(Input(shape=(None,)))


def test_subclassed_model_tracks_layers_and_trains():
    class TwoLayer(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(8, activation="relu")
            self.drop = Dropout(0.1)
            self.out = Dense(1)

        def call(self, inputs, training=None):
            return self.out(self.drop(self.hidden(inputs), training=training))

    model = TwoLayer()
    assert model.name == "two_layer"
    model.build((None, 3))
    assert model.count_params() == 3 * 8 + 8 + 9
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    history = model.fit(x, y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_model_trainable_flag_freezes_everything():
    model = Sequential([Dense(4, input_shape=(2,)), Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == []


def test_a_sequential_built_from_data_takes_other_sequence_lengths():
    # as the feed-forward part of a transformer block: built on length 2, then called on 3
    proj = Sequential([Dense(4, activation="relu"), Dense(2)])
    assert proj(np.zeros((5, 2, 3), "float32")).shape == (5, 2, 2)
    assert proj(np.zeros((5, 3, 3), "float32")).shape == (5, 3, 2)
    declared = Sequential([Input((2, 3)), Dense(2)])
    with pytest.raises(ValueError, match="incompatible with the data"):
        declared(np.zeros((5, 3, 3), "float32"))  # a declared Input is still checked


def test_a_model_may_start_from_an_intermediate_tensor():
    """Keras 3: Model(inputs=<any symbolic tensor>, ...) gets a fresh Input there; the
    layers after it are shared with the graph it was cut from, which stays as it was."""
    import saessak as keras
    inputs = keras.Input((4,), name="raw")
    hidden = keras.layers.Dense(3, name="encoder")(inputs)
    outputs = keras.layers.Dense(2, name="head")(keras.layers.ReLU(name="act")(hidden))
    whole = keras.Model(inputs, outputs)
    head = keras.Model(hidden, outputs)
    assert [layer.name for layer in head.layers] == [f"{hidden.name}CLONE", "act", "head"]
    assert head.layers[-1] is whole.layers[-1]  # shared, not copied
    assert head.input.shape == (None, 3)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    h = whole.get_layer("encoder")(x).numpy()
    np.testing.assert_allclose(head.predict(h, verbose=0), whole.predict(x, verbose=0),
                               rtol=1e-6)
    assert [layer.name for layer in whole.layers] == ["raw", "encoder", "act", "head"]
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model([hidden], keras.layers.Add()([outputs, keras.layers.Dense(2)(inputs)]))


def test_a_nested_model_takes_sizes_left_unknown_where_it_was_wired():
    # Supervised contrastive learning's encoder: ResNet50V2(input_shape=(32, 32, 3)) called
    # after RandomWidth/RandomHeight, whose outputs have unknown height and width. In a
    # TensorFlow graph the nested model is checked only against those traced shapes.
    from saessak import layers
    inner_in = saessak.Input(shape=(8, 8, 3))
    inner = Model(inner_in, layers.GlobalAveragePooling2D()(layers.Conv2D(4, 3)(inner_in)))
    inputs = saessak.Input(shape=(8, 8, 3))
    x = layers.RandomHeight(0.5, seed=1)(layers.RandomWidth(0.5, seed=2)(inputs))
    assert x.shape == (None, None, None, 3)
    outer = Model(inputs, inner(x))
    images = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")
    sizes = set()
    for _ in range(6):
        sizes.add(tuple(layers.RandomWidth(0.5)(images, training=True).shape))
        assert outer(images, training=True).shape == (2, 4)
    assert len(sizes) > 1
    # called directly, the inner model still checks its own input's sizes
    with pytest.raises(ValueError, match="incompatible with the data"):
        inner(np.zeros((2, 6, 8, 3), "float32"))
    # wired after an Input of unknown height, it takes any height there
    partly = saessak.Input(shape=(None, 8, 3))
    mixed = Model(partly, inner(layers.Identity()(partly)))
    assert mixed(np.zeros((1, 6, 8, 3), "float32")).shape == (1, 4)
