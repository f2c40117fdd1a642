"""The Layer base: lazy building, weight lists in Keras 3's order, config, names, masks."""

import numpy as np
import pytest

import saessak
import saessak.compat as tf
from saessak import layers
from saessak.layers import Dense, Input, Layer, clear_session


class Mixed(Layer):
    """Weights created in the order trainable, non-trainable, trainable, plus a sublayer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Dense(2)

    def build(self, input_shape):
        self.a = self.add_weight("a", (input_shape[-1], 3))
        self.stat = self.add_weight("stat", (3,), "zeros", trainable=False)
        self.b = self.add_weight("b", (3,), "ones")
        self.built = True

    def call(self, inputs):
        return self.inner(inputs @ self.a + self.b + self.stat)

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (2,)


def test_names_count_up_per_class_like_keras():
    clear_session()
    names = [Dense(1).name, Dense(1).name, Mixed().name, Dense(1).name]
    assert names[:2] == ["dense", "dense_1"]
    assert names[2] == "mixed"
    assert names[3] == "dense_3"  # Mixed() made a Dense of its own: dense_2


def test_weights_are_created_lazily_from_the_first_input():
    layer = Dense(4)
    assert not layer.built and layer.weights == []
    layer(np.ones((2, 3), "float32"))
    assert layer.built
    assert [w.shape for w in layer.weights] == [(3, 4), (4,)]
    assert layer.count_params() == 16


def test_count_params_before_build_says_so():
    with pytest.raises(ValueError, match="not built"):
        Dense(2).count_params()


def test_weight_order_is_keras3_declared_trainable_first_then_sublayers():
    layer = Mixed()
    layer(np.ones((1, 4), "float32"))
    paths = [w.path.split("/")[1] for w in layer.weights]
    assert paths == ["a", "b", "stat", "kernel", "bias"]
    assert [w.path.split("/")[1] for w in layer.trainable_weights] == ["a", "b", "kernel",
                                                                         "bias"]
    assert [w.path.split("/")[1] for w in layer.non_trainable_weights] == ["stat"]
    layer.trainable = False  # freezing moves nothing
    assert [w.path.split("/")[1] for w in layer.weights] == paths
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 5
    assert not layer.inner.trainable


def test_weight_list_cache_sees_new_weights():
    outer = Mixed()
    outer(np.ones((1, 4), "float32"))
    n = len(outer.weights)
    outer.extra = Dense(3)
    outer.extra(np.ones((1, 2), "float32"))
    assert len(outer.weights) == n + 2


def test_get_set_weights_round_trip_and_shape_errors():
    layer = Dense(3)
    layer(np.ones((1, 2), "float32"))
    values = [np.arange(6, dtype="float32").reshape(2, 3), np.array([1, 2, 3], "float32")]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"kernel.*\(2, 3\).*\(3, 2\)"):
        layer.set_weights([np.zeros((3, 2)), np.zeros(3)])
    with pytest.raises(ValueError, match="expected a list of 2"):
        layer.set_weights([np.zeros((2, 3))])


def test_config_round_trip_rebuilds_an_equal_layer():
    layer = Dense(5, activation="relu", use_bias=False, name="d5")
    clone = Dense.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_input_and_output_shape_come_from_the_functional_call():
    x = Input(shape=(7,))
    layer = Dense(3)
    layer(x)
    assert layer.input_shape == (None, 7)
    assert layer.output_shape == (None, 3)
    with pytest.raises(AttributeError, match="never been called"):
        _ = Dense(2).output_shape


def test_training_flag_reaches_call_resolved_to_a_bool():
    seen = []

    class Spy(Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs

    spy = Spy()
    spy(np.ones((1, 1)))
    spy(np.ones((1, 1)), training=True)
    with saessak.layers.learning_phase(True):
        spy(np.ones((1, 1)))
    assert seen == [False, True, True]


def test_masks_flow_through_layers_that_support_them():
    class MakeMask(Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):
            return np.asarray(inputs.data[..., 0] != 0)

    seen = []

    class ReadMask(Layer):
        supports_masking = True

        def call(self, inputs, mask=None):
            seen.append(mask)
            return inputs

    x = np.array([[[1.0], [0.0], [2.0]]], "float32")
    out = ReadMask()(Dense(1)(MakeMask()(x)))
    np.testing.assert_array_equal(seen[0], [[True, False, True]])
    np.testing.assert_array_equal(out._keras_mask, [[True, False, True]])


def test_unknown_keyword_is_reported_with_the_layer_class():
    with pytest.raises(TypeError, match="Dense: unexpected keyword"):
        Dense(2, units_typo=3)


@pytest.mark.parametrize("make, x", [
    (lambda: saessak.layers.Conv2D(3, 2, activation="relu",
                                   activity_regularizer=saessak.regularizers.l1(0.1)),
     np.random.default_rng(0).standard_normal((4, 5, 5, 2)).astype(np.float32)),
    (lambda: saessak.layers.Embedding(7, 3, activity_regularizer=saessak.regularizers.l2(0.1)),
     np.array([[1, 2, 3], [4, 5, 6]])),
    (lambda: saessak.layers.LSTM(3, activity_regularizer=saessak.regularizers.l1(0.1)),
     np.random.default_rng(1).standard_normal((4, 6, 2)).astype(np.float32)),
])
def test_activity_regularizer_penalises_what_the_layer_returns(make, x):
    """The base layer applies it to the output, after any activation, divided by the
    batch size (tf.keras 2); one penalty per call."""
    layer = make()
    y = layer(x).numpy()
    (penalty,) = layer.losses
    l1 = getattr(layer.activity_regularizer, "l1", 0.0)
    l2 = getattr(layer.activity_regularizer, "l2", 0.0)
    expected = (l1 * np.abs(y).sum() + l2 * np.square(y).sum()) / y.shape[0]
    np.testing.assert_allclose(float(penalty.data), expected, rtol=1e-5)
    layer(x)
    assert len(layer.losses) == 1  # the last call's penalty only


def test_a_users_layer_gets_integer_inputs_as_integers():
    # the "Understanding masking and padding" guide's CustomEmbedding looks its ids up
    class CustomEmbedding(layers.Layer):
        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=(10, 4), initializer="random_normal")

        def call(self, inputs):
            assert inputs.dtype.kind == "i"
            return tf.nn.embedding_lookup(self.embeddings, inputs)

    ids = np.array([[1, 2, 0]], np.int32)
    layer = CustomEmbedding()
    np.testing.assert_array_equal(layer(ids).numpy(), layer.embeddings.numpy()[ids])
    dense = layers.Dense(2)  # saessak's own layers still take integer data as floats
    assert dense(ids).dtype == np.float32

    class Wider(layers.Dense):  # a user's subclass that keeps Dense's call casts too
        pass

    assert Wider(2)(ids).dtype == np.float32


def test_the_argument_after_the_inputs_is_training():
    class Noisy(layers.Layer):
        def call(self, inputs, training=None):
            return inputs + (1.0 if training else 0.0)

    x = np.zeros((1, 2), np.float32)
    assert Noisy()(x, True).numpy().sum() == 2.0
    assert Noisy()(x, False).numpy().sum() == 0.0
    with pytest.raises(TypeError, match="multiple values for argument 'training'"):
        Noisy()(x, True, training=False)
    with pytest.raises(ValueError, match="training must be True, False or None"):
        Noisy()(x, np.ones((1, 2)))
