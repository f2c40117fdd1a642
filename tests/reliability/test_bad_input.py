"""Bad input to fit / evaluate / predict and to layers: one row per case, each with the
exception it must raise and a fragment its message must hold (the function or layer, the
argument, what was expected). Plus the dtypes Keras gives for integer input."""

import numpy as np
import pytest

import saessak
from saessak import layers as L

X = np.ones((8, 4), "float32")
Y = np.ones((8, 3), "float32")


def model(built=True, compiled=True):
    m = saessak.Sequential([L.Dense(3, input_shape=(4,))] if built else [L.Dense(3)])
    if compiled:
        m.compile("sgd", "mse")
    return m


def fit(**kwargs):
    args = {"x": X, "y": Y, "verbose": 0, **kwargs}
    return lambda: model(built=args.pop("built", True)).fit(**args)


ROWS = [
    # (case, call, exception, message fragment)
    ("fit: empty arrays, unbuilt model",
     fit(x=np.zeros((0, 4)), y=np.zeros((0, 3)), built=False), ValueError,
     "fit: expected x to be a non-empty"),
    ("fit: empty arrays, built model", fit(x=np.zeros((0, 4)), y=np.zeros((0, 3))),
     ValueError, "non-empty"),
    ("evaluate: empty arrays", lambda: model(False).evaluate(np.zeros((0, 4)), np.zeros((0, 3)),
                                                            verbose=0), ValueError,
     "evaluate: expected x to be a non-empty"),
    ("predict: empty arrays", lambda: model(False).predict(np.zeros((0, 4)), verbose=0),
     ValueError, "predict: expected x to be a non-empty"),
    ("fit: x and y lengths differ", fit(y=Y[:5]), ValueError, "x has 8, y has 5"),
    ("fit: epochs not whole", fit(epochs=1.5), ValueError,
     "fit: epochs must be a whole number >= 0, received 1.5"),
    ("fit: initial_epoch negative", fit(initial_epoch=-1), ValueError,
     "fit: initial_epoch must be a whole number >= 0"),
    ("fit: epochs nan", fit(epochs=float("nan")), ValueError, "epochs must be a whole number"),
    ("predict: a Sequential model given a dict", lambda: model().predict({"bogus": X},
                                                                        verbose=0),
     ValueError, "_input'), received a dict with keys ['bogus']; pass the array itself"),
    ("fit: sample_weight length differs", fit(sample_weight=np.ones(3)), ValueError,
     "sample_weight has 3"),
    ("fit: ragged lists", fit(x=[[1, 2], [3]], y=Y[:2]), ValueError, "pad_sequences"),
    ("fit: uncompiled model", lambda: model(compiled=False).fit(X, Y, verbose=0),
     RuntimeError, "must be compiled before fit()"),
    ("fit: batch_size=0", fit(batch_size=0), ValueError, "batch_size must be a positive"),
    ("fit: batch_size=2.5", fit(batch_size=2.5), ValueError, "received 2.5"),
    ("fit: batch_size='8'", fit(batch_size="8"), ValueError, "received '8'"),
    ("fit: validation_split=1.5", fit(validation_split=1.5), ValueError,
     "validation_split must be in (0, 1)"),
    ("fit: scalar x", fit(x=np.float32(1)), ValueError, "batch axis"),
    ("fit: x=None", fit(x=None), ValueError, "fit: x is required"),
    ("fit: text x into Dense", fit(x=np.array([["a"] * 4] * 8)), TypeError,
     "expected numbers, received an input of dtype <U1"),
    ("fit: generator and y", fit(x=iter([(X, Y)])), ValueError, "do not pass y"),
    ("fit: class_weight with a generator", lambda: model().fit(
        iter([(X, Y)]), class_weight={0: 1}, verbose=0), ValueError,
     "class_weight works only with array inputs"),
    ("predict: wrong feature count", lambda: model().predict(np.ones((2, 5)), verbose=0),
     ValueError, "expected shape (None, 4), received shape (2, 5)"),
    ("predict: wrong rank", lambda: model().predict(np.ones((2, 4, 3)), verbose=0),
     ValueError, "incompatible"),
    ("compile: unknown loss", lambda: model(compiled=False).compile("sgd", "foo"),
     ValueError, "unknown loss 'foo'"),
    ("compile: unknown optimizer", lambda: model(compiled=False).compile("foo", "mse"),
     ValueError, "unknown optimizer 'foo'"),
    ("compile: unknown metric", lambda: model().compile("sgd", "mse", metrics=["foo"]),
     ValueError, "unknown metric 'foo'"),
    ("SGD: negative learning rate", lambda: saessak.optimizers.SGD(-1.0), ValueError,
     "learning_rate must be a non-negative"),
    ("Dense(0)", lambda: L.Dense(0), ValueError, "Dense: units must be a positive integer"),
    ("Dense('a')", lambda: L.Dense("a"), ValueError, "received 'a'"),
    ("Dense: unknown activation", lambda: L.Dense(3, activation="bogus"), ValueError,
     "unknown activation 'bogus'"),
    ("Dense: 0-d input", lambda: L.Dense(2)(np.float32(1)), ValueError,
     "with a known last axis"),
    ("Dense: text input", lambda: L.Dense(2)(np.array([["a", "b"]])), TypeError,
     "Dense 'dense"),
    ("Conv2D(0, 3)", lambda: L.Conv2D(0, 3), ValueError, "filters must be a positive"),
    ("Conv2D on a 2-D input", lambda: L.Conv2D(2, 3)(np.ones((2, 4))), ValueError,
     "expected inputs of rank 4"),
    ("Dropout(1.5)", lambda: L.Dropout(1.5), ValueError, "rate must be a number in [0, 1]"),
    ("Dropout(-0.1)", lambda: L.Dropout(-0.1), ValueError, "received -0.1"),
    ("LSTM on a 2-D input", lambda: L.LSTM(2)(np.ones((2, 4))), ValueError,
     "(batch, time, features)"),
    ("LSTM(0)", lambda: L.LSTM(0), ValueError, "units must be a positive integer"),
    ("Embedding: id too large", lambda: L.Embedding(5, 2)(np.array([[7]])), IndexError,
     "token ids must lie in [0, 5)"),
    ("Embedding: negative id", lambda: L.Embedding(5, 2)(np.array([[-1]])), IndexError,
     "received the id -1"),
    ("Embedding: fractional ids", lambda: L.Embedding(5, 2)(np.array([[1.5]])), TypeError,
     "expected integer token ids"),
    ("Reshape: wrong size", lambda: L.Reshape((5,))(np.ones((2, 4))), ValueError,
     "cannot reshape input of shape (2, 4)"),
    ("Concatenate: batch sizes differ", lambda: L.Concatenate()(
        [np.ones((2, 3)), np.ones((3, 3))]), ValueError, "every other size must match"),
    ("MaxPooling2D larger than the image", lambda: L.MaxPooling2D(5)(np.ones((1, 2, 2, 1))),
     ValueError, "smaller than the pool"),
    ("Input(shape=(-1,))", lambda: saessak.Input(shape=(-1,)), ValueError,
     "non-negative integer or None"),
]


@pytest.mark.parametrize(("case", "call", "kind", "fragment"), ROWS,
                         ids=[row[0] for row in ROWS])
def test_bad_input_raises_a_clear_error(case, call, kind, fragment):
    with pytest.raises(kind) as info:
        call()
    assert type(info.value) is kind or kind is TypeError  # not a subclass in disguise
    assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_input_gives_float32_as_in_keras(dtype):
    x = np.arange(24).reshape(2, 3, 4).astype(dtype)
    for layer, data in ((L.Dense(2), x[0]), (L.Conv1D(2, 2), x), (L.LSTM(2), x),
                        (L.GRU(2), x), (L.SimpleRNN(2), x), (L.LayerNormalization(), x[0]),
                        (L.BatchNormalization(), x[0])):
        assert layer(data).dtype == np.float32, type(layer).__name__
    seq = saessak.Sequential([L.Dense(2, input_shape=(4,))])
    assert seq.predict(x[0], verbose=0).dtype == np.float32
    # token ids stay ids
    assert L.Embedding(30, 2)(x[0].astype("int64")).dtype == np.float32


def test_integer_input_trains_like_float_input():
    def run(x):
        saessak.utils.set_random_seed(3)
        m = saessak.Sequential([L.Dense(4, activation="relu", input_shape=(4,)), L.Dense(1)])
        m.compile("adam", "mse")
        m.fit(x, np.arange(8, dtype="float32"), epochs=2, batch_size=4, shuffle=False,
              verbose=0)
        return m.get_weights()

    ints = np.arange(32).reshape(8, 4) % 5
    for a, b in zip(run(ints), run(ints.astype("float32"))):
        np.testing.assert_array_equal(a, b)
